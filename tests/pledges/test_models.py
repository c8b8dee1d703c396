from datetime import date

import pytest
from django.db import IntegrityError, transaction

from pledges.models import Pledge
from pledges.progress import TargetKind
from tests.pledges.factories import (
    ActivityFactory,
    CommitmentFactory,
    OrganisationFactory,
    PledgeFactory,
    SiteFactory,
)

pytestmark = pytest.mark.django_db


def refused(factory, **kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**kwargs)


class TestConstraints:
    def test_pledge_valid_to_not_before_valid_from(self):
        refused(PledgeFactory, valid_from=date(2017, 6, 1), valid_to=date(2017, 5, 31))

    def test_one_pledge_per_municipality_and_start_date(self):
        pledge = PledgeFactory()
        refused(PledgeFactory, municipality=pledge.municipality, valid_from=pledge.valid_from)

    def test_target_must_be_positive(self):
        refused(CommitmentFactory, target_value=0)

    def test_quantitative_commitment_needs_a_target(self):
        refused(CommitmentFactory, target_kind=TargetKind.COUNT, target_value=None)

    def test_qualitative_commitment_has_no_target(self):
        refused(CommitmentFactory, target_kind=TargetKind.QUALITATIVE, target_value=3)

    def test_quantity_target_names_its_quantity(self):
        refused(CommitmentFactory, target_kind=TargetKind.QUANTITY, target_value=50, quantity=None)
        refused(CommitmentFactory, quantity="breath_tests")

    def test_coverage_target_is_one_per_site(self):
        refused(CommitmentFactory, target_kind=TargetKind.COVERAGE, target_value=2)

    def test_commitment_positions_are_unique_within_a_pledge(self):
        commitment = CommitmentFactory()
        refused(CommitmentFactory, pledge=commitment.pledge, position=commitment.position)

    def test_activity_end_not_before_start(self):
        refused(ActivityFactory, date=date(2017, 3, 2), end_date=date(2017, 3, 1))

    def test_site_names_unique_within_a_municipality(self):
        site = SiteFactory()
        refused(SiteFactory, municipality=site.municipality, name=site.name)

    def test_police_organisation_needs_a_police_area(self):
        refused(OrganisationFactory, kind="police", police_area=None)


@pytest.mark.usefixtures("empty_db")
class TestQuerySets:
    """Which rows of a table a queryset returns: on a table of these rows alone."""

    def test_public_pledges_exclude_drafts(self):
        published = PledgeFactory()
        superseded = PledgeFactory(status=Pledge.State.SUPERSEDED)
        PledgeFactory(draft=True)
        assert set(Pledge.objects.public()) == {published, superseded}

    def test_in_year_matches_overlapping_validity_newest_first(self):
        a = PledgeFactory(valid_from=date(2016, 7, 1), valid_to=date(2017, 6, 30))
        b = PledgeFactory(
            municipality=a.municipality, valid_from=date(2017, 7, 1), valid_to=date(2019, 12, 31)
        )
        assert list(Pledge.objects.in_year(2017)) == [b, a]
        assert list(Pledge.objects.in_year(2018)) == [b]
        assert list(Pledge.objects.in_year(2020)) == []

    def test_public_activities_are_done_and_not_in_the_future(self):
        done = ActivityFactory(date=date(2017, 3, 1))
        ActivityFactory(date=date(2017, 3, 1), status="planned")
        ActivityFactory(date=date(2017, 3, 1), status="cancelled")
        ActivityFactory(date=date(2017, 5, 1))
        from pledges.models import Activity

        assert list(Activity.objects.public(today=date(2017, 4, 1))) == [done]
