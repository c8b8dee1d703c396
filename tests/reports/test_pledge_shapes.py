"""The pledge shapes of SPEC §4 and issue 10, each read on every surface that shows one
figure per commitment: the year page's headline and overall figure, the municipality
page, the national index, the coordinator dashboard and the API. Each surface must say the
same, honest thing, as of the day the test sets."""

import re
from dataclasses import FrozenInstanceError
from datetime import date, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils.text import slugify

from pledges.progress import Status, TargetKind, TargetPeriod
from pledges.reports import CommitmentReport, PledgeReport
from pledges.selectors import pledge_reports
from tests.pledges.factories import (
    ActivityFactory,
    CommitmentFactory,
    MunicipalityFactory,
    PledgeFactory,
    SiteFactory,
)

pytestmark = pytest.mark.django_db


def text_of(response):
    """The page's text as read: tags and runs of white space become one space."""
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def surfaces(client, commitment, year):
    """What every surface says of ``commitment`` (the only one of its pledge): the text
    of the year page, the municipality page, the index row and the dashboard, and the
    API's commitment."""
    municipality = commitment.pledge.municipality
    index = text_of(client.get("/", {"q": municipality.name}))
    row = index[index.index(municipality.name) :]
    year_page = text_of(client.get(f"/kommun/{municipality.slug}/{year}/"))
    municipality_page = text_of(client.get(f"/kommun/{municipality.slug}/"))
    (api,) = client.get(f"/api/v1/pledges/{commitment.pledge_id}/").json()["commitments"]
    user, _ = get_user_model().objects.get_or_create(
        username="tillsyn", defaults={"is_superuser": True, "is_staff": True}
    )
    client.force_login(user)
    dashboard = text_of(client.get("/samordnare/"))
    client.logout()
    start = dashboard.index(commitment.text)
    return {
        "year": year_page,
        "municipality": municipality_page,
        "index": row,
        "dashboard": dashboard[start : start + 600],
        "api": api,
    }


def pledge(name, valid_from, valid_to, **commitment):
    municipality = MunicipalityFactory(name=name, slug=slugify(name))
    return CommitmentFactory(
        pledge=PledgeFactory(
            municipality=municipality,
            title=f"Löfte i {name}",
            valid_from=valid_from,
            valid_to=valid_to,
        ),
        text=f"Polisen lovar {name}.",
        **commitment,
    )


# --- A weekly target over a year with missed weeks -------------------------------------


MISSED_WEEKS = (3, 7, 12)


@pytest.fixture
def weekly():
    """2026, at least one traffic control a week: one control in every ISO week 1-47 but
    weeks 3, 7 and 12 (44 weeks met), two in week 20."""
    commitment = pledge(
        "Veckoby",
        date(2026, 1, 1),
        date(2026, 12, 31),
        target_value=1,
        target_period=TargetPeriod.WEEK,
        unit="trafikkontroller",
    )
    for week in range(1, 48):
        if week in MISSED_WEEKS:
            continue
        day = date.fromisocalendar(2026, week, 5)  # Friday: week 1's is 2 January
        ActivityFactory(commitment=commitment, date=day)
    ActivityFactory(commitment=commitment, date=date.fromisocalendar(2026, 20, 2))
    return commitment


