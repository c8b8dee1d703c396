"""Amendments from the promise (issue 13, point 3): an administrator changes a published
promise's target from its page, sees the periods it affects and confirms; never
backwards, a reason always, listed on the public page. Today is tests.world.TODAY
(27 November 2026); the world's promise has a target of 4 a year, amended to 3 from
1 December."""

from datetime import date

import pytest
import time_machine
from django.contrib.auth import get_user_model

from pledges.models import Amendment
from pledges.progress import TargetPeriod
from tests.pledges.factories import CommitmentFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db


def url(commitment):
    # In English: the page's text is asserted as written in the source.
    return f"/en/samordnare/lofte/{commitment.pk}/andra-mal/"


def values(**changes):
    return {"new_value": "5", "effective_from": "2026-12-15", "reason": "Fler poliser.", **changes}


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.admin)
    return client


class TestPermissions:
    def test_matrix(self, client, world):
        other = build_world("Annanstad")
        superuser = get_user_model().objects.create_superuser("root", password="pw")
        address = url(world.commitment)
        anonymous = client.get(address)
        assert anonymous.status_code == 302
        assert "/logga-in/" in anonymous["Location"]
        for day, (user, status) in enumerate(
            (
                (world.polis, 403),
                (world.kommunsamordnare, 403),
                (other.admin, 404),
                (world.admin, 200),
                (superuser, 200),
            ),
            start=10,
        ):
            client.force_login(user)
            assert client.get(address).status_code == status, user
            confirmed = client.post(
                address, {**values(effective_from=f"2026-12-{day}"), "confirm": ""}
            )
            assert confirmed.status_code == (302 if status == 200 else status), user
        # Only the administrator's and the superuser's confirmations saved.
        assert sorted(
            world.commitment.amendments.filter(effective_from__gte=date(2026, 12, 10)).values_list(
                "effective_from__day", flat=True
            )
        ) == [13, 14]

    def test_a_draft_s_promise_is_404(self, admin_client, world):
        draft_commitment = CommitmentFactory(pledge=world.draft)
        assert admin_client.get(url(draft_commitment)).status_code == 404

    def test_the_link_is_shown_to_administrators_only(self, client, world):
        followup = f"/en/samordnare/lofte/{world.commitment.pk}/uppfoljning/"
        client.force_login(world.admin)
        assert url(world.commitment) in client.get(followup).content.decode()
        client.force_login(world.polis)
        assert url(world.commitment) not in client.get(followup).content.decode()

    def test_no_link_once_the_pledge_has_ended(self, client, world):
        followup = f"/en/samordnare/lofte/{world.commitment.pk}/uppfoljning/"
        client.force_login(world.admin)
        with time_machine.travel(date(2027, 1, 10)):
            assert url(world.commitment) not in client.get(followup).content.decode()


class TestForm:
    def test_the_target_in_force_and_its_amendments_are_shown(self, admin_client, world):
        response = admin_client.get(url(world.commitment))
        page = response.content.decode()
        # 4 until 1 December (today), with the earlier amendment listed.
        assert "4 insatser, per year." in page
        assert "As published: 4." in page
        assert f"Ändrat i {world.name}." in page
        assert response.context["form"]["effective_from"].value() == date(2026, 11, 27)

    def test_never_backwards(self, admin_client, world):
        response = admin_client.post(
            url(world.commitment), {**values(effective_from="2026-11-01"), "continue": ""}
        )
        assert response.status_code == 400
        assert response.context["form"].errors["effective_from"] == [
            "An amendment applies from today or later, never before."
        ]
        page = response.content.decode()
        assert 'href="#id_effective_from"' in page
        assert "Fler poliser." in page  # what was typed is kept
        assert world.commitment.amendments.count() == 1

    def test_a_reason_is_required(self, admin_client, world):
        response = admin_client.post(url(world.commitment), {**values(reason=""), "confirm": ""})
        assert response.status_code == 400
        assert "reason" in response.context["form"].errors
        assert world.commitment.amendments.count() == 1

    @pytest.mark.parametrize("value", ["0", "-1", "x", "10000000"])
    def test_a_bad_value_is_refused_at_the_field(self, admin_client, world, value):
        response = admin_client.post(
            url(world.commitment), {**values(new_value=value), "continue": ""}
        )
        assert response.status_code == 400
        assert "new_value" in response.context["form"].errors

    @pytest.mark.parametrize("value", ["", "2026-13-01", "i morgon", "0001-01-01"])
    def test_a_bad_day_is_refused_at_the_field(self, admin_client, world, value):
        response = admin_client.post(
            url(world.commitment), {**values(effective_from=value), "confirm": ""}
        )
        assert response.status_code == 400
        assert "effective_from" in response.context["form"].errors
        assert world.commitment.amendments.count() == 1

    def test_outside_the_pledge_is_refused(self, admin_client, world):
        response = admin_client.post(
            url(world.commitment), {**values(effective_from="2027-01-10"), "continue": ""}
        )
        assert response.status_code == 400
        assert "within the pledge" in response.context["form"].errors["effective_from"][0]


