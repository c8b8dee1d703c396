"""The coordinator pages of both apps as a coordinator of another municipality would try
them: every page about one of Åsele's rows is 404 to Vingåker's coordinators, for a
GET and for a POST, and the lists show nothing of Åsele; Åsele's own coordinator reaches
them all. Each page finds its row through the one municipality-scoping mixin."""

import pytest

from dialogues.models import ActionItem, Concern, Dialogue, FocusArea, Submission
from pledges.models import Activity, FollowUp
from tests.world import build_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_today")]


@pytest.fixture
def asele():
    return build_world("Asele")


@pytest.fixture
def vingaker():
    return build_world("Vingaker")


def pages(world):
    """url -> the status for the world's own police coordinator, of every coordinator page
    about one of the world's rows."""
    commitment, joint, activity = world.commitment, world.joint, world.activity
    dialogue, picture = world.dialogue, world.picture
    return {
        f"/samordnare/aktiviteter/ny/?commitment={commitment.pk}": 200,
        f"/samordnare/aktiviteter/{activity.pk}/": 200,
        f"/samordnare/aktiviteter/{activity.pk}/andra/": 200,
        f"/samordnare/aktiviteter/{activity.pk}/stall-in/": 200,
        f"/samordnare/plan/{world.pledge.pk}/": 200,
        f"/samordnare/plan/{world.pledge.pk}/uppfoljning/": 200,
        f"/samordnare/plan/{world.pledge.pk}/uppfoljning/2026-05-01/": 200,
        f"/samordnare/lofte/{joint.pk}/uppfoljning/": 200,
        f"/samordnare/lofte/{commitment.pk}/uppfoljning/2026-01-01/": 200,
        # Before the period has ended, the verdict page sends back to the follow-up.
        f"/samordnare/lofte/{commitment.pk}/bedomning/2026-01-01/": 302,
        f"/samordnare/dialoger/{dialogue.pk}/": 200,
        f"/samordnare/dialoger/{dialogue.pk}/andra/": 200,
        f"/samordnare/dialoger/{dialogue.pk}/synpunkter/ny/": 200,
        f"/samordnare/dialoger/{dialogue.pk}/atgarder/ny/": 200,
        f"/samordnare/synpunkter/{world.concern.pk}/andra/": 200,
        f"/samordnare/atgarder/{world.action_item.pk}/andra/": 200,
        f"/samordnare/lagesbild/{picture.pk}/": 200,
        f"/samordnare/lagesbild/{picture.pk}/andra/": 200,
        f"/samordnare/lagesbild/{picture.pk}/fokusomraden/ny/": 200,
        f"/samordnare/fokusomraden/{world.focus_area.pk}/andra/": 200,
        f"/samordnare/tyck-till/{world.submission.pk}/": 200,
    }


# Enough to pass every form on these pages, were it not refused first.
DATA = {
    "narrative": "Inbrott",
    "reason": "Inbrott",
    "version": 1,
    "title": "Inbrott",
    "summary": "Inbrott",
    "description": "Inbrott",
    "theme": "lighting",
    "times_raised": 1,
    "status": "open",
    "format": "open_meeting",
    "starts_on": "2026-10-01",
    "position": 1,
    "decision": "reject",
}


def rows():
    return (
        Activity.objects.count(),
        FollowUp.objects.count(),
        Dialogue.objects.count(),
        Concern.objects.count(),
        ActionItem.objects.count(),
        FocusArea.objects.count(),
        Submission.objects.pending().count(),
        sorted(Dialogue.objects.values_list("title", flat=True)),
    )


def test_the_own_coordinator_reaches_every_page(client, asele):
    client.force_login(asele.polis)
    statuses = {url: client.get(url).status_code for url in pages(asele)}
    assert statuses == pages(asele)


def read_only(world):
    """The pages that only show a row: a POST is 405 before anything is looked up."""
    return {
        f"/samordnare/aktiviteter/{world.activity.pk}/",
        f"/samordnare/plan/{world.pledge.pk}/",
        f"/samordnare/plan/{world.pledge.pk}/uppfoljning/",
        f"/samordnare/dialoger/{world.dialogue.pk}/",
        f"/samordnare/lagesbild/{world.picture.pk}/",
    }


@pytest.mark.parametrize("user", ["polis", "kommunsamordnare", "admin"])
def test_another_municipalitys_coordinator_reaches_none(client, asele, vingaker, user):
    client.force_login(getattr(vingaker, user))
    before = rows()
    for url in pages(asele):
        assert client.get(url).status_code == 404, url
        assert client.post(url, DATA).status_code == (405 if url in read_only(asele) else 404), url
    assert rows() == before


@pytest.mark.parametrize(
    "path",
    [
        "/samordnare/",
        "/samordnare/aktiviteter/",
        "/samordnare/dialoger/",
        "/samordnare/indikatorer/",
        "/samordnare/tyck-till/",
    ],
)
def test_the_lists_show_nothing_of_another_municipality(client, asele, vingaker, path):
    client.force_login(vingaker.polis)
    html = client.get(path).content.decode()
    assert "Vingaker" in html
    assert "Asele" not in html