def test_weekly_target_mid_week_counts_the_weeks_met_and_is_behind_for_a_missed_week(
    client, weekly
):
    # Wednesday 25 November 2026, week 48 running: weeks 1-47 have ended, 44 were met.
    with time_machine.travel(date(2026, 11, 25)):
        seen = surfaces(client, weekly, 2026)
    # 2026 has 53 ISO weeks (1 January is a Thursday): none is a stub.
    assert "44 av 53 veckor med minst 1 trafikkontroll – Efter plan" in seen["year"]
    assert "45 trafikkontroller totalt" in seen["year"]
    assert "Avslutade veckor hittills: 47" in seen["year"]
    assert "Missade: 3 perioder (vecka 3, 2026, vecka 7, 2026, vecka 12, 2026)" in seen["year"]
    assert "Nu, vecka 48, 2026: 0 av 1 – Ej påbörjat" in seen["year"]
    assert "1 återstår, senast 29 november 2026" in seen["year"]
    # 44 of 53 weeks met: 83 %, on every surface.
    assert "83 % i snitt för 1 löfte med mål i antal: 1 efter plan" in seen["year"]
    assert "44 av 53 veckor med minst 1 trafikkontroll – Efter plan" in seen["municipality"]
    assert "83 %" in seen["index"]
    assert "44 av 53 veckor med minst 1 trafikkontroll" in seen["dashboard"]
    assert "Efter plan" in seen["dashboard"]
    summary = seen["api"]["summary"]
    assert (summary["periods_total"], summary["periods_due"], summary["periods_met"]) == (
        53,
        47,
        44,
    )
    assert (summary["status"], summary["done"], summary["single"]) == ("behind", 45, False)
    assert summary["completion"] == pytest.approx(44 / 53)
    assert len(seen["api"]["periods"]) == 48
    missed = [p["period_label"] for p in seen["api"]["periods"] if p["status"] == "not_done"]
    assert missed == ["vecka 3, 2026", "vecka 7, 2026", "vecka 12, 2026"]


def test_weekly_target_with_no_missed_week_is_on_track_on_a_wednesday_as_on_a_sunday(client):
    commitment = pledge(
        "Flitby", date(2026, 1, 1), date(2026, 12, 31), target_value=1, target_period="week"
    )
    for week in range(1, 48):
        ActivityFactory(commitment=commitment, date=date.fromisocalendar(2026, week, 5))
    for day in (date(2026, 11, 25), date(2026, 11, 29)):
        with time_machine.travel(day):
            (report,) = pledge_reports([commitment.pledge], today=day)
        summary = report.commitments[0].summary
        assert (summary.met, summary.due) == (47, 47)
    # Wednesday: week 48 not yet due. Sunday: week 48's control is due that day.
    with time_machine.travel(date(2026, 11, 25)):
        assert "47 av 53 veckor med minst 1 insatser – Enligt plan" in text_of(
            client.get("/kommun/flitby/2026/")
        )


def test_weekly_target_after_the_year_is_judged_over_every_week(client, weekly):
    with time_machine.travel(date(2027, 1, 10)):
        seen = surfaces(client, weekly, 2026)
    assert "44 av 53 veckor med minst 1 trafikkontroll – Delvis genomfört" in seen["year"]
    assert "44 av 53 veckor" in seen["municipality"]
    assert "Delvis genomfört" in seen["municipality"]
    assert "83 %" in seen["index"]
    assert "Delvis genomfört" in seen["dashboard"]
    summary = seen["api"]["summary"]
    assert (summary["periods_due"], summary["periods_met"], summary["status"]) == (
        53,
        44,
        "partly_done",
    )
    assert summary["closed"] is True


# --- A two-year pledge with a per-year target, the first year met --------------------


@pytest.fixture
def two_years():
    commitment = pledge(
        "Tvåår", date(2025, 1, 1), date(2026, 12, 31), target_value=4, unit="insatser"
    )
    for month in (2, 4, 6, 8):
        ActivityFactory(commitment=commitment, date=date(2025, month, 1))
    return commitment


