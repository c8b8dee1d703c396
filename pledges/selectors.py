"""Reads that combine the database's counts with the rules in ``pledges.progress``, and
return the typed results of ``pledges.reports``.

The counts for any number of commitments come from one query of the read model
``ProgressCount`` (``progress_rows``), which the writes keep equal to a recount of the
activities (``counted_progress``); the rules then run in Python over those rows. Every read
takes the reporting day (``today``) from its caller, the view.
"""

from bisect import bisect_right
from collections import defaultdict
from dataclasses import replace
from datetime import date

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import Cast, DenseRank, RowNumber
from django.utils.formats import date_format
from django.utils.text import Truncator

from places.models import Site

from . import progress
from .models import (
    Activity,
    Commitment,
    DroppedCommitment,
    FollowUp,
    Measurement,
    PeriodVerdict,
    ProgressCount,
    Quantity,
)
from .progress import TargetKind
from .reports import (
    CommitmentReport,
    DroppedReport,
    HistoryEntry,
    Lineage,
    PeriodTexts,
    PledgeReport,
    PublicActivity,
    PublicActivityPage,
    ReportingPeriodState,
    SavedMeanwhile,
    VerdictReport,
)


def _done_in(rows, kind, bound):
    """Done count (or measured sum) of a period's rows ((site id, done, quantity)), in
    total and per site; with ``bound`` (site ids), only the rows at those sites."""
    total = 0
    per_site = defaultdict(int)
    for site_id, n, quantity in rows:
        if bound and site_id not in bound:
            continue
        amount = quantity if kind == TargetKind.QUANTITY else n
        total += amount
        per_site[site_id] += amount
    return total, per_site


def _assess_period(commitment, rows, period, today, *, amendments, sites, bound):
    """One period judged; ``amendments`` ((day, value) pairs), ``sites`` (the target
    sites) and ``bound`` (the ids of the bound sites) read once per commitment."""
    kind = commitment.target_kind
    total, per_site = _done_in(rows, kind, bound)
    target_value = commitment.target_value
    if target_value is not None:
        target_value = progress.target_in_force(target_value, amendments, min(today, period.end))
    common = {
        "period": period,
        "on": today,
        "school_year": commitment.school_year_only,
        "assessed_status": commitment.assessed_status,
    }
    if kind == TargetKind.QUALITATIVE:
        return progress.assess(done=total, target=None, **common)
    if commitment.is_per_site:
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
    """The done counts of each commitment per target period and site: by commitment id and
    period start, rows of (site id, done activities, the sum of the commitment's measured
    quantity), read from ``ProgressCount`` for these commitments
    only. A done activity dated after ``today`` never counts, however it got into the
    database: the same query brings those (none, normally: a done activity cannot be
    dated in the future) to be taken off again. One query whatever the number of
    commitments and activities."""
    ids = list(periods_by_commitment)
    counted = (
        ProgressCount.objects.filter(commitment_id__in=ids)
        .annotate(ahead=Value(False))
        .values_list("commitment_id", "site_id", "period_start", "done", "quantity", "ahead")
    )
    ahead = (
        Activity.objects.done()
        .filter(commitment_id__in=ids, date__gt=today)
        .values("commitment_id", "site_id", "date")
        .annotate(n=Count("id", distinct=True), quantity=_measured_sum(), ahead=Value(True))
        .values_list("commitment_id", "site_id", "date", "n", "quantity", "ahead")
        .order_by()
    )
    rows = defaultdict(lambda: defaultdict(list))
    taken_off = []
    for commitment_id, site_id, day, n, quantity, is_ahead in counted.union(ahead, all=True):
        if is_ahead:
            taken_off.append((commitment_id, site_id, day, n, quantity or 0))
        else:
            # One row per (commitment, period, site): the table's unique constraint.
            rows[commitment_id][day].append((site_id, n, quantity or 0))
    for commitment_id, site_id, day, n, quantity in taken_off:
        period = progress.containing(periods_by_commitment[commitment_id], day)
        if period is not None:
            rows[commitment_id][period.start].append((site_id, -n, -quantity))
    return rows


