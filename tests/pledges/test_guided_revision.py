"""The guided revision (pledges.revision_views): a task list that builds a pledge's
successor, or a municipality's first pledge, step by step; each step saved as it goes and
refused at its own fields; publishing only through a confirmation."""

import re
from datetime import date

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.models import Membership
from accounts.services import membership_grant
from places.models import Organisation
from pledges.models import Commitment, DroppedCommitment, Pledge
from pledges.progress import successor_period
from pledges.services import pledge_revise, promise_step
from tests.pledges.factories import (
    ActivityFactory,
    CommitmentFactory,
    MunicipalityFactory,
    PledgeFactory,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 27)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY):
        yield


@pytest.fixture
def live(demo_pledge):
    """Åsele's published pledge of 2026 (the demo's live pledge, revising 2018)."""
    return Pledge.objects.get(municipality=demo_pledge.municipality, valid_from=date(2026, 1, 1))


@pytest.fixture
def draft(live):
    return pledge_revise(pledge=live, valid_from=date(2027, 1, 1), valid_to=date(2027, 12, 31))


def url(name, draft, **kwargs):
    return reverse(f"pledges:{name}", kwargs={"pk": draft.pk, **kwargs})


def promise_url(draft, previous):
    return url("revision_promise", draft, previous=previous.pk)


PROMISE_FIELDS = {
    "promise-text": "Polisen lovar att genomföra minst 6 trafikinsatser.",
    "promise-responsible": "police",
    "promise-activity_type": "traffic_operation",
    "promise-target_kind": "count",
    "promise-target_value": "6",
    "promise-target_period": "year",
}


def revise_data(note="Fler insatser: 6 i stället för 4."):
    return {"decision": "revise", "change_note": note, **PROMISE_FIELDS}


class TestDefaultPeriod:
    @pytest.mark.parametrize(
        ("start", "end", "expected"),
        [
            # In force today: the period right after it.
            (date(2026, 1, 1), date(2026, 12, 31), (date(2027, 1, 1), date(2027, 12, 31))),
            # Ended long ago: the period of its length that holds today, not 2019.
            (date(2018, 1, 1), date(2018, 12, 31), (date(2026, 1, 1), date(2026, 12, 31))),
            # Three years, ended: counted on in threes from its end.
            (date(2019, 1, 1), date(2021, 12, 31), (date(2025, 1, 1), date(2027, 12, 31))),
            (date(2025, 1, 1), date(2027, 12, 31), (date(2028, 1, 1), date(2030, 12, 31))),
            # Until further notice: from today, until further notice.
            (date(2020, 1, 1), None, (TODAY, None)),
        ],
    )
    def test_counted_from_today(self, start, end, expected):
        assert successor_period(start, end, TODAY) == expected

    def test_revise_makes_the_next_period_of_a_pledge_in_force(self, client_for, live):
        response = client_for("admin").post(reverse("pledges:revision_start", args=[live.pk]))
        draft = Pledge.objects.get(revises=live)
        assert response.url == url("revision", draft)
        assert (draft.valid_from, draft.valid_to) == (date(2027, 1, 1), date(2027, 12, 31))
        assert draft.commitments.count() == live.commitments.count()

    def test_a_pledge_ended_long_ago_is_followed_by_this_years(self, client):
        old = PledgeFactory(valid_from=date(2018, 1, 1), valid_to=date(2018, 12, 31))
        CommitmentFactory(pledge=old)
        client.force_login(get_user_model().objects.get(username="admin"))
        client.post(reverse("pledges:revision_start", args=[old.pk]))
        draft = Pledge.objects.get(revises=old)
        assert (draft.valid_from, draft.valid_to) == (date(2026, 1, 1), date(2026, 12, 31))

    def test_revise_again_reopens_the_draft(self, client_for, live, draft):
        client = client_for("admin")
        response = client.post(reverse("pledges:revision_start", args=[live.pk]))
        assert response.url == url("revision", draft)
        assert Pledge.objects.filter(revises=live).count() == 1
        page = client.get(reverse("pledges:revision_start", args=[live.pk])).content.decode()
        assert "Fortsätt revideringen" in page or "Continue the revision" in page


