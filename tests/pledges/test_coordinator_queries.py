"""Coordinator pages run a constant number of queries, whatever the number of activities."""

from datetime import date

import pytest
import time_machine

from places.models import Site
from pledges.models import Activity, Commitment, Measurement

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(date(2026, 11, 27), tick=False):
        yield


def add_activities(pledge, n):
    commitments = list(Commitment.objects.filter(pledge=pledge))
    schools = list(Site.objects.filter(kind="school"))
    for i in range(n):
        commitment = commitments[i % len(commitments)]
        activity = Activity.objects.create(
            commitment=commitment,
            date=date(2017, 1 + i % 12, 1 + i % 28),
            status=["done", "planned", "cancelled"][i % 3],
            site=schools[i % len(schools)] if commitment.is_per_site else None,
            public_summary=f"Aktivitet {i}",
        )
        Measurement.objects.create(activity=activity, quantity_id="vehicles_checked", value=i)


# Each count: savepoint and release, session, user, the user's and the groups' permissions,
# then the page's own queries, then the session's renewal (SESSION_SAVE_EVERY_REQUEST: an
# update between a savepoint and its release).
PAGES = {
    # memberships, public pledges, commitments, target sites, amendments, done counts;
    # the reminders (dialogues.reminders): pledges, commitments, follow-ups, verdicts,
    # planned activities past their date, waiting Tyck till messages; and the count of
    # Tyck till messages waiting (dialogues.templatetags.moderation)
    "/samordnare/": 21,
    # activity count, activity page, commitment choices of the filter form
    "/samordnare/aktiviteter/": 11,
    # pledge (scoped to the user's municipalities in the same query), planned activities,
    # their organisations, the user's memberships (which planned activities they may
    # mark as done)
    "plan": 12,
}


@pytest.mark.parametrize("page", PAGES)
def test_constant_queries(client_for, demo_pledge, django_assert_num_queries, page):
    client = client_for("polis")
    url = f"/samordnare/plan/{demo_pledge.pk}/" if page == "plan" else page
    add_activities(demo_pledge, 20)
    with django_assert_num_queries(PAGES[page]):
        assert client.get(url).status_code == 200
    add_activities(demo_pledge, 60)
    with django_assert_num_queries(PAGES[page]):
        assert client.get(url).status_code == 200
