"""The done counts (ProgressCount) equal a recount of the activities after every write,
on every path: the services, the Django admin and its inline, a history revert, a change
of a commitment's or pledge's periods; rebuild_progress --check finds any difference."""

import contextlib
from collections import Counter
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pledges import progress
from pledges.models import Activity, Commitment, Measurement, ProgressCount
from pledges.selectors import progress_count_differences, progress_rows
from pledges.services import activity_cancel, activity_save
from tests.pledges.factories import (
    ActivityFactory,
    CommitmentFactory,
    MunicipalityFactory,
    PledgeFactory,
    SiteFactory,
)
from tests.world import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_today")]


def differences():
    return progress_count_differences(Commitment.objects.select_related("pledge"))


def naive_counts(commitments, today):
    """Done activities dated by ``today`` per (commitment, period start, site), counted
    one by one over the periods as of ``today``: the figures before the read model."""
    counts = Counter()
    for activity in Activity.objects.public(today).filter(commitment__in=commitments):
        commitment = activity.commitment
        period = progress.containing(commitment.target_periods(today), activity.date)
        if period is not None:
            counts[commitment.pk, period.start, activity.site_id] += 1
    return counts


def read_counts(commitments, today):
    rows = progress_rows({c.pk: c.target_periods(today) for c in commitments}, today=today)
    counts = Counter()
    for commitment_id, periods in rows.items():
        for period_start, period_rows in periods.items():
            for site_id, n, _quantity in period_rows:
                counts[commitment_id, period_start, site_id] += n
    return +counts


@pytest.fixture
def shapes():
    """Commitments of every period shape, in one municipality with two places: a year, a
    per-site target, a measured quantity, weeks, months, school terms, a winter season
    across New Year and a pledge valid until further notice."""
    municipality = MunicipalityFactory()
    sites = SiteFactory.create_batch(2, municipality=municipality)
    year = PledgeFactory(
        municipality=municipality, valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31)
    )
    season = PledgeFactory(
        municipality=municipality, valid_from=date(2024, 11, 1), valid_to=date(2025, 3, 31)
    )
    open_ended = PledgeFactory(
        municipality=municipality, valid_from=date(2025, 4, 1), valid_to=None, draft=True
    )
    commitments = [
        CommitmentFactory(pledge=year),
        CommitmentFactory(pledge=year, per_site=True),
        CommitmentFactory(pledge=year, quantity_sum=True),
        CommitmentFactory(pledge=year, target_period="week", target_value=1),
        CommitmentFactory(pledge=year, target_period="month", target_value=1),
        CommitmentFactory(pledge=year, target_period="term", school_year_only=True),
        CommitmentFactory(pledge=season),
        CommitmentFactory(pledge=open_ended, target_period="week", target_value=1),
    ]
    commitments[1].target_sites.set(sites)
    return commitments, sites


ACTIVITY = st.integers(0, 40)
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(
            st.just("create"),
            st.integers(0, 7),
            st.integers(0, 800),
            st.integers(0, 2),
            st.sampled_from(["done", "done", "planned"]),
            st.none() | st.integers(1, 60),
        ),
        st.tuples(st.just("date"), ACTIVITY, st.integers(0, 800)),
        st.tuples(st.just("site"), ACTIVITY, st.integers(0, 2)),
        st.tuples(st.just("status"), ACTIVITY, st.sampled_from(["done", "planned"])),
        st.tuples(st.just("commitment"), ACTIVITY, st.integers(0, 7)),
        st.tuples(st.just("cancel"), ACTIVITY),
        st.tuples(
            st.just("measure"),
            ACTIVITY,
            st.sampled_from(["vehicles_checked", "breath_tests"]),
            st.none() | st.integers(1, 60),
        ),
    ),
    min_size=1,
    max_size=25,
)


def day_in(pledge, offset):
    """A day of the pledge's validity (its first 800 days if it has no end)."""
    last = pledge.valid_to or pledge.valid_from + timedelta(days=800)
    return pledge.valid_from + timedelta(days=offset % ((last - pledge.valid_from).days + 1))