class TestSteps:
    def test_period_saved_and_marked_completed(self, client_for, draft):
        client = client_for("admin")
        response = client.post(
            url("revision_period", draft),
            {
                "title": "Medborgarlöfte 2027–2028",
                "valid_from": "2027-01-01",
                "valid_to": "2028-12-31",
            },
        )
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.title == "Medborgarlöfte 2027–2028"
        assert draft.valid_to == date(2028, 12, 31)
        assert "period" in draft.revision_steps
        # On to the first promise not decided yet.
        first = draft.revises.commitments.order_by("position").first()
        assert response.url == promise_url(draft, first)

    def test_period_refused_at_the_field_and_kept(self, client_for, draft):
        response = client_for("admin").post(
            url("revision_period", draft),
            {"title": "Nytt", "valid_from": "2025-06-01", "valid_to": "2025-12-31"},
        )
        assert response.status_code == 400
        page = response.content.decode()
        assert 'id="id_valid_from" aria-invalid="true"' in page or (
            'aria-invalid="true"' in page and 'href="#id_valid_from"' in page
        )
        assert 'value="Nytt"' in page
        draft.refresh_from_db()
        assert draft.valid_from == date(2027, 1, 1)
        assert "period" not in draft.revision_steps

    def test_overlap_with_another_published_pledge_refused_at_the_period(self, client, world):
        world.draft.delete()
        PledgeFactory(
            municipality=world.municipality,
            valid_from=date(2028, 1, 1),
            valid_to=date(2028, 12, 31),
        )
        draft = pledge_revise(
            pledge=world.pledge, valid_from=date(2027, 1, 1), valid_to=date(2027, 12, 31)
        )
        client.force_login(world.admin)
        response = client.post(
            url("revision_period", draft),
            {"title": "Längre", "valid_from": "2027-01-01", "valid_to": "2028-06-30"},
        )
        assert response.status_code == 400
        assert 'href="#id_valid_from"' in response.content.decode()
        draft.refresh_from_db()
        assert draft.valid_to == date(2027, 12, 31)

    def test_revise_without_a_note_is_refused_at_the_step(self, client_for, draft):
        previous = draft.revises.commitments.order_by("position").first()
        response = client_for("admin").post(promise_url(draft, previous), revise_data(note=""))
        assert response.status_code == 400
        page = response.content.decode()
        assert 'href="#id_change_note"' in page
        # What was typed is kept.
        assert "minst 6 trafikinsatser" in page
        carried = draft.commitments.get(previous=previous)
        assert carried.change == Commitment.Change.CONTINUED
        assert carried.text == previous.text
        draft.refresh_from_db()
        assert promise_step(previous) not in draft.revision_steps

    def test_revise_saves_the_new_promise_and_what_changed(self, client_for, draft):
        previous = draft.revises.commitments.order_by("position").first()
        response = client_for("admin").post(promise_url(draft, previous), revise_data())
        assert response.status_code == 302
        carried = draft.commitments.get(previous=previous)
        assert carried.change == Commitment.Change.REVISED
        assert carried.change_note == "Fler insatser: 6 i stället för 4."
        assert carried.target_value == 6
        draft.refresh_from_db()
        assert promise_step(previous) in draft.revision_steps

    def test_a_bad_promise_is_refused_at_its_field(self, client_for, draft):
        previous = draft.revises.commitments.order_by("position").first()
        data = {**revise_data(), "promise-target_value": ""}
        response = client_for("admin").post(promise_url(draft, previous), data)
        assert response.status_code == 400
        assert draft.commitments.get(previous=previous).change == Commitment.Change.CONTINUED

    def test_drop_needs_a_reason_then_continue_brings_it_back(self, client_for, draft):
        client = client_for("admin")
        previous = draft.revises.commitments.order_by("position").last()
        response = client.post(promise_url(draft, previous), {"decision": "drop", "reason": ""})
        assert response.status_code == 400
        assert 'href="#id_reason"' in response.content.decode()
        assert draft.commitments.filter(previous=previous).exists()

        client.post(promise_url(draft, previous), {"decision": "drop", "reason": "Klart."})
        assert not draft.commitments.filter(previous=previous).exists()
        assert DroppedCommitment.objects.get(pledge=draft, commitment=previous).reason == "Klart."
        page = client.get(promise_url(draft, previous)).content.decode()
        assert re.search(r'value="drop"[^>]*checked', page)

        client.post(promise_url(draft, previous), {"decision": "continue"})
        assert not DroppedCommitment.objects.filter(pledge=draft).exists()
        carried = draft.commitments.get(previous=previous)
        assert carried.promise(["text", "target_value"]) == previous.promise(
            ["text", "target_value"]
        )
        assert carried.change == Commitment.Change.CONTINUED

    def test_new_promise_added_changed_and_removed(self, client_for, draft):
        client = client_for("admin")
        response = client.post(url("revision_new", draft), PROMISE_FIELDS)
        assert response.status_code == 302
        new = draft.commitments.get(change=Commitment.Change.NEW)
        assert new.position == 1 + max(
            draft.commitments.exclude(pk=new.pk).values_list("position", flat=True)
        )
        edit = url("revision_new_edit", draft, commitment=new.pk)
        client.post(edit, {**PROMISE_FIELDS, "promise-text": "Kommunen lovar något."})
        new.refresh_from_db()
        assert new.text == "Kommunen lovar något."
        client.post(url("revision_new_remove", draft, commitment=new.pk))
        assert not draft.commitments.filter(change=Commitment.Change.NEW).exists()

    def test_a_carried_promise_is_not_edited_as_a_new_one(self, client_for, draft):
        carried = draft.commitments.first()
        edit = url("revision_new_edit", draft, commitment=carried.pk)
        assert client_for("admin").get(edit).status_code == 404

    def test_new_promises_link_to_the_paste_step(self, client_for, draft):
        page = client_for("admin").get(url("revision_new", draft)).content.decode()
        paste = reverse("pledges:revision_paste", kwargs={"pk": draft.pk})
        assert f'href="{paste}"' in page

    def test_signing_saved(self, client_for, draft):
        response = client_for("admin").post(
            url("revision_signing", draft),
            {
                "signatories": "Anna Andersson, kommunstyrelsens ordförande",
                "signed_on": "2026-12-15",
            },
        )
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.signed_on == date(2026, 12, 15)
        assert "signing" in draft.revision_steps

    def test_signing_refused_at_the_field(self, client_for, draft):
        response = client_for("admin").post(
            url("revision_signing", draft), {"signatories": "Anna", "signed_on": "15/12/2026"}
        )
        assert response.status_code == 400
        assert 'href="#id_signed_on"' in response.content.decode()


