"""seed_scale: synthetic national-scale data, at a tiny scale on the test database (which
holds the reference data and the Åsele demo)."""

import random
from datetime import date
from io import StringIO
from itertools import pairwise

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db.models import Count

from dialogues.models import Concern, Dialogue
from places.models import Site
from pledges.models import Activity, Commitment, FollowUp, Measurement, PeriodVerdict, Pledge
from pledges.progress import TargetKind, TargetPeriod
from reports import scale
from tests.world import TODAY

pytestmark = pytest.mark.django_db

# Stockholm, Göteborg, Malmö (valid until further notice) and two more, the first of
# them with winter pledges.
MUNICIPALITIES = 5


def seed(*options, **kwargs):
    out = StringIO()
    with time_machine.travel(TODAY, tick=False):
        call_command(
            "seed_scale", "--scale=0.002", f"--municipalities={MUNICIPALITIES}", *options,
            stdout=out, **kwargs,
        )  # fmt: skip
    return out.getvalue()


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    return seed()


def synthetic_pledges():
    return Pledge.objects.filter(title__startswith=scale.PLEDGE_PREFIX)


def synthetic_commitments():
    return Commitment.objects.filter(pledge__in=synthetic_pledges())


def synthetic_activities():
    return Activity.objects.filter(commitment__in=synthetic_commitments())


def test_every_target_shape_of_the_spec(seeded):
    commitments = synthetic_commitments().annotate(sites=Count("target_sites"))

    def some(**lookup):
        return commitments.filter(**lookup).exists()

    assert some(target_kind=TargetKind.COUNT, target_period=TargetPeriod.YEAR, sites=0)
    assert some(target_kind=TargetKind.PER_SITE, target_period=TargetPeriod.YEAR, sites__gt=1)
    assert some(target_kind=TargetKind.COVERAGE, target_value=1, sites__gt=0)
    assert some(target_kind=TargetKind.QUALITATIVE, target_value__isnull=True)
    assert some(target_kind=TargetKind.COUNT, target_period=TargetPeriod.WEEK)
    assert some(target_kind=TargetKind.COUNT, target_period=TargetPeriod.MONTH)
    assert some(
        target_kind=TargetKind.COUNT, target_period=TargetPeriod.TERM, school_year_only=True
    )
    # Place-bound: only activities at the target sites count.
    assert some(target_kind=TargetKind.COUNT, target_period=TargetPeriod.YEAR, sites__gt=0)
    # A sum of a measured quantity, with the measurements.
    quantity = commitments.filter(target_kind=TargetKind.QUANTITY).first()
    assert Measurement.objects.filter(
        activity__commitment=quantity, quantity=quantity.quantity
    ).exists()
    # A multi-year pledge with a target per year.
    multi_year = [
        p for p in synthetic_pledges().exclude(valid_to=None) if p.valid_to.year > p.valid_from.year
    ]
    assert any(
        c.target_period == TargetPeriod.YEAR for p in multi_year for c in p.commitments.all()
    )
    # The winter season, 1 November - 31 March, judged as one period.
    winter = synthetic_pledges().filter(valid_from__month=11, valid_from__day=1)
    assert winter.exists()
    assert all(p.valid_to == date(p.valid_from.year + 1, 3, 31) for p in winter)
    assert some(pledge__in=winter, target_period=TargetPeriod.VALIDITY)
    # Valid until further notice.
    assert synthetic_pledges().filter(valid_to=None, status=Pledge.State.PUBLISHED).exists()


def test_each_municipality_has_a_chain_of_revisions_through_ten_years(seeded):
    by_municipality = {}
    for pledge in synthetic_pledges().order_by("valid_from"):
        by_municipality.setdefault(pledge.municipality_id, []).append(pledge)
    assert len(by_municipality) == MUNICIPALITIES
    for chain in by_municipality.values():
        assert chain[0].revises is None
        assert all(later.revises == earlier for earlier, later in pairwise(chain))
        assert {p.status for p in chain[:-1]} <= {Pledge.State.SUPERSEDED}
        assert chain[-1].status == Pledge.State.PUBLISHED
        assert chain[-1].covers(TODAY)
        for year in range(2017, TODAY.year + 1):
            assert any(p.valid_from.year <= year <= p.end(TODAY).year for p in chain), year
        for pledge in chain:
            pledge.full_clean()


def test_done_activities_are_dated_up_to_today_and_planned_ones_may_come(seeded):
    activities = synthetic_activities()
    assert activities.count() > 1000
    done = activities.filter(status=Activity.Status.DONE)
    assert not done.filter(date__gt=TODAY).exists()
    assert not done.filter(end_date__gt=TODAY).exists()
    assert activities.filter(status=Activity.Status.CANCELLED, date__lte=TODAY).exists()
    assert activities.filter(status=Activity.Status.PLANNED, date__gt=TODAY).exists()
    # Each activity passes the rules of the activity form (in its pledge, at one of the
    # target sites of a per-site promise, not done in the future).
    sample = random.Random(1).sample(list(activities.select_related("commitment__pledge")), 200)
    with time_machine.travel(TODAY, tick=False):
        for activity in sample:
            activity.full_clean()


def test_everything_is_marked_synthetic_and_the_demo_is_untouched(seeded):
    assert not synthetic_pledges().filter(is_demo=False).exists()
    assert not Site.objects.filter(name__startswith="Syntetisk", is_demo=False).exists()
    dialogues = Dialogue.objects.filter(title__startswith="Syntetisk")
    assert dialogues.exists()
    assert not dialogues.filter(is_demo=False).exists()
    assert Concern.objects.filter(dialogue__in=dialogues.published()).exists()
    assert FollowUp.objects.filter(
        commitment__in=synthetic_commitments(), is_published=True
    ).exists()
    assert PeriodVerdict.objects.filter(
        commitment__in=synthetic_commitments(), is_published=True
    ).exists()
    demo = Pledge.objects.filter(municipality__slug="asele")
    assert demo.count() == 3  # 2017, 2018 and the session's current year
    assert not demo.filter(title__startswith=scale.PLEDGE_PREFIX).exists()
    assert "Created in" in seeded


def test_the_public_pages_show_the_synthetic_pledges(seeded, client):
    with time_machine.travel(TODAY, tick=False):
        page = client.get(f"/kommun/stockholm/{TODAY.year}/")
        assert page.status_code == 200
        assert scale.PLEDGE_PREFIX in page.content.decode()
        pledge = synthetic_pledges().get(municipality__slug="stockholm", status="published")
        assert client.get(f"/api/v1/pledges/{pledge.pk}/").status_code == 200


def test_a_second_run_does_nothing_and_reset_makes_the_same_again(seeded):
    counts = (synthetic_pledges().count(), synthetic_activities().count())
    assert "already loaded" in seed()
    assert (synthetic_pledges().count(), synthetic_activities().count()) == counts
    output = seed("--reset")
    assert "Deleted" in output
    assert (synthetic_pledges().count(), synthetic_activities().count()) == counts
    assert Site.objects.filter(name="Syntetisk skola 1", municipality__slug="stockholm").count()


def test_it_calls_rebuild_progress_when_there_is_one(settings, monkeypatch):
    settings.DEBUG = True
    calls = []
    module = "reports.management.commands.seed_scale"
    monkeypatch.setattr(f"{module}.get_commands", lambda: {"rebuild_progress": "pledges"})
    monkeypatch.setattr(f"{module}.call_command", lambda name, **kwargs: calls.append(name))
    seed("--municipalities=1")
    assert calls == ["rebuild_progress"]


def test_it_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        seed()
    assert not synthetic_pledges().exists()
