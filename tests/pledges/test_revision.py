"""Revision: a draft successor carries the commitments on, with lineage, and publishing
supersedes the predecessor; drafts stay invisible; targets change only by amendment."""

import re
import threading
from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection

from pledges.models import Amendment, Commitment, DroppedCommitment, Pledge
from pledges.progress import Status, next_period, target_in_force
from pledges.selectors import commitment_reports
from pledges.services import amendment_create, pledge_publish, pledge_revise
from tests.pledges.factories import ActivityFactory, CommitmentFactory, PledgeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(date(2026, 11, 27), tick=False):
        yield


def revised_2018(demo_pledge):
    return Pledge.objects.get(revises=demo_pledge)


def current_demo(demo_pledge):
    """The demo's pledge for the year of the session's today (2026), which revises 2018."""
    return Pledge.objects.get(revises=revised_2018(demo_pledge))


class TestRevise:
    def test_draft_carries_every_commitment_on(self):
        pledge = PledgeFactory()
        first = CommitmentFactory(pledge=pledge, per_site=True)
        CommitmentFactory(pledge=pledge, qualitative=True)
        draft = pledge_revise(
            pledge=pledge, valid_from=date(2018, 1, 1), valid_to=date(2018, 12, 31)
        )
        assert draft.status == Pledge.State.DRAFT
        assert draft.revises == pledge
        carried = list(draft.commitments.order_by("position"))
        assert [c.previous for c in carried] == list(pledge.commitments.order_by("position"))
        assert {c.change for c in carried} == {"continued"}
        assert carried[0].target_kind == first.target_kind
        assert carried[0].target_value == first.target_value

    def test_nothing_is_created_when_revision_fails(self):
        pledge = PledgeFactory()
        CommitmentFactory(pledge=pledge)
        before = (Pledge.objects.count(), Commitment.objects.count())
        with pytest.raises(ValidationError):
            pledge_revise(pledge=pledge, valid_from=date(2018, 6, 1), valid_to=date(2018, 1, 1))
        assert (Pledge.objects.count(), Commitment.objects.count()) == before

    def test_only_published_pledges_are_revised_once(self, demo_pledge):
        with pytest.raises(ValidationError):
            pledge_revise(
                pledge=demo_pledge, valid_from=date(2019, 1, 1), valid_to=date(2019, 12, 31)
            )

    @pytest.mark.parametrize(
        ("period", "successor"),
        [
            ((date(2017, 1, 1), date(2017, 12, 31)), (date(2018, 1, 1), date(2018, 12, 31))),
            ((date(2025, 1, 1), date(2027, 12, 31)), (date(2028, 1, 1), date(2030, 12, 31))),
            ((date(2024, 11, 1), date(2025, 3, 31)), (date(2025, 11, 1), date(2026, 3, 31))),
            ((date(2020, 2, 29), date(2021, 2, 28)), (date(2021, 3, 1), date(2022, 2, 28))),
        ],
    )
    def test_next_period(self, period, successor):
        assert next_period(*period) == successor


class TestPublish:
    def draft(self):
        pledge = PledgeFactory()
        CommitmentFactory(pledge=pledge, position=1)
        CommitmentFactory(pledge=pledge, position=2)
        return pledge, pledge_revise(
            pledge=pledge, valid_from=date(2018, 1, 1), valid_to=date(2018, 12, 31)
        )

    def test_publishing_supersedes_the_predecessor(self):
        pledge, draft = self.draft()
        pledge_publish(pledge=draft)
        pledge.refresh_from_db()
        assert pledge.status == Pledge.State.SUPERSEDED
        draft.refresh_from_db()
        assert draft.status == Pledge.State.PUBLISHED

    def test_a_dropped_commitment_needs_a_reason_record(self):
        pledge, draft = self.draft()
        draft.commitments.get(position=2).delete()
        with pytest.raises(ValidationError, match="varken förs vidare eller slopas"):
            pledge_publish(pledge=draft)
        DroppedCommitment.objects.create(
            pledge=draft, commitment=pledge.commitments.get(position=2), reason="Klart."
        )
        pledge_publish(pledge=draft)

    def test_a_revised_commitment_says_what_changed(self):
        pledge, draft = self.draft()
        draft.commitments.filter(position=1).update(change="revised", target_value=8)
        with pytest.raises(ValidationError, match="Ange vad som ändrats"):
            pledge_publish(pledge=draft)
        draft.refresh_from_db()
        assert draft.status == Pledge.State.DRAFT
        pledge.refresh_from_db()
        assert pledge.status == Pledge.State.PUBLISHED

    def test_overlap_with_another_published_pledge_is_refused(self):
        pledge, draft = self.draft()
        other = PledgeFactory(
            municipality=pledge.municipality,
            valid_from=date(2018, 6, 1),
            valid_to=date(2019, 5, 31),
        )
        with pytest.raises(ValidationError, match="redan ett publicerat medborgarlöfte"):
            pledge_publish(pledge=draft)
        assert other.status == Pledge.State.PUBLISHED


