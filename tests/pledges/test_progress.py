"""The rules of targets and progress (SPEC §4), tested as plain functions.

No database: ``pledges.progress`` takes dates and counts explicitly, so nothing here
depends on today either.
"""

import calendar
import itertools
import math
from datetime import date, timedelta

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from pledges.progress import (
    CLOSED_STATUSES,
    RUNNING_STATUSES,
    Period,
    SiteProgress,
    Status,
    TargetPeriod,
    assess,
    capped_total,
    closed_status,
    completion,
    elapsed_share,
    expected_by,
    overall,
    period_for,
    running_status,
    school_days,
    school_terms,
    summarise,
    target_periods,
)

YEAR_2017 = Period(date(2017, 1, 1), date(2017, 12, 31), TargetPeriod.YEAR)
# School days in 2017: spring 10 Jan - 15 Jun is 157 days, autumn 20 Aug - 20 Dec is 123.
SPRING_2017_DAYS = 157
SCHOOL_DAYS_2017 = 280

# Better is higher. Adding a done activity may only move a status up this scale.
RUNNING_RANK = {Status.BEHIND: 0, Status.NOT_STARTED: 1, Status.ON_TRACK: 2, Status.FULFILLED: 3}
CLOSED_RANK = {Status.NOT_DONE: 0, Status.PARTLY_DONE: 1, Status.DONE: 2}

PROPERTY = settings(max_examples=200, deadline=None)


def spans(periods):
    return [(p.start, p.end) for p in periods]


def every_day(start, end):
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def in_a_school_term(day):
    return any(start <= day <= end for start, end in school_terms(day.year))


# --- target_periods ------------------------------------------------------------------


def test_year_periods_clip_the_first_year_of_a_pledge_from_1_march():
    periods = target_periods(date(2017, 3, 1), date(2017, 12, 31), TargetPeriod.YEAR)

    assert periods == [Period(date(2017, 3, 1), date(2017, 12, 31), TargetPeriod.YEAR)]
    assert periods[0].days == 306


def test_year_periods_are_the_years_of_the_pledge_counted_from_its_first_day():
    periods = target_periods(date(2017, 3, 1), date(2019, 2, 28), TargetPeriod.YEAR)

    assert spans(periods) == [
        (date(2017, 3, 1), date(2018, 2, 28)),
        (date(2018, 3, 1), date(2019, 2, 28)),
    ]
    assert all(p.kind == TargetPeriod.YEAR for p in periods)


def test_a_calendar_multi_year_pledge_has_calendar_years():
    periods = target_periods(date(2025, 1, 1), date(2026, 12, 31), TargetPeriod.YEAR)

    assert spans(periods) == [
        (date(2025, 1, 1), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2026, 12, 31)),
    ]


def test_a_winter_season_across_new_year_is_one_period():
    (season,) = target_periods(date(2025, 11, 1), date(2026, 3, 31), TargetPeriod.YEAR)

    assert (season.start, season.end) == (date(2025, 11, 1), date(2026, 3, 31))
    with translation.override("en"):
        assert season.label == "season 2025/26"


def test_terms_are_spring_and_autumn_with_no_summer_term():
    periods = target_periods(date(2017, 1, 1), date(2017, 12, 31), TargetPeriod.TERM)

    assert spans(periods) == [
        (date(2017, 1, 10), date(2017, 6, 15)),
        (date(2017, 8, 20), date(2017, 12, 20)),
    ]


def test_terms_are_clipped_to_the_validity():
    periods = target_periods(date(2017, 3, 1), date(2018, 2, 28), TargetPeriod.TERM)

    assert spans(periods) == [
        (date(2017, 3, 1), date(2017, 6, 15)),
        (date(2017, 8, 20), date(2017, 12, 20)),
        (date(2018, 1, 10), date(2018, 2, 28)),
    ]


def test_a_validity_ending_in_the_summer_holiday_has_no_summer_term():
    periods = target_periods(date(2017, 1, 1), date(2017, 7, 31), TargetPeriod.TERM)

    assert spans(periods) == [(date(2017, 1, 10), date(2017, 6, 15))]


def test_months_are_whole_calendar_months_and_february_of_a_leap_year_has_29_days():
    # January's middle (16th) is inside the validity, March's (16th) is not: its ten days
    # join February, the month whose middle they follow.
    periods = target_periods(date(2020, 1, 15), date(2020, 3, 10), TargetPeriod.MONTH)

    assert spans(periods) == [
        (date(2020, 1, 15), date(2020, 1, 31)),
        (date(2020, 2, 1), date(2020, 3, 10)),
    ]
    with translation.override("en"):
        assert [p.label for p in periods] == ["January 2020", "February 2020"]


