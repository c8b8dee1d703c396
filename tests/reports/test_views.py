from datetime import date, timedelta

import pytest
import time_machine

from dialogues.models import (
    Concern,
    Dialogue,
    FocusArea,
    Indicator,
    IndicatorValue,
    SituationalPicture,
)
from places.models import Municipality
from pledges.models import Activity, DroppedCommitment, FollowUp, PeriodVerdict, Pledge
from pledges.services import pledge_publish, pledge_revise
from tests.pledges.factories import (
    ActivityFactory,
    CommitmentFactory,
    CountyFactory,
    MeasurementFactory,
    MunicipalityFactory,
    PledgeFactory,
    SiteFactory,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 27)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(date(2026, 11, 27), tick=False):
        yield


def text_of(response):
    return response.content.decode()


class TestNotFound:
    @pytest.mark.parametrize(
        "path",
        [
            "/kommun/finns-inte/",
            "/kommun/finns-inte/2017/",
            "/kommun/asele/2019/",
            "/kommun/asele/1999/",
            "/kommun/asele/20x7/",
            "/kommun/asele/17/",
            "/kommun/asele/99999/",
            "/kommun/asele/0000/",
            "/en/kommun/finns-inte/",
            "/kommun/asele/2017/okänd/",
        ],
    )
    def test_bad_paths_give_a_real_404_page(self, client, demo_pledge, path):
        response = client.get(path)
        assert response.status_code == 404
        assert "Sidan finns inte" in text_of(response) or "Page not found" in text_of(response)

    def test_404_page_is_swedish_by_default_and_english_under_en(self, client, demo_pledge):
        assert "Sidan finns inte" in text_of(client.get("/kommun/finns-inte/"))
        assert "Page not found" in text_of(client.get("/en/kommun/finns-inte/"))

    def test_draft_pledge_year_is_404(self, client):
        pledge = PledgeFactory(draft=True, valid_from=date(2020, 1, 1), valid_to=date(2020, 12, 31))
        CommitmentFactory(pledge=pledge)
        url = f"/kommun/{pledge.municipality.slug}/2020/"
        assert client.get(url).status_code == 404


class TestHealthz:
    def test_ok_when_database_answers(self, client):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok"}


