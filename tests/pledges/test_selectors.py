"""The database side of progress: counts from one grouped query, rules from progress.py."""

from datetime import date

import pytest

from pledges.models import Commitment
from pledges.progress import Status, TargetKind, TargetPeriod
from pledges.selectors import commitment_reports, current_public_pledge, pledge_reports
from tests.pledges.factories import (
    ActivityFactory,
    CommitmentFactory,
    MeasurementFactory,
    PledgeFactory,
    SiteFactory,
)

pytestmark = pytest.mark.django_db


def progress_of(commitment, **kwargs):
    loaded = Commitment.objects.select_related("pledge").prefetch_related("target_sites")
    (result,) = commitment_reports(loaded.filter(pk=commitment.pk), **kwargs)
    return result.progress


def test_count_ignores_planned_and_cancelled():
    commitment = CommitmentFactory(target_value=4)
    ActivityFactory.create_batch(2, commitment=commitment, date=date(2017, 3, 1))
    ActivityFactory(commitment=commitment, date=date(2017, 3, 1), status="planned")
    ActivityFactory(commitment=commitment, date=date(2017, 3, 1), status="cancelled")
    progress = progress_of(commitment, today=date(2018, 1, 10))
    assert (progress.done, progress.target, progress.status) == (2, 4, Status.PARTLY_DONE)


def test_per_site_caps_each_site_and_ignores_other_sites():
    commitment = CommitmentFactory(per_site=True, target_value=2)
    a, b = SiteFactory.create_batch(2, municipality=commitment.pledge.municipality)
    elsewhere = SiteFactory(municipality=commitment.pledge.municipality)
    commitment.target_sites.set([a, b])
    ActivityFactory.create_batch(3, commitment=commitment, site=a, date=date(2017, 4, 1))
    ActivityFactory(commitment=commitment, site=elsewhere, date=date(2017, 4, 1))
    progress = progress_of(commitment, today=date(2018, 1, 1))
    assert (progress.done, progress.target) == (2, 4)
    assert {(s.name, s.done, s.target) for s in progress.sites} == {
        (a.name, 3, 2),
        (b.name, 0, 2),
    }


def test_quantity_sums_the_measured_quantity_only():
    commitment = CommitmentFactory(quantity_sum=True, target_value=50)
    first = ActivityFactory(commitment=commitment, date=date(2017, 2, 1))
    MeasurementFactory(activity=first, quantity="vehicles_checked", value=30)
    MeasurementFactory(activity=first, quantity="breath_tests", value=99)
    second = ActivityFactory(commitment=commitment, date=date(2017, 3, 1))
    MeasurementFactory(activity=second, quantity="vehicles_checked", value=15)
    planned = ActivityFactory(commitment=commitment, date=date(2017, 3, 1), status="planned")
    MeasurementFactory(activity=planned, quantity="vehicles_checked", value=100)
    progress = progress_of(commitment, today=date(2017, 12, 1))
    assert (progress.done, progress.target) == (45, 50)


def test_qualitative_status_comes_from_the_coordinators():
    commitment = CommitmentFactory(qualitative=True, assessed_status=Status.PARTLY_DONE)
    ActivityFactory(commitment=commitment, date=date(2017, 2, 1))
    progress = progress_of(commitment, today=date(2018, 1, 10))
    assert progress.status == Status.PARTLY_DONE
    assert progress.done == 1
    assert progress.completion is None


def test_multi_year_pledge_judges_each_year_on_its_own():
    pledge = PledgeFactory(valid_from=date(2018, 1, 1), valid_to=date(2020, 12, 31))
    commitment = CommitmentFactory(pledge=pledge, target_value=2)
    ActivityFactory.create_batch(3, commitment=commitment, date=date(2018, 5, 1))
    ActivityFactory(commitment=commitment, date=date(2019, 5, 1))
    today = date(2020, 3, 1)
    loaded = Commitment.objects.select_related("pledge").prefetch_related("target_sites")
    (report,) = commitment_reports(loaded.filter(pk=commitment.pk), today=today)
    assert [(p.period.label, p.done, p.status) for p in report.summary.periods] == [
        ("2018", 3, Status.DONE),
        ("2019", 1, Status.PARTLY_DONE),
        ("2020", 0, Status.NOT_STARTED),
    ]
    # The whole: 1 of 3 years met, 2 ended, one of them missed.
    summary = report.summary
    assert (summary.met, summary.due, summary.count, summary.status) == (1, 2, 3, Status.BEHIND)
    assert summary.completion == 1 / 3


def test_whole_validity_target_counts_every_year():
    pledge = PledgeFactory(valid_from=date(2018, 1, 1), valid_to=date(2019, 12, 31))
    commitment = CommitmentFactory(
        pledge=pledge, target_value=3, target_period=TargetPeriod.VALIDITY
    )
    ActivityFactory(commitment=commitment, date=date(2018, 5, 1))
    ActivityFactory(commitment=commitment, date=date(2019, 5, 1))
    progress = progress_of(commitment, year=2019, today=date(2019, 6, 1))
    assert progress.done == 2


def test_monthly_target_has_a_history_of_months():
    commitment = CommitmentFactory(target_value=1, target_period=TargetPeriod.MONTH)
    ActivityFactory(commitment=commitment, date=date(2017, 1, 5))
    ActivityFactory(commitment=commitment, date=date(2017, 3, 5))
    (loaded,) = commitment_reports(
        Commitment.objects.select_related("pledge")
        .prefetch_related("target_sites")
        .filter(pk=commitment.pk),
        year=2017,
        today=date(2017, 3, 20),
    )
    assert [p.status for p in loaded.periods] == [
        Status.DONE,
        Status.NOT_DONE,
        Status.FULFILLED,
    ]
    assert loaded.progress.period.start == date(2017, 3, 1)


def test_overall_is_the_mean_of_quantitative_commitments():
    pledge = PledgeFactory()
    half = CommitmentFactory(pledge=pledge, target_value=2)
    CommitmentFactory(pledge=pledge, target_value=1)
    CommitmentFactory(pledge=pledge, qualitative=True, assessed_status=Status.DONE)
    ActivityFactory(commitment=half, date=date(2017, 2, 1))
    (loaded,) = pledge_reports([pledge], today=date(2018, 1, 1))
    assert loaded.overall == pytest.approx(0.25)
    assert len(loaded.commitments) == 3


def test_current_public_pledge_prefers_the_one_in_force():
    old = PledgeFactory(valid_from=date(2017, 1, 1), valid_to=date(2017, 12, 31))
    new = PledgeFactory(
        municipality=old.municipality, valid_from=date(2018, 1, 1), valid_to=date(2018, 12, 31)
    )
    assert current_public_pledge([old, new], today=date(2017, 6, 1)) == old
    assert current_public_pledge([old, new], today=date(2020, 1, 1)) == new
    assert current_public_pledge([], today=date(2020, 1, 1)) is None


def test_kind_choices_cover_the_spec_shapes():
    assert {k.value for k in TargetKind} == {
        "count",
        "per_site",
        "coverage",
        "quantity",
        "qualitative",
    }
