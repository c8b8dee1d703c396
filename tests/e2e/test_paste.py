"""An administrator pastes two signed promises into a draft revision, reviews what the
app recognised (highlighted), corrects one field and adds them (issue 13, point 2)."""

import re
from datetime import date

import pytest
from django.utils import timezone

from pledges.models import Pledge
from pledges.services import pledge_revise
from tests.e2e.conftest import assert_no_axe_violations
from tests.e2e.test_coordinator import log_in
from tests.e2e.test_quick_logging import Counted

pytestmark = pytest.mark.browser

TEXT = (
    "• Polisen lovar att genomföra minst 4 riktade trafikinsatser under året. "
    "Fokus ska ligga på hastighet.\n"
    "• Kommunen lovar att genomföra informationsinsatser om droger till föräldrar."
)


def test_pasting_two_promises_into_a_draft(page, demo_site):
    today = timezone.localdate()
    live = Pledge.objects.filter(municipality__slug="asele", status=Pledge.State.PUBLISHED).get(
        valid_from__lte=today, valid_to__gte=today
    )
    draft = pledge_revise(
        pledge=live,
        valid_from=date(live.valid_to.year + 1, 1, 1),
        valid_to=date(live.valid_to.year + 1, 12, 31),
    )
    carried = draft.commitments.count()
    last = draft.commitments.order_by("-position")[0].position
    log_in(page, demo_site, "admin")
    page.goto(f"{demo_site}/samordnare/revidering/{draft.pk}/klistra-in/")
    assert_no_axe_violations(page)

    user = Counted(page)
    user.type(page.locator("#id_text"), TEXT)
    user.click(page.locator('button[name="propose"]'))
    page.wait_for_selector("fieldset.proposal")
    assert page.locator("fieldset.proposal").count() == 2
    # What was recognised is highlighted, and said in text next to it.
    first = page.locator("#proposal-1")
    assert first.locator("mark.recognised", has_text="minst 4").is_visible()
    assert "[" in first.locator("mark.recognised + .read-as").first.inner_text()
    assert page.locator("#id_proposal-0-target_value").input_value() == "4"
    assert page.locator("#id_proposal-0-target_period").input_value() == "year"
    assert page.locator("#id_proposal-1-responsible_1").is_checked()  # the municipality
    assert_no_axe_violations(page)

    # Corrected: 6 a year, not 4.
    user.type(page.locator("#id_proposal-0-target_value"), "6")
    user.click(page.locator('button[name="save"]'))
    page.wait_for_url(re.compile(rf".*/samordnare/revidering/{draft.pk}/nya-loften/$"))

    assert (user.clicks, user.typed) == (2, 2)
    added = list(draft.commitments.order_by("position")[carried:])
    assert [c.position for c in added] == [last + 1, last + 2]
    assert (added[0].target_kind, added[0].target_value, added[0].target_period) == (
        "count",
        6,
        "year",
    )
    assert added[0].text.startswith("Polisen lovar att genomföra minst 4")
    assert (added[1].responsible, added[1].activity_type_id) == ("municipality", "information")
    assert added[1].target_kind == "qualitative"
