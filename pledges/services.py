"""Writes that enforce rules across rows."""

import contextlib
import dataclasses
from contextvars import ContextVar
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import FormToken
from accounts.permissions import membership_in
from places.models import Municipality, Organisation, Site, site_name_key

from .models import (
    Activity,
    Amendment,
    Commitment,
    DroppedCommitment,
    FocusTag,
    FollowUp,
    Measurement,
    PeriodVerdict,
    Pledge,
    ProgressCount,
    Quantity,
)
from .progress import TargetKind, TargetPeriod, containing, target_in_force
from .selectors import counted_progress


@dataclasses.dataclass
class _Recounts:
    """What the writes of a block asked to recount: (commitment id, day) pairs, and
    commitments to recount whole."""

    days: set = dataclasses.field(default_factory=set)
    commitments: set = dataclasses.field(default_factory=set)


_deferred: ContextVar[_Recounts | None] = ContextVar("deferred_progress_recounts", default=None)


@contextlib.contextmanager
def progress_counts_deferred():
    """Within the block, the recounts that writes ask for (``progress_counts_touch``) wait
    and then run once each, at its end: a service that saves an activity and its
    measurements recounts the periods once. Use it inside the transaction of the writes."""
    if _deferred.get() is not None:
        yield
        return
    token = _deferred.set(_Recounts())
    try:
        yield
        recounts = _deferred.get()
    finally:
        _deferred.reset(token)
    progress_counts_refresh(days=recounts.days, commitments=recounts.commitments)


def progress_counts_touch(*, days=(), commitments=()):
    """Recount the done counts of the target periods holding ``days`` ((commitment id,
    date) pairs) and of the whole of ``commitments`` (ids): now, or at the end of the
    enclosing ``progress_counts_deferred`` block."""
    recounts = _deferred.get()
    if recounts is None:
        progress_counts_refresh(days=days, commitments=commitments)
    else:
        recounts.days.update(days)
        recounts.commitments.update(commitments)


@transaction.atomic
def progress_counts_refresh(*, days=(), commitments=()):
    """Make ``ProgressCount`` equal a recount from the done activities, for the target
    periods holding ``days`` ((commitment id, date) pairs) and for the whole of
    ``commitments`` (ids): the rows of those periods are deleted and counted again, so the
    table cannot drift, however often this runs. The commitments' rows are locked first:
    two writers of the same commitment recount one after the other, the second seeing
    what the first committed. Returns the number of rows written."""
    whole = set(commitments)
    ids = whole | {commitment_id for commitment_id, _day in days}
    if not ids:
        return 0
    # FOR NO KEY UPDATE: it does not wait for writers that only insert activities of the
    # commitment (they hold a key-share lock on it), only for other recounts.
    locked = Commitment.objects.select_related("pledge").filter(pk__in=ids).order_by("pk")
    if connection.features.has_select_for_update:
        locked = locked.select_for_update(
            of=("self",), no_key=connection.features.has_select_for_no_key_update
        )
    by_id = {commitment.pk: commitment for commitment in locked}
    periods = {}
    for commitment_id, day in days:
        if commitment_id in whole or commitment_id not in by_id:
            continue
        cut = by_id[commitment_id].counting_periods(day)
        period = containing(cut, day)
        if period is None:
            continue
        if by_id[commitment_id].pledge.valid_to is None and period == cut[-1]:
            # Until further notice, the last period (a target over the whole validity)
            # ends only where the cut does: count it whole.
            whole.add(commitment_id)
            continue
        periods.setdefault(commitment_id, set()).add(period)
    stale = Q(commitment_id__in=[pk for pk in whole if pk in by_id])
    for commitment_id, spans in periods.items():
        stale |= Q(commitment_id=commitment_id, period_start__in=[p.start for p in spans])
    ProgressCount.objects.filter(stale).delete()
    counts = counted_progress([by_id[pk] for pk in whole if pk in by_id])
    counts |= counted_progress([by_id[pk] for pk in periods], periods=periods)
    ProgressCount.objects.bulk_create(
        ProgressCount(
            commitment_id=commitment_id,
            period_start=period_start,
            site_id=site_id,
            done=done,
            quantity=quantity,
        )
        for (commitment_id, period_start, site_id), (done, quantity) in counts.items()
    )
    return len(counts)


