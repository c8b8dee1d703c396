"""Coordinator pages for dialogues, the situational picture and moderation."""

from datetime import date

import pytest
import time_machine

from dialogues.models import (
    ActionItem,
    Concern,
    Dialogue,
    FocusArea,
    IndicatorValue,
    SituationalPicture,
    Submission,
)
from places.models import Municipality
from pledges.models import Commitment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(date(2026, 11, 27), tick=False) as traveller:
        yield traveller


def pensioners():
    return Dialogue.objects.get(title="Fokusgrupp med pensionärsrådet")


@pytest.fixture
def submission(demo_pledge):
    return Submission.objects.create(
        municipality=demo_pledge.municipality, theme="lighting", message="Mörkt vid skolan."
    )


def urls(submission):
    dialogue = pensioners()
    picture = SituationalPicture.objects.get()
    return {
        "overview": "/samordnare/dialoger/",
        "dialogue_detail": f"/samordnare/dialoger/{dialogue.pk}/",
        "dialogue_update": f"/samordnare/dialoger/{dialogue.pk}/andra/",
        "concern_create": f"/samordnare/dialoger/{dialogue.pk}/synpunkter/ny/",
        "concern_update": f"/samordnare/synpunkter/{dialogue.concerns.first().pk}/andra/",
        "concern_answer": f"/samordnare/synpunkter/{dialogue.concerns.first().pk}/svar/",
        "picture_detail": f"/samordnare/lagesbild/{picture.pk}/",
        "picture_update": f"/samordnare/lagesbild/{picture.pk}/andra/",
        "focusarea_create": f"/samordnare/lagesbild/{picture.pk}/fokusomraden/ny/",
        "focusarea_update": f"/samordnare/fokusomraden/{picture.focus_areas.first().pk}/andra/",
        "moderate": f"/samordnare/tyck-till/{submission.pk}/",
    }


# Pages listing only the user's own municipalities answer 200 to an outsider, with nothing
# of Åsele in them; pages of one Åsele object are 404.
OUTSIDER = {"overview": 200}


@pytest.mark.parametrize(
    "view",
    [
        "overview",
        "dialogue_detail",
        "dialogue_update",
        "concern_create",
        "concern_update",
        "concern_answer",
        "picture_detail",
        "picture_update",
        "focusarea_create",
        "focusarea_update",
        "moderate",
    ],
)
def test_permission_matrix(client, client_for, outsider, submission, django_user_model, view):
    url = urls(submission)[view]
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/logga-in/")
    client.force_login(django_user_model.objects.create_user("utan-roll"))
    assert client.get(url).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == OUTSIDER.get(view, 404)
    assert client_for("polis").get(url).status_code == 200
    assert client_for("kommun").get(url).status_code == 200


def test_outsider_sees_nothing_of_asele(client, outsider, submission):
    client.force_login(outsider)
    for path in ("/samordnare/dialoger/", "/samordnare/tyck-till/", "/samordnare/indikatorer/"):
        html = client.get(path).content.decode()
        assert "Åsele" not in html
        assert "pensionärsrådet" not in html