def test_february_of_a_common_year_has_28_days():
    (february,) = target_periods(date(2019, 2, 1), date(2019, 2, 28), TargetPeriod.MONTH)

    assert february.days == 28


def test_a_full_year_has_twelve_month_periods():
    periods = target_periods(date(2017, 1, 1), date(2017, 12, 31), TargetPeriod.MONTH)

    assert [p.start for p in periods] == [date(2017, m, 1) for m in range(1, 13)]
    assert sum(p.days for p in periods) == 365


def test_weeks_are_whole_iso_weeks_belonging_where_their_thursday_is():
    # 1 January 2017 is a Sunday (its week's Thursday is in 2016), 18 January a
    # Wednesday (its week's Thursday is the 19th)
    # Wednesday): no two-day stubs; the odd days join the neighbouring week.
    periods = target_periods(date(2017, 1, 1), date(2017, 1, 18), TargetPeriod.WEEK)

    assert spans(periods) == [
        (date(2017, 1, 1), date(2017, 1, 8)),
        (date(2017, 1, 9), date(2017, 1, 18)),
    ]
    with translation.override("en"):
        assert [p.label for p in periods] == ["week 1, 2017", "week 2, 2017"]


@pytest.mark.parametrize(("year", "weeks"), [(2017, 52), (2020, 53), (2026, 53), (2027, 52)])
def test_a_calendar_year_has_its_52_or_53_iso_weeks(year, weeks):
    periods = target_periods(date(year, 1, 1), date(year, 12, 31), TargetPeriod.WEEK)

    assert len(periods) == weeks
    assert (periods[0].start, periods[-1].end) == (date(year, 1, 1), date(year, 12, 31))
    assert all(4 <= p.days <= 10 for p in periods)
    with translation.override("en"):
        assert [p.label for p in periods] == [f"week {n}, {year}" for n in range(1, weeks + 1)]


def test_a_week_spanning_new_year_is_one_period():
    periods = target_periods(date(2020, 12, 28), date(2021, 1, 10), TargetPeriod.WEEK)

    assert spans(periods) == [
        (date(2020, 12, 28), date(2021, 1, 3)),
        (date(2021, 1, 4), date(2021, 1, 10)),
    ]


def test_validity_target_is_one_period_over_the_whole_validity():
    periods = target_periods(date(2017, 3, 1), date(2019, 2, 28), TargetPeriod.VALIDITY)

    assert periods == [Period(date(2017, 3, 1), date(2019, 2, 28), TargetPeriod.VALIDITY)]


@pytest.mark.parametrize("kind", TargetPeriod.values)
def test_a_one_day_validity_inside_a_term_is_one_one_day_period(kind):
    day = date(2017, 3, 15)

    assert target_periods(day, day, kind) == [Period(day, day, kind)]


@pytest.mark.parametrize("kind", TargetPeriod.values)
def test_valid_to_before_valid_from_is_rejected(kind):
    with pytest.raises(ValueError, match="before"):
        target_periods(date(2017, 3, 1), date(2017, 2, 28), kind)


def test_an_unknown_target_period_is_rejected():
    with pytest.raises(ValueError, match="fortnight"):
        target_periods(date(2017, 1, 1), date(2017, 12, 31), "fortnight")


# --- Period ------------------------------------------------------------------------


def test_a_period_contains_both_of_its_ends_and_nothing_outside():
    period = Period(date(2017, 3, 1), date(2017, 3, 31), TargetPeriod.MONTH)

    assert date(2017, 3, 1) in period
    assert date(2017, 3, 31) in period
    assert date(2017, 2, 28) not in period
    assert date(2017, 4, 1) not in period
    assert period.days == 31


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "kind", "labels"),
    [
        (date(2017, 1, 1), date(2018, 12, 31), TargetPeriod.YEAR, ["2017", "2018"]),
        (date(2017, 7, 1), date(2018, 6, 30), TargetPeriod.YEAR, ["2017/18"]),
        (date(2025, 11, 1), date(2026, 3, 31), TargetPeriod.YEAR, ["season 2025/26"]),
        (
            date(2017, 3, 1),
            date(2017, 12, 31),
            TargetPeriod.TERM,
            ["spring term 2017", "autumn term 2017"],
        ),
        (
            date(2020, 1, 15),
            date(2020, 2, 29),
            TargetPeriod.MONTH,
            ["January 2020", "February 2020"],
        ),
        (
            date(2020, 12, 28),
            date(2021, 1, 10),
            TargetPeriod.WEEK,
            ["week 53, 2020", "week 1, 2021"],
        ),
        (
            date(2017, 3, 1),
            date(2019, 2, 28),
            TargetPeriod.VALIDITY,
            ["1 March 2017 – 28 February 2019"],
        ),
    ],
)
def test_period_labels(valid_from, valid_to, kind, labels):
    with translation.override("en"):
        assert [p.label for p in target_periods(valid_from, valid_to, kind)] == labels