def overlapping_published(pledge):
    """Other published pledges of the same municipality whose validity overlaps ``pledge``;
    the pledge it revises does not count, since publishing supersedes it."""
    return (
        Pledge.objects.filter(municipality_id=pledge.municipality_id, status=Pledge.State.PUBLISHED)
        .in_force_during(pledge.valid_from, pledge.valid_to)
        .exclude(pk__in=[pledge.pk, pledge.revises_id])
    )


OVERLAP_MESSAGE = gettext_lazy(
    "Another published pledge of the municipality is in force during this period. "
    "Revise or supersede it instead of publishing one more."
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
                "end": clash.valid_to or _("until further notice"),
            },
            code="overlap",
        )


def check_lineage(pledge):
    """Raise ValidationError unless every commitment of the revised pledge is carried on
    or dropped with a reason, and every revised commitment says what changed."""
    if pledge.revises_id is None:
        return
    carried = set(pledge.commitments.exclude(previous=None).values_list("previous_id", flat=True))
    dropped = set(pledge.dropped.values_list("commitment_id", flat=True))
    missing = [
        c.position
        for c in pledge.revises.commitments.all()
        if c.pk not in carried and c.pk not in dropped
    ]
    errors = []
    if missing:
        errors.append(
            ValidationError(
                _(
                    "Commitments %(positions)s of the previous pledge are neither carried on "
                    "nor dropped with a reason."
                )
                % {"positions": ", ".join(str(p) for p in missing)},
                code="lineage",
            )
        )
    both = [
        d.commitment.position
        for d in pledge.dropped.select_related("commitment")
        if d.commitment_id in carried
    ]
    if both:
        errors.append(
            ValidationError(
                _("Commitments %(positions)s are both carried on and dropped.")
                % {"positions": ", ".join(str(p) for p in both)},
                code="carried_and_dropped",
            )
        )
    # A commitment whose promise differs from its predecessor's is revised, not continued.
    compared = [f for f in Commitment.PROMISED_FIELDS if f != "position"]
    altered = [
        c.position
        for c in pledge.commitments.filter(change=Commitment.Change.CONTINUED).select_related(
            "previous"
        )
        if c.previous and c.previous.promise(compared) != c.promise(compared)
    ]
    if altered:
        errors.append(
            ValidationError(
                _(
                    "Commitments %(positions)s differ from the ones they continue: mark them "
                    "revised and say what changed."
                )
                % {"positions": ", ".join(str(p) for p in altered)},
                code="continued_but_changed",
            )
        )
    unexplained = pledge.commitments.filter(
        change=Commitment.Change.REVISED, change_note=""
    ).values_list("position", flat=True)
    if unexplained:
        errors.append(
            ValidationError(
                _("Say what changed in revised commitments %(positions)s.")
                % {"positions": ", ".join(str(p) for p in unexplained)},
                code="revision_note",
            )
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def pledge_publish(*, pledge: Pledge) -> Pledge:
    """Publish a draft pledge, which becomes the municipality's pledge from its valid_from;
    the pledge it revises becomes superseded and stays public as history. Refuses a pledge
    that overlaps another published one, or whose lineage is incomplete. Returns it."""
    # Lock the municipality so two publications cannot both pass the overlap check.
    Municipality.objects.select_for_update().get(pk=pledge.municipality_id)
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    if pledge.status != Pledge.State.DRAFT:
        raise ValidationError(_("Only a draft can be published."), code="not_draft")
    if not pledge.commitments.exists():
        raise ValidationError(_("A pledge needs at least one commitment."), code="empty")
    check_no_overlap(pledge)
    check_lineage(pledge)
    # The predecessor steps aside first: on PostgreSQL an exclusion constraint refuses two
    # overlapping published pledges even for a moment.
    if pledge.revises_id:
        predecessor = Pledge.objects.select_for_update().get(pk=pledge.revises_id)
        if predecessor.status == Pledge.State.PUBLISHED:
            predecessor.status = Pledge.State.SUPERSEDED
            if predecessor.valid_to is None and predecessor.valid_from < pledge.valid_from:
                # Valid "until a new pledge is signed": that day has come. Activities
                # already logged after it would then count nowhere.
                stranded = Activity.objects.filter(
                    commitment__pledge=predecessor, date__gte=pledge.valid_from
                ).exclude(status=Activity.Status.CANCELLED)
                if stranded.exists():
                    raise ValidationError(
                        _(
                            "The previous pledge has activities from %(day)s on; let the new "
                            "pledge start after them."
                        )
                        % {"day": pledge.valid_from},
                        code="stranded_activities",
                    )
                predecessor.valid_to = pledge.valid_from - timedelta(days=1)
            predecessor.save(update_fields=["status", "valid_to", "updated_at"])
    pledge.status = Pledge.State.PUBLISHED
    pledge.full_clean()
    try:
        with transaction.atomic():
            pledge.save()
    except IntegrityError:
        raise ValidationError(OVERLAP_MESSAGE, code="overlap") from None
    return pledge


def default_title(year):
    """A new pledge's title, in the site's language whatever the admin's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Citizen pledge %(year)s") % {"year": year}


@transaction.atomic
def pledge_revise(*, pledge: Pledge, valid_from, valid_to, title: str = "") -> Pledge:
    """Create a draft successor of a published pledge for a new validity, carrying every
    commitment on (marked continued, linked to its predecessor) in one transaction.
    Returns the draft. Callers above the dialogues app use dialogues.services.pledge_revise,
    which also carries over the focus areas the commitments answer."""
    if pledge.status != Pledge.State.PUBLISHED:
        raise ValidationError(_("Only a published pledge can be revised."), code="not_published")
    if pledge.revisions.exists():
        raise ValidationError(
            _("This pledge already has a successor; edit that one."), code="already_revised"
        )
    draft = Pledge(
        municipality_id=pledge.municipality_id,
        title=title or default_title(valid_from.year),
        valid_from=valid_from,
        valid_to=valid_to,
        background=pledge.background,
        expected_effects=pledge.expected_effects,
        follow_up_cadence=pledge.follow_up_cadence,
        revises=pledge,
        status=Pledge.State.DRAFT,
    )
    draft.full_clean()
    draft.save()
    for old in pledge.commitments.prefetch_related(
        "external_parties", "focus_tags", "target_sites"
    ):
        new = Commitment(
            pledge=draft,
            previous=old,
            change=Commitment.Change.CONTINUED,
            **old.promise(),
        )
        new.full_clean()
        new.save()
        new.external_parties.set(old.external_parties.all())
        new.focus_tags.set(old.focus_tags.all())
        new.target_sites.set(old.target_sites.all())
    return draft


@transaction.atomic
def amendment_create(*, commitment, effective_from, new_value: int, reason: str, user):
    """Change a commitment's target from a day on, keeping the old value (the target in
    force that day), the reason, who and when. Returns the amendment."""
    old_value = 0
    if commitment.target_value is not None:
        old_value = target_in_force(
            commitment.target_value,
            [(a.effective_from, a.new_value) for a in commitment.amendments.all()],
            effective_from,
        )
    amendment = Amendment(
        commitment=commitment,
        effective_from=effective_from,
        old_value=old_value,
        new_value=new_value,
        reason=reason,
        created_by=user,
    )
    amendment.full_clean()
    amendment.save()
    return amendment


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
    ``measurements`` maps a measured quantity's code to its value, or to None to remove
    it; a value is refused for a quantity the commitment's activity type does not offer
    (unless the activity already has one). Returns the saved activity; raises
    ValidationError and saves nothing on bad input. The done counts of the periods it
    leaves and enters are recounted once, at the end.
    """
    with progress_counts_deferred():
        return _activity_save(
            user=user,
            values=values,
            organisations=organisations,
            measurements=measurements,
            activity=activity,
            expected_version=expected_version,
        )


