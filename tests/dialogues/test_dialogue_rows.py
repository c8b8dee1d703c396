"""A dialogue with its concerns, and a safety walk with its action items, recorded on one
page: rows saved all or nothing, errors at the field with the input kept."""

from datetime import date

import pytest
import time_machine

from dialogues.models import ActionItem, Concern, Dialogue
from places.models import Site

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(date(2026, 11, 27), tick=False) as traveller:
        yield traveller


def management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "100",
    }


def walk(municipality, **extra):
    return {
        "municipality": municipality.pk,
        "title": "Trygghetsvandring i parken",
        "format": "safety_walk",
        "starts_on": "2026-09-14",
        "participants": "16",
        **management("concerns", 2),
        **management("action_items", 1),
        **extra,
    }


def test_permission_matrix_of_the_page(client, client_for, outsider, django_user_model):
    url = "/samordnare/dialoger/ny/"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/logga-in/")
    client.force_login(django_user_model.objects.create_user("utan-roll"))
    assert client.get(url).status_code == 403
    html = client_for("kommun").get(url).content.decode()
    assert 'name="concerns-0-summary"' in html
    assert "Plats med egna ord" in html or "Place, in your words" in html


def test_an_outsiders_dialogue_page_is_404(client, outsider):
    dialogue = Dialogue.objects.get(title="Fokusgrupp med pensionärsrådet")
    client.force_login(outsider)
    assert client.get(f"/samordnare/dialoger/{dialogue.pk}/andra/").status_code == 404


def test_the_only_municipality_is_preselected(client_for, demo_pledge):
    html = client_for("kommun").get("/samordnare/dialoger/ny/").content.decode()
    assert f'<option value="{demo_pledge.municipality.pk}" selected>' in html


def test_a_safety_walk_with_rows_in_one_sitting(client_for, demo_pledge):
    client = client_for("kommun")
    municipality = demo_pledge.municipality
    owner = municipality.organisations.get(kind="municipality")
    site = Site.objects.filter(municipality=municipality).first()
    response = client.post(
        "/samordnare/dialoger/ny/",
        walk(
            municipality,
            **{
                "concerns-0-theme": "lighting",
                "concerns-0-summary": "Mörk gångväg i parken",
                "concerns-0-place": "Parkens östra del",
                "concerns-0-site": site.pk,
                "concerns-0-times_raised": "8",
                "concerns-0-rank": "1",
                "action_items-0-description": "Byt belysning i parken",
                "action_items-0-place": "Gångvägen",
                "action_items-0-owner": owner.pk,
                "action_items-0-deadline": "2026-12-01",
                "action_items-0-status": "open",
            },
        ),
    )
    assert response.status_code == 302
    dialogue = Dialogue.objects.get(title="Trygghetsvandring i parken")
    concern = Concern.objects.get(dialogue=dialogue)
    assert (concern.place, concern.site, concern.rank) == ("Parkens östra del", site, 1)
    assert ActionItem.objects.get(dialogue=dialogue).place == "Gångvägen"
    html = client.get(response["Location"]).content.decode()
    for typed in ("Parkens östra del", site.name, "Gångvägen", "Byt belysning i parken"):
        assert typed in html