# --- period_for --------------------------------------------------------------------

TERMS_2017 = target_periods(date(2017, 1, 1), date(2017, 12, 31), TargetPeriod.TERM)
SPRING_2017, AUTUMN_2017 = TERMS_2017


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        pytest.param(date(2017, 1, 1), SPRING_2017, id="before the first term"),
        pytest.param(date(2017, 1, 10), SPRING_2017, id="first day of spring"),
        pytest.param(date(2017, 4, 1), SPRING_2017, id="inside spring"),
        pytest.param(date(2017, 6, 15), SPRING_2017, id="last day of spring"),
        pytest.param(date(2017, 7, 1), SPRING_2017, id="summer: the term that has ended"),
        pytest.param(date(2017, 8, 19), SPRING_2017, id="day before autumn"),
        pytest.param(date(2017, 8, 20), AUTUMN_2017, id="first day of autumn"),
        pytest.param(date(2017, 10, 1), AUTUMN_2017, id="inside autumn"),
        pytest.param(date(2017, 12, 24), AUTUMN_2017, id="christmas holiday"),
        pytest.param(date(2018, 5, 1), AUTUMN_2017, id="after the last term"),
    ],
)
def test_period_for_terms(on, expected):
    assert period_for(TERMS_2017, on) == expected


def test_period_for_a_multi_year_pledge_picks_the_year_of_the_day():
    years = target_periods(date(2017, 3, 1), date(2019, 2, 28), TargetPeriod.YEAR)

    assert period_for(years, date(2016, 12, 31)) == years[0]
    assert period_for(years, date(2018, 2, 28)) == years[0]
    assert period_for(years, date(2018, 3, 1)) == years[1]
    assert period_for(years, date(2025, 1, 1)) == years[1]


# --- school_days -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        pytest.param(date(2017, 1, 1), date(2017, 12, 31), SCHOOL_DAYS_2017, id="a common year"),
        pytest.param(date(2020, 1, 1), date(2020, 12, 31), 281, id="a leap year"),
        pytest.param(date(2017, 6, 16), date(2017, 8, 19), 0, id="summer holiday"),
        pytest.param(date(2017, 12, 21), date(2018, 1, 9), 0, id="christmas holiday"),
        pytest.param(date(2017, 12, 15), date(2018, 1, 15), 12, id="across new year"),
        pytest.param(date(2017, 3, 15), date(2017, 3, 15), 1, id="one school day"),
    ],
)
def test_school_days(start, end, days):
    assert school_days(start, end) == days


# --- elapsed_share and expected_by -------------------------------------------------


def test_elapsed_share_includes_the_reporting_day():
    assert elapsed_share(YEAR_2017, date(2017, 1, 1)) == 1 / 365
    assert elapsed_share(YEAR_2017, date(2017, 7, 2)) == 183 / 365


def test_elapsed_share_of_a_leap_year_counts_366_days():
    leap_year = Period(date(2020, 1, 1), date(2020, 12, 31), TargetPeriod.YEAR)

    assert elapsed_share(leap_year, date(2020, 1, 1)) == 1 / 366
    assert elapsed_share(leap_year, date(2020, 12, 30)) == 365 / 366


@pytest.mark.parametrize("school_year", [False, True])
def test_elapsed_share_is_zero_before_the_period_and_one_from_its_last_day(school_year):
    assert elapsed_share(YEAR_2017, date(2016, 12, 31), school_year=school_year) == 0
    assert elapsed_share(YEAR_2017, date(2017, 12, 31), school_year=school_year) == 1
    assert elapsed_share(YEAR_2017, date(2018, 6, 1), school_year=school_year) == 1


@pytest.mark.parametrize(
    ("on", "share"),
    [
        pytest.param(date(2017, 1, 9), 0, id="before the first school day"),
        pytest.param(date(2017, 1, 10), 1 / SCHOOL_DAYS_2017, id="first school day"),
        pytest.param(
            date(2017, 6, 15), SPRING_2017_DAYS / SCHOOL_DAYS_2017, id="last day of spring"
        ),
        pytest.param(date(2017, 7, 15), SPRING_2017_DAYS / SCHOOL_DAYS_2017, id="summer holiday"),
        pytest.param(
            date(2017, 8, 19), SPRING_2017_DAYS / SCHOOL_DAYS_2017, id="day before autumn"
        ),
        pytest.param(
            date(2017, 8, 20), (SPRING_2017_DAYS + 1) / SCHOOL_DAYS_2017, id="first day of autumn"
        ),
        pytest.param(date(2017, 12, 21), 1, id="christmas holiday"),
    ],
)
def test_school_year_share_counts_school_days_only(on, share):
    assert elapsed_share(YEAR_2017, on, school_year=True) == pytest.approx(share)


