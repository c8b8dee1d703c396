"""Moderation that respects the writer: the queue shows a preview and the theme, a
coordinator re-themes a message, a decision erases the writer's words, the dashboard shows
what is waiting; and indicator values are corrected with their history."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from dialogues.models import Indicator, IndicatorValue, Submission
from dialogues.selectors import waiting_submissions_count

pytestmark = pytest.mark.django_db

LONG = "Det är mörkt på gångvägen bakom skolan. " * 6


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(date(2026, 11, 27), tick=False) as traveller:
        yield traveller


@pytest.fixture
def submission(demo_pledge):
    return Submission.objects.create(
        municipality=demo_pledge.municipality, theme="other", place="Skolan", message=LONG
    )


@pytest.fixture
def value(demo_pledge):
    return IndicatorValue.objects.filter(indicator__name="Trygghetsindex").first()


def matrix(client, client_for, outsider, django_user_model, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/logga-in/")
    client.force_login(django_user_model.objects.create_user("utan-roll"))
    assert client.get(url).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client_for("kommun").get(url).status_code == 200


def test_permission_matrix_of_retheming(
    client, client_for, outsider, submission, django_user_model
):
    matrix(
        client,
        client_for,
        outsider,
        django_user_model,
        f"/samordnare/tyck-till/{submission.pk}/tema/",
    )
    client.force_login(outsider)
    response = client.post(f"/samordnare/tyck-till/{submission.pk}/tema/", {"theme": "drugs"})
    assert response.status_code == 404
    submission.refresh_from_db()
    assert submission.theme == "other"


def test_permission_matrix_of_correcting_a_value(
    client, client_for, outsider, value, django_user_model
):
    matrix(
        client,
        client_for,
        outsider,
        django_user_model,
        f"/samordnare/indikatorer/varden/{value.pk}/",
    )
    client.force_login(outsider)
    response = client.post(f"/samordnare/indikatorer/varden/{value.pk}/", {"value": "1"})
    assert response.status_code == 404


def test_the_queue_shows_a_preview_and_the_theme(client_for, submission):
    html = client_for("kommun").get("/samordnare/tyck-till/").content.decode()
    assert LONG[:100] in html
    assert LONG.strip() not in html
    assert "annat" in html


def test_a_coordinator_rethemes_a_message(client_for, submission):
    client = client_for("polis")
    response = client.post(f"/samordnare/tyck-till/{submission.pk}/tema/", {"theme": "lighting"})
    assert response.status_code == 302
    assert response["Location"] == f"/samordnare/tyck-till/{submission.pk}/"
    submission.refresh_from_db()
    assert submission.theme == "lighting"
    assert submission.message == LONG
    response = client.post(f"/samordnare/tyck-till/{submission.pk}/tema/", {"theme": "nonsense"})
    assert response.status_code == 400
    submission.refresh_from_db()
    assert submission.theme == "lighting"


@pytest.mark.parametrize(
    "decision", [{"decision": "new", "summary": "Mörk gångväg vid skolan"}, {"decision": "reject"}]
)
def test_a_decision_erases_the_writers_words(client_for, submission, decision):
    client = client_for("kommun")
    response = client.post(f"/samordnare/tyck-till/{submission.pk}/", decision)
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.message == ""
    assert submission.place == ""
    assert submission.theme == "other"
    assert submission.created_at is not None
    assert submission.moderated_by.username == "kommun"
    # Nothing keeps the words elsewhere: messages have no history of their own.
    assert not hasattr(Submission, "history")
    html = client.get(f"/en/samordnare/tyck-till/{submission.pk}/").content.decode()
    assert "mörkt på gångvägen" not in html
    assert "text was erased when it was decided on" in html


def test_a_failed_decision_keeps_the_words(client_for, submission):
    response = client_for("kommun").post(
        f"/samordnare/tyck-till/{submission.pk}/", {"decision": "new", "summary": ""}
    )
    assert response.status_code == 400
    submission.refresh_from_db()
    assert submission.message == LONG


def test_the_privacy_page_says_what_is_kept(client):
    html = client.get("/en/personuppgifter/").content.decode()
    assert "the text of the message and the place you wrote are erased" in html


def test_the_dashboard_shows_the_waiting_count(client_for, submission, outsider, client):
    Submission.objects.create(
        municipality=submission.municipality, theme="drugs", message="Langning vid torget."
    )
    html = client_for("kommun").get("/samordnare/").content.decode()
    assert "Tyck till: 2 meddelanden väntar" in html
    assert waiting_submissions_count(outsider) == 0
    client.force_login(outsider)
    assert "Tyck till:" not in client.get("/samordnare/").content.decode()
    client_for("kommun").post(f"/samordnare/tyck-till/{submission.pk}/", {"decision": "reject"})
    assert "Tyck till: 1 meddelande väntar" in client.get("/samordnare/").content.decode()


def test_a_coordinator_corrects_a_value_with_history(client_for, value):
    client = client_for("kommun")
    url = f"/samordnare/indikatorer/varden/{value.pk}/"
    loaded = str(value.value)
    indicator = Indicator.objects.get(pk=value.indicator_id)
    response = client.post(url, {"value": str(indicator.scale_max + 1), "loaded_value": loaded})
    assert response.status_code == 400
    assert "Värdet måste ligga mellan" in response.content.decode()
    response = client.post(url, {"value": "2.5", "loaded_value": loaded})
    assert response.status_code == 302
    value.refresh_from_db()
    assert value.value == Decimal("2.5")
    latest = value.history.latest()
    assert latest.history_user.username == "kommun"
    assert latest.value == Decimal("2.5")
    html = client.get(url).content.decode()
    assert "2,5" in html
    # A correction made meanwhile by someone else is not overwritten unseen.
    response = client.post(url, {"value": "3", "loaded_value": loaded})
    assert response.status_code == 400
    value.refresh_from_db()
    assert value.value == Decimal("2.5")
