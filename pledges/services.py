"""Writes that enforce rules across rows."""

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import (
    Activity,
    Commitment,
    FollowUp,
    Measurement,
    Membership,
    PeriodVerdict,
    Pledge,
)
from .roles import sync_role_groups


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


STALE_MESSAGE = gettext_lazy(
    "Someone else saved this activity while you were editing it. "
    "Reload the page to see their changes, then make yours again."
)


@transaction.atomic
def activity_save(
    *,
    user,
    values: dict,
    organisations,
    measurements: dict,
    activity: Activity | None = None,
    expected_version: int | None = None,
) -> Activity:
    """Create an activity, or update one unless someone saved it since ``expected_version``.

    ``values`` are model field values (commitment, status, date, site, ...);
    ``measurements`` maps a quantity to its value, or to None to remove it.
    Returns the saved activity; raises ValidationError and saves nothing on bad input.
    """
    if activity is None or activity.pk is None:
        activity = activity or Activity()
        activity.logged_by = user
    else:
        current = Activity.objects.select_for_update().get(pk=activity.pk)
        if current.version != expected_version:
            raise ValidationError(STALE_MESSAGE, code="stale")
        if current.status == Activity.Status.CANCELLED:
            raise ValidationError(_("A cancelled activity cannot be changed."), code="cancelled")
        activity.version = current.version + 1
    for field, value in values.items():
        setattr(activity, field, value)
    activity.full_clean()
    activity.save()
    activity.organisations.set(organisations)
    for quantity, value in measurements.items():
        if value is None:
            Measurement.objects.filter(activity=activity, quantity=quantity).delete()
        else:
            Measurement.objects.update_or_create(
                activity=activity, quantity=quantity, defaults={"value": value}
            )
    return activity


@transaction.atomic
def activity_cancel(*, activity: Activity, expected_version: int, reason: str = "") -> Activity:
    """Mark an activity cancelled; it stays in the history and never counts. Returns it."""
    current = Activity.objects.select_for_update().get(pk=activity.pk)
    if current.version != expected_version:
        raise ValidationError(STALE_MESSAGE, code="stale")
    if current.status == Activity.Status.CANCELLED:
        raise ValidationError(_("The activity is already cancelled."), code="cancelled")
    current.status = Activity.Status.CANCELLED
    current.version += 1
    if reason:
        note = _("Cancelled: %(reason)s") % {"reason": reason}
        current.internal_notes = f"{current.internal_notes}\n\n{note}".strip()
    current.full_clean()
    current.save()
    return current


STALE_TEXT_MESSAGE = gettext_lazy(
    "Someone else saved this text while you were writing. Reload the page to see theirs, "
    "then make your changes again."
)


def _save_period_text(model, *, commitment, period, values, user, loaded_at):
    """Create or update the text of a commitment for a period, unless someone else saved
    it since the form was loaded (``loaded_at``: its ``updated_at`` then, "" if new)."""
    row = (
        model.objects.select_for_update()
        .filter(commitment=commitment, period_start=period.start)
        .first()
    )
    if loaded_at is not None and (row.updated_at.isoformat() if row else "") != loaded_at:
        raise ValidationError(STALE_TEXT_MESSAGE, code="stale")
    row = row or model(commitment=commitment, period_start=period.start)
    row.period_end = period.end
    row.written_by = user
    for field, value in values.items():
        setattr(row, field, value)
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def follow_up_save(
    *, commitment, period, narrative: str, is_published: bool, user, loaded_at=None
) -> FollowUp:
    """Create or update the follow-up of a commitment for a reporting period; refuses a
    stale edit when ``loaded_at`` is given. Returns it."""
    return _save_period_text(
        FollowUp,
        commitment=commitment,
        period=period,
        values={"narrative": narrative, "is_published": is_published},
        user=user,
        loaded_at=loaded_at,
    )


@transaction.atomic
def verdict_save(
    *,
    commitment,
    period,
    justification: str,
    is_published: bool,
    user,
    done=None,
    loaded_at=None,
    today=None,
) -> PeriodVerdict:
    """Create or update the justification of an ended target period's verdict, noting the
    done count it was written against. Returns it."""
    today = today or timezone.localdate()
    if period.end >= today:
        raise ValidationError(
            _("A verdict can be justified only once the period has ended."), code="not_ended"
        )
    return _save_period_text(
        PeriodVerdict,
        commitment=commitment,
        period=period,
        values={
            "justification": justification,
            "is_published": is_published,
            "done_when_written": done,
        },
        user=user,
        loaded_at=loaded_at,
    )


@transaction.atomic
def commitment_assess(*, commitment: Commitment, status: str) -> Commitment:
    """Set the coordinators' status of a qualitative commitment. Returns it."""
    if not commitment.is_qualitative:
        raise ValidationError(
            _("Only a commitment without a numeric target is assessed by hand."),
            code="quantitative",
        )
    commitment.assessed_status = status
    commitment.full_clean()
    commitment.save(update_fields=["assessed_status"])
    return commitment


@transaction.atomic
def membership_grant(*, user, municipality, organisation, role) -> Membership:
    """Make the user a member of the municipality in a role, and put them in the role's
    group. A coordinator's organisation must be of their party. Returns the membership."""
    membership = Membership.objects.filter(user=user, municipality=municipality).first()
    membership = membership or Membership(user=user, municipality=municipality)
    membership.organisation = organisation
    membership.role = role
    membership.full_clean()
    membership.save()
    groups = sync_role_groups(Group, Permission)
    user.groups.add(groups[Membership.GROUPS[role]])
    return membership
