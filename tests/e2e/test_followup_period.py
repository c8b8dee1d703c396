"""Browser test: the follow-up of a reporting period, from the dashboard, through the
preview, to the saved texts and a refused one; axe on each page, and at 320 px."""

import re

import pytest

from tests.e2e.conftest import assert_no_axe_violations
from tests.e2e.test_coordinator import log_in

pytestmark = pytest.mark.browser


def test_polis_follows_up_a_period_on_one_page(page, demo_site):
    log_in(page, demo_site, "polis")
    page.locator("section.pledge a[href*='/uppfoljning/20']").first.click()
    page.wait_for_url(re.compile(r".*/samordnare/plan/\d+/uppfoljning/\d{4}-\d\d-\d\d/$"))
    assert_no_axe_violations(page)

    field = page.locator("textarea[name$='-text']").first
    field.fill("Två hastighetskontroller vid skolan.")
    page.get_by_role("button", name="Förhandsgranska").click()
    preview = page.locator("section.preview")
    assert "Två hastighetskontroller vid skolan." in preview.inner_text()
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Spara").click()
    assert page.locator(".messages").is_visible()
    name = field.get_attribute("name")
    assert page.locator(f"textarea[name='{name}']").input_value() == (
        "Två hastighetskontroller vid skolan."
    )

    # A saved text cannot be emptied: the error is at its field, and nothing is saved.
    page.locator(f"textarea[name='{name}']").fill("")
    page.get_by_role("button", name="Spara", exact=True).click()
    assert page.locator(".error-summary").is_visible()
    assert page.locator(f"#id_{name}_error").is_visible()
    assert_no_axe_violations(page)

    page.set_viewport_size({"width": 320, "height": 800})
    page.reload()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
