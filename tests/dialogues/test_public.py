"""Public side of dialogues: traceability both ways, small counts hidden, Tyck till."""

from datetime import date

import pytest
import time_machine
from django.core.cache import cache

from dialogues.models import AnswerKind, Concern, Dialogue, Submission
from dialogues.services import concern_answer
from pledges.models import Commitment
from tests.pledges.factories import PledgeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(date(2026, 11, 27), tick=False):
        yield


@pytest.fixture(autouse=True)
def empty_rate_limits():
    cache.clear()
    yield
    cache.clear()


def html_of(response):
    return response.content.decode()


def dialogue(title):
    return Dialogue.objects.get(title=title)


class TestTraceability:
    def test_commitment_shows_the_concerns_and_dialogues_behind_it(self, client, demo_pledge):
        html = html_of(client.get("/kommun/asele/2017/"))
        assert "Därför finns löftet" in html
        assert 'Fokusområde: <span lang="sv">Trafiken</span>' in html
        assert (
            'Togs upp: <span lang="sv">Buskörning med moped och snöskoter i centrum</span>' in html
        )
        merchants = dialogue("Fokusgrupp med företagarföreningen")
        assert f"/kommun/asele/dialoger/{merchants.pk}/" in html

    def test_dialogue_leads_to_the_commitments_and_what_was_done(self, client, demo_pledge):
        pensioners = dialogue("Fokusgrupp med pensionärsrådet")
        response = client.get(f"/kommun/asele/dialoger/{pensioners.pk}/")
        assert response.status_code == 200
        html = html_of(response)
        assert "Ni sa – vi gjorde" in html
        assert "Polisen syns sällan i Åsele" in html
        traffic = Commitment.objects.get(pledge=demo_pledge, position=1)
        assert traffic.text in html
        assert "3 av 4 trafikinsatser" in html
        assert "Nykterhetskontroller under fredagskvällen" in html
        assert f"/kommun/asele/2017/#lofte-{traffic.position}" in html

    def test_municipality_page_shows_the_situational_picture_and_its_sources(
        self, client, demo_pledge
    ):
        html = html_of(client.get("/kommun/asele/"))
        assert "Gemensam lägesbild 2016" in html
        assert "Polisens underrättelser" in html
        assert "Fokusgrupp med elevrådet" in html
        assert "Medarbetardialog med polis och kommun" in html
        assert "Trygghet och ökad synlighet av polis" in html
        assert "Tyck till" in html

    def test_drafts_and_internal_notes_never_show(self, client, demo_pledge):
        draft = Dialogue.objects.create(
            municipality=demo_pledge.municipality,
            title="Hemlig dialog",
            format=Dialogue.Format.OPEN_MEETING,
            starts_on=date(2016, 11, 1),
            participants=30,
            internal_notes="INTERNT",
        )
        Concern.objects.create(dialogue=draft, theme="drugs", summary="Hemlig synpunkt")
        assert client.get(f"/kommun/asele/dialoger/{draft.pk}/").status_code == 404
        for path in ("/kommun/asele/", "/kommun/asele/2017/"):
            html = html_of(client.get(path))
            assert "Hemlig" not in html
            assert "INTERNT" not in html
            assert "Samtalsledare" not in html

    @pytest.mark.parametrize(
        "path", ["/kommun/vingaker/dialoger/{pk}/", "/kommun/asele/dialoger/0/"]
    )
    def test_dialogue_of_another_municipality_or_unknown_is_404(self, client, demo_pledge, path):
        pk = dialogue("Fokusgrupp med pensionärsrådet").pk
        assert client.get(path.format(pk=pk)).status_code == 404


class TestSmallCounts:
    def test_a_dialogue_with_fewer_than_five_shows_no_figures(self, client, demo_pledge):
        pupils = dialogue("Fokusgrupp med elevrådet")
        assert pupils.participants < 5
        html = html_of(client.get(f"/kommun/asele/dialoger/{pupils.pk}/"))
        assert "färre än 5" in html
        assert "Hur ofta varje tema togs upp" not in html
        assert "togs upp av" not in html
        # What was raised is still traceable, in the coordinators' words.
        assert "Vill träffa polisen i skolan" in html

    def test_concerns_raised_by_fewer_than_five_show_no_count(self, client, demo_pledge):
        merchants = dialogue("Fokusgrupp med företagarföreningen")
        html = html_of(client.get(f"/kommun/asele/dialoger/{merchants.pk}/"))
        assert "togs upp av 7 personer" in html
        assert "togs upp av 3" not in html
        # The theme table leaves out themes below five.
        table = html[html.index("Hur ofta varje tema togs upp") : html.index("</table>")]
        assert "Trafik" in table
        assert "Skadegörelse" not in table


VALID = {"theme": "traffic", "place": "Torget", "message": "Bilar kör för fort på kvällarna."}


