"""The printable follow-up report, printed to PDF by Chromium."""

import re

import pytest

from pledges.models import Commitment
from tests.e2e.conftest import assert_no_axe_violations

pytestmark = pytest.mark.browser


def pdf_pages(pdf):
    """How many pages a PDF has: its page objects (Chromium writes them uncompressed)."""
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def test_report_prints_to_a4_pdf_one_promise_a_page(page, demo_site, demo_pledge):
    texts = list(
        Commitment.objects.filter(pledge=demo_pledge)
        .order_by("position")
        .values_list("text", flat=True)
    )
    page.goto(f"{demo_site}/kommun/asele/2017/rapport/")
    assert_no_axe_violations(page)

    page.emulate_media(media="print")
    # No navigation on paper; every promise starts a page.
    for hidden in (".site-header", ".site-footer", ".skip-link", ".breadcrumbs", ".no-print"):
        assert not page.locator(hidden).first.is_visible(), hidden
    printed = page.locator("main").inner_text()
    for text in texts:
        assert text in printed
    assert "Varifrån uppgifterna kommer" in printed
    breaks = page.locator(".report-promise").evaluate_all(
        "els => els.map(e => getComputedStyle(e).breakBefore)"
    )
    assert breaks == ["page"] * len(texts)

    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    # A first page, a page (or two) per promise, the effects and the situational picture.
    pages = pdf_pages(pdf)
    assert len(texts) + 3 <= pages <= 2 * len(texts) + 4, pages
    assert b"/MediaBox [0 0 595" in pdf or b"/MediaBox [0 0 594" in pdf


def test_report_reads_at_320_px_without_horizontal_scroll(page, demo_site):
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{demo_site}/kommun/asele/2017/rapport/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_no_axe_violations(page)