def test_two_year_pledge_in_the_second_spring_counts_the_first_year(client, two_years):
    with time_machine.travel(date(2026, 3, 15)):
        seen = surfaces(client, two_years, 2026)
        earlier_page = text_of(client.get("/kommun/tvaar/2025/"))
    # Not "0 % – Ej påbörjat": the first year was met, the second is not yet due.
    headline = "1 av 2 år med minst 4 insatser – Enligt plan"
    assert headline in seen["year"]
    assert headline in earlier_page
    for page in (seen["year"], earlier_page):
        assert "2025 4 4 Genomfört" in page
        assert "2026 0 4 Ej påbörjat" in page
    assert "Nu, 2026: 0 av 4 – Ej påbörjat" in seen["year"]
    assert "2025: Genomfört · 2026: Ej påbörjat" in seen["year"]
    assert "4 återstår, senast 31 december 2026" in seen["year"]
    assert "50 % i snitt för 1 löfte med mål i antal: 1 enligt plan" in seen["year"]
    assert headline in seen["municipality"]
    assert "50 %" in seen["index"]
    assert "1 av 2 år med minst 4 insatser" in seen["dashboard"]
    summary = seen["api"]["summary"]
    assert (summary["periods_met"], summary["periods_due"], summary["status"]) == (
        1,
        1,
        "on_track",
    )
    assert [p["status"] for p in seen["api"]["periods"]] == ["done", "not_started"]


def test_two_year_pledge_behind_in_its_second_autumn(client, two_years):
    ActivityFactory(commitment=two_years, date=date(2026, 3, 1))
    with time_machine.travel(date(2026, 11, 27)):
        seen = surfaces(client, two_years, 2026)
    # 331 of 365 days of 2026: 3 due, 1 done; the first year met.
    assert "1 av 2 år med minst 4 insatser – Efter plan" in seen["year"]
    assert seen["api"]["summary"]["status"] == "behind"


# --- A winter season with per-site targets --------------------------------------------


@pytest.fixture
def winter():
    commitment = pledge(
        "Vinterby",
        date(2025, 11, 1),
        date(2026, 3, 31),
        target_kind=TargetKind.PER_SITE,
        target_value=2,
        unit="besök",
    )
    municipality = commitment.pledge.municipality
    north = SiteFactory(municipality=municipality, name="Norra skolan")
    south = SiteFactory(municipality=municipality, name="Södra skolan")
    commitment.target_sites.set([north, south])
    for day in (date(2025, 12, 2), date(2025, 12, 9), date(2025, 12, 16)):
        ActivityFactory(commitment=commitment, date=day, site=north, public_summary=f"Norr {day}")
    ActivityFactory(
        commitment=commitment, date=date(2026, 2, 3), site=south, public_summary="Söder i februari"
    )
    return commitment


def test_a_winter_season_is_one_period_shown_whole_on_both_year_pages(client, winter):
    with time_machine.travel(date(2026, 11, 27)):
        seen = surfaces(client, winter, 2026)
        autumn = text_of(client.get("/kommun/vinterby/2025/"))
    for page in (seen["year"], autumn):
        # North capped at its target: 2 + 1 of 4.
        assert "3 av 4 besök – Delvis genomfört" in page
        assert "säsongen 2025/26" in page
        assert "Norra skolan 3 2" in page
        assert "Södra skolan 1 2" in page
        assert "Norr 2025-12-16" in page or "Norr" in page
        assert "Söder i februari" in page
    assert "Norr" in seen["year"]  # December's visits on the 2026 page too
    assert "3 av 4 besök – Delvis genomfört" in seen["municipality"]
    assert "75 %" in seen["index"]
    assert "Delvis genomfört" in seen["dashboard"]
    api = seen["api"]
    assert api["summary"]["single"] is True
    assert api["progress"]["period_label"] == "säsongen 2025/26"
    assert {s["name"]: s["counted"] for s in api["progress"]["sites"]} == {
        "Norra skolan": 2,
        "Södra skolan": 1,
    }


def test_a_seasons_follow_up_periods_follow_the_season(winter):
    from pledges import progress

    pledge_ = winter.pledge
    periods = progress.reporting_periods(pledge_.valid_from, pledge_.valid_to, "tertial")
    assert [(p.start, p.end) for p in periods] == [
        (date(2025, 11, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 3, 31)),
    ]