class TestTaskList:
    def test_promises_are_shown_by_their_text_with_a_status(self, client_for, draft):
        client = client_for("admin")
        previous = list(draft.revises.commitments.order_by("position"))
        client.post(promise_url(draft, previous[0]), {"decision": "continue"})
        page = client.get(url("revision", draft)).content.decode()
        for commitment in previous:
            link = re.search(
                rf'<a href="{re.escape(promise_url(draft, commitment))}"[^>]*>([^<]*)</a>', page
            )
            # The name of the task is the promise's words, never its number or id.
            assert link.group(1) == commitment.headline
        statuses = re.findall(r'class="tag tag-([a-z-]+)"', page)
        assert statuses[1] == "completed"
        assert statuses[2] == "not-started"
        # Publishing cannot start before every step is completed.
        assert statuses[-1] == "cannot-start"
        assert url("revision_review", draft) not in page


def go_through(client, draft, *, drop_reason="Insatsen är genomförd.", note="Sex i stället."):
    """Every step of a revision: the first promise revised, the last dropped, the others
    continued, one new promise, the signatories."""
    client.post(
        url("revision_period", draft),
        {"title": "Medborgarlöfte 2027", "valid_from": "2027-01-01", "valid_to": "2027-12-31"},
    )
    previous = list(draft.revises.commitments.order_by("position")) if draft.revises_id else []
    for index, commitment in enumerate(previous):
        if index == 0:
            data = revise_data(note=note)
        elif index == len(previous) - 1:
            data = {"decision": "drop", "reason": drop_reason}
        else:
            data = {"decision": "continue"}
        assert client.post(promise_url(draft, commitment), data).status_code == 302
    new = {**PROMISE_FIELDS, "promise-text": "Kommunen lovar att ordna två trygghetsvandringar."}
    assert client.post(url("revision_new", draft), new).status_code == 302
    assert client.post(url("revision_new", draft), {"done": "1"}).status_code == 302
    signing = {"signatories": "Anna Andersson\nBo Berg", "signed_on": "2026-12-15"}
    assert client.post(url("revision_signing", draft), signing).status_code == 302


