"""The rules of targets and progress (SPEC §4), as plain functions over plain values.

Nothing here touches the database, so every rule can be unit- and property-tested.
The database side (``pledges.selectors``) only fetches done counts per day and site.
"""

from __future__ import annotations

import calendar
import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

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
        if self.kind == TargetPeriod.YEAR:  # also ReportingCadence.YEAR
            if (self.start.month, self.start.day) == (1, 1):
                return str(self.start.year)
            if self.start.year + 1 == self.end.year:
                years = {"first": self.start.year, "second": f"{self.end.year % 100:02d}"}
                if self.days <= 183:
                    return str(_("season %(first)s/%(second)s") % years)
                return f"{years['first']}/{years['second']}"
            return self.dates
        if self.kind == TargetPeriod.TERM:
            if self.start.month < 7:
                return str(_("spring term %(year)s") % {"year": self.start.year})
            return str(_("autumn term %(year)s") % {"year": self.start.year})
        if self.kind == TargetPeriod.MONTH:
            # A first or last month may carry a few days of its neighbour: its middle says
            # which month it is.
            return date_format(self.start + timedelta(days=(self.days - 1) // 2), "F Y")
        if self.kind == ReportingCadence.TERTIAL and self._starts_month_of(1, 5, 9):
            return f"T{(self.start.month - 1) // 4 + 1} {self.start.year}"
        if self.kind == ReportingCadence.HALF_YEAR and self._starts_month_of(1, 7):
            half = 1 if self.start.month <= 6 else 2
            return str(_("half-year %(half)s %(year)s") % {"half": half, "year": self.start.year})
        if self.kind == TargetPeriod.WEEK:
            # The week of its Thursday: a first or last week may carry a few days more.
            thursday = self.start + timedelta(days=(3 - self.start.weekday()) % 7)
            year, week, _weekday = min(thursday, self.end).isocalendar()
            return str(_("week %(week)s, %(year)s") % {"week": week, "year": year})
        return self.dates

    @property
    def dates(self) -> str:
        return f"{date_format(self.start, 'j F Y')} – {date_format(self.end, 'j F Y')}"

    def _starts_month_of(self, *months: int) -> bool:
        return self.start.day == 1 and self.start.month in months


def _middle(start: date, end: date) -> date:
    return start + timedelta(days=(end - start).days // 2)


def school_terms(year: int) -> list[tuple[date, date]]:
    """The default spring and autumn terms of a year."""
    return [
        (date(year, *SPRING_TERM[0]), date(year, *SPRING_TERM[1])),
        (date(year, *AUTUMN_TERM[0]), date(year, *AUTUMN_TERM[1])),
    ]


def _add_months(day: date, months: int) -> date:
    """The same day ``months`` later; a day the month lacks (29-31) rolls over to the 1st
    of the month after, so that spans from 29 February or 31 January never overlap."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    if day.day > calendar.monthrange(year, month)[1]:
        return _add_months(date(year, month, 1), 1)
    return date(year, month, day.day)


def _spans(valid_from: date, valid_to: date, months: int, kind: str) -> list[Period]:
    """Consecutive spans of ``months`` from the first day of the validity, the last one
    clipped to its end: the years (or tertials) of the pledge."""
    periods = []
    start = valid_from
    step = 1
    while start <= valid_to:
        following = _add_months(valid_from, months * step)
        periods.append(Period(start, min(following - timedelta(days=1), valid_to), kind))
        start, step = following, step + 1
    return periods


def target_periods(
    valid_from: date, valid_to: date, kind: str, *, school_year: bool = False
) -> list[Period]:
    """Cut a pledge's validity into the periods a target is judged over (see
    ``_target_periods``). Many commitments share a validity: the cut is made once."""
    return list(_target_periods(valid_from, valid_to, str(kind), school_year))


@functools.lru_cache(maxsize=4096)
def _target_periods(valid_from: date, valid_to: date, kind: str, school_year: bool) -> tuple:
    """Cut a pledge's validity into the periods a target is judged over, in order.

    Years are the years of the pledge, counted from its first day (calendar years for a
    pledge from 1 January; a season of 1 November - 31 March is one period), the last one
    clipped to the validity. Weeks and months follow the calendar: one belongs to the
    validity when its middle day does (an ISO week when its Thursday does), so a calendar
    year has 52 or 53 weeks and never a stub of a week; the few days of the validity
    before the first or after the last (less than half a unit) join it, so every day of
    the validity lies in a period and the last one ends with the validity. School terms
    are the default terms, clipped to the validity: the summer and Christmas holidays lie
    outside every period. With ``school_year`` a month or week without a school day is no
    period at all. A validity with no period of its kind is judged as one period.
    """
    if valid_to < valid_from:
        raise ValueError("valid_to is before valid_from")
    if kind == TargetPeriod.VALIDITY:
        return (Period(valid_from, valid_to, kind),)
    if kind == TargetPeriod.YEAR:
        return tuple(_spans(valid_from, valid_to, 12, kind))
    if kind == TargetPeriod.TERM:
        periods = [
            Period(max(start, valid_from), min(end, valid_to), kind)
            for y in range(valid_from.year, valid_to.year + 1)
            for start, end in school_terms(y)
            if start <= valid_to and valid_from <= end
        ]
        return tuple(periods or [Period(valid_from, valid_to, kind)])
    candidates: Iterable[tuple[date, date]]
    if kind == TargetPeriod.MONTH:
        candidates = (
            (date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1]))
            for y in range(valid_from.year - 1, valid_to.year + 2)
            for m in range(1, 13)
        )
    elif kind == TargetPeriod.WEEK:
        monday = valid_from - timedelta(days=valid_from.weekday() + 7)
        weeks = (valid_to - monday).days // 7 + 2
        candidates = (
            (monday + timedelta(weeks=i), monday + timedelta(weeks=i, days=6)) for i in range(weeks)
        )
    else:
        raise ValueError(f"unknown target period {kind!r}")
    periods = [
        Period(start, end, kind)
        for start, end in candidates
        if valid_from <= _middle(start, end) <= valid_to
    ]
    if periods:
        periods[0] = Period(valid_from, periods[0].end, kind)
        periods[-1] = Period(periods[-1].start, valid_to, kind)
    if school_year:
        periods = [p for p in periods if school_days(p.start, p.end) > 0]
    return tuple(periods or [Period(valid_from, valid_to, kind)])


def containing(periods: list[Period], day: date) -> Period | None:
    """The period of ``periods`` that contains ``day``; None between or outside them."""
    return next((period for period in periods if day in period), None)


REPORTING_MONTHS = {
    ReportingCadence.TERTIAL: [(1, 4), (5, 8), (9, 12)],
    ReportingCadence.HALF_YEAR: [(1, 6), (7, 12)],
    ReportingCadence.YEAR: [(1, 12)],
}


def is_season(valid_from: date, valid_to: date) -> bool:
    """True for a validity of less than a year across New Year (1 November - 31 March)."""
    return valid_from.year < valid_to.year and (valid_to - valid_from).days < 365


def reporting_periods(valid_from: date, valid_to: date, cadence: str) -> list[Period]:
    """The follow-up periods of a pledge: tertials (T1 Jan-Apr, T2 May-Aug, T3 Sep-Dec),
    half-years or years, clipped to the validity. A season follows itself instead: its
    tertials or half-years count from its first day (1 November: Nov-Feb, March)."""
    months = REPORTING_MONTHS[ReportingCadence(cadence)]
    if is_season(valid_from, valid_to):
        return _spans(valid_from, valid_to, months[0][1] - months[0][0] + 1, cadence)
    periods = []
    for year in range(valid_from.year, valid_to.year + 1):
        for first, last in months:
            start = max(date(year, first, 1), valid_from)
            end = min(date(year, last, calendar.monthrange(year, last)[1]), valid_to)
            if start <= end:
                periods.append(Period(start, end, cadence))
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


def successor_period(valid_from: date, valid_to: date | None, today: date):
    """The default validity of a pledge's successor, counted from ``today``: periods of
    the predecessor's length follow each other from its end (``next_period``), and the
    first one that has not ended by ``today`` is proposed. A pledge still in force is
    followed by the period right after it (2026 -> 2027); one that ended long ago by the
    period holding today (2018, today in 2026 -> 2026), never by one in the past. A pledge
    valid until further notice is succeeded from today, until further notice."""
    if valid_to is None:
        return today, None
    start, end = next_period(valid_from, valid_to)
    while end < today:
        start, end = next_period(start, end)
    return start, end


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
class Summary:
    """How one commitment stands over its whole run of target periods, as of ``on``: the
    one figure every surface shows (headline, overall figure, municipality page, index,
    dashboard, API).

    With one period it is that period's figure. With several (weeks, months, terms, the
    years of a multi-year pledge) it counts the ended periods whose target was met, of
    the periods in the validity; while they run, the periods ended by ``on`` are what was
    due, so a missed past period reads Behind plan at once, and so does the running
    period when it is behind its own pace. The running period shows on its own line.
    """

    current: Progress
    """The period that holds ``on`` (before the first, the first; after the last, the
    last)."""

    periods: tuple[Progress, ...]
    """Every period begun by ``on``, oldest first."""

    count: int
    """How many periods the validity has (begun or not); for a pledge valid until further
    notice, how many have begun."""

    open_ended: bool = False
    """The pledge is valid until further notice: never over, judged on the periods so far."""

    @property
    def single(self) -> bool:
        return self.count == 1

    @property
    def on(self) -> date:
        return self.current.on

    @property
    def kind(self) -> str:
        return self.current.period.kind

    @property
    def quantitative(self) -> bool:
        return self.current.quantitative

    @property
    def closed(self) -> bool:
        """True when the last period has ended."""
        return not self.open_ended and self.due == self.count

    @cached_property
    def due(self) -> int:
        """Periods that have ended by ``on``: what was due so far."""
        return sum(1 for p in self.periods if p.closed)

    @cached_property
    def met(self) -> int:
        """Ended periods whose target was reached (never more than ``due``); a running
        period counts once it has ended."""
        return sum(1 for p in self.periods if p.closed and p.status == Status.DONE)

    @cached_property
    def missed(self) -> tuple[Progress, ...]:
        """Ended periods whose target was not reached, oldest first."""
        return tuple(p for p in self.periods if p.closed and p.status != Status.DONE)

    @cached_property
    def done(self) -> int:
        """What was done in every period begun so far: the total beside the periods met."""
        return sum(p.done for p in self.periods) if not self.single else self.current.done

    @property
    def target(self) -> int | None:
        """Per period: the target in force in the current one."""
        return self.current.target

    @cached_property
    def status(self) -> Status:
        current = self.current
        if self.single or not self.quantitative:
            return current.status
        if self.closed:
            if self.met == self.count:
                return Status.DONE
            return Status.PARTLY_DONE if self.met or self.done else Status.NOT_DONE
        if self.missed or current.status == Status.BEHIND:
            return Status.BEHIND
        if self.met == self.count - 1 and current.status == Status.FULFILLED:
            return Status.FULFILLED
        if self.due == 0 and current.status == Status.NOT_STARTED:
            return Status.NOT_STARTED
        return Status.ON_TRACK

    @cached_property
    def completion(self) -> float | None:
        if not self.quantitative:
            return None
        if self.single:
            return self.current.completion
        return min(self.met / self.count, 1.0)

    @property
    def percent(self) -> int | None:
        value = self.completion
        return None if value is None else round(value * 100)

    @property
    def expected_floor(self) -> int | None:
        """What was due by ``on``: the periods ended, or the whole number due in the one
        period."""
        if not self.quantitative:
            return None
        return self.current.expected_floor if self.single else self.due

    @property
    def expected_percent(self) -> int | None:
        if not self.quantitative:
            return None
        if self.single:
            return self.current.expected_percent
        return round(self.due / self.count * 100)

    @property
    def remaining(self) -> int | None:
        """What is still to do in the current period (never below 0); None without a
        number."""
        if not self.quantitative or self.closed:
            return None
        return max(self.current.target - self.current.done, 0)

    @property
    def deadline(self) -> date | None:
        """The last day of the current period; None once every period has ended."""
        return None if self.closed else self.current.period.end

    @property
    def unassessed(self) -> bool:
        """A qualitative commitment with an ended period that has no verdict from the
        coordinators: Not assessed, and the dashboard asks for it."""
        return not self.quantitative and any(
            p.closed and p.status == Status.NOT_ASSESSED for p in self.periods
        )


def summarise(
    periods: list[Progress], on: date, count: int, *, open_ended: bool = False
) -> Summary:
    """The ``Summary`` of a commitment's periods (``periods``: the periods begun by ``on``,
    assessed as of then, oldest first; ``count``: how many the validity has). For a pledge
    valid until further notice (``open_ended``) the count is of the periods begun."""
    begun = [p for p in periods if p.period.start <= on] or periods[:1]
    current = next((p for p in begun if on in p.period), begun[-1])
    if open_ended:
        count = len(begun)
    return Summary(current=current, periods=tuple(begun), count=count, open_ended=open_ended)


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


def needs_justification(judged: Progress) -> bool:
    """True when the coordinators would justify the verdict of ``judged``, an ended target
    period, in a follow-up: every ended year, term, season or whole validity, but of the
    many weeks or months of a target only those whose target was missed (a met week needs
    no words; a tertial has about 17 weeks). A running period has no verdict yet."""
    if not judged.closed:
        return False
    if judged.period.kind in (TargetPeriod.WEEK, TargetPeriod.MONTH):
        return judged.status != Status.DONE
    return True


def period_to_follow_up(periods: list[Period], on: date) -> Period:
    """The reporting period whose follow-up is due as of ``on``: the latest that has
    ended (its follow-up is what the public waits for), else the first one, running or
    not yet begun."""
    ended = [p for p in periods if p.end < on]
    return ended[-1] if ended else periods[0]