def apply(operation, commitments, sites, created):
    """Carry out one write through the services; refused writes change nothing."""
    kind, *args = operation
    place = [None, *sites]
    if kind == "create":
        index, offset, site, status, value = args
        commitment = commitments[index]
        activity = activity_save(
            user=None,
            values={
                "commitment": commitment,
                "status": status,
                "date": day_in(commitment.pledge, offset),
                "site": place[site],
            },
            organisations=[],
            measurements={"vehicles_checked": value} if value else {},
        )
        created.append(activity.pk)
        return
    if not created:
        return
    activity = Activity.objects.select_related("commitment__pledge").get(
        pk=created[args[0] % len(created)]
    )
    if kind == "cancel":
        activity_cancel(activity=activity, expected_version=activity.version)
        return
    values, measurements = {}, {}
    if kind == "date":
        values["date"] = day_in(activity.commitment.pledge, args[1])
    elif kind == "site":
        values["site"] = place[args[1]]
    elif kind == "status":
        values["status"] = args[1]
    elif kind == "commitment":
        values["commitment"] = commitments[args[1]]
    else:
        measurements[args[1]] = args[2]
    activity_save(
        user=None,
        values=values,
        organisations=[],
        measurements=measurements,
        activity=activity,
        expected_version=activity.version,
    )


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=OPERATIONS)
def test_after_any_writes_through_the_services_the_counts_equal_a_recount(shapes, operations):
    commitments, sites = shapes
    with transaction.atomic():
        created = []
        for operation in operations:
            with contextlib.suppress(ValidationError):
                apply(operation, commitments, sites, created)
        assert differences() == []
        # And what the pages read from them is what counting activities one by one gives.
        assert read_counts(commitments, TODAY) == naive_counts(commitments, TODAY)
        transaction.set_rollback(True)


def test_the_counts_are_per_period_and_site_with_the_measured_sum(shapes):
    commitments, sites = shapes
    quantity = commitments[2]
    for day, site, value in ((date(2026, 2, 1), sites[0], 10), (date(2026, 3, 1), None, 5)):
        activity = ActivityFactory(commitment=quantity, date=day, site=site)
        Measurement.objects.create(activity=activity, quantity_id="vehicles_checked", value=value)
        Measurement.objects.create(activity=activity, quantity_id="breath_tests", value=99)
    ActivityFactory(commitment=quantity, date=date(2026, 3, 2), status="planned")
    rows = ProgressCount.objects.filter(commitment=quantity).values_list(
        "period_start", "site", "done", "quantity"
    )
    assert set(rows) == {
        (date(2026, 1, 1), None, 1, 5),
        (date(2026, 1, 1), sites[0].pk, 1, 10),
    }


def test_a_winter_season_is_one_row_across_new_year(shapes):
    commitments, _sites = shapes
    season = commitments[6]
    ActivityFactory(commitment=season, date=date(2024, 12, 20))
    ActivityFactory(commitment=season, date=date(2025, 2, 10))
    assert list(
        ProgressCount.objects.filter(commitment=season).values_list("period_start", "done")
    ) == [(date(2024, 11, 1), 2)]


def test_a_summer_day_of_a_term_target_is_in_no_row(shapes):
    commitments, _sites = shapes
    ActivityFactory(commitment=commitments[5], date=date(2026, 7, 10))
    assert not ProgressCount.objects.filter(commitment=commitments[5]).exists()
    assert differences() == []


def test_a_week_across_new_year_of_a_pledge_valid_until_further_notice(shapes):
    """30 December 2025 is in ISO week 1 of 2026 (its Thursday is 1 January): counted
    there, although a page in 2025 would not have shown that week yet."""
    commitments, _sites = shapes
    weekly = commitments[7]
    ActivityFactory(commitment=weekly, date=date(2025, 12, 30))
    assert list(ProgressCount.objects.filter(commitment=weekly).values_list("period_start")) == [
        (date(2025, 12, 29),)
    ]
    assert read_counts([weekly], TODAY) == naive_counts([weekly], TODAY)


