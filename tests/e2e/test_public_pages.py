import pytest

from tests.e2e.conftest import assert_no_axe_violations

pytestmark = pytest.mark.browser

TRAFFIC = (
    "Polisen lovar att genomföra minst 4 riktade trafikinsatser i Åsele under året. "
    "Fokus ska ligga på buskörning, hastighet och kontroll av rattonykterhet."
)


def test_asele_2017_traffic_commitment_and_accessibility(page, demo_site):
    page.goto(f"{demo_site}/kommun/asele/2017/")
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.locator("h1").count() == 1

    traffic = page.locator("section.commitment").filter(has_text=TRAFFIC)
    assert traffic.count() == 1
    assert traffic.locator("blockquote").inner_text().strip() == TRAFFIC
    figure = traffic.locator(".figure-text").inner_text()
    assert "3 av 4 trafikinsatser" in figure
    assert "Delvis genomfört" in figure
    assert "75 % av målet för 2017" in traffic.inner_text()

    assert_no_axe_violations(page)


@pytest.mark.parametrize("path", ["/", "/kommun/asele/", "/en/kommun/asele/2017/", "/kommun/x/"])
def test_other_public_pages_have_no_axe_violations(page, demo_site, path):
    page.goto(f"{demo_site}{path}")
    assert page.locator("h1").count() == 1
    assert_no_axe_violations(page)


def test_skip_link_moves_focus_to_main(page, demo_site):
    page.goto(f"{demo_site}/kommun/asele/2017/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_page_reads_at_320_px_without_horizontal_scroll(page, demo_site):
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{demo_site}/kommun/asele/2017/")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


def test_axe_check_catches_a_violation(page):
    """The accessibility check can fail: an image without alt text and an unlabeled input."""
    page.set_content('<html lang="sv"><body><main><img src="x.png"><input></main></body></html>')
    with pytest.raises(AssertionError, match="violations"):
        assert_no_axe_violations(page)


def test_a_weekly_promise_with_missed_weeks_and_its_activity_pages_are_accessible(page, demo_site):
    from datetime import date, timedelta

    import time_machine

    from tests.pledges.factories import (
        ActivityFactory,
        CommitmentFactory,
        MunicipalityFactory,
        PledgeFactory,
    )

    pledge = PledgeFactory(
        municipality=MunicipalityFactory(name="Veckoby", slug="veckoby"),
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 31),
    )
    commitment = CommitmentFactory(
        pledge=pledge, target_value=1, target_period="week", unit="trafikkontroller"
    )
    day = date(2026, 1, 5)
    while day < date(2026, 11, 16):
        if day.isocalendar()[1] % 5:  # every fifth week missed
            ActivityFactory(commitment=commitment, date=day, public_summary=f"Kontroll {day}.")
        day += timedelta(days=7)

    # The live server runs in this process: it reads the same clock.
    with time_machine.travel(date(2026, 11, 25)):
        page.goto(f"{demo_site}/kommun/veckoby/2026/")
        figure = page.locator("section.commitment .figure-text").inner_text()
        assert "av 53 veckor med minst 1 trafikkontroll" in figure
        assert "Efter plan" in figure
        assert page.locator("tr.missed").count() >= 1
        assert_no_axe_violations(page)

        page.goto(f"{demo_site}/kommun/veckoby/2026/lofte/{commitment.pk}/aktiviteter/")
        assert page.locator("h1").count() == 1
        assert "Kontroll" in page.locator("main").inner_text()
        assert_no_axe_violations(page)


def test_on_a_phone_the_overview_of_four_promises_fits_in_two_screens(page, demo_site):
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{demo_site}/kommun/asele/2018/")
    rows = page.locator(".overview-row")
    assert rows.count() == 4
    last = rows.nth(3).bounding_box()
    assert last["y"] + last["height"] < 2 * 812
    # A status word leads to its meaning in the folded legend, which opens for it.
    rows.nth(0).locator("a.status-link").click()
    assert page.locator("details.legend").get_attribute("open") is not None
    assert_no_axe_violations(page)


@pytest.mark.parametrize("zoom", ["320px", "200%"])
def test_the_year_page_is_accessible_narrow_and_zoomed(page, demo_site, zoom):
    if zoom == "320px":
        page.set_viewport_size({"width": 320, "height": 800})
        page.goto(f"{demo_site}/kommun/asele/2018/")
    else:
        page.set_viewport_size({"width": 1280, "height": 800})
        page.goto(f"{demo_site}/kommun/asele/2018/")
        page.evaluate("document.body.style.zoom = '200%'")
    assert_no_axe_violations(page)
