"""Reads that combine the database's counts with the rules in ``pledges.progress``, and
return the typed results of ``pledges.reports``.

The counts for any number of commitments come from one grouped query
(``Activity.objects.daily_totals(on=today)``); the rules then run in Python over those rows.
Every read takes the reporting day (``today``) from its caller, the view.
"""

from collections import defaultdict
from dataclasses import replace
from datetime import date

from django.db.models import Prefetch, prefetch_related_objects

from . import progress
from .models import Activity, Commitment, FollowUp, Measurement, PeriodVerdict, Quantity
from .progress import TargetKind
from .reports import (
    CommitmentReport,
    DroppedReport,
    Lineage,
    PledgeReport,
    VerdictReport,
)


def _done_in(rows, period, kind, bound):
    """Done count (or measured sum) of the rows of ``period``, in total and per site; with
    ``bound`` (site ids), only the rows at those sites."""
    total = 0
    per_site = defaultdict(int)
    for row in rows:
        if row["period_start"] != period.start:
            continue
        if bound and row["site_id"] not in bound:
            continue
        amount = (row["quantity"] or 0) if kind == TargetKind.QUANTITY else row["n"]
        total += amount
        per_site[row["site_id"]] += amount
    return total, per_site


def _assess_period(commitment, rows, period, today):
    kind = commitment.target_kind
    bound = {site.pk for site in commitment.bound_sites}
    total, per_site = _done_in(rows, period, kind, bound)
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


def progress_rows(periods_by_commitment, *, today):
    """The done counts of each commitment per target period and site, by commitment id: rows
    with ``period_start``, ``site_id``, ``n`` (done activities) and ``quantity`` (the sum of
    the commitment's measured quantity). One query whatever the number of commitments."""
    all_periods = [p for periods in periods_by_commitment.values() for p in periods]
    rows_by_commitment = defaultdict(list)
    totals = Activity.objects.filter(
        commitment__in=list(periods_by_commitment),
        date__gte=min(p.start for p in all_periods),
        date__lte=max(p.end for p in all_periods),
    ).daily_totals(on=today)
    for row in totals:
        period = progress.containing(periods_by_commitment[row["commitment_id"]], row["date"])
        if period is not None:
            rows_by_commitment[row["commitment_id"]].append({**row, "period_start": period.start})
    return rows_by_commitment


def _shown(periods, year):
    """The periods a page lists: on a year page, weeks, months and terms of that year only
    (the years of a multi-year pledge, a season and the whole validity are always shown
    whole)."""
    if year is None:
        return periods
    short = (progress.TargetPeriod.WEEK, progress.TargetPeriod.MONTH, progress.TargetPeriod.TERM)
    return tuple(
        p
        for p in periods
        if p.period.kind not in short or p.period.start.year <= year <= p.period.end.year
    )


def commitment_reports(commitments, *, today, year=None):
    """Each commitment as a ``CommitmentReport`` as of ``today``: its ``summary`` over the
    whole run of its target periods, the current period (``progress``) and the periods the
    page lists (``periods``; on a year page, a weekly, monthly or termly target's periods
    of that year). A done activity dated after today never counts.

    Commitments need ``pledge`` loaded and ``target_sites`` prefetched; costs two queries
    (their amendments, the done counts) whatever their number.
    """
    commitments = list(commitments)
    if not commitments:
        return []
    prefetch_related_objects(commitments, "amendments")
    periods_by_commitment = {c.pk: c.target_periods(today) for c in commitments}
    rows_by_commitment = progress_rows(periods_by_commitment, today=today)
    reports = []
    for commitment in commitments:
        periods = periods_by_commitment[commitment.pk]
        rows = rows_by_commitment[commitment.pk]
        begun = [p for p in periods if p.start <= today] or periods[:1]
        summary = progress.summarise(
            [_assess_period(commitment, rows, period, today) for period in begun],
            today,
            len(periods),
            open_ended=commitment.pledge.valid_to is None,
        )
        shown = summary.current
        if year is not None and summary.periods:
            # A year page shows the period of its year (an earlier year's sites table).
            begun = [p.period for p in summary.periods]
            chosen = progress.period_for(begun, min(today, date(year, 12, 31)))
            shown = summary.periods[begun.index(chosen)]
        reports.append(
            CommitmentReport(
                commitment=commitment,
                progress=shown,
                summary=summary,
                periods=() if summary.single else _shown(summary.periods, year),
            )
        )
    return reports


def pledge_reports(pledges, *, today, year=None, prefetch=()):
    """Each pledge as a ``PledgeReport`` as of ``today``, with its commitments' reports
    (see ``commitment_reports``). Costs four queries (commitments, their target sites,
    amendments, the done counts) plus one per extra ``prefetch`` of the commitments,
    whatever the number of pledges, commitments and activities."""
    pledges = list(pledges)
    if not pledges:
        return []
    by_pledge = defaultdict(list)
    for report in commitment_reports(
        Commitment.objects.filter(pledge__in=pledges)
        .select_related("pledge")
        .with_labels()
        .prefetch_related("target_sites", *prefetch),
        today=today,
        year=year,
    ):
        by_pledge[report.commitment.pledge_id].append(report)
    return [
        PledgeReport(pledge=pledge, on=today, commitments=tuple(by_pledge[pledge.pk]))
        for pledge in pledges
    ]