# --- A place-bound count target -------------------------------------------------------


@pytest.fixture
def in_town():
    commitment = pledge(
        "Tätby",
        date(2026, 1, 1),
        date(2026, 12, 31),
        target_value=3,
        unit="trafikkontroller",
    )
    municipality = commitment.pledge.municipality
    town = SiteFactory(municipality=municipality, name="Tätorten", kind="town_centre")
    village = SiteFactory(municipality=municipality, name="Byn", kind="village")
    commitment.target_sites.set([town])
    ActivityFactory(commitment=commitment, date=date(2026, 4, 1), site=town)
    ActivityFactory(commitment=commitment, date=date(2026, 5, 1), site=town)
    ActivityFactory(commitment=commitment, date=date(2026, 6, 1), site=village)
    ActivityFactory(commitment=commitment, date=date(2026, 7, 1), site=None)
    return commitment


def test_a_place_bound_target_counts_only_activities_there(client, in_town):
    with time_machine.travel(date(2026, 11, 27)):
        seen = surfaces(client, in_town, 2026)
    # 331 of 365 days: 2 due, 2 counted (the village's and the unplaced one do not count).
    assert "2 av 3 trafikkontroller – Enligt plan" in seen["year"]
    assert "Räknas bara på: Tätorten" in seen["year"]
    assert "2 av 3 trafikkontroller" in seen["municipality"]
    assert "67 %" in seen["index"]
    assert "2 av 3 trafikkontroller" in seen["dashboard"]
    assert seen["api"]["places"] == ["Tätorten"]
    assert seen["api"]["summary"]["done"] == 2


# --- A "new units" target whose done exceeds the target ------------------------------


def test_done_beyond_the_target_is_shown_and_completion_capped(client):
    commitment = pledge(
        "Grannby",
        date(2026, 1, 1),
        date(2026, 12, 31),
        target_value=2,
        unit="nya områden med Grannsamverkan",
    )
    ActivityFactory.create_batch(5, commitment=commitment, date=date(2026, 5, 1))
    with time_machine.travel(date(2026, 11, 27)):
        seen = surfaces(client, commitment, 2026)
    assert "5 av 2 nya områden med Grannsamverkan – Uppfyllt" in seen["year"]
    assert "100 %" in seen["year"]
    assert "100 %" in seen["index"]
    assert "5 av 2 nya områden med Grannsamverkan" in seen["dashboard"]
    summary = seen["api"]["summary"]
    assert (summary["done"], summary["target"], summary["completion"]) == (5, 2, 1.0)


# --- Statuses honest about time ------------------------------------------------------


def test_not_started_carries_its_deadline_and_what_remains(client):
    commitment = pledge("Senby", date(2026, 1, 1), date(2026, 12, 31), target_value=1)
    with time_machine.travel(date(2026, 3, 1)):
        seen = surfaces(client, commitment, 2026)
    assert "0 av 1 insatser – Ej påbörjat" in seen["year"]
    assert "1 återstår, senast 31 december 2026" in seen["year"]
    assert "1 återstår, senast 31 december 2026" in seen["municipality"]
    assert "1 återstår, senast 31 december 2026" in seen["dashboard"]
    assert (seen["api"]["summary"]["remaining"], seen["api"]["summary"]["deadline"]) == (
        1,
        "2026-12-31",
    )


def test_an_ended_qualitative_promise_without_assessment_is_not_assessed_everywhere(client):
    commitment = pledge(
        "Bedömby",
        date(2025, 1, 1),
        date(2025, 12, 31),
        target_kind="qualitative",
        target_value=None,
    )
    with time_machine.travel(date(2026, 2, 1)):
        seen = surfaces(client, commitment, 2025)
    assert "Ej bedömt" in seen["year"]
    assert "Ett löfte utan mål i antal som samordnarna ännu inte har bedömt." in seen["year"]
    assert "Ej bedömt" in seen["municipality"]
    assert "Bedömning saknas: perioden har slutat." in seen["dashboard"]
    assert seen["api"]["summary"]["status"] == "not_assessed"