def _activity_save(*, user, values, organisations, measurements, activity, expected_version):
    if activity is None or activity.pk is None:
        activity = activity or Activity()
        activity.logged_by = user
        commitment = values.get("commitment")
        membership = (
            user is not None
            and commitment is not None
            and membership_in(user, commitment.pledge.municipality_id)
        )
        activity.logged_for = membership.organisation if membership else None
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
    _check_measured(activity, measurements)
    with activity.one_history_record("~" if activity.pk else "+"):
        activity.save()
        activity.organisations.set(organisations)
        _write_measured(activity, measurements)
    return activity


def _write_measured(activity, measurements):
    """Write the measured values that changed: add, change or remove (None) each."""
    stored = {m.quantity_id: m for m in Measurement.objects.filter(activity=activity)}
    for quantity, value in measurements.items():
        measurement = stored.get(quantity)
        if value is None:
            if measurement is not None:
                measurement.delete()
        elif measurement is None:
            Measurement.objects.create(activity=activity, quantity_id=quantity, value=value)
        elif measurement.value != value:
            measurement.value = value
            measurement.save(update_fields=["value"])


def _check_measured(activity, measurements):
    """Refuse a value for a measured quantity that the activity's commitment does not
    offer (``Commitment.measurable_quantities``) and the activity does not have yet."""
    given = {code for code, value in measurements.items() if value is not None}
    if not given:
        return
    commitment = activity.commitment
    allowed = set(commitment.measurable_quantities().values_list("code", flat=True))
    if activity.pk:
        allowed |= set(activity.measurements.values_list("quantity", flat=True))
    refused = given - allowed
    if refused:
        names = {
            code: str(q) for code, q in Quantity.objects.in_bulk(refused, field_name="code").items()
        }
        raise ValidationError(
            _("Activities of the type “%(type)s” do not measure: %(quantities)s.")
            % {
                "type": commitment.activity_type,
                "quantities": ", ".join(sorted(names.get(code, code) for code in refused)),
            },
            code="quantity_not_of_type",
        )


