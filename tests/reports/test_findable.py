"""Every municipality can be found; one without a published pledge says so and points to
the pledges of its police area and county; Tyck till is offered only where someone
moderates it."""

from datetime import date

import pytest
import time_machine
from django.core.cache import cache

from accounts.models import Membership
from dialogues.models import Submission
from places.models import County
from tests.pledges.factories import (
    CommitmentFactory,
    CountyFactory,
    MunicipalityFactory,
    PledgeFactory,
    PoliceAreaFactory,
)

pytestmark = pytest.mark.django_db

MESSAGE = {"theme": "traffic", "place": "Torget", "message": "Bilar kör för fort på kvällarna."}


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(date(2026, 11, 27), tick=False):
        yield


@pytest.fixture(autouse=True)
def empty_rate_limits():
    cache.clear()
    yield
    cache.clear()


def text_of(response):
    assert response.status_code == 200
    return response.content.decode()


def pledge_of(municipality, title):
    pledge = PledgeFactory(municipality=municipality, title=title)
    CommitmentFactory(pledge=pledge)
    return pledge


@pytest.fixture
def region():
    """A county with a police area of three municipalities (two with a pledge, one
    without), one more municipality of the county in another area, and a municipality of
    another county in the same area."""
    county = CountyFactory(code="98", name="Provlän")
    area = PoliceAreaFactory(name="Provområdet")
    empty = MunicipalityFactory(name="Tomby", slug="tomby", county=county, police_area=area)
    near = MunicipalityFactory(name="Närby", slug="narby", county=county, police_area=area)
    county_only = MunicipalityFactory(name="Länsby", slug="lansby", county=county)
    across = MunicipalityFactory(
        name="Gränsby", slug="gransby", county=CountyFactory(code="97"), police_area=area
    )
    # Far away: a real county, never one a factory's sequence may share with Provlän.
    far = MunicipalityFactory(
        name="Fjärranby", slug="fjarranby", county=County.objects.get(code="25")
    )
    return {
        "empty": empty,
        "near": pledge_of(near, "Närbys löfte"),
        "county": pledge_of(county_only, "Länsbys löfte"),
        "across": pledge_of(across, "Gränsbys löfte"),
        "far": pledge_of(far, "Fjärranbys löfte"),
    }


class TestSearch:
    def test_finds_a_municipality_without_a_pledge(self, client, demo_pledge):
        MunicipalityFactory(name="Tomkommun", slug="tomkommun")
        draft_only = MunicipalityFactory(name="Utkastkommun", slug="utkastkommun")
        CommitmentFactory(pledge=PledgeFactory(municipality=draft_only, draft=True))
        html = text_of(client.get("/en/", {"q": "tomkommun"}))
        assert "1 municipality without a published pledge" in html
        assert 'href="/en/kommun/tomkommun/"' in html
        assert "no published citizen pledge" in html
        assert "No municipality matches your search." not in html
        html = text_of(client.get("/en/", {"q": "utkast"}))
        assert 'href="/en/kommun/utkastkommun/"' in html

    def test_a_municipality_with_a_pledge_is_not_listed_as_without(self, client, demo_pledge):
        html = text_of(client.get("/en/", {"q": "åsele"}))
        # Its current pledge: the demo's of this year (tests.world's today).
        assert "/en/kommun/asele/2026/" in html
        assert "without a published pledge" not in html

    def test_every_seeded_municipality_is_found_by_its_name(self, client, demo_pledge):
        from places.models import Municipality

        for municipality in Municipality.objects.order_by("?")[:25]:
            html = text_of(client.get("/", {"q": municipality.name}))
            assert f'href="/kommun/{municipality.slug}/' in html, municipality.name

    def test_filter_by_county_lists_those_without(self, client, region):
        html = text_of(client.get("/en/", {"lan": "98"}))
        assert 'href="/en/kommun/tomby/"' in html
        assert "Närbys löfte" in html
        assert "Gränsby" not in html

    def test_the_plain_list_stays_the_pledges(self, client, region):
        html = text_of(client.get("/en/"))
        assert "Tomby" not in html
        assert "Närbys löfte" in html

    def test_nothing_found(self, client, demo_pledge):
        html = text_of(client.get("/en/", {"q": "finnsintealls"}))
        assert "No municipality matches your search." in html

    def test_search_queries_are_constant(self, client, region, django_assert_num_queries):
        # counties, each municipality's current pledge, commitments, target sites,
        # amendments, done counts, the municipalities without a published pledge
        with django_assert_num_queries(7):
            text_of(client.get("/", {"q": "by"}))
        for i in range(10):
            MunicipalityFactory(name=f"Extraby {i}", county=region["empty"].county)
            pledge_of(MunicipalityFactory(name=f"Löftesby {i}"), f"Löfte {i}")
        with django_assert_num_queries(7):
            html = text_of(client.get("/", {"q": "by"}))
        assert "Extraby 9" in html
        assert "Löfte 9" in html


