"""What every page of a Swedish public authority's site carries: who publishes it and how
to reach them, an accessibility statement, a privacy page and an open-data page; and
titles that say when a page is an error."""

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext

from places.models import Organisation, publishers_of, with_publishers
from pledges.models import Pledge
from tests.pledges.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db

ASELE_PUBLISHERS = [
    "Åsele kommun",
    "https://www.asele.se/",
    "kommun@asele.se",
    "0941-140 00",
    "Polisen, lokalpolisområde Södra Lappland",
    "https://polisen.se/",
]


def html_of(response):
    return response.content.decode()


def footer_of(response):
    html = html_of(response)
    return html[html.index('<footer class="site-footer">') :]


def header_of(response):
    html = html_of(response)
    return html[html.index("<header") : html.index("</header>")]


def title_of(response):
    return re.search(r"<title>(.*?)</title>", html_of(response), re.S).group(1).strip()


def error_prefix(language):
    with translation.override(language):
        return gettext("Error:")


@pytest.mark.parametrize(
    ("path", "content"),
    [
        # conformance, how to report, the supervisory authority and its form, the date
        ("/tillganglighet/", ["2018:1937", "WCAG", "medborgarloften@example.org"]),
        ("/tillganglighet/", ["https://www.digg.se/tdosanmalan", 'datetime="2026-11-30"']),
        # what is stored, the limits that are settings, the legal basis, the DPO, IMY
        ("/personuppgifter/", ["6.1 e", "dataskyddsombud@example.org", "https://www.imy.se/"]),
        ("/personuppgifter/", ["csrftoken", "sessionid"]),
        # what the API offers, its schema and the licence
        ("/oppna-data/", ['href="/api/v1/"', 'href="/api/v1/schema/"', "CC0 1.0"]),
        ("/oppna-data/", ["/api/v1/pledges/&lt;id&gt;/activities/"]),
    ],
)
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_site_pages_answer_in_both_languages(client, path, content, prefix):
    response = client.get(f"{prefix}{path}")
    assert response.status_code == 200
    html = html_of(response)
    assert f'<html lang="{"en" if prefix else "sv"}">' in html
    for text in content:
        assert text in html
    assert html.count("<h1>") == 1


def test_english_pages_say_what_they_are(client):
    assert "partially compliant" in html_of(client.get("/en/tillganglighet/"))
    assert "Agency for Digital Government (Digg)" in html_of(client.get("/en/tillganglighet/"))
    assert "A coordinator is logged out after 10 hours" in html_of(
        client.get("/en/tillganglighet/")
    )
    privacy = html_of(client.get("/en/personuppgifter/"))
    assert "A lockout ends 1 hour after the latest failure" in privacy
    assert "for 48 hours" in privacy
    assert "public interest" in privacy
    assert "Creative Commons Zero" in html_of(client.get("/en/oppna-data/"))


@pytest.mark.parametrize("path", ["/tillganglighet/", "/personuppgifter/", "/oppna-data/"])
def test_site_pages_run_no_query(client, django_assert_num_queries, path):
    with django_assert_num_queries(0):
        assert client.get(path).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/kommun/asele/2017/",
        "/en/kommun/asele/2017/",
        "/kommun/asele/",
        "/kommun/asele/tyck-till/",
        "/kommun/asele/tyck-till/tack/",
    ],
)
def test_a_municipality_s_pages_name_its_publishers_in_the_footer(client, path):
    footer = footer_of(client.get(path))
    for text in ASELE_PUBLISHERS:
        assert text in footer
    assert 'href="mailto:kommun@asele.se"' in footer
    # The national footer's publisher is not theirs.
    assert "medborgarloften@example.org" not in footer


def test_the_other_municipality_pages_name_the_publishers_too(client, demo_pledge):
    commitment = demo_pledge.commitments.first()
    footer = footer_of(client.get(f"/kommun/asele/2017/lofte/{commitment.pk}/aktiviteter/"))
    assert "Åsele kommun" in footer
    assert "Polisen, lokalpolisområde Södra Lappland" in footer
    dialogue = demo_pledge.municipality.dialogues.published().first()
    footer = footer_of(client.get(f"/kommun/asele/dialoger/{dialogue.pk}/"))
    assert "kommun@asele.se" in footer


