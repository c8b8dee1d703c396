"""The Content-Security-Policy (no inline script or style) blocks nothing the site and the
Django admin need: their scripts run, their styles apply, nothing is refused."""

import pytest

from pledges.models import Pledge

pytestmark = pytest.mark.browser


@pytest.fixture
def refusals(page):
    """What the browser refused under the Content-Security-Policy, and script errors."""
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: refused.append(str(error)))
    return refused


def styled(page):
    """The page's own stylesheets applied (the body's font is not the browser default)."""
    return page.evaluate("getComputedStyle(document.body).fontFamily") not in ("", "Times")


def test_the_admin_works_under_the_policy(page, demo_site, refusals):
    page.goto(f"{demo_site}/admin/login/")
    page.locator("#id_username").fill("admin")
    page.locator("#id_password").fill("demo")
    page.locator("input[type=submit]").click()
    page.wait_for_url(f"{demo_site}/admin/")
    assert styled(page)

    # A list with filters and actions: actions.js counts the selection.
    page.goto(f"{demo_site}/admin/pledges/pledge/")
    page.locator("#action-toggle").check()
    assert "av" in page.locator(".action-counter").inner_text()

    # A change form with inlines and date fields: inlines.js and DateTimeShortcuts.js
    # add their links, and the calendar opens.
    page.goto(f"{demo_site}/admin/pledges/pledge/add/")
    assert page.locator(".add-row a").count() > 0
    page.locator(".datetimeshortcuts a").filter(has=page.locator(".date-icon")).first.click()
    assert page.locator(".calendarbox").first.is_visible()

    # The navigation sidebar's filter (nav_sidebar.js).
    page.locator("#nav-filter").fill("aktivitet")
    assert page.locator("#nav-sidebar tr.model-activity").is_visible()
    assert not page.locator("#nav-sidebar tr.model-pledge").is_visible()

    assert styled(page)
    assert refusals == []

    # django-simple-history's history page carries one style attribute (border-top: 0 on
    # the paginator), which the policy refuses; Django 5.2's admin CSS draws no such border
    # anyway, so the page looks and works the same.
    page.goto(
        f"{demo_site}/admin/pledges/pledge/{Pledge.objects.order_by('pk').first().pk}/history/"
    )
    assert page.locator("#change-history").is_visible()
    assert len(refusals) <= 1
    assert all("inline style" in refusal for refusal in refusals)


@pytest.mark.parametrize("path", ["/", "/kommun/asele/2017/", "/konto/logga-in/"])
def test_public_pages_need_nothing_the_policy_refuses(page, demo_site, refusals, path):
    page.goto(f"{demo_site}{path}")
    assert styled(page)
    assert refusals == []