class TestPledgeYearPage:
    def test_shows_all_four_commitments_verbatim_with_figures(self, client, demo_pledge):
        response = client.get("/kommun/asele/2017/")
        assert response.status_code == 200
        html = text_of(response)
        for commitment in demo_pledge.commitments.all():
            assert commitment.text in html
        assert (
            "Polisen lovar att genomföra minst 4 riktade trafikinsatser i Åsele under året. "
            "Fokus ska ligga på buskörning, hastighet och kontroll av rattonykterhet."
        ) in html
        assert "3 av 4 trafikinsatser" in html
        assert "6 av 6 skolbesök" in html
        assert "Delvis genomfört" in html
        assert "Genomfört" in html
        # Mean of 3/4 and 6/6, labelled as such.
        assert "88 %" in html
        assert "i snitt för 2 löften med mål i antal: 1 genomfört, 1 delvis genomfört" in html

    def test_per_site_table_caps_each_site(self, client, demo_pledge):
        html = text_of(client.get("/kommun/asele/2017/"))
        assert "Åsele centralskola" in html
        # Three visits to the central school count as two: 6 of 6, not 7.
        assert "7 av 6" not in html

    def test_expected_effects_exactly_as_in_the_seed(self, client, demo_pledge):
        html = text_of(client.get("/kommun/asele/2017/"))
        assert (
            "Effekterna med det lokala medborgarlöftet i Åsele kommun förväntas öka medborgarnas "
            "upplevda trygghet, öka förtroendet för polisen samt förbättra trafiksituationen."
        ) in html

    def test_never_shows_internal_notes_planned_or_cancelled(self, client, demo_pledge):
        html = text_of(client.get("/kommun/asele/2017/"))
        activities = Activity.objects.filter(commitment__pledge=demo_pledge)
        hidden = activities.exclude(status=Activity.Status.DONE)
        assert hidden.count() >= 2
        for activity in hidden:
            assert activity.public_summary not in html
        notes = activities.exclude(internal_notes="").values_list("internal_notes", flat=True)
        assert notes
        for note in notes:
            assert note not in html

    def test_done_activity_dated_in_the_future_is_not_public(self, client):
        pledge = PledgeFactory(valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))
        commitment = CommitmentFactory(pledge=pledge)
        ActivityFactory(commitment=commitment, date=date(2026, 12, 20), public_summary="Framtid")
        ActivityFactory(commitment=commitment, date=date(2026, 11, 1), public_summary="Gjort")
        html = text_of(client.get(f"/kommun/{pledge.municipality.slug}/2026/"))
        assert "Gjort" in html
        assert "Framtid" not in html

    def test_running_period_shows_pace_in_words(self, client):
        pledge = PledgeFactory(valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))
        commitment = CommitmentFactory(pledge=pledge, target_value=4, unit="trafikinsatser")
        ActivityFactory(commitment=commitment, date=date(2026, 2, 1))
        ActivityFactory(commitment=commitment, date=date(2026, 6, 1))
        ActivityFactory(commitment=commitment, date=date(2026, 9, 1), status="planned")
        html = text_of(client.get(f"/kommun/{pledge.municipality.slug}/2026/"))
        # 27 Nov: 331/365 of the year has passed, 4 * 0.907 = 3.6, floor 3; 2 done.
        assert "2 av 4 trafikinsatser" in html
        assert "Efter plan" in html
        assert "Förväntat hittills: 3" in html

    def test_two_pledges_in_force_during_a_year_newest_first(self, client):
        municipality = MunicipalityFactory()
        older = PledgeFactory(
            municipality=municipality,
            title="Löfte 2019–2020",
            valid_from=date(2019, 1, 1),
            valid_to=date(2020, 6, 30),
            status=Pledge.State.SUPERSEDED,
        )
        newer = PledgeFactory(
            municipality=municipality,
            title="Löfte 2020–2021",
            valid_from=date(2020, 7, 1),
            valid_to=date(2021, 12, 31),
            revises=older,
        )
        CommitmentFactory(pledge=older)
        CommitmentFactory(pledge=newer)
        html = text_of(client.get(f"/kommun/{municipality.slug}/2020/"))
        assert html.index("Löfte 2020–2021") < html.index("Löfte 2019–2020")
        assert "Ersatt" in html
        assert newer.get_absolute_url() in html

    def test_english_under_en(self, client, demo_pledge):
        response = client.get("/en/kommun/asele/2017/")
        html = text_of(response)
        assert '<html lang="en">' in html
        assert "3 of 4 traffic operations" in html
        assert "Partly carried out" in html

    def test_swedish_by_default(self, client, demo_pledge):
        html = text_of(client.get("/kommun/asele/2017/"))
        assert '<html lang="sv">' in html
        assert "Följ med i hur det går" in html

    def test_one_h1_landmarks_and_skip_link(self, client, demo_pledge):
        html = text_of(client.get("/kommun/asele/2017/"))
        assert html.count("<h1") == 1
        assert '<main id="main"' in html
        assert 'href="#main"' in html
        assert "<header" in html
        assert "<footer" in html
        assert "<script" not in html


class TestMunicipalityPage:
    def test_current_pledge_agreement_and_links(self, client, demo_pledge):
        html = text_of(client.get("/kommun/asele/"))
        assert "Medborgarlöfte 2017" in html
        assert "Södra Lappland" in html
        assert "Västerbottens län" in html
        assert "/kommun/asele/2017/" in html
        assert "Samverkansöverenskommelse" in html

    def test_municipality_without_pledge_is_a_page_not_an_error(self, client):
        municipality = MunicipalityFactory(name="Tomkommun", slug="tomkommun")
        response = client.get(f"/kommun/{municipality.slug}/")
        assert response.status_code == 200
        assert "Tomkommun" in text_of(response)

    def test_drafts_are_not_listed(self, client):
        municipality = MunicipalityFactory()
        CommitmentFactory(
            pledge=PledgeFactory(municipality=municipality, title="Utkastet", draft=True)
        )
        assert "Utkastet" not in text_of(client.get(f"/kommun/{municipality.slug}/"))