class TestRecording:
    def test_record_a_safety_walk_with_concerns_and_action_items(self, client_for, demo_pledge):
        client = client_for("kommun")
        response = client.post(
            "/samordnare/dialoger/ny/",
            {
                "municipality": demo_pledge.municipality.pk,
                "title": "Trygghetsvandring i centrum",
                "format": "safety_walk",
                "starts_on": "2017-09-14",
                "participants": "16",
                "public_summary": "Vi gick genom centrum och parken.",
                "is_published": "on",
            },
        )
        assert response.status_code == 302
        walk = Dialogue.objects.get(title="Trygghetsvandring i centrum")
        assert walk.created_by.username == "kommun"
        response = client.post(
            f"/samordnare/dialoger/{walk.pk}/synpunkter/ny/",
            {"theme": "lighting", "summary": "Mörk gångväg i parken", "times_raised": "8"},
        )
        assert response.status_code == 302
        concern = Concern.objects.get(summary="Mörk gångväg i parken")
        assert concern.dialogue == walk
        owner = walk.municipality.organisations.get(kind="municipality")
        response = client.post(
            f"/samordnare/dialoger/{walk.pk}/atgarder/ny/",
            {
                "description": "Byt belysning i parken",
                "owner": owner.pk,
                "deadline": "2017-12-01",
                "status": "rejected",
                "rejection_reason": "",
            },
        )
        assert response.status_code == 400
        assert "Ange offentligt varför punkten avslogs" in response.content.decode()
        assert not ActionItem.objects.exists()
        response = client.post(
            f"/samordnare/dialoger/{walk.pk}/atgarder/ny/",
            {"description": "Byt belysning i parken", "owner": owner.pk, "status": "open"},
        )
        assert response.status_code == 302
        public = client.get(f"/kommun/asele/dialoger/{walk.pk}/").content.decode()
        assert "Byt belysning i parken" in public
        assert "Mörk gångväg i parken" in public

    def test_action_items_only_for_safety_walks(self, client_for, demo_pledge):
        url = f"/samordnare/dialoger/{pensioners().pk}/atgarder/ny/"
        assert client_for("polis").get(url).status_code == 404

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"ends_on": "2016-10-01"}, "Slutdatumet kan inte vara före datumet"),
            ({"starts_on": "10/18/16"}, "Fyll i ett giltigt datum"),
            ({"participants": "-4"}, "större än eller lika med 0"),
            ({"participants": "99999999999999"}, "mindre än eller lika med 1000000"),
            ({"title": ""}, "Det här fältet är obligatoriskt"),
            ({"municipality": "99999999999999999999999"}, "Välj ett giltigt alternativ"),
        ],
    )
    def test_bad_dialogue_input(self, client_for, demo_pledge, data, message):
        client = client_for("polis")
        base = {
            "municipality": demo_pledge.municipality.pk,
            "title": "Öppet möte",
            "format": "open_meeting",
            "starts_on": "2016-10-18",
        }
        before = Dialogue.objects.count()
        response = client.post("/samordnare/dialoger/ny/", {**base, **data})
        assert response.status_code == 400
        assert message in response.content.decode()
        assert Dialogue.objects.count() == before

    def test_cannot_record_for_another_municipality(self, client_for, demo_pledge):
        vingaker = Municipality.objects.get(slug="vingaker")
        response = client_for("polis").post(
            "/samordnare/dialoger/ny/",
            {
                "municipality": vingaker.pk,
                "title": "Fel kommun",
                "format": "open_meeting",
                "starts_on": "2016-10-18",
            },
        )
        assert response.status_code == 400
        assert not Dialogue.objects.filter(title="Fel kommun").exists()

    def test_stale_dialogue_edit_is_refused(self, client_for, demo_pledge, frozen_today):
        client = client_for("polis")
        dialogue = pensioners()
        url = f"/samordnare/dialoger/{dialogue.pk}/andra/"
        loaded = dialogue.updated_at.isoformat()
        data = {
            "title": dialogue.title,
            "format": dialogue.format,
            "starts_on": "2016-10-18",
            "participants": "12",
            "public_summary": "Första",
            "loaded_at": loaded,
        }
        frozen_today.shift(60)
        assert client.post(url, data).status_code == 302
        frozen_today.shift(60)
        response = client.post(url, {**data, "public_summary": "Andra"})
        assert response.status_code == 400
        assert "Någon annan sparade" in response.content.decode()
        dialogue.refresh_from_db()
        assert dialogue.public_summary == "Första"

    def test_focus_area_links_concerns_and_commitments_of_the_same_municipality(
        self, client_for, demo_pledge
    ):
        client = client_for("polis")
        picture = SituationalPicture.objects.get()
        concern = Concern.objects.get(summary="Dålig belysning vid busshållplatsen")
        commitment = Commitment.objects.get(pledge=demo_pledge, position=4)
        response = client.post(
            f"/samordnare/lagesbild/{picture.pk}/fokusomraden/ny/",
            {
                "position": "3",
                "title": "Otrygga platser",
                "concerns": [concern.pk],
                "commitments": [commitment.pk],
            },
        )
        assert response.status_code == 302
        area = FocusArea.objects.get(title="Otrygga platser")
        assert list(area.concerns.all()) == [concern]
        html = client.get("/kommun/asele/2017/").content.decode()
        assert 'Fokusområde: <span lang="sv">Otrygga platser</span>' in html
        foreign = Concern.objects.create(
            dialogue=Dialogue.objects.create(
                municipality=Municipality.objects.get(slug="vingaker"),
                title="Annan",
                format="open_meeting",
                starts_on=date(2016, 1, 1),
            ),
            theme="drugs",
            summary="Annan kommuns synpunkt",
        )
        response = client.post(
            f"/samordnare/lagesbild/{picture.pk}/fokusomraden/ny/",
            {"position": "4", "title": "Fel", "concerns": [foreign.pk, "99999999999999999999"]},
        )
        assert response.status_code == 400
        assert not FocusArea.objects.filter(title="Fel").exists()

    def test_indicator_value_outside_the_scale_is_refused(self, client_for, demo_pledge):
        from dialogues.models import Indicator

        client = client_for("kommun")
        index = Indicator.objects.get(name="Trygghetsindex")
        response = client.post(
            "/samordnare/indikatorer/", {"indicator": index.pk, "year": "2020", "value": "7"}
        )
        assert response.status_code == 400
        assert "Värdet måste ligga mellan" in response.content.decode()
        response = client.post(
            "/samordnare/indikatorer/", {"indicator": index.pk, "year": "2020", "value": "1.5"}
        )
        assert response.status_code == 302
        assert IndicatorValue.objects.get(indicator=index, year=2020).value == 1.5


