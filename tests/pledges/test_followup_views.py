"""The follow-up pages as a coordinator uses them: a follow-up per reporting period, the
justification of an ended period's verdict, and the assessment of a promise without a
number, each posted through its page."""

import re
from datetime import date

import pytest
import time_machine

from pledges.forms import SAVED_TEXT_MEANWHILE_MESSAGE
from pledges.models import Commitment, FollowUp, PeriodVerdict
from pledges.services import activity_save
from tests.pledges.factories import CommitmentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_today")]


def test_a_follow_up_is_written_and_published_through_its_page(client, world):
    client.force_login(world.polis)
    url = f"/samordnare/lofte/{world.commitment.pk}/uppfoljning/2026-05-01/"
    response = client.post(
        url, {"narrative": "Två hastighetskontroller i juni.", "is_published": "on"}
    )
    assert response.status_code == 302
    follow_up = FollowUp.objects.get(commitment=world.commitment, period_start=date(2026, 5, 1))
    assert follow_up.period_end == date(2026, 8, 31)
    assert follow_up.is_published
    assert follow_up.written_by == world.polis
    page = client.get(f"/samordnare/lofte/{world.commitment.pk}/uppfoljning/").content.decode()
    assert "Två hastighetskontroller i juni." in page
    public = client.get(f"/kommun/{world.municipality.slug}/2026/").content.decode()
    assert "Två hastighetskontroller i juni." in public


def test_a_follow_up_needs_its_text_and_a_real_period(client, world):
    client.force_login(world.polis)
    base = f"/samordnare/lofte/{world.commitment.pk}/uppfoljning"
    response = client.post(f"{base}/2026-05-01/", {"narrative": ""})
    assert response.status_code == 400
    assert client.get(f"{base}/2026-05-02/").status_code == 404
    assert not FollowUp.objects.filter(period_start=date(2026, 5, 1)).exists()


def test_a_verdict_is_justified_once_its_period_has_ended(client, world):
    client.force_login(world.polis)
    url = f"/samordnare/lofte/{world.commitment.pk}/bedomning/2026-01-01/"
    response = client.get(url)
    assert response.status_code == 302
    assert not PeriodVerdict.objects.filter(period_start=date(2026, 1, 1)).exists()
    activity_save(
        user=world.polis,
        values={"commitment": world.commitment, "status": "done", "date": date(2026, 4, 1)},
        organisations=[world.police],
        measurements={},
    )
    with time_machine.travel(date(2027, 1, 15)):
        client.force_login(world.polis)  # a session ends after a working day idle
        response = client.post(url, {"narrative": "Bemanningen räckte till en insats."})
    assert response.status_code == 302
    verdict = PeriodVerdict.objects.get(commitment=world.commitment, period_start=date(2026, 1, 1))
    assert verdict.justification == "Bemanningen räckte till en insats."
    assert verdict.done_when_written == 1


@pytest.fixture
def qualitative(world):
    return CommitmentFactory(
        pledge=world.pledge,
        position=3,
        qualitative=True,
        text="Polisen lovar att genomföra informationsträffar rörande trafik.",
    )


def test_a_promise_without_a_number_is_assessed_by_its_coordinators(client, world, qualitative):
    client.force_login(world.polis)
    url = f"/samordnare/lofte/{qualitative.pk}/uppfoljning/"
    # While the pledge runs, only the running statuses can be chosen.
    response = client.post(url, {"status": "done"})
    assert response.status_code == 400
    response = client.post(url, {"status": "on_track"})
    assert response.status_code == 302
    assert Commitment.objects.get(pk=qualitative.pk).assessed_status == "on_track"
    with time_machine.travel(date(2027, 1, 15)):
        client.force_login(world.polis)  # a session ends after a working day idle
        assert client.post(url, {"status": "on_track"}).status_code == 400
        assert client.post(url, {"status": "partly_done"}).status_code == 302
    assert Commitment.objects.get(pk=qualitative.pk).assessed_status == "partly_done"


def test_a_promise_with_a_number_is_not_assessed_by_hand(client, world):
    client.force_login(world.polis)
    response = client.post(
        f"/samordnare/lofte/{world.commitment.pk}/uppfoljning/", {"status": "on_track"}
    )
    assert response.status_code == 400
    assert Commitment.objects.get(pk=world.commitment.pk).assessed_status == ""


def test_the_other_party_cannot_assess_a_police_promise(client, world, qualitative):
    client.force_login(world.kommunsamordnare)
    response = client.post(f"/samordnare/lofte/{qualitative.pk}/uppfoljning/", {"status": "done"})
    assert response.status_code == 403