class TestIndexPage:
    def test_lists_municipalities_with_public_pledge_and_figure(self, client, demo_pledge):
        draft_only = MunicipalityFactory(name="Utkastkommun")
        CommitmentFactory(pledge=PledgeFactory(municipality=draft_only, draft=True))
        html = text_of(client.get("/"))
        assert "Åsele" in html
        # The current pledge, the demo's for 2026 as seeded on 27 November: 830 of 1 500
        # vehicles, 3 of 6 school visits, 0 of 1 safety walk, 10 of 12 months:
        # (0.553 + 0.5 + 0 + 0.833) / 4 = 47 %.
        assert "Medborgarlöfte 2026 (demo)" in html
        assert "47 %" in html
        assert "Medborgarlöfte 2018" not in html
        assert "Utkastkommun" not in html

    def test_the_2018_figure_stays_on_its_own_page(self, client, demo_pledge):
        # 2018: 4 of 6 traffic operations, 5 of 6 school visits, 1 of 1 safety walk:
        # (2/3 + 5/6 + 1) / 3 = 83 %.
        html = text_of(client.get("/kommun/asele/2018/"))
        assert "83 %" in html

    def test_search_by_name_with_and_without_diacritics(self, client, demo_pledge):
        other = PledgeFactory(municipality=Municipality.objects.get(slug="vingaker"))
        CommitmentFactory(pledge=other)
        for query in ("åsele", "Åsele", "asele", "sele"):
            html = text_of(client.get("/", {"q": query}))
            assert "/kommun/asele/" in html, query
            assert "Vingåker" not in html, query

    def test_filter_by_county(self, client, demo_pledge):
        other_county = CountyFactory(code="99", name="Testlän")
        other = PledgeFactory(municipality=MunicipalityFactory(name="Annanby", county=other_county))
        CommitmentFactory(pledge=other)
        html = text_of(client.get("/", {"lan": "24"}))
        assert "/kommun/asele/" in html
        assert "Annanby" not in html
        html = text_of(client.get("/", {"lan": "99"}))
        assert "Annanby" in html
        assert "/kommun/asele/" not in html

    @pytest.mark.parametrize(
        "params",
        [{"lan": "nonsense"}, {"q": "x" * 500}, {"q": "'; DROP TABLE"}, {"lan": ["01", "03"]}],
    )
    def test_bad_filter_input_is_not_an_error(self, client, demo_pledge, params):
        response = client.get("/", params)
        assert response.status_code == 200

    def test_bad_county_shows_message_at_field_and_keeps_input(self, client, demo_pledge):
        html = text_of(client.get("/", {"lan": "nonsense", "q": "åse"}))
        assert 'aria-invalid="true"' in html
        assert 'value="åse"' in html