@pytest.mark.django_db(transaction=True)
def test_two_admins_publishing_overlapping_pledges_leave_one_published():
    """Two connections publish overlapping drafts at the same time: exactly one wins."""
    municipality = PledgeFactory(draft=True).municipality
    drafts = [
        PledgeFactory(
            municipality=municipality, draft=True, valid_from=start, valid_to=date(2019, 12, 31)
        )
        for start in (date(2018, 1, 1), date(2018, 6, 1))
    ]
    for draft in drafts:
        CommitmentFactory(pledge=draft)
    barrier = threading.Barrier(2)
    outcomes = []

    def publish(draft):
        try:
            barrier.wait()
            pledge_publish(pledge=draft)
            outcomes.append("published")
        except Exception as error:
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(d,)) for d in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes)[-1] == "published"
    assert outcomes.count("published") == 1
    published = Pledge.objects.filter(municipality=municipality, status="published")
    assert published.count() == 1


class TestAmendments:
    def test_target_in_force(self):
        amendments = [(date(2017, 6, 1), 6), (date(2017, 9, 1), 5)]
        assert target_in_force(4, amendments, date(2017, 5, 31)) == 4
        assert target_in_force(4, amendments, date(2017, 6, 1)) == 6
        assert target_in_force(4, amendments, date(2017, 12, 31)) == 5

    def test_progress_uses_the_target_in_force_and_the_log_is_public(self, client):
        pledge = PledgeFactory(valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))
        commitment = CommitmentFactory(pledge=pledge, target_value=4, unit="trafikinsatser")
        for day in (date(2026, 2, 1), date(2026, 5, 1), date(2026, 9, 1)):
            ActivityFactory(commitment=commitment, date=day)
        amendment = amendment_create(
            commitment=commitment,
            effective_from=date(2026, 11, 27),
            new_value=3,
            reason="Bemanningen halverades under hösten.",
            user=None,
        )
        assert (amendment.old_value, amendment.new_value) == (4, 3)
        (judged,) = commitment_reports(
            Commitment.objects.filter(pk=commitment.pk)
            .select_related("pledge")
            .prefetch_related("target_sites"),
            today=date(2026, 11, 27),
        )
        assert (judged.progress.done, judged.progress.target) == (3, 3)
        assert judged.progress.status == Status.FULFILLED
        html = client.get(f"/kommun/{pledge.municipality.slug}/2026/").content.decode()
        assert "Ändringar av målet" in html
        assert "Från 27 november 2026: 4 → 3" in html
        assert "Bemanningen halverades under hösten." in html
        assert "3 av 3 trafikinsatser" in html

    @pytest.mark.parametrize(
        ("position", "day", "field"),
        [
            (1, date(2017, 7, 1), "commitment"),  # a superseded pledge's history
            (2, date(2026, 12, 1), "commitment"),  # no numeric target
        ],
    )
    def test_amendments_never_rewrite_history(self, demo_pledge, position, day, field):
        commitment = Commitment.objects.get(pledge=demo_pledge, position=position)
        with pytest.raises(ValidationError) as error:
            amendment_create(
                commitment=commitment, effective_from=day, new_value=3, reason="x", user=None
            )
        assert field in error.value.message_dict
        assert not Amendment.objects.exists()

    @pytest.mark.parametrize(
        ("day", "value"),
        [(date(2026, 11, 1), 3), (date(2027, 1, 5), 3), (date(2026, 12, 1), 0)],
    )
    def test_amendment_refused_in_the_past_outside_or_zero(self, day, value):
        pledge = PledgeFactory(valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))
        commitment = CommitmentFactory(pledge=pledge)
        with pytest.raises(ValidationError):
            amendment_create(
                commitment=commitment, effective_from=day, new_value=value, reason="x", user=None
            )

    def test_admin_amendment_form_shows_errors_not_a_500(self, client_for, demo_pledge):
        qualitative = Commitment.objects.get(pledge=demo_pledge, position=2)
        response = client_for("admin").post(
            "/admin/pledges/amendment/add/",
            {
                "commitment": qualitative.pk,
                "effective_from": "2017-05-01",
                "new_value": "99999999999999",
                "reason": "x",
            },
        )
        assert response.status_code == 200
        assert not Amendment.objects.exists()