def test_a_change_of_a_draft_commitments_periods_recounts_it(shapes):
    commitments, _sites = shapes
    weekly = commitments[7]
    for day in (date(2025, 5, 5), date(2025, 5, 6), date(2025, 9, 1)):
        ActivityFactory(commitment=weekly, date=day)
    assert ProgressCount.objects.filter(commitment=weekly).count() == 2
    weekly.target_period = "month"
    weekly.save()
    assert differences() == []
    assert ProgressCount.objects.filter(commitment=weekly).count() == 2
    weekly.target_period = "year"
    weekly.save()
    assert list(ProgressCount.objects.filter(commitment=weekly).values_list("done")) == [(3,)]


def test_a_change_of_a_pledges_validity_recounts_its_commitments(shapes):
    commitments, _sites = shapes
    weekly = commitments[7]
    ActivityFactory(commitment=weekly, date=date(2025, 6, 4))
    pledge = weekly.pledge
    # From Friday 6 June the week of 4 June (its Thursday the 5th) is not in the
    # validity: no row.
    pledge.valid_from = date(2025, 6, 6)
    pledge.save()
    assert differences() == []
    assert not ProgressCount.objects.filter(commitment=weekly).exists()


def test_deleting_activities_and_measurements_recounts(shapes):
    commitments, _sites = shapes
    activity = ActivityFactory(commitment=commitments[2], date=date(2026, 4, 1))
    measurement = Measurement.objects.create(
        activity=activity, quantity_id="vehicles_checked", value=7
    )
    assert ProgressCount.objects.get(commitment=commitments[2]).quantity == 7
    measurement.delete()
    assert ProgressCount.objects.get(commitment=commitments[2]).quantity == 0
    Measurement.objects.create(activity=activity, quantity_id="vehicles_checked", value=3)
    activity.delete()
    assert not ProgressCount.objects.filter(commitment=commitments[2]).exists()
    assert differences() == []


def test_an_edit_of_what_does_not_count_recounts_nothing(shapes):
    commitments, _sites = shapes
    activity = ActivityFactory(commitment=commitments[0], date=date(2026, 4, 1))
    activity.public_summary = "Ny text"
    with CaptureQueriesContext(connection) as queries:
        activity.save()
    assert not [q for q in queries if "progresscount" in q["sql"]]


