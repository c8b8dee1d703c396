"""Writes for dialogues and the citizens' "Tyck till" submissions."""

import re
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Concern, Dialogue, Submission

# Things that look like personal data in a free-text message: e-mail addresses, Swedish
# personal identity numbers and phone numbers. Refused so that they are never stored.
PERSONAL_DATA = [
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),
    re.compile(r"\b(19|20)?\d{6}[-+ ]?\d{4}\b"),
    re.compile(r"(\+46|\b0)[\s-]?\d{1,3}([\s-]?\d{2,3}){2,4}\b"),
]


def looks_personal(text: str) -> bool:
    """True when the text seems to contain an e-mail address, a personnummer or a phone
    number."""
    return any(pattern.search(text) for pattern in PERSONAL_DATA)


@transaction.atomic
def submission_create(*, municipality, theme: str, place: str, message: str) -> Submission:
    """Store an anonymous citizen message for moderation. Returns it."""
    submission = Submission(municipality=municipality, theme=theme, place=place, message=message)
    submission.full_clean()
    submission.save()
    return submission


def submissions_dialogue(municipality, year):
    """The dialogue that collects a year's accepted "Tyck till" messages (unpublished until
    the coordinators publish it); created in the site's language when first needed."""
    start = date(year, 1, 1)
    dialogue = (
        Dialogue.objects.filter(
            municipality=municipality, format=Dialogue.Format.SUBMISSIONS, starts_on=start
        )
        .order_by("pk")
        .first()
    )
    if dialogue is None:
        with translation.override(settings.LANGUAGE_CODE):
            dialogue = Dialogue.objects.create(
                municipality=municipality,
                format=Dialogue.Format.SUBMISSIONS,
                starts_on=start,
                ends_on=date(year, 12, 31),
                title=_("Messages through Tyck till %(year)s") % {"year": year},
                target_group=_("Everyone"),
            )
    return dialogue


@transaction.atomic
def submission_accept(*, submission, user, concern=None, summary: str = "") -> Concern:
    """Accept a pending message into a concern: an existing one of the same municipality
    (raised once more), or a new one in the year's "Tyck till" dialogue, described in the
    coordinator's own words. Returns the concern."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status != Submission.Status.PENDING:
        raise ValidationError(_("The message has already been moderated."), code="moderated")
    if concern is not None:
        # Only concerns gathered from Tyck till messages grow: a focus group's figures
        # stay what was said there.
        if (
            concern.dialogue.municipality_id != submission.municipality_id
            or concern.dialogue.format != Dialogue.Format.SUBMISSIONS
        ):
            raise ValidationError(
                {"concern": _("Choose a concern from this municipality's Tyck till messages.")},
                code="elsewhere",
            )
        Concern.objects.filter(pk=concern.pk).update(times_raised=F("times_raised") + 1)
        concern.refresh_from_db()
    else:
        if not summary.strip():
            raise ValidationError(
                {"summary": _("Describe the concern in your own words.")}, code="required"
            )
        concern = Concern(
            dialogue=submissions_dialogue(submission.municipality, submission.created_at.year),
            theme=submission.theme,
            summary=summary,
            times_raised=1,
        )
        concern.full_clean()
        concern.save()
    submission.status = Submission.Status.ACCEPTED
    submission.concern = concern
    submission.moderated_by = user
    submission.moderated_at = timezone.now()
    submission.save()
    return concern


@transaction.atomic
def submission_reject(*, submission, user) -> Submission:
    """Reject a pending message; it is kept for the record but never used. Returns it."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status != Submission.Status.PENDING:
        raise ValidationError(_("The message has already been moderated."), code="moderated")
    submission.status = Submission.Status.REJECTED
    submission.moderated_by = user
    submission.moderated_at = timezone.now()
    submission.save()
    return submission