class TestModeration:
    def test_accept_as_new_concern(self, client_for, submission):
        client = client_for("kommun")
        queue = client.get("/samordnare/tyck-till/").content.decode()
        assert "belysning" in queue
        response = client.post(
            f"/samordnare/tyck-till/{submission.pk}/",
            {"decision": "new", "summary": "Dålig belysning vid skolan"},
        )
        assert response.status_code == 302
        submission.refresh_from_db()
        assert submission.status == Submission.Status.ACCEPTED
        assert submission.concern.summary == "Dålig belysning vid skolan"
        assert submission.concern.dialogue.format == Dialogue.Format.SUBMISSIONS
        assert not submission.concern.dialogue.is_published
        assert "belysning" not in client.get("/samordnare/tyck-till/").content.decode()

    def test_accept_into_existing_concern_raises_its_count(self, client_for, submission):
        client = client_for("polis")
        client.post(
            f"/samordnare/tyck-till/{submission.pk}/",
            {"decision": "new", "summary": "Mörkt vid skolan"},
        )
        concern = Concern.objects.get(summary="Mörkt vid skolan")
        second = Submission.objects.create(
            municipality=submission.municipality, theme="lighting", message="Också mörkt."
        )
        response = client.post(
            f"/samordnare/tyck-till/{second.pk}/",
            {"decision": "existing", "concern": concern.pk},
        )
        assert response.status_code == 302
        concern.refresh_from_db()
        assert concern.times_raised == 2

    def test_reject_and_no_second_decision(self, client_for, submission):
        client = client_for("polis")
        url = f"/samordnare/tyck-till/{submission.pk}/"
        assert client.post(url, {"decision": "reject"}).status_code == 302
        response = client.post(url, {"decision": "new", "summary": "x"})
        assert response.status_code == 400
        assert "redan granskat" in response.content.decode()

    def test_new_concern_needs_the_coordinators_words(self, client_for, submission):
        response = client_for("polis").post(
            f"/samordnare/tyck-till/{submission.pk}/", {"decision": "new", "summary": ""}
        )
        assert response.status_code == 400
        submission.refresh_from_db()
        assert submission.status == Submission.Status.PENDING