class TestPublicLineage:
    def test_what_has_changed_on_the_2018_page(self, client, demo_pledge):
        html = client.get("/kommun/asele/2018/").content.decode()
        assert "Vad har ändrats?" in html
        assert "Målet höjs från 4 till 6 trafikinsatser" in html
        assert "Fortsätter" in html
        assert "Nytt" in html
        assert "Slopat" in html
        assert "ordinarie kompetensutveckling" in html
        # How the dropped and the revised ones fared in 2017.
        lineage = html[
            html.index("Vad har ändrats?") : html.index("</table>", html.index("Vad har ändrats?"))
        ]
        assert "Delvis genomfört" in lineage
        assert "3 av 4 trafikinsatser – " in lineage

    def test_2017_page_says_superseded_with_a_link(self, client, demo_pledge):
        html = client.get("/kommun/asele/2017/").content.decode()
        assert "Ersatt" in html
        assert revised_2018(demo_pledge).get_absolute_url() in html

    def test_municipality_page_lists_every_pledge_with_its_verdicts(self, client, demo_pledge):
        html = client.get("/kommun/asele/").content.decode()
        # The demo's pledge for the current year is in force; 2017 and 2018 are history.
        assert "Aktuellt medborgarlöfte" in html
        current = html[: html.index("Tidigare medborgarlöften")]
        assert "Medborgarlöfte 2026 (demo)" in current
        earlier = html[html.index("Tidigare medborgarlöften") :]
        assert "Medborgarlöfte 2018" in earlier
        assert "83 %" in earlier
        assert "Medborgarlöfte 2017" in earlier
        assert "88 %" in earlier
        assert (
            "88 % i snitt för 2 löften med mål i antal: 1 genomfört, 1 delvis genomfört; "
            "2 löften utan mål i antal"
        ) in " ".join(re.sub(r"<[^>]+>", " ", earlier).split())


class TestDrafts:
    @pytest.fixture
    def draft(self, demo_pledge):
        successor = current_demo(demo_pledge)
        draft = pledge_revise(
            pledge=successor,
            valid_from=date(2027, 1, 1),
            valid_to=date(2027, 12, 31),
            title="Hemligt utkast 2027",
        )
        draft.commitments.filter(position=1).update(text="HEMLIG LÖFTESTEXT")
        return draft

    @pytest.mark.parametrize(
        "path",
        [
            "/",
            "/kommun/asele/",
            "/kommun/asele/2027/",
            "/kommun/asele/2026/",
            "/kommun/asele/2018/",
            "/en/",
        ],
    )
    def test_draft_is_invisible_on_every_public_page(self, client, draft, path):
        response = client.get(path)
        html = response.content.decode()
        assert "Hemligt utkast" not in html
        assert "HEMLIG" not in html

    def test_draft_is_invisible_on_dialogue_pages(self, client, draft):
        from dialogues.models import Dialogue

        for dialogue in Dialogue.objects.filter(is_published=True):
            html = client.get(f"/kommun/asele/dialoger/{dialogue.pk}/").content.decode()
            assert "HEMLIG" not in html

    def test_draft_is_invisible_to_coordinators(self, client_for, draft):
        client = client_for("polis")
        commitment = draft.commitments.get(position=1)
        url = f"/samordnare/aktiviteter/ny/?commitment={commitment.pk}"
        assert client.get(url).status_code == 404
        assert "HEMLIG" not in client.get("/samordnare/aktiviteter/ny/").content.decode()
        assert client.get(f"/samordnare/plan/{draft.pk}/").status_code == 404

    def test_preview_for_admins_only(self, client, client_for, draft):
        url = f"/forhandsgranska/{draft.pk}/"
        assert client.get(url).status_code == 302
        assert client_for("polis").get(url).status_code == 403
        response = client_for("admin").get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "HEMLIG LÖFTESTEXT" in html
        assert "Förhandsgranskning av ett utkast" in html
        assert response["X-Robots-Tag"] == "noindex"

    def test_published_commitments_cannot_be_edited_in_the_admin(self, client_for, demo_pledge):
        successor = revised_2018(demo_pledge)
        html = client_for("admin").get(f"/admin/pledges/pledge/{successor.pk}/change/")
        assert 'name="commitments-0-target_value"' not in html.content.decode()


