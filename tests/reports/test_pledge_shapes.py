"""The pledge shapes of SPEC §4 (a weekly target, a multi-year pledge, a pledge valid until
further notice) in progress on tests.world's today: every page that shows them renders
them, each figure as of the reporting day the view passes down."""

import re
from dataclasses import FrozenInstanceError
from datetime import date

import pytest
import time_machine
from django.contrib.auth import get_user_model

from pledges.progress import TargetPeriod
from pledges.reports import CommitmentReport, PledgeReport
from pledges.selectors import pledge_reports
from tests.pledges.factories import (
    ActivityFactory,
    CommitmentFactory,
    MunicipalityFactory,
    PledgeFactory,
)
from tests.world import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_today")]


def text_of(response):
    """The page's text as read: tags and runs of white space become one space."""
    assert response.status_code == 200
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def weekly():
    """A 2026 pledge with at least one traffic check a week: done in weeks 46 and 48."""
    pledge = PledgeFactory(
        municipality=MunicipalityFactory(name="Veckoby", slug="veckoby"),
        title="Varje vecka",
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 31),
    )
    commitment = CommitmentFactory(
        pledge=pledge, target_value=1, target_period=TargetPeriod.WEEK, unit="trafikkontroll"
    )
    ActivityFactory(commitment=commitment, date=date(2026, 11, 10))
    ActivityFactory(commitment=commitment, date=date(2026, 11, 23))
    return commitment


@pytest.fixture
def multi_year():
    """2025-2027 with four operations a year: four in 2025, one in 2026."""
    pledge = PledgeFactory(
        municipality=MunicipalityFactory(name="Flerår", slug="flerar"),
        title="Tre år",
        valid_from=date(2025, 1, 1),
        valid_to=date(2027, 12, 31),
    )
    commitment = CommitmentFactory(pledge=pledge, target_value=4, unit="insatser")
    for month in (2, 4, 6, 8):
        ActivityFactory(commitment=commitment, date=date(2025, month, 1))
    ActivityFactory(commitment=commitment, date=date(2026, 3, 1))
    return commitment


@pytest.fixture
def until_further_notice():
    """From March 2024 until a new pledge is signed, one meeting a month."""
    pledge = PledgeFactory(
        municipality=MunicipalityFactory(name="Tillsvidare", slug="tillsvidare"),
        title="Tills vidare",
        valid_from=date(2024, 3, 1),
        valid_to=None,
    )
    commitment = CommitmentFactory(
        pledge=pledge, target_value=1, target_period=TargetPeriod.MONTH, unit="möte"
    )
    ActivityFactory(commitment=commitment, date=date(2026, 10, 5))
    ActivityFactory(commitment=commitment, date=date(2026, 11, 2))
    return commitment


def test_a_weekly_target_shows_the_running_week_and_every_week_so_far(client, weekly):
    html = text_of(client.get("/kommun/veckoby/2026/"))
    assert "1 av 1 trafikkontroll – Uppfyllt" in html
    assert "vecka 48, 2026" in html
    history = html[html.index("Alla perioder hittills") :]
    assert history.count("vecka ") == 48
    assert "vecka 46, 2026 1 1 Genomfört" in history
    assert "vecka 47, 2026 0 1 Ej genomfört" in history


def test_a_multi_year_pledge_has_a_page_per_year_each_judged_on_its_own(client, multi_year):
    html = client.get("/kommun/flerar/").content.decode()
    for year in (2025, 2026, 2027):
        assert f"/kommun/flerar/{year}/" in html
    assert "4 av 4 insatser – Genomfört" in text_of(client.get("/kommun/flerar/2025/"))
    # 331 of 365 days: 3.6 expected, 3 due, 1 done.
    assert "1 av 4 insatser – Efter plan" in text_of(client.get("/kommun/flerar/2026/"))
    assert "0 av 4 insatser – Ej påbörjat" in text_of(client.get("/kommun/flerar/2027/"))


def test_a_pledge_valid_until_further_notice_runs_through_this_year(client, until_further_notice):
    html = client.get("/kommun/tillsvidare/").content.decode()
    assert "Aktuellt medborgarlöfte" in html
    years = {int(y) for y in re.findall(r"/kommun/tillsvidare/(\d{4})/", html)}
    assert years == {2024, 2025, 2026}
    assert client.get("/kommun/tillsvidare/2027/").status_code == 404
    year = text_of(client.get("/kommun/tillsvidare/2026/"))
    assert "1 av 1 möte – Uppfyllt" in year
    assert "november 2026" in year


def test_the_index_dashboard_follow_up_page_and_api_show_every_shape(
    client, world, weekly, multi_year, until_further_notice
):
    index = text_of(client.get("/"))
    for title in ("Varje vecka", "Tre år", "Tills vidare", world.pledge.title):
        assert title in index
    client.force_login(get_user_model().objects.create_superuser("chef", password="x"))
    dashboard = text_of(client.get("/samordnare/"))
    assert "1 av 1 trafikkontroll" in dashboard
    assert "1 av 4 insatser" in dashboard
    assert "1 av 1 möte" in dashboard
    follow_up = text_of(client.get(f"/samordnare/lofte/{weekly.pk}/uppfoljning/"))
    assert "vecka 47, 2026" in follow_up  # an ended week, to justify
    for commitment, done in ((weekly, 1), (multi_year, 1), (until_further_notice, 1)):
        data = client.get(f"/api/v1/pledges/{commitment.pledge_id}/").json()
        assert data["commitments"][0]["progress"]["done"] == done


def test_the_pages_get_typed_read_only_reports(client, world):
    client.force_login(world.polis)
    (report,) = client.get("/samordnare/").context["reports"]
    assert isinstance(report, PledgeReport)
    assert all(isinstance(entry, CommitmentReport) for entry in report.commitments)
    with pytest.raises(FrozenInstanceError):
        report.commitments = ()


def test_a_report_is_as_of_the_day_it_is_given_not_the_clock(until_further_notice):
    """The clock says 2030; a report as of a day in 2026 judges that day: the pledge runs
    through 2026, is current, and counts what was done by then."""
    with time_machine.travel(date(2030, 6, 1)):
        (report,) = pledge_reports([until_further_notice.pledge], today=TODAY)
    assert report.years == [2024, 2025, 2026]
    assert report.is_current
    assert report.pledge.end(TODAY) == date(2026, 12, 31)
    assert report.commitments[0].progress.period.start == date(2026, 11, 1)
    assert report.commitments[0].progress.done == 1