def _measured_sum():
    """The sum of the commitment's measured quantity over the activities grouped (at most
    one measurement of a quantity per activity)."""
    return Sum("measurements__value", filter=Q(measurements__quantity=F("commitment__quantity")))


def counted_progress(commitments, *, periods=None):
    """What ``ProgressCount`` must hold for ``commitments`` (with ``pledge`` loaded),
    counted from their done activities: {(commitment id, period start, site id): (done,
    quantity)}. With ``periods`` ({commitment id: periods}), only the activities dated in
    those periods. One grouped query; the days are put in their periods here, by the rules
    of ``pledges.progress``."""
    commitments = list(commitments)
    if not commitments or (periods is not None and not any(periods.values())):
        return {}
    if periods is None:
        condition = Q(commitment_id__in=[c.pk for c in commitments])
    else:
        condition = Q(pk__in=[])
        for commitment_id, spans in periods.items():
            for period in spans:
                condition |= Q(commitment_id=commitment_id, date__range=(period.start, period.end))
    rows = (
        Activity.objects.done()
        .filter(condition)
        .values("commitment_id", "site_id", "date")
        .annotate(n=Count("id", distinct=True), quantity=_measured_sum())
        .order_by("commitment_id", "date")
    )
    by_id = {c.pk: c for c in commitments}
    counts = {}
    spans = _CountingPeriods()
    for row in rows:
        period_start = spans.start_of(by_id[row["commitment_id"]], row["date"])
        if period_start is None:
            continue
        key = (row["commitment_id"], period_start, row["site_id"])
        done, quantity = counts.get(key, (0, 0))
        counts[key] = (done + row["n"], quantity + (row["quantity"] or 0))
    return counts


def progress_count_differences(commitments):
    """Where ``ProgressCount`` differs from a recount of ``commitments`` (with ``pledge``
    loaded): (commitment id, period start, site id, stored, counted), each of stored and
    counted a (done, quantity) pair or None for no row, in key order. Two queries."""
    commitments = list(commitments)
    counted = counted_progress(commitments)
    stored = {
        (commitment_id, period_start, site_id): (done, quantity)
        for commitment_id, period_start, site_id, done, quantity in ProgressCount.objects.filter(
            commitment__in=commitments
        ).values_list("commitment_id", "period_start", "site_id", "done", "quantity")
    }
    return [
        (*key, stored.get(key), counted.get(key))
        for key in sorted(stored.keys() | counted.keys(), key=lambda k: (k[0], k[1], k[2] or 0))
        if stored.get(key) != counted.get(key)
    ]


class _CountingPeriods:
    """The start of the counting period (``Commitment.counting_periods``) that holds a
    day, found by bisection in the periods of each commitment, which are cut once (again
    only for a later year of a pledge valid until further notice)."""

    def __init__(self):
        self.cut = {}

    def start_of(self, commitment, day):
        horizon, starts, ends = self.cut.get(commitment.pk, (None, (), ()))
        if horizon is None or day > horizon:
            periods = commitment.counting_periods(day)
            # A pledge with an end is cut the same whatever the day; one valid until
            # further notice is cut right for the days up to the end of this day's year.
            horizon = date.max if commitment.pledge.valid_to else date(day.year, 12, 31)
            starts, ends = [p.start for p in periods], [p.end for p in periods]
            self.cut[commitment.pk] = (horizon, starts, ends)
        index = bisect_right(starts, day) - 1
        if index < 0 or day > ends[index]:
            return None
        return starts[index]


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


