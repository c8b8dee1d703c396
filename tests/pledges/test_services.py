from datetime import date

import pytest
from django.core.exceptions import ValidationError

from pledges.models import Pledge
from pledges.services import pledge_publish
from tests.pledges.factories import CommitmentFactory, PledgeFactory

pytestmark = pytest.mark.django_db


def draft_with_commitment(**kwargs):
    pledge = PledgeFactory(draft=True, **kwargs)
    CommitmentFactory(pledge=pledge)
    return pledge


def test_publishes_a_draft():
    pledge = pledge_publish(pledge=draft_with_commitment())
    pledge.refresh_from_db()
    assert pledge.status == Pledge.State.PUBLISHED


def test_refuses_a_pledge_overlapping_a_published_one():
    published = PledgeFactory(valid_from=date(2017, 1, 1), valid_to=date(2018, 12, 31))
    draft = draft_with_commitment(
        municipality=published.municipality,
        valid_from=date(2018, 6, 1),
        valid_to=date(2019, 5, 31),
    )
    with pytest.raises(ValidationError) as error:
        pledge_publish(pledge=draft)
    assert error.value.code == "overlap"
    draft.refresh_from_db()
    assert draft.status == Pledge.State.DRAFT


def test_allows_adjacent_periods_and_other_municipalities():
    published = PledgeFactory(valid_from=date(2017, 1, 1), valid_to=date(2017, 12, 31))
    adjacent = draft_with_commitment(
        municipality=published.municipality,
        valid_from=date(2018, 1, 1),
        valid_to=date(2018, 12, 31),
    )
    pledge_publish(pledge=adjacent)
    elsewhere = draft_with_commitment()
    pledge_publish(pledge=elsewhere)
    pledges = Pledge.objects.filter(pk__in=[published.pk, adjacent.pk, elsewhere.pk])
    assert pledges.filter(status=Pledge.State.PUBLISHED).count() == 3


def test_refuses_an_empty_pledge_and_a_non_draft():
    with pytest.raises(ValidationError):
        pledge_publish(pledge=PledgeFactory(draft=True))
    with pytest.raises(ValidationError):
        pledge_publish(pledge=PledgeFactory())


class TestActivityServices:
    def test_activity_save_is_all_or_nothing(self, demo_pledge):
        from pledges.models import Activity, Commitment, Measurement
        from pledges.services import activity_save

        commitment = Commitment.objects.get(pledge=demo_pledge, position=1)
        before = (Activity.objects.count(), Measurement.objects.count())
        with pytest.raises(ValidationError):
            activity_save(
                user=None,
                values={"commitment": commitment, "status": "done", "date": date(2019, 1, 1)},
                organisations=[],
                measurements={"vehicles_checked": 5},
            )
        assert (Activity.objects.count(), Measurement.objects.count()) == before

    def test_stale_version_is_refused(self, demo_pledge):
        from pledges.models import Activity
        from pledges.services import activity_cancel, activity_save

        activity = Activity.objects.filter(status="done").first()
        with pytest.raises(ValidationError) as error:
            activity_save(
                user=None,
                values={"public_summary": "x"},
                organisations=[],
                measurements={},
                activity=activity,
                expected_version=activity.version + 1,
            )
        assert error.value.code == "stale"
        with pytest.raises(ValidationError):
            activity_cancel(activity=activity, expected_version=activity.version - 1)
        activity.refresh_from_db()
        assert activity.status == "done"

    def test_measurement_removed_when_emptied(self, demo_pledge):
        from pledges.models import Activity
        from pledges.services import activity_save

        activity = Activity.objects.filter(measurements__quantity="breath_tests").first()
        activity_save(
            user=None,
            values={},
            organisations=[],
            measurements={"breath_tests": None, "drug_tests": 3},
            activity=activity,
            expected_version=activity.version,
        )
        assert set(activity.measurements.values_list("quantity", flat=True)) >= {"drug_tests"}
        assert not activity.measurements.filter(quantity="breath_tests").exists()


class TestFollowUps:
    def test_verdict_only_after_the_period_ends(self, demo_pledge):
        from pledges.models import Commitment
        from pledges.progress import Period
        from pledges.services import verdict_save

        commitment = Commitment.objects.get(pledge=demo_pledge, position=1)
        year = Period(date(2017, 1, 1), date(2017, 12, 31), "year")
        with pytest.raises(ValidationError):
            verdict_save(
                commitment=commitment,
                period=year,
                justification="För tidigt.",
                is_published=True,
                user=None,
                today=date(2017, 12, 31),
            )
        verdict = verdict_save(
            commitment=commitment,
            period=year,
            justification="Motivering.",
            is_published=False,
            user=None,
            today=date(2018, 1, 1),
        )
        assert verdict.justification == "Motivering."

    def test_follow_up_is_updated_not_duplicated(self, demo_pledge):
        from pledges.models import Commitment, FollowUp
        from pledges.progress import Period
        from pledges.services import follow_up_save

        commitment = Commitment.objects.get(pledge=demo_pledge, position=2)
        t2 = Period(date(2017, 5, 1), date(2017, 8, 31), "tertial")
        follow_up_save(
            commitment=commitment, period=t2, narrative="a", is_published=False, user=None
        )
        follow_up_save(
            commitment=commitment, period=t2, narrative="b", is_published=True, user=None
        )
        saved = FollowUp.objects.get(commitment=commitment, period_start=t2.start)
        assert (saved.narrative, saved.is_published) == ("b", True)
        assert saved.history.count() == 2


class TestMemberships:
    def test_grant_puts_the_user_in_the_role_group(self, demo_pledge, django_user_model):
        from accounts.models import Membership
        from accounts.services import membership_grant
        from places.models import Organisation

        user = django_user_model.objects.create_user("ny")
        police = Organisation.objects.get(kind="police")
        membership_grant(
            user=user,
            municipality=demo_pledge.municipality,
            organisation=police,
            role=Membership.Role.POLICE_COORDINATOR,
        )
        assert user.has_perm("pledges.add_activity")
        assert list(user.groups.values_list("name", flat=True)) == ["Polissamordnare"]

    def test_organisation_must_match_the_role(self, demo_pledge, django_user_model):
        from accounts.models import Membership
        from accounts.services import membership_grant
        from places.models import Organisation

        user = django_user_model.objects.create_user("fel")
        with pytest.raises(ValidationError):
            membership_grant(
                user=user,
                municipality=demo_pledge.municipality,
                organisation=Organisation.objects.get(kind="municipality"),
                role=Membership.Role.POLICE_COORDINATOR,
            )
        assert not Membership.objects.filter(user=user).exists()
