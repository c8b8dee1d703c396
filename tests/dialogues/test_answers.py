"""Ni sa – vi gjorde: the coordinators answer every concern publicly, with the promises that
answer that concern, or say why nothing is done; a concern without an answer says so."""

from datetime import date

import pytest
import time_machine
from django.contrib.auth import get_user_model

from dialogues.models import AnswerKind, Concern, Dialogue
from pledges.models import Commitment, Pledge
from tests.pledges.factories import CommitmentFactory, PledgeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(date(2026, 11, 27), tick=False):
        yield


def pensioners():
    return Dialogue.objects.get(title="Fokusgrupp med pensionärsrådet")


def answer_url(concern):
    return f"/samordnare/synpunkter/{concern.pk}/svar/"


def public_url(dialogue, language=""):
    return f"{language}/kommun/asele/dialoger/{dialogue.pk}/"


def loaded_at(concern):
    concern.refresh_from_db()
    return concern.updated_at.isoformat()


def answer(client, concern, **data):
    return client.post(answer_url(concern), {"loaded_at": loaded_at(concern), **data})


class TestPermissions:
    def test_matrix(self, client, client_for, outsider, demo_pledge):
        concern = pensioners().concerns.first()
        traffic = Commitment.objects.get(pledge=demo_pledge, position=1)
        data = {
            "answer_kind": "doing",
            "answer": "Vi gör så här.",
            "answer_commitments": [traffic.pk],
        }
        # Anonymous: to the login page, nothing saved.
        response = client.post(answer_url(concern), data)
        assert response.status_code == 302
        assert response["Location"].startswith("/konto/logga-in/")
        # A coordinator of another municipality: the concern does not exist for them.
        client.force_login(outsider)
        assert client.get(answer_url(concern)).status_code == 404
        assert client.post(answer_url(concern), data).status_code == 404
        concern.refresh_from_db()
        assert concern.answer == ""
        # A user without a coordinator role.
        client.force_login(get_user_model().objects.create_user("utan-roll"))
        assert client.post(answer_url(concern), data).status_code == 403
        # Åsele's coordinators.
        for username in ("polis", "kommun"):
            assert client_for(username).get(answer_url(concern)).status_code == 200
        response = answer(client_for("kommun"), concern, **data)
        assert response.status_code == 302
        assert response["Location"] == f"/samordnare/dialoger/{concern.dialogue_id}/"
        concern.refresh_from_db()
        assert concern.answer_kind == AnswerKind.DOING
        assert concern.answer == "Vi gör så här."
        assert list(concern.answer_commitments.all()) == [traffic]
        assert concern.answered_by.username == "kommun"
        assert concern.answered_at is not None
        assert concern.history.first().answer == "Vi gör så här."


class TestAnswerForm:
    def test_offers_only_the_published_promises_of_the_municipality(self, client_for, demo_pledge):
        draft = CommitmentFactory(
            pledge=PledgeFactory(
                municipality=demo_pledge.municipality,
                valid_from=date(2030, 1, 1),
                valid_to=date(2030, 12, 31),
                draft=True,
            ),
            text="Ett utkastlöfte",
        )
        elsewhere = CommitmentFactory(text="Ett löfte i en annan kommun")
        concern = pensioners().concerns.first()
        html = client_for("polis").get(answer_url(concern)).content.decode()
        assert Commitment.objects.get(pledge=demo_pledge, position=1).text in html
        assert draft.text not in html
        assert elsewhere.text not in html
        for commitment in (draft, elsewhere):
            response = answer(
                client_for("polis"),
                concern,
                answer_kind="doing",
                answer="Vi gör så här.",
                answer_commitments=[commitment.pk],
            )
            assert response.status_code == 400
            concern.refresh_from_db()
            assert not concern.answer_commitments.exists()

    @pytest.mark.parametrize(
        "data",
        [
            {"answer_kind": "nonsense", "answer": "Text"},
            {"answer_kind": "doing", "answer": ""},
            {"answer_kind": "", "answer": "Text"},
            {"answer_kind": "doing", "answer": "x" * 2001},
            {"answer_kind": "doing", "answer": "Text", "answer_commitments": ["abc"]},
            {"answer_kind": "doing", "answer": "Text", "answer_commitments": ["9" * 30]},
            {"answer_kind": "doing", "answer": "Text", "answer_commitments": ["-1"]},
            {"answer_kind": "doing", "answer": "   "},
        ],
    )
    def test_bad_input_is_a_message_never_an_error(self, client_for, demo_pledge, data):
        concern = pensioners().concerns.first()
        response = answer(client_for("polis"), concern, **data)
        assert response.status_code == 400
        concern.refresh_from_db()
        assert concern.answer_kind == ""

    def test_nothing_done_names_no_promise(self, client_for, demo_pledge):
        concern = pensioners().concerns.first()
        traffic = Commitment.objects.get(pledge=demo_pledge, position=1)
        response = answer(
            client_for("polis"),
            concern,
            answer_kind="not_doing",
            answer="Det ligger utanför vårt uppdrag.",
            answer_commitments=[traffic.pk],
        )
        assert response.status_code == 400
        response = answer(
            client_for("polis"),
            concern,
            answer_kind="not_doing",
            answer="Det ligger utanför vårt uppdrag.",
        )
        assert response.status_code == 302
        concern.refresh_from_db()
        assert concern.answer_kind == AnswerKind.NOT_DOING

    def test_a_stale_answer_is_refused(self, client_for, demo_pledge):
        concern = pensioners().concerns.first()
        stale = loaded_at(concern)
        Concern.objects.filter(pk=concern.pk).update(
            updated_at=concern.updated_at.replace(year=2025)
        )
        response = client_for("polis").post(
            answer_url(concern),
            {"loaded_at": stale, "answer_kind": "doing", "answer": "Vi gör så här."},
        )
        assert response.status_code == 400
        concern.refresh_from_db()
        assert concern.answer == ""

    def test_the_dialogue_page_leads_to_the_answer_form(self, client_for, demo_pledge):
        dialogue = pensioners()
        html = client_for("polis").get(f"/samordnare/dialoger/{dialogue.pk}/").content.decode()
        for concern in dialogue.concerns.all():
            assert answer_url(concern) in html


