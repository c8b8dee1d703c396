"""Reads that combine the database's counts with the rules in ``pledges.progress``.

The counts for any number of commitments come from one grouped query
(``Activity.objects.daily_totals(on=today)``); the rules then run in Python over those rows.
"""

from collections import defaultdict
from datetime import date

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from . import progress
from .models import Activity, Commitment, FollowUp, PeriodVerdict
from .progress import TargetKind


def _done_in(rows, period, kind):
    """Done count (or measured sum) of the rows inside ``period``, and per site."""
    total = 0
    per_site = defaultdict(int)
    for row in rows:
        if row["date"] in period:
            amount = (row["quantity"] or 0) if kind == TargetKind.QUANTITY else row["n"]
            total += amount
            per_site[row["site_id"]] += amount
    return total, per_site


def _assess_period(commitment, rows, period, today):
    kind = commitment.target_kind
    total, per_site = _done_in(rows, period, kind)
    target_value = commitment.target_value
    if target_value is not None:
        target_value = progress.target_in_force(
            target_value,
            [(a.effective_from, a.new_value) for a in commitment.amendments.all()],
            min(today, period.end),
        )
    common = {
        "period": period,
        "on": today,
        "school_year": commitment.school_year_only,
        "assessed_status": commitment.assessed_status,
    }
    if kind == TargetKind.QUALITATIVE:
        return progress.assess(done=total, target=None, **common)
    if commitment.is_per_site:
        sites = list(commitment.target_sites.all())
        if not sites:
            return progress.assess(done=total, target=None, **common)
        per_target = target_value
        site_rows = [
            progress.SiteProgress(site.name, per_site.get(site.pk, 0), per_target) for site in sites
        ]
        done = progress.capped_total({s.name: s.done for s in site_rows}, per_target)
        return progress.assess(done=done, target=per_target * len(sites), sites=site_rows, **common)
    return progress.assess(done=total, target=target_value, **common)


def attach_progress(commitments, *, year=None, today=None):
    """Set ``progress`` (the period that matters on the reference day) and
    ``period_history`` (every period of the year up to that day) on each commitment.

    The reference day is today, or the last day of ``year`` when that year is over; a done
    activity dated after today never counts. Commitments need ``pledge`` loaded and
    ``target_sites`` prefetched; costs two queries (their amendments, the done counts).
    """
    commitments = list(commitments)
    prefetch_related_objects(commitments, "amendments")
    today = today or timezone.localdate()
    reference = min(today, date(year, 12, 31)) if year else today
    periods_by_commitment = {}
    for commitment in commitments:
        pledge = commitment.pledge
        periods = progress.target_periods(
            pledge.valid_from,
            pledge.end,
            commitment.target_period,
            school_year=commitment.school_year_only,
        )
        if year:
            periods = [p for p in periods if p.start.year <= year <= p.end.year] or periods
        periods_by_commitment[commitment.pk] = periods
    if not commitments:
        return commitments

    all_periods = [p for periods in periods_by_commitment.values() for p in periods]
    rows_by_commitment = defaultdict(list)
    totals = Activity.objects.filter(
        commitment__in=[c.pk for c in commitments],
        date__gte=min(p.start for p in all_periods),
        date__lte=max(p.end for p in all_periods),
    ).daily_totals(on=today)
    for row in totals:
        rows_by_commitment[row["commitment_id"]].append(row)

    for commitment in commitments:
        periods = periods_by_commitment[commitment.pk]
        rows = rows_by_commitment[commitment.pk]
        headline = progress.period_for(periods, reference)
        commitment.progress = _assess_period(commitment, rows, headline, today)
        commitment.period_history = []
        if len(periods) > 1:
            commitment.period_history = [
                _assess_period(commitment, rows, period, today)
                for period in periods
                if period.start <= reference
            ]
        # For a pledge over several periods: how many of them were carried out.
        commitment.periods_met = sum(
            1
            for p in commitment.period_history
            if p.status in (progress.Status.DONE, progress.Status.FULFILLED)
        )
    return commitments


def overall_completion(commitments):
    """Mean completion of the quantitative commitments (``attach_progress`` first)."""
    return progress.overall(c.progress.completion for c in commitments)


def pledges_with_progress(pledges, *, year=None, today=None, prefetch=()):
    """Set ``commitment_list`` and ``overall`` on each pledge; costs four queries
    (commitments, their target sites, amendments, the done counts) plus one per extra
    ``prefetch``,
    whatever the number of pledges, commitments and activities."""
    pledges = list(pledges)
    if not pledges:
        return pledges
    commitments = attach_progress(
        Commitment.objects.filter(pledge__in=pledges)
        .select_related("pledge")
        .prefetch_related("target_sites", *prefetch),
        year=year,
        today=today,
    )
    by_pledge = defaultdict(list)
    for commitment in commitments:
        by_pledge[commitment.pledge_id].append(commitment)
    for pledge in pledges:
        pledge.commitment_list = by_pledge[pledge.pk]
        pledge.overall = overall_completion(pledge.commitment_list)
    return pledges


