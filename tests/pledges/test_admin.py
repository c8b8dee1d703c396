"""An admin can enter a pledge by hand in the Django admin."""

from datetime import date

import pytest
from django.http import HttpRequest

from places.models import Municipality
from pledges.models import Amendment, Commitment, Pledge
from tests.pledges.factories import CommitmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_sv(client, demo_pledge):
    client.login(request=HttpRequest(), username="admin", password="demo")
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/admin/pledges/pledge/",
        "/admin/pledges/pledge/add/",
        "/admin/pledges/activity/",
        "/admin/places/municipality/",
        "/admin/places/site/",
        "/admin/pledges/agreement/",
        "/admin/places/organisation/",
    ],
)
def test_admin_pages_open(admin_client_sv, path):
    assert admin_client_sv.get(path).status_code == 200


def test_published_pledge_is_read_only_in_the_admin(admin_client_sv, demo_pledge):
    response = admin_client_sv.get(f"/admin/pledges/pledge/{demo_pledge.pk}/change/")
    assert response.status_code == 200
    assert 'name="title"' not in response.content.decode()


def test_admin_enters_a_draft_pledge_with_a_commitment(admin_client_sv):
    vingaker = Municipality.objects.get(slug="vingaker")
    data = {
        "municipality": vingaker.pk,
        "title": "Medborgarlöfte 2027",
        "valid_from": "2027-01-01",
        "valid_to": "2027-12-31",
        "background": "",
        "expected_effects": "Ökad trygghet i centrum.",
        "signatories": "",
        "signed_on": "",
        "follow_up_cadence": "tertial",
        "revises": "",
        "source_url": "",
        "commitments-TOTAL_FORMS": "1",
        "commitments-INITIAL_FORMS": "0",
        "commitments-MIN_NUM_FORMS": "0",
        "commitments-MAX_NUM_FORMS": "1000",
        "commitments-0-position": "1",
        "commitments-0-text": "Polisen lovar minst 6 trafikkontroller under året.",
        "commitments-0-responsible": "police",
        "commitments-0-activity_type": "traffic_operation",
        "commitments-0-audience": "",
        "commitments-0-target_kind": "count",
        "commitments-0-target_value": "6",
        "commitments-0-target_period": "year",
        "commitments-0-unit": "trafikkontroller",
        "commitments-0-quantity": "",
        "commitments-0-assessed_status": "",
        "commitments-0-change": "new",
        "commitments-0-change_note": "",
        "commitments-0-previous": "",
        "dropped-TOTAL_FORMS": "0",
        "dropped-INITIAL_FORMS": "0",
    }
    response = admin_client_sv.post("/admin/pledges/pledge/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    pledge = Pledge.objects.get(title="Medborgarlöfte 2027")
    assert pledge.status == Pledge.State.DRAFT
    assert Commitment.objects.get(pledge=pledge).target_value == 6


def test_admin_form_rejects_a_bad_target_without_a_500(admin_client_sv):
    vingaker = Municipality.objects.get(slug="vingaker")
    data = {
        "municipality": vingaker.pk,
        "title": "Trasigt",
        "valid_from": "2027-12-31",
        "valid_to": "2027-01-01",
        "follow_up_cadence": "tertial",
        "commitments-TOTAL_FORMS": "0",
        "commitments-INITIAL_FORMS": "0",
        "commitments-MIN_NUM_FORMS": "0",
        "commitments-MAX_NUM_FORMS": "1000",
    }
    response = admin_client_sv.post("/admin/pledges/pledge/add/", data)
    assert response.status_code == 200
    assert not Pledge.objects.filter(title="Trasigt").exists()


def test_admin_grants_a_membership_with_its_group(admin_client_sv, django_user_model):
    from places.models import Organisation

    user = django_user_model.objects.create_user("nykommun")
    asele = Municipality.objects.get(slug="asele")
    response = admin_client_sv.post(
        "/admin/accounts/membership/add/",
        {
            "user": user.pk,
            "municipality": asele.pk,
            "organisation": Organisation.objects.get(name="Åsele kommun").pk,
            "role": "municipal_coordinator",
        },
    )
    assert response.status_code == 302
    assert user.groups.filter(name="Kommunsamordnare").exists()
    assert user.has_perm("pledges.add_activity")


@pytest.mark.parametrize(
    "path",
    [
        "/admin/pledges/commitment/",
        "/admin/pledges/followup/",
        "/admin/pledges/periodverdict/",
        "/admin/accounts/membership/",
    ],
)
def test_history_admin_pages_open(admin_client_sv, path):
    assert admin_client_sv.get(path).status_code == 200


def test_commitment_history_page(admin_client_sv, demo_pledge):
    commitment = demo_pledge.commitments.first()
    response = admin_client_sv.get(f"/admin/pledges/commitment/{commitment.pk}/history/")
    assert response.status_code == 200


def test_admin_refuses_a_membership_of_the_wrong_party(admin_client_sv, django_user_model):
    from accounts.models import Membership
    from places.models import Organisation

    user = django_user_model.objects.create_user("felparti")
    response = admin_client_sv.post(
        "/admin/accounts/membership/add/",
        {
            "user": user.pk,
            "municipality": Municipality.objects.get(slug="asele").pk,
            "organisation": Organisation.objects.get(name="Åsele kommun").pk,
            "role": "police_coordinator",
        },
    )
    assert response.status_code == 200
    assert "Organisationen passar inte ihop med rollen" in response.content.decode()
    assert not Membership.objects.filter(user=user).exists()


def test_user_admin_shows_and_grants_memberships(admin_client_sv, django_user_model):
    from places.models import Organisation

    user = django_user_model.objects.get(username="polis")
    response = admin_client_sv.get(f"/admin/auth/user/{user.pk}/change/")
    assert response.status_code == 200
    assert "Medlemskap" in response.content.decode()
    newcomer = django_user_model.objects.create_user("nypolis")
    page = admin_client_sv.get(f"/admin/auth/user/{newcomer.pk}/change/").content.decode()
    data = {
        "username": "nypolis",
        "is_active": "on",
        "date_joined_0": "2026-11-27",
        "date_joined_1": "10:00:00",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-municipality": Municipality.objects.get(slug="asele").pk,
        "memberships-0-organisation": Organisation.objects.get(kind="police").pk,
        "memberships-0-role": "police_coordinator",
    }
    assert "memberships-TOTAL_FORMS" in page
    response = admin_client_sv.post(f"/admin/auth/user/{newcomer.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert newcomer.groups.filter(name="Polissamordnare").exists()


def test_a_municipal_admin_sees_only_their_municipality(client, demo_pledge, django_user_model):
    from accounts.models import Membership
    from accounts.services import membership_grant
    from places.models import Organisation
    from tests.pledges.factories import PledgeFactory

    other = PledgeFactory(
        municipality=Municipality.objects.get(slug="vingaker"), title="Vingåkers löfte"
    )
    user = django_user_model.objects.create_user("aseleadmin")
    membership_grant(
        user=user,
        municipality=demo_pledge.municipality,
        organisation=Organisation.objects.get(kind="municipality"),
        role=Membership.Role.ADMIN,
    )
    client.force_login(user)
    listing = client.get("/admin/pledges/pledge/").content.decode()
    assert "Medborgarlöfte 2017" in listing
    assert "Vingåkers löfte" not in listing
    assert client.get(f"/admin/pledges/pledge/{other.pk}/change/").status_code == 302
    form = client.get("/admin/pledges/pledge/add/").content.decode()
    assert "Vingåker" not in form


def test_pledge_dates_in_the_wrong_order_are_reported_at_the_field(admin_client_sv):
    vingaker = Municipality.objects.get(slug="vingaker")
    response = admin_client_sv.post(
        "/admin/pledges/pledge/add/",
        {
            "municipality": vingaker.pk,
            "title": "Baklänges",
            "valid_from": "2027-12-31",
            "valid_to": "2027-01-01",
            "follow_up_cadence": "tertial",
            "commitments-TOTAL_FORMS": "0",
            "commitments-INITIAL_FORMS": "0",
            "dropped-TOTAL_FORMS": "0",
            "dropped-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Slutet kan inte vara före början" in html
    assert "pledge_valid_to_not_before_valid_from" not in html


def amend(client, commitment, effective_from):
    return client.post(
        "/admin/pledges/amendment/add/",
        {
            "commitment": commitment.pk,
            "effective_from": effective_from,
            "new_value": "2",
            "reason": "Färre kontroller under julen.",
        },
    )


def test_an_administrator_amends_a_target_in_the_admin(client, world):
    """The target in force on the day is kept as the old value, with who decided."""
    client.force_login(world.admin)
    response = amend(client, world.commitment, "2026-12-15")
    assert response.status_code == 302, response.content.decode()[:2000]
    amendment = Amendment.objects.get(
        commitment=world.commitment, effective_from=date(2026, 12, 15)
    )
    # 4 a year, amended to 3 from 1 December (tests.world): 3 is in force on the 15th.
    assert (amendment.old_value, amendment.new_value) == (3, 2)
    assert amendment.reason == "Färre kontroller under julen."
    assert amendment.created_by == world.admin


def test_the_admin_refuses_a_retroactive_amendment(client, world):
    client.force_login(world.admin)
    response = amend(client, world.commitment, "2026-11-26")
    assert response.status_code == 200
    message = "En ändring gäller från i dag eller senare, aldrig bakåt i tiden."
    assert response.context["adminform"].form.errors["effective_from"] == [message]
    assert message in response.content.decode()
    assert list(world.commitment.amendments.all()) == [world.amendment]


def test_the_publish_action_publishes_a_draft_or_says_why_not(client, world):
    client.force_login(world.admin)

    def publish():
        data = {"action": "publish", "_selected_action": [world.draft.pk]}
        response = client.post("/admin/pledges/pledge/", data, follow=True)
        world.draft.refresh_from_db()
        return [str(message) for message in response.context["messages"]]

    # The draft has no commitment yet.
    assert publish() == [f"{world.draft}: Ett medborgarlöfte behöver minst ett löfte."]
    assert world.draft.status == Pledge.State.DRAFT
    CommitmentFactory(pledge=world.draft)
    assert publish() == [f"Publicerat: {world.draft}"]
    assert world.draft.status == Pledge.State.PUBLISHED
