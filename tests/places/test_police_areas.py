"""Local police areas in the admin: a superuser makes one and attaches its municipalities
in one step (which gives the area its police, so police coordinators can be granted); an
administrator of a municipality, however hostile, attaches and detaches nothing; and a
municipality without a local police area says so wherever that matters, at the field,
instead of failing later.

Messages are read in English (/en/admin/): the catalogue's Swedish may come later."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.admin.sites import site
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import translation

from accounts.models import Membership
from accounts.services import membership_grant
from places.models import Municipality, Organisation, PoliceArea, PoliceRegion
from places.services import police_area_create, police_area_update

pytestmark = pytest.mark.django_db

ADD = "/en/admin/places/policearea/add/"
NO_AREA = "Vingåker has no local police area yet: a superuser attaches it to one under Local "


@pytest.fixture(autouse=True)
def _language_kept():
    """A request to /en/ leaves English active in the thread: put back the language the
    test started in, so that the tests after it find Swedish, the default."""
    with translation.override(translation.get_language()):
        yield


def municipality(code):
    return Municipality.objects.select_related("police_area").get(code=code)


@pytest.fixture
def superuser():
    return get_user_model().objects.create_superuser("root", "root@example.invalid", "pw")


@pytest.fixture
def vingaker():
    return municipality("0428")


@pytest.fixture
def katrineholm():
    return municipality("0483")


@pytest.fixture
def ost():
    return PoliceRegion.objects.get(name="Öst")


@pytest.fixture
def sodra_lappland():
    return PoliceArea.objects.get(name="Södra Lappland")


@pytest.fixture
def vingaker_admin(vingaker):
    """An administrator of Vingåker (staff, not a superuser): of another municipality
    than Åsele's, and of one without a local police area."""
    kommun = Organisation.objects.create(
        name="Vingåkers kommun", kind=Organisation.Kind.MUNICIPALITY, municipality=vingaker
    )
    user = get_user_model().objects.create_user("admin-vingaker", password="pw")
    membership_grant(
        user=user, municipality=vingaker, organisation=kommun, role=Membership.Role.ADMIN
    )
    return user


def area_form(name, region, municipalities):
    return {"name": name, "region": region.pk, "municipalities": [m.pk for m in municipalities]}


def errors(response, field):
    return response.context["adminform"].form.errors.get(field, [])


def covered(area):
    return set(area.municipalities.values_list("code", flat=True))


