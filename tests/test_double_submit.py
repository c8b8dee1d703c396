"""Every create form posted twice (a double click, a resend after a slow network) makes
one row, and the second post lands where the first one did."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine

from accounts.models import FormToken
from dialogues.models import ActionItem, Concern, Dialogue, FocusArea, IndicatorValue, Submission
from dialogues.models import SituationalPicture as Picture
from pledges.models import Activity, FollowUp

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_today")]


def token_of(client, url):
    html = client.get(url).content.decode()
    match = re.search(r'name="form_token" value="([^"]+)"', html)
    assert match, f"no form token on {url}"
    return match.group(1)


def post_twice(client, url, data, model, **lookup):
    """Post the same form twice; return both responses and the rows made."""
    data = {**data, "form_token": token_of(client, url)}
    before = model.objects.filter(**lookup).count()
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == 302, first.content.decode()[:3000]
    return first, second, model.objects.filter(**lookup).count() - before


def cases(world):
    dialogue, picture = world.dialogue, world.picture
    return {
        "activity": (
            f"/samordnare/aktiviteter/ny/?commitment={world.commitment.pk}",
            {
                "commitment": world.commitment.pk,
                "status": "done",
                "date": "2026-11-20",
                "public_summary": "Hastighetskontroll vid skolan",
            },
            Activity,
            {"public_summary": "Hastighetskontroll vid skolan"},
        ),
        "dialogue": (
            "/samordnare/dialoger/ny/",
            {
                "municipality": world.municipality.pk,
                "title": "Fokusgrupp med unga",
                "format": "focus_group",
                "starts_on": "2026-10-01",
            },
            Dialogue,
            {"title": "Fokusgrupp med unga"},
        ),
        "concern": (
            f"/samordnare/dialoger/{dialogue.pk}/synpunkter/ny/",
            {"theme": "traffic", "summary": "Fortkörning", "times_raised": 3},
            Concern,
            {"summary": "Fortkörning"},
        ),
        "action item": (
            f"/samordnare/dialoger/{dialogue.pk}/atgarder/ny/",
            {"description": "Klipp häcken", "owner": world.kommun.pk, "status": "open"},
            ActionItem,
            {"description": "Klipp häcken"},
        ),
        "situational picture": (
            "/samordnare/lagesbild/ny/",
            {
                "municipality": world.municipality.pk,
                "title": "Lägesbild 2027",
                "period_start": "2026-01-01",
                "period_end": "2026-12-31",
                "summary": "Trafiken oroar.",
            },
            Picture,
            {"title": "Lägesbild 2027"},
        ),
        "focus area": (
            f"/samordnare/lagesbild/{picture.pk}/fokusomraden/ny/",
            {"position": 2, "title": "Belysning"},
            FocusArea,
            {"title": "Belysning"},
        ),
        "indicator value": (
            "/samordnare/indikatorer/",
            {"indicator": world.indicator.pk, "year": 2026, "value": "4.2"},
            IndicatorValue,
            {"year": 2026},
        ),
        "follow-up": (
            f"/samordnare/lofte/{world.commitment.pk}/uppfoljning/2026-05-01/",
            {"narrative": "Två kontroller under sommaren.", "loaded_at": ""},
            FollowUp,
            {"period_start": date(2026, 5, 1)},
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "activity",
        "dialogue",
        "concern",
        "action item",
        "situational picture",
        "focus area",
        "indicator value",
        "follow-up",
    ],
)
def test_a_form_posted_twice_saves_once(client, world, case):
    url, data, model, lookup = cases(world)[case]
    client.force_login(world.polis)
    first, second, made = post_twice(client, url, data, model, **lookup)
    assert made == 1
    assert second.status_code == 302
    assert second["Location"] == first["Location"]
    assert "sparats en gång" in client.get(second["Location"]).content.decode()


def test_a_new_form_gets_a_new_token(client, world):
    client.force_login(world.polis)
    url = "/samordnare/dialoger/ny/"
    assert token_of(client, url) != token_of(client, url)


def test_a_refused_post_keeps_its_token_and_saves_when_corrected(client, world):
    """Bad input saves nothing and claims nothing: the corrected form goes through."""
    client.force_login(world.polis)
    url = "/samordnare/dialoger/ny/"
    token = token_of(client, url)
    data = {
        "municipality": world.municipality.pk,
        "title": "Dialog",
        "format": "focus_group",
        "starts_on": "2026-10-01",
        "ends_on": "2026-09-01",
        "form_token": token,
    }
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert f'value="{token}"' in refused.content.decode()
    assert not FormToken.objects.exists()
    data["ends_on"] = "2026-10-02"
    assert client.post(url, data).status_code == 302
    assert Dialogue.objects.filter(title="Dialog").count() == 1


def test_someone_elses_token_does_not_lead_to_their_page(client, world):
    url = "/samordnare/dialoger/ny/"
    client.force_login(world.polis)
    data = {
        "municipality": world.municipality.pk,
        "title": "Dialog",
        "format": "focus_group",
        "starts_on": "2026-10-01",
        "form_token": token_of(client, url),
    }
    assert client.post(url, data).status_code == 302
    client.force_login(world.kommunsamordnare)
    response = client.post(url, data)
    assert response.status_code == 400
    assert "redan skickats" in response.content.decode()
    assert Dialogue.objects.filter(title="Dialog").count() == 1


def test_a_tyck_till_message_sent_twice_is_stored_once(client, world):
    url = f"/kommun/{world.municipality.slug}/tyck-till/"
    data = {"theme": "traffic", "place": "Storgatan", "message": "Bilarna kör för fort."}
    before = Submission.objects.count()
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert Submission.objects.count() == before + 1
    # Another message, or the same one an hour later, is one more voice.
    client.post(url, {**data, "message": "Och de parkerar på trottoaren."})
    with time_machine.travel(datetime(2026, 11, 27, 14, tzinfo=UTC)):
        client.post(url, data)
    assert Submission.objects.count() == before + 3