def test_admin_revise_action_creates_the_next_draft(client_for, demo_pledge):
    successor = current_demo(demo_pledge)
    response = client_for("admin").post(
        "/admin/pledges/pledge/",
        {"action": "revise", "_selected_action": [successor.pk]},
        follow=True,
    )
    assert response.status_code == 200
    draft = Pledge.objects.get(revises=successor)
    assert (draft.valid_from, draft.valid_to, draft.status) == (
        date(2027, 1, 1),
        date(2027, 12, 31),
        Pledge.State.DRAFT,
    )
    assert draft.commitments.count() == successor.commitments.count()


def test_activity_counts_stay_with_their_pledge(demo_pledge):
    """A carried-on commitment starts from zero: activities belong to one pledge's
    commitment."""
    successor = revised_2018(demo_pledge)
    schools = successor.commitments.get(position=3)
    ActivityFactory(commitment=schools.previous, date=date(2017, 5, 1), site=None, status="planned")
    assert schools.activities.filter(date__year=2017).count() == 0


class TestPeriods:
    def test_open_ended_pledge_is_judged_year_by_year_until_replaced(self, client):
        pledge = PledgeFactory(valid_from=date(2025, 1, 1), valid_to=None, title="Tills vidare")
        commitment = CommitmentFactory(pledge=pledge, target_value=2, unit="insatser")
        ActivityFactory(commitment=commitment, date=date(2025, 3, 1))
        ActivityFactory(commitment=commitment, date=date(2026, 3, 1))
        ActivityFactory(commitment=commitment, date=date(2026, 9, 1))
        assert pledge.years(date(2026, 11, 27)) == [2025, 2026]
        assert pledge.is_current(date(2026, 11, 27))
        slug = pledge.municipality.slug
        # Judged as a whole: 2025 was missed (1 of 2), so the whole is behind plan even
        # though 2026's target is already reached; each year shows on both pages.
        for year in (2025, 2026):
            text = " ".join(
                re.sub(
                    r"<[^>]+>", " ", client.get(f"/kommun/{slug}/{year}/").content.decode()
                ).split()
            )
            assert "0 av 2 år med minst 2 insatser – Efter plan" in text
            assert "2025 (missad) 1 2 Delvis genomfört" in text
            assert "2026 2 2 Uppfyllt" in text
        assert "tills ett nytt medborgarlöfte skrivs under" in text
        assert client.get(f"/kommun/{slug}/").status_code == 200
        assert "2025–" in client.get("/").content.decode()

    def test_replacing_an_open_ended_pledge_ends_it(self):
        pledge = PledgeFactory(valid_from=date(2025, 1, 1), valid_to=None)
        CommitmentFactory(pledge=pledge)
        draft = pledge_revise(pledge=pledge, valid_from=date(2026, 7, 1), valid_to=None)
        pledge_publish(pledge=draft)
        pledge.refresh_from_db()
        assert (pledge.status, pledge.valid_to) == (Pledge.State.SUPERSEDED, date(2026, 6, 30))

    def test_an_open_ended_pledge_overlaps_everything_after_it(self):
        pledge = PledgeFactory(valid_from=date(2025, 1, 1), valid_to=None)
        other = PledgeFactory(
            municipality=pledge.municipality,
            draft=True,
            valid_from=date(2030, 1, 1),
            valid_to=date(2030, 12, 31),
        )
        CommitmentFactory(pledge=other)
        with pytest.raises(ValidationError, match="tills vidare"):
            pledge_publish(pledge=other)

    def test_seasonal_pledge_shows_in_both_years_judged_over_its_season(self, client):
        from pledges.progress import TargetPeriod

        pledge = PledgeFactory(
            valid_from=date(2024, 11, 1), valid_to=date(2025, 3, 31), title="Vintern"
        )
        commitment = CommitmentFactory(
            pledge=pledge, target_value=3, target_period=TargetPeriod.VALIDITY, unit="kontroller"
        )
        ActivityFactory(commitment=commitment, date=date(2024, 12, 1))
        ActivityFactory(commitment=commitment, date=date(2025, 2, 1))
        slug = pledge.municipality.slug
        for year in (2024, 2025):
            html = client.get(f"/kommun/{slug}/{year}/").content.decode()
            assert "Vintern" in html
            assert "2 av 3 kontroller" in html
            assert "Delvis genomfört" in html


