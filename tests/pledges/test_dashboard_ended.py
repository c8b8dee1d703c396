"""An ended pledge does not trap anyone: the dashboard says it has ended, names the
municipality's administrators to ask for the next one, and still leads to its work."""

from datetime import date

import pytest
import time_machine
from django.utils.translation import gettext

from accounts.models import Membership
from pledges.models import Commitment, Pledge

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(date(2026, 11, 27), tick=False):
        yield


@pytest.fixture
def only_the_ended_pledge(demo_pledge):
    """Åsele with its 2017 pledge, ended, and no other public pledge."""
    Pledge.objects.filter(municipality=demo_pledge.municipality).exclude(pk=demo_pledge.pk).update(
        status=Pledge.State.DRAFT
    )
    assert demo_pledge.valid_to is not None
    return demo_pledge


def admins_of(pledge):
    return [
        m.user
        for m in Membership.objects.filter(
            municipality=pledge.municipality, role=Membership.Role.ADMIN
        ).select_related("user")
    ]


def test_dashboard_says_the_pledge_has_ended_and_whom_to_ask(client_for, only_the_ended_pledge):
    pledge = only_the_ended_pledge
    response = client_for("polis").get("/samordnare/")
    html = response.content.decode()
    ((_report, admins),) = response.context["sections"]
    assert admins == admins_of(pledge)
    assert admins, "the demo has an administrator of Åsele"
    assert (
        gettext("A new pledge is published by the municipality's administrators. Ask them:") in html
    )
    for admin in admins:
        assert (admin.get_full_name() or admin.username) in html
    # Its follow-ups and verdicts are still reachable, and logging is for its last day.
    traffic = Commitment.objects.get(pledge=pledge, position=1)
    assert f"/samordnare/lofte/{traffic.pk}/uppfoljning/" in html
    form = client_for("polis").get(f"/samordnare/aktiviteter/ny/?commitment={traffic.pk}")
    assert form.context["form"].initial["date"] == pledge.valid_to


def test_no_notice_while_a_pledge_is_in_force(client_for, demo_pledge):
    Pledge.objects.filter(pk=demo_pledge.pk).update(valid_to=None)
    Pledge.objects.filter(municipality=demo_pledge.municipality).exclude(pk=demo_pledge.pk).update(
        status=Pledge.State.DRAFT
    )
    response = client_for("polis").get("/samordnare/")
    assert [admins for _report, admins in response.context["sections"]] == [None]


def test_a_municipality_without_administrators_is_told_where_to_turn(
    client_for, only_the_ended_pledge
):
    Membership.objects.filter(
        municipality=only_the_ended_pledge.municipality, role=Membership.Role.ADMIN
    ).delete()
    html = client_for("polis").get("/samordnare/").content.decode()
    assert (
        gettext("the municipality has no administrator yet; ask the site's administrators.") in html
    )