def pledge_year_reports(pledges, *, year, today, prefetch=(), preview=5):
    """Everything "Följ med i hur det går" shows of each pledge in force during ``year``,
    as of ``today``: the reports of ``pledge_reports`` for the year, each commitment with
    the year's public activities (the ``preview`` newest first), its published follow-ups
    and verdict justifications, and for a revision its lineage. Costs ``pledge_reports``'
    queries, two for the published texts, two for the activities and their measurements,
    and five for the lineage when a pledge revises another."""
    reports = pledge_reports(
        pledges, today=today, year=year, prefetch=[*prefetch, *_published_texts()]
    )
    windows = {
        entry.commitment.pk: _log_window(entry, year) for r in reports for entry in r.commitments
    }
    log = defaultdict(list)
    for activity in (
        Activity.objects.none()
        if not windows
        else Activity.objects.public(today)
        .filter(
            commitment__pledge__in=[r.pledge for r in reports],
            date__gte=min(start for start, _end in windows.values()),
            date__lte=max(end for _start, end in windows.values()),
        )
        .select_related("site")
        .prefetch_related(measurements_with_quantities())
    ):
        start, end = windows[activity.commitment_id]
        if start <= activity.date <= end:
            log[activity.commitment_id].append(activity)
    lineages, previous = _lineages(reports, today=today)
    year_reports = []
    for report in reports:
        entries = []
        for entry in report.commitments:
            commitment = entry.commitment
            judged = {p.period.start: p for p in entry.judged_periods}
            entries.append(
                replace(
                    entry,
                    previous=previous.get(commitment.previous_id)
                    if report.pledge.pk in lineages
                    else None,
                    latest_activities=tuple(log[commitment.pk][:preview]),
                    earlier_activities=tuple(log[commitment.pk][preview:]),
                    follow_ups=tuple(commitment.published_follow_ups),
                    verdicts=tuple(
                        VerdictReport(verdict, _outdated(verdict, judged.get(verdict.period_start)))
                        for verdict in commitment.published_verdicts
                    ),
                )
            )
        year_reports.append(
            replace(report, commitments=tuple(entries), lineage=lineages.get(report.pledge.pk))
        )
    return year_reports


def _log_window(entry, year):
    """The days whose activities a year page lists for a commitment: the year, widened to
    the whole of any target period that runs into it (a season of 1 November - 31 March
    shows all of its activities on both of its years' pages)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    pledge = entry.commitment.pledge
    if pledge.valid_to and progress.is_season(pledge.valid_from, pledge.valid_to):
        return min(start, pledge.valid_from), max(end, pledge.valid_to)
    for p in entry.summary.periods:
        if p.period.start <= end and start <= p.period.end and p.period.days <= 366:
            start, end = min(start, p.period.start), max(end, p.period.end)
    return start, end


def measurements_with_quantities():
    """A prefetch of an activity's measurements, each with its measured quantity (for its
    name in the page's language), in one query."""
    return Prefetch("measurements", queryset=Measurement.objects.select_related("quantity"))


def _outdated(verdict, judged):
    """True when a justification was written against other figures than ``judged``."""
    return (
        judged is not None
        and verdict.done_when_written is not None
        and verdict.done_when_written != judged.done
    )


def current_public_pledge(pledges, *, today):
    """Of one municipality's public pledges, the one in force on ``today``; else the newest."""
    pledges = sorted(pledges, key=lambda p: p.valid_from, reverse=True)
    for pledge in pledges:
        if pledge.is_current(today):
            return pledge
    return pledges[0] if pledges else None


def _published_texts():
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
    quantities = Quantity.objects.in_bulk(
        {record.quantity_id for record in measurements}, field_name="code"
    )
    for record in measurements:
        quantity = quantities.get(record.quantity_id)
        label = quantity.name if quantity else record.quantity_id
        old = last_value.get(record.quantity_id)
        new = None if record.history_type == "-" else record.value
        last_value[record.quantity_id] = new
        entries.append(
            {
                "record": record,
                "kind": "~",
                "changes": [(label, "–" if old is None else old, "–" if new is None else new)],
            }
        )
    entries.sort(key=lambda e: (e["record"].history_date, e["record"].history_id))
    return list(reversed(entries))


def _lineages(reports, *, today):
    """For the reports of pledges that revise another: their ``Lineage`` by pledge id, and
    the reports of the commitments they carry on or drop, by commitment id, as of
    ``today``. Five queries whatever the number of commitments; none when no pledge
    revises another."""
    from .models import DroppedCommitment

    revising = [r for r in reports if r.pledge.revises_id]
    if not revising:
        return {}, {}
    drops = list(
        DroppedCommitment.objects.filter(pledge__in=[r.pledge for r in revising]).order_by(
            "commitment__position"
        )
    )
    previous_ids = {
        c.commitment.previous_id
        for r in revising
        for c in r.commitments
        if c.commitment.previous_id
    }
    previous_ids |= {d.commitment_id for d in drops}
    previous = {
        report.commitment.pk: report
        for report in commitment_reports(
            Commitment.objects.filter(pk__in=previous_ids)
            .select_related("pledge")
            .with_labels()
            .prefetch_related("target_sites"),
            today=today,
        )
    }
    lineages = {
        report.pledge.pk: Lineage(
            dropped=tuple(
                DroppedReport(reason=d.reason, previous=previous[d.commitment_id])
                for d in drops
                if d.pledge_id == report.pledge.pk
            )
        )
        for report in revising
    }
    return lineages, previous
