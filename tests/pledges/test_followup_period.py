"""The follow-up of one reporting period on one page: every promise of the pledge with
its figure in the period, its activities, its follow-up and the justifications of the
verdicts of target periods that ended in it, saved together (all or nothing), with a
preview, drafts marked, and another writer's newer text never overwritten unseen."""

import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
import time_machine

from pledges.models import Commitment, FollowUp, PeriodVerdict, Pledge
from pledges.progress import Period, TargetPeriod
from pledges.services import follow_up_save
from tests.pledges.factories import (
    ActivityFactory,
    CommitmentFactory,
    MeasurementFactory,
    PledgeFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_today")]

T2 = "2026-05-01"  # ended on 31 August (today is 27 November)
T3 = "2026-09-01"  # running


class FormReader(HTMLParser):
    """What a browser would send of the page's first form with a ``name="save"`` button
    (without the button): its inputs, ticked checkboxes and text areas."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({})
        elif not self.forms or "name" not in attrs:
            return
        elif tag == "input" and attrs.get("type") not in ("submit", "checkbox"):
            self.forms[-1].setdefault(attrs["name"], attrs.get("value", ""))
        elif tag == "input" and "checked" in attrs:
            self.forms[-1][attrs["name"]] = attrs.get("value", "on")
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.forms[-1][self.textarea] = ""
        elif tag == "button" and attrs["name"] == "save":
            self.forms[-1]["_has_save"] = True

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.forms[-1][self.textarea] += data.removeprefix("\n")


def form_data(response):
    reader = FormReader()
    reader.feed(response.content.decode())
    form = next(f for f in reader.forms if f.pop("_has_save", False))
    form.pop("csrfmiddlewaretoken", None)
    return form


def url(pledge, start=None):
    base = f"/samordnare/plan/{pledge.pk}/uppfoljning/"
    return f"{base}{start}/" if start else base


@pytest.fixture
def municipal(world):
    """A promise of the municipality alone: the police coordinator only reads it."""
    return CommitmentFactory(
        pledge=world.pledge,
        position=3,
        text="Kommunen lovar att genomföra minst 4 trygghetsvandringar.",
        responsible=Commitment.Responsible.MUNICIPALITY,
    )


def text_names(response, kind="f"):
    """The names of the page's text fields of follow-ups ("f") or justifications ("v")."""
    return re.findall(rf'<textarea name="({kind}[0-9-]+-text)"', response.content.decode())


class TestOnePage:
    def test_every_promise_is_listed_with_fields_for_those_the_user_acts_for(
        self, client, world, municipal
    ):
        FollowUp.objects.create(
            commitment=municipal,
            period_start=date(2026, 5, 1),
            period_end=date(2026, 8, 31),
            narrative="Kommunens publicerade text.",
            is_published=True,
        )
        ActivityFactory(commitment=world.commitment, date=date(2026, 6, 3), public_summary="Juni.")
        ActivityFactory(commitment=world.commitment, date=date(2026, 9, 3), public_summary="Sept.")
        client.force_login(world.polis)
        response = client.get(url(world.pledge, T2))
        assert response.status_code == 200
        html = response.content.decode()
        assert "1 maj 2026 – 31 augusti 2026" in html
        for commitment in (world.commitment, world.joint, municipal):
            assert commitment.headline in html
        # The police's and the joint promise are the police's to write; the
        # municipality's is read-only, with its published text.
        assert text_names(response) == [f"f{world.commitment.pk}-text", f"f{world.joint.pk}-text"]
        assert "Kommunens publicerade text." in html
        # The figure as of the period's last day, and only the period's activities.
        assert "1 av 4 insatser" in html
        assert "Juni." in html
        assert "Sept." not in html

    def test_ten_activities_are_listed_and_the_rest_linked(self, client, world):
        for day in range(12):
            ActivityFactory(commitment=world.joint, date=date(2026, 6, 1 + day))
        ActivityFactory(commitment=world.joint, date=date(2026, 6, 20), status="planned")
        client.force_login(world.polis)
        html = client.get(url(world.pledge, T2)).content.decode()
        section = html[html.index(f'id="promise-{world.joint.pk}"') :]
        section = section[: section.index("</section>")]
        assert section.count('<li><a href="/samordnare/aktiviteter/') == 10
        # The newest first: 12 June to 3 June; 1 and 2 June are behind the link.
        assert "12 juni 2026" in section
        assert ">2 juni 2026<" not in section
        assert ">3 juni 2026<" in section
        link = re.search(r'href="(/samordnare/aktiviteter/\?[^"]+)"', section).group(1)
        assert link == (
            f"/samordnare/aktiviteter/?commitment={world.joint.pk}&amp;status=done"
            "&amp;since=2026-05-01&amp;until=2026-08-31"
        )
        # The link lists the period's done activities of the promise, and only those.
        listing = client.get(link.replace("&amp;", "&")).content.decode()
        assert listing.count('<th scope="row"><a href="/samordnare/aktiviteter/') == 12

    def test_the_texts_are_saved_together_and_published_by_default(self, client, world):
        client.force_login(world.polis)
        data = form_data(client.get(url(world.pledge, T2)))
        assert data[f"f{world.commitment.pk}-is_published"] == "on"
        data[f"f{world.commitment.pk}-text"] = "Två insatser i juni."
        data[f"f{world.joint.pk}-text"] = "Gemensam kontroll."
        data[f"f{world.joint.pk}-is_published"] = ""
        del data[f"f{world.joint.pk}-is_published"]
        response = client.post(url(world.pledge, T2), data | {"save": ""})
        assert response.status_code == 302
        saved = {f.commitment_id: f for f in FollowUp.objects.filter(period_start=date(2026, 5, 1))}
        assert saved[world.commitment.pk].narrative == "Två insatser i juni."
        assert saved[world.commitment.pk].is_published
        assert saved[world.commitment.pk].period_end == date(2026, 8, 31)
        assert saved[world.commitment.pk].written_by == world.polis
        assert saved[world.joint.pk].narrative == "Gemensam kontroll."
        assert not saved[world.joint.pk].is_published
        page = client.get(url(world.pledge, T2)).content.decode()
        # The draft is marked as such, once: the published text is not.
        assert page.count('class="draft-mark"') == 1
        public = client.get(f"/kommun/{world.municipality.slug}/2026/").content.decode()
        assert "Två insatser i juni." in public
        assert "Gemensam kontroll." not in public

    def test_one_invalid_text_saves_nothing_and_keeps_every_input(self, client, world):
        client.force_login(world.polis)
        data = form_data(client.get(url(world.pledge, T2)))
        data[f"f{world.commitment.pk}-text"] = "En giltig text."
        data[f"f{world.joint.pk}-text"] = "x" * 5001
        response = client.post(url(world.pledge, T2), data | {"save": ""})
        assert response.status_code == 400
        html = response.content.decode()
        assert "En giltig text." in html
        assert "x" * 5001 in html
        # The error is at the too long text's field, and in the summary above.
        error = re.search(rf'id="id_f{world.joint.pk}-text_error">([^<]+)<', html)
        assert error is not None
        assert "5000" in error.group(1)
        assert f'href="#id_f{world.joint.pk}-text"' in html
        assert not FollowUp.objects.filter(period_start=date(2026, 5, 1)).exists()

    def test_a_refusal_by_the_service_undoes_what_was_saved_before_it(self, client, world):
        """The service saves the texts in order: a refusal of the second (a stale one)
        undoes the first, which had been saved."""
        client.force_login(world.polis)
        data = form_data(client.get(url(world.pledge, T2)))
        data[f"f{world.commitment.pk}-text"] = "Först i ordningen."
        data[f"f{world.joint.pk}-text"] = "Min gemensamma text."
        follow_up_save(
            commitment=world.joint,
            period=_t2(),
            narrative="Kommunens text.",
            is_published=True,
            user=world.kommunsamordnare,
        )
        response = client.post(url(world.pledge, T2), data | {"save": ""})
        assert response.status_code == 400
        assert not FollowUp.objects.filter(commitment=world.commitment, period_start=_t2().start)
        assert FollowUp.objects.get(commitment=world.joint, period_start=_t2().start).narrative == (
            "Kommunens text."
        )

    def test_a_saved_text_cannot_be_emptied(self, client, world):
        FollowUp.objects.create(
            commitment=world.commitment,
            period_start=date(2026, 5, 1),
            period_end=date(2026, 8, 31),
            narrative="Sparad.",
        )
        client.force_login(world.polis)
        data = form_data(client.get(url(world.pledge, T2)))
        assert data[f"f{world.commitment.pk}-text"] == "Sparad."
        data[f"f{world.commitment.pk}-text"] = ""
        response = client.post(url(world.pledge, T2), data | {"save": ""})
        assert response.status_code == 400
        assert f'id="id_f{world.commitment.pk}-text_error"' in response.content.decode()
        saved = FollowUp.objects.get(commitment=world.commitment, period_start=_t2().start)
        assert saved.narrative == "Sparad."

    def test_nothing_changed_saves_nothing(self, client, world):
        client.force_login(world.polis)
        data = form_data(client.get(url(world.pledge, T2)))
        response = client.post(url(world.pledge, T2), data | {"save": ""})
        assert response.status_code == 302
        assert not FollowUp.objects.filter(period_start=date(2026, 5, 1)).exists()


def _t2():
    return Period(date(2026, 5, 1), date(2026, 8, 31), "tertial")


class TestPreview:
    def test_a_preview_saves_nothing_and_marks_the_drafts(self, client, world):
        client.force_login(world.polis)
        data = form_data(client.get(url(world.pledge, T2)))
        data[f"f{world.commitment.pk}-text"] = "Publiceras."
        data[f"f{world.joint.pk}-text"] = "Ett utkast."
        del data[f"f{world.joint.pk}-is_published"]
        response = client.post(url(world.pledge, T2), data | {"preview": ""})
        assert response.status_code == 200
        html = response.content.decode()
        assert not FollowUp.objects.filter(period_start=date(2026, 5, 1)).exists()
        preview = html[html.index('id="preview-heading"') :]
        published = preview[preview.index("Publiceras.") - 300 : preview.index("Publiceras.")]
        draft = preview[preview.index("Ett utkast.") - 300 : preview.index("Ett utkast.")]
        assert "draft-mark" not in published
        assert "draft-mark" in draft
        # No field to type in: the texts travel hidden, to be saved or edited further.
        assert "<textarea" not in html
        again = form_data(response)
        assert again[f"f{world.joint.pk}-text"] == "Ett utkast."
        edited = client.post(url(world.pledge, T2), again | {"edit": ""})
        assert edited.status_code == 200
        assert re.search(r"<textarea[^>]*>\s*Ett utkast.</textarea>", edited.content.decode())
        assert not FollowUp.objects.filter(period_start=date(2026, 5, 1)).exists()
        saved = client.post(url(world.pledge, T2), again | {"save": ""})
        assert saved.status_code == 302
        texts = dict(
            FollowUp.objects.filter(period_start=date(2026, 5, 1)).values_list(
                "narrative", "is_published"
            )
        )
        assert texts == {"Publiceras.": True, "Ett utkast.": False}

    def test_an_invalid_preview_shows_the_errors_and_no_preview(self, client, world):
        client.force_login(world.polis)
        data = form_data(client.get(url(world.pledge, T2)))
        data[f"f{world.joint.pk}-text"] = "x" * 5001
        response = client.post(url(world.pledge, T2), data | {"preview": ""})
        assert response.status_code == 400
        assert 'id="preview-heading"' not in response.content.decode()


class TestStaleEdit:
    def test_a_text_saved_meanwhile_is_shown_next_to_the_users_own(self, client, world):
        client.force_login(world.polis)
        data = form_data(client.get(url(world.pledge, T2)))
        data[f"f{world.joint.pk}-text"] = "Min text."
        data[f"f{world.commitment.pk}-text"] = "Polisens text."
        follow_up_save(
            commitment=world.joint,
            period=_t2(),
            narrative="Kommunens nyare text.",
            is_published=False,
            user=world.kommunsamordnare,
        )
        response = client.post(url(world.pledge, T2), data | {"save": ""})
        assert response.status_code == 400
        html = response.content.decode()
        field = re.search(rf'<textarea name="f{world.joint.pk}-text"[^>]*>([^<]*)</textarea>', html)
        assert field.group(1).strip() == "Min text."
        assert "Kommunens nyare text." in html
        assert "kommun-Asele" in html  # who saved it
        assert f'id="id_f{world.joint.pk}-text_error"' in html
        # Nothing is saved, not even the other, valid text.
        assert dict(
            FollowUp.objects.filter(period_start=_t2().start).values_list(
                "commitment_id", "narrative"
            )
        ) == {world.joint.pk: "Kommunens nyare text."}
        # Seen theirs, the user saves again: theirs is replaced.
        response = client.post(url(world.pledge, T2), form_data(response) | {"save": ""})
        assert response.status_code == 302
        assert dict(
            FollowUp.objects.filter(period_start=_t2().start).values_list(
                "commitment_id", "narrative"
            )
        ) == {world.joint.pk: "Min text.", world.commitment.pk: "Polisens text."}

    def test_a_text_left_as_it_was_is_not_saved_over_a_newer_one(self, client, world):
        client.force_login(world.polis)
        data = form_data(client.get(url(world.pledge, T2)))
        data[f"f{world.commitment.pk}-text"] = "Polisens text."
        follow_up_save(
            commitment=world.joint,
            period=_t2(),
            narrative="Kommunens text.",
            is_published=True,
            user=world.kommunsamordnare,
        )
        response = client.post(url(world.pledge, T2), data | {"save": ""})
        assert response.status_code == 302
        assert dict(
            FollowUp.objects.filter(period_start=_t2().start).values_list(
                "commitment_id", "narrative"
            )
        ) == {world.joint.pk: "Kommunens text.", world.commitment.pk: "Polisens text."}


class TestPermissions:
    def test_anonymous_users_go_to_the_login_page(self, client, world):
        for address in (url(world.pledge), url(world.pledge, T2)):
            response = client.get(address)
            assert response.status_code == 302
            assert response["Location"].startswith("/konto/logga-in/")
        response = client.post(url(world.pledge, T2), {f"f{world.commitment.pk}-text": "x"})
        assert response.status_code == 302
        assert not FollowUp.objects.filter(period_start=_t2().start).exists()

    def test_another_municipality_is_not_found(self, client, world, outsider):
        client.force_login(outsider)
        assert client.get(url(world.pledge)).status_code == 404
        assert client.get(url(world.pledge, T2)).status_code == 404
        response = client.post(url(world.pledge, T2), {f"f{world.joint.pk}-text": "x", "save": ""})
        assert response.status_code == 404
        assert not FollowUp.objects.filter(period_start=_t2().start).exists()

    def test_drafts_and_periods_that_are_none_are_not_found(self, client, world):
        client.force_login(world.polis)
        assert client.get(url(world.draft)).status_code == 404
        assert client.get(url(world.draft, "2027-01-01")).status_code == 404
        for start in ("2026-05-02", "2027-01-01", "2026-13-01", "T2", "2026-05-01x"):
            assert client.get(url(world.pledge, start)).status_code == 404

    def test_a_period_not_yet_begun_is_not_found(self, client, world):
        with time_machine.travel(date(2026, 4, 15)):
            client.force_login(world.polis)
            assert client.get(url(world.pledge, T2)).status_code == 404
            assert client.get(url(world.pledge, "2026-01-01")).status_code == 200

    def test_the_other_party_reads_and_cannot_write(self, client, world):
        client.force_login(world.kommunsamordnare)
        response = client.get(url(world.pledge, T2))
        assert response.status_code == 200
        # The joint promise is theirs too; the police's is read-only.
        assert text_names(response) == [f"f{world.joint.pk}-text"]
        data = form_data(response) | {
            f"f{world.joint.pk}-text": "Gemensamt.",
            f"f{world.commitment.pk}-text": "Skrivet åt polisen.",
            f"f{world.commitment.pk}-is_published": "on",
            "save": "",
        }
        assert client.post(url(world.pledge, T2), data).status_code == 403
        assert not FollowUp.objects.filter(period_start=_t2().start).exists()

    def test_the_right_user_writes(self, client, world):
        client.force_login(world.kommunsamordnare)
        data = form_data(client.get(url(world.pledge, T2)))
        data[f"f{world.joint.pk}-text"] = "Gemensamt."
        assert client.post(url(world.pledge, T2), data | {"save": ""}).status_code == 302
        follow_up = FollowUp.objects.get(period_start=_t2().start)
        assert (follow_up.commitment, follow_up.written_by) == (world.joint, world.kommunsamordnare)


class TestPeriodsList:
    def test_each_reporting_period_with_its_follow_ups(self, client, world, municipal):
        FollowUp.objects.create(
            commitment=world.joint,
            period_start=date(2026, 1, 1),
            period_end=date(2026, 4, 30),
            narrative="Publicerad.",
            is_published=True,
        )
        client.force_login(world.kommunsamordnare)
        response = client.get(url(world.pledge))
        assert response.status_code == 200
        html = response.content.decode()
        rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)[1:]
        cells = [re.findall(r"<td[^>]*>(\d+)</td>", row) for row in rows]
        # T1: the world's draft and one published; 1 missing of 3 promises.
        assert cells == [["1", "1", "1"], ["0", "0", "3"], ["0", "0", "3"]]
        for start in ("2026-01-01", T2, T3):
            assert f'href="{url(world.pledge, start)}"' in html

    def test_the_dashboard_links_the_follow_up_due(self, client, world):
        client.force_login(world.polis)
        html = client.get("/samordnare/").content.decode()
        # The latest reporting period that has ended.
        assert f'href="{url(world.pledge, T2)}"' in html
        assert f'href="{url(world.pledge)}"' in html

    def test_the_promise_page_links_the_period_pages(self, client, world):
        client.force_login(world.polis)
        html = client.get(f"/samordnare/lofte/{world.commitment.pk}/uppfoljning/").content.decode()
        assert f'href="{url(world.pledge, T3)}"' in html


