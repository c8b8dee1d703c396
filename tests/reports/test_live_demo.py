"""The demo is alive on any day it is seeded: Åsele's pledge for the current year reads
Enligt plan and Efter plan, has a promise not yet due and the expected-by-today marker,
and continues the 2017 → 2018 chain without overlap (issue 11, points 2 and 9)."""

import re
from datetime import date, timedelta
from itertools import pairwise

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command

from pledges.demo import LIVE_COMMITMENTS, live_activities
from pledges.models import Activity, Commitment, Pledge
from pledges.progress import (
    Status,
    TargetPeriod,
    assess,
    summarise,
    target_periods,
)

DAYS = [
    date(2027, 1, 1),
    date(2027, 1, 2),
    date(2027, 1, 31),
    date(2027, 6, 15),
    date(2027, 12, 31),
    date(2028, 2, 29),
    date(2028, 12, 30),
]


def every_day(year):
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


@pytest.mark.parametrize("year", [2027, 2028])
def test_live_activities_hold_their_statuses_on_every_day_of_a_year(year):
    """Without a database: the rules of progress over the activities seeded on each day."""
    valid_from, valid_to = date(year, 1, 1), date(year, 12, 31)
    (whole_year,) = target_periods(valid_from, valid_to, TargetPeriod.YEAR)
    months = target_periods(valid_from, valid_to, TargetPeriod.MONTH)
    for today in every_day(year):
        activities = live_activities(today, valid_from, valid_to)
        assert all(valid_from <= a.date <= valid_to for a in activities)
        assert all(a.date <= today for a in activities if a.status == "done")
        assert all(a.date >= today for a in activities if a.status == "planned")
        done = [a for a in activities if a.status == "done"]

        vehicles = sum(a.vehicles for a in done if a.position == 1)
        traffic = assess(period=whole_year, on=today, done=vehicles, target=1500)
        assert traffic.status == Status.BEHIND, today
        assert traffic.expected_floor > 0

        walk = assess(period=whole_year, on=today, done=0, target=1)
        assert walk.status == (Status.BEHIND if today == valid_to else Status.NOT_STARTED)

        begun = [
            assess(
                period=month,
                on=today,
                done=sum(1 for a in done if a.position == 6 and a.date in month),
                target=1,
            )
            for month in months
            if month.start <= today
        ]
        presence = summarise(begun, today, len(months)).status
        assert presence == (Status.FULFILLED if today == valid_to else Status.ON_TRACK), today


def sections(html):
    """The text of each promise's section of a year page, by its published number."""
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    parts = re.split(r"Löfte (\d+) – ansvarig:", text)
    return {int(number): body for number, body in zip(parts[1::2], parts[2::2], strict=True)}


def assert_valid_chain():
    chain = list(Pledge.objects.filter(municipality__code="2463").order_by("valid_from"))
    for earlier, later in pairwise(chain):
        assert later.revises_id == earlier.pk
        assert earlier.valid_to < later.valid_from
        assert earlier.status == Pledge.State.SUPERSEDED
        carried = set(later.commitments.exclude(previous=None).values_list("previous", flat=True))
        dropped = set(later.dropped.values_list("commitment", flat=True))
        assert set(earlier.commitments.values_list("pk", flat=True)) == carried | dropped
    assert chain[-1].status == Pledge.State.PUBLISHED
    return chain


@pytest.mark.parametrize("today", DAYS, ids=str)
def test_the_demo_shows_a_pledge_in_progress_on_any_day(client, settings, empty_db, today):
    settings.DEBUG = True
    with time_machine.travel(today, tick=False):
        call_command("seed_demo")
        response = client.get(f"/kommun/asele/{today.year}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Demoinnehåll" in html
    assert 'class="bar-marker"' in html
    promises = sections(html)
    assert sorted(promises) == [1, 2, 3, 5, 6]
    # The traffic promise is behind, with what was expected by today.
    assert "Efter plan" in promises[1]
    assert "Förväntat hittills" in promises[1]
    assert "Enligt plan" in promises[2]
    if today.month == 12 and today.day == 31:
        # The last day: the walk falls due, the monthly promise is fulfilled.
        assert "Efter plan" in promises[5]
        assert "Uppfyllt" in promises[6]
    else:
        assert "Ej påbörjat" in promises[5]
        assert "1 återstår" in promises[5]
        assert "Enligt plan" in promises[6]

    chain = assert_valid_chain()
    assert [p.valid_from.year for p in chain] == [2017, 2018, today.year]
    current = chain[-1]
    assert current.is_demo
    assert (current.valid_from, current.valid_to) == (
        date(today.year, 1, 1),
        date(today.year, 12, 31),
    )
    assert not Activity.objects.filter(
        commitment__pledge=current, status=Activity.Status.DONE, date__gt=today
    ).exists()
    assert Activity.objects.filter(
        commitment__pledge=current, status=Activity.Status.PLANNED
    ).exists()
    changes = dict(current.commitments.values_list("position", "change"))
    assert changes == {
        1: Commitment.Change.REVISED,
        2: Commitment.Change.CONTINUED,
        3: Commitment.Change.CONTINUED,
        5: Commitment.Change.REVISED,
        6: Commitment.Change.NEW,
    }
    assert all(c.change_note for c in current.commitments.filter(change=Commitment.Change.REVISED))


def test_seeding_again_changes_nothing_and_a_later_year_extends_the_chain(settings, empty_db):
    settings.DEBUG = True

    def counts():
        return (Pledge.objects.count(), Commitment.objects.count(), Activity.objects.count())

    with time_machine.travel(date(2027, 3, 1), tick=False):
        call_command("seed_demo")
        before = counts()
        call_command("seed_demo")
        assert counts() == before
    with time_machine.travel(date(2027, 9, 1), tick=False):
        # Later in the same year: the pledge stays as it was made.
        call_command("seed_demo")
        assert counts() == before
    with time_machine.travel(date(2028, 1, 2), tick=False):
        call_command("seed_demo")
        call_command("seed_demo")
    chain = assert_valid_chain()
    assert [p.valid_from.year for p in chain] == [2017, 2018, 2027, 2028]
    latest = chain[-1]
    # Carried on from 2027 as it was: nothing new, nothing revised.
    assert set(latest.commitments.values_list("change", flat=True)) == {Commitment.Change.CONTINUED}
    assert set(latest.commitments.values_list("position", flat=True)) == set(LIVE_COMMITMENTS)


def test_demo_users_can_log_activities_for_the_current_pledge(client, demo_pledge):
    current = Pledge.objects.filter(municipality=demo_pledge.municipality).latest("valid_from")
    assert current.status == Pledge.State.PUBLISHED
    for username, position in (("polis", 1), ("kommun", 5), ("admin", 6)):
        client.force_login(get_user_model().objects.get(username=username))
        commitment = current.commitments.get(position=position)
        response = client.get(f"/samordnare/aktiviteter/ny/?commitment={commitment.pk}")
        assert response.status_code == 200, username