def commitment_reports(commitments, *, today, year=None, whole=frozenset()):
    """Each commitment as a ``CommitmentReport`` as of ``today``: its ``summary`` over the
    whole run of its target periods, the current period (``progress``) and the periods the
    page lists (``periods``; on a year page, a weekly, monthly or termly target's periods
    of that year). A done activity dated after today never counts.

    Commitments whose ids are in ``whole`` are judged as on no particular year's page
    (a revised pledge's, on its revision's year page). Commitments need ``pledge`` loaded
    and ``target_sites`` prefetched; costs two queries (their amendments, the done counts)
    whatever their number.
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
        # Each period judged over its own rows: a weekly target of several years has
        # hundreds of both.
        rows = rows_by_commitment[commitment.pk]
        begun = [p for p in periods if p.start <= today] or periods[:1]
        facts = {
            "amendments": [(a.effective_from, a.new_value) for a in commitment.amendments.all()],
            "sites": list(commitment.target_sites.all()),
            "bound": {site.pk for site in commitment.bound_sites},
        }
        summary = progress.summarise(
            [
                _assess_period(commitment, rows.get(period.start, ()), period, today, **facts)
                for period in begun
            ],
            today,
            len(periods),
            open_ended=commitment.pledge.valid_to is None,
        )
        shown = summary.current
        page_year = None if commitment.pk in whole else year
        if page_year is not None and summary.periods:
            # A year page shows the period of its year (an earlier year's sites table).
            begun = [p.period for p in summary.periods]
            chosen = progress.period_for(begun, min(today, date(page_year, 12, 31)))
            shown = summary.periods[begun.index(chosen)]
        reports.append(
            CommitmentReport(
                commitment=commitment,
                progress=shown,
                summary=summary,
                periods=() if summary.single else _shown(summary.periods, page_year),
            )
        )
    return reports


# What a commitment's figure is computed from (``commitment_reports``), and no more.
FIGURE_FIELDS = (
    "id",
    "pledge_id",
    "position",
    "target_kind",
    "target_value",
    "target_period",
    "school_year_only",
    "assessed_status",
)


def pledge_reports(pledges, *, today, year=None, labels=True):
    """Each pledge as a ``PledgeReport`` as of ``today``, with its commitments' reports
    (see ``commitment_reports``), whose ``commitment.pledge`` is the pledge given. Costs
    four queries (commitments, their target sites, amendments, the done counts) whatever
    the number of pledges, commitments and activities. Without ``labels`` the commitments
    carry only what their figures need (no unit or type names: the index)."""
    pledges = list(pledges)
    if not pledges:
        return []
    by_id = {pledge.pk: pledge for pledge in pledges}
    commitments = Commitment.objects.filter(pledge__in=list(by_id)).order_by(
        "pledge_id", "position"
    )
    if labels:
        commitments = commitments.with_labels().prefetch_related("target_sites")
    else:
        commitments = commitments.only(*FIGURE_FIELDS).prefetch_related(
            Prefetch("target_sites", queryset=Site.objects.only("id", "name"))
        )
    commitments = list(commitments)
    for commitment in commitments:
        commitment.pledge = by_id[commitment.pledge_id]
    by_pledge = defaultdict(list)
    for report in commitment_reports(commitments, today=today, year=year):
        by_pledge[report.commitment.pledge_id].append(report)
    return [
        PledgeReport(pledge=pledge, on=today, commitments=tuple(by_pledge[pledge.pk]))
        for pledge in pledges
    ]


def pledge_year_reports(pledges, *, year, today, latest=5):
    """Everything "Följ med i hur det går" shows of each pledge in force during ``year``,
    as of ``today``: a ``PledgeReport`` with, for a revision, its ``lineage``; each
    commitment's report with the target periods of the year, its focus tags and external
    parties, its published follow-ups and verdict justifications, the ``latest`` public
    activities of its span of the year (``year_span``) and how many the span has, and for
    a commitment carried on, how the one before it fared (``previous``).

    Pledges need ``revises`` loaded. Costs seven queries whatever the number of pledges,
    commitments and activities: the commitments (with those of the revised pledges, and
    why they were dropped), their target sites, amendments and done counts, their tags
    and parties, their published texts and their activity log.
    """
    pledges = list(pledges)
    if not pledges:
        return []
    by_id = {pledge.pk: pledge for pledge in pledges}
    known = {pledge.revises_id: pledge.revises for pledge in pledges if pledge.revises_id}
    known |= by_id
    # A revision carries on or drops every commitment of the pledge it revises: with
    # those, the lineage needs no query of its own.
    drops = DroppedCommitment.objects.filter(pledge__in=list(by_id)).order_by()
    commitments = list(
        Commitment.objects.filter(pledge__in=list(known))
        .annotate(
            dropped_by=Subquery(drops.filter(commitment=OuterRef("pk")).values("pledge_id")[:1]),
            drop_reason=Subquery(drops.filter(commitment=OuterRef("pk")).values("reason")[:1]),
        )
        .with_labels()
        .prefetch_related("target_sites")
        .order_by("pledge_id", "position")
    )
    for commitment in commitments:
        commitment.pledge = known[commitment.pledge_id]
    shown = [c for c in commitments if c.pledge_id in by_id]
    reports = {
        r.commitment.pk: r
        for r in commitment_reports(
            commitments,
            today=today,
            year=year,
            whole={c.pk for c in commitments if c.pledge_id not in by_id},
        )
    }
    names = _names(shown)
    texts = _published_texts(shown)
    log = public_activity_log(
        {c.pk: year_span(c, c.target_periods(today), year) for c in shown},
        today=today,
        last=latest,
        totals=True,
    )
    year_reports = []
    for pledge in pledges:
        entries = []
        for commitment in (c for c in shown if c.pledge_id == pledge.pk):
            report = reports[commitment.pk]
            judged = {p.period.start: p for p in report.judged_periods}
            follow_ups, verdicts = texts.get(commitment.pk, ((), ()))
            activities, count, totals = log.get(commitment.pk, ((), 0, ()))
            entries.append(
                replace(
                    report,
                    previous=reports.get(commitment.previous_id) if pledge.revises_id else None,
                    latest_activities=activities,
                    activity_count=count,
                    quantity_totals=totals,
                    focus_tags=names[commitment.pk, True],
                    external_parties=names[commitment.pk, False],
                    follow_ups=follow_ups,
                    verdicts=tuple(
                        VerdictReport(verdict, _outdated(verdict, judged.get(verdict.period_start)))
                        for verdict in verdicts
                    ),
                )
            )
        lineage = None
        if pledge.revises_id:
            dropped = sorted(
                (c for c in commitments if c.dropped_by == pledge.pk), key=lambda c: c.position
            )
            lineage = Lineage(
                dropped=tuple(
                    DroppedReport(reason=c.drop_reason, previous=reports[c.pk]) for c in dropped
                )
            )
        year_reports.append(
            PledgeReport(pledge=pledge, on=today, commitments=tuple(entries), lineage=lineage)
        )
    return year_reports


def year_span(commitment, periods, year):
    """The days whose activities a year page lists for a commitment (and its page of all
    of them): the year, widened to the whole of any target period of at most a year that
    runs into it (a season of 1 November - 31 March shows all of its activities on both
    of its years' pages). ``periods``: the commitment's target periods."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    pledge = commitment.pledge
    if pledge.valid_to and progress.is_season(pledge.valid_from, pledge.valid_to):
        return min(first, pledge.valid_from), max(last, pledge.valid_to)
    for period in periods:
        if period.start <= last and first <= period.end and period.days <= 366:
            first, last = min(first, period.start), max(last, period.end)
    return first, last


def public_activity_log(spans, *, today, first=1, last=None, totals=False):
    """The public activities (done, and dated ``today`` or before) of each commitment in
    its span (``spans``: {commitment id: (first day, last day), or None for every day}),
    newest first: the ``first``-th to the ``last``-th (to the end without ``last``). By
    commitment id: (the ``PublicActivity`` tuple, how many the span has in all, and with
    ``totals`` the sum of each measured quantity over all of them as (quantity, total)
    pairs by the quantities' codes, else ()); a commitment without any is left out. One
    query, whatever the number of commitments and activities."""
    if not spans:
        return {}
    condition = Q(pk__in=[])
    for commitment_id, span in spans.items():
        condition |= Q(commitment_id=commitment_id, **({"date__range": span} if span else {}))
    partition = F("commitment_id")
    window = Q(rank__gte=first) if last is None else Q(rank__range=(first, last))
    sums = {}
    if totals:
        # Each quantity's sum over the whole span rides on the newest row that measures
        # it (whether or not that activity is in the window); every commitment with an
        # activity keeps at least one row, so the count is known however small the window.
        by_quantity = [partition, F("measurements__quantity")]
        sums = {
            "quantity_total": Window(Sum("measurements__value"), partition_by=by_quantity),
            "quantity_row": Window(
                RowNumber(), partition_by=by_quantity, order_by=[F("date").desc(), F("pk").desc()]
            ),
        }
        window |= Q(quantity_row=1)
    rows = (
        Activity.objects.public(today)
        .filter(condition)
        .values(
            "pk",
            "commitment_id",
            "date",
            "end_date",
            "public_summary",
            "people_reached",
            site_name=F("site__name"),
            quantity=F("measurements__quantity"),
            value=F("measurements__value"),
            singular_sv=F("measurements__quantity__singular_sv"),
            plural_sv=F("measurements__quantity__plural_sv"),
            singular_en=F("measurements__quantity__singular_en"),
            plural_en=F("measurements__quantity__plural_en"),
        )
        .annotate(
            # A dense rank counts activities, not their measurements' rows. An activity's
            # rank from the newest plus its rank from the oldest, less one, is the number
            # of activities of its commitment: the total without a second query.
            rank=Window(
                DenseRank(), partition_by=partition, order_by=[F("date").desc(), F("pk").desc()]
            ),
            rank_from_oldest=Window(
                DenseRank(), partition_by=partition, order_by=[F("date").asc(), F("pk").asc()]
            ),
            **sums,
        )
        .filter(window)
        .order_by("commitment_id", "rank", "quantity")
    )
    log = {}
    activities = defaultdict(dict)
    quantities = {}
    summed = defaultdict(list)
    for row in rows:
        log[row["commitment_id"]] = row["rank"] + row["rank_from_oldest"] - 1
        quantity = None
        if row["quantity"]:
            quantity = quantities.get(row["quantity"])
            if quantity is None:
                quantity = quantities[row["quantity"]] = Quantity(
                    code=row["quantity"],
                    **{f: row[f] for f in ("singular_sv", "plural_sv", "singular_en", "plural_en")},
                )
            if totals and row["quantity_row"] == 1:
                summed[row["commitment_id"]].append((quantity, row["quantity_total"]))
        if not (first <= row["rank"] and (last is None or row["rank"] <= last)):
            # A row kept only for its quantity's total.
            continue
        activity = activities[row["commitment_id"]].get(row["pk"])
        if activity is None:
            activity = activities[row["commitment_id"]][row["pk"]] = {**row, "measurements": []}
        if quantity is not None:
            activity["measurements"].append((quantity, row["value"]))
    return {
        commitment_id: (
            tuple(
                PublicActivity(
                    pk=a["pk"],
                    commitment_id=a["commitment_id"],
                    date=a["date"],
                    end_date=a["end_date"],
                    site=a["site_name"] or "",
                    public_summary=a["public_summary"],
                    people_reached=a["people_reached"],
                    measurements=tuple(a["measurements"]),
                )
                for a in activities[commitment_id].values()
            ),
            count,
            tuple(sorted(summed[commitment_id], key=lambda pair: pair[0].code)),
        )
        for commitment_id, count in log.items()
    }


def public_activity_page(commitment, span, *, today, number, per_page):
    """Page ``number`` (from 1) of the public activities of ``commitment`` in ``span`` (see
    ``public_activity_log``), ``per_page`` a page, as a ``PublicActivityPage``; None for a
    page after the last (page 1 always exists). One query."""
    first = (number - 1) * per_page + 1
    log = public_activity_log(
        {commitment.pk: span}, today=today, first=first, last=first + per_page - 1
    )
    activities, count, _totals = log.get(commitment.pk, ((), 0, ()))
    if not activities and number > 1:
        return None
    return PublicActivityPage(activities=activities, number=number, count=count, per_page=per_page)


def _names(commitments):
    """The names of the focus tags (key (id, True)) and of the external parties (key (id,
    False)) of each commitment, in alphabetical order. One query."""
    ids = [c.pk for c in commitments]
    tags = (
        Commitment.focus_tags.through.objects.filter(commitment_id__in=ids)
        .annotate(name=F("focustag__name"), is_tag=Value(True))
        .values_list("commitment_id", "name", "is_tag")
    )
    parties = (
        Commitment.external_parties.through.objects.filter(commitment_id__in=ids)
        .annotate(name=F("organisation__name"), is_tag=Value(False))
        .values_list("commitment_id", "name", "is_tag")
    )
    names = defaultdict(list)
    if ids:
        for commitment_id, name, is_tag in tags.union(parties, all=True):
            names[commitment_id, is_tag].append(name)
    return defaultdict(tuple, {key: tuple(sorted(values)) for key, values in names.items()})


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


def _published_texts(commitments):
    """The published follow-ups and verdict justifications of each commitment, by its id:
    (follow-ups, justifications), each by period; nothing unpublished. One query."""
    by_id = {c.pk: c for c in commitments}
    if not by_id:
        return {}
    fields = ("pk", "commitment_id", "period_start", "period_end", "text", "done", "is_verdict")
    follow_ups = (
        FollowUp.objects.filter(commitment__in=list(by_id), is_published=True)
        .annotate(
            text=F("narrative"),
            done=Cast(Value(None), output_field=IntegerField()),
            is_verdict=Value(False),
        )
        .values_list(*fields)
        .order_by()
    )
    verdicts = (
        PeriodVerdict.objects.filter(commitment__in=list(by_id), is_published=True)
        .annotate(text=F("justification"), done=F("done_when_written"), is_verdict=Value(True))
        .values_list(*fields)
        .order_by()
    )
    texts = defaultdict(lambda: ([], []))
    for pk, commitment_id, start, end, text, done, is_verdict in sorted(
        follow_ups.union(verdicts, all=True), key=lambda row: (row[2], row[0])
    ):
        common = {"pk": pk, "commitment": by_id[commitment_id], "is_published": True}
        if is_verdict:
            texts[commitment_id][1].append(
                PeriodVerdict(
                    **common,
                    period_start=start,
                    period_end=end,
                    justification=text,
                    done_when_written=done,
                )
            )
        else:
            texts[commitment_id][0].append(
                FollowUp(**common, period_start=start, period_end=end, narrative=text)
            )
    return {key: (tuple(f), tuple(v)) for key, (f, v) in texts.items()}


HIDDEN_HISTORY_FIELDS = {"version", "updated_at", "created_at"}


def _display(field, value, names):
    """A history value as a coordinator would read it."""
    if value in (None, ""):
        return "–"
    if field.is_relation:
        return str(names.get(field.name, {}).get(value, value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def activity_history(activity, *, internal_notes=True) -> list[HistoryEntry]:
    """The saves of an activity, newest first: one ``HistoryEntry`` per save, with when,
    who, what (logged, changed, cancelled with its reason, deleted) and each field it
    changed, its organisations and measured values included; a save that changed nothing
    is left out. The internal notes (and a cancellation's reason) only when
    ``internal_notes``. Six queries."""
    hidden = HIDDEN_HISTORY_FIELDS if internal_notes else {*HIDDEN_HISTORY_FIELDS, "internal_notes"}
    from places.models import Organisation

    records = list(
        activity.history.select_related("history_user")
        # The organisations of each record (simple_history's table of them).
        .prefetch_related("historicalactivity_organisations_set")
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
        "logged_by": {},
    }
    organisations = dict(Organisation.objects.values_list("pk", "name"))
    names["logged_for"] = organisations
    quantities = Quantity.objects.in_bulk(
        {code for record in records for code in record.measured or {}}, field_name="code"
    )
    fields = [
        field
        for field in Activity._meta.concrete_fields
        if not field.primary_key and field.name not in hidden
    ]
    organisations_label = Activity._meta.get_field("organisations").verbose_name

    def organisations_of(record):
        ids = {row.organisation_id for row in record.historicalactivity_organisations_set.all()}
        return ", ".join(sorted(str(organisations.get(i, i)) for i in ids)) or "–"

    entries = []
    previous = None
    for record in records:
        kind = {"+": HistoryEntry.CREATED, "-": HistoryEntry.DELETED}.get(
            record.history_type, HistoryEntry.CHANGED
        )
        changes = []
        if previous is not None:
            for field in fields:
                old, new = getattr(previous, field.attname), getattr(record, field.attname)
                if old != new:
                    changes.append(
                        (
                            field.verbose_name,
                            _display(field, old, names),
                            _display(field, new, names),
                        )
                    )
            old, new = organisations_of(previous), organisations_of(record)
            if old != new:
                changes.append((organisations_label, old, new))
            # A record without figures (None) predates them: it tells nothing about them.
            if previous.measured is not None and record.measured is not None:
                for code in sorted(
                    previous.measured.keys() | record.measured.keys(),
                    key=lambda c: (quantities[c].position, c) if c in quantities else (0, c),
                ):
                    old, new = previous.measured.get(code), record.measured.get(code)
                    if old != new:
                        quantity = quantities.get(code)
                        changes.append(
                            (
                                quantity.name if quantity else code,
                                "–" if old is None else str(old),
                                "–" if new is None else str(new),
                            )
                        )
            if record.status == Activity.Status.CANCELLED != previous.status:
                kind = HistoryEntry.CANCELLED
        if kind != HistoryEntry.CHANGED or changes:
            entries.append(
                HistoryEntry(
                    when=record.history_date,
                    user=record.history_user,
                    kind=kind,
                    changes=tuple(changes),
                    reason=(record.history_change_reason or "")
                    if internal_notes and kind == HistoryEntry.CANCELLED
                    else "",
                )
            )
        previous = record
    return list(reversed(entries))


def reporting_period_states(pledge, *, today):
    """The pledge's reporting periods (as of ``today``), oldest first, each as a
    ``ReportingPeriodState``: how many of its commitments have a published follow-up of
    the period, a draft, or none. Two queries (the commitments, their follow-ups)."""
    periods = progress.reporting_periods(
        pledge.valid_from, pledge.end(today), pledge.follow_up_cadence
    )
    total = Commitment.objects.filter(pledge=pledge).count()
    written = defaultdict(lambda: [0, 0])
    for start, is_published in FollowUp.objects.filter(commitment__pledge=pledge).values_list(
        "period_start", "is_published"
    ):
        written[start][0 if is_published else 1] += 1
    return [
        ReportingPeriodState(
            period=period,
            published=written[period.start][0],
            drafts=written[period.start][1],
            missing=total - sum(written[period.start]),
            begun=period.start <= today,
            ended=period.end < today,
        )
        for period in periods
    ]


def period_texts(pledge, period, *, today, latest=10):
    """Every commitment of ``pledge`` in the follow-up of the reporting period ``period``,
    as ``PeriodTexts`` in the published order: its figure over the target periods that end
    in the reporting period (or, when none does, the one that holds its last day), judged
    as of that day (or ``today``, while it runs); its ``latest`` newest
    done activities and how many it has; its follow-up; and the verdicts to justify, of the
    target periods that ended in it by ``today``. ``pledge`` needs ``municipality`` loaded.

    Costs seven queries whatever the number of commitments and activities (the
    commitments, their target sites, amendments, done counts, follow-ups, justifications,
    activities), eight once the period has ended (the done counts as of its last day too).
    """
    commitments = list(
        Commitment.objects.filter(pledge=pledge)
        .with_labels()
        .prefetch_related("target_sites")
        .order_by("position")
    )
    for commitment in commitments:
        commitment.pledge = pledge
    as_of = min(today, period.end)
    now = commitment_reports(commitments, today=today)
    then = now if as_of == today else commitment_reports(commitments, today=as_of)
    ids = [c.pk for c in commitments]
    follow_ups = {
        f.commitment_id: f
        for f in FollowUp.objects.filter(
            commitment__in=ids, period_start=period.start
        ).select_related("written_by")
    }
    verdicts = {
        (v.commitment_id, v.period_start): v
        for v in PeriodVerdict.objects.filter(
            commitment__in=ids, period_end__range=(period.start, period.end)
        ).select_related("written_by")
    }
    log = public_activity_log(
        {c.pk: (period.start, as_of) for c in commitments}, today=today, last=latest
    )
    entries = []
    for commitment, current, judged in zip(commitments, now, then, strict=True):
        # The target periods of the reporting period: those that end in it (a week
        # across its end is the next one's), or when none does (a year followed per
        # tertial), the one that holds its last day. One that ended in it is judged as
        # of today (ended on the reporting period's last day, it is closed by now); one
        # that runs on is judged as of the reporting period's last day.
        targets = commitment.target_periods(today)
        of_period = [p for p in targets if period.start <= p.end <= period.end] or [
            p for p in targets if period.end in p
        ]
        closed = {
            p.period.start: p
            for p in current.judged_periods
            if p.closed and p.period.end <= period.end
        }
        begun = {p.period.start: p for p in judged.judged_periods}
        shown = [
            closed.get(p.start) or begun[p.start]
            for p in of_period
            if p.start in closed or p.start in begun
        ]
        summary = progress.summarise(shown, as_of, len(of_period)) if shown else None
        to_justify = []
        for p in current.judged_periods:
            if not (p.closed and period.start <= p.period.end <= period.end):
                continue
            verdict = verdicts.get((commitment.pk, p.period.start))
            if verdict is not None or progress.needs_justification(p):
                to_justify.append((p, verdict))
        activities, count, _totals = log.get(commitment.pk, ((), 0, ()))
        entries.append(
            PeriodTexts(
                commitment=commitment,
                summary=summary,
                activities=activities,
                activity_count=count,
                follow_up=follow_ups.get(commitment.pk),
                verdicts=tuple(to_justify),
            )
        )
    return entries


# The fields of an activity a coordinator's form edits, by the name of their value.
ACTIVITY_FORM_FIELDS = {
    "commitment": "commitment_id",
    "status": "status",
    "date": "date",
    "end_date": "end_date",
    "site": "site_id",
    "people_reached": "people_reached",
    "public_summary": "public_summary",
    "internal_notes": "internal_notes",
}


def _form_values(row, organisation_ids, measured):
    values = {name: getattr(row, attname) for name, attname in ACTIVITY_FORM_FIELDS.items()}
    values["organisations"] = frozenset(organisation_ids)
    values["measured"] = dict(measured)
    return values


def activity_saved_meanwhile(activity, version) -> SavedMeanwhile:
    """What others saved of ``activity`` since its form was loaded at ``version``: its
    values then (from its history; None when no record of that version holds its
    figures) and now, who saved it last and when. Six queries."""
    current = (
        Activity.objects.select_related("commitment", "site")
        .prefetch_related("organisations", "measurements")
        .get(pk=activity.pk)
    )
    last = activity.history.select_related("history_user").order_by("-history_date", "-history_id")
    latest = last.first()
    loaded_record = (
        last.filter(version=version)
        .prefetch_related("historicalactivity_organisations_set")
        .first()
    )
    loaded = None
    if loaded_record is not None and loaded_record.measured is not None:
        loaded = _form_values(
            loaded_record,
            (
                row.organisation_id
                for row in loaded_record.historicalactivity_organisations_set.all()
            ),
            loaded_record.measured,
        )
    organisations = list(current.organisations.all())
    measurements = list(current.measurements.all())
    now = _form_values(
        current,
        (o.pk for o in organisations),
        ((m.quantity_id, m.value) for m in measurements),
    )
    status = Activity._meta.get_field("status")
    shown = {
        "commitment": Truncator(current.commitment.text).chars(80),
        "status": _display(status, current.status, {}),
        "date": date_format(current.date),
        "end_date": date_format(current.end_date) if current.end_date else "–",
        "site": current.site.name if current.site else "–",
        "people_reached": "–" if current.people_reached is None else str(current.people_reached),
        "public_summary": current.public_summary or "–",
        "internal_notes": current.internal_notes or "–",
        "organisations": ", ".join(sorted(o.name for o in organisations)) or "–",
        "measured": {m.quantity_id: str(m.value) for m in measurements},
    }
    return SavedMeanwhile(
        user=latest.history_user if latest else None,
        when=latest.history_date if latest else current.updated_at,
        version=current.version,
        loaded=loaded,
        now=now,
        shown=shown,
    )