class TestOneStep:
    def test_a_superuser_makes_an_area_with_its_municipalities_and_police(
        self, client, superuser, ost, vingaker, katrineholm
    ):
        client.force_login(superuser)
        page = client.get(ADD).content.decode()
        assert "Vingåker (Södermanlands län)" in page
        assert "Åsele (Västerbottens län), now in Södra Lappland" in page
        response = client.post(ADD, area_form("Katrineholm", ost, [vingaker, katrineholm]))
        assert response.status_code == 302
        area = PoliceArea.objects.get(name="Katrineholm")
        assert area.region == ost
        assert covered(area) == {"0428", "0483"}
        police = Organisation.objects.get(police_area=area)
        assert (police.name, police.kind) == ("Polisen, lokalpolisområde Katrineholm", "police")
        entry = LogEntry.objects.get(object_id=str(area.pk), content_type__model="policearea")
        assert entry.is_addition()

    def test_municipalities_outside_the_regions_counties_are_refused_at_the_field(
        self, client, superuser, ost, vingaker
    ):
        client.force_login(superuser)
        mala, lycksele = municipality("2418"), municipality("2481")
        response = client.post(ADD, area_form("Katrineholm", ost, [vingaker, lycksele, mala]))
        assert response.status_code == 200
        assert errors(response, "municipalities") == [
            "Not in a county of police region Öst: Lycksele, Malå."
        ]
        assert not PoliceArea.objects.filter(name="Katrineholm").exists()
        assert municipality("0428").police_area is None
        assert municipality("2481").police_area.name == "Södra Lappland"

    def test_the_form_offers_the_municipalities_of_the_regions_counties(
        self, client, superuser, ost, sodra_lappland
    ):
        """Once the region is known: the area's, the one posted, or the one the add page
        is opened for. Those chosen outside it stay in view, to be taken out again."""
        client.force_login(superuser)

        def offered(response):
            form = response.context["adminform"].form
            return {
                str(label).split(" (")[0]
                for _v, label in form["municipalities"].field.widget.choices
            }

        page = client.get(f"/en/admin/places/policearea/{sodra_lappland.pk}/change/")
        assert {"Åsele", "Lycksele", "Norsjö", "Kiruna"} <= offered(page)
        assert "Vingåker" not in offered(page)
        page = client.get(f"{ADD}?region={ost.pk}")
        assert {"Vingåker", "Katrineholm", "Jönköping", "Norrköping"} <= offered(page)
        assert not {"Åsele", "Kiruna"} & offered(page)
        assert len(offered(client.get(ADD))) == Municipality.objects.count()
        response = client.post(ADD, area_form("Katrineholm", ost, [municipality("2481")]))
        assert "Lycksele" in offered(response)
        assert "Åsele" not in offered(response)

    @pytest.mark.parametrize("chosen", ["²", "99999999999999999999", "abc"])
    def test_ids_that_are_no_ids_are_refused_at_the_field(self, client, superuser, ost, chosen):
        client.force_login(superuser)
        data = {"name": "Katrineholm", "region": ost.pk, "municipalities": [chosen]}
        response = client.post(ADD, data)
        assert response.status_code == 200
        assert errors(response, "municipalities")
        assert not PoliceArea.objects.filter(name="Katrineholm").exists()

    def test_the_change_form_attaches_and_detaches(self, client, superuser, sodra_lappland):
        client.force_login(superuser)
        url = f"/en/admin/places/policearea/{sodra_lappland.pk}/change/"
        form = client.get(url).context["adminform"].form
        assert {m.code for m in form["municipalities"].initial} == covered(sodra_lappland)
        keep = sodra_lappland.municipalities.exclude(code="2418")  # Malå leaves
        norsjo = municipality("2417")
        nord = sodra_lappland.region
        response = client.post(url, area_form("Södra Lappland", nord, [*keep, norsjo]))
        assert response.status_code == 302
        assert "2418" not in covered(sodra_lappland)
        assert "2417" in covered(sodra_lappland)
        assert municipality("2418").police_area is None
        # The demo's police stays the area's only police.
        assert sodra_lappland.organisations.filter(kind="police").count() == 1

    def test_a_municipality_with_police_coordinators_does_not_leave_its_area(
        self, client, superuser, sodra_lappland
    ):
        """The demo's "polis" acts for the police of Södra Lappland in Åsele: Åsele
        neither leaves the area nor moves to another while that membership lasts."""
        client.force_login(superuser)
        url = f"/en/admin/places/policearea/{sodra_lappland.pk}/change/"
        nord = sodra_lappland.region
        rest = sodra_lappland.municipalities.exclude(code="2463")
        message = [
            "Members act for the police of the current local police area in Åsele: end "
            "those memberships before the municipality leaves the area."
        ]
        response = client.post(url, area_form("Södra Lappland", nord, rest))
        assert response.status_code == 200
        assert errors(response, "municipalities") == message
        response = client.post(ADD, area_form("Åsele", nord, [municipality("2463")]))
        assert response.status_code == 200
        assert errors(response, "municipalities") == message
        assert municipality("2463").police_area == sodra_lappland
        assert not PoliceArea.objects.filter(name="Åsele").exists()

    def test_a_municipality_without_police_members_moves(self, client, superuser, sodra_lappland):
        client.force_login(superuser)
        nord = sodra_lappland.region
        response = client.post(ADD, area_form("Lycksele", nord, [municipality("2481")]))
        assert response.status_code == 302
        assert municipality("2481").police_area.name == "Lycksele"
        assert "2481" not in covered(sodra_lappland)

    def test_a_police_name_another_organisation_has_is_refused(self, client, superuser, ost):
        Organisation.objects.create(
            name="Polisen, lokalpolisområde Katrineholm",
            kind=Organisation.Kind.POLICE,
            police_area=PoliceArea.objects.get(name="Södra Lappland"),
        )
        client.force_login(superuser)
        response = client.post(ADD, area_form("Katrineholm", ost, []))
        assert response.status_code == 200
        assert errors(response, "name") == [
            "The area's police organisation would be called “Polisen, lokalpolisområde "
            "Katrineholm”, which another organisation already is."
        ]

    def test_all_or_nothing(self, monkeypatch, ost, vingaker):
        """A failure after the municipalities were attached leaves no trace."""

        def fail(self, *args, **kwargs):
            raise RuntimeError("the database went away")

        monkeypatch.setattr(Organisation, "save", fail)
        with pytest.raises(RuntimeError):
            police_area_create(name="Katrineholm", region=ost, municipalities=[vingaker])
        assert not PoliceArea.objects.filter(name="Katrineholm").exists()
        assert municipality("0428").police_area is None

    def test_the_services_check_as_the_form_does(self, ost, sodra_lappland):
        with pytest.raises(ValidationError) as raised:
            police_area_create(
                name="Katrineholm", region=ost, municipalities=[municipality("2481")]
            )
        assert raised.value.error_dict["municipalities"][0].code == "outside_region"
        with pytest.raises(ValidationError) as raised:
            police_area_update(
                area=sodra_lappland, name="Södra Lappland", region=ost, municipalities=[]
            )
        assert [e.code for e in raised.value.error_dict["municipalities"]] == ["police_members"]
        sodra_lappland.refresh_from_db()
        assert sodra_lappland.region.name == "Nord"