class TestPublish:
    def test_publish_refused_with_a_pointer_while_steps_remain(self, client_for, draft):
        client = client_for("admin")
        previous = draft.revises.commitments.order_by("position").first()
        response = client.post(url("revision_publish", draft), {"confirm": "1"})
        assert response.status_code == 400
        page = response.content.decode()
        assert f'href="{promise_url(draft, previous)}"' in page
        draft.refresh_from_db()
        assert draft.status == Pledge.State.DRAFT

    def test_incomplete_lineage_refused_with_a_pointer(self, client_for, draft):
        client = client_for("admin")
        go_through(client, draft)
        # A promise vanished without being dropped (the admin deleted it elsewhere).
        draft.commitments.filter(change=Commitment.Change.CONTINUED).first().delete()
        response = client.post(url("revision_publish", draft), {"confirm": "1"})
        assert response.status_code == 400
        page = response.content.decode()
        assert "neither carried on nor dropped" in page or "varken förs vidare" in page
        assert f'href="{url("revision", draft)}"' in page
        draft.refresh_from_db()
        assert draft.status == Pledge.State.DRAFT

    def test_overlap_at_publishing_points_to_the_period(self, client, world):
        world.draft.delete()
        draft = pledge_revise(
            pledge=world.pledge, valid_from=date(2027, 1, 1), valid_to=date(2027, 12, 31)
        )
        client.force_login(world.admin)
        go_through(client, draft)
        # Published meanwhile by someone else: a pledge in the same period.
        PledgeFactory(
            municipality=world.municipality,
            valid_from=date(2027, 6, 1),
            valid_to=date(2027, 12, 31),
        )
        response = client.post(url("revision_publish", draft), {"confirm": "1"})
        assert response.status_code == 400
        assert f'href="{url("revision_period", draft)}"' in response.content.decode()

    def test_confirmation_says_what_becomes_public(self, client_for, draft):
        client = client_for("admin")
        go_through(client, draft)
        # "Publish" on the summary only shows the confirmation.
        response = client.post(url("revision_publish", draft))
        assert response.status_code == 200
        draft.refresh_from_db()
        assert draft.status == Pledge.State.DRAFT
        page = response.content.decode()
        assert 'name="confirm"' in page
        assert "/kommun/asele/2027/" in page
        assert draft.revises.title in page
        assert "Insatsen är genomförd." in page
        assert "Sex i stället." in page

    def test_publish_supersedes_and_the_public_page_shows_what_changed(
        self, client_for, client, live, draft
    ):
        admin = client_for("admin")
        go_through(admin, draft)
        response = admin.post(url("revision_publish", draft), {"confirm": "1"})
        assert response.status_code == 302
        assert response.url == "/kommun/asele/2027/"
        draft.refresh_from_db()
        live.refresh_from_db()
        assert draft.status == Pledge.State.PUBLISHED
        assert live.status == Pledge.State.SUPERSEDED
        admin.logout()
        page = client.get("/kommun/asele/2027/").content.decode()
        assert "Vad har ändrats?" in page
        for kind in ("Nytt", "Fortsätter", "Reviderat", "Slopat"):
            assert kind in page
        assert "Sex i stället." in page
        assert "Insatsen är genomförd." in page
        assert "trygghetsvandringar" in page