class TestConfirm:
    def test_continue_lists_the_periods_it_affects_and_saves_nothing(self, admin_client, world):
        monthly = CommitmentFactory(
            pledge=world.pledge, target_period=TargetPeriod.MONTH, target_value=2
        )
        response = admin_client.post(
            url(monthly), {**values(effective_from="2026-11-28", new_value="3"), "continue": ""}
        )
        assert response.status_code == 200
        rows = [(r["period"].start, r["old"], r["new"]) for r in response.context["rows"]]
        assert rows == [(date(2026, 11, 1), 2, 3), (date(2026, 12, 1), 2, 3)]
        page = response.content.decode()
        assert 'name="confirm"' in page
        assert 'name="effective_from" value="2026-11-28"' in page
        assert not monthly.amendments.exists()

    def test_the_periods_show_the_target_in_force_at_their_end(self, admin_client, world):
        response = admin_client.post(url(world.commitment), {**values(), "continue": ""})
        # The year 2026 ends under the earlier amendment's 3; it would end under 5.
        assert [(r["old"], r["new"]) for r in response.context["rows"]] == [(3, 5)]

    def test_change_goes_back_to_the_form_with_the_values(self, admin_client, world):
        response = admin_client.post(url(world.commitment), {**values(), "change": ""})
        assert response.status_code == 200
        assert response.context["confirm"] is False
        assert response.context["form"]["reason"].value() == "Fler poliser."

    def test_confirm_saves_with_the_old_value_and_the_public_page_lists_it(
        self, admin_client, client, world
    ):
        response = admin_client.post(url(world.commitment), {**values(), "confirm": ""})
        assert response.status_code == 302
        followup = f"/samordnare/lofte/{world.commitment.pk}/uppfoljning/"
        assert response["Location"].endswith(followup)
        amendment = world.commitment.amendments.get(effective_from=date(2026, 12, 15))
        assert (amendment.old_value, amendment.new_value) == (3, 5)
        assert amendment.reason == "Fler poliser."
        assert amendment.created_by == world.admin
        client.logout()
        public = client.get(f"/kommun/{world.municipality.slug}/2026/").content.decode()
        assert "Fler poliser." in public
        assert "15 december 2026: 3 → 5" in public

    def test_a_second_amendment_on_the_same_day_is_refused(self, admin_client, world):
        response = admin_client.post(
            url(world.commitment), {**values(effective_from="2026-12-01"), "confirm": ""}
        )
        assert response.status_code == 400
        assert response.context["form"].non_field_errors()
        assert Amendment.objects.filter(commitment=world.commitment).count() == 1


class TestQualitative:
    def test_there_is_no_target_to_amend(self, admin_client, world):
        qualitative = CommitmentFactory(pledge=world.pledge, qualitative=True)
        response = admin_client.get(url(qualitative))
        assert response.status_code == 200
        assert "no numeric target" in response.content.decode()
        assert response.context["form"] is None
        assert admin_client.post(url(qualitative), values()).status_code == 400
        assert not qualitative.amendments.exists()
        followup = f"/en/samordnare/lofte/{qualitative.pk}/uppfoljning/"
        assert url(qualitative) not in admin_client.get(followup).content.decode()


class TestQueries:
    def test_the_form(self, admin_client, world, django_assert_num_queries):
        admin_client.get(url(world.commitment))
        # The request's savepoint, the user, the commitment, memberships, its amendments,
        # the release; the session's renewal (savepoint, update, release).
        with django_assert_num_queries(9):
            assert admin_client.get(url(world.commitment)).status_code == 200

    def test_the_confirmation(self, admin_client, world, django_assert_num_queries):
        admin_client.get(url(world.commitment))
        # As the form, plus the model's check constraint (savepoint, check, release); the
        # periods are cut in memory.
        with django_assert_num_queries(12):
            response = admin_client.post(url(world.commitment), {**values(), "continue": ""})
        assert response.status_code == 200