def test_national_pages_name_the_service_s_publisher(client):
    footer = footer_of(client.get("/"))
    assert "medborgarloften@example.org" in footer
    assert "Åsele kommun" not in footer


def test_every_footer_links_the_site_pages_and_the_login(client):
    response = client.get("/kommun/asele/2017/")
    footer = footer_of(response)
    for url in ("/tillganglighet/", "/personuppgifter/", "/oppna-data/", "/konto/logga-in/"):
        assert f'href="{url}"' in footer
    assert "/konto/logga-in/" not in header_of(response)


def test_a_logged_in_coordinator_s_menu_is_at_the_header_s_end(client_for):
    client = client_for("kommun")
    response = client.get("/kommun/asele/2017/")
    header = header_of(response)
    assert header.index("language-nav") < header.index("account-nav")
    assert "/konto/logga-in/" not in footer_of(response)


def test_a_municipality_without_organisations_gets_a_footer_without_them(client):
    municipality = MunicipalityFactory()
    response = client.get(f"/kommun/{municipality.slug}/")
    footer = footer_of(response)
    assert municipality.name in footer
    assert 'class="publishers"' not in footer


def test_publishers_are_the_municipality_s_own_and_its_police_area_s():
    asele = Pledge.objects.filter(municipality__code="2463").first().municipality
    other = MunicipalityFactory(police_area=asele.police_area)
    Organisation.objects.create(
        name="Annan kommun", kind=Organisation.Kind.MUNICIPALITY, municipality=other
    )
    # An external actor of Åsele publishes nothing; a second own organisation does not
    # make the municipality appear twice.
    Organisation.objects.create(
        name="Åsele kommun, socialtjänsten",
        kind=Organisation.Kind.MUNICIPALITY,
        municipality=asele,
    )
    rows = list(with_publishers(type(asele).objects.filter(pk__in=[asele.pk, other.pk])))
    names = {row.pk: [org.name for org in publishers_of(row)] for row in rows}
    assert names[asele.pk] == ["Åsele kommun", "Polisen, lokalpolisområde Södra Lappland"]
    assert names[other.pk] == ["Annan kommun", "Polisen, lokalpolisområde Södra Lappland"]
    pledges = with_publishers(Pledge.objects.filter(municipality=asele), "municipality__")
    assert all(len(publishers_of(pledge)) == 2 for pledge in pledges)


def test_tyck_till_has_no_theme_chosen_in_advance(client):
    html = html_of(client.get("/kommun/asele/tyck-till/"))
    select = html[html.index('<select name="theme"') : html.index("</select>")]
    options = re.findall(r"<option[^>]*>", select)
    assert options[0] == '<option value="" selected>'
    assert sum("selected" in option for option in options) == 1


@pytest.mark.parametrize("language", ["sv", "en"])
def test_a_tyck_till_post_with_errors_says_so_in_the_title(client, language):
    prefix = "" if language == "sv" else "/en"
    response = client.post(
        f"{prefix}/kommun/asele/tyck-till/",
        {"theme": "", "place": "", "message": "Mörkt vid busshållplatsen", "website": ""},
    )
    assert response.status_code == 400
    assert title_of(response).startswith(error_prefix(language) + " ")
    assert 'id="id_theme"' in html_of(response)
    assert not title_of(client.get(f"{prefix}/kommun/asele/tyck-till/")).startswith(
        error_prefix(language)
    )


@pytest.mark.parametrize("language", ["sv", "en"])
def test_error_pages_say_so_in_the_title(client, language):
    prefix = "" if language == "sv" else "/en"
    response = client.get(f"{prefix}/kommun/finns-inte/")
    assert response.status_code == 404
    assert title_of(response).startswith(error_prefix(language) + " ")
    assert not title_of(client.get(f"{prefix}/kommun/asele/")).startswith(error_prefix(language))