class TestFirstPledge:
    @pytest.fixture
    def newcomer(self):
        municipality = MunicipalityFactory(name="Nykommun")
        kommun = Organisation.objects.create(
            name="Nykommuns kommun", kind=Organisation.Kind.MUNICIPALITY, municipality=municipality
        )
        user = get_user_model().objects.create_user("ny-admin", password="pw")
        membership_grant(
            user=user, municipality=municipality, organisation=kommun, role=Membership.Role.ADMIN
        )
        return user, municipality

    def test_first_pledge_through_the_same_steps(self, client, newcomer):
        user, municipality = newcomer
        client.force_login(user)
        page = client.get(reverse("pledges:revision_first")).content.decode()
        assert "Nykommun" in page
        response = client.post(reverse("pledges:revision_first"), {"municipality": municipality.pk})
        draft = Pledge.objects.get(municipality=municipality)
        assert response.url == url("revision", draft)
        assert draft.revises is None
        assert not draft.commitments.exists()
        page = client.get(url("revision", draft)).content.decode()
        assert url("revision_new", draft) in page
        assert "lofte/" not in page
        # Begun, it is listed to be continued.
        page = client.get(reverse("pledges:revision_first")).content.decode()
        assert f'href="{url("revision", draft)}"' in page
        go_through(client, draft)
        response = client.post(url("revision_publish", draft), {"confirm": "1"})
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.status == Pledge.State.PUBLISHED
        assert draft.commitments.get().change == Commitment.Change.NEW
        # Once it has one, there is no first pledge to start.
        response = client.post(reverse("pledges:revision_first"), {"municipality": municipality.pk})
        assert response.status_code == 400

    def test_an_empty_pledge_cannot_be_marked_done(self, client, newcomer):
        user, municipality = newcomer
        client.force_login(user)
        client.post(reverse("pledges:revision_first"), {"municipality": municipality.pk})
        draft = Pledge.objects.get(municipality=municipality)
        client.post(url("revision_new", draft), {"done": "1"})
        draft.refresh_from_db()
        assert "new" not in draft.revision_steps


def step_urls(draft):
    previous = draft.revises.commitments.order_by("position").first()
    new = CommitmentFactory(pledge=draft, position=99, change=Commitment.Change.NEW)
    return [
        url("revision", draft),
        url("revision_period", draft),
        promise_url(draft, previous),
        url("revision_new", draft),
        url("revision_new_edit", draft, commitment=new.pk),
        url("revision_signing", draft),
        url("revision_review", draft),
        url("revision_publish", draft),
        reverse("pledges:revision_start", args=[draft.revises_id]),
    ]


class TestPermissions:
    @pytest.mark.parametrize(
        ("who", "expected"),
        [("anonymous", 302), ("polis", 403), ("kommun", 403), ("other", 404), ("admin", 200)],
    )
    def test_matrix(self, client, draft, world, who, expected):
        if who == "other":
            client.force_login(world.admin)
        elif who != "anonymous":
            client.force_login(get_user_model().objects.get(username=who))
        for address in step_urls(draft):
            response = client.get(address)
            assert response.status_code == expected, address
            if who == "anonymous":
                assert "/konto/logga-in/" in response.url

    def test_administrator_member_without_superuser(self, client, draft):
        user = get_user_model().objects.create_user("asele-admin", password="pw")
        membership_grant(
            user=user,
            municipality=draft.municipality,
            organisation=Organisation.objects.filter(municipality=draft.municipality).first(),
            role=Membership.Role.ADMIN,
        )
        client.force_login(user)
        for address in step_urls(draft):
            assert client.get(address).status_code == 200, address

    def test_writes_refused_too(self, client, draft, world):
        previous = draft.revises.commitments.first()
        client.force_login(get_user_model().objects.get(username="polis"))
        assert (
            client.post(
                promise_url(draft, previous), {"decision": "drop", "reason": "x"}
            ).status_code
            == 403
        )
        assert client.post(url("revision_publish", draft), {"confirm": "1"}).status_code == 403
        client.force_login(world.admin)
        assert client.post(url("revision_publish", draft), {"confirm": "1"}).status_code == 404
        assert (
            client.post(reverse("pledges:revision_start", args=[draft.revises_id])).status_code
            == 404
        )
        draft.refresh_from_db()
        assert draft.status == Pledge.State.DRAFT
        assert not DroppedCommitment.objects.filter(pledge=draft).exists()

    def test_a_published_pledge_has_no_steps(self, client_for, live):
        assert client_for("admin").get(url("revision", live)).status_code == 404

    def test_first_pledge_page_for_administrators_only(self, client_for):
        assert client_for("polis").get(reverse("pledges:revision_first")).status_code == 403