def current_public_pledge(pledges, today=None):
    """Of one municipality's public pledges, the one in force today; else the newest."""
    today = today or timezone.localdate()
    pledges = sorted(pledges, key=lambda p: p.valid_from, reverse=True)
    for pledge in pledges:
        if pledge.is_current(today):
            return pledge
    return pledges[0] if pledges else None


def published_follow_ups():
    """Prefetches of a commitment's published follow-ups and verdict justifications, as
    ``published_follow_ups`` and ``published_verdicts``; nothing unpublished."""
    return [
        Prefetch(
            "follow_ups",
            queryset=FollowUp.objects.filter(is_published=True).order_by("period_start"),
            to_attr="published_follow_ups",
        ),
        Prefetch(
            "verdicts",
            queryset=PeriodVerdict.objects.filter(is_published=True).order_by("period_start"),
            to_attr="published_verdicts",
        ),
    ]


HIDDEN_HISTORY_FIELDS = {"version", "updated_at", "created_at"}


def _display(field, value, names):
    """A history value as a coordinator would read it."""
    if value in (None, ""):
        return "–"
    if field.is_relation and field.many_to_many:
        ids = [row[field.m2m_reverse_field_name()] for row in value]
        return ", ".join(sorted(str(names["organisations"].get(i, i)) for i in ids)) or "–"
    if field.is_relation:
        return str(names.get(field.name, {}).get(value, value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def activity_history(activity, *, internal_notes=True):
    """Every change to an activity and its measurements, newest first: when, who, what
    (created, changed, deleted) and each changed field with its old and new value; the
    internal notes' changes only when ``internal_notes``."""
    hidden = HIDDEN_HISTORY_FIELDS if internal_notes else {*HIDDEN_HISTORY_FIELDS, "internal_notes"}
    from places.models import Organisation, Site

    from .models import Commitment, Measurement

    records = list(
        activity.history.select_related("history_user").order_by("history_date", "history_id")
    )
    measurements = list(
        Measurement.history.filter(activity_id=activity.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    names = {
        "site": dict(
            Site.objects.filter(
                municipality_id=activity.commitment.pledge.municipality_id
            ).values_list("pk", "name")
        ),
        "commitment": {
            c.pk: c.text[:60]
            for c in Commitment.objects.filter(pledge=activity.commitment.pledge_id)
        },
        "organisations": dict(Organisation.objects.values_list("pk", "name")),
        "logged_by": {},
    }
    names["logged_for"] = names["organisations"]
    entries = []
    previous = None
    for record in records:
        changes = []
        if previous is not None:
            for change in record.diff_against(previous).changes:
                if change.field in hidden:
                    continue
                field = activity._meta.get_field(change.field)
                changes.append(
                    (
                        field.verbose_name,
                        _display(field, change.old, names),
                        _display(field, change.new, names),
                    )
                )
        if changes or record.history_type != "~":
            entries.append({"record": record, "kind": record.history_type, "changes": changes})
        previous = record
    last_value = {}
    for record in measurements:
        label = record.get_quantity_display()
        old = last_value.get(record.quantity)
        new = None if record.history_type == "-" else record.value
        last_value[record.quantity] = new
        entries.append(
            {
                "record": record,
                "kind": "~",
                "changes": [(label, "–" if old is None else old, "–" if new is None else new)],
            }
        )
    entries.sort(key=lambda e: (e["record"].history_date, e["record"].history_id))
    return list(reversed(entries))


def attach_lineage(pledges, *, today=None):
    """For each pledge that revises another, set ``lineage``: the commitments it carries
    on (with ``previous_progress``: how their predecessor fared) and ``dropped`` ones with
    their public reason and how they fared. Five queries whatever the number of
    commitments; none when no pledge revises another."""
    from .models import DroppedCommitment

    today = today or timezone.localdate()
    revising = [p for p in pledges if p.revises_id]
    for pledge in pledges:
        pledge.lineage = None
    if not revising:
        return pledges
    drops = list(
        DroppedCommitment.objects.filter(pledge__in=revising).order_by("commitment__position")
    )
    previous_ids = {c.previous_id for p in revising for c in p.commitment_list if c.previous_id}
    previous_ids |= {d.commitment_id for d in drops}
    previous = {
        c.pk: c
        for c in attach_progress(
            Commitment.objects.filter(pk__in=previous_ids)
            .select_related("pledge")
            .prefetch_related("target_sites"),
            today=today,
        )
    }
    for pledge in revising:
        for commitment in pledge.commitment_list:
            commitment.previous_commitment = previous.get(commitment.previous_id)
        dropped = [d for d in drops if d.pledge_id == pledge.pk]
        for drop in dropped:
            drop.old = previous[drop.commitment_id]
        pledge.lineage = {"commitments": pledge.commitment_list, "dropped": dropped}
    return pledges
