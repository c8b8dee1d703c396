"""The Django admin as a hostile administrator of another municipality would try it: no
page, history, past version, revert, password form or relation reaches beyond the
municipalities one administers, and superusers are out of every non-superuser's reach."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.models import Membership
from pledges.models import Activity, FollowUp
from pledges.services import activity_save
from tests.world import admin_objects, build_world, with_history

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_today")]


@pytest.fixture
def asele():
    return build_world("Asele")


@pytest.fixture
def vingaker():
    return build_world("Vingaker")


@pytest.fixture
def superuser():
    return get_user_model().objects.create_superuser("root", "root@example.invalid", "pw")


def pages(world):
    """(label, url) of every admin page about one of the world's objects."""
    for path, obj in admin_objects(world).items():
        base = f"/admin/{path}/{obj.pk}"
        yield f"{path} change", f"{base}/change/"
        yield f"{path} history", f"{base}/history/"
        if with_history(path):
            version = obj.history.latest("history_date").history_id
            yield f"{path} version", f"{base}/history/{version}/"
    yield "password", f"/admin/auth/user/{world.kommunsamordnare.pk}/password/"


def statuses(client, world):
    return {label: client.get(url).status_code for label, url in pages(world)}


def test_anonymous_and_coordinators_are_sent_to_the_admin_login(client, asele):
    for user in (None, asele.polis, asele.kommunsamordnare):
        if user:
            client.force_login(user)
        for label, url in pages(asele):
            response = client.get(url)
            assert response.status_code == 302, label
            assert response["Location"].startswith("/admin/login/"), label


def test_an_administrator_of_another_municipality_reaches_nothing(client, asele, vingaker):
    client.force_login(vingaker.admin)
    for label, url in pages(asele):
        response = client.get(url)
        assert response.status_code in (302, 404), f"{label}: {response.status_code}"
        if response.status_code == 302:
            # Django's "does not exist" redirect to the admin's front page.
            assert response["Location"] == "/admin/", label
        assert asele.secret not in response.content.decode(), label
    for path, obj in admin_objects(asele).items():
        listing = client.get(f"/admin/{path}/")
        assert listing.status_code == 200, path
        assert f"/admin/{path}/{obj.pk}/change/" not in listing.content.decode(), path


def test_an_administrator_reaches_their_own_municipality(client, asele, vingaker):
    client.force_login(asele.admin)
    found = statuses(client, asele)
    assert found == dict.fromkeys(found, 200)
    for path, obj in admin_objects(asele).items():
        listing = client.get(f"/admin/{path}/").content.decode()
        assert f"/admin/{path}/{obj.pk}/change/" in listing, path


def test_a_superuser_reaches_everything(client, asele, vingaker, superuser):
    client.force_login(superuser)
    for world in (asele, vingaker):
        found = statuses(client, world)
        assert found == dict.fromkeys(found, 200)


def test_nobody_but_a_superuser_reverts(client, asele):
    """A revert posts a past version over the current row: superusers only."""
    client.force_login(asele.admin)
    version = asele.follow_up.history.earliest("history_date").history_id
    url = f"/admin/pledges/followup/{asele.follow_up.pk}/history/{version}/"
    page = client.get(url).content.decode()
    assert 'name="_save"' not in page
    response = client.post(url, {"narrative": "Återställd", "loaded_version": ""})
    assert response.status_code == 403
    assert FollowUp.objects.get(pk=asele.follow_up.pk).narrative == "Uppföljning i Asele."


def test_a_non_numeric_version_is_not_found(client, superuser, asele):
    client.force_login(superuser)
    url = f"/admin/pledges/followup/{asele.follow_up.pk}/history/abc/"
    assert client.get(url).status_code == 404
    assert client.get("/admin/pledges/followup/abc/history/").status_code in (302, 404)


