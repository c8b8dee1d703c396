"""The rules of the follow-up of a reporting period: which verdicts ask for a
justification, and which period's follow-up is due. Plain functions, no database."""

from datetime import date

import pytest

from pledges.progress import (
    Period,
    ReportingCadence,
    TargetPeriod,
    assess,
    needs_justification,
    period_to_follow_up,
    reporting_periods,
    target_periods,
)

ON = date(2026, 11, 27)


def judged(kind, done, *, on=ON, valid=(date(2026, 1, 1), date(2026, 12, 31))):
    """The first period of ``kind`` in ``valid``, judged as of ``on`` with ``done`` of 1."""
    period = target_periods(*valid, kind)[0]
    return assess(period=period, on=on, done=done, target=1)


@pytest.mark.parametrize("kind", [TargetPeriod.WEEK, TargetPeriod.MONTH])
def test_of_weeks_and_months_only_the_missed_ask_for_words(kind):
    assert needs_justification(judged(kind, 0))
    assert not needs_justification(judged(kind, 1))


@pytest.mark.parametrize("kind", [TargetPeriod.YEAR, TargetPeriod.TERM, TargetPeriod.VALIDITY])
def test_every_ended_year_term_and_validity_asks_for_words(kind):
    assert needs_justification(judged(kind, 1, on=date(2027, 1, 15)))
    assert needs_justification(judged(kind, 0, on=date(2027, 1, 15)))


@pytest.mark.parametrize("kind", list(TargetPeriod))
def test_a_running_period_asks_for_no_verdict(kind):
    assert not needs_justification(judged(kind, 0, on=date(2026, 1, 1)))


def test_a_qualitative_ended_period_asks_for_words():
    period = Period(date(2026, 1, 1), date(2026, 12, 31), TargetPeriod.YEAR)
    assert needs_justification(assess(period=period, on=date(2027, 1, 2), done=0, target=None))


def tertials(first=date(2026, 1, 1), last=date(2026, 12, 31)):
    return reporting_periods(first, last, ReportingCadence.TERTIAL)


def test_the_follow_up_due_is_of_the_latest_ended_period():
    assert period_to_follow_up(tertials(), ON).start == date(2026, 5, 1)
    assert period_to_follow_up(tertials(), date(2026, 9, 1)).start == date(2026, 5, 1)
    # The day after the last one ended, the last one.
    assert period_to_follow_up(tertials(), date(2027, 1, 1)).start == date(2026, 9, 1)


def test_before_any_period_has_ended_the_first_is_due():
    assert period_to_follow_up(tertials(), date(2026, 3, 1)).start == date(2026, 1, 1)
    assert period_to_follow_up(tertials(), date(2025, 6, 1)).start == date(2026, 1, 1)
