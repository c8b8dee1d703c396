"""Paste the signed text (issue 13, point 2): the promises a pasted text proposes are
reviewed, corrected and added to a draft all at once; nothing is saved before."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from places.models import Organisation, Site
from pledges.models import Commitment, Pledge
from pledges.paste_forms import NOT_RECOGNISED
from pledges.services import ProposalError, commitments_add_from_text
from tests.pledges.factories import CommitmentFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db

ASELE_2017 = (
    Path(__file__).resolve().parents[2] / "pledges" / "data" / "asele_2017_pledge.txt"
).read_text(encoding="utf-8")

TWO = (
    "Polisen lovar att i samverkan med NTF och räddningstjänsten genomföra minst 4 "
    "riktade trafikinsatser i Torget under året.\n\n"
    "Kommunen lovar att genomföra informationsinsatser om droger."
)


def url(pledge):
    # In English: the page's text is asserted as written in the source.
    return f"/en/samordnare/revidering/{pledge.pk}/klistra-in/"


def propose(client, pledge, text):
    return client.post(url(pledge), {"text": text, "propose": ""})


def posted(response, **changes):
    """What the review page posts back as shown, with ``changes`` ({(index, field): value},
    given as "<index>__<field>") applied; a value of None leaves the field out."""
    context = response.context
    data = {"text": context["hidden"]["text"].value(), "save": ""}
    data["form_token"] = str(context["hidden"]["form_token"].value())
    formset = context["formset"]
    for key, value in formset.management_form.initial.items():
        data[f"{formset.prefix}-{key}"] = value
    for form in formset.forms:
        for name in form.fields:
            value = form[name].value()
            if value in (None, False, "", []):
                continue
            data[form[name].html_name] = value if not isinstance(value, bool) else "on"
    for key, value in changes.items():
        index, name = key.split("__")
        html_name = f"{formset.prefix}-{index}-{name}"
        if value is None:
            data.pop(html_name, None)
        else:
            data[html_name] = value
    return data


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.admin)
    return client


class TestReview:
    def test_the_asele_2017_text_gives_its_promises_with_their_targets(self, admin_client, world):
        response = propose(admin_client, world.draft, ASELE_2017)
        assert response.status_code == 200
        forms = response.context["formset"].forms
        assert len(forms) == 4
        first, second, third, fourth = (f.initial for f in forms)
        assert first["text"].startswith("Polisen lovar att genomföra minst 4 riktade")
        assert (first["responsible"], first["activity_type"]) == ("police", "traffic_operation")
        assert (first["target_kind"], first["target_value"], first["target_period"]) == (
            "count",
            4,
            "year",
        )
        assert set(first["focus_tags"]) == {"buskörning", "hastighet", "rattonykterhet"}
        assert (second["target_kind"], second["target_value"]) == ("qualitative", None)
        assert (third["target_kind"], third["target_value"], third["target_period"]) == (
            "per_site",
            2,
            "year",
        )
        assert third["school_year_only"] is True
        assert fourth["responsible"] == "joint"
        page = response.content.decode()
        # The phrases are marked, and what they were read as is said in text.
        assert '<mark class="recognised">minst 4</mark> <span class="read-as">[' in page
        assert (
            '<mark class="recognised">under året</mark> <span class="read-as">[target period]'
            in page
        )
        # Nothing is saved by proposing.
        assert not world.draft.commitments.exists()

    def test_a_field_the_parser_left_empty_says_so(self, admin_client, world):
        response = propose(admin_client, world.draft, "Vi lovar att synas mer i byarna.")
        assert response.status_code == 200
        (form,) = response.context["formset"].forms
        assert form.initial["responsible"] == ""
        assert "responsible" in form.unrecognised
        assert str(NOT_RECOGNISED) in response.content.decode()

    def test_names_are_matched_to_registered_rows_or_offered_as_new(self, admin_client, world):
        ntf = Organisation.objects.create(
            name="NTF", kind=Organisation.Kind.EXTERNAL, municipality=world.municipality
        )
        Site.objects.create(municipality=world.municipality, name="Torget")
        response = propose(admin_client, world.draft, TWO)
        first = response.context["formset"].forms[0].initial
        assert first["external_parties"] == [ntf.pk]
        assert first["new_external_parties"] == "räddningstjänsten"
        assert first["site"] == Site.objects.get(name="Torget").pk

    def test_an_empty_text_is_refused_at_the_field(self, admin_client, world):
        response = admin_client.post(url(world.draft), {"text": "  ", "propose": ""})
        assert response.status_code == 400
        assert response.context["form"].errors["text"] == ["Paste the text of the pledge."]

    def test_a_text_without_promises_is_refused_and_kept(self, admin_client, world):
        response = propose(admin_client, world.draft, "Bakgrund utan löften.")
        assert response.status_code == 400
        assert "No promise was recognised" in response.context["form"].errors["text"][0]
        assert "Bakgrund utan löften." in response.content.decode()

    def test_back_shows_the_text_again(self, admin_client, world):
        review = propose(admin_client, world.draft, TWO)
        data = posted(review)
        del data["save"]
        data["back"] = ""
        response = admin_client.post(url(world.draft), data)
        assert response.status_code == 200
        assert response.templates[0].name == "pledges/paste/paste_text.html"
        assert "räddningstjänsten" in response.content.decode()


class TestBadInput:
    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("external_parties", "abc"),
            ("external_parties", "999999"),
            ("site", "x"),
            ("activity_type", "no_such_type"),
            ("focus_tags", "not-offered"),
            ("responsible", "mayor"),
            ("target_value", "1e9"),
            ("text", ""),
        ],
    )
    def test_a_bad_value_is_said_at_its_field(self, admin_client, world, field, value):
        review = propose(admin_client, world.draft, TWO)
        response = admin_client.post(url(world.draft), posted(review, **{f"0__{field}": value}))
        assert response.status_code == 400
        assert field in response.context["formset"].forms[0].errors
        assert not world.draft.commitments.exists()

    def test_a_tampered_number_of_forms_is_refused(self, admin_client, world):
        review = propose(admin_client, world.draft, TWO)
        data = posted(review)
        data["proposal-TOTAL_FORMS"] = "5"
        response = admin_client.post(url(world.draft), data)
        assert response.status_code == 400
        assert not world.draft.commitments.exists()

    def test_a_missing_management_form_is_refused(self, admin_client, world):
        review = propose(admin_client, world.draft, TWO)
        data = {k: v for k, v in posted(review).items() if "FORMS" not in k}
        response = admin_client.post(url(world.draft), data)
        assert response.status_code == 400
        assert not world.draft.commitments.exists()

    def test_a_too_long_text_is_refused_at_the_field(self, admin_client, world):
        response = propose(admin_client, world.draft, "Polisen lovar. " * 10_000)
        assert response.status_code == 400
        assert "text" in response.context["form"].errors


class TestSave:
    def test_corrected_promises_are_added_after_the_existing_ones(self, admin_client, world):
        CommitmentFactory(pledge=world.draft, position=3)
        review = propose(admin_client, world.draft, TWO)
        # Corrected: the target was 5, not 4; the second one counts 2 a term.
        data = posted(
            review,
            **{"0__target_value": "5", "1__target_kind": "count", "1__target_value": "2"},
            **{"1__target_period": "term"},
        )
        response = admin_client.post(url(world.draft), data)
        assert response.status_code == 302
        # Back to the guided revision's new promises, which list them.
        assert response["Location"].endswith(f"/samordnare/revidering/{world.draft.pk}/nya-loften/")
        first, second = world.draft.commitments.filter(position__gt=3).order_by("position")
        assert (first.position, second.position) == (4, 5)
        assert first.text == TWO.split("\n\n")[0].replace("\n", " ")
        assert (first.target_kind, first.target_value, first.target_period) == ("count", 5, "year")
        assert first.change == Commitment.Change.NEW
        assert first.responsible == "police"
        assert sorted(o.name for o in first.external_parties.all()) == ["NTF", "räddningstjänsten"]
        assert [s.name for s in first.target_sites.all()] == ["Torget"]
        assert Site.objects.filter(municipality=world.municipality, name="Torget").count() == 1
        assert (second.target_kind, second.target_value, second.target_period) == (
            "count",
            2,
            "term",
        )
        assert [t.name for t in second.focus_tags.all()] == ["droger"]

    def test_an_excluded_proposal_is_not_saved(self, admin_client, world):
        review = propose(admin_client, world.draft, TWO)
        response = admin_client.post(url(world.draft), posted(review, **{"1__include": None}))
        assert response.status_code == 302
        assert world.draft.commitments.count() == 1
        assert world.draft.commitments.get().responsible == "police"

    def test_nothing_included_is_refused(self, admin_client, world):
        review = propose(admin_client, world.draft, TWO)
        data = posted(review, **{"0__include": None, "1__include": None})
        response = admin_client.post(url(world.draft), data)
        assert response.status_code == 400
        assert "Include at least one promise" in response.content.decode()
        assert not world.draft.commitments.exists()

    def test_an_invalid_field_is_said_at_that_proposal_and_nothing_saved(self, admin_client, world):
        review = propose(admin_client, world.draft, TWO)
        data = posted(review, **{"0__text": "Rättad text.", "1__target_value": "3"})
        response = admin_client.post(url(world.draft), data)
        assert response.status_code == 400
        first, second = response.context["formset"].forms
        assert first.errors == {}
        assert "qualitative promise has no number" in second.errors["target_value"][0]
        page = response.content.decode()
        # In the summary, linked to the field, and the corrected input kept.
        assert 'href="#id_proposal-1-target_value"' in page
        assert "Rättad text." in page
        assert not world.draft.commitments.exists()

    def test_a_refusal_of_the_model_saves_none(self, admin_client, world):
        review = propose(admin_client, world.draft, TWO)
        # School visits measure participants, not vehicles: only the model knows.
        data = posted(
            review,
            **{"1__activity_type": "school_visit", "1__target_kind": "quantity"},
            **{"1__target_value": "10", "1__quantity": "vehicles_checked"},
            **{"1__target_period": "year"},
        )
        response = admin_client.post(url(world.draft), data)
        assert response.status_code == 400
        assert "do not measure" in response.context["formset"].forms[1].errors["quantity"][0]
        assert not world.draft.commitments.exists()
        assert not Organisation.objects.filter(name="räddningstjänsten").exists()

    def test_the_service_stops_at_the_refused_proposal(self, world):
        good = {
            "include": True,
            "text": "Polisen lovar.",
            "responsible": "police",
            "activity_type": "traffic_operation",
            "target_kind": "count",
            "target_value": 4,
            "target_period": "year",
        }
        bad = {**good, "activity_type": "no_such_type"}
        with pytest.raises(ProposalError) as caught:
            commitments_add_from_text(
                pledge=world.draft, proposals_cleaned=[good, bad], user=world.admin
            )
        assert caught.value.index == 1
        assert "activity_type" in caught.value.message_dict
        assert not world.draft.commitments.exists()

    def test_posted_twice_adds_once(self, admin_client, world):
        review = propose(admin_client, world.draft, TWO)
        data = posted(review)
        first = admin_client.post(url(world.draft), data)
        second = admin_client.post(url(world.draft), data)
        assert second.status_code == 302
        assert second["Location"] == first["Location"]
        assert world.draft.commitments.count() == 2

    def test_a_first_pledge_and_a_revision_both_take_promises(self, admin_client, world):
        assert world.draft.revises_id is None
        review = propose(admin_client, world.draft, TWO)
        assert admin_client.post(url(world.draft), posted(review)).status_code == 302
        assert world.draft.commitments.count() == 2


class TestPermissions:
    def test_matrix(self, client, world):
        other = build_world("Annanstad")
        superuser = get_user_model().objects.create_superuser("root", password="pw")
        address = url(world.draft)
        assert client.get(address).status_code == 302  # anonymous: to the login page
        for user, status in (
            (world.polis, 403),
            (world.kommunsamordnare, 403),
            (other.admin, 404),
            (world.admin, 200),
            (superuser, 200),
        ):
            client.force_login(user)
            assert client.get(address).status_code == status, user
            assert propose(client, world.draft, TWO).status_code == status, user
        assert not world.draft.commitments.exists()

    def test_a_published_pledge_is_404(self, admin_client, world):
        assert world.pledge.status == Pledge.State.PUBLISHED
        assert admin_client.get(url(world.pledge)).status_code == 404
        assert propose(admin_client, world.pledge, TWO).status_code == 404

    def test_an_unknown_pledge_is_404(self, admin_client, world):
        assert admin_client.get("/en/samordnare/revidering/999999/klistra-in/").status_code == 404


class TestQueries:
    def test_the_review_page_does_not_grow_with_the_promises(
        self, admin_client, world, django_assert_num_queries
    ):
        # The request's savepoint, the user, the draft, memberships; activity types,
        # quantities, focus tags, external parties and places, one each whatever the
        # number of promises; the release, then the session's renewal (savepoint, update,
        # release).
        propose(admin_client, world.draft, TWO)
        with django_assert_num_queries(13):
            response = propose(admin_client, world.draft, TWO)
        assert len(response.context["formset"].forms) == 2
        with django_assert_num_queries(13):
            response = propose(admin_client, world.draft, ASELE_2017)
        assert len(response.context["formset"].forms) == 4

    def test_the_text_step(self, admin_client, world, django_assert_num_queries):
        admin_client.get(url(world.draft))
        # The request's savepoint, the user, the draft, memberships, the release, then the
        # session's renewal (savepoint, update, release).
        with django_assert_num_queries(8):
            assert admin_client.get(url(world.draft)).status_code == 200