def test_school_year_share_does_not_grow_during_the_summer_holiday():
    summer = every_day(date(2017, 6, 15), date(2017, 8, 19))

    shares = {elapsed_share(YEAR_2017, day, school_year=True) for day in summer}

    assert shares == {SPRING_2017_DAYS / SCHOOL_DAYS_2017}


def test_a_week_ending_in_the_summer_holiday_is_fully_due_after_its_last_school_day():
    # Monday 12 - Sunday 18 June 2017; the spring term ends on Thursday 15 June.
    week = Period(date(2017, 6, 12), date(2017, 6, 18), TargetPeriod.WEEK)

    assert elapsed_share(week, date(2017, 6, 14), school_year=True) == 3 / 4
    assert elapsed_share(week, date(2017, 6, 16), school_year=True) == 1
    assert elapsed_share(week, date(2017, 6, 16)) == 5 / 7


@pytest.mark.parametrize(
    "kind",
    [TargetPeriod.MONTH, TargetPeriod.WEEK],
)
def test_a_school_year_period_without_school_days_is_not_behind_on_its_first_day(kind):
    periods = target_periods(date(2017, 1, 1), date(2017, 12, 31), kind)
    period = period_for(periods, date(2017, 7, 10))  # July, or the week of 10-16 July
    assert school_days(period.start, period.end) == 0

    progress = assess(period=period, on=period.start, done=0, target=1, school_year=True)

    assert progress.status == Status.NOT_STARTED


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2016, 12, 1), 0),
        (date(2017, 1, 1), 4 / 365),
        (date(2017, 3, 15), 4 * 74 / 365),
        (date(2017, 12, 31), 4),
        (date(2018, 1, 1), 4),
    ],
)
def test_expected_by_scales_the_target_by_the_elapsed_share(on, expected):
    assert expected_by(4, YEAR_2017, on) == pytest.approx(expected)


# --- the SPEC's worked example: target 4 a year, 2017 --------------------------------


def test_worked_example_15_march_nothing_done_is_not_started():
    progress = assess(period=YEAR_2017, on=date(2017, 3, 15), done=0, target=4)

    assert progress.expected == pytest.approx(0.8, abs=0.05)
    assert progress.expected_floor == 0
    assert progress.status == Status.NOT_STARTED


def test_worked_example_15_may_nothing_done_is_behind():
    progress = assess(period=YEAR_2017, on=date(2017, 5, 15), done=0, target=4)

    assert progress.expected == pytest.approx(1.5, abs=0.05)
    assert progress.expected_floor == 1
    assert progress.status == Status.BEHIND


def test_worked_example_15_may_one_done_is_on_track():
    progress = assess(period=YEAR_2017, on=date(2017, 5, 15), done=1, target=4)

    assert progress.status == Status.ON_TRACK
    assert progress.completion == 0.25
    assert progress.percent == 25
    # The marker sits at the whole number due so far (1 of 4), as the text says.
    assert progress.expected_percent == 25


@pytest.mark.parametrize("on", [date(2017, 1, 1), date(2017, 5, 15), date(2017, 12, 31)])
@pytest.mark.parametrize("done", [4, 5])
def test_worked_example_target_reached_is_fulfilled(on, done):
    progress = assess(period=YEAR_2017, on=on, done=done, target=4)

    assert progress.status == Status.FULFILLED
    assert progress.completion == 1


def test_the_last_day_of_a_period_still_counts_as_running():
    progress = assess(period=YEAR_2017, on=date(2017, 12, 31), done=3, target=4)

    assert not progress.closed
    assert progress.status == Status.BEHIND


@pytest.mark.parametrize(
    ("done", "status"),
    [
        (5, Status.DONE),
        (4, Status.DONE),
        (3, Status.PARTLY_DONE),
        (1, Status.PARTLY_DONE),
        (0, Status.NOT_DONE),
    ],
)
def test_after_the_period_ends_the_verdict_is_done_partly_or_not(done, status):
    progress = assess(period=YEAR_2017, on=date(2018, 1, 1), done=done, target=4)

    assert progress.closed
    assert progress.status == status
    assert progress.status in CLOSED_STATUSES


def test_a_period_that_has_not_begun_is_not_started():
    progress = assess(period=YEAR_2017, on=date(2016, 6, 1), done=0, target=4)

    assert progress.expected == 0
    assert progress.status == Status.NOT_STARTED


