"""An administrator changes a promise's target from its page: the periods it affects are
shown before anything is saved, and the public page then lists the amendment (issue 13,
point 3)."""

import re

import pytest
from django.utils import timezone

from pledges.models import Commitment, Pledge
from tests.e2e.conftest import assert_no_axe_violations
from tests.e2e.test_coordinator import log_in
from tests.e2e.test_quick_logging import Counted

pytestmark = pytest.mark.browser


def test_amending_a_target_from_the_promise(page, demo_site):
    today = timezone.localdate()
    live = Pledge.objects.filter(municipality__slug="asele", status=Pledge.State.PUBLISHED).get(
        valid_from__lte=today, valid_to__gte=today
    )
    commitment = (
        Commitment.objects.filter(pledge=live, target_value__isnull=False)
        .order_by("position")
        .first()
    )
    log_in(page, demo_site, "admin")
    page.goto(f"{demo_site}/samordnare/lofte/{commitment.pk}/uppfoljning/")

    user = Counted(page)
    user.click(page.locator(f'a[href$="/samordnare/lofte/{commitment.pk}/andra-mal/"]'))
    page.wait_for_url(re.compile(r".*/andra-mal/$"))
    assert_no_axe_violations(page)
    # The day defaults to today: only the value and the reason are typed.
    assert page.locator("#id_effective_from").input_value() == today.isoformat()
    user.type(page.locator("#id_new_value"), "9")
    user.type(page.locator("#id_reason"), "Fler poliser i området.")
    user.click(page.locator('button[name="continue"]'))
    page.wait_for_selector("#confirm-heading")
    assert page.locator("table.data-table tbody tr").count() >= 1
    assert_no_axe_violations(page)
    assert not commitment.amendments.filter(effective_from=today).exists()
    user.click(page.locator('button[name="confirm"]'))
    page.wait_for_url(re.compile(r".*/uppfoljning/$"))

    assert (user.clicks, user.typed) == (3, 2)
    amendment = commitment.amendments.get(effective_from=today)
    assert (amendment.new_value, amendment.reason) == (9, "Fler poliser i området.")
    page.goto(f"{demo_site}/kommun/asele/{today.year}/")
    assert page.get_by_text("Fler poliser i området.").first.is_visible()
