"""Writes that enforce rules across rows."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Pledge


def overlapping_published(pledge):
    """Other published pledges of the same municipality whose validity overlaps ``pledge``."""
    return (
        Pledge.objects.filter(municipality_id=pledge.municipality_id, status=Pledge.State.PUBLISHED)
        .in_force_during(pledge.valid_from, pledge.valid_to)
        .exclude(pk=pledge.pk)
    )


def check_no_overlap(pledge):
    """Raise ValidationError when publishing ``pledge`` would overlap a published one."""
    clash = overlapping_published(pledge).first()
    if clash:
        raise ValidationError(
            _(
                "%(municipality)s already has a published pledge for %(start)s – %(end)s. "
                "Revise or supersede it instead of publishing one more."
            )
            % {
                "municipality": clash.municipality,
                "start": clash.valid_from,
                "end": clash.valid_to,
            },
            code="overlap",
        )


@transaction.atomic
def pledge_publish(*, pledge: Pledge) -> Pledge:
    """Publish a draft pledge; refuses one that overlaps a published pledge. Returns it."""
    if pledge.status != Pledge.State.DRAFT:
        raise ValidationError(_("Only a draft can be published."), code="not_draft")
    if not pledge.commitments.exists():
        raise ValidationError(_("A pledge needs at least one commitment."), code="empty")
    # Lock the municipality's pledges so two publications cannot both pass the check.
    list(Pledge.objects.select_for_update().filter(municipality_id=pledge.municipality_id))
    pledge.status = Pledge.State.PUBLISHED
    check_no_overlap(pledge)
    pledge.full_clean()
    pledge.save()
    return pledge