def test_the_whole_path_to_a_police_coordinator(
    client, superuser, vingaker_admin, ost, vingaker, katrineholm
):
    """Vingåker's administrator cannot make a police coordinator while Vingåker has no
    local police area, and is told why at the field; once a superuser has made the area
    with Vingåker in it, the same form grants the membership."""
    data = {
        "username": "polis-vingaker",
        "password1": "Ett-langt-losen-2026",
        "password2": "Ett-langt-losen-2026",
        "usable_password": "true",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-municipality": vingaker.pk,
        "memberships-0-organisation": "",
        "memberships-0-role": "police_coordinator",
    }
    client.force_login(vingaker_admin)
    response = client.post("/en/admin/auth/user/add/", data)
    assert response.status_code == 200
    inline = response.context["inline_admin_formsets"][0].formset
    assert any(e.startswith(NO_AREA) for e in inline.forms[0].errors["organisation"])
    assert not get_user_model().objects.filter(username="polis-vingaker").exists()

    client.force_login(superuser)
    response = client.post(ADD, area_form("Katrineholm", ost, [vingaker, katrineholm]))
    assert response.status_code == 302
    police = Organisation.objects.get(police_area__name="Katrineholm")

    client.force_login(vingaker_admin)
    response = client.post(
        "/en/admin/auth/user/add/", {**data, "memberships-0-organisation": police.pk}
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="polis-vingaker")
    membership = Membership.objects.get(user=user)
    assert (membership.municipality, membership.organisation) == (vingaker, police)
    assert membership.role == Membership.Role.POLICE_COORDINATOR
    assert user.groups.filter(name="Polissamordnare").exists()


