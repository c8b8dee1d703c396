"""The follow-up pages as a coordinator uses them: a follow-up per reporting period, the
justification of an ended period's verdict, and the assessment of a promise without a
number, each posted through its page."""

from datetime import date

import pytest
import time_machine

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


class TestProgressIsJudgedOncePerRequest:
    """The follow-up pages judge the commitment once per request, however the request
    ends. Each count lists its queries: the request's own (savepoint, session, user, the
    user's and the groups' permissions), the page's, then the release and the session's
    renewal (savepoint, update, release); judging costs two (amendments, done counts)."""

    def test_the_follow_up_page(self, client, world, django_assert_num_queries):
        client.force_login(world.polis)
        # 5 + commitment, its target sites, memberships, amendments, done counts,
        # follow-ups, verdicts + 4
        with django_assert_num_queries(16):
            response = client.get(f"/samordnare/lofte/{world.commitment.pk}/uppfoljning/")
        assert response.status_code == 200
        assert "insatser" in response.content.decode()

    def test_a_refused_assessment(self, client, world, qualitative, django_assert_num_queries):
        client.force_login(world.polis)
        # As the page: the assessment is checked and the page shown on one judgement.
        with django_assert_num_queries(16):
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
            with django_assert_num_queries(15):
                assert client.get(url).status_code == 200
            # As the page, plus the attempt to save, rolled back: two savepoints, the
            # commitment's and the verdict's row locks, two rollbacks and releases.
            with django_assert_num_queries(23):
                response = client.post(
                    url, {"narrative": "Sent.", "loaded_at": "2026-12-01T00:00:00+00:00"}
                )
        assert response.status_code == 400
        # Someone else wrote the text since this form was loaded.
        assert "Någon annan sparade texten" in response.content.decode()