@pytest.fixture
def weekly(world):
    """At least one traffic control a week, done in three weeks of T2 and two of T3."""
    commitment = CommitmentFactory(
        pledge=world.pledge,
        position=4,
        text="Polisen lovar att genomföra minst en trafikkontroll per vecka.",
        target_period=TargetPeriod.WEEK,
        target_value=1,
        unit="trafikkontroller",
    )
    for day in (date(2026, 5, 5), date(2026, 6, 10), date(2026, 6, 11), date(2026, 8, 20)):
        ActivityFactory(commitment=commitment, date=day)
    for day in (date(2026, 9, 8), date(2026, 11, 24)):
        ActivityFactory(commitment=commitment, date=day)
    return commitment


class TestPledgeShapes:
    def test_a_weekly_target_shows_the_weeks_met_and_asks_only_about_the_missed(
        self, client, world, weekly
    ):
        client.force_login(world.polis)
        response = client.get(url(world.pledge, T2))
        html = response.content.decode()
        # The 18 weeks that end in May-August (from 27 April - 3 May to 24-30 August).
        assert "3 av 18 veckor med minst 1 trafikkontroll" in html
        verdicts = text_names(response, "v")
        assert len(verdicts) == 15
        assert all(name.startswith(f"v{weekly.pk}-") for name in verdicts)
        # A week met needs no justification.
        assert f"v{weekly.pk}-20260504-text" not in verdicts
        assert f"v{weekly.pk}-20260511-text" in verdicts
        # The period's four activities, not those of September and November.
        section = html[html.index(f'id="promise-{weekly.pk}"') :]
        assert section.count('<li><a href="/samordnare/aktiviteter/') == 4

    def test_a_justification_of_a_missed_week_is_saved_with_the_follow_ups(
        self, client, world, weekly
    ):
        client.force_login(world.polis)
        data = form_data(client.get(url(world.pledge, T2)))
        data[f"v{weekly.pk}-20260511-text"] = "Personalbrist under veckan."
        data[f"f{weekly.pk}-text"] = "Tre av arton veckor."
        assert client.post(url(world.pledge, T2), data | {"save": ""}).status_code == 302
        verdict = PeriodVerdict.objects.get(commitment=weekly)
        assert (verdict.period_start, verdict.period_end) == (date(2026, 5, 11), date(2026, 5, 17))
        assert verdict.justification == "Personalbrist under veckan."
        assert verdict.is_published
        assert verdict.done_when_written == 0
        assert FollowUp.objects.get(commitment=weekly).narrative == "Tre av arton veckor."

    def test_a_running_period_takes_follow_ups_and_only_ended_verdicts(self, client, world, weekly):
        client.force_login(world.polis)
        response = client.get(url(world.pledge, T3))
        assert response.status_code == 200
        assert f"f{world.commitment.pk}-text" in text_names(response)
        verdicts = text_names(response, "v")
        # The year runs until 31 December: no verdict yet. Of the weeks, those ended
        # (from 31 August - 6 September to 16-22 November) and missed; not the week of
        # today (23-29 November), although it is met.
        assert not [name for name in verdicts if not name.startswith(f"v{weekly.pk}-")]
        assert f"v{weekly.pk}-20260907-text" not in verdicts  # met
        assert f"v{weekly.pk}-20260831-text" in verdicts
        assert f"v{weekly.pk}-20261116-text" in verdicts
        assert f"v{weekly.pk}-20261123-text" not in verdicts
        assert len(verdicts) == 11
        data = form_data(response) | {
            f"f{world.commitment.pk}-text": "Hittills i höst.",
            # A verdict of the running year has no field: what is posted for it is ignored.
            f"v{world.commitment.pk}-20260101-text": "För tidigt.",
            "save": "",
        }
        assert client.post(url(world.pledge, T3), data).status_code == 302
        assert FollowUp.objects.get(period_start=date(2026, 9, 1)).narrative == "Hittills i höst."
        assert not PeriodVerdict.objects.filter(period_start=date(2026, 1, 1)).exists()

    def test_the_years_verdict_is_justified_in_the_period_it_ends_in(self, client, world):
        ActivityFactory(commitment=world.commitment, date=date(2026, 10, 1))
        with time_machine.travel(date(2027, 1, 15)):
            client.force_login(world.polis)
            response = client.get(url(world.pledge, T3))
            assert text_names(response, "v") == [
                f"v{world.commitment.pk}-20260101-text",
                f"v{world.joint.pk}-20260101-text",
            ]
            data = form_data(response)
            data[f"v{world.commitment.pk}-20260101-text"] = "En av tre insatser."
            assert client.post(url(world.pledge, T3), data | {"save": ""}).status_code == 302
            # Earlier tertials have no verdict to justify: the year ended in T3.
            assert text_names(client.get(url(world.pledge, T2)), "v") == []
        verdict = PeriodVerdict.objects.get(
            commitment=world.commitment, period_start=date(2026, 1, 1)
        )
        assert verdict.justification == "En av tre insatser."
        assert verdict.period_end == date(2026, 12, 31)
        assert verdict.done_when_written == 1

    def test_a_multi_year_pledge_asks_for_each_years_verdict(self, client, world):
        # Published pledges of a municipality never overlap (on PostgreSQL a constraint
        # says so): the world's 2026 pledge makes way.
        Pledge.objects.filter(pk=world.pledge.pk).update(status=Pledge.State.DRAFT)
        pledge = PledgeFactory(
            municipality=world.municipality,
            valid_from=date(2024, 1, 1),
            valid_to=date(2026, 12, 31),
        )
        commitment = CommitmentFactory(pledge=pledge, position=1)
        ActivityFactory(commitment=commitment, date=date(2025, 10, 2), public_summary="Hösten.")
        client.force_login(world.polis)
        response = client.get(url(pledge, "2025-09-01"))
        assert text_names(response, "v") == [f"v{commitment.pk}-20250101-text"]
        html = response.content.decode()
        assert "1 av 4 insatser" in html
        assert "Hösten." in html
        # In T1 of the next year, the figure is that year's so far, and no verdict is due.
        response = client.get(url(pledge, "2026-01-01"))
        assert text_names(response, "v") == []
        assert "0 av 4 insatser" in response.content.decode()
        listing = client.get(url(pledge)).content.decode()
        assert listing.count("/uppfoljning/20") == 9  # three tertials of three years

    def test_a_seasonal_pledge_follows_its_season(self, client, world):
        # Published pledges of a municipality never overlap (on PostgreSQL a constraint
        # says so): the world's 2026 pledge makes way.
        Pledge.objects.filter(pk=world.pledge.pk).update(status=Pledge.State.DRAFT)
        season = PledgeFactory(
            municipality=world.municipality,
            valid_from=date(2025, 11, 1),
            valid_to=date(2026, 3, 31),
        )
        commitment = CommitmentFactory(pledge=season, position=1, target_value=2)
        ActivityFactory(commitment=commitment, date=date(2026, 1, 10))
        ActivityFactory(commitment=commitment, date=date(2026, 3, 10))
        client.force_login(world.polis)
        listing = client.get(url(season)).content.decode()
        # Tertials from the season's first day: November-February, then March.
        assert f'href="{url(season, "2025-11-01")}"' in listing
        assert f'href="{url(season, "2026-03-01")}"' in listing
        assert "/uppfoljning/2026-01-01/" not in listing
        response = client.get(url(season, "2026-03-01"))
        assert text_names(response, "v") == [f"v{commitment.pk}-20251101-text"]
        html = response.content.decode()
        assert "säsongen 2025/26" in html
        assert "2 av 2 insatser" in html
        response = client.get(url(season, "2025-11-01"))
        assert text_names(response, "v") == []
        html = response.content.decode()
        assert "1 av 2 insatser" in html