class TestAHostileAdministrator:
    """Vingåker's administrator, against Södra Lappland (Åsele's area) and their own."""

    def test_anonymous_and_coordinators_are_sent_to_the_admin_login(
        self, client, ost, vingaker, sodra_lappland
    ):
        change = f"/en/admin/places/policearea/{sodra_lappland.pk}/change/"
        for username in (None, "polis", "kommun"):
            if username:
                client.force_login(get_user_model().objects.get(username=username))
            for url in (ADD, change):
                response = client.post(url, area_form("Södra Lappland", ost, [vingaker]))
                assert response.status_code == 302
                assert response["Location"].startswith("/en/admin/login/")
        sodra_lappland.refresh_from_db()
        assert sodra_lappland.region.name == "Nord"
        assert municipality("0428").police_area is None

    def test_makes_no_area(self, client, vingaker_admin, ost, vingaker):
        client.force_login(vingaker_admin)
        assert client.get(ADD).status_code == 403
        response = client.post(ADD, area_form("Vingåker", ost, [vingaker]))
        assert response.status_code == 403
        assert not PoliceArea.objects.filter(name="Vingåker").exists()
        assert municipality("0428").police_area is None

    def test_attaches_and_detaches_nothing(self, client, vingaker_admin, vingaker, sodra_lappland):
        before = covered(sodra_lappland)
        client.force_login(vingaker_admin)
        url = f"/en/admin/places/policearea/{sodra_lappland.pk}/change/"
        page = client.get(url)
        # Reference data is for everyone to read, but not as a form.
        assert page.status_code == 200
        assert 'name="municipalities"' not in page.content.decode()
        assert "Åsele" in page.content.decode()
        nord = sodra_lappland.region
        for data in (
            area_form("Södra Lappland", nord, [vingaker]),
            area_form("Södra Lappland", nord, []),
        ):
            assert client.post(url, data).status_code == 403
        delete = f"/en/admin/places/policearea/{sodra_lappland.pk}/delete/"
        assert client.post(delete, {"post": "yes"}).status_code == 403
        assert covered(sodra_lappland) == before
        assert municipality("0428").police_area is None

    def test_nor_through_history_or_a_past_version(
        self, client, superuser, vingaker_admin, vingaker, sodra_lappland
    ):
        client.force_login(superuser)
        url = f"/en/admin/places/policearea/{sodra_lappland.pk}/change/"
        keep = sodra_lappland.municipalities.exclude(code="2418")
        client.post(url, area_form("Södra Lappland", sodra_lappland.region, keep))
        before = covered(sodra_lappland)
        client.force_login(vingaker_admin)
        base = f"/en/admin/places/policearea/{sodra_lappland.pk}/history/"
        assert client.get(base).status_code == 200
        # Reference data keeps no versions: there is nothing to revert to.
        for version in ("1", "2"):
            assert client.get(f"{base}{version}/").status_code in (302, 404)
            data = area_form("Södra Lappland", sodra_lappland.region, [vingaker])
            assert client.post(f"{base}{version}/", data).status_code in (302, 403, 404)
        assert covered(sodra_lappland) == before
        assert municipality("0428").police_area is None

    def test_nor_on_the_municipality_page(self, client, vingaker_admin, vingaker, sodra_lappland):
        client.force_login(vingaker_admin)
        url = f"/en/admin/places/municipality/{vingaker.pk}/change/"
        assert client.get(url).status_code == 200
        data = {
            "code": vingaker.code,
            "name": vingaker.name,
            "slug": vingaker.slug,
            "county": vingaker.county_id,
            "police_area": sodra_lappland.pk,
        }
        assert client.post(url, data).status_code == 403
        asele = municipality("2463")
        other = f"/en/admin/places/municipality/{asele.pk}/change/"
        assert client.get(other).status_code in (302, 404)
        assert municipality("0428").police_area is None

    def test_nor_would_the_form_let_them_detach_what_they_do_not_administer(
        self, vingaker_admin, vingaker, katrineholm, ost
    ):
        """Were administrators ever allowed to change areas, the form would offer only
        their own municipalities and keep the others the area covers."""
        area = police_area_create(
            name="Katrineholm", region=ost, municipalities=[vingaker, katrineholm]
        )
        request = RequestFactory().get("/")
        request.user = vingaker_admin
        form_class = site._registry[PoliceArea].get_form(request, area)
        form = form_class(instance=area, data=area_form("Katrineholm", ost, [katrineholm]))
        assert [m.name for m in form.fields["municipalities"].queryset] == ["Vingåker"]
        assert not form.is_valid()
        form = form_class(instance=area, data=area_form("Katrineholm", ost, []))
        assert form.is_valid(), form.errors
        assert form.cleaned_data["municipalities"] == [katrineholm]

    def test_nor_on_the_superusers_municipality_page(self, client, superuser, sodra_lappland):
        """Municipalities are attached on the area's page, where they are checked."""
        vingaker = municipality("0428")
        client.force_login(superuser)
        url = f"/en/admin/places/municipality/{vingaker.pk}/change/"
        data = {
            "code": vingaker.code,
            "name": vingaker.name,
            "slug": vingaker.slug,
            "county": vingaker.county_id,
            "police_area": sodra_lappland.pk,
        }
        assert client.post(url, data).status_code == 302
        assert municipality("0428").police_area is None