def test_one_whole_activity_due_reads_behind_despite_float_rounding():
    # 49 * (1 / 49) is 0.999...9 in floating point; one activity is nonetheless due.
    validity = Period(date(2017, 3, 1), date(2017, 4, 18), TargetPeriod.VALIDITY)
    assert validity.days == 49

    progress = assess(period=validity, on=validity.start, done=0, target=49)

    assert progress.expected_floor == 1
    assert progress.status == Status.BEHIND


# --- running_status and closed_status ------------------------------------------------


@pytest.mark.parametrize(
    ("done", "target", "expected", "status"),
    [
        (0, 4, 0.0, Status.NOT_STARTED),
        (0, 4, 0.99, Status.NOT_STARTED),
        (0, 4, 1.0, Status.BEHIND),
        (1, 4, 0.5, Status.ON_TRACK),
        (1, 4, 1.0, Status.ON_TRACK),
        (1, 4, 1.99, Status.ON_TRACK),
        (1, 4, 2.0, Status.BEHIND),
        (2, 4, 2.5, Status.ON_TRACK),
        (3, 4, 4.0, Status.BEHIND),
        (4, 4, 4.0, Status.FULFILLED),
        (4, 4, 0.0, Status.FULFILLED),
        (9, 4, 1.0, Status.FULFILLED),
    ],
)
def test_running_status(done, target, expected, status):
    assert running_status(done, target, expected) == status


@pytest.mark.parametrize(
    ("done", "target", "status"),
    [
        (0, 1, Status.NOT_DONE),
        (1, 1, Status.DONE),
        (1, 2, Status.PARTLY_DONE),
        (3, 2, Status.DONE),
    ],
)
def test_closed_status(done, target, status):
    assert closed_status(done, target) == status


# --- per-site capping --------------------------------------------------------------


def test_three_visits_to_one_site_and_none_to_another_is_two_of_four():
    assert capped_total({"A": 3, "B": 0}, 2) == 2


def test_per_site_progress_counts_each_site_up_to_its_target():
    sites = [SiteProgress("A", 3, 2), SiteProgress("B", 0, 2)]
    done = capped_total({s.name: s.done for s in sites}, 2)

    progress = assess(
        period=YEAR_2017, on=date(2018, 1, 1), done=done, target=2 * len(sites), sites=sites
    )

    assert [s.counted for s in progress.sites] == [2, 0]
    assert progress.done == 2
    assert progress.completion == 0.5
    assert progress.status == Status.PARTLY_DONE


@pytest.mark.parametrize(
    ("done_per_site", "target", "total"),
    [
        ({}, 2, 0),
        ({"A": 1, "B": 2}, 2, 3),
        ({"A": 5, "B": 5, "C": 5}, 2, 6),
        ({"A": 0}, 1, 0),
    ],
)
def test_capped_total(done_per_site, target, total):
    assert capped_total(done_per_site, target) == total


def test_assess_without_sites_has_an_empty_site_table():
    assert assess(period=YEAR_2017, on=date(2017, 5, 1), done=1, target=4).sites == []


# --- completion and overall --------------------------------------------------------


@pytest.mark.parametrize(
    ("done", "target", "value"),
    [(0, 4, 0.0), (1, 4, 0.25), (4, 4, 1.0), (5, 4, 1.0), (1, 3, 1 / 3)],
)
def test_completion_is_done_over_target_capped_at_one(done, target, value):
    assert completion(done, target) == value


@pytest.mark.parametrize("target", [0, -1])
def test_completion_rejects_a_target_that_is_not_positive(target):
    with pytest.raises(ValueError, match="positive"):
        completion(1, target)


def test_percent_is_rounded_completion():
    progress = assess(period=YEAR_2017, on=date(2017, 5, 15), done=1, target=3)

    assert progress.percent == 33


def test_overall_is_the_mean_of_the_quantitative_completions():
    assert overall([0.5, None, 1.0]) == 0.75


def test_overall_counts_a_zero_completion():
    assert overall([0.0, None]) == 0.0
    assert overall([0.0, 1.0]) == 0.5


@pytest.mark.parametrize("completions", [[], [None], [None, None]])
def test_overall_is_none_without_quantitative_commitments(completions):
    assert overall(completions) is None


def test_overall_accepts_a_generator():
    assert overall(c for c in (0.25, 0.75)) == 0.5


# --- qualitative commitments -------------------------------------------------------


@pytest.mark.parametrize("on", [date(2017, 5, 15), date(2018, 1, 1)])
@pytest.mark.parametrize("done", [0, 7])
def test_an_unassessed_qualitative_commitment_is_not_assessed(on, done):
    progress = assess(period=YEAR_2017, on=on, done=done, target=None)

    assert progress.status == Status.NOT_ASSESSED