@transaction.atomic
def activities_mark_done(*, user, activities) -> list[Activity]:
    """Mark planned ``activities`` done as they are (date, place, figures), each through
    ``activity_save`` so that its history and the done counts follow; all or none.
    Returns them saved."""
    with progress_counts_deferred():
        return [
            _activity_save(
                user=user,
                values={"status": Activity.Status.DONE},
                organisations=list(activity.organisations.all()),
                measurements={},
                activity=activity,
                expected_version=activity.version,
            )
            for activity in activities
        ]


@transaction.atomic
def activities_import(*, user, rows) -> list[Activity]:
    """Create or update the activities of an import, all or none: each row a dict of
    ``activity`` (None for a new one), ``values``, ``organisations``, ``measurements``
    and ``expected_version``, saved by the rules, history and versions of
    ``activity_save``; the done counts are recounted once, at the end. Returns the saved
    activities; raises ValidationError and saves nothing when one row is refused."""
    with progress_counts_deferred():
        return [_activity_save(user=user, **row) for row in rows]


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
        # The history entry of the cancellation says why (django-simple-history keeps
        # at most 100 characters; the notes keep it whole).
        current._change_reason = Truncator(reason).chars(100)
    current.full_clean()
    current.save()
    return current


# A row (a dialogue, a concern, a pledge in the admin...) saved by someone else meanwhile.
STALE_TEXT_MESSAGE = gettext_lazy(
    "Someone else saved this text while you were writing. Reload the page to see theirs, "
    "then make your changes again."
)


def _save_period_text(model, *, commitment, period, values, user, loaded_at):
    """Create or update the text of a commitment for a period, unless someone else saved
    it since the form was loaded (``loaded_at``: its ``updated_at`` then, "" if new)."""
    # The commitment's row lock makes two writers of the same period take turns, also
    # when neither finds a text yet (else both would insert one).
    Commitment.objects.select_for_update().filter(pk=commitment.pk).first()
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


@dataclasses.dataclass(frozen=True)
class PeriodText:
    """One text of a follow-up page to save: a commitment's follow-up of a reporting
    period, or (with ``done``, the verdict's done count) the justification of an ended
    target period's verdict. ``key`` names it in the errors."""

    key: str
    commitment: Commitment
    period: object
    text: str
    is_published: bool
    loaded_at: str
    is_verdict: bool = False
    done: int | None = None


@transaction.atomic
def period_texts_save(*, texts, user, today) -> list:
    """Save follow-ups and verdict justifications together (``texts``: ``PeriodText``s),
    all or none: when one is refused (a bad text, a verdict of a running period, one saved
    by someone else since ``loaded_at``), nothing is saved and the ValidationError says,
    by each refused text's key, why. Returns the saved FollowUps and PeriodVerdicts."""
    saved = []
    errors = {}
    for text in texts:
        common = {
            "commitment": text.commitment,
            "period": text.period,
            "is_published": text.is_published,
            "user": user,
            "loaded_at": text.loaded_at,
        }
        try:
            if text.is_verdict:
                saved.append(
                    verdict_save(justification=text.text, done=text.done, today=today, **common)
                )
            else:
                saved.append(follow_up_save(narrative=text.text, **common))
        except ValidationError as error:
            # A model's errors by field are all the text's: its one field.
            errors[text.key] = (
                [e for field in error.error_dict.values() for e in field]
                if hasattr(error, "error_dict")
                else error.error_list
            )
    if errors:
        # Raised out of the transaction: what was saved before the refusal is undone.
        raise ValidationError(errors)
    return saved


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