def test_a_revert_goes_through_the_version_check(client, superuser, asele):
    """A superuser's revert of an activity is refused when someone saved it after the
    revert form was opened, and raises the version when it goes through."""
    activity = asele.activity
    old = activity.history.earliest("history_date")
    activity_save(
        user=asele.polis,
        values={"people_reached": 12},
        organisations=[asele.police],
        measurements={},
        activity=activity,
        expected_version=1,
    )
    client.force_login(superuser)
    url = f"/admin/pledges/activity/{activity.pk}/history/{old.history_id}/"
    form = client.get(url).context["adminform"].form
    data = {
        "commitment": asele.joint.pk,
        "status": "done",
        "date": "2026-03-01",
        "public_summary": old.public_summary,
        "internal_notes": old.internal_notes,
        "organisations": [asele.police.pk],
        "loaded_version": form["loaded_version"].value(),
        "measurements-TOTAL_FORMS": "0",
        "measurements-INITIAL_FORMS": "0",
    }
    # Meanwhile the coordinator saves again.
    activity_save(
        user=asele.polis,
        values={"people_reached": 20},
        organisations=[asele.police],
        measurements={},
        activity=Activity.objects.get(pk=activity.pk),
        expected_version=2,
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Någon annan sparade detta" in response.content.decode()
    assert Activity.objects.get(pk=activity.pk).people_reached == 20

    form = client.get(url).context["adminform"].form
    data["loaded_version"] = form["loaded_version"].value()
    response = client.post(url, data)
    assert response.status_code == 302
    reverted = Activity.objects.get(pk=activity.pk)
    assert reverted.people_reached is None
    assert reverted.version == 4


def test_a_stale_admin_edit_is_refused_with_the_text_kept(client, asele):
    client.force_login(asele.admin)
    url = f"/admin/dialogues/dialogue/{asele.dialogue.pk}/change/"
    form = client.get(url).context["adminform"].form
    asele.dialogue.title = "Ändrad av en samordnare"
    asele.dialogue.save()
    data = {
        "municipality": asele.municipality.pk,
        "title": "Min rubrik",
        "format": "safety_walk",
        "starts_on": "2026-09-01",
        "loaded_version": form["loaded_version"].value(),
        "concerns-TOTAL_FORMS": "0",
        "concerns-INITIAL_FORMS": "0",
        "action_items-TOTAL_FORMS": "0",
        "action_items-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Någon annan sparade detta" in response.content.decode()
    assert 'value="Min rubrik"' in response.content.decode()
    asele.dialogue.refresh_from_db()
    assert asele.dialogue.title == "Ändrad av en samordnare"


class TestSuperusersAreOutOfReach:
    def test_not_listed_changed_nor_given_a_password(self, client, asele, superuser):
        client.force_login(asele.admin)
        listing = client.get("/admin/auth/user/").content.decode()
        assert f"/admin/auth/user/{superuser.pk}/change/" not in listing
        assert f"/admin/auth/user/{asele.kommunsamordnare.pk}/change/" in listing
        assert client.get(f"/admin/auth/user/{superuser.pk}/change/").status_code == 302
        url = f"/admin/auth/user/{superuser.pk}/password/"
        assert client.get(url).status_code == 404
        response = client.post(
            url,
            {"password1": "Kapad-2026!", "password2": "Kapad-2026!", "usable_password": "true"},
        )
        assert response.status_code == 404
        superuser.refresh_from_db()
        assert superuser.check_password("pw")

    def test_nor_is_a_superusers_membership(self, client, asele, superuser):
        membership = Membership.objects.create(
            user=superuser,
            municipality=asele.municipality,
            organisation=asele.kommun,
            role=Membership.Role.ADMIN,
        )
        client.force_login(asele.admin)
        assert client.get(f"/admin/accounts/membership/{membership.pk}/change/").status_code == 302
        response = client.post(
            f"/admin/accounts/membership/{membership.pk}/delete/", {"post": "yes"}
        )
        assert response.status_code == 302
        assert Membership.objects.filter(pk=membership.pk).exists()

    def test_nor_is_a_user_who_is_also_a_member_elsewhere(self, client, asele, vingaker):
        membership_of_both = vingaker.admin
        Membership.objects.create(
            user=membership_of_both,
            municipality=asele.municipality,
            organisation=asele.kommun,
            role=Membership.Role.MUNICIPAL_COORDINATOR,
        )
        client.force_login(asele.admin)
        url = f"/admin/auth/user/{membership_of_both.pk}/password/"
        response = client.post(url, {"password1": "Kapad-2026!", "password2": "Kapad-2026!"})
        assert response.status_code == 404
        membership_of_both.refresh_from_db()
        assert membership_of_both.check_password("pw")

    def test_groups_are_for_superusers_only(self, client, asele):
        client.force_login(asele.admin)
        group = Group.objects.get(name="Kommunsamordnare")
        assert client.get("/admin/auth/group/").status_code == 403
        assert client.get(f"/admin/auth/group/{group.pk}/change/").status_code == 403
        assert not asele.admin.has_perm("auth.change_group")


def user_form(user, memberships, *, initial=0):
    data = {
        "username": user.username,
        "is_active": "on",
        "date_joined_0": "2026-11-27",
        "date_joined_1": "10:00:00",
        "memberships-TOTAL_FORMS": str(len(memberships)),
        "memberships-INITIAL_FORMS": str(initial),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(memberships):
        data.update({f"memberships-{index}-{key}": value for key, value in row.items()})
    return data


class TestMemberships:
    def test_an_administrator_cannot_grant_themselves_another_municipality(
        self, client, asele, vingaker
    ):
        client.force_login(asele.admin)
        own = Membership.objects.get(user=asele.admin)
        data = user_form(
            asele.admin,
            [
                {
                    "id": own.pk,
                    "user": asele.admin.pk,
                    "municipality": asele.municipality.pk,
                    "organisation": asele.kommun.pk,
                    "role": "admin",
                },
                {
                    "user": asele.admin.pk,
                    "municipality": vingaker.municipality.pk,
                    "organisation": vingaker.kommun.pk,
                    "role": "admin",
                },
            ],
            initial=1,
        )
        response = client.post(f"/admin/auth/user/{asele.admin.pk}/change/", data)
        assert response.status_code == 200
        assert not Membership.objects.filter(
            user=asele.admin, municipality=vingaker.municipality
        ).exists()

    def test_nor_through_the_membership_admin(self, client, asele, vingaker):
        client.force_login(asele.admin)
        response = client.post(
            "/admin/accounts/membership/add/",
            {
                "user": asele.polis.pk,
                "municipality": vingaker.municipality.pk,
                "organisation": vingaker.police.pk,
                "role": "police_coordinator",
            },
        )
        assert response.status_code == 200
        assert not Membership.objects.filter(municipality=vingaker.municipality).exclude(
            user__username__endswith="Vingaker"
        )

    def test_a_new_user_comes_with_a_membership_of_theirs(self, client, asele, vingaker):
        client.force_login(asele.admin)
        data = {
            "username": "nyanstalld",
            "password1": "Ett-langt-losen-2026",
            "password2": "Ett-langt-losen-2026",
            "usable_password": "true",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-municipality": "",
            "memberships-0-organisation": "",
            "memberships-0-role": "",
        }
        response = client.post("/admin/auth/user/add/", data)
        assert response.status_code == 200
        assert not get_user_model().objects.filter(username="nyanstalld").exists()
        data.update(
            {
                "memberships-0-municipality": asele.municipality.pk,
                "memberships-0-organisation": asele.police.pk,
                "memberships-0-role": "police_coordinator",
            }
        )
        response = client.post("/admin/auth/user/add/", data)
        assert response.status_code == 302
        user = get_user_model().objects.get(username="nyanstalld")
        assert user.groups.filter(name="Polissamordnare").exists()
        assert client.get(f"/admin/auth/user/{user.pk}/change/").status_code == 200

    def test_removing_the_last_membership_removes_group_and_staff(self, client, asele):
        colleague = get_user_model().objects.create_user("kollega")
        membership = Membership.objects.create(
            user=colleague,
            municipality=asele.municipality,
            organisation=asele.kommun,
            role=Membership.Role.ADMIN,
        )
        from accounts.services import roles_sync

        roles_sync(user=colleague)
        colleague.refresh_from_db()
        assert colleague.is_staff
        assert colleague.groups.filter(name="Administratörer").exists()
        client.force_login(asele.admin)
        response = client.post(
            f"/admin/accounts/membership/{membership.pk}/delete/", {"post": "yes"}
        )
        assert response.status_code == 302
        colleague.refresh_from_db()
        assert not colleague.is_staff
        assert not colleague.groups.exists()

    def test_removing_it_on_the_user_page_does_the_same(self, client, asele):
        client.force_login(asele.admin)
        user = asele.kommunsamordnare
        membership = Membership.objects.get(user=user)
        data = user_form(
            user,
            [
                {
                    "id": membership.pk,
                    "user": user.pk,
                    "municipality": asele.municipality.pk,
                    "organisation": asele.kommun.pk,
                    "role": "municipal_coordinator",
                    "DELETE": "on",
                }
            ],
            initial=1,
        )
        response = client.post(f"/admin/auth/user/{user.pk}/change/", data)
        assert response.status_code == 302
        assert not Membership.objects.filter(user=user).exists()
        assert not user.groups.exists()
        assert not user.has_perm("pledges.add_activity")

    def test_a_changed_role_leaves_the_old_group(self, asele):
        from accounts.services import membership_grant

        membership_grant(
            user=asele.kommunsamordnare,
            municipality=asele.municipality,
            organisation=asele.kommun,
            role=Membership.Role.ADMIN,
        )
        names = set(asele.kommunsamordnare.groups.values_list("name", flat=True))
        assert names == {"Administratörer"}


class TestRelationsTypedByHand:
    """Raw-id and autocomplete fields accept only what the user may see."""

    def test_an_activity_cannot_be_moved_to_another_municipalitys_promise(
        self, client, asele, vingaker
    ):
        client.force_login(asele.admin)
        activity = asele.activity
        url = f"/admin/pledges/activity/{activity.pk}/change/"
        form = client.get(url).context["adminform"].form
        response = client.post(
            url,
            {
                "commitment": vingaker.commitment.pk,
                "status": "done",
                "date": "2026-03-01",
                "public_summary": "Flyttad",
                "internal_notes": "",
                "organisations": [asele.police.pk],
                "loaded_version": form["loaded_version"].value(),
                "measurements-TOTAL_FORMS": "0",
                "measurements-INITIAL_FORMS": "0",
            },
        )
        assert response.status_code == 200
        activity.refresh_from_db()
        assert activity.commitment_id == asele.joint.pk

    def test_raw_id_lookups_and_autocomplete_show_only_their_own(self, client, asele, vingaker):
        client.force_login(asele.admin)
        lookup = client.get("/admin/pledges/commitment/?_to_field=id&_popup=1").content.decode()
        assert asele.commitment.text in lookup
        assert vingaker.commitment.text not in lookup
        autocomplete = client.get(
            "/admin/autocomplete/",
            {"app_label": "pledges", "model_name": "activity", "field_name": "site", "term": ""},
        ).json()
        names = {row["text"] for row in autocomplete["results"]}
        assert names == {asele.site.name}

    def test_a_draft_of_another_municipality_cannot_be_previewed(self, client, asele, vingaker):
        client.force_login(vingaker.admin)
        assert client.get(f"/forhandsgranska/{asele.draft.pk}/").status_code == 404
        client.force_login(asele.admin)
        assert client.get(f"/forhandsgranska/{asele.draft.pk}/").status_code == 200


class TestHistoryOfWhoMayDoWhat:
    def test_users_memberships_and_groups_are_kept_in_history(self, client, asele, superuser):
        user = asele.kommunsamordnare
        assert Membership.history.filter(user_id=user.pk).exists()
        client.force_login(superuser)
        user.is_active = False
        user.save()
        record = user.history.order_by("history_id").last()
        assert record.is_active is False
        assert not hasattr(record, "password")
        group = Group.objects.get(name="Polissamordnare")
        group.permissions.clear()
        assert group.history.exists()
        assert client.get(f"/admin/auth/user/{user.pk}/history/").status_code == 200

    def test_logging_in_adds_no_history(self, client, asele):
        before = asele.polis.history.count()
        response = client.post(
            "/konto/logga-in/", {"username": asele.polis.username, "password": "pw"}
        )
        assert response.status_code == 302
        asele.polis.refresh_from_db()
        assert asele.polis.last_login is not None
        assert asele.polis.history.count() == before


def test_the_admin_of_a_municipality_is_staff_without_superuser_powers(asele):
    asele.admin.refresh_from_db()
    assert asele.admin.is_staff
    assert not asele.admin.is_superuser
    assert asele.admin.has_perm("pledges.change_pledge")


class TestFoundInReview:
    """Ways beyond one's municipality a hostile review found, closed."""

    def test_no_police_organisation_planted_in_another_municipalitys_area(
        self, client, asele, vingaker
    ):
        client.force_login(vingaker.admin)
        response = client.post(
            "/admin/places/organisation/add/",
            {
                "name": "Polisen Asele (falsk)",
                "kind": "police",
                "municipality": vingaker.municipality.pk,
                "police_area": asele.municipality.police_area_id,
            },
        )
        assert response.status_code == 200
        response = client.post(
            f"/admin/places/organisation/{vingaker.kommun.pk}/change/",
            {
                "name": "Asele kommun (officiell)",
                "kind": "municipality",
                "municipality": vingaker.municipality.pk,
                "police_area": asele.municipality.police_area_id,
            },
        )
        assert response.status_code == 302
        client.get(response["Location"])  # shows (and so clears) the "changed" message
        vingaker.kommun.refresh_from_db()
        assert vingaker.kommun.police_area_id is None
        client.force_login(asele.admin)
        listing = client.get("/admin/places/organisation/").content.decode()
        assert "falsk" not in listing
        assert "officiell" not in listing
        assert f"/admin/places/organisation/{asele.police.pk}/change/" in listing
        client.force_login(asele.polis)
        form = client.get(f"/samordnare/aktiviteter/ny/?commitment={asele.commitment.pk}")
        assert "officiell" not in form.content.decode()

    def test_an_agreement_is_with_the_municipalitys_own_police_area(self, client, asele, vingaker):
        client.force_login(vingaker.admin)
        response = client.post(
            "/admin/pledges/agreement/add/",
            {
                "municipality": vingaker.municipality.pk,
                "police_area": asele.municipality.police_area_id,
                "title": "Överenskommelse",
                "valid_from": "2026-01-01",
                "valid_to": "2027-12-31",
            },
        )
        assert response.status_code == 200
        assert "Överenskommelsen gäller kommunens lokalpolisområde" in response.content.decode()
        assert not vingaker.municipality.agreements.filter(title="Överenskommelse").exists()

    def test_administrators_deactivate_users_rather_than_delete_them(self, client, asele):
        client.force_login(asele.admin)
        url = f"/admin/auth/user/{asele.kommunsamordnare.pk}/delete/"
        assert client.get(url).status_code == 403
        assert client.post(url, {"post": "yes"}).status_code == 403

    def test_view_on_site_opens_only_what_the_admin_shows(self, client, asele, vingaker):
        from django.contrib.contenttypes.models import ContentType

        from pledges.models import Pledge

        pledge_type = ContentType.objects.get_for_model(Pledge).pk
        url = f"/admin/r/{pledge_type}/{asele.draft.pk}/"
        client.force_login(vingaker.admin)
        assert client.get(url).status_code == 404
        client.force_login(asele.admin)
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/forhandsgranska/{asele.draft.pk}/"

    @pytest.mark.parametrize(
        "path",
        [
            "/admin/pledges/pledge/%C2%B2/history/",
            "/admin/auth/user/%C2%B2/history/",
            "/admin/pledges/pledge/1/history/%C2%B2/",
            "/admin/r/%C2%B2/1/",
        ],
    )
    def test_ids_that_are_no_ids_are_not_found(self, client, asele, superuser, path):
        client.force_login(superuser)
        assert client.get(path).status_code in (302, 404)

    @pytest.mark.parametrize("chosen", ["²", "99999999999999999999"])
    def test_actions_on_ids_that_are_no_ids_are_refused(self, client, asele, superuser, chosen):
        client.force_login(superuser)
        response = client.post(
            "/admin/pledges/pledge/", {"action": "publish", "_selected_action": chosen}
        )
        assert response.status_code == 302
        assert asele.draft.status == "draft"
