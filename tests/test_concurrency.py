"""Two coordinators saving the same thing at the same moment, on two connections: exactly
one wins, the other is told and keeps their text, nothing is lost or doubled, no 500.

Each write waits at a barrier just before it validates and saves. Without a row lock
taken before the stale-edit check, both writers pass the check and meet there, and both
save. With it, the second waits for the first to commit (which gives up waiting at the
barrier after a moment) and then finds the row changed.
"""

import contextlib
import re
import threading
from datetime import date
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import Client

from accounts.models import FormToken
from dialogues.models import Concern, Dialogue, FocusArea, Submission
from pledges.models import Activity, FollowUp, PeriodVerdict, ProgressCount

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("world_today")]

BARRIER_WAIT = 1.5


def hidden(html, name):
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    return match.group(1) if match else ""


def race(model, posts):
    """Send the posts (user, url, data) at once from two threads, each on its own
    connection, meeting at ``model.full_clean``. Returns the responses' status codes
    (or the name of the exception a request raised), in the order of the posts."""
    barrier = threading.Barrier(len(posts))
    original = model.full_clean
    outcomes = [None] * len(posts)

    def full_clean(instance, *args, **kwargs):
        # The first writer gives up waiting when the second is held by its row lock.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=BARRIER_WAIT)
        return original(instance, *args, **kwargs)

    def send(index, user, url, data):
        client = Client()
        if user is not None:
            client.force_login(user)
        try:
            outcomes[index] = client.post(url, data).status_code
        except Exception as error:
            outcomes[index] = type(error).__name__
        finally:
            connection.close()

    with mock.patch.object(model, "full_clean", full_clean):
        threads = [threading.Thread(target=send, args=(i, *post)) for i, post in enumerate(posts)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    return outcomes


def loaded(user, url):
    client = Client()
    client.force_login(user)
    return client.get(url).content.decode()


def edit_race(model, user, url, data_for):
    """Both users load the edit form first, then save different texts at once."""
    page = loaded(user, url)
    posts = [(user, url, data_for(text, page)) for text in ("Version A", "Version B")]
    return race(model, posts)


def test_two_edits_of_a_concern(world):
    url = f"/samordnare/synpunkter/{world.concern.pk}/andra/"

    def data(text, page):
        return {
            "theme": "lighting",
            "summary": text,
            "times_raised": 1,
            "loaded_at": hidden(page, "loaded_at"),
        }

    assert sorted(edit_race(Concern, world.polis, url, data), key=str) == [302, 400]
    assert Concern.objects.get(pk=world.concern.pk).summary in {"Version A", "Version B"}
    assert Concern.history.filter(id=world.concern.pk).count() == 2


def test_two_edits_of_a_dialogue(world):
    url = f"/samordnare/dialoger/{world.dialogue.pk}/andra/"

    def data(text, page):
        return {
            "title": text,
            "format": "safety_walk",
            "starts_on": "2026-09-01",
            "loaded_at": hidden(page, "loaded_at"),
        }

    assert sorted(edit_race(Dialogue, world.kommunsamordnare, url, data), key=str) == [302, 400]
    assert Dialogue.history.filter(id=world.dialogue.pk).count() == 2


def test_two_edits_of_a_focus_area(world):
    url = f"/samordnare/fokusomraden/{world.focus_area.pk}/andra/"

    def data(text, page):
        return {"position": 1, "title": text, "loaded_at": hidden(page, "loaded_at")}

    assert sorted(edit_race(FocusArea, world.polis, url, data), key=str) == [302, 400]
    assert FocusArea.history.filter(id=world.focus_area.pk).count() == 2


def test_two_first_follow_ups_of_a_period(world):
    """Neither finds a text yet: one is saved, the other told, no unique-constraint 500."""
    url = f"/samordnare/lofte/{world.commitment.pk}/uppfoljning/2026-05-01/"

    def data(text, page):
        return {"narrative": text, "loaded_at": "", "form_token": hidden(page, "form_token")}

    page_a, page_b = loaded(world.polis, url), loaded(world.polis, url)
    outcomes = race(
        FollowUp, [(world.polis, url, data("A", page_a)), (world.polis, url, data("B", page_b))]
    )
    assert sorted(outcomes, key=str) == [302, 400]
    assert FollowUp.objects.filter(commitment=world.commitment).count() == 2  # + the fixture's


def test_two_edits_of_a_follow_up(world):
    url = f"/samordnare/lofte/{world.commitment.pk}/uppfoljning/2026-01-01/"

    def data(text, page):
        return {
            "narrative": text,
            "loaded_at": hidden(page, "loaded_at"),
            "form_token": hidden(page, "form_token"),
        }

    page_a, page_b = loaded(world.polis, url), loaded(world.polis, url)
    outcomes = race(
        FollowUp, [(world.polis, url, data("A", page_a)), (world.polis, url, data("B", page_b))]
    )
    assert sorted(outcomes, key=str) == [302, 400]


def test_two_first_verdicts_of_a_period(world):
    with time_machine.travel(date(2027, 1, 10)):
        url = f"/samordnare/lofte/{world.commitment.pk}/bedomning/2026-01-01/"

        def data(text, page):
            return {"narrative": text, "loaded_at": "", "form_token": hidden(page, "form_token")}

        page_a, page_b = loaded(world.polis, url), loaded(world.polis, url)
        outcomes = race(
            PeriodVerdict,
            [(world.polis, url, data("A", page_a)), (world.polis, url, data("B", page_b))],
        )
    assert sorted(outcomes, key=str) == [302, 400]
    assert PeriodVerdict.objects.filter(period_start=date(2026, 1, 1)).count() == 1


def test_a_double_posted_activity_is_created_once(world):
    """The same form (one token) sent twice at once: one activity, both land on it."""
    url = f"/samordnare/aktiviteter/ny/?commitment={world.commitment.pk}"
    page = loaded(world.polis, url)
    data = {
        "commitment": world.commitment.pk,
        "status": "done",
        "date": "2026-11-20",
        "public_summary": "Hastighetskontroll",
        "form_token": hidden(page, "form_token"),
    }
    before = Activity.objects.count()
    outcomes = race(Activity, [(world.polis, url, data), (world.polis, url, data)])
    assert outcomes == [302, 302]
    assert Activity.objects.count() == before + 1
    assert FormToken.objects.count() == 1


def test_a_tyck_till_message_sent_twice_at_once_is_stored_once(world):
    url = f"/kommun/{world.municipality.slug}/tyck-till/"
    data = {"theme": "traffic", "message": "Bilarna kör för fort på Storgatan."}
    before = Submission.objects.count()
    outcomes = race(Submission, [(None, url, data), (None, url, data)])
    assert outcomes == [302, 302]
    assert Submission.objects.count() == before + 1


def test_two_activities_of_a_promise_logged_at_once_are_both_counted(world):
    """Each recount sees what the other committed: the second waits at the row lock of
    the commitment until the first is done, instead of both counting one activity (or
    one of them failing on the unique constraint of the counts)."""
    url = f"/samordnare/aktiviteter/ny/?commitment={world.commitment.pk}"
    posts = []
    for summary in ("Kontroll A", "Kontroll B"):
        page = loaded(world.polis, url)
        data = {
            "commitment": world.commitment.pk,
            "status": "done",
            "date": "2026-11-20",
            "public_summary": summary,
            "form_token": hidden(page, "form_token"),
        }
        posts.append((world.polis, url, data))
    outcomes = race(Activity, posts)
    assert outcomes == [302, 302]
    counts = ProgressCount.objects.filter(commitment=world.commitment)
    assert sum(counts.values_list("done", flat=True)) == 2
    call_command("rebuild_progress", "--check")