@pytest.mark.parametrize(
    ("on", "assessed"),
    [
        (date(2017, 5, 15), Status.ON_TRACK),
        (date(2017, 5, 15), Status.BEHIND),
        (date(2017, 5, 15), Status.FULFILLED),
        (date(2018, 1, 1), Status.DONE),
        (date(2018, 1, 1), Status.PARTLY_DONE),
        (date(2018, 1, 1), Status.NOT_DONE),
    ],
)
def test_a_qualitative_commitment_takes_the_coordinators_assessment(on, assessed):
    progress = assess(period=YEAR_2017, on=on, done=0, target=None, assessed_status=assessed.value)

    assert progress.status == assessed


@pytest.mark.parametrize(
    ("on", "assessed"),
    [(date(2017, 5, 15), Status.DONE), (date(2018, 1, 1), Status.ON_TRACK)],
)
def test_an_assessment_of_the_wrong_kind_for_the_period_is_not_shown(on, assessed):
    """A verdict while the period runs, or "on track" after it ended, means nothing."""
    progress = assess(period=YEAR_2017, on=on, done=0, target=None, assessed_status=assessed.value)

    assert progress.status == Status.NOT_ASSESSED


def test_done_is_only_evidence_for_a_qualitative_commitment():
    progress = assess(
        period=YEAR_2017, on=date(2018, 1, 1), done=7, target=None, assessed_status="not_done"
    )

    assert progress.status == Status.NOT_DONE
    assert progress.done == 7
    assert not progress.quantitative
    assert progress.expected is None
    assert progress.completion is None
    assert progress.percent is None
    assert progress.expected_floor is None
    assert progress.expected_percent is None


def test_overall_leaves_qualitative_commitments_out():
    quantitative = assess(period=YEAR_2017, on=date(2018, 1, 1), done=1, target=4)
    qualitative = assess(
        period=YEAR_2017, on=date(2018, 1, 1), done=0, target=None, assessed_status="done"
    )

    assert overall([quantitative.completion, qualitative.completion]) == 0.25


def test_an_unknown_assessed_status_is_rejected():
    with pytest.raises(ValueError, match="excellent"):
        assess(
            period=YEAR_2017,
            on=date(2017, 5, 15),
            done=0,
            target=None,
            assessed_status="excellent",
        )


# --- properties --------------------------------------------------------------------

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))
counts = st.integers(min_value=0, max_value=1_000)
targets = st.integers(min_value=1, max_value=500)
kinds = st.sampled_from(TargetPeriod.values)
contiguous_kinds = st.sampled_from(
    [TargetPeriod.YEAR, TargetPeriod.MONTH, TargetPeriod.WEEK, TargetPeriod.VALIDITY]
)


@st.composite
def validities(draw, max_days=3 * 366):
    start = draw(days)
    return start, start + timedelta(days=draw(st.integers(min_value=0, max_value=max_days)))


@st.composite
def periods_and_days(draw):
    """A target period of some pledge, and a reporting day near it."""
    valid_from, valid_to = draw(validities())
    periods = target_periods(valid_from, valid_to, draw(kinds))
    # A validity inside one summer holiday has no terms; fall back to the whole validity.
    period = draw(st.sampled_from(periods)) if periods else Period(valid_from, valid_to, "")
    on = period.start + timedelta(days=draw(st.integers(min_value=-30, max_value=period.days + 30)))
    return period, on


@PROPERTY
@given(done=counts, target=targets)
def test_completion_is_always_between_zero_and_one(done, target):
    assert 0 <= completion(done, target) <= 1


@PROPERTY
@given(done=counts, target=targets)
def test_one_more_done_activity_never_lowers_completion(done, target):
    assert completion(done + 1, target) >= completion(done, target)


@PROPERTY
@given(period_and_day=periods_and_days(), done=counts, target=targets, school_year=st.booleans())
def test_one_more_done_activity_never_worsens_the_status(period_and_day, done, target, school_year):
    period, on = period_and_day
    before = assess(period=period, on=on, done=done, target=target, school_year=school_year)
    after = assess(period=period, on=on, done=done + 1, target=target, school_year=school_year)

    rank = CLOSED_RANK if before.closed else RUNNING_RANK
    assert rank[after.status] >= rank[before.status]
    assert after.completion >= before.completion


@PROPERTY
@given(period_and_day=periods_and_days(), done=counts, target=targets, school_year=st.booleans())
def test_status_is_running_while_the_period_runs_and_a_verdict_after(
    period_and_day, done, target, school_year
):
    period, on = period_and_day

    progress = assess(period=period, on=on, done=done, target=target, school_year=school_year)

    statuses = CLOSED_STATUSES if on > period.end else RUNNING_STATUSES
    assert progress.status in statuses