def test_a_published_commitment_cannot_be_changed_in_place(demo_pledge):
    commitment = Commitment.objects.get(pledge=demo_pledge, position=1)
    commitment.target_value = 2
    with pytest.raises(ValidationError, match="kan inte ändras"):
        commitment.full_clean()
    commitment.refresh_from_db()
    commitment.assessed_status = ""
    commitment.full_clean()


def test_a_revision_that_fails_halfway_leaves_nothing(monkeypatch):
    pledge = PledgeFactory()
    CommitmentFactory(pledge=pledge, position=1)
    CommitmentFactory(pledge=pledge, position=2)
    before = (Pledge.objects.count(), Commitment.objects.count())
    original = Commitment.full_clean
    calls = []

    def fail_on_second(self, *args, **kwargs):
        calls.append(self)
        if len(calls) == 2:
            raise ValidationError("boom")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Commitment, "full_clean", fail_on_second)
    with pytest.raises(ValidationError):
        pledge_revise(pledge=pledge, valid_from=date(2018, 1, 1), valid_to=date(2018, 12, 31))
    assert (Pledge.objects.count(), Commitment.objects.count()) == before


@pytest.mark.parametrize("username", ["polis", "kommun"])
def test_only_admins_revise_and_publish(client_for, demo_pledge, username):
    successor = current_demo(demo_pledge)
    client = client_for(username)
    for action in ("revise", "publish"):
        response = client.post(
            "/admin/pledges/pledge/", {"action": action, "_selected_action": [successor.pk]}
        )
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
    assert not Pledge.objects.filter(revises=successor).exists()
    assert client.get(f"/forhandsgranska/{successor.pk}/").status_code == 403


