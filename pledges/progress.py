"""The rules of targets and progress (SPEC §4), as plain functions over plain values.

Nothing here touches the database, so every rule can be unit- and property-tested.
The database side (``pledges.selectors``) only fetches done counts per day and site.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TargetPeriod(models.TextChoices):
    YEAR = "year", _("per year")
    TERM = "term", _("per school term")
    MONTH = "month", _("per month")
    WEEK = "week", _("per week")
    VALIDITY = "validity", _("over the whole validity")


class ReportingCadence(models.TextChoices):
    TERTIAL = "tertial", _("per tertial")
    HALF_YEAR = "half_year", _("per half-year")
    YEAR = "year", _("per year")


class TargetKind(models.TextChoices):
    COUNT = "count", _("number of activities")
    PER_SITE = "per_site", _("number of activities per site")
    COVERAGE = "coverage", _("every site in a group reached")
    QUANTITY = "quantity", _("sum of a measured quantity")
    QUALITATIVE = "qualitative", _("qualitative (no number)")


class Status(models.TextChoices):
    # While a period runs.
    FULFILLED = "fulfilled", pgettext_lazy("progress status", "Fulfilled")
    NOT_STARTED = "not_started", pgettext_lazy("progress status", "Not started")
    ON_TRACK = "on_track", pgettext_lazy("progress status", "On track")
    BEHIND = "behind", pgettext_lazy("progress status", "Behind plan")
    # After a period has ended.
    DONE = "done", pgettext_lazy("progress status", "Carried out")
    PARTLY_DONE = "partly_done", pgettext_lazy("progress status", "Partly carried out")
    NOT_DONE = "not_done", pgettext_lazy("progress status", "Not carried out")
    # Qualitative commitments before a coordinator has assessed them.
    NOT_ASSESSED = "not_assessed", pgettext_lazy("progress status", "Not yet assessed")


RUNNING_STATUSES = (Status.FULFILLED, Status.NOT_STARTED, Status.ON_TRACK, Status.BEHIND)
CLOSED_STATUSES = (Status.DONE, Status.PARTLY_DONE, Status.NOT_DONE)

# Default school terms (month, day): spring 10 January - 15 June, autumn 20 August - 20 December.
SPRING_TERM = ((1, 10), (6, 15))
AUTUMN_TERM = ((8, 20), (12, 20))


@dataclass(frozen=True)
class Period:
    """A closed date interval [start, end] that a target is judged over."""

    start: date
    end: date
    kind: str

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        if self.kind == TargetPeriod.YEAR:
            return str(self.start.year)
        if self.kind == TargetPeriod.TERM:
            if self.start.month < 7:
                return str(_("spring term %(year)s") % {"year": self.start.year})
            return str(_("autumn term %(year)s") % {"year": self.start.year})
        if self.kind == TargetPeriod.MONTH:
            return date_format(self.start, "F Y")
        if self.kind == ReportingCadence.TERTIAL:
            return f"T{(self.start.month - 1) // 4 + 1} {self.start.year}"
        if self.kind == ReportingCadence.HALF_YEAR:
            half = 1 if self.start.month <= 6 else 2
            return str(_("half-year %(half)s %(year)s") % {"half": half, "year": self.start.year})
        if self.kind == TargetPeriod.WEEK:
            year, week, _weekday = self.start.isocalendar()
            return str(_("week %(week)s, %(year)s") % {"week": week, "year": year})
        return f"{date_format(self.start, 'j F Y')} – {date_format(self.end, 'j F Y')}"


def _clip(start: date, end: date, lo: date, hi: date, kind: str) -> Period | None:
    start, end = max(start, lo), min(end, hi)
    return Period(start, end, kind) if start <= end else None


def school_terms(year: int) -> list[tuple[date, date]]:
    """The default spring and autumn terms of a year."""
    return [
        (date(year, *SPRING_TERM[0]), date(year, *SPRING_TERM[1])),
        (date(year, *AUTUMN_TERM[0]), date(year, *AUTUMN_TERM[1])),
    ]


def target_periods(
    valid_from: date, valid_to: date, kind: str, *, school_year: bool = False
) -> list[Period]:
    """Cut a pledge's validity into the periods a target is judged over, in order.

    Periods are clipped to the validity, so a pledge from 1 March has a first year of
    ten months. School terms leave the summer and Christmas holidays outside every period;
    with ``school_year`` a month or week without a school day is no period at all. A
    validity with no whole period of its kind is judged as one period.
    """
    if valid_to < valid_from:
        raise ValueError("valid_to is before valid_from")
    if kind == TargetPeriod.VALIDITY:
        return [Period(valid_from, valid_to, kind)]
    candidates: Iterable[tuple[date, date]]
    if kind == TargetPeriod.YEAR:
        candidates = (
            (date(y, 1, 1), date(y, 12, 31)) for y in range(valid_from.year, valid_to.year + 1)
        )
    elif kind == TargetPeriod.TERM:
        candidates = (
            term for y in range(valid_from.year, valid_to.year + 1) for term in school_terms(y)
        )
    elif kind == TargetPeriod.MONTH:
        candidates = (
            (date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1]))
            for y in range(valid_from.year, valid_to.year + 1)
            for m in range(1, 13)
        )
    elif kind == TargetPeriod.WEEK:
        monday = valid_from - timedelta(days=valid_from.weekday())
        weeks = (valid_to - monday).days // 7 + 1
        candidates = (
            (monday + timedelta(weeks=i), monday + timedelta(weeks=i, days=6)) for i in range(weeks)
        )
    else:
        raise ValueError(f"unknown target period {kind!r}")
    clipped = (_clip(start, end, valid_from, valid_to, kind) for start, end in candidates)
    periods = [p for p in clipped if p is not None]
    if school_year:
        periods = [p for p in periods if school_days(p.start, p.end) > 0]
    return periods or [Period(valid_from, valid_to, kind)]


REPORTING_MONTHS = {
    ReportingCadence.TERTIAL: [(1, 4), (5, 8), (9, 12)],
    ReportingCadence.HALF_YEAR: [(1, 6), (7, 12)],
    ReportingCadence.YEAR: [(1, 12)],
}


def reporting_periods(valid_from: date, valid_to: date, cadence: str) -> list[Period]:
    """The follow-up periods of a pledge: tertials (T1 Jan-Apr, T2 May-Aug, T3 Sep-Dec),
    half-years or years, clipped to the validity."""
    periods = []
    for year in range(valid_from.year, valid_to.year + 1):
        for first, last in REPORTING_MONTHS[ReportingCadence(cadence)]:
            end = date(year, last, calendar.monthrange(year, last)[1])
            period = _clip(date(year, first, 1), end, valid_from, valid_to, cadence)
            if period is not None:
                periods.append(period)
    return periods


def period_for(periods: list[Period], on: date) -> Period:
    """The period that contains ``on``; before the first, the first; after the last, the last.

    Between two periods (a term target in the summer) it is the last one that has ended.
    """
    if on < periods[0].start:
        return periods[0]
    current = periods[0]
    for period in periods:
        if period.start <= on:
            current = period
    return current


def school_days(start: date, end: date) -> int:
    """Days of [start, end] that fall inside the default school terms."""
    total = 0
    for year in range(start.year, end.year + 1):
        for term_start, term_end in school_terms(year):
            lo, hi = max(start, term_start), min(end, term_end)
            if lo <= hi:
                total += (hi - lo).days + 1
    return total


def elapsed_share(period: Period, on: date, *, school_year: bool = False) -> float:
    """Share of the period that has passed by ``on``, ``on`` included, in [0, 1]."""
    if on < period.start:
        return 0.0
    if on >= period.end:
        return 1.0
    if school_year:
        total = school_days(period.start, period.end)
        if total == 0:
            # No school day in the period: nothing falls due before its last day.
            return 0.0
        return school_days(period.start, on) / total
    return ((on - period.start).days + 1) / period.days


def expected_by(target: int, period: Period, on: date, *, school_year: bool = False) -> float:
    """The target scaled by how much of the period has passed by ``on``."""
    return target * elapsed_share(period, on, school_year=school_year)


def target_in_force(base: int, amendments: Iterable[tuple[date, int]], on: date) -> int:
    """The target on a day: the newest amendment in force by then, else the original."""
    target = base
    for effective_from, new_value in sorted(amendments):
        if effective_from <= on:
            target = new_value
    return target


def _shift_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def next_period(valid_from: date, valid_to: date) -> tuple[date, date]:
    """The validity of a successor: the same span of whole years, right after this one
    (2017 -> 2018, 2025-2027 -> 2028-2030, 1 Nov-31 Mar -> the next winter)."""
    years = max(1, round(((valid_to - valid_from).days + 1) / 365.25))
    start = max(_shift_years(valid_from, years), valid_to + timedelta(days=1))
    return start, _shift_years(valid_to, years)


def capped_total(done_per_site: Mapping[object, int], per_site_target: int) -> int:
    """Done per site, each site capped at its target: 3 + 0 against 2 each is 2."""
    return sum(min(done, per_site_target) for done in done_per_site.values())


def completion(done: int, target: int) -> float:
    """min(done / target, 1)."""
    if target <= 0:
        raise ValueError("target must be positive")
    return min(done / target, 1.0)


def running_status(done: int, target: int, expected: float) -> Status:
    """The status while a period runs; "not yet due" never reads as "behind"."""
    if done >= target:
        return Status.FULFILLED
    due = math.floor(expected + 1e-9)
    if done == 0 and due == 0:
        return Status.NOT_STARTED
    if done >= due:
        return Status.ON_TRACK
    return Status.BEHIND


def closed_status(done: int, target: int) -> Status:
    """The verdict once a period has ended."""
    if done >= target:
        return Status.DONE
    if done > 0:
        return Status.PARTLY_DONE
    return Status.NOT_DONE


@dataclass(frozen=True)
class Progress:
    """How one commitment stands in one period, as of one day."""

    period: Period
    on: date
    done: int
    target: int | None
    expected: float | None
    status: Status
    sites: list[SiteProgress] = field(default_factory=list)

    @property
    def closed(self) -> bool:
        return self.on > self.period.end

    @property
    def quantitative(self) -> bool:
        return self.target is not None

    @property
    def completion(self) -> float | None:
        return None if self.target is None else completion(self.done, self.target)

    @property
    def percent(self) -> int | None:
        value = self.completion
        return None if value is None else round(value * 100)

    @property
    def expected_floor(self) -> int | None:
        return None if self.expected is None else math.floor(self.expected + 1e-9)

    @property
    def expected_percent(self) -> int | None:
        """Where the pace marker sits: the whole number due so far, as the text says."""
        if self.expected is None or self.target is None:
            return None
        return round(min(self.expected_floor / self.target, 1.0) * 100)


@dataclass(frozen=True)
class SiteProgress:
    name: str
    done: int
    target: int

    @property
    def counted(self) -> int:
        return min(self.done, self.target)


def assess(
    *,
    period: Period,
    on: date,
    done: int,
    target: int | None,
    school_year: bool = False,
    assessed_status: str = "",
    sites: list[SiteProgress] | None = None,
) -> Progress:
    """Judge one period as of ``on``. ``target`` None means a qualitative commitment,
    whose status is the coordinator's assessment; ``done`` is then only evidence."""
    if target is None:
        status = Status(assessed_status) if assessed_status else Status.NOT_ASSESSED
        # A running assessment says nothing about an ended period, and a verdict nothing
        # about one still running.
        expected_kind = CLOSED_STATUSES if on > period.end else RUNNING_STATUSES
        if status not in expected_kind:
            status = Status.NOT_ASSESSED
        return Progress(period, on, done, None, None, status, sites or [])
    expected = expected_by(target, period, on, school_year=school_year)
    if on > period.end:
        status = closed_status(done, target)
    else:
        status = running_status(done, target, expected)
    return Progress(period, on, done, target, expected, status, sites or [])


def overall(completions: Iterable[float | None]) -> float | None:
    """Mean completion of the quantitative commitments; None when there are none."""
    values = [c for c in completions if c is not None]
    if not values:
        return None
    return sum(values) / len(values)
