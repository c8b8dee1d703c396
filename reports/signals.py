"""Every write to what the public pages show bumps the versions of their cached copies
(reports.cache): the municipality it belongs to, or all pages when it is structural.

Signals, like the progress read model's, are the one place that sees every path: the
services, the Django admin and its inlines, history reverts and deletes. What bypasses
``save()`` and ``delete()`` (``bulk_create``, ``QuerySet.update``) must bump itself, as the
seed commands do, or say so (``rebuild_progress`` sends ``counts_rebuilt``).
"""

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save

from pledges.signals import counts_rebuilt

from . import cache

STRUCTURE = None
# For each model whose rows public pages show: the path from it to its municipality's
# slug, or STRUCTURE when a change to it can show on any page.
PATHS = {
    "places.PoliceRegion": STRUCTURE,
    "places.County": STRUCTURE,
    "places.PoliceArea": STRUCTURE,
    "places.Municipality": STRUCTURE,
    "places.Organisation": STRUCTURE,
    "places.Site": "municipality__slug",
    "pledges.Agreement": STRUCTURE,
    "pledges.Pledge": STRUCTURE,
    "pledges.FocusTag": STRUCTURE,
    "pledges.Unit": STRUCTURE,
    "pledges.Quantity": STRUCTURE,
    "pledges.ActivityType": STRUCTURE,
    "pledges.Commitment": "pledge__municipality__slug",
    "pledges.DroppedCommitment": "pledge__municipality__slug",
    "pledges.Amendment": "commitment__pledge__municipality__slug",
    "pledges.Activity": "commitment__pledge__municipality__slug",
    "pledges.Measurement": "activity__commitment__pledge__municipality__slug",
    "pledges.FollowUp": "commitment__pledge__municipality__slug",
    "pledges.PeriodVerdict": "commitment__pledge__municipality__slug",
    "dialogues.Dialogue": "municipality__slug",
    "dialogues.Concern": "dialogue__municipality__slug",
    "dialogues.ActionItem": "dialogue__municipality__slug",
    "dialogues.SituationalPicture": "municipality__slug",
    "dialogues.FocusArea": "picture__municipality__slug",
    "dialogues.Indicator": "municipality__slug",
    "dialogues.IndicatorValue": "indicator__municipality__slug",
    "dialogues.Submission": "municipality__slug",
    # Who moderates Tyck till and whom the pages name as publishers.
    "accounts.Membership": "municipality__slug",
}


def slug_of(instance, path):
    """The slug of the municipality ``instance`` belongs to, by ``path``; one query, None
    when it cannot be found (the parent is gone too)."""
    first, rest = path.split("__", 1)
    field = instance._meta.get_field(first)
    parent_id = getattr(instance, field.attname)
    if parent_id is None:
        return None
    return field.related_model.objects.filter(pk=parent_id).values_list(rest, flat=True).first()


def changed(sender, instance, raw=False, **kwargs):
    path = PATHS.get(instance._meta.label)
    if path is STRUCTURE or raw:
        cache.bump(structure=True)
        return
    slug = slug_of(instance, path)
    if slug is None:
        cache.bump(structure=True)
    else:
        cache.bump(municipalities=[slug])


def m2m_changed_handler(sender, instance, action, **kwargs):
    if action.startswith("post_") and instance._meta.label in PATHS:
        changed(type(instance), instance)


def rebuilt(sender, **kwargs):
    cache.bump(structure=True)


def connect():
    counts_rebuilt.connect(rebuilt, dispatch_uid="reports.cache:counts_rebuilt")
    for label in PATHS:
        model = apps.get_model(label)
        uid = f"reports.cache:{label}"
        post_save.connect(changed, sender=model, dispatch_uid=uid)
        post_delete.connect(changed, sender=model, dispatch_uid=uid)
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                m2m_changed_handler, sender=field.remote_field.through, dispatch_uid=uid
            )