class TestAdmin:
    @pytest.fixture
    def admin(self, client):
        client.force_login(get_user_model().objects.create_superuser("root", password="pw"))
        return client

    def test_an_admin_edit_with_its_measurement_inline_keeps_the_counts(self, admin, shapes):
        commitments, _sites = shapes
        activity = ActivityFactory(commitment=commitments[2], date=date(2026, 4, 1))
        url = f"/admin/pledges/activity/{activity.pk}/change/"
        form = admin.get(url).context["adminform"].form
        response = admin.post(
            url,
            {
                "commitment": commitments[2].pk,
                "status": "done",
                "date": "2026-06-01",
                "public_summary": "Flyttad",
                "internal_notes": "",
                "loaded_version": form["loaded_version"].value(),
                "measurements-TOTAL_FORMS": "1",
                "measurements-INITIAL_FORMS": "0",
                "measurements-0-quantity": "vehicles_checked",
                "measurements-0-value": "17",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        assert Activity.objects.get(pk=activity.pk).date == date(2026, 6, 1)
        assert ProgressCount.objects.get(commitment=commitments[2]).quantity == 17
        assert differences() == []

    def test_an_admin_deletion_keeps_the_counts(self, admin, shapes):
        commitments, _sites = shapes
        activity = ActivityFactory(commitment=commitments[0], date=date(2026, 4, 1))
        Measurement.objects.create(activity=activity, quantity_id="vehicles_checked", value=2)
        response = admin.post(f"/admin/pledges/activity/{activity.pk}/delete/", {"post": "yes"})
        assert response.status_code == 302
        assert not ProgressCount.objects.filter(commitment=commitments[0]).exists()
        assert differences() == []

    def test_a_history_revert_keeps_the_counts(self, admin, world):
        """An activity moved to another promise and cancelled, then reverted in the
        admin to its first version: it counts where it did at first."""
        activity = world.activity
        first = activity.history.earliest("history_date")
        activity_save(
            user=world.polis,
            values={"commitment": world.commitment, "date": date(2026, 9, 1)},
            organisations=[world.police],
            measurements={},
            activity=activity,
            expected_version=1,
        )
        assert not ProgressCount.objects.filter(commitment=world.joint).exists()
        url = f"/admin/pledges/activity/{activity.pk}/history/{first.history_id}/"
        form = admin.get(url).context["adminform"].form
        response = admin.post(
            url,
            {
                "commitment": world.joint.pk,
                "status": "done",
                "date": "2026-03-01",
                "public_summary": first.public_summary,
                "internal_notes": first.internal_notes,
                "organisations": [world.police.pk],
                "loaded_version": form["loaded_version"].value(),
                "measurements-TOTAL_FORMS": "0",
                "measurements-INITIAL_FORMS": "0",
            },
        )
        assert response.status_code == 302
        assert ProgressCount.objects.get(commitment=world.joint).done == 1
        assert not ProgressCount.objects.filter(commitment=world.commitment).exists()
        assert differences() == []


class TestRebuildProgress:
    def test_check_passes_on_the_seeded_demo(self, capsys):
        call_command("rebuild_progress", "--check")
        assert "equal a recount" in capsys.readouterr().out

    def test_check_finds_a_tampered_row_and_a_rebuild_mends_it(self, demo_pledge, capsys):
        row = ProgressCount.objects.filter(commitment__pledge=demo_pledge).first()
        ProgressCount.objects.filter(pk=row.pk).update(done=F("done") + 1)
        with pytest.raises(CommandError, match="1 done counts differ"):
            call_command("rebuild_progress", "--check", "--municipality", "asele")
        out = capsys.readouterr().out
        assert f"commitment {row.commitment_id}, period from {row.period_start}" in out
        assert f"table done {row.done + 1}" in out
        assert f"recount done {row.done}" in out
        call_command("rebuild_progress", "--commitment", str(row.commitment_id))
        call_command("rebuild_progress", "--check")

    def test_check_finds_missing_and_extra_rows(self, demo_pledge):
        row = ProgressCount.objects.filter(commitment__pledge=demo_pledge).first()
        row.delete()
        ProgressCount.objects.create(
            commitment=row.commitment, period_start=date(1999, 1, 1), done=1
        )
        with pytest.raises(CommandError, match="2 done counts differ"):
            call_command("rebuild_progress", "--check")
        call_command("rebuild_progress", "--municipality", demo_pledge.municipality.code)
        call_command("rebuild_progress", "--check")

    def test_an_unknown_municipality_is_an_error(self):
        with pytest.raises(CommandError, match="No such"):
            call_command("rebuild_progress", "--municipality", "finns-inte")

    def test_writes_that_bypass_save_are_found_and_mended(self, shapes):
        commitments, _sites = shapes
        Activity.objects.bulk_create(
            [Activity(commitment=commitments[0], date=date(2026, 5, 1), status="done")]
        )
        with pytest.raises(CommandError):
            call_command("rebuild_progress", "--check")
        call_command("rebuild_progress")
        assert differences() == []


def test_a_whole_validity_target_until_further_notice_counts_every_year(world):
    """Found in review: an old activity's recount of the one open-ended period cut it at
    the cut's end and lost the newer activities."""
    pledge = PledgeFactory(valid_from=date(2023, 1, 1), valid_to=None)
    commitment = CommitmentFactory(pledge=pledge, target_value=10, target_period="validity")
    user = get_user_model().objects.get(username="admin")
    for day in (date(2026, 3, 1), date(2026, 4, 1), date(2023, 5, 1)):
        activity_save(
            user=user,
            values={"commitment": commitment, "date": day, "status": "done"},
            organisations=[],
            measurements={},
        )
    assert list(
        ProgressCount.objects.filter(commitment=commitment).values_list("done", flat=True)
    ) == [3]
    assert not differences()