ALREADY_SENT_MESSAGE = gettext_lazy("This form has already been sent. Reload the page.")
SENT_TWICE_MESSAGE = gettext_lazy("The form was sent twice; it has been saved once.")

# How long a sent form's token is kept: longer than anyone waits to press "send" again.
FORM_TOKEN_LIFETIME = timedelta(days=2)


@transaction.atomic
def create_once(*, token, user, create, url_of) -> tuple[str, bool]:
    """Run ``create()``, a write that raises ValidationError on bad input, once per form
    token: the same form posted again (a double click, a resend after a slow network)
    makes nothing new. Returns the address of what the first post made (``url_of`` its
    result) and whether this post made it. Without a token, simply creates."""
    if token is None:
        return url_of(create()), True
    user = user if user is not None and user.is_authenticated else None
    FormToken.objects.filter(created_at__lt=timezone.now() - FORM_TOKEN_LIFETIME).delete()
    try:
        # Claimed first: a concurrent post of the same token waits here for this one to
        # commit or roll back, then finds its address.
        with transaction.atomic():
            FormToken.objects.create(token=token, user=user, url="")
    except IntegrityError:
        first = FormToken.objects.filter(token=token, user=user).exclude(url="").first()
        if first is None:
            raise ValidationError(ALREADY_SENT_MESSAGE, code="already_sent") from None
        return first.url, False
    url = url_of(create())
    FormToken.objects.filter(token=token).update(url=url)
    return url, True


class ProposalError(ValidationError):
    """A proposal of ``commitments_add_from_text`` the model refused; ``index`` says which."""

    def __init__(self, error, index):
        super().__init__(error.error_dict if hasattr(error, "error_dict") else error.messages)
        self.index = index


@transaction.atomic
def commitments_add_from_text(*, pledge: Pledge, proposals_cleaned, user) -> list[Commitment]:
    """Add the corrected proposals of a pasted text to a draft, after its commitments, as
    new ones: all of them or, when one is refused (ProposalError, with its index), none.
    Each proposal is a ProposalForm's cleaned data; external parties and a place named
    but not registered are registered in the pledge's municipality. Returns the new
    commitments in order."""
    pledge = Pledge.objects.select_for_update().select_related("municipality").get(pk=pledge.pk)
    if pledge.status != Pledge.State.DRAFT:
        raise ValidationError(
            _("Promises are added to a draft only: revise the published pledge."),
            code="not_draft",
        )
    municipality = pledge.municipality
    last = pledge.commitments.order_by("-position").values_list("position", flat=True).first()
    position = last or 0
    created = []
    for index, data in enumerate(proposals_cleaned):
        if not data.get("include"):
            continue
        position += 1
        try:
            created.append(_commitment_from_proposal(pledge, municipality, position, data))
        except ValidationError as error:
            raise ProposalError(error, index) from error
    return created


def _commitment_from_proposal(pledge, municipality, position, data):
    kind = data["target_kind"]
    commitment = Commitment(
        pledge=pledge,
        position=position,
        text=data["text"],
        responsible=data["responsible"],
        activity_type_id=data["activity_type"],
        target_kind=kind,
        target_value=None if kind == TargetKind.QUALITATIVE else data.get("target_value"),
        target_period=data.get("target_period") or TargetPeriod.YEAR,
        quantity_id=data.get("quantity") or None,
        school_year_only=bool(data.get("school_year_only")),
        change=Commitment.Change.NEW,
    )
    commitment.full_clean()
    commitment.save()
    externals = list(
        Organisation.objects.filter(
            Q(municipality=municipality) | Q(municipality__isnull=True),
            kind=Organisation.Kind.EXTERNAL,
            pk__in=data.get("external_parties") or [],
        )
    )
    for name in data.get("new_external_parties") or []:
        organisation = Organisation.objects.filter(
            name__iexact=name, kind=Organisation.Kind.EXTERNAL
        ).first()
        if organisation is None:
            organisation = Organisation(
                name=name, kind=Organisation.Kind.EXTERNAL, municipality=municipality
            )
            organisation.full_clean()
            organisation.save()
        externals.append(organisation)
    commitment.external_parties.set(externals)
    commitment.focus_tags.set(
        [FocusTag.objects.get_or_create(name=name)[0] for name in data.get("focus_tags") or []]
    )
    site = None
    if data.get("site"):
        site = Site.objects.filter(municipality=municipality, pk=data["site"]).first()
    elif (data.get("new_site") or "").strip():
        name = " ".join(data["new_site"].split())
        site = Site.objects.filter(municipality=municipality, name_key=site_name_key(name)).first()
        if site is None:
            site = Site(municipality=municipality, name=name)
            try:
                site.full_clean()
            except ValidationError as error:
                raise ValidationError({"new_site": error.messages}, code="bad_site") from error
            site.save()
    if site is not None:
        commitment.target_sites.set([site])
    return commitment


