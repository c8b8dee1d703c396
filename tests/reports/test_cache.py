"""The public pages in the shared cache (reports.cache): served without a query once
stored, never stale after a write, conditional GETs, no stampede, nothing private."""

from datetime import date, timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership
from accounts.services import membership_grant, membership_revoke
from dialogues.models import AnswerKind, Dialogue
from dialogues.services import (
    concern_answer,
    indicator_value_correct,
    object_save,
    submission_accept,
)
from places.services import police_area_update
from pledges import progress
from pledges.models import Activity, Commitment, TargetKind
from pledges.services import (
    activities_mark_done,
    activity_cancel,
    activity_save,
    amendment_create,
    commitment_assess,
    follow_up_save,
    pledge_publish,
)
from reports import cache as public_cache
from tests.pledges.factories import CommitmentFactory
from tests.world import TODAY

pytestmark = pytest.mark.django_db


def year_url(world):
    return f"/kommun/{world.municipality.slug}/2026/"


def municipality_url(world):
    return f"/kommun/{world.municipality.slug}/"


def queries_of(client, url, **headers):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, headers=headers)
    return response, len(context)


def test_a_public_page_is_served_from_the_cache_without_a_query(client, world):
    first, counted = queries_of(client, year_url(world))
    assert first.status_code == 200
    assert counted > 0
    again, counted = queries_of(client, year_url(world))
    assert counted == 0
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == "public, max-age=10"
    assert "Cookie" in again["Vary"]
    assert "Last-Modified" in again
    # The headers the rest of the stack adds are on the cached copy too.
    assert again["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in again


def test_each_language_is_its_own_copy(client, world):
    swedish = client.get(year_url(world))
    english = client.get(f"/en{year_url(world)}")
    assert swedish.content != english.content
    assert client.get(f"/en{year_url(world)}").content == english.content
    assert '<html lang="en">' in english.content.decode()


def test_an_unchanged_page_is_a_304_without_a_query(client, world):
    etag = client.get(year_url(world))["ETag"]
    response, counted = queries_of(client, year_url(world), if_none_match=etag)
    assert response.status_code == 304
    assert counted == 0
    assert response["ETag"] == etag
    # After a write the validator is another and the page is sent whole.
    Activity.objects.create(commitment=world.commitment, date=date(2026, 11, 2), status="done")
    response = client.get(year_url(world), headers={"if_none_match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_the_api_is_cached_and_conditional(client, world):
    url = f"/api/v1/pledges/{world.pledge.pk}/"
    first = client.get(url)
    response, counted = queries_of(client, url)
    assert counted == 0
    assert response.json() == first.json()
    assert queries_of(client, url, if_none_match=first["ETag"])[0].status_code == 304


def test_a_new_day_is_a_new_page(client, world):
    """Progress depends on the date: yesterday's copy is never today's."""
    client.get(year_url(world))
    with time_machine.travel(TODAY + timedelta(days=1)):
        assert queries_of(client, year_url(world))[1] > 0


def test_a_coordinator_always_sees_live_data_and_is_never_stored(client, world):
    client.force_login(world.polis)
    keys_before = set(cache._cache)
    response, counted = queries_of(client, year_url(world))
    assert counted > 0
    assert "public" not in response.get("Cache-Control", "")
    assert "ETag" not in response
    stored = {key for key in set(cache._cache) - keys_before if ":page:" in key}
    assert stored == set()
    # Neither does a coordinator's own page land in the cache.
    client.get("/samordnare/")
    assert not [key for key in set(cache._cache) - keys_before if ":page:" in key]
    assert queries_of(client, year_url(world))[1] > 0


def test_the_tyck_till_page_is_cached_without_a_cookie(client, world):
    url = f"/kommun/{world.municipality.slug}/tyck-till/"
    first = client.get(url)
    assert first.status_code == 200
    assert not first.cookies
    assert "csrfmiddlewaretoken" not in first.content.decode()
    assert queries_of(client, url)[1] == 0


def test_a_page_being_rebuilt_serves_the_previous_version_to_others(client, world):
    old = client.get(year_url(world))
    Activity.objects.create(
        commitment=world.commitment,
        date=date(2026, 11, 2),
        status="done",
        public_summary="Ny kontroll vid skolan.",
    )
    # Another process holds the lock of the new version: this request gets the
    # previous copy at once, marked not to be kept, with no validator.
    page = _page_for(client, year_url(world))
    cache.add(page.lock_key, 1)
    response, counted = queries_of(client, year_url(world))
    assert response.content == old.content
    assert response["Cache-Control"] == "no-cache"
    assert "ETag" not in response
    assert counted == 0
    # Once the lock is gone, the next request renders and stores the new version.
    cache.delete(page.lock_key)
    assert "Ny kontroll vid skolan." in client.get(year_url(world)).content.decode()


def test_without_a_previous_version_others_wait_and_then_render(client, world, monkeypatch):
    monkeypatch.setattr(public_cache, "WAIT_SECONDS", 0.1)
    page = _page_for(client, year_url(world))
    cache.add(page.lock_key, 1)
    response, counted = queries_of(client, year_url(world))
    assert response.status_code == 200
    assert counted > 0


def _page_for(client, url):
    """The CachedPage the next anonymous request of ``url`` will use."""
    from django.test import RequestFactory
    from django.urls import resolve

    request = RequestFactory().get(url)
    match = resolve(url)
    scope = public_cache.scope_of(match.func)
    names = list(public_cache.SCOPES[scope])
    if scope == "municipality":
        names.append(public_cache.municipality_version(match.kwargs["slug"]))
    return public_cache.CachedPage(request, names)


# Each write service, then the very next public GET shows the change.


def _period(world):
    pledge = world.pledge
    return progress.reporting_periods(
        pledge.valid_from, pledge.end(TODAY), pledge.follow_up_cadence
    )[0]


def _activity_create(world):
    activity_save(
        user=world.polis,
        values={
            "commitment": world.joint,
            "status": Activity.Status.DONE,
            "date": date(2026, 11, 20),
            "public_summary": "Ny trafikkontroll vid torget.",
        },
        organisations=[world.police],
        measurements={},
    )
    return "Ny trafikkontroll vid torget."


def _activity_update(world):
    activity = world.activity
    activity_save(
        user=world.polis,
        values={"public_summary": "Ändrad sammanfattning."},
        organisations=[world.police],
        measurements={},
        activity=activity,
        expected_version=activity.version,
    )
    return "Ändrad sammanfattning."


def _plan(world):
    Activity.objects.create(
        commitment=world.joint,
        date=date(2026, 11, 10),
        status=Activity.Status.PLANNED,
        public_summary="Planerad och sedan genomförd.",
    )


def _mark_done(world):
    activities_mark_done(
        user=world.polis,
        activities=Activity.objects.filter(commitment=world.joint, status=Activity.Status.PLANNED),
    )
    return "Planerad och sedan genomförd."


def _qualitative(world):
    CommitmentFactory(
        pledge=world.pledge,
        position=3,
        text="Kommunen lovar att arbeta för bättre belysning.",
        responsible=Commitment.Responsible.MUNICIPALITY,
        target_kind=TargetKind.QUALITATIVE,
        target_value=None,
    )


def _assess(world):
    commitment = world.pledge.commitments.get(position=3)
    commitment_assess(commitment=commitment, status=progress.Status.ON_TRACK)
    return


def _draft_promise(world):
    CommitmentFactory(pledge=world.draft, position=1, text="Polisen lovar nästa år.")


def _publish(world):
    pledge_publish(pledge=world.draft)
    return world.draft.title


def _membership_revoke(world):
    membership_revoke(membership=world.membership)
    return


def _membership_grant(world):
    user = get_user_model().objects.create_user("ny-samordnare", password="pw")
    membership_grant(
        user=user,
        municipality=world.municipality,
        organisation=world.kommun,
        role=Membership.Role.MUNICIPAL_COORDINATOR,
    )
    return


def _cancel(world):
    activity_cancel(activity=world.activity, expected_version=world.activity.version)
    return


def _follow_up(world):
    follow_up_save(
        commitment=world.joint,
        period=_period(world),
        narrative="Uppföljningen för perioden.",
        is_published=True,
        user=world.polis,
    )
    return "Uppföljningen för perioden."


def _amendment(world):
    amendment_create(
        commitment=world.joint,
        effective_from=date(2026, 12, 1),
        new_value=9,
        reason="Ändrat målvärde efter dialog.",
        user=world.admin,
    )
    return "Ändrat målvärde efter dialog."


def _concern_answer(world):
    concern_answer(
        concern=world.concern,
        user=world.kommunsamordnare,
        kind=AnswerKind.NOT_DOING,
        text="Trafikverket äger vägen.",
        commitments=[],
    )
    return "Trafikverket äger vägen."


def _indicator(world):
    value = world.indicator.values.get(year=2025)
    indicator_value_correct(value=value, new_value=5, loaded_value=value.value)
    return


def _dialogue_edit(world):
    dialogue = Dialogue.objects.get(pk=world.dialogue.pk)
    dialogue.title = "Trygghetsvandring i centrum"
    object_save(instance=dialogue, save_m2m=lambda: None)
    return "Trygghetsvandring i centrum"


def _submission_accept(world):
    submission_accept(
        submission=world.submission, user=world.kommunsamordnare, summary="Mörkt vid stationen."
    )
    return


def _police_area(world):
    area = world.municipality.police_area
    police_area_update(
        area=area,
        name="Lokalpolisområde Nytt namn",
        region=area.region,
        municipalities=[world.municipality],
    )
    return


def _nothing(world):
    return None


def _public_dialogue(world):
    Dialogue.objects.filter(pk=world.dialogue.pk).update(is_published=True, participants=12)


def dialogue_url(world):
    return f"{municipality_url(world)}dialoger/{world.dialogue.pk}/"


# name: (prepare, write, page)
WRITES = {
    "activity_save creates": (_nothing, _activity_create, year_url),
    "activity_save updates": (_nothing, _activity_update, year_url),
    "activities_mark_done": (_plan, _mark_done, year_url),
    "activity_cancel": (_nothing, _cancel, year_url),
    "follow_up_save": (_nothing, _follow_up, year_url),
    "amendment_create": (_nothing, _amendment, year_url),
    "commitment_assess": (_qualitative, _assess, year_url),
    "pledge_publish": (_draft_promise, _publish, municipality_url),
    "indicator_value_correct": (_nothing, _indicator, year_url),
    "dialogue object_save": (_public_dialogue, _dialogue_edit, dialogue_url),
    "concern_answer": (_public_dialogue, _concern_answer, dialogue_url),
    "submission_accept": (_nothing, _submission_accept, year_url),
    "police_area_update": (_nothing, _police_area, municipality_url),
    "membership_grant": (_membership_revoke, _membership_grant, municipality_url),
}


@pytest.mark.parametrize("name", list(WRITES))
def test_every_write_shows_on_the_next_request(client, world, name):
    prepare, write, url_of = WRITES[name]
    prepare(world)
    url = url_of(world)
    before = client.get(url)
    assert before.status_code == 200
    client.get("/")
    assert queries_of(client, url)[1] == 0
    assert queries_of(client, "/")[1] == 0
    expected = write(world)
    after, counted = queries_of(client, url)
    # Rendered anew: what the write changed shows (if the page shows it at all).
    assert counted > 0
    if expected:
        assert expected in after.content.decode()
        assert expected not in before.content.decode()
    # The index, with every municipality's figures, is rendered anew too.
    assert queries_of(client, "/")[1] > 0


def test_tyck_till_refuses_a_post_from_another_site(world):
    from django.test import Client

    from dialogues.models import Submission

    membership_grant(
        user=get_user_model().objects.create_user("moderator", password="pw"),
        municipality=world.municipality,
        organisation=world.kommun,
        role=Membership.Role.MUNICIPAL_COORDINATOR,
    )
    url = f"/kommun/{world.municipality.slug}/tyck-till/"
    data = {"theme": "lighting", "message": "Mörkt vid busshållplatsen."}
    # A browser enforcing CSRF, as a real one would, gets no token to send: none is needed.
    browser = Client(enforce_csrf_checks=True)
    before = Submission.objects.count()
    for headers in ({"origin": "https://evil.example"}, {"sec_fetch_site": "cross-site"}):
        assert browser.post(url, data, headers=headers).status_code == 403
    assert Submission.objects.count() == before
    response = browser.post(url, data, headers={"origin": "http://testserver"})
    assert response.status_code == 302
    assert Submission.objects.count() == before + 1


def test_rebuilding_the_done_counts_makes_every_page_stale(client, world):
    from django.core.management import call_command

    client.get(year_url(world))
    assert queries_of(client, year_url(world))[1] == 0
    call_command("rebuild_progress", commitment=[world.joint.pk], stdout=StringIO())
    assert queries_of(client, year_url(world))[1] > 0


def test_a_transaction_bumps_once_at_its_commit_however_many_rows_it_writes(world):
    from django.db import connection

    def bumps():
        return [f for _s, f, _r in connection.run_on_commit if isinstance(f, public_cache._Pending)]

    for day in range(1, 6):
        Activity.objects.create(commitment=world.joint, date=date(2026, 11, day))
    (bump,) = bumps()
    assert public_cache.municipality_version(world.municipality.slug) in bump.names
    assert public_cache.NATIONAL in bump.names