class TestQueries:
    def grow(self, draft, n):
        for _ in range(n):
            ActivityFactory(commitment=draft.revises.commitments.first(), date=date(2026, 3, 1))
            CommitmentFactory(pledge=draft, position=100 + Commitment.objects.count(), change="new")

    def test_task_list(self, client_for, draft, django_assert_num_queries):
        client = client_for("admin")
        client.get(url("revision", draft))
        # In the request's transaction (savepoint, release): the user, the draft (with
        # municipality and predecessor), the predecessor's commitments, the dropped ones,
        # the draft's commitments. The session's save (savepoint, update, release).
        for n in (2, 10):
            self.grow(draft, n)
            with django_assert_num_queries(10):
                assert client.get(url("revision", draft)).status_code == 200

    def test_promise_step(self, client_for, draft, django_assert_num_queries):
        client = client_for("admin")
        previous = draft.revises.commitments.order_by("position").first()
        client.get(promise_url(draft, previous))
        # In the request's transaction (savepoint, release): the user, the draft, the
        # predecessor's commitments, the carried commitment and its parties, tags and
        # places, the dropped one. The form's choices: external parties, activity types,
        # focus tags, units, quantities, places. The session's save (3).
        for n in (2, 10):
            self.grow(draft, n)
            with django_assert_num_queries(19):
                assert client.get(promise_url(draft, previous)).status_code == 200


class TestEntries:
    def test_revise_carries_the_focus_areas_over(self, client_for, live):
        client_for("admin").post(reverse("pledges:revision_start", args=[live.pk]))
        draft = Pledge.objects.get(revises=live)
        carried = draft.commitments.select_related("previous")
        answered = [c for c in carried if c.previous.focus_areas.exists()]
        assert answered
        for commitment in answered:
            assert set(commitment.focus_areas.all()) == set(commitment.previous.focus_areas.all())

    def test_dashboard_offers_revise_to_administrators_only(self, client_for, live):
        start = reverse("pledges:revision_start", args=[live.pk])
        assert f'action="{start}"' in client_for("admin").get("/samordnare/").content.decode()
        assert start not in client_for("polis").get("/samordnare/").content.decode()

    def test_admin_change_page_links_to_the_guided_revision(self, client_for, live, draft):
        client = client_for("admin")
        page = client.get(reverse("admin:pledges_pledge_change", args=[live.pk])).content.decode()
        assert reverse("pledges:revision_start", args=[live.pk]) in page
        page = client.get(reverse("admin:pledges_pledge_change", args=[draft.pk])).content.decode()
        assert url("revision", draft) in page


