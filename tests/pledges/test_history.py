"""The history of an activity as a coordinator reads it: one entry per save with exactly
the fields it changed, organisations and measured values included; and an edit made
stale by someone else's save, which keeps the user's own input next to the newer values."""

import importlib
import re
from datetime import date

import pytest
import time_machine
from django.apps import apps
from django.test import Client
from django.utils.html import escape
from django.utils.translation import gettext

from places.models import Municipality, Organisation, Site
from pledges.forms import saved_at
from pledges.models import Activity, Commitment, FocusTag, FollowUp, Measurement
from pledges.selectors import activity_history
from pledges.services import activity_save, follow_up_save
from tests.pledges.factories import ActivityFactory, MeasurementFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_today")]

NEW = "/samordnare/aktiviteter/ny/"


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def form_data(response):
    """What the form of ``response`` would send as it is shown (every value of a field
    with several)."""
    data = response.context["form"].data
    return {name: data.getlist(name) for name in data}


def fields_of(entry):
    return {label for label, _old, _new in entry.changes}


def logged(world, client):
    """An activity of the joint promise logged through the form, with two organisations
    and two measured quantities."""
    response = client.post(
        NEW,
        {
            "commitment": world.joint.pk,
            "status": "done",
            "date": "2026-06-01",
            "organisations": [world.police.pk, world.kommun.pk],
            "quantity_vehicles_checked": "40",
            "quantity_breath_tests": "38",
            "public_summary": "Kontroll vid torget.",
            "internal_notes": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Activity.objects.get(public_summary="Kontroll vid torget.")


def edit_data(world, activity, **changes):
    data = {
        "commitment": world.joint.pk,
        "status": "done",
        "date": "2026-06-01",
        "organisations": [world.police.pk, world.kommun.pk],
        "quantity_vehicles_checked": "40",
        "quantity_breath_tests": "38",
        "public_summary": "Kontroll vid torget.",
        "internal_notes": "",
        "version": activity.version,
    }
    data.update(changes)
    return data


def edit_url(activity):
    return f"/samordnare/aktiviteter/{activity.pk}/andra/"


class TestOneEntryPerSave:
    def test_logging_makes_one_record_and_one_entry(self, world):
        activity = logged(world, client_of(world.polis))
        assert activity.history.count() == 1
        (entry,) = activity_history(activity)
        assert entry.kind == "created"
        assert entry.user == world.polis
        record = activity.history.get()
        assert record.measured == {"vehicles_checked": 40, "breath_tests": 38}
        rows = record.historicalactivity_organisations_set.all()
        assert {row.organisation_id for row in rows} == {world.police.pk, world.kommun.pk}

    def test_an_edit_is_one_entry_with_exactly_what_it_changed(self, world):
        polis = client_of(world.polis)
        activity = logged(world, polis)
        response = polis.post(
            edit_url(activity),
            edit_data(
                world,
                activity,
                public_summary="Kontroll vid skolan.",
                organisations=[world.police.pk],
                quantity_breath_tests="30",
            ),
        )
        assert response.status_code == 302
        assert activity.history.count() == 2
        newest, created = activity_history(activity)
        assert created.kind == "created"
        assert newest.kind == "changed"
        assert newest.changes == (
            ("offentlig sammanfattning", "Kontroll vid torget.", "Kontroll vid skolan."),
            (
                "deltagande organisationer",
                f"Asele kommun, Polisen i {world.name}",
                f"Polisen i {world.name}",
            ),
            ("utandningsprov", "38", "30"),
        )
        page = polis.get(f"/samordnare/aktiviteter/{activity.pk}/").content.decode()
        history = page[page.index("<h2>Historik</h2>") : page.index("</ol>")]
        assert history.count("<li>") == 2 + 3
        assert "Utandningsprov: 38 → 30" in history
        assert "Kontrollerade fordon" not in history

    def test_a_save_that_changes_nothing_adds_no_entry(self, world):
        polis = client_of(world.polis)
        activity = logged(world, polis)
        measured = Measurement.history.filter(activity_id=activity.pk).count()
        response = polis.post(edit_url(activity), edit_data(world, activity))
        assert response.status_code == 302
        activity.refresh_from_db()
        assert activity.version == 2
        assert [e.kind for e in activity_history(activity)] == ["created"]
        # No measurement was rewritten with the value it had.
        assert Measurement.history.filter(activity_id=activity.pk).count() == measured

    def test_removing_a_measured_value_is_listed(self, world):
        polis = client_of(world.polis)
        activity = logged(world, polis)
        polis.post(edit_url(activity), edit_data(world, activity, quantity_breath_tests=""))
        newest = activity_history(activity)[0]
        assert newest.changes == (("utandningsprov", "38", "–"),)

    def test_a_cancellation_says_why_to_those_who_read_the_notes(self, world):
        polis = client_of(world.polis)
        activity = logged(world, polis)
        response = polis.post(
            f"/samordnare/aktiviteter/{activity.pk}/stall-in/",
            {"version": activity.version, "reason": "Inställd på grund av storm."},
        )
        assert response.status_code == 302
        newest = activity_history(activity)[0]
        assert newest.kind == "cancelled"
        assert newest.reason == "Inställd på grund av storm."
        assert activity_history(activity, internal_notes=False)[0].reason == ""
        page = polis.get(f"/samordnare/aktiviteter/{activity.pk}/").content.decode()
        assert escape(gettext("cancelled the activity")) in page
        assert "Inställd på grund av storm." in page

    def test_an_admin_save_with_its_inline_is_one_record(self, world, client, superuser):
        activity = logged(world, client_of(world.polis))
        measurement = activity.measurements.get(quantity="breath_tests")
        client.force_login(superuser)
        url = f"/admin/pledges/activity/{activity.pk}/change/"
        form = client.get(url).context["adminform"].form
        others = activity.measurements.exclude(pk=measurement.pk)
        data = {
            "commitment": world.joint.pk,
            "status": "done",
            "date": "2026-06-01",
            "public_summary": "Ändrad i admin.",
            "internal_notes": "",
            "organisations": [world.kommun.pk],
            "loaded_version": form["loaded_version"].value(),
            "measurements-TOTAL_FORMS": "2",
            "measurements-INITIAL_FORMS": "2",
            "measurements-0-id": measurement.pk,
            "measurements-0-activity": activity.pk,
            "measurements-0-quantity": "breath_tests",
            "measurements-0-value": "12",
            "measurements-1-id": others.get().pk,
            "measurements-1-activity": activity.pk,
            "measurements-1-quantity": "vehicles_checked",
            "measurements-1-value": "40",
        }
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:3000]
        assert activity.history.count() == 2
        newest = activity_history(activity)[0]
        assert fields_of(newest) == {
            "offentlig sammanfattning",
            "deltagande organisationer",
            "utandningsprov",
        }
        assert newest.user == superuser


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("historiker", password="pw")


class TestStaleActivityEdit:
    def test_own_input_is_kept_next_to_the_newer_values_and_the_second_send_saves(self, world):
        polis, kommun = client_of(world.polis), client_of(world.kommunsamordnare)
        activity = logged(world, polis)
        # A opens the form; B saves the summary and a figure meanwhile.
        loaded = polis.get(edit_url(activity))
        assert loaded.status_code == 200
        version = loaded.context["form"]["version"].value()
        response = kommun.post(
            edit_url(activity),
            edit_data(
                world,
                activity,
                public_summary="Kommunens text.",
                quantity_breath_tests="35",
            ),
        )
        assert response.status_code == 302
        # A sends: a new summary (as B did) and people reached (which B left alone).
        mine = edit_data(
            world,
            activity,
            version=version,
            public_summary="Polisens text.",
            people_reached="25",
        )
        response = polis.post(edit_url(activity), mine)
        assert response.status_code == 400
        activity.refresh_from_db()
        assert activity.public_summary == "Kommunens text."
        assert activity.people_reached is None
        assert activity.version == 2
        form = response.context["form"]
        html = response.content.decode()
        at = saved_at(activity.history.latest().history_date)
        user = world.kommunsamordnare.username
        # A's own input stays in the fields, B's value is shown next to it.
        assert form["public_summary"].value() == "Polisens text."
        assert form["people_reached"].value() == "25"
        saved = gettext("Saved meanwhile by %(user)s at %(time)s: %(value)s") % {
            "user": user,
            "time": at,
            "value": "Kommunens text.",
        }
        assert form.errors["public_summary"] == [saved]
        assert escape(saved) in html
        # A field A had not touched takes B's value, and says so.
        assert form["quantity_breath_tests"].value() == "35"
        assert form.errors["quantity_breath_tests"] == [
            gettext("Changed meanwhile by %(user)s at %(time)s to: %(value)s.")
            % {"user": user, "time": at, "value": "35"}
        ]
        assert "people_reached" not in form.errors
        assert "quantity_vehicles_checked" not in form.errors
        assert form["version"].value() == 2
        assert re.search(r'name="version" value="2"', html)

        response = polis.post(edit_url(activity), form_data(response))
        assert response.status_code == 302
        activity.refresh_from_db()
        assert activity.public_summary == "Polisens text."
        assert activity.people_reached == 25
        assert activity.measurements.get(quantity="breath_tests").value == 35
        assert activity.version == 3

    def test_the_same_change_made_by_both_is_no_conflict(self, world):
        polis = client_of(world.polis)
        activity = logged(world, polis)
        version = activity.version
        activity_save(
            user=world.kommunsamordnare,
            values={"public_summary": "Samma text."},
            organisations=[world.police, world.kommun],
            measurements={},
            activity=activity,
            expected_version=version,
        )
        response = polis.post(
            edit_url(activity),
            edit_data(world, activity, version=version, public_summary="Samma text."),
        )
        assert response.status_code == 400
        form = response.context["form"]
        assert set(form.errors) == {"__all__"}
        response = polis.post(edit_url(activity), form_data(response))
        assert response.status_code == 302


class TestStalePeriodText:
    def test_own_text_is_kept_next_to_the_newer_one_and_the_second_send_saves(self, world):
        polis = client_of(world.polis)
        url = f"/samordnare/lofte/{world.commitment.pk}/uppfoljning/2026-01-01/"
        loaded = polis.get(url)
        assert loaded.status_code == 200
        data = {
            "narrative": "Polisens uppföljning.",
            "loaded_at": loaded.context["form"]["loaded_at"].value(),
            "form_token": loaded.context["form"]["form_token"].value(),
        }
        with time_machine.travel(date(2026, 11, 27), tick=True):
            follow_up_save(
                commitment=world.commitment,
                period=world.follow_up.period,
                narrative="Kommunens uppföljning.",
                is_published=False,
                user=world.kommunsamordnare,
            )
        response = polis.post(url, data)
        assert response.status_code == 400
        saved = FollowUp.objects.get(pk=world.follow_up.pk)
        assert saved.narrative == "Kommunens uppföljning."
        form = response.context["form"]
        assert form["narrative"].value() == "Polisens uppföljning."
        assert form.errors["narrative"] == [
            gettext("Saved meanwhile by %(user)s at %(time)s: %(value)s")
            % {
                "user": world.kommunsamordnare.username,
                "time": saved_at(saved.updated_at),
                "value": "Kommunens uppföljning.",
            }
        ]
        assert form["loaded_at"].value() == saved.updated_at.isoformat()

        response = polis.post(url, form_data(response))
        assert response.status_code == 302
        assert FollowUp.objects.get(pk=world.follow_up.pk).narrative == "Polisens uppföljning."


def test_older_history_records_get_the_figures_of_their_save(world):
    """The migration that added ``measured`` fills it on the records written before: a
    save's figures, written just after its record, belong to that record."""
    fill_measured = importlib.import_module(
        "pledges.migrations.0011_activity_history_measured_values"
    ).fill_measured
    activity = ActivityFactory(commitment=world.joint, date=date(2026, 6, 1))
    MeasurementFactory(activity=activity, quantity="vehicles_checked", value=10)
    activity.save()
    breath = MeasurementFactory(activity=activity, quantity="breath_tests", value=5)
    activity.save()
    breath.delete()
    Activity.history.filter(id=activity.pk).update(measured=None)

    fill_measured(apps, None)

    records = activity.history.order_by("history_date", "history_id")
    assert [r.measured for r in records] == [
        {"vehicles_checked": 10},
        {"vehicles_checked": 10, "breath_tests": 5},
        {"vehicles_checked": 10},
    ]


def test_an_admin_save_of_a_commitment_with_its_lists_is_one_record(client, superuser):
    """A commitment entered on its pledge in the admin, with places, parties and a tag:
    one history record, holding all three lists (not one more per list)."""
    client.force_login(superuser)
    asele = Municipality.objects.get(slug="asele")
    sites = list(Site.objects.filter(municipality=asele)[:2])
    party = Organisation.objects.filter(kind=Organisation.Kind.EXTERNAL).first()
    tag = FocusTag.objects.create(name="Historik")
    data = {
        "municipality": asele.pk,
        "title": "Löfte 2030",
        "valid_from": "2030-01-01",
        "valid_to": "2030-12-31",
        "follow_up_cadence": "tertial",
        "commitments-TOTAL_FORMS": "1",
        "commitments-INITIAL_FORMS": "0",
        "commitments-0-position": "1",
        "commitments-0-text": "Polisen lovar minst 6 trafikkontroller.",
        "commitments-0-responsible": "police",
        "commitments-0-activity_type": "traffic_operation",
        "commitments-0-target_kind": "count",
        "commitments-0-target_value": "6",
        "commitments-0-target_period": "year",
        "commitments-0-unit": "trafikkontroller",
        "commitments-0-change": "new",
        "commitments-0-target_sites": [site.pk for site in sites],
        "commitments-0-external_parties": [party.pk],
        "commitments-0-focus_tags": [tag.pk],
        "dropped-TOTAL_FORMS": "0",
        "dropped-INITIAL_FORMS": "0",
    }
    response = client.post("/admin/pledges/pledge/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    commitment = Commitment.objects.get(pledge__title="Löfte 2030")
    record = commitment.history.get()
    assert record.history_type == "+"
    assert record.history_user == superuser
    assert {row.site_id for row in record.historicalcommitment_target_sites_set.all()} == {
        site.pk for site in sites
    }
    assert record.historicalcommitment_external_parties_set.count() == 1
    assert record.historicalcommitment_focus_tags_set.count() == 1


def test_each_demo_activity_has_one_record_with_its_figures(demo_pledge):
    activities = Activity.objects.filter(commitment__pledge=demo_pledge).prefetch_related(
        "measurements"
    )
    assert activities
    for activity in activities:
        (record,) = activity.history.all()
        assert record.measured == {m.quantity_id: m.value for m in activity.measurements.all()}
