import re

import pytest

from pledges.models import Commitment
from tests.e2e.conftest import assert_no_axe_violations

pytestmark = pytest.mark.browser


def log_in(page, base, username):
    page.goto(f"{base}/konto/logga-in/")
    assert_no_axe_violations(page)
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill("demo")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{base}/samordnare/")


def traffic_section(page):
    return page.locator("section.commitment").filter(has_text="riktade trafikinsatser")


def test_polis_logs_a_traffic_operation_and_the_public_figure_moves(page, demo_site):
    page.goto(f"{demo_site}/kommun/asele/2017/")
    figure = traffic_section(page).locator(".figure-text").inner_text()
    assert "3 av 4 trafikinsatser" in figure
    assert "Delvis genomfört" in figure

    log_in(page, demo_site, "polis")
    assert page.locator("h1").inner_text() == "Mina löften"
    assert_no_axe_violations(page)

    traffic = Commitment.objects.get(
        position=1, pledge__municipality__slug="asele", pledge__valid_from__year=2017
    )
    # The dashboard shows the latest pledge (2018); 2017's promises are in the form's list.
    page.get_by_role("link", name="Registrera en aktivitet").first.click()
    page.locator("#id_commitment").select_option(str(traffic.pk))
    assert_no_axe_violations(page)

    # First a mistake: a date outside the pledge's year. The error is shown at the field.
    page.locator("#id_date").fill("2018-03-01")
    page.locator("#id_public_summary").fill("Hastighetskontroll på väg 90.")
    page.locator("#id_quantity_vehicles_checked").fill("42")
    page.get_by_role("button", name="Spara aktiviteten").click()
    error = page.locator("#id_date_error")
    assert "giltighetstid" in error.inner_text()
    assert page.locator("#id_public_summary").input_value() == ("Hastighetskontroll på väg 90.")
    assert_no_axe_violations(page)

    page.locator("#id_date").fill("2017-11-25")
    page.get_by_role("button", name="Spara aktiviteten").click()
    page.wait_for_url(re.compile(r".*/samordnare/aktiviteter/\d+/$"))
    assert "Aktiviteten har sparats." in page.locator(".messages").inner_text()
    assert_no_axe_violations(page)

    page.goto(f"{demo_site}/kommun/asele/2017/")
    section = traffic_section(page)
    figure = section.locator(".figure-text").inner_text()
    assert "4 av 4 trafikinsatser" in figure
    assert "Genomfört" in figure
    assert "Delvis" not in figure
    assert "Hastighetskontroll på väg 90." in section.inner_text()


def test_kommun_is_not_offered_police_only_promises(page, demo_site):
    log_in(page, demo_site, "kommun")
    page.goto(f"{demo_site}/samordnare/aktiviteter/ny/")
    options = page.locator("#id_commitment option").all_inner_texts()
    assert any("Polisen och kommunen lovar" in option for option in options)
    assert not any("riktade trafikinsatser" in option for option in options)
    traffic = Commitment.objects.get(
        position=1, pledge__municipality__slug="asele", pledge__valid_from__year=2017
    )
    response = page.goto(f"{demo_site}/samordnare/aktiviteter/ny/?commitment={traffic.pk}")
    assert response.status == 403


def test_coordinator_pages_work_at_320_px(page, demo_site):
    page.set_viewport_size({"width": 320, "height": 800})
    log_in(page, demo_site, "polis")
    for path in ("/samordnare/", "/samordnare/aktiviteter/ny/", "/samordnare/aktiviteter/"):
        page.goto(f"{demo_site}{path}")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, path
        assert_no_axe_violations(page)