class TestAllOrNothing:
    def test_a_refused_revision_keeps_the_drop_it_would_replace(self, draft):
        from django.core.exceptions import ValidationError

        from pledges.services import Decision, revision_decide

        previous = draft.revises.commitments.order_by("position").first()
        revision_decide(pledge=draft, previous=previous, decision=Decision.DROP, reason="Klart.")
        # A qualitative promise with a number: refused by the model, after the drop was
        # deleted and the carried promise made anew in the same transaction.
        bad = {**previous.promise(["text", "responsible", "activity_type"]), "target_value": 5}
        bad["target_kind"] = "qualitative"
        with pytest.raises(ValidationError):
            revision_decide(
                pledge=draft,
                previous=previous,
                decision=Decision.REVISE,
                values=bad,
                m2m={},
                change_note="Nytt mål.",
            )
        assert DroppedCommitment.objects.get(pledge=draft, commitment=previous).reason == "Klart."
        assert not draft.commitments.filter(previous=previous).exists()

    @pytest.mark.parametrize(
        "path",
        [
            "/samordnare/revidering/99999999999999999999/",
            "/samordnare/revidering/{draft}/lofte/99999999999999999999/",
            "/samordnare/revidering/{draft}/nya-loften/99999999999999999999/",
            "/samordnare/revidering/revidera/99999999999999999999/",
        ],
    )
    def test_absurd_ids_are_404(self, client_for, draft, path):
        assert client_for("admin").get(path.format(draft=draft.pk)).status_code == 404

    def test_absurd_dates_are_refused_at_the_field(self, client_for, draft):
        response = client_for("admin").post(
            url("revision_period", draft),
            {"title": "x", "valid_from": "0001-01-01", "valid_to": "99999-12-31"},
        )
        assert response.status_code == 400
        assert 'href="#id_valid_to"' in response.content.decode()


class TestStale:
    def test_a_period_saved_meanwhile_is_not_overwritten_unseen(self, client_for, draft):
        client = client_for("admin")
        page = client.get(url("revision_period", draft)).content.decode()
        loaded_at = re.search(r'name="loaded_at" value="([^"]+)"', page).group(1)
        # Someone else saves the period meanwhile (the clock ticks on).
        client.post(
            url("revision_period", draft),
            {"title": "Deras titel", "valid_from": "2027-01-01", "valid_to": "2027-12-31"},
        )
        mine = {
            "title": "Min titel",
            "valid_from": "2027-01-01",
            "valid_to": "2027-12-31",
            "loaded_at": loaded_at,
        }
        response = client.post(url("revision_period", draft), mine)
        assert response.status_code == 400
        page = response.content.decode()
        assert 'value="Min titel"' in page
        draft.refresh_from_db()
        assert draft.title == "Deras titel"
        # Sent again after a look, it saves.
        newer = re.search(r'name="loaded_at" value="([^"]+)"', page).group(1)
        assert newer != loaded_at
        client.post(url("revision_period", draft), {**mine, "loaded_at": newer})
        draft.refresh_from_db()
        assert draft.title == "Min titel"


class TestSentTwice:
    def test_a_new_promise_sent_twice_is_added_once(self, client_for, draft):
        client = client_for("admin")
        page = client.get(url("revision_new", draft)).content.decode()
        token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
        data = {**PROMISE_FIELDS, "form_token": token}
        first = client.post(url("revision_new", draft), data)
        second = client.post(url("revision_new", draft), data)
        assert first.status_code == second.status_code == 302
        assert second.url == first.url
        assert draft.commitments.filter(change=Commitment.Change.NEW).count() == 1

    def test_publish_sent_twice_lands_on_the_public_page(self, client_for, draft):
        client = client_for("admin")
        go_through(client, draft)
        first = client.post(url("revision_publish", draft), {"confirm": "1"})
        second = client.post(url("revision_publish", draft), {"confirm": "1"})
        assert first.status_code == second.status_code == 302
        assert second.url == first.url == "/kommun/asele/2027/"


def test_revise_when_the_next_period_is_taken_says_why(client, world):
    # The world's draft (not a revision) already starts on 1 January 2027.
    client.force_login(world.admin)
    response = client.post(reverse("pledges:revision_start", args=[world.pledge.pk]), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[0][0] == "/samordnare/"
    assert not Pledge.objects.filter(revises=world.pledge).exists()
    assert list(response.context["messages"])