def add_activities(pledge, n):
    """``n`` activities spread over the pledge's promises and T2, two in three done, some
    with a measured quantity."""
    commitments = list(Commitment.objects.filter(pledge=pledge).order_by("position"))
    for i in range(n):
        activity = ActivityFactory(
            commitment=commitments[i % len(commitments)],
            date=date(2026, 5, 1) + timedelta(days=(i * 7) % 120),
            status=["done", "done", "planned"][i % 3],
        )
        if i % 2:
            MeasurementFactory(activity=activity, value=i)


class TestQueries:
    """Both pages run a constant number of queries, whatever the number of promises and
    activities. Each count: the request's own (savepoint, session, user, the user's and
    the groups' permissions), the page's, then the release and the session's renewal
    (savepoint, update, release)."""

    def test_the_period_page(self, client, world, municipal, weekly, django_assert_num_queries):
        client.force_login(world.polis)
        address = url(world.pledge, T2)
        # 5 + the pledge (scoped to the user's municipalities), memberships (who may
        # act for what), the commitments, their target sites, amendments, done counts
        # today and as of the period's last day, follow-ups, justifications, activities + 4
        add_activities(world.pledge, 3)
        with django_assert_num_queries(18):
            assert client.get(address).status_code == 200
        add_activities(world.pledge, 27)
        CommitmentFactory(pledge=world.pledge, position=5)
        with django_assert_num_queries(18):
            assert client.get(address).status_code == 200

    def test_the_running_period_page(self, client, world, weekly, django_assert_num_queries):
        client.force_login(world.polis)
        # As above, but the done counts once: the figures are as of today.
        add_activities(world.pledge, 3)
        with django_assert_num_queries(17):
            assert client.get(url(world.pledge, T3)).status_code == 200
        add_activities(world.pledge, 30)
        with django_assert_num_queries(17):
            assert client.get(url(world.pledge, T3)).status_code == 200

    def test_the_periods_list(self, client, world, municipal, django_assert_num_queries):
        client.force_login(world.polis)
        # 5 + the pledge, the number of commitments, their follow-ups + 4
        add_activities(world.pledge, 3)
        with django_assert_num_queries(11):
            assert client.get(url(world.pledge)).status_code == 200
        add_activities(world.pledge, 30)
        CommitmentFactory(pledge=world.pledge, position=5)
        with django_assert_num_queries(11):
            assert client.get(url(world.pledge)).status_code == 200