class TestActivityLog:
    """The year page lists the latest 5 public activities of each promise and links to
    all of them, 50 a page; never planned, cancelled, future ones, notes or who logged."""

    @pytest.fixture
    def commitment(self):
        pledge = PledgeFactory(valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))
        commitment = CommitmentFactory(pledge=pledge, target_value=100)
        for day in range(60):
            ActivityFactory(
                commitment=commitment,
                date=date(2026, 1, 1) + timedelta(days=day * 5),
                public_summary=f"Insats {day:02d}.",
                internal_notes=f"HEMLIGT {day}",
            )
        ActivityFactory(commitment=commitment, date=date(2026, 6, 2), status="planned")
        ActivityFactory(commitment=commitment, date=date(2026, 6, 3), status="cancelled")
        return commitment

    def url(self, commitment, year=2026):
        slug = commitment.pledge.municipality.slug
        return f"/kommun/{slug}/{year}/lofte/{commitment.pk}/aktiviteter/"

    def test_the_year_page_lists_the_latest_five_and_links_to_all(self, client, commitment):
        html = text_of(client.get(f"/kommun/{commitment.pledge.municipality.slug}/2026/"))
        assert all(f"Insats {day:02d}." in html for day in range(55, 60))
        assert "Insats 54." not in html
        assert self.url(commitment) in html
        english = text_of(client.get(f"/en/kommun/{commitment.pledge.municipality.slug}/2026/"))
        assert "All 60 activities" in english

    def test_all_activities_fifty_a_page(self, client, commitment):
        first = text_of(client.get(self.url(commitment)))
        assert "Insats 59." in first
        assert "Insats 10." in first
        assert "Insats 09." not in first
        assert "sida=2" in first
        second = text_of(client.get(f"{self.url(commitment)}?sida=2"))
        assert all(f"Insats {day:02d}." in second for day in range(10))
        assert "Insats 10." not in second
        for html in (first, second):
            assert "HEMLIGT" not in html
            assert "planned" not in html

    @pytest.mark.parametrize("page", ["0", "3", "-1", "x", "1.5", "²", "9" * 30, ""])
    def test_a_page_that_does_not_exist_is_404(self, client, commitment, page):
        assert client.get(f"{self.url(commitment)}?sida={page}").status_code == 404

    def test_page_one_of_a_promise_without_activities_is_empty(self, client):
        commitment = CommitmentFactory(
            pledge=PledgeFactory(valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))
        )
        response = client.get(self.url(commitment))
        assert response.status_code == 200
        assert "Ingen aktivitet har rapporterats" in text_of(response)

    def test_an_unknown_or_hidden_promise_is_404(self, client, commitment):
        other = MunicipalityFactory()
        draft = CommitmentFactory(
            pledge=PledgeFactory(
                municipality=commitment.pledge.municipality,
                valid_from=date(2027, 1, 1),
                valid_to=date(2027, 12, 31),
                draft=True,
            )
        )
        slug = commitment.pledge.municipality.slug
        for url in (
            f"/kommun/{slug}/2026/lofte/999999999/aktiviteter/",
            f"/kommun/{other.slug}/2026/lofte/{commitment.pk}/aktiviteter/",
            f"/kommun/finns-inte/2026/lofte/{commitment.pk}/aktiviteter/",
            self.url(commitment, year=2025),
            self.url(draft, year=2027),
            f"/kommun/{slug}/0000/lofte/{commitment.pk}/aktiviteter/",
        ):
            assert client.get(url).status_code == 404, url

    def test_a_winter_season_shows_its_whole_log_on_both_year_pages(self, client):
        pledge = PledgeFactory(valid_from=date(2025, 11, 1), valid_to=date(2026, 3, 31))
        commitment = CommitmentFactory(pledge=pledge)
        ActivityFactory(commitment=commitment, date=date(2025, 12, 1), public_summary="December")
        ActivityFactory(commitment=commitment, date=date(2026, 2, 1), public_summary="Februari")
        slug = pledge.municipality.slug
        for year in (2025, 2026):
            for url in (f"/kommun/{slug}/{year}/", self.url(commitment, year=year)):
                html = text_of(client.get(url))
                assert "December" in html, url
                assert "Februari" in html, url