# The guided revision (pledges.revision_views): a draft is built step by step, each step
# saved as it goes and refused at its own fields.

NOT_DRAFT_MESSAGE = gettext_lazy("This pledge has been published; it can no longer be changed.")


STALE_DRAFT_MESSAGE = gettext_lazy(
    "Someone else saved this step while you were editing it. What you typed is kept; "
    "check it against the page as it is now and save again."
)


def _locked_draft(pledge, loaded_at=None):
    """The draft, locked for the step's write; refuses a pledge published meanwhile, and
    one saved by someone else since ``loaded_at`` (its ``updated_at`` when the step's
    form was loaded), when given."""
    current = Pledge.objects.select_for_update().get(pk=pledge.pk)
    if current.status != Pledge.State.DRAFT:
        raise ValidationError(NOT_DRAFT_MESSAGE, code="not_draft")
    if loaded_at is not None and current.updated_at.isoformat() != loaded_at:
        raise ValidationError(STALE_DRAFT_MESSAGE, code="stale")
    return current


def _step_done(pledge, step):
    if step not in pledge.revision_steps:
        pledge.revision_steps = [*pledge.revision_steps, step]
        pledge.save(update_fields=["revision_steps", "updated_at"])


@transaction.atomic
def pledge_start(*, municipality, valid_from, valid_to, title: str = "") -> Pledge:
    """Create the empty draft of a municipality's first pledge. Refused when it already
    has a public pledge (revise that one). Returns the draft."""
    if Pledge.objects.public().filter(municipality=municipality).exists():
        raise ValidationError(
            _("The municipality already has a published pledge: revise it instead."),
            code="has_pledge",
        )
    draft = Pledge(
        municipality=municipality,
        title=title or default_title(valid_from.year),
        valid_from=valid_from,
        valid_to=valid_to,
        status=Pledge.State.DRAFT,
    )
    draft.full_clean()
    draft.save()
    return draft


@transaction.atomic
def revision_period_save(
    *, pledge: Pledge, title: str, valid_from, valid_to, loaded_at=None
) -> Pledge:
    """Set a draft's title and validity; refused at the field when the period overlaps
    another published pledge of the municipality or does not follow the pledge it
    revises, and refused when the draft was saved since ``loaded_at``. Returns it."""
    pledge = _locked_draft(pledge, loaded_at)
    pledge.title, pledge.valid_from, pledge.valid_to = title, valid_from, valid_to
    pledge.full_clean()
    try:
        check_no_overlap(pledge)
    except ValidationError as error:
        raise ValidationError({"valid_from": error.error_list}) from None
    pledge.save()
    _step_done(pledge, "period")
    return pledge


def promise_step(previous):
    """The key of the step that decides the fate of ``previous`` (a commitment of the
    revised pledge) in ``Pledge.revision_steps``."""
    return f"promise-{previous.pk}"


def _free_position(pledge, wanted=None):
    taken = set(pledge.commitments.values_list("position", flat=True))
    if wanted is not None and wanted not in taken:
        return wanted
    return max(taken, default=0) + 1


def _save_commitment(commitment, values, m2m):
    for name, value in values.items():
        setattr(commitment, name, value)
    commitment.full_clean()
    commitment.save()
    for name, value in m2m.items():
        getattr(commitment, name).set(value)
    return commitment