class TestBadInput:
    """No input causes a 500: each is refused at its field, or as a whole, with nothing
    saved."""

    def test_a_nul_character_is_refused(self, client, world):
        """(By the site's guard against NUL characters, before the page.)"""
        client.force_login(world.polis)
        data = form_data(client.get(url(world.pledge, T2)))
        data[f"f{world.commitment.pk}-text"] = "Före\x00efter"
        response = client.post(url(world.pledge, T2), data | {"save": ""})
        assert response.status_code == 400
        assert not FollowUp.objects.filter(period_start=_t2().start).exists()

    def test_a_forged_load_time_is_taken_for_a_stale_form(self, client, world):
        client.force_login(world.polis)
        data = form_data(client.get(url(world.pledge, T2)))
        data[f"f{world.commitment.pk}-text"] = "Text."
        data[f"f{world.commitment.pk}-loaded_at"] = "inte en tid"
        response = client.post(url(world.pledge, T2), data | {"save": ""})
        assert response.status_code == 400
        assert f'id="id_f{world.commitment.pk}-text_error"' in response.content.decode()
        assert not FollowUp.objects.filter(period_start=_t2().start).exists()

    @pytest.mark.parametrize("name", ["f99999999999999999999-text", "v0-20260101-text"])
    def test_a_text_of_no_promise_of_the_page_is_refused(self, client, world, name):
        client.force_login(world.polis)
        data = form_data(client.get(url(world.pledge, T2)))
        response = client.post(url(world.pledge, T2), data | {name: "x", "save": ""})
        assert response.status_code == 403
        assert not FollowUp.objects.filter(period_start=_t2().start).exists()


@pytest.mark.parametrize("username", ["polis", "kommun"])
def test_every_reporting_period_of_the_demo_renders(client_for, username):
    """Per-site, quantity and qualitative promises, an ended pledge and a running one."""
    client = client_for(username)
    pledges = Pledge.objects.filter(municipality__slug="asele").public()
    assert pledges.count() >= 2
    for pledge in pledges:
        listing = client.get(url(pledge))
        assert listing.status_code == 200
        starts = re.findall(rf'href="{url(pledge)}(\d{{4}}-\d\d-\d\d)/"', listing.content.decode())
        assert starts
        for start in starts:
            response = client.get(url(pledge, start))
            assert response.status_code == 200, (pledge, start)
            assert text_names(response), (pledge, start)