def test_the_overall_figure_says_what_it_counts(client):
    first = pledge("Snittby", date(2025, 1, 1), date(2025, 12, 31), target_value=4)
    for commitment_kwargs in ({"target_value": 2}, {"target_value": 2}):
        CommitmentFactory(pledge=first.pledge, **commitment_kwargs)
    CommitmentFactory(pledge=first.pledge, target_kind="qualitative", target_value=None)
    ActivityFactory.create_batch(4, commitment=first, date=date(2025, 3, 1))
    for commitment in first.pledge.commitments.filter(target_value=2):
        ActivityFactory(commitment=commitment, date=date(2025, 3, 1))
    with time_machine.travel(date(2026, 2, 1)):
        html = text_of(client.get("/kommun/snittby/2025/"))
    # (1 + 0.5 + 0.5) / 3
    assert (
        "67 % i snitt för 3 löften med mål i antal: 1 genomfört, 2 delvis genomförda; "
        "1 löfte utan mål i antal"
    ) in html


# --- Reports are typed and as of the day given ----------------------------------------


def test_the_pages_get_typed_read_only_reports(client, weekly):
    with time_machine.travel(date(2026, 11, 27)):
        response = client.get("/kommun/veckoby/2026/")
    (report,) = response.context["reports"]
    assert isinstance(report, PledgeReport)
    assert all(isinstance(entry, CommitmentReport) for entry in report.commitments)
    with pytest.raises(FrozenInstanceError):
        report.commitments[0].summary = None


def test_a_report_is_as_of_the_day_it_is_given_not_the_clock(weekly):
    day = date(2026, 2, 1)
    with time_machine.travel(date(2030, 1, 1)):
        (report,) = pledge_reports([weekly.pledge], today=day)
    summary = report.commitments[0].summary
    # By 1 February (a Sunday, week 5): weeks 1-4 ended, week 3 missed.
    assert (summary.due, summary.met, summary.status) == (4, 3, Status.BEHIND)
    assert summary.current.period.start == day - timedelta(days=6)


def test_the_form_offers_only_a_place_bound_targets_places_and_refuses_others(client, in_town):
    municipality = in_town.pledge.municipality
    town = municipality.sites.get(name="Tätorten")
    village = municipality.sites.get(name="Byn")
    client.force_login(get_user_model().objects.create_superuser("samordnare", password="x"))
    with time_machine.travel(date(2026, 11, 27)):
        form = client.get("/samordnare/aktiviteter/ny/", {"commitment": in_town.pk})
        assert list(form.context["form"].fields["site"].queryset) == [town]
        data = {
            "commitment": in_town.pk,
            "status": "done",
            "date": "2026-11-20",
            "public_summary": "Kontroll i byn.",
            "site": village.pk,
        }
        refused = client.post("/samordnare/aktiviteter/ny/", data)
        assert refused.status_code == 400
        assert refused.context["form"].errors["site"]
        assert not in_town.activities.filter(public_summary="Kontroll i byn.").exists()
        assert (
            client.post("/samordnare/aktiviteter/ny/", {**data, "site": town.pk}).status_code == 302
        )
        (report,) = pledge_reports([in_town.pledge], today=date(2026, 11, 27))
    assert report.commitments[0].summary.done == 3


# --- Found in review: edges of the validity --------------------------------------------


def weekly_reports(commitment, day):
    (report,) = pledge_reports([commitment.pledge], today=day)
    return report.commitments[0].summary