class TestMunicipalityWithoutPledge:
    def test_says_so_and_points_to_the_police_area_and_the_county(self, client, region):
        html = text_of(client.get("/en/kommun/tomby/"))
        assert "Tomby has not published a citizen pledge here yet." in html
        area = html[html.index("In the same local police area") : html.index("Elsewhere")]
        assert "Närbys löfte" in area
        assert "Gränsbys löfte" in area
        assert "Länsbys löfte" not in area
        county = html[html.index("Elsewhere in the county") :]
        assert "neighbouring municipalities in Provlän" in county
        assert "Länsbys löfte" in county
        assert "Närbys löfte" not in county
        assert "Fjärranbys löfte" not in html
        assert 'href="/en/kommun/narby/2017/"' in html
        assert 'href="/en/kommun/narby/"' in html

    def test_a_municipality_with_a_pledge_shows_no_neighbours(self, client, region):
        html = text_of(client.get("/en/kommun/narby/"))
        assert "Pledges nearby" not in html

    def test_queries_are_constant(self, client, region, django_assert_num_queries):
        # the municipality (with its newest agreement, newest published situational
        # picture and whether anyone moderates Tyck till), its public pledges (none), its
        # published dialogues, the pledges of its police area and county
        with django_assert_num_queries(4):
            text_of(client.get("/kommun/tomby/"))
        for i in range(8):
            pledge_of(
                MunicipalityFactory(
                    county=region["empty"].county, police_area=region["empty"].police_area
                ),
                f"Grannlöfte {i}",
            )
        with django_assert_num_queries(4):
            html = text_of(client.get("/kommun/tomby/"))
        assert "Grannlöfte 7" in html


class TestTyckTillOnlyWhereModerated:
    def test_not_offered_without_a_coordinator(self, client, region):
        html = text_of(client.get("/en/kommun/tomby/"))
        assert "/tyck-till/" not in html
        assert "Tyck till is not offered for Tomby" in html
        assert client.get("/kommun/tomby/tyck-till/").status_code == 404
        assert client.post("/kommun/tomby/tyck-till/", MESSAGE).status_code == 404
        assert client.get("/kommun/tomby/tyck-till/tack/").status_code == 404
        assert not Submission.objects.exists()

    def test_an_administrator_or_an_inactive_coordinator_is_not_a_moderator(self, client, region):
        from django.contrib.auth import get_user_model

        from places.models import Organisation

        municipality = region["empty"]
        organisation = Organisation.objects.create(
            name="Tomby kommun", kind=Organisation.Kind.MUNICIPALITY, municipality=municipality
        )
        users = get_user_model().objects
        Membership.objects.create(
            user=users.create_user("tomby-admin"),
            municipality=municipality,
            organisation=organisation,
            role=Membership.Role.ADMIN,
        )
        Membership.objects.create(
            user=users.create_user("tomby-slutat", is_active=False),
            municipality=municipality,
            organisation=organisation,
            role=Membership.Role.MUNICIPAL_COORDINATOR,
        )
        assert client.get("/kommun/tomby/tyck-till/").status_code == 404
        assert "/tyck-till/" not in text_of(client.get("/kommun/tomby/"))

    def test_offered_where_a_coordinator_moderates(self, client, demo_pledge):
        moderated = MunicipalityFactory(name="Modby", slug="modby", moderator=True)
        html = text_of(client.get(f"/kommun/{moderated.slug}/"))
        assert f'href="/kommun/{moderated.slug}/tyck-till/"' in html
        assert client.get(f"/kommun/{moderated.slug}/tyck-till/").status_code == 200
        response = client.post(f"/kommun/{moderated.slug}/tyck-till/", MESSAGE)
        assert response.status_code == 302
        assert Submission.objects.get().municipality == moderated
        assert 'href="/kommun/asele/tyck-till/"' in text_of(client.get("/kommun/asele/"))