class TestPublicPage:
    def test_each_concern_shows_its_own_answer_and_promises(self, client, client_for, demo_pledge):
        dialogue = pensioners()
        first, *others = list(dialogue.concerns.all())
        assert others
        traffic, schools = (
            Commitment.objects.get(pledge=demo_pledge, position=1),
            Commitment.objects.get(pledge=demo_pledge, position=2),
        )
        answer(
            client_for("polis"),
            first,
            answer_kind="doing",
            answer="Fler trafikkontroller på kvällarna.",
            answer_commitments=[traffic.pk],
        )
        html = client.get(public_url(dialogue, "/en")).content.decode()
        start = html.index(first.summary)
        end = html.index(others[0].summary)
        own = html[start:end]
        assert "Fler trafikkontroller på kvällarna." in own
        assert "This is being done" in own
        assert f'href="/en/kommun/asele/2017/#lofte-{traffic.position}"' in own
        assert f"#lofte-{schools.position}" not in own
        # The others have no answer, and say so with the date of the dialogue.
        rest = html[end:]
        assert "No answer yet." in rest
        assert f"dialogue of {dialogue.starts_on:%-d %B %Y}" in rest
        assert "Fler trafikkontroller" not in rest

    def test_an_answer_that_nothing_is_done_says_why(self, client, demo_pledge):
        from dialogues.services import concern_answer

        dialogue = pensioners()
        concern = dialogue.concerns.first()
        concern_answer(
            concern=concern,
            user=None,
            kind=AnswerKind.NOT_DOING,
            text="Frågan ägs av Trafikverket.",
            commitments=[],
        )
        html = client.get(public_url(dialogue, "/en")).content.decode()
        assert "This will not be done" in html
        assert "Frågan ägs av Trafikverket." in html

    def test_a_promise_of_a_draft_pledge_is_never_shown(self, client, demo_pledge):
        dialogue = pensioners()
        concern = dialogue.concerns.first()
        draft = CommitmentFactory(
            pledge=PledgeFactory(
                municipality=demo_pledge.municipality,
                valid_from=date(2030, 1, 1),
                valid_to=date(2030, 12, 31),
                draft=True,
            ),
            text="Hemligt utkastlöfte",
        )
        Concern.objects.filter(pk=concern.pk).update(answer_kind="doing", answer="Svar")
        concern.answer_commitments.add(draft)
        assert draft.pledge.status not in Pledge.PUBLIC_STATUSES
        html = client.get(public_url(dialogue)).content.decode()
        assert "Hemligt utkastlöfte" not in html
        assert "Svar" in html


class TestAdmin:
    def test_the_admin_answers_and_refuses_another_municipalitys_promise(
        self, client_for, demo_pledge
    ):
        concern = pensioners().concerns.first()
        client = client_for("admin")
        url = f"/admin/dialogues/concern/{concern.pk}/change/"
        assert client.get(url).status_code == 200
        elsewhere = CommitmentFactory(pledge=PledgeFactory(), text="Annan kommuns löfte")
        base = {
            "dialogue": concern.dialogue_id,
            "theme": concern.theme,
            "summary": concern.summary,
            "times_raised": concern.times_raised,
            "answer_kind": "doing",
            "answer": "Vi gör så här.",
            "loaded_version": loaded_at(concern),
        }
        response = client.post(url, {**base, "answer_commitments": [elsewhere.pk]})
        assert response.status_code == 200
        concern.refresh_from_db()
        assert concern.answer == ""
        traffic = Commitment.objects.get(pledge=demo_pledge, position=1)
        response = client.post(url, {**base, "answer_commitments": [traffic.pk]})
        assert response.status_code == 302
        concern.refresh_from_db()
        assert concern.answer == "Vi gör så här."
        assert concern.answered_by.username == "admin"
        assert list(concern.answer_commitments.all()) == [traffic]