def test_a_pledge_until_further_notice_is_never_over_and_does_not_jump_at_new_year():
    commitment = pledge("Alltid", date(2025, 1, 1), None, target_value=1, target_period="week")
    day = date(2025, 1, 3)
    while day <= date(2025, 12, 30):
        ActivityFactory(commitment=commitment, date=day)
        day += timedelta(days=7)
    ActivityFactory(commitment=commitment, date=date(2025, 12, 30))  # ISO week 1 of 2026
    before, after = (weekly_reports(commitment, d) for d in (date(2025, 12, 31), date(2026, 1, 2)))
    for summary in (before, after):
        assert not summary.closed
        assert (summary.met, summary.due, summary.count) == (52, 52, 53)
        assert summary.status == Status.FULFILLED or summary.status == Status.ON_TRACK
        assert summary.current.done == 1  # 30 December counts in its week
    assert before.completion == after.completion


def test_the_last_week_ends_with_the_validity_and_gets_its_verdict_the_day_after():
    commitment = pledge(
        "Slutby", date(2026, 1, 1), date(2026, 12, 31), target_value=1, target_period="week"
    )
    for week in range(1, 53):  # week 53 (28-31 December) missed
        ActivityFactory(commitment=commitment, date=date.fromisocalendar(2026, week, 4))
    summary = weekly_reports(commitment, date(2027, 1, 1))
    assert summary.closed
    assert summary.periods[-1].period.end == date(2026, 12, 31)
    assert (summary.met, summary.count, summary.status) == (52, 53, Status.PARTLY_DONE)
    assert (summary.remaining, summary.deadline) == (None, None)


def test_days_before_the_first_whole_week_count_in_it():
    # From Friday 2 January 2026: week 1's Thursday (1 January) is outside the validity.
    commitment = pledge(
        "Fredag", date(2026, 1, 2), date(2026, 12, 31), target_value=1, target_period="week"
    )
    ActivityFactory(commitment=commitment, date=date(2026, 1, 2))
    ActivityFactory(commitment=commitment, date=date(2026, 1, 3))
    summary = weekly_reports(commitment, date(2026, 1, 20))
    first = summary.periods[0]
    assert (first.period.start, first.period.end, first.done) == (
        date(2026, 1, 2),
        date(2026, 1, 11),
        2,
    )
    assert summary.done == 2


def test_an_ended_run_with_activities_but_no_period_met_is_partly_carried_out():
    commitment = pledge(
        "Halvby", date(2025, 1, 1), date(2025, 12, 31), target_value=2, target_period="month"
    )
    for month in range(1, 13):
        ActivityFactory(commitment=commitment, date=date(2025, month, 10))
    summary = weekly_reports(commitment, date(2026, 2, 1))
    assert (summary.met, summary.done, summary.status) == (0, 12, Status.PARTLY_DONE)


def test_the_earlier_year_page_shows_that_years_sites(client):
    commitment = pledge(
        "Platsår",
        date(2024, 1, 1),
        date(2025, 12, 31),
        target_kind=TargetKind.PER_SITE,
        target_value=2,
    )
    school = SiteFactory(municipality=commitment.pledge.municipality, name="Askolan")
    commitment.target_sites.set([school])
    ActivityFactory.create_batch(2, commitment=commitment, date=date(2024, 5, 1), site=school)
    with time_machine.travel(date(2025, 2, 1)):
        page = text_of(client.get("/kommun/platsar/2024/"))
    assert "Per plats, 2024 Plats Genomfört Mål Askolan 2 2" in page


def test_a_season_with_a_weekly_target_lists_the_whole_season_on_both_pages(client):
    commitment = pledge(
        "Vinterv", date(2025, 11, 1), date(2026, 3, 31), target_value=1, target_period="week"
    )
    ActivityFactory(commitment=commitment, date=date(2025, 12, 3), public_summary="I december.")
    ActivityFactory(commitment=commitment, date=date(2026, 2, 4), public_summary="I februari.")
    with time_machine.travel(date(2026, 5, 1)):
        for year in (2025, 2026):
            page = text_of(client.get(f"/kommun/vinterv/{year}/"))
            assert "I december." in page
            assert "I februari." in page