def test_a_bad_row_saves_nothing_and_keeps_the_input(client_for, demo_pledge):
    client = client_for("kommun")
    municipality = demo_pledge.municipality
    response = client.post(
        "/samordnare/dialoger/ny/",
        walk(
            municipality,
            **{
                "concerns-0-theme": "lighting",
                "concerns-0-summary": "Mörk gångväg i parken",
                "concerns-0-times_raised": "8",
                "concerns-1-theme": "drugs",
                "concerns-1-summary": "Langning vid torget",
                "concerns-1-times_raised": "0",
                "action_items-0-description": "Byt belysning",
                "action_items-0-owner": municipality.organisations.get(kind="municipality").pk,
                "action_items-0-deadline": "2026-01-01",
                "action_items-0-status": "open",
            },
        ),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Mörk gångväg i parken" in html
    assert "Langning vid torget" in html
    assert 'id="error_1_id_concerns-1-times_raised"' in html or "concerns-1-times_raised" in html
    assert "2026-01-01" in html
    assert not Dialogue.objects.filter(title="Trygghetsvandring i parken").exists()
    assert not Concern.objects.filter(summary="Mörk gångväg i parken").exists()


def test_action_items_only_on_safety_walks(client_for, demo_pledge):
    municipality = demo_pledge.municipality
    response = client_for("kommun").post(
        "/samordnare/dialoger/ny/",
        walk(
            municipality,
            format="open_meeting",
            **{
                "action_items-0-description": "Byt belysning",
                "action_items-0-owner": municipality.organisations.get(kind="municipality").pk,
                "action_items-0-status": "open",
            },
        ),
    )
    assert response.status_code == 400
    assert not Dialogue.objects.filter(title="Trygghetsvandring i parken").exists()


@pytest.mark.parametrize(
    "broken",
    [
        {"concerns-TOTAL_FORMS": "x"},
        {"concerns-TOTAL_FORMS": "99999999999999999999"},
        {"concerns-INITIAL_FORMS": "5"},
        {"concerns-TOTAL_FORMS": ""},
    ],
)
def test_broken_management_data_is_400(client_for, demo_pledge, broken):
    data = {**walk(demo_pledge.municipality), **broken}
    response = client_for("kommun").post("/samordnare/dialoger/ny/", data)
    assert response.status_code == 400
    assert not Dialogue.objects.filter(title="Trygghetsvandring i parken").exists()


def test_edit_changes_adds_and_deletes_rows(client_for, demo_pledge):
    client = client_for("kommun")
    dialogue = Dialogue.objects.get(title="Fokusgrupp med pensionärsrådet")
    concerns = list(dialogue.concerns.order_by("rank", "-times_raised", "pk"))
    data = {
        "title": dialogue.title,
        "format": dialogue.format,
        "starts_on": dialogue.starts_on.isoformat(),
        "participants": str(dialogue.participants),
        "loaded_at": dialogue.updated_at.isoformat(),
        **management("concerns", len(concerns) + 1, len(concerns)),
        **management("action_items", 0),
    }
    for i, concern in enumerate(concerns):
        data |= {
            f"concerns-{i}-id": concern.pk,
            f"concerns-{i}-dialogue": dialogue.pk,
            f"concerns-{i}-theme": concern.theme,
            f"concerns-{i}-summary": concern.summary,
            f"concerns-{i}-times_raised": str(concern.times_raised),
        }
    data[f"concerns-{len(concerns)}-theme"] = "traffic"
    data[f"concerns-{len(concerns)}-summary"] = "Fortkörning på storgatan"
    data[f"concerns-{len(concerns)}-times_raised"] = "3"
    data["concerns-0-summary"] = "Ändrad synpunkt"
    data["concerns-1-DELETE"] = "on"
    # A site of another municipality is refused at its field.
    foreign = Site.objects.exclude(municipality=dialogue.municipality).first()
    if foreign is not None:
        bad = {**data, "concerns-0-site": foreign.pk}
        response = client.post(f"/samordnare/dialoger/{dialogue.pk}/andra/", bad)
        assert response.status_code == 400
        assert not Concern.objects.filter(summary="Ändrad synpunkt").exists()
    response = client.post(f"/samordnare/dialoger/{dialogue.pk}/andra/", data)
    assert response.status_code == 302
    assert Concern.objects.filter(dialogue=dialogue, summary="Ändrad synpunkt").exists()
    assert not Concern.objects.filter(pk=concerns[1].pk).exists()
    assert Concern.objects.filter(dialogue=dialogue, summary="Fortkörning på storgatan").exists()


def test_a_failure_halfway_saves_nothing(client_for, demo_pledge, monkeypatch):
    def fail(self, *args, **kwargs):
        raise RuntimeError("halfway")

    monkeypatch.setattr(ActionItem, "save", fail)
    client = client_for("kommun")
    client.raise_request_exception = False
    municipality = demo_pledge.municipality
    client.post(
        "/samordnare/dialoger/ny/",
        walk(
            municipality,
            **{
                "concerns-0-theme": "lighting",
                "concerns-0-summary": "Mörk gångväg i parken",
                "concerns-0-times_raised": "8",
                "action_items-0-description": "Byt belysning",
                "action_items-0-owner": municipality.organisations.get(kind="municipality").pk,
                "action_items-0-status": "open",
            },
        ),
    )
    assert not Dialogue.objects.filter(title="Trygghetsvandring i parken").exists()
    assert not Concern.objects.filter(summary="Mörk gångväg i parken").exists()