class TestFollowUpAndVerdictPages:
    """A follow-up and a verdict are written on pages of their own: each knows its own
    periods (the pledge's reporting cadence, the commitment's target periods), its own
    text and its own rules."""

    def test_each_page_accepts_only_its_own_periods(self, client, world):
        client.force_login(world.polis)
        base = f"/samordnare/lofte/{world.commitment.pk}"
        # Reporting periods are tertials, the target period is the year.
        assert client.get(f"{base}/uppfoljning/2026-05-01/").status_code == 200
        assert client.get(f"{base}/bedomning/2026-05-01/").status_code == 404
        assert client.post(f"{base}/bedomning/2026-05-01/", {"narrative": "x"}).status_code == 404
        assert not PeriodVerdict.objects.filter(period_start=date(2026, 5, 1)).exists()

    def test_the_follow_up_page_opens_with_the_saved_follow_up(self, client, world):
        client.force_login(world.polis)
        page = client.get(f"/samordnare/lofte/{world.commitment.pk}/uppfoljning/2026-01-01/")
        html = page.content.decode()
        assert "Skriv uppföljningen" in html
        assert "Spara uppföljningen" in html
        assert "Uppföljning i Asele." in html
        assert "Bedömning:" not in html

    def test_the_verdict_page_shows_the_verdict_and_the_saved_justification(self, client, world):
        activity_save(
            user=world.polis,
            values={"commitment": world.commitment, "status": "done", "date": date(2026, 4, 1)},
            organisations=[world.police],
            measurements={},
        )
        PeriodVerdict.objects.create(
            commitment=world.commitment,
            period_start=date(2026, 1, 1),
            period_end=date(2026, 12, 31),
            justification="Bemanningen räckte inte.",
            is_published=True,
        )
        with time_machine.travel(date(2027, 1, 15)):
            client.force_login(world.polis)
            url = f"/samordnare/lofte/{world.commitment.pk}/bedomning/2026-01-01/"
            html = client.get(url).content.decode()
        assert "Motivera bedömningen" in html
        assert "Spara motiveringen" in html
        assert "Bedömning:" in html
        assert "(1 / 3)" in html  # the target amended to 3 from December
        assert "Bemanningen räckte inte." in html
        assert re.search(r'name="is_published"[^>]* checked', html)

    def test_a_verdict_posted_before_its_period_ended_is_refused_at_the_form(self, client, world):
        client.force_login(world.polis)
        url = f"/samordnare/lofte/{world.commitment.pk}/bedomning/2026-01-01/"
        response = client.post(url, {"narrative": "Det går bra."})
        assert response.status_code == 400
        html = response.content.decode()
        assert "En bedömning kan motiveras först när perioden är slut." in html
        assert "Det går bra." in html
        assert not PeriodVerdict.objects.filter(period_start=date(2026, 1, 1)).exists()

    def test_a_verdict_posted_twice_is_saved_once(self, client, world):
        with time_machine.travel(date(2027, 1, 15)):
            client.force_login(world.polis)
            url = f"/samordnare/lofte/{world.commitment.pk}/bedomning/2026-01-01/"
            html = client.get(url).content.decode()
            token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
            data = {"narrative": "Motiverat.", "loaded_at": "", "form_token": token}
            first, second = client.post(url, data), client.post(url, data)
            assert (first.status_code, second.status_code) == (302, 302)
            assert second["Location"] == first["Location"]
            assert "sparats en gång" in client.get(second["Location"]).content.decode()
        verdict = PeriodVerdict.objects.get(period_start=date(2026, 1, 1))
        assert verdict.justification == "Motiverat."

    def test_a_stale_verdict_is_refused_and_the_text_kept(self, client, world):
        PeriodVerdict.objects.create(
            commitment=world.commitment,
            period_start=date(2026, 1, 1),
            period_end=date(2026, 12, 31),
            justification="Första.",
        )
        with time_machine.travel(date(2027, 1, 15)):
            client.force_login(world.polis)
            url = f"/samordnare/lofte/{world.commitment.pk}/bedomning/2026-01-01/"
            response = client.post(url, {"narrative": "Min text.", "loaded_at": "2026-01-01"})
        assert response.status_code == 400
        html = response.content.decode()
        assert str(SAVED_TEXT_MEANWHILE_MESSAGE) in html
        assert "Min text." in html
        assert PeriodVerdict.objects.get(period_start=date(2026, 1, 1)).justification == "Första."


class TestProgressIsJudgedOncePerRequest:
    """The follow-up pages judge the commitment once per request, however the request
    ends. Each count lists its queries: the request's own (savepoint, session, user, the
    user's and the groups' permissions), the page's, then the release and the session's
    renewal (savepoint, update, release); judging costs two (amendments, done counts)."""

    def test_the_follow_up_page(self, client, world, django_assert_num_queries):
        client.force_login(world.polis)
        # 5 + commitment, its target sites, memberships, amendments, done counts,
        # follow-ups, verdicts + 4
        with django_assert_num_queries(15):
            response = client.get(f"/samordnare/lofte/{world.commitment.pk}/uppfoljning/")
        assert response.status_code == 200
        assert "insatser" in response.content.decode()

    def test_a_refused_assessment(self, client, world, qualitative, django_assert_num_queries):
        client.force_login(world.polis)
        # As the page: the assessment is checked and the page shown on one judgement.
        with django_assert_num_queries(15):
            response = client.post(
                f"/samordnare/lofte/{qualitative.pk}/uppfoljning/", {"status": "done"}
            )
        assert response.status_code == 400

    def test_a_refused_verdict(self, client, world, django_assert_num_queries):
        url = f"/samordnare/lofte/{world.commitment.pk}/bedomning/2026-01-01/"
        with time_machine.travel(date(2027, 1, 15)):
            client.force_login(world.polis)
            # 5 + commitment, its target sites, memberships, the period's verdict,
            # amendments, done counts + 4
            with django_assert_num_queries(14):
                assert client.get(url).status_code == 200
            # As the page, plus the attempt to save, rolled back: two savepoints, the
            # commitment's and the verdict's row locks, two rollbacks and releases; then
            # the text saved meanwhile, with its writer, to show next to the user's.
            with django_assert_num_queries(23):
                response = client.post(
                    url, {"narrative": "Sent.", "loaded_at": "2026-12-01T00:00:00+00:00"}
                )
        assert response.status_code == 400
        # Someone else wrote the text since this form was loaded.
        assert str(SAVED_TEXT_MEANWHILE_MESSAGE) in response.content.decode()
