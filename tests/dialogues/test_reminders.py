"""The reminder digest: what needs a coordinator, e-mailed at most once a day, and shown on
the dashboard."""

from datetime import date

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command

from accounts.models import Membership, ReminderState
from accounts.services import membership_grant
from dialogues.models import Submission
from dialogues.reminders import reminders_for
from places.models import Organisation
from pledges.models import Activity, Commitment, FollowUp, PeriodVerdict, Pledge
from pledges.progress import TargetPeriod
from tests.pledges.factories import (
    ActivityFactory,
    CommitmentFactory,
    MunicipalityFactory,
    PledgeFactory,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 10)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def town():
    return MunicipalityFactory(name="Reminderköping")


def member(town, username, role):
    kind = (
        Organisation.Kind.POLICE
        if role == Membership.Role.POLICE_COORDINATOR
        else Organisation.Kind.MUNICIPALITY
    )
    organisation = Organisation.objects.create(
        name=f"{username} org",
        kind=kind,
        municipality=None if kind == Organisation.Kind.POLICE else town,
        police_area=town.police_area if kind == Organisation.Kind.POLICE else None,
    )
    user = get_user_model().objects.create_user(
        username, email=f"{username}@example.org", password="demo"
    )
    membership_grant(user=user, municipality=town, organisation=organisation, role=role)
    return user


@pytest.fixture
def kommun(town):
    return member(town, "kommun-r", Membership.Role.MUNICIPAL_COORDINATOR)


@pytest.fixture
def polis(town):
    return member(town, "polis-r", Membership.Role.POLICE_COORDINATOR)


@pytest.fixture
def quiet_pledge(town):
    """A pledge begun this month, until further notice: nothing has ended yet."""
    return PledgeFactory(municipality=town, valid_from=date(2026, 6, 1), valid_to=None)


@pytest.fixture
def year_pledge(town):
    """2026: the first tertial (January–April) has ended."""
    return PledgeFactory(
        municipality=town, valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31)
    )


def sent_to():
    """The addresses e-mailed, of this test's users (the demo's users have theirs too)."""
    return sorted(to for m in mail.outbox for to in m.to if to.endswith("@example.org"))


def kinds(user):
    return {item.kind: item.count for item in reminders_for(user, TODAY)}


def test_nothing_needs_them_nothing_is_sent(kommun, polis, quiet_pledge):
    CommitmentFactory(pledge=quiet_pledge, responsible=Commitment.Responsible.JOINT)
    assert kinds(kommun) == {}
    call_command("send_reminders")
    assert sent_to() == []


def test_planned_activity_past_its_date(kommun, polis, quiet_pledge):
    commitment = CommitmentFactory(pledge=quiet_pledge, responsible=Commitment.Responsible.POLICE)
    ActivityFactory(commitment=commitment, status=Activity.Status.PLANNED, date=date(2026, 6, 5))
    ActivityFactory(commitment=commitment, status=Activity.Status.PLANNED, date=date(2026, 6, 20))
    assert kinds(polis) == {"planned_past": 1}
    # A police promise: not the municipal coordinator's.
    assert kinds(kommun) == {}


def test_follow_up_missing_for_an_ended_reporting_period(kommun, polis, year_pledge):
    commitment = CommitmentFactory(
        pledge=year_pledge, responsible=Commitment.Responsible.MUNICIPALITY
    )
    assert kinds(kommun) == {"follow_up_missing": 1}
    assert kinds(polis) == {}
    FollowUp.objects.create(
        commitment=commitment,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 4, 30),
        narrative="Klart.",
    )
    assert kinds(kommun) == {}


def test_verdict_missing_for_ended_periods(kommun, town):
    pledge = PledgeFactory(
        municipality=town,
        valid_from=date(2026, 3, 1),
        valid_to=None,
        follow_up_cadence=Pledge.Cadence.YEAR,
    )
    monthly = CommitmentFactory(
        pledge=pledge, responsible=Commitment.Responsible.JOINT, target_period=TargetPeriod.MONTH
    )
    # March, April and May have ended.
    assert kinds(kommun) == {"verdict_missing": 3}
    PeriodVerdict.objects.create(
        commitment=monthly,
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        justification="Som planerat.",
    )
    assert kinds(kommun) == {"verdict_missing": 2}


def test_qualitative_assessment_counts_as_its_verdict(kommun, town):
    pledge = PledgeFactory(
        municipality=town,
        valid_from=date(2026, 3, 1),
        valid_to=None,
        follow_up_cadence=Pledge.Cadence.YEAR,
    )
    commitment = CommitmentFactory(
        pledge=pledge,
        qualitative=True,
        responsible=Commitment.Responsible.MUNICIPALITY,
        target_period=TargetPeriod.MONTH,
    )
    assert kinds(kommun) == {"verdict_missing": 3}
    Commitment.objects.filter(pk=commitment.pk).update(assessed_status="done")
    assert kinds(kommun) == {}