@PROPERTY
@given(period_and_day=periods_and_days(), target=targets, school_year=st.booleans())
def test_not_yet_due_never_reads_as_behind(period_and_day, target, school_year):
    period, on = period_and_day
    progress = assess(period=period, on=on, done=0, target=target, school_year=school_year)

    if not progress.closed and math.floor(progress.expected) == 0:
        assert progress.status == Status.NOT_STARTED


@PROPERTY
@given(done=counts, target=targets, share=st.floats(min_value=0, max_value=1))
def test_behind_means_fewer_done_than_whole_activities_due(done, target, share):
    expected = target * share

    status = running_status(done, target, expected)

    if done == 0 and expected < 1:
        assert status == Status.NOT_STARTED
    if status == Status.BEHIND:
        assert math.floor(expected + 1e-9) >= 1
        assert done < math.floor(expected + 1e-9)


site_counts = st.dictionaries(st.text(min_size=1, max_size=3), counts, max_size=8)


@PROPERTY
@given(done_per_site=site_counts, target=targets)
def test_capped_total_is_bounded_by_raw_total_and_by_sites_times_target(done_per_site, target):
    total = capped_total(done_per_site, target)
    raw = sum(done_per_site.values())

    assert total <= raw
    assert total <= len(done_per_site) * target
    if all(done <= target for done in done_per_site.values()):
        assert total == raw


@PROPERTY
@given(done_per_site=site_counts.filter(bool), target=targets, data=st.data())
def test_one_more_visit_to_a_site_never_lowers_the_capped_total(done_per_site, target, data):
    site = data.draw(st.sampled_from(sorted(done_per_site)))
    more = {**done_per_site, site: done_per_site[site] + 1}

    assert capped_total(more, target) >= capped_total(done_per_site, target)


@PROPERTY
@given(validity=validities(), kind=st.sampled_from([TargetPeriod.YEAR, TargetPeriod.VALIDITY]))
def test_years_and_the_validity_cover_it_without_gaps_or_overlaps(validity, kind):
    valid_from, valid_to = validity

    periods = target_periods(valid_from, valid_to, kind)

    assert periods[0].start == valid_from
    assert periods[-1].end == valid_to
    for previous, following in itertools.pairwise(periods):
        assert following.start == previous.end + timedelta(days=1)
    assert all(p.kind == kind for p in periods)
    if kind == TargetPeriod.YEAR:
        assert all(p.days <= 366 for p in periods)