def test_only_tyck_till_concerns_grow_by_accepting_a_message(client_for, submission):
    focus_group = Concern.objects.get(summary="Polisen syns sällan i Åsele")
    response = client_for("polis").post(
        f"/samordnare/tyck-till/{submission.pk}/",
        {"decision": "existing", "concern": focus_group.pk},
    )
    assert response.status_code == 400
    focus_group.refresh_from_db()
    assert focus_group.times_raised == 9


def test_two_tyck_till_dialogues_in_a_year_do_not_break_moderation(
    client_for, submission, demo_pledge
):
    for _ in range(2):
        Dialogue.objects.create(
            municipality=demo_pledge.municipality,
            title="Tyck till",
            format=Dialogue.Format.SUBMISSIONS,
            starts_on=date(2026, 1, 1),
        )
    response = client_for("polis").post(
        f"/samordnare/tyck-till/{submission.pk}/", {"decision": "new", "summary": "Mörker"}
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.concern.place == ""


class TestSituationalPicture:
    """The situational-picture form: written from the coordinator's own dialogues."""

    URL = "/samordnare/lagesbild/ny/"

    @staticmethod
    def data(world, **changes):
        return {
            "municipality": world.municipality.pk,
            "title": "Lägesbild 2027",
            "period_start": "2027-01-01",
            "period_end": "2027-12-31",
            "summary": "Buskörning i centrum oroar.",
            "dialogues": [world.dialogue.pk],
            "uses_police_intelligence": "on",
            "uses_surveys": "on",
            "other_sources": "Skolans trygghetsenkät",
            "is_published": "on",
            **changes,
        }

    @staticmethod
    def demo_dialogue():
        """A dialogue of another municipality: the demo's, in Åsele."""
        return Dialogue.objects.filter(municipality__code="2463").first()

    def test_a_coordinator_writes_one_from_their_dialogues(self, client, world):
        client.force_login(world.kommunsamordnare)
        form = client.get(self.URL).content.decode()
        assert world.dialogue.title in form
        assert self.demo_dialogue().title not in form
        response = client.post(self.URL, self.data(world))
        picture = SituationalPicture.objects.get(title="Lägesbild 2027")
        assert response.status_code == 302
        assert response["Location"] == f"/samordnare/lagesbild/{picture.pk}/"
        assert picture.municipality == world.municipality
        assert (picture.period_start, picture.period_end) == (date(2027, 1, 1), date(2027, 12, 31))
        assert list(picture.dialogues.all()) == [world.dialogue]
        sources = (picture.uses_police_intelligence, picture.uses_statistics, picture.uses_surveys)
        assert sources == (True, False, True)
        assert picture.other_sources == "Skolans trygghetsenkät"
        assert picture.is_published
        assert "Buskörning i centrum oroar." in client.get(response["Location"]).content.decode()

    def test_another_municipality_or_its_dialogues_are_refused(self, client, world):
        client.force_login(world.kommunsamordnare)
        other = self.demo_dialogue()
        for changes in ({"dialogues": [other.pk]}, {"municipality": other.municipality_id}):
            response = client.post(self.URL, self.data(world, **changes))
            assert response.status_code == 400
            assert "Välj ett giltigt alternativ" in response.content.decode()
        assert not SituationalPicture.objects.filter(title="Lägesbild 2027").exists()

    def test_an_edit_keeps_the_picture_in_its_municipality(self, client, world):
        client.force_login(world.kommunsamordnare)
        url = f"/samordnare/lagesbild/{world.picture.pk}/andra/"
        loaded_at = client.get(url).context["form"]["loaded_at"].value()
        data = self.data(
            world,
            municipality=self.demo_dialogue().municipality_id,
            title="Lägesbild 2026, reviderad",
            period_start="2026-01-01",
            period_end="2026-12-31",
            dialogues=[],
            loaded_at=loaded_at,
        )
        response = client.post(url, data)
        assert response.status_code == 302
        world.picture.refresh_from_db()
        assert world.picture.title == "Lägesbild 2026, reviderad"
        assert world.picture.municipality == world.municipality
        assert not world.picture.dialogues.exists()