def test_waiting_tyck_till_messages(kommun, polis, quiet_pledge):
    Submission.objects.create(municipality=quiet_pledge.municipality, theme="lighting", message="x")
    Submission.objects.create(
        municipality=quiet_pledge.municipality,
        theme="lighting",
        message="y",
        status=Submission.Status.REJECTED,
    )
    assert kinds(kommun) == {"messages_waiting": 1}
    assert kinds(polis) == {"messages_waiting": 1}


def test_pledge_ending_within_60_days_without_a_draft_successor(kommun, town):
    ending = PledgeFactory(
        municipality=town, valid_from=date(2026, 5, 1), valid_to=date(2026, 8, 1)
    )
    assert kinds(kommun) == {"successor_missing": 1}
    PledgeFactory(
        municipality=town, valid_from=date(2026, 8, 2), valid_to=None, revises=ending, draft=True
    )
    assert kinds(kommun) == {}


def test_pledge_ending_later_needs_nothing(kommun, town):
    PledgeFactory(municipality=town, valid_from=date(2026, 5, 1), valid_to=date(2026, 8, 31))
    assert kinds(kommun) == {}


@pytest.fixture
def busy(kommun, polis, quiet_pledge):
    """Something needs both coordinators, with texts that must never be e-mailed."""
    commitment = CommitmentFactory(pledge=quiet_pledge, responsible=Commitment.Responsible.JOINT)
    ActivityFactory(
        commitment=commitment,
        status=Activity.Status.PLANNED,
        date=date(2026, 6, 5),
        public_summary="Hemlig sammanfattning",
        internal_notes="Känslig intern anteckning",
    )
    Submission.objects.create(
        municipality=quiet_pledge.municipality, theme="lighting", message="Mörkt vid Storgatan 5"
    )
    return commitment


def test_one_email_per_person_per_day_even_when_run_twice(busy, kommun, polis, frozen_today):
    call_command("send_reminders")
    call_command("send_reminders")
    assert sent_to() == [kommun.email, polis.email]
    assert ReminderState.objects.get(user=kommun).last_sent_on == TODAY
    frozen_today.move_to(date(2026, 6, 11))
    call_command("send_reminders")
    assert len(sent_to()) == 4


def test_the_email_holds_counts_and_links_only(busy, kommun, settings):
    settings.SITE_URL = "https://loften.example.se"
    call_command("send_reminders")
    body = next(m.body for m in mail.outbox if m.to == [kommun.email])
    # In Swedish, the default language, whatever the language of the run.
    assert "Reminderköping: 1 planerad aktivitet har passerat sitt datum." in body
    assert "https://loften.example.se/samordnare/aktiviteter/?status=planned" in body
    assert "https://loften.example.se/samordnare/tyck-till/" in body
    assert "https://loften.example.se/konto/paminnelser/" in body
    subjects = " ".join(m.subject for m in mail.outbox)
    for secret in ("Hemlig sammanfattning", "Känslig intern anteckning", "Storgatan"):
        assert secret not in body
        assert secret not in subjects


def test_opted_out_users_and_users_without_email_get_nothing(busy, kommun, polis):
    ReminderState.objects.create(user=kommun, opted_out=True)
    polis.email = ""
    polis.save()
    call_command("send_reminders")
    assert sent_to() == []


def test_a_coordinator_elsewhere_gets_nothing_about_asele(demo_pledge, outsider):
    Submission.objects.create(municipality=demo_pledge.municipality, theme="lighting", message="x")
    outsider.email = "vingaker@example.org"
    outsider.save()
    assert reminders_for(outsider, TODAY) == []
    call_command("send_reminders")
    assert [m for m in mail.outbox if outsider.email in m.to] == []


def test_the_dashboard_shows_the_same_items(client, busy, kommun):
    client.force_login(kommun)
    page = client.get("/samordnare/").content.decode()
    assert "/samordnare/aktiviteter/?status=planned" in page
    assert "/samordnare/tyck-till/" in page
    assert "Hemlig sammanfattning" not in page


SETTINGS_URL = "/konto/paminnelser/"


def test_reminder_settings_need_a_login(client):
    response = client.get(SETTINGS_URL)
    assert response.status_code == 302
    assert "/konto/logga-in/" in response["Location"]


def test_a_user_opts_out_and_in_of_their_own_reminders(client, kommun, polis):
    client.force_login(kommun)
    assert client.get(SETTINGS_URL).status_code == 200
    response = client.post(SETTINGS_URL, {"opted_out": "on"})
    assert response.status_code == 302
    assert ReminderState.objects.get(user=kommun).opted_out
    assert not ReminderState.objects.filter(user=polis, opted_out=True).exists()
    client.post(SETTINGS_URL, {})
    assert not ReminderState.objects.get(user=kommun).opted_out
