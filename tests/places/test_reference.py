from io import StringIO

import pytest
from django.core.management import call_command

from places.models import County, Municipality, PoliceRegion
from places.reference import load_reference_data

# The loader on the database as the migrations leave it, as `make setup` runs it.
pytestmark = pytest.mark.usefixtures("empty_db")


def test_loads_all_counties_and_municipalities_idempotently():
    assert load_reference_data() == (21, 290)
    assert load_reference_data() == (21, 290)
    assert County.objects.count() == 21
    assert Municipality.objects.count() == 290


def test_asele_with_its_county_police_area_and_region():
    load_reference_data()
    asele = Municipality.objects.select_related("county", "police_area__region").get(code="2463")
    assert (asele.name, asele.slug) == ("Åsele", "asele")
    assert asele.county.code == "24"
    assert asele.county.name == "Västerbottens län"
    assert asele.police_area.name == "Södra Lappland"
    assert asele.police_area.region.name == "Nord"
    assert asele.county.police_region.name == "Nord"


def test_slugs_are_lower_case_ascii_and_unique():
    load_reference_data()
    slugs = list(Municipality.objects.values_list("slug", flat=True))
    assert len(set(slugs)) == 290
    assert all(slug.isascii() and slug == slug.lower() for slug in slugs)
    by_name = dict(Municipality.objects.values_list("name", "slug"))
    assert by_name["Vingåker"] == "vingaker"
    assert by_name["Malung-Sälen"] == "malung-salen"
    # Habo and Håbo fold to the same ASCII; the ASCII name keeps the plain slug.
    assert by_name["Habo"] == "habo"
    assert by_name["Håbo"] == "habo-uppsala"


# Polisen's seven regions since 2015, by the counties (län) each covers.
POLICE_REGIONS = {
    "Bergslagen": {"17", "18", "20"},  # Värmland, Örebro, Dalarna
    "Mitt": {"03", "19", "21"},  # Uppsala, Västmanland, Gävleborg
    "Nord": {"22", "23", "24", "25"},  # Västernorrland, Jämtland, Västerbotten, Norrbotten
    "Stockholm": {"01", "09"},  # Stockholm, Gotland
    "Syd": {"07", "08", "10", "12"},  # Kronoberg, Kalmar, Blekinge, Skåne
    "Väst": {"13", "14"},  # Halland, Västra Götaland
    "Öst": {"04", "05", "06"},  # Södermanland, Östergötland, Jönköping
}


def test_every_county_is_in_one_of_the_seven_police_regions():
    load_reference_data()
    assert not County.objects.filter(police_region__isnull=True).exists()
    found = {
        region.name: {county.code for county in region.counties.all()}
        for region in PoliceRegion.objects.prefetch_related("counties")
    }
    assert found == POLICE_REGIONS
    assert sum(len(codes) for codes in found.values()) == County.objects.count() == 21


def test_the_command_loads_and_says_how_much():
    out = StringIO()
    call_command("load_reference_data", stdout=out)
    assert out.getvalue() == "Reference data: 21 counties, 290 municipalities.\n"
    assert (County.objects.count(), Municipality.objects.count()) == (21, 290)
