"""Logging, editing and cancelling activities: what a coordinator sees and what is saved."""

import re
from datetime import date

import pytest
import time_machine
from django.utils.translation import gettext

from places.models import Site
from pledges.forms import SAVED_MEANWHILE_MESSAGE
from pledges.models import Activity, Commitment, Measurement

pytestmark = pytest.mark.django_db

NEW = "/samordnare/aktiviteter/ny/"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(date(2026, 11, 27), tick=False):
        yield


@pytest.fixture
def polis(client_for):
    return client_for("polis")


def commitment(pledge, position):
    return Commitment.objects.get(pledge=pledge, position=position)


def valid_data(pledge, **overrides):
    data = {
        "commitment": commitment(pledge, 1).pk,
        "status": "done",
        "date": "2017-11-25",
        "public_summary": "Hastighetskontroll vid skolan.",
        "internal_notes": "Bilnummer finns i ärendet.",
        "quantity_vehicles_checked": "40",
        "quantity_breath_tests": "38",
        "people_reached": "",
    }
    data.update(overrides)
    return data


def errors_of(response):
    html = response.content.decode()
    return " ".join(re.findall(r'<p class="error" id="id_\w+_error">(.*?)</p>', html, re.S))


class TestLogging:
    def test_logging_a_traffic_operation_moves_the_public_figure(self, polis, demo_pledge):
        before = polis.get("/kommun/asele/2017/").content.decode()
        assert "3 av 4 trafikinsatser" in before
        response = polis.post(NEW, valid_data(demo_pledge))
        assert response.status_code == 302
        activity = Activity.objects.get(public_summary="Hastighetskontroll vid skolan.")
        assert activity.logged_by.username == "polis"
        assert {(m.quantity_id, m.value) for m in activity.measurements.all()} == {
            ("vehicles_checked", 40),
            ("breath_tests", 38),
        }
        after = polis.get("/kommun/asele/2017/").content.decode()
        assert "4 av 4 trafikinsatser" in after
        assert "Hastighetskontroll vid skolan." in after
        assert "Bilnummer finns i ärendet." not in after

    def test_planned_activity_is_in_the_plan_not_public(self, polis, demo_pledge):
        data = valid_data(demo_pledge, status="planned", date="2017-12-20")
        data["public_summary"] = "Planerad julinsats."
        assert polis.post(NEW, data).status_code == 302
        plan = polis.get(f"/samordnare/plan/{demo_pledge.pk}/").content.decode()
        assert "Planerad julinsats." in plan
        public = polis.get("/kommun/asele/2017/").content.decode()
        assert "Planerad julinsats." not in public
        assert "3 av 4 trafikinsatser" in public

    def test_turning_planned_into_done_keeps_history(self, polis, demo_pledge):
        planned = Activity.objects.get(commitment=commitment(demo_pledge, 1), status="planned")
        url = f"/samordnare/aktiviteter/{planned.pk}/andra/"
        data = valid_data(
            demo_pledge, date="2017-12-15", version=planned.version, public_summary="Julinsats."
        )
        assert polis.post(url, data).status_code == 302
        planned.refresh_from_db()
        assert planned.status == "done"
        assert planned.version == 2
        statuses = [h.status for h in planned.history.order_by("history_id")]
        assert (statuses[0], statuses[-1]) == ("planned", "done")
        detail = polis.get(f"/samordnare/aktiviteter/{planned.pk}/").content.decode()
        history = detail[detail.index("<h2>Historik</h2>") :]
        assert "polis:" in history
        assert "Status: planerad → genomförd" in history
        assert "Kontrollerade fordon: – → 40" in history
        assert "Offentlig sammanfattning: Julinsats mot rattonykterhet. → Julinsats." in history
        assert "4 av 4 trafikinsatser" in polis.get("/kommun/asele/2017/").content.decode()

    def test_cancel_keeps_the_activity_and_it_stops_counting(self, polis, demo_pledge):
        activity = Activity.objects.filter(commitment=commitment(demo_pledge, 1), status="done")[0]
        url = f"/samordnare/aktiviteter/{activity.pk}/stall-in/"
        response = polis.post(url, {"version": activity.version, "reason": "Fel datum."})
        assert response.status_code == 302
        activity.refresh_from_db()
        assert activity.status == "cancelled"
        assert "Fel datum." in activity.internal_notes
        assert "2 av 4 trafikinsatser" in polis.get("/kommun/asele/2017/").content.decode()
        # A cancelled activity cannot be edited any more.
        response = polis.get(f"/samordnare/aktiviteter/{activity.pk}/andra/")
        assert response.status_code == 302
        edit = polis.post(
            f"/samordnare/aktiviteter/{activity.pk}/andra/",
            valid_data(demo_pledge, version=activity.version),
        )
        assert edit.status_code == 400
        activity.refresh_from_db()
        assert activity.status == "cancelled"