class TestWithoutALocalPoliceArea:
    def test_the_municipality_list_says_so_and_filters_by_it(self, client, vingaker_admin):
        client.force_login(vingaker_admin)
        page = client.get("/en/admin/places/municipality/").content.decode()
        assert "No local police area" in page
        client.force_login(
            get_user_model().objects.create_superuser("root", "root@example.invalid", "pw")
        )
        response = client.get("/en/admin/places/municipality/?has_police_area=no")
        names = {m.name for m in response.context["cl"].queryset}
        assert "Vingåker" in names
        assert "Åsele" not in names
        response = client.get("/en/admin/places/municipality/?has_police_area=yes")
        assert {m.code for m in response.context["cl"].queryset} == covered(
            PoliceArea.objects.get(name="Södra Lappland")
        )

    def test_the_municipality_page_warns(self, client, superuser, vingaker_admin, vingaker):
        warning = "Vingåker has no local police area. Until a superuser attaches it to one"
        for user in (vingaker_admin, superuser):
            client.force_login(user)
            page = client.get(f"/en/admin/places/municipality/{vingaker.pk}/change/")
            assert warning in page.content.decode()
        asele = municipality("2463")
        page = client.get(f"/en/admin/places/municipality/{asele.pk}/change/").content.decode()
        assert "has no local police area" not in page
        assert "Södra Lappland" in page

    @pytest.mark.parametrize("area", ["", "Södra Lappland"])
    def test_an_agreement_is_refused_at_the_police_area(
        self, client, vingaker_admin, vingaker, area
    ):
        client.force_login(vingaker_admin)
        police_area = PoliceArea.objects.filter(name=area).first()
        response = client.post(
            "/en/admin/pledges/agreement/add/",
            {
                "municipality": vingaker.pk,
                "police_area": police_area.pk if police_area else "",
                "title": "Överenskommelse",
                "valid_from": "2026-01-01",
                "valid_to": "2027-12-31",
            },
        )
        assert response.status_code == 200
        assert any(e.startswith(NO_AREA) for e in errors(response, "police_area"))
        assert not vingaker.agreements.exists()

    def test_a_police_coordinator_is_refused_at_the_organisation(self, client, superuser, vingaker):
        """Through the membership admin: the superuser's view of the same rule."""
        user = get_user_model().objects.create_user("polis-vingaker")
        client.force_login(superuser)
        response = client.post(
            "/en/admin/accounts/membership/add/",
            {"user": user.pk, "municipality": vingaker.pk, "role": "police_coordinator"},
        )
        assert response.status_code == 200
        assert any(e.startswith(NO_AREA) for e in errors(response, "organisation"))
        assert not Membership.objects.filter(user=user).exists()

    def test_an_area_without_police_says_so(self, client, superuser, vingaker, ost):
        """An area made outside the admin (as the reference data makes them) may have no
        police organisation yet: the membership form says so, and saving the area makes
        it."""
        area = PoliceArea.objects.create(name="Katrineholm", region=ost)
        Municipality.objects.filter(pk=vingaker.pk).update(police_area=area)
        user = get_user_model().objects.create_user("polis-vingaker")
        client.force_login(superuser)
        data = {"user": user.pk, "municipality": vingaker.pk, "role": "police_coordinator"}
        response = client.post("/en/admin/accounts/membership/add/", data)
        assert response.status_code == 200
        assert errors(response, "organisation") == [
            "This field is required.",
            "The local police area Katrineholm has no police organisation yet: a superuser "
            "saves the area under Local police areas to create it.",
        ]
        url = f"/en/admin/places/policearea/{area.pk}/change/"
        assert client.post(url, area_form("Katrineholm", ost, [vingaker])).status_code == 302
        police = area.organisations.get(kind="police")
        response = client.post(
            "/en/admin/accounts/membership/add/", {**data, "organisation": police.pk}
        )
        assert response.status_code == 302
        assert Membership.objects.filter(user=user, organisation=police).exists()

    def test_a_police_organisation_without_an_area_is_refused_at_the_field(self, client, superuser):
        client.force_login(superuser)
        response = client.post(
            "/en/admin/places/organisation/add/", {"name": "Polisen", "kind": "police"}
        )
        assert response.status_code == 200
        assert errors(response, "police_area") == [
            "A police organisation acts for a local police area: choose it."
        ]
        assert response.context["adminform"].form.non_field_errors() == []
        assert not Organisation.objects.filter(name="Polisen").exists()


def test_an_agreement_signed_with_the_old_area_stays_valid_after_a_move(sodra_lappland):
    """Found in review: moving a municipality to a new area made its earlier agreements
    impossible to edit."""
    from datetime import date

    from pledges.models import Agreement

    lycksele = Municipality.objects.get(name="Lycksele")
    agreement = Agreement.objects.create(
        municipality=lycksele,
        police_area=lycksele.police_area,
        title="Överenskommelse 2025",
        valid_from=date(2025, 1, 1),
        valid_to=date(2025, 12, 31),
    )
    police_area_create(name="Nya området", region=sodra_lappland.region, municipalities=[lycksele])
    agreement.refresh_from_db()
    agreement.title = "Överenskommelse 2025 (rättad)"
    agreement.full_clean()
    # A new agreement is with the area of today.
    fresh = Agreement(
        municipality=Municipality.objects.get(pk=lycksele.pk),
        police_area=sodra_lappland,
        title="Ny",
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 31),
    )
    with pytest.raises(ValidationError):
        fresh.full_clean()
