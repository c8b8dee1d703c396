"""Writes for dialogues and the citizens' "Tyck till" submissions."""

import re
from dataclasses import replace
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import ReminderState
from core.forms import STALE_ROW_MESSAGE
from places.models import Municipality
from pledges import services as pledge_services
from pledges.models import Pledge

from .models import AnswerKind, Concern, Dialogue, IndicatorValue, Submission
from .reminders import reminders_for


@transaction.atomic
def pledge_revise(*, pledge: Pledge, valid_from, valid_to, title: str = "") -> Pledge:
    """Revise a published pledge (pledges.services.pledge_revise), and let the focus areas
    each carried-on commitment answers answer its successor too: the reasons for a promise
    do not vanish when it is carried on. Returns the draft."""
    draft = pledge_services.pledge_revise(
        pledge=pledge, valid_from=valid_from, valid_to=valid_to, title=title
    )
    carried = draft.commitments.filter(previous__isnull=False)
    for successor in carried.select_related("previous").prefetch_related("previous__focus_areas"):
        successor.focus_areas.set(successor.previous.focus_areas.all())
    return draft


@transaction.atomic
def object_save(*, instance, save_m2m, loaded_at=None):
    """Validate and save a coordinator's dialogue, concern, action item, situational
    picture, focus area or indicator value, with its many-to-many relations
    (``save_m2m``). An edit is refused when someone else saved the row since the form was
    loaded (``loaded_at``, its ``updated_at`` then): checked under the row's lock, so of
    two simultaneous edits exactly one wins. Returns the instance."""
    if instance.pk is not None and loaded_at is not None:
        current = (
            type(instance)
            .objects.select_for_update()
            .filter(pk=instance.pk)
            .values_list("updated_at", flat=True)
            .first()
        )
        if current is None or current.isoformat() != loaded_at:
            raise ValidationError(STALE_ROW_MESSAGE, code="stale")
    instance.full_clean()
    instance.save()
    save_m2m()
    return instance


@transaction.atomic
def dialogue_record(*, dialogue, rows, deleted_rows, loaded_at=None) -> Dialogue:
    """Save a dialogue with its concerns and action items, as typed on one page, all or
    nothing: ``rows`` (new or changed concerns and action items) are saved to it,
    ``deleted_rows`` (its own concerns) deleted. Refused when someone else saved the
    dialogue since the form was loaded (``loaded_at``). Returns the dialogue."""
    object_save(instance=dialogue, save_m2m=lambda: None, loaded_at=loaded_at)
    for row in deleted_rows:
        if row.pk is not None and row.dialogue_id == dialogue.pk:
            row.delete()
    for row in rows:
        row.dialogue = dialogue
        row.full_clean()
        row.save()
    return dialogue


@transaction.atomic
def concern_answer(*, concern, user, kind: str, text: str, commitments, loaded_at=None) -> Concern:
    """Give a concern its public answer: ``kind`` (being done or not), ``text`` and, for
    what is being done, the public ``commitments`` of the dialogue's municipality that
    answer it (none when nothing is done). Stamped with who answered and when; refused
    when someone else saved the concern since the form was loaded (``loaded_at``).
    Returns the concern."""
    current = Concern.objects.select_for_update().select_related("dialogue").get(pk=concern.pk)
    if loaded_at is not None and current.updated_at.isoformat() != loaded_at:
        raise ValidationError(STALE_ROW_MESSAGE, code="stale")
    commitments = list(commitments)
    if kind == AnswerKind.NOT_DOING and commitments:
        raise ValidationError(
            {"answer_commitments": _("An answer that nothing is done names no promise.")},
            code="promises_not_doing",
        )
    for commitment in commitments:
        if (
            commitment.pledge.municipality_id != current.dialogue.municipality_id
            or commitment.pledge.status not in Pledge.PUBLIC_STATUSES
        ):
            raise ValidationError(
                {
                    "answer_commitments": _(
                        "Choose published promises of the dialogue's municipality."
                    )
                },
                code="elsewhere",
            )
    current.answer_kind = kind
    current.answer = text.strip()
    current.answered_at = timezone.now()
    current.answered_by = user
    current.full_clean()
    current.save()
    current.answer_commitments.set(commitments)
    return current


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


