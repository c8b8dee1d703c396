"""An administrator revises the live demo pledge in the browser, through the guided
revision (issue 13): keeps a promise, revises one saying what changed, drops one with a
reason, pastes two new ones from the signed text, names the signatories, previews and
publishes. Every page passes axe; the clicks and typed fields it took are counted and
reported."""

import re
import sys

import pytest
from django.utils import timezone

from pledges.models import Commitment, Pledge
from pledges.progress import successor_period
from tests.e2e.conftest import assert_no_axe_violations
from tests.e2e.test_coordinator import log_in
from tests.e2e.test_quick_logging import Counted

pytestmark = pytest.mark.browser


def submit(user, page):
    """Press the page's main button (the first submit button of the step's form)."""
    user.click(page.locator("main form button[type=submit]").first)


# Two promises of a signed text, as an admin would paste them.
SIGNED_TEXT = (
    "• Kommunen lovar att genomföra minst 2 trygghetsvandringar i centrum under året.\n"
    "• Kommunen lovar att genomföra informationsinsatser om droger till föräldrar."
)


def test_admin_revises_the_live_pledge(page, demo_site, capsys):
    today = timezone.localdate()
    live = Pledge.objects.get(municipality__slug="asele", status=Pledge.State.PUBLISHED)
    previous = list(live.commitments.order_by("position"))
    assert len(previous) >= 3
    start, end = successor_period(live.valid_from, live.valid_to, today)
    log_in(page, demo_site, "admin")
    # The pages around the flow, not counted: what "Revise" in the admin opens, and the
    # start of a first pledge.
    for address in (f"/samordnare/revidering/revidera/{live.pk}/", "/samordnare/revidering/nytt/"):
        page.goto(demo_site + address)
        assert_no_axe_violations(page)
    page.goto(f"{demo_site}/samordnare/")
    user = Counted(page)

    # "Revidera" on the dashboard: the task list of the new draft.
    user.click(page.locator(f'form[action$="/revidering/revidera/{live.pk}/"] button'))
    page.wait_for_url(re.compile(r".*/samordnare/revidering/\d+/$"))
    draft = Pledge.objects.get(revises=live)
    base = f"{demo_site}/samordnare/revidering/{draft.pk}"
    assert_no_axe_violations(page)

    # The period proposed is the next one from today: accepted as it is.
    user.click(page.locator(f'a[href$="/revidering/{draft.pk}/period/"]'))
    assert page.locator("#id_valid_from").input_value() == start.isoformat()
    assert page.locator("#id_valid_to").input_value() == end.isoformat()
    assert_no_axe_violations(page)
    submit(user, page)

    # One step per promise, in order, each saved and followed by the next.
    for index, commitment in enumerate(previous):
        page.wait_for_url(f"{base}/lofte/{commitment.pk}/")
        assert commitment.text in page.locator("blockquote.promise").first.inner_text()
        if index == 1:
            user.click(page.locator("input[name=decision][value=revise]"))
            # Saved without saying what changed: refused at the field, on this step.
            submit(user, page)
            page.wait_for_load_state()
            assert page.locator(".error-summary a[href='#id_change_note']").is_visible()
            assert_no_axe_violations(page)
            user.type(page.locator("#id_promise-text"), commitment.text + " Minst en gång till.")
            user.type(page.locator("#id_change_note"), "En insats till varje år.")
        elif index == 2:
            user.click(page.locator("input[name=decision][value=drop]"))
            user.type(page.locator("#id_reason"), "Skolan har lagts ned.")
        else:
            user.click(page.locator("input[name=decision][value=continue]"))
        if index == 0:
            assert_no_axe_violations(page)
        submit(user, page)

    # Two new promises, pasted from the signed text and saved as proposed.
    page.wait_for_url(f"{base}/nya-loften/")
    assert_no_axe_violations(page)
    user.click(page.locator(f'a[href$="/revidering/{draft.pk}/klistra-in/"]'))
    user.type(page.locator("#id_text"), SIGNED_TEXT)
    user.click(page.locator('button[name="propose"]'))
    page.wait_for_selector("fieldset.proposal")
    assert page.locator("mark.recognised", has_text="minst 2").count() == 1
    assert_no_axe_violations(page)
    user.click(page.locator('button[name="save"]'))
    page.wait_for_url(f"{base}/nya-loften/")
    assert page.locator("table.data-table tbody tr").count() == 2
    assert_no_axe_violations(page)
    user.click(page.locator("button[name=done]"))

    # The signatories.
    page.wait_for_url(f"{base}/underskrifter/")
    assert_no_axe_violations(page)
    user.type(page.locator("#id_signatories"), "Anna Andersson, kommunstyrelsens ordförande")
    user.type(page.locator("#id_signed_on"), today.isoformat())
    submit(user, page)

    # Every step completed: the task list lets publishing start.
    page.wait_for_url(f"{base}/")
    assert page.locator(".tag-cannot-start").count() == 0
    assert_no_axe_violations(page)
    user.click(page.locator(f'a[href$="/revidering/{draft.pk}/granska/"]'))
    page.wait_for_url(f"{base}/granska/")
    assert "Skolan har lagts ned." in page.content()
    assert_no_axe_violations(page)
    user.click(page.locator(f'form[action$="/revidering/{draft.pk}/publicera/"] button'))
    page.wait_for_url(f"{base}/publicera/")
    assert f"/kommun/asele/{start.year}/" in page.content()
    assert live.title in page.content()
    assert_no_axe_violations(page)
    user.click(page.locator("button[name=confirm]"))
    page.wait_for_url(f"{demo_site}/kommun/asele/{start.year}/")

    draft.refresh_from_db()
    live.refresh_from_db()
    assert (draft.status, live.status) == (Pledge.State.PUBLISHED, Pledge.State.SUPERSEDED)
    changes = set(draft.commitments.values_list("change", flat=True))
    assert changes == {c.value for c in Commitment.Change}
    lineage = page.locator("section.lineage")
    assert "Vad har ändrats?" in lineage.inner_text()
    text = lineage.inner_text()
    for kind in ("Fortsätter", "Reviderat: En insats till varje år.", "Nytt", "Slopat"):
        assert kind in text
    assert "Skolan har lagts ned." in text
    assert_no_axe_violations(page)

    steps = len(previous) + 4
    with capsys.disabled():
        sys.stdout.write(
            f"\nGuided revision of {len(previous)} promises: {user.clicks} clicks and "
            f"{user.typed} typed fields over {steps} steps.\n"
        )
    # "Revidera", the period and its save; per promise a choice and a save, and for the
    # revised one a save refused for its missing note; "paste", "propose" and "save" for
    # the new promises, then "done"; the signatories' save; review, publish, confirm.
    assert user.clicks == 3 + 2 * len(previous) + 1 + 3 + 1 + 1 + 3
    # The revised promise's text and note, the reason, the pasted text, the signatories
    # and the date.
    assert user.typed == 2 + 1 + 1 + 2
