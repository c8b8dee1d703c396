from datetime import date

import pytest

from dialogues.models import Concern, Dialogue, IndicatorValue, Submission
from tests.e2e.conftest import assert_no_axe_violations
from tests.e2e.test_coordinator import log_in

pytestmark = pytest.mark.browser


def no_overflow(page):
    return (
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        <= 0
    )


def test_citizen_follows_a_dialogue_forward_to_what_was_done(page, demo_site):
    page.goto(f"{demo_site}/kommun/asele/")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Fokusgrupp med företagarföreningen").first.click()
    assert "Ni sa – vi gjorde" in page.locator("h1").inner_text()
    assert_no_axe_violations(page)
    said = page.locator("ol.concerns").inner_text()
    assert "Buskörning med moped och snöskoter i centrum" in said
    page.locator("ol.concerns a").first.click()
    target = page.locator("section.commitment:target").inner_text()
    # The newest answer first: the demo's pledge for the current year, counting vehicles.
    assert "kontrollerade fordon" in target
    # Every year's traffic promise answers it: 2017, its 2018 revision and the current.
    did = page.locator("#did-heading + section, section.commitment").all_inner_texts()
    assert any("3 av 4 trafikinsatser" in text for text in did)
    assert any("4 av 6 trafikinsatser" in text for text in did)


def test_tyck_till_form_errors_receipt_and_accessibility(page, demo_site):
    page.goto(f"{demo_site}/kommun/asele/tyck-till/")
    assert_no_axe_violations(page)
    page.locator("#id_theme").select_option("lighting")
    page.locator("#id_place").fill("Busstationen")
    page.locator("#id_message").fill("Ring mig på 070-123 45 67")
    page.get_by_role("button", name="Skicka").click()
    assert "Ta bort det och skicka igen" in page.locator("#id_message_error").inner_text()
    assert page.locator("#id_place").input_value() == "Busstationen"
    assert_no_axe_violations(page)
    page.locator("#id_message").fill("Det är mörkt vid busstationen på kvällarna.")
    page.get_by_role("button", name="Skicka").click()
    assert page.locator("h1").inner_text() == "Tack för ditt meddelande"
    assert_no_axe_violations(page)
    assert Submission.objects.get().place == "Busstationen"


def test_coordinator_dialogue_pages_and_moderation(page, demo_site):
    Submission.objects.create(
        municipality=Dialogue.objects.first().municipality, theme="lighting", message="Mörkt."
    )
    log_in(page, demo_site, "kommun")
    for path in (
        "/samordnare/dialoger/",
        "/samordnare/dialoger/ny/",
        f"/samordnare/dialoger/{Dialogue.objects.first().pk}/",
        "/samordnare/tyck-till/",
        f"/samordnare/tyck-till/{Submission.objects.get().pk}/",
        "/samordnare/indikatorer/",
        f"/samordnare/dialoger/{Dialogue.objects.first().pk}/andra/",
        f"/samordnare/tyck-till/{Submission.objects.get().pk}/tema/",
        f"/samordnare/indikatorer/varden/{IndicatorValue.objects.first().pk}/",
        "/samordnare/",
        # the public answer to a concern, and the dialogue page that shows it
        f"/samordnare/synpunkter/{Concern.objects.filter(dialogue__municipality__slug='asele').first().pk}/svar/",
        f"/kommun/asele/dialoger/{Dialogue.objects.first().pk}/",
    ):
        page.goto(f"{demo_site}{path}")
        assert page.locator("h1").count() == 1, path
        assert_no_axe_violations(page)


@pytest.mark.parametrize("path", ["/kommun/asele/", "/kommun/asele/tyck-till/"])
def test_readable_at_320_px(page, demo_site, path):
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{demo_site}{path}")
    assert no_overflow(page)


def test_revision_pages_are_accessible(page, demo_site):
    from pledges.models import Pledge
    from pledges.services import pledge_revise

    latest = Pledge.objects.get(status="published")
    following = latest.valid_to.year + 1
    draft = pledge_revise(
        pledge=latest, valid_from=date(following, 1, 1), valid_to=date(following, 12, 31)
    )
    page.goto(f"{demo_site}/kommun/asele/2018/")
    assert "Vad har ändrats?" in page.content()
    assert_no_axe_violations(page)
    # The demo's pledge in progress: revised, continued and new promises, a monthly table.
    page.goto(f"{demo_site}/kommun/asele/{latest.valid_from.year}/")
    assert "Vad har ändrats?" in page.content()
    assert "Efter plan" in page.content()
    assert_no_axe_violations(page)
    log_in(page, demo_site, "admin")
    page.goto(f"{demo_site}/forhandsgranska/{draft.pk}/")
    assert "Förhandsgranskning av ett utkast" in page.content()
    assert_no_axe_violations(page)