class TestBadInput:
    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"date": "2018-02-01"}, "Datumet måste ligga inom medborgarlöftets giltighetstid"),
            ({"date": "2016-12-31"}, "Datumet måste ligga inom medborgarlöftets giltighetstid"),
            ({"date": "31/12/2017"}, "Fyll i ett giltigt datum"),
            ({"date": ""}, "Det här fältet är obligatoriskt"),
            ({"end_date": "2017-11-01"}, "Slutdatumet kan inte vara före datumet"),
            ({"quantity_vehicles_checked": "-3"}, "större än eller lika med 0"),
            ({"quantity_vehicles_checked": "2.5"}, "Fyll i ett heltal"),
            ({"quantity_vehicles_checked": "99999999999"}, "mindre än eller lika med 1000000"),
            ({"people_reached": "-1"}, "större än eller lika med 0"),
            ({"public_summary": "x" * 2001}, "som mest 2000 tecken"),
            ({"internal_notes": "x" * 5001}, "som mest 5000 tecken"),
            ({"status": "cancelled"}, "Välj ett giltigt alternativ"),
            ({"commitment": "999999"}, "Välj ett giltigt alternativ"),
            ({"commitment": "abc"}, "Välj ett giltigt alternativ"),
            ({"commitment": "99999999999999999999999"}, "Välj ett giltigt alternativ"),
            ({"site": "99999999999999999999999"}, "Välj ett giltigt alternativ"),
            ({"organisations": "99999999999999999999999"}, "inte ett giltigt värde"),
            ({"organisations": "-1"}, "inte ett giltigt värde"),
            ({"end_date": "2030-01-01"}, "Slutdatumet måste ligga inom medborgarlöftets"),
            ({"date": "10/3/17"}, "Fyll i ett giltigt datum"),
        ],
    )
    def test_rejected_with_message_at_field_and_nothing_saved(
        self, polis, demo_pledge, overrides, message
    ):
        before = (Activity.objects.count(), Measurement.objects.count())
        response = polis.post(NEW, valid_data(demo_pledge, **overrides))
        assert response.status_code == 400
        assert message in errors_of(response)
        html = response.content.decode()
        # The form keeps what was typed in the other fields.
        kept = "Hastighetskontroll" if "public_summary" not in overrides else "Bilnummer finns"
        assert kept in html
        assert 'value="38"' in html
        assert (Activity.objects.count(), Measurement.objects.count()) == before

    def test_done_activity_cannot_be_in_the_future(self, polis, demo_pledge):
        pledge = demo_pledge
        pledge.valid_to = date(2027, 12, 31)
        pledge.save()
        response = polis.post(NEW, valid_data(pledge, date="2026-12-01"))
        assert response.status_code == 400
        assert "kan inte dateras i framtiden" in errors_of(response)
        planned = polis.post(NEW, valid_data(pledge, date="2026-12-01", status="planned"))
        assert planned.status_code == 302

    def test_site_must_be_in_the_commitments_municipality(self, polis, demo_pledge):
        elsewhere = Site.objects.create(
            municipality=demo_pledge.municipality.county.municipalities.exclude(
                pk=demo_pledge.municipality_id
            ).first(),
            name="Annan skola",
        )
        response = polis.post(NEW, valid_data(demo_pledge, site=elsewhere.pk))
        assert response.status_code == 400
        assert "Välj ett giltigt alternativ" in errors_of(response)

    def test_per_site_commitment_requires_one_of_its_sites(self, polis, demo_pledge):
        schools = commitment(demo_pledge, 3)
        # School visits measure participants, not vehicles checked or breath tests.
        visit = {
            "commitment": schools.pk,
            "quantity_vehicles_checked": "",
            "quantity_breath_tests": "",
            "quantity_participants": "25",
        }
        response = polis.post(NEW, valid_data(demo_pledge, **visit))
        assert response.status_code == 400
        assert "räknas per plats" in errors_of(response)
        centre = Site.objects.get(name="Åsele centrum")
        response = polis.post(NEW, valid_data(demo_pledge, site=centre.pk, **visit))
        assert "Välj en av de platser" in errors_of(response)
        school = Site.objects.get(name="Gafsele skola")
        response = polis.post(NEW, valid_data(demo_pledge, site=school.pk, **visit))
        assert response.status_code == 302

    def test_stale_edit_is_refused_and_input_kept(self, polis, demo_pledge):
        activity = Activity.objects.filter(commitment=commitment(demo_pledge, 1), status="done")[0]
        url = f"/samordnare/aktiviteter/{activity.pk}/andra/"
        stale_version = activity.version
        first = valid_data(demo_pledge, date="2017-03-18", version=stale_version)
        first["public_summary"] = "Första ändringen."
        assert polis.post(url, first).status_code == 302
        second = valid_data(demo_pledge, date="2017-03-18", version=stale_version)
        second["public_summary"] = "Andra ändringen."
        response = polis.post(url, second)
        assert response.status_code == 400
        html = response.content.decode()
        assert str(SAVED_MEANWHILE_MESSAGE) in html
        assert "Andra ändringen." in html
        activity.refresh_from_db()
        assert activity.public_summary == "Första ändringen."

    def test_errors_in_english_under_en(self, polis, demo_pledge):
        response = polis.post("/en" + NEW, valid_data(demo_pledge, date="2018-02-01"))
        assert response.status_code == 400
        assert "The date must lie within the pledge" in errors_of(response)

    def test_csrf_protection_is_on(self, demo_pledge):
        from django.contrib.auth import get_user_model
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(get_user_model().objects.get(username="polis"))
        before = Activity.objects.count()
        assert client.post(NEW, valid_data(demo_pledge)).status_code == 403
        assert Activity.objects.count() == before