class Decision:
    CONTINUE = "continue"
    REVISE = "revise"
    DROP = "drop"


@transaction.atomic
def revision_decide(
    *,
    pledge: Pledge,
    previous: Commitment,
    decision: str,
    values=None,
    m2m=None,
    change_note: str = "",
    reason: str = "",
) -> Commitment | DroppedCommitment:
    """Decide what becomes of ``previous``, a commitment of the pledge the draft revises:
    continue it unchanged (its promise as before), revise it (``values`` and ``m2m``: the
    new promise; ``change_note``, what changed, is required) or drop it (``reason``, shown
    publicly, is required). A decision replaces the one made before. Returns the draft's
    commitment, or the DroppedCommitment."""
    pledge = _locked_draft(pledge)
    if previous.pledge_id != pledge.revises_id or pledge.revises_id is None:
        raise ValidationError(_("This promise is not one of the revised pledge."), code="foreign")
    carried = pledge.commitments.filter(previous=previous).first()
    dropped = pledge.dropped.filter(commitment=previous).first()
    if decision == Decision.DROP:
        if not reason.strip():
            raise ValidationError(
                {"reason": _("Say why the promise is dropped: the reason is shown publicly.")},
                code="reason_required",
            )
        if carried is not None:
            carried.delete()
        result = dropped or DroppedCommitment(pledge=pledge, commitment=previous)
        result.reason = reason.strip()
        result.full_clean()
        result.save()
    elif decision in (Decision.CONTINUE, Decision.REVISE):
        if decision == Decision.REVISE and not change_note.strip():
            raise ValidationError(
                {"change_note": _("Say what changed: it is shown publicly next to the promise.")},
                code="revision_note",
            )
        if dropped is not None:
            dropped.delete()
        result = carried or Commitment(
            pledge=pledge, previous=previous, position=_free_position(pledge, previous.position)
        )
        if decision == Decision.CONTINUE:
            promise = previous.promise([f for f in Commitment.PROMISED_FIELDS if f != "position"])
            values = {**promise, "short_title": previous.short_title}
            m2m = {
                name: list(getattr(previous, name).all())
                for name in ("external_parties", "focus_tags", "target_sites")
            }
            change, note = Commitment.Change.CONTINUED, ""
        else:
            change, note = Commitment.Change.REVISED, change_note.strip()
        result = _save_commitment(
            result, {**(values or {}), "change": change, "change_note": note}, m2m or {}
        )
    else:
        raise ValidationError(_("Choose what becomes of the promise."), code="decision")
    _step_done(pledge, promise_step(previous))
    return result


@transaction.atomic
def revision_commitment_save(
    *, pledge: Pledge, values, m2m, commitment: Commitment | None = None
) -> Commitment:
    """Add a new promise to a draft (at the end), or change one added before. Returns it."""
    pledge = _locked_draft(pledge)
    if commitment is None:
        commitment = Commitment(pledge=pledge, position=_free_position(pledge))
    elif commitment.pledge_id != pledge.pk or commitment.change != Commitment.Change.NEW:
        raise ValidationError(_("Only a new promise of the draft is edited here."), code="foreign")
    return _save_commitment(commitment, {**values, "change": Commitment.Change.NEW}, m2m)


@transaction.atomic
def revision_commitment_remove(*, pledge: Pledge, commitment: Commitment) -> None:
    """Remove a new promise from a draft."""
    pledge = _locked_draft(pledge)
    if commitment.pledge_id != pledge.pk or commitment.change != Commitment.Change.NEW:
        raise ValidationError(_("Only a new promise of the draft is removed here."), code="foreign")
    commitment.delete()


@transaction.atomic
def revision_step_complete(*, pledge: Pledge, step: str) -> Pledge:
    """Mark a step of the guided revision done (the new promises, once all are added)."""
    pledge = _locked_draft(pledge)
    _step_done(pledge, step)
    return pledge


@transaction.atomic
def revision_signing_save(*, pledge: Pledge, signatories: str, signed_on, loaded_at=None) -> Pledge:
    """Set who signed the draft and when, unless the draft was saved since ``loaded_at``.
    Returns it."""
    pledge = _locked_draft(pledge, loaded_at)
    pledge.signatories, pledge.signed_on = signatories, signed_on
    pledge.full_clean()
    pledge.save()
    _step_done(pledge, "signing")
    return pledge