class TestTyckTill:
    def test_a_message_reaches_the_moderation_queue_and_is_never_shown(self, client, demo_pledge):
        response = client.post("/kommun/asele/tyck-till/", VALID)
        assert response.status_code == 302
        assert response["Location"] == "/kommun/asele/tyck-till/tack/"
        submission = Submission.objects.get()
        assert submission.status == Submission.Status.PENDING
        assert submission.municipality.slug == "asele"
        assert "Tack för ditt meddelande" in html_of(client.get(response["Location"]))
        for path in ("/kommun/asele/", "/kommun/asele/2017/", "/"):
            assert "Bilar kör för fort" not in html_of(client.get(path))

    def test_the_form_has_no_personal_data_fields_and_warns(self, client, demo_pledge):
        html = html_of(client.get("/kommun/asele/tyck-till/"))
        assert "Skriv inte namn eller andra personuppgifter" in html
        for field in ("email", "name", "phone", "namn", "telefon"):
            assert f'name="{field}"' not in html

    def test_honeypot_gets_a_receipt_and_stores_nothing(self, client, demo_pledge):
        response = client.post("/kommun/asele/tyck-till/", {**VALID, "website": "http://spam"})
        assert response.status_code == 302
        assert not Submission.objects.exists()

    def test_rate_limit_per_client(self, client, demo_pledge):
        for i in range(5):
            message = {**VALID, "message": f"Bilar kör för fort, del {i}."}
            assert client.post("/kommun/asele/tyck-till/", message).status_code == 302
        response = client.post("/kommun/asele/tyck-till/", VALID)
        assert response.status_code == 429
        assert "Vänta en timme" in html_of(response)
        assert "Bilar kör för fort på kvällarna." in html_of(response)
        assert Submission.objects.count() == 5
        other = client.post("/kommun/asele/tyck-till/", VALID, REMOTE_ADDR="10.0.0.2")
        assert other.status_code == 302

    @pytest.mark.parametrize(
        "message",
        [
            "Ring mig på 070-123 45 67",
            "Maila anna.svensson@example.se",
            "Det var 850101-1234 som gjorde det",
            "+46 70 123 45 67 vet mer",
        ],
    )
    def test_personal_data_is_refused_and_input_kept(self, client, demo_pledge, message):
        response = client.post("/kommun/asele/tyck-till/", {**VALID, "message": message})
        assert response.status_code == 400
        html = html_of(response)
        assert "Ta bort det och skicka igen" in html
        assert "Torget" in html
        assert not Submission.objects.exists()

    @pytest.mark.parametrize(
        "data",
        [
            {"theme": "nonsense", "message": "x"},
            {"theme": "traffic", "message": ""},
            {"theme": "traffic", "message": "x" * 1001},
            {"theme": "traffic", "message": "x", "place": "y" * 201},
        ],
    )
    def test_bad_input_is_a_message_not_an_error(self, client, demo_pledge, data):
        response = client.post("/kommun/asele/tyck-till/", data)
        assert response.status_code == 400
        assert not Submission.objects.exists()

    def test_unknown_municipality_is_404(self, client, demo_pledge):
        assert client.get("/kommun/finns-inte/tyck-till/").status_code == 404
        assert client.post("/kommun/finns-inte/tyck-till/", VALID).status_code == 404


class TestQueryCounts:
    def test_dialogue_page_is_constant(self, client, demo_pledge, django_assert_num_queries):
        from pledges.models import Activity

        pensioners = dialogue("Fokusgrupp med pensionärsrådet")
        url = f"/kommun/asele/dialoger/{pensioners.pk}/"
        # dialogue, concerns, the public promises each concern's answer names, focus
        # areas, commitments, target sites, amendments, done counts, the latest public
        # activities (and how many), action items
        with django_assert_num_queries(10):
            assert client.get(url).status_code == 200
        traffic = Commitment.objects.get(pledge=demo_pledge, position=1)
        for day in range(1, 25):
            Activity.objects.create(commitment=traffic, date=date(2017, 2, day), status="done")
        PledgeFactory()
        for concern in pensioners.concerns.all():
            concern_answer(
                concern=concern,
                user=None,
                kind=AnswerKind.DOING,
                text="Vi gör så här.",
                commitments=demo_pledge.commitments.all(),
            )
        with django_assert_num_queries(10):
            response = client.get(url)
        # The three newest of each promise (the demo's September, June and March ones
        # of the traffic promise, none of February's), and how many it has in all.
        html = response.content.decode()
        assert "18 mars 2017" in html
        assert "24 februari 2017" not in html
        assert "alla dess 27 aktiviteter" in html


def test_a_hidden_count_cannot_be_worked_out_by_subtraction(client, demo_pledge):
    pensioners = dialogue("Fokusgrupp med pensionärsrådet")
    Concern.objects.create(
        dialogue=pensioners, theme="traffic", summary="Parkering vid torget", times_raised=3
    )
    html = html_of(client.get(f"/kommun/asele/dialoger/{pensioners.pk}/"))
    table = html[html.index("Hur ofta varje tema togs upp") : html.index("</table>")]
    assert "Trafik" not in table
    assert "togs upp av 6 personer" in html