class TestReviewFixes:
    def test_a_pledge_revises_only_a_public_pledge_of_its_own_municipality(self, demo_pledge):
        draft = PledgeFactory(
            draft=True,
            municipality=demo_pledge.municipality,
            valid_from=date(2029, 1, 1),
            valid_to=date(2029, 12, 31),
        )
        successor = PledgeFactory.build(
            municipality=demo_pledge.municipality,
            valid_from=date(2030, 1, 1),
            valid_to=date(2030, 12, 31),
            revises=draft,
        )
        with pytest.raises(ValidationError) as error:
            successor.full_clean()
        assert "revises" in error.value.message_dict
        elsewhere = PledgeFactory.build(
            valid_from=date(2030, 1, 1), valid_to=date(2030, 12, 31), revises=demo_pledge
        )
        with pytest.raises(ValidationError) as error:
            elsewhere.full_clean()
        assert "revises" in error.value.message_dict

    def test_published_pledges_and_commitments_cannot_be_deleted(self, client_for, demo_pledge):
        admin = client_for("admin")
        latest = revised_2018(demo_pledge)
        assert admin.get(f"/admin/pledges/pledge/{latest.pk}/delete/").status_code == 403
        commitment = latest.commitments.first()
        assert admin.get(f"/admin/pledges/commitment/{commitment.pk}/delete/").status_code == 403
        assert Pledge.objects.filter(pk=latest.pk).exists()

    def test_a_commitment_cannot_be_both_carried_on_and_dropped(self):
        pledge = PledgeFactory()
        CommitmentFactory(pledge=pledge, position=1)
        draft = pledge_revise(
            pledge=pledge, valid_from=date(2018, 1, 1), valid_to=date(2018, 12, 31)
        )
        DroppedCommitment.objects.create(
            pledge=draft, commitment=pledge.commitments.get(), reason="Klart."
        )
        with pytest.raises(ValidationError, match="både förs vidare och slopas"):
            pledge_publish(pledge=draft)

    def test_a_continued_commitment_with_another_target_must_be_marked_revised(self):
        pledge = PledgeFactory()
        CommitmentFactory(pledge=pledge, position=1, target_value=4)
        draft = pledge_revise(
            pledge=pledge, valid_from=date(2018, 1, 1), valid_to=date(2018, 12, 31)
        )
        draft.commitments.update(target_value=8)
        with pytest.raises(ValidationError, match="markera dem som reviderade"):
            pledge_publish(pledge=draft)

    def test_replacing_an_open_ended_pledge_keeps_its_activities_counted(self):
        pledge = PledgeFactory(valid_from=date(2025, 1, 1), valid_to=None)
        commitment = CommitmentFactory(pledge=pledge)
        ActivityFactory(commitment=commitment, date=date(2026, 11, 5))
        draft = pledge_revise(pledge=pledge, valid_from=date(2026, 11, 1), valid_to=None)
        with pytest.raises(ValidationError, match="har aktiviteter från"):
            pledge_publish(pledge=draft)
        pledge.refresh_from_db()
        assert (pledge.status, pledge.valid_to) == (Pledge.State.PUBLISHED, None)

    def test_future_years_of_an_open_ended_pledge_are_404(self, client):
        pledge = PledgeFactory(valid_from=date(2025, 1, 1), valid_to=None)
        CommitmentFactory(pledge=pledge)
        slug = pledge.municipality.slug
        assert client.get(f"/kommun/{slug}/2026/").status_code == 200
        assert client.get(f"/kommun/{slug}/2027/").status_code == 404
        assert client.get(f"/kommun/{slug}/9999/").status_code == 404

    def test_revision_keeps_the_reasons_why(self, client, demo_pledge):
        html = client.get("/kommun/asele/2018/").content.decode()
        assert "Därför finns löftet" in html
        assert 'Fokusområde: <span lang="sv">Trafiken</span>' in html

    def test_admin_membership_makes_staff_without_superuser_powers(
        self, client, demo_pledge, django_user_model
    ):
        from accounts.models import Membership
        from accounts.services import membership_grant
        from places.models import Organisation

        user = django_user_model.objects.create_user("kommunadmin", password="x")
        membership_grant(
            user=user,
            municipality=demo_pledge.municipality,
            organisation=Organisation.objects.get(kind="municipality"),
            role=Membership.Role.ADMIN,
        )
        user.refresh_from_db()
        assert user.is_staff
        assert not user.is_superuser
        client.force_login(user)
        assert client.get("/admin/").status_code == 200
        page = client.get(f"/admin/auth/user/{user.pk}/change/").content.decode()
        assert 'name="is_superuser"' not in page


def test_a_multi_year_predecessor_is_judged_over_every_year(client):
    pledge = PledgeFactory(valid_from=date(2023, 1, 1), valid_to=date(2025, 12, 31))
    commitment = CommitmentFactory(pledge=pledge, position=1, target_value=2, unit="insatser")
    for day in (date(2023, 3, 1), date(2023, 9, 1), date(2024, 3, 1), date(2024, 9, 1)):
        ActivityFactory(commitment=commitment, date=day)
    draft = pledge_revise(pledge=pledge, valid_from=date(2026, 1, 1), valid_to=date(2028, 12, 31))
    pledge_publish(pledge=draft)
    html = client.get(f"/kommun/{pledge.municipality.slug}/2026/").content.decode()
    lineage = html[html.index("Vad har ändrats?") :]
    assert "2 av 3 år med minst 2 insatser – " in lineage