# The same message sent again within this time is the same message (a double click, a
# resend after a slow network), not one more voice.
RESENT_WITHIN = timedelta(hours=1)


@transaction.atomic
def submission_create(*, municipality, theme: str, place: str, message: str) -> Submission:
    """Store an anonymous citizen message for moderation, once: the identical message to
    the same municipality within the last hour is not stored again. Returns the message
    stored."""
    # Messages to one municipality are stored one at a time, so that two identical ones
    # sent at the same moment cannot both miss each other.
    Municipality.objects.select_for_update().filter(pk=municipality.pk).first()
    earlier = Submission.objects.filter(
        municipality=municipality,
        theme=theme,
        place=place,
        message=message,
        created_at__gte=timezone.now() - RESENT_WITHIN,
    ).first()
    if earlier is not None:
        return earlier
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
    _decide(submission, user=user)
    return concern


def _decide(submission, *, user):
    """Stamp a decision on a message and erase the writer's own words (text and place) in
    the same transaction, as the privacy page promises: only the theme, the date and the
    coordinator's summary remain."""
    submission.moderated_by = user
    submission.moderated_at = timezone.now()
    submission.message = ""
    submission.place = ""
    submission.save()


@transaction.atomic
def submission_reject(*, submission, user) -> Submission:
    """Reject a pending message: its theme and date are kept for the record, its text and
    place are erased. Returns it."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status != Submission.Status.PENDING:
        raise ValidationError(_("The message has already been moderated."), code="moderated")
    submission.status = Submission.Status.REJECTED
    _decide(submission, user=user)
    return submission


def reminder_digest_send(*, user, today: date) -> int:
    """E-mail ``user`` the digest of what needs them on ``today`` (``reminders_for``):
    counts and links only. Returns 1 when sent, 0 when there is nothing, the user has opted
    out, or they already had one today. The day is claimed by one conditional UPDATE
    before sending, so two runs at once (or one after the other) send it once; a failed
    send gives the day back."""
    items = reminders_for(user, today)
    if not items or not user.email:
        return 0
    state, _created = ReminderState.objects.get_or_create(user=user)
    previous = state.last_sent_on
    claimed = (
        ReminderState.objects.filter(pk=state.pk, opted_out=False)
        .filter(Q(last_sent_on__isnull=True) | Q(last_sent_on__lt=today))
        .update(last_sent_on=today)
    )
    if not claimed:
        return 0
    context = {
        "user": user,
        "items": [replace(item, link=settings.SITE_URL.rstrip("/") + item.link) for item in items],
        "settings_url": settings.SITE_URL.rstrip("/") + reverse("reminder_settings"),
    }
    try:
        send_mail(
            subject=ngettext(
                "Medborgarlöften: %(count)d thing needs you",
                "Medborgarlöften: %(count)d things need you",
                len(items),
            )
            % {"count": len(items)},
            message=render_to_string("dialogues/email/reminders.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )
    except Exception:
        ReminderState.objects.filter(pk=state.pk).update(last_sent_on=previous)
        raise
    return 1


@transaction.atomic
def submission_retheme(*, submission, theme: str) -> Submission:
    """Give a message the theme it is really about (the writer's choice is a guess).
    Returns the message."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    submission.theme = theme
    # Only the theme is validated: a decided message's text is erased on purpose.
    submission.full_clean(exclude=["message", "place"])
    submission.save(update_fields=["theme"])
    return submission


@transaction.atomic
def indicator_value_correct(*, value: IndicatorValue, new_value, loaded_value) -> IndicatorValue:
    """Correct a year's value of an indicator; the history keeps the earlier value and
    who changed it. Refused when someone else changed the value since the form was loaded
    (``loaded_value``). Returns the value."""
    current = (
        IndicatorValue.objects.select_for_update().select_related("indicator").get(pk=value.pk)
    )
    if loaded_value is not None and current.value != loaded_value:
        raise ValidationError(STALE_ROW_MESSAGE, code="stale")
    current.value = new_value
    current.full_clean()
    current.save()
    return current
