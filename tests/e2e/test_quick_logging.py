"""Logging one done activity from the dashboard takes two clicks and one typed field
(issue 12, point 9): everything else the system knows is filled in."""

import re

import pytest
from django.utils import timezone

from pledges.models import Activity, Commitment, Pledge
from tests.e2e.conftest import assert_no_axe_violations
from tests.e2e.test_coordinator import log_in

pytestmark = pytest.mark.browser


class Counted:
    """The user's interactions with a page: clicks and typed fields."""

    def __init__(self, page):
        self.page = page
        self.clicks = 0
        self.typed = 0

    def click(self, locator):
        self.clicks += 1
        locator.click()

    def type(self, locator, text):
        self.typed += 1
        locator.fill(text)


def test_logging_a_done_activity_takes_two_clicks_and_one_typed_field(page, demo_site):
    today = timezone.localdate()
    # The dashboard's pledge is the one its page shows: the newest public one of Åsele.
    pledge = Pledge.objects.public().filter(municipality__slug="asele").order_by("-valid_from")[0]
    # Joint supervision measures no quantities: only the summary is left to type.
    commitment = Commitment.objects.create(
        pledge=pledge,
        position=99,
        text="Polisen lovar gemensam tillsyn av serveringsställen.",
        responsible=Commitment.Responsible.POLICE,
        activity_type_id="joint_supervision",
        target_kind="qualitative",
    )
    assert not commitment.measurable_quantities().exists()
    log_in(page, demo_site, "polis")
    before = set(Activity.objects.values_list("pk", flat=True))

    user = Counted(page)
    user.click(page.locator(f'a[href$="/samordnare/aktiviteter/ny/?commitment={commitment.pk}"]'))
    page.wait_for_url(re.compile(r".*/aktiviteter/ny/\?commitment=\d+$"))
    assert_no_axe_violations(page)
    user.type(page.locator("#id_public_summary"), "Samtal med elever om trygghet.")
    user.click(page.locator('input[type="submit"][name="save"]'))
    page.wait_for_url(re.compile(r".*/samordnare/aktiviteter/\d+/$"))

    assert (user.clicks, user.typed) == (2, 1)
    (new,) = Activity.objects.exclude(pk__in=before)
    assert new.commitment == commitment
    assert new.status == Activity.Status.DONE
    assert new.date == min(today, pledge.end(today))
    assert new.public_summary == "Samtal med elever om trygghet."
    assert [o.pk for o in new.organisations.all()] == [new.logged_for_id]
    assert new.logged_for is not None