def build_pledge(n_commitments, n_activities):
    """A published pledge with count, per-site, quantity and qualitative commitments."""
    pledge = PledgeFactory(valid_from=date(2017, 1, 1), valid_to=date(2017, 12, 31))
    sites = SiteFactory.create_batch(3, municipality=pledge.municipality)
    commitments = []
    for i in range(n_commitments):
        kind = i % 4
        if kind == 0:
            commitment = CommitmentFactory(pledge=pledge)
        elif kind == 1:
            commitment = CommitmentFactory(pledge=pledge, per_site=True)
            commitment.target_sites.set(sites)
        elif kind == 2:
            commitment = CommitmentFactory(pledge=pledge, quantity_sum=True)
        else:
            commitment = CommitmentFactory(pledge=pledge, qualitative=True)
        commitments.append(commitment)
    add_activities(commitments, sites, n_activities)
    for commitment in commitments:
        for start, end, published in (
            (date(2017, 1, 1), date(2017, 4, 30), True),
            (date(2017, 5, 1), date(2017, 8, 31), False),
        ):
            FollowUp.objects.create(
                commitment=commitment,
                period_start=start,
                period_end=end,
                narrative=f"Uppföljning {commitment.pk} {start} "
                + ("publ" if published else "UTKAST"),
                is_published=published,
            )
        PeriodVerdict.objects.create(
            commitment=commitment,
            period_start=date(2017, 1, 1),
            period_end=date(2017, 12, 31),
            justification=f"Motivering {commitment.pk}",
            is_published=True,
        )
    add_dialogues(pledge.municipality, commitments)
    return pledge, commitments, sites


def add_dialogues(municipality, commitments):
    """A published and a draft dialogue with concerns, a published situational picture
    whose focus areas link them to the commitments, and an indicator with values."""
    picture = SituationalPicture.objects.create(
        municipality=municipality,
        title="Lägesbild",
        period_start=date(2016, 9, 1),
        period_end=date(2016, 12, 31),
        summary="Sammanfattning.",
        is_published=True,
    )
    for published in (True, False):
        dialogue = Dialogue.objects.create(
            municipality=municipality,
            title=f"Dialog {'publ' if published else 'UTKASTDIALOG'}",
            format=Dialogue.Format.FOCUS_GROUP,
            starts_on=date(2016, 10, 1),
            participants=10,
            is_published=published,
        )
        picture.dialogues.add(dialogue)
        for i, commitment in enumerate(commitments):
            concern = Concern.objects.create(
                dialogue=dialogue,
                theme="traffic",
                summary=f"Synpunkt {i} {'publ' if published else 'UTKASTSYNPUNKT'}",
                times_raised=6,
            )
            area = FocusArea.objects.create(picture=picture, position=i + 1, title=f"Fokus {i}")
            area.concerns.add(concern)
            area.commitments.add(commitment)
    indicator = Indicator.objects.create(
        municipality=municipality,
        name="Trygghetsindex",
        scale_min=0,
        scale_max=6,
        source="Polisens trygghetsmätning",
    )
    for year in range(2014, 2019):
        IndicatorValue.objects.create(indicator=indicator, year=year, value=2)


def add_activities(commitments, sites, n):
    for i in range(n):
        commitment = commitments[i % len(commitments)]
        activity = ActivityFactory(
            commitment=commitment,
            date=date(2017, 1 + i % 12, 1 + i % 28),
            site=sites[i % len(sites)],
            status=["done", "done", "planned", "cancelled"][i % 4],
        )
        MeasurementFactory(activity=activity, value=5)


def grow(pledge, commitments, sites):
    """More of everything the public pages list: activities of every status, commitments
    with their own activities, and another municipality with a pledge of its own."""
    add_activities(commitments, sites, 60)
    more = [CommitmentFactory(pledge=pledge) for _ in range(3)]
    add_activities(more, sites, 30)
    build_pledge(4, 20)


def revise(pledge, commitments):
    """The pledge's successor for 2018, carrying every commitment on but the last, which
    it drops with a reason; published, so the 2017 pledge is superseded."""
    draft = pledge_revise(pledge=pledge, valid_from=date(2018, 1, 1), valid_to=date(2018, 12, 31))
    dropped = draft.commitments.get(previous=commitments[-1])
    dropped.delete()
    DroppedCommitment.objects.create(
        pledge=draft, commitment=commitments[-1], reason="Ingår i ordinarie arbete."
    )
    return pledge_publish(pledge=draft)


