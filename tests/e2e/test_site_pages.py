"""The accessibility statement, the privacy and open-data pages and the footer, in a
browser: no axe violations on a 320 px phone nor at 200 % zoom, and nothing wider than
the screen."""

import pytest

from tests.e2e.conftest import assert_no_axe_violations

pytestmark = pytest.mark.browser

PAGES = [
    "/tillganglighet/",
    "/personuppgifter/",
    "/oppna-data/",
    "/en/tillganglighet/",
    "/en/personuppgifter/",
    "/en/oppna-data/",
    # the footer with a municipality's publishers, and a form with errors
    "/kommun/asele/2017/",
    # the other pages of issue 11: the overview of a revision, the printable report, a
    # municipality without a pledge, a search that finds one
    "/kommun/asele/2018/",
    "/kommun/asele/2017/rapport/",
    "/kommun/vingaker/",
    "/?q=vin",
]

# 200 % zoom of a 1280 x 800 window: the page lays itself out in half as many CSS pixels.
ZOOMED = {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2}
PHONE = {"viewport": {"width": 320, "height": 640}}


@pytest.fixture(params=[PHONE, ZOOMED], ids=["320px", "zoom200"])
def small_page(browser, request):
    context = browser.new_context(locale="sv-SE", **request.param)
    page = context.new_page()
    yield page
    context.close()


def assert_no_horizontal_scroll(page):
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


@pytest.mark.parametrize("path", PAGES)
def test_site_pages_are_accessible_small_and_zoomed(small_page, demo_site, path):
    small_page.goto(f"{demo_site}{path}")
    assert small_page.locator("h1").count() == 1
    assert small_page.locator("footer .footer-nav a").count() >= 3
    assert_no_horizontal_scroll(small_page)
    assert_no_axe_violations(small_page)


def test_year_page_footer_names_asele_s_publishers(small_page, demo_site):
    small_page.goto(f"{demo_site}/kommun/asele/2017/")
    footer = small_page.locator("footer").inner_text()
    assert "Åsele kommun" in footer
    assert "Polisen, lokalpolisområde Södra Lappland" in footer
    assert "kommun@asele.se" in footer


def test_tyck_till_with_errors_is_accessible(small_page, demo_site):
    small_page.goto(f"{demo_site}/kommun/asele/tyck-till/")
    assert small_page.locator("#id_theme").input_value() == ""
    small_page.locator("#id_message").fill("Mörkt vid busshållplatsen")
    small_page.get_by_role("button", name="Skicka").click()
    assert small_page.title().startswith(("Fel:", "Error:"))
    assert_no_horizontal_scroll(small_page)
    assert_no_axe_violations(small_page)


def test_the_pages_of_all_activities_and_of_a_concerns_answer_small_and_zoomed(
    small_page, demo_site
):
    from dialogues.models import Concern
    from pledges.models import Commitment
    from tests.e2e.test_coordinator import log_in

    traffic = Commitment.objects.get(pledge__title="Medborgarlöfte 2017", position=1)
    small_page.goto(f"{demo_site}/kommun/asele/2017/lofte/{traffic.pk}/aktiviteter/")
    assert small_page.locator("h1").count() == 1
    assert_no_horizontal_scroll(small_page)
    assert_no_axe_violations(small_page)

    concern = Concern.objects.filter(dialogue__municipality__slug="asele").first()
    log_in(small_page, demo_site, "kommun")
    small_page.goto(f"{demo_site}/samordnare/synpunkter/{concern.pk}/svar/")
    assert small_page.locator("h1").count() == 1
    assert_no_horizontal_scroll(small_page)
    assert_no_axe_violations(small_page)