def anchors(start, end, kind):
    """The days that make a week or a month belong to a validity, between start and end:
    the Thursdays, or the middle day of each month."""
    days = every_day(start, end)
    if kind == TargetPeriod.WEEK:
        return [d for d in days if d.weekday() == 3]
    return [d for d in days if d.day == (calendar.monthrange(d.year, d.month)[1] + 1) // 2]


@PROPERTY
@given(validity=validities(), kind=st.sampled_from([TargetPeriod.WEEK, TargetPeriod.MONTH]))
def test_weeks_and_months_cover_the_validity_each_holding_one_thursday_or_middle(validity, kind):
    valid_from, valid_to = validity

    periods = target_periods(valid_from, valid_to, kind)

    assert periods[0].start == valid_from
    assert periods[-1].end == valid_to
    for previous, following in itertools.pairwise(periods):
        assert following.start == previous.end + timedelta(days=1)
    if not anchors(valid_from, valid_to, kind):
        assert periods == [Period(valid_from, valid_to, kind)]
        return
    for period in periods:
        assert len(anchors(period.start, period.end, kind)) == 1
        assert period.days <= (3 + 7 + 3 if kind == TargetPeriod.WEEK else 15 + 31 + 15)


@PROPERTY
@given(validity=validities())
def test_term_periods_are_exactly_the_school_days_of_the_validity(validity):
    valid_from, valid_to = validity

    periods = target_periods(valid_from, valid_to, TargetPeriod.TERM)

    if school_days(valid_from, valid_to) == 0:
        # No term day at all: the whole validity is judged as one period.
        assert periods == [Period(valid_from, valid_to, TargetPeriod.TERM)]
        return
    for previous, following in itertools.pairwise(periods):
        assert previous.end < following.start
    for period in periods:
        assert valid_from <= period.start <= period.end <= valid_to
        assert in_a_school_term(period.start)
        assert school_days(period.start, period.end) == period.days
    assert sum(p.days for p in periods) == school_days(valid_from, valid_to)


def test_school_year_months_without_school_days_are_no_periods():
    months = target_periods(
        date(2017, 1, 1), date(2017, 12, 31), TargetPeriod.MONTH, school_year=True
    )
    assert [p.start.month for p in months] == [1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12]


@PROPERTY
@given(validity=validities(max_days=800))
def test_school_days_counts_the_days_inside_the_terms(validity):
    assert school_days(*validity) == sum(1 for day in every_day(*validity) if in_a_school_term(day))


@PROPERTY
@given(validity=validities(), kind=kinds, on=days)
def test_period_for_is_the_period_of_the_day_or_the_last_one_begun(validity, kind, on):
    periods = target_periods(*validity, kind)
    if not periods:  # a validity inside one summer holiday has no terms
        return

    chosen = period_for(periods, on)

    assert chosen in periods
    if on < periods[0].start:
        assert chosen == periods[0]
    else:
        assert chosen.start <= on
        assert all(p.start > on for p in periods[periods.index(chosen) + 1 :])


@PROPERTY
@given(
    period_and_day=periods_and_days(),
    later=st.integers(min_value=0, max_value=400),
    target=targets,
    school_year=st.booleans(),
)
def test_expected_by_never_decreases_and_stays_within_the_target(
    period_and_day, later, target, school_year
):
    period, on = period_and_day
    now = expected_by(target, period, on, school_year=school_year)
    then = expected_by(target, period, on + timedelta(days=later), school_year=school_year)

    assert 0 <= now <= then <= target


@PROPERTY
@given(period_and_day=periods_and_days())
def test_school_year_share_equals_the_calendar_share_inside_a_term(period_and_day):
    period, on = period_and_day
    if school_days(period.start, period.end) != period.days:
        return

    assert elapsed_share(period, on, school_year=True) == pytest.approx(elapsed_share(period, on))


# --- Summary over a run of periods -----------------------------------------------------


@st.composite
def runs(draw):
    """A commitment's periods with done counts, a target and a reporting day."""
    valid_from, valid_to = draw(validities(max_days=2 * 366))
    periods = target_periods(valid_from, valid_to, draw(kinds))
    done = draw(st.lists(counts.map(lambda n: n % 8), min_size=len(periods), max_size=len(periods)))
    on = valid_from + timedelta(
        days=draw(st.integers(min_value=-10, max_value=(valid_to - valid_from).days + 40))
    )
    return periods, done, draw(st.integers(min_value=1, max_value=6)), on


def summary_of(periods, done, target, on):
    begun = [p for p in periods if p.start <= on] or periods[:1]
    return summarise(
        [assess(period=p, on=on, done=d, target=target) for p, d in zip(begun, done, strict=False)],
        on,
        len(periods),
    )


@PROPERTY
@given(run=runs())
def test_the_summary_never_reports_more_periods_met_than_due(run):
    summary = summary_of(*run)

    assert 0 <= summary.met <= summary.due <= summary.count
    assert 0 <= summary.completion <= 1
    assert len(summary.missed) == summary.due - summary.met
    if summary.missed and not summary.closed:
        assert summary.status == Status.BEHIND
    statuses = CLOSED_STATUSES if summary.closed else RUNNING_STATUSES
    assert summary.status in statuses


@PROPERTY
@given(run=runs(), data=st.data())
def test_one_more_done_activity_never_lowers_the_summary(run, data):
    periods, done, target, on = run
    before = summary_of(periods, done, target, on)
    index = data.draw(st.integers(min_value=0, max_value=len(before.periods) - 1))
    more = [d + 1 if i == index else d for i, d in enumerate(done)]

    after = summary_of(periods, more, target, on)

    assert after.completion >= before.completion
    assert after.met >= before.met
    assert after.done == before.done + 1
    rank = CLOSED_RANK if before.closed else RUNNING_RANK
    assert rank[after.status] >= rank[before.status]


def test_a_single_missed_past_week_is_behind_plan_at_once():
    weeks = target_periods(date(2026, 1, 1), date(2026, 12, 31), TargetPeriod.WEEK)
    # Monday of week 3: weeks 1-2 ended, week 2 missed.
    on = date(2026, 1, 12)
    summary = summary_of(weeks, [1, 0, 0], 1, on)

    assert (summary.met, summary.due, summary.count) == (1, 2, 53)
    assert summary.status == Status.BEHIND
    assert [p.period.label for p in summary.missed] == [weeks[1].label]


def test_a_pledge_from_29_february_has_whole_years():
    periods = target_periods(date(2024, 2, 29), date(2027, 2, 28), TargetPeriod.YEAR)

    assert spans(periods) == [
        (date(2024, 2, 29), date(2025, 2, 28)),
        (date(2025, 3, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2027, 2, 28)),
    ]