class TestQueryCounts:
    """Every public page runs a constant number of queries, at most 10, whatever the
    number of commitments, activities and municipalities; they read only, outside a
    transaction (no savepoint)."""

    def test_pledge_year_page(self, client, django_assert_num_queries):
        pledge, commitments, sites = build_pledge(8, 40)
        url = f"/kommun/{pledge.municipality.slug}/2017/"
        # pledges (with the municipality, the pledge revised and the successor),
        # commitments (with those carried on or dropped), target sites, amendments, done
        # counts, focus tags and parties, published follow-ups and verdicts, the latest
        # public activities with their measurements, focus areas with their public
        # concerns, indicators with their values
        with django_assert_num_queries(10):
            response = client.get(url)
        html = text_of(response)
        assert f"Uppföljning {commitments[0].pk} 2017-01-01 publ" in html
        assert "T1 2017" in html
        assert f"Motivering {commitments[0].pk}" in html
        assert "UTKAST" not in html
        assert "Synpunkt 0 publ" in html
        assert "Trygghetsindex" in html
        assert "<svg" in html
        grow(pledge, commitments, sites)
        with django_assert_num_queries(10):
            assert client.get(url).status_code == 200

    def test_pledge_year_page_of_a_revision(self, client, django_assert_num_queries):
        pledge, commitments, sites = build_pledge(8, 40)
        revision = revise(pledge, commitments)
        for year in (2017, 2018):
            # as test_pledge_year_page: the lineage (the revised pledge's commitments,
            # how they fared, which were dropped and why) comes in the same queries
            with django_assert_num_queries(10):
                html = text_of(client.get(f"/kommun/{pledge.municipality.slug}/{year}/"))
            assert ("Ingår i ordinarie arbete." in html) == (year == 2018)
            assert (f"se {revision.title}" in html) == (year == 2017)
        grow(pledge, commitments, sites)
        grow(revision, list(revision.commitments.all()), sites)
        for year in (2017, 2018):
            with django_assert_num_queries(10):
                assert client.get(f"/kommun/{pledge.municipality.slug}/{year}/").status_code == 200

    def test_municipality_page(self, client, django_assert_num_queries):
        pledge, commitments, sites = build_pledge(8, 40)
        url = f"/kommun/{pledge.municipality.slug}/"
        # the municipality (with its newest agreement and newest published situational
        # picture), pledges, commitments, target sites, amendments, done counts, published
        # dialogues (marked when the picture rests on them), the picture's focus areas,
        # their public concerns, their public commitments
        with django_assert_num_queries(10):
            response = client.get(url)
        html = text_of(response)
        assert "Fokus 0" in html
        assert "Synpunkt 0 publ" in html
        assert "UTKAST" not in html
        grow(pledge, commitments, sites)
        revise(pledge, commitments)
        with django_assert_num_queries(10):
            assert client.get(url).status_code == 200

    def test_index_page(self, client, django_assert_num_queries):
        for _ in range(3):
            build_pledge(4, 20)
        # counties, each municipality's current pledge, commitments, target sites,
        # amendments, done counts
        with django_assert_num_queries(6):
            assert client.get("/").status_code == 200
        pledge, commitments, sites = build_pledge(8, 60)
        grow(pledge, commitments, sites)
        revise(pledge, commitments)
        with django_assert_num_queries(6):
            response = client.get("/")
        assert response.status_code == 200
        assert pledge.municipality.name in text_of(response)

    def test_activities_page(self, client, django_assert_num_queries):
        pledge, commitments, sites = build_pledge(4, 40)
        url = f"/kommun/{pledge.municipality.slug}/2017/lofte/{commitments[0].pk}/aktiviteter/"
        # the commitment (with its pledge and municipality), a page of its public
        # activities with their measurements and how many there are
        with django_assert_num_queries(2):
            assert client.get(url).status_code == 200
        grow(pledge, commitments, sites)
        add_activities(commitments[:1], sites, 200)
        for page in (1, 2):
            with django_assert_num_queries(2):
                assert client.get(f"{url}?sida={page}").status_code == 200