class TestListAndFilters:
    def test_filters_by_commitment_status_and_month(self, polis, demo_pledge):
        schools = commitment(demo_pledge, 3)
        html = polis.get(
            "/samordnare/aktiviteter/",
            {"commitment": schools.pk, "status": "done", "month": "2017-10"},
        ).content.decode()
        assert "1 aktivitet" in html
        assert "2017-10-03" in html

    @pytest.mark.parametrize(
        "params",
        [
            {"month": "2017-13"},
            {"status": "x"},
            {"commitment": "zz"},
            {"page": "abc"},
            {"page": "99"},
        ],
    )
    def test_bad_filters_are_not_errors(self, polis, demo_pledge, params):
        assert polis.get("/samordnare/aktiviteter/", params).status_code == 200


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/samordnare/aktiviteter/ny/?lofte=7", "/samordnare/aktiviteter/ny/?commitment=7"),
        (
            "/samordnare/aktiviteter/?status=done&sida=2",
            "/samordnare/aktiviteter/?status=done&page=2",
        ),
    ],
)
def test_the_old_swedish_query_parameters_redirect_to_the_english_ones(client_for, old, new):
    response = client_for("polis").get(old)
    assert response.status_code == 301
    assert response["Location"] == new


class TestQuickLogging:
    """Logging from the dashboard in seconds: everything known is filled in."""

    def test_dashboard_links_each_promise_to_its_prefilled_form(self, polis, demo_pledge):
        html = polis.get("/samordnare/").content.decode()
        assert f">{gettext('Log a done activity')}<" in html

    def test_form_is_prefilled_with_organisation_date_status_and_only_site(
        self, polis, demo_pledge
    ):
        walk = Commitment.objects.create(
            pledge=demo_pledge,
            position=9,
            text="Vi lovar trygghetsvandringar vid torget.",
            responsible="joint",
            activity_type_id="safety_walk",
            target_kind="qualitative",
        )
        site = Site.objects.filter(municipality=demo_pledge.municipality).first()
        walk.target_sites.set([site])
        response = polis.get(f"{NEW}?commitment={walk.pk}")
        form = response.context["form"]
        membership = polis.get("/samordnare/").wsgi_request.user.memberships.get()
        assert form.initial["organisations"] == [membership.organisation_id]
        assert form.initial["site"] == site
        assert form.initial["status"] == "done"
        # The pledge ended in 2017: its last day, not today.
        assert form.initial["date"] == demo_pledge.end(date(2026, 11, 27))
        # A safety walk counts participants: no second field for the same number.
        assert "quantity_participants" in form.fields
        assert "people_reached" not in form.fields
        html = response.content.decode()
        assert gettext("Save and log another") in html

    def test_save_and_log_another_reopens_the_form_for_the_same_promise(self, polis, demo_pledge):
        data = valid_data(demo_pledge, save_another="1")
        response = polis.post(NEW, data)
        assert response.status_code == 302
        assert response["Location"] == f"{NEW}?commitment={data['commitment']}"
        assert Activity.objects.filter(public_summary=data["public_summary"]).count() == 1

    def test_copy_starts_from_an_earlier_activity(self, polis, demo_pledge):
        source = Activity.objects.filter(
            commitment=commitment(demo_pledge, 1), status="done"
        ).first()
        Measurement.objects.update_or_create(
            activity=source, quantity_id="breath_tests", defaults={"value": 17}
        )
        response = polis.get(f"{NEW}?copy={source.pk}")
        assert response.status_code == 200
        initial = response.context["form"].initial
        assert initial["commitment"] == source.commitment
        assert initial["public_summary"] == source.public_summary
        assert initial["quantity_breath_tests"] == 17
        assert initial["status"] == "done"
        assert "internal_notes" not in initial
        assert (
            'href="/samordnare/aktiviteter/ny/?copy='
            in polis.get(f"/samordnare/aktiviteter/{source.pk}/").content.decode()
        )

    def test_mark_as_done_opens_the_edit_form_with_done_preset(self, polis, demo_pledge):
        planned = Activity.objects.filter(
            commitment=commitment(demo_pledge, 1), status="planned"
        ).first()
        plan = polis.get(f"/samordnare/plan/{demo_pledge.pk}/").content.decode()
        url = f"/samordnare/aktiviteter/{planned.pk}/andra/?status=done"
        assert url.replace("&", "&amp;") in plan
        assert gettext("Mark as done") in plan
        form = polis.get(url).context["form"]
        assert form["status"].value() == "done"
        assert form["date"].value() == planned.date
        response = polis.post(
            url,
            {
                "commitment": planned.commitment_id,
                "status": "done",
                "date": planned.date.isoformat(),
                "version": planned.version,
                "public_summary": "Genomförd som planerat.",
            },
        )
        assert response.status_code == 302
        planned.refresh_from_db()
        assert planned.status == "done"
        assert planned.history.filter(status="planned").exists()
        assert planned.history.latest().status == "done"
