"""No input causes a 500 (SPEC §6): malformed years, API format suffixes, NUL characters,
dates far outside any real pledge, and done activities dated in the future."""

from datetime import date

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from dialogues.models import (
    ActionItem,
    Dialogue,
    Indicator,
    IndicatorValue,
    SituationalPicture,
    Submission,
)
from pledges.models import Activity, Agreement, Amendment, FollowUp, Pledge
from pledges.selectors import commitment_reports, pledge_reports
from pledges.validators import sane_date
from tests.pledges.factories import (
    ActivityFactory,
    CommitmentFactory,
    MeasurementFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PledgeFactory,
)

pytestmark = pytest.mark.django_db

TODAY = date(2017, 6, 15)
OUT_OF_RANGE = "Enter a date between Jan. 1, 1990 and Dec. 31, 2100."


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


def hidden_fields(form):
    """The hidden values a browser would send back with the form as rendered."""
    return {
        name: form[name].value()
        for name, field in form.fields.items()
        if field.widget.is_hidden and form[name].value() is not None
    }


def post_form(client, url, data):
    """Post ``data`` as a browser would: with the hidden fields of the rendered form."""
    form = client.get(url).context["form"]
    return client.post(url, {**hidden_fields(form), **data})


def post_admin(client, url, data):
    """Post an admin add form with empty inlines."""
    page = client.get(url)
    management = {}
    for inline in page.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        management |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return client.post(url, {**management, **data})


def field_errors(response, field):
    form = response.context.get("adminform")
    form = form.form if form is not None else response.context["form"]
    return form.errors.get(field, [])


class TestYearPage:
    @pytest.mark.parametrize("year", ["0001", "0999"])
    @pytest.mark.parametrize("prefix", ["", "/en"])
    def test_a_year_no_pledge_can_have_is_404(self, client, year, prefix):
        pledge = PledgeFactory()
        response = client.get(f"{prefix}/kommun/{pledge.municipality.slug}/{year}/")
        assert response.status_code == 404
        assert "404.html" in [t.name for t in response.templates]

    def test_pledges_in_force_during_an_early_year(self):
        PledgeFactory()
        assert list(Pledge.objects.in_year(999)) == []


class TestApiFormatSuffix:
    def test_activities_json_is_the_activities(self, client):
        activity = ActivityFactory()
        pledge = activity.commitment.pledge
        response = client.get(f"/api/v1/pledges/{pledge.pk}/activities.json")
        assert response.status_code == 200
        assert response.json() == client.get(f"/api/v1/pledges/{pledge.pk}/activities/").json()
        assert [a["id"] for a in response.json()["results"]] == [activity.pk]
        # A format the API does not speak is simply not there.
        assert client.get(f"/api/v1/pledges/{pledge.pk}/activities.xml").status_code == 404


class TestNulCharacter:
    """PostgreSQL refuses NUL in any query, so every way in is answered with a 400 page
    before a value reaches the database (on SQLite the same requests would pass)."""

    @pytest.mark.parametrize(
        "path",
        [
            "/?q=%00",
            "/?lan=%00",
            "/kommun/asele%00/",
            "/kommun/asele/?x=a%00b",
            "/api/v1/pledges/?municipality=%00",
            "/api/v1/municipalities/?page=%00",
            "/konto/logga-in/?next=%00",
            "/?%00=1",
        ],
    )
    def test_in_the_address_is_a_400_page(self, client, path):
        PledgeFactory()
        response = client.get(path)
        assert response.status_code == 400
        assert "400.html" in [t.name for t in response.templates]
        assert '<html lang="sv">' in response.content.decode()

    def test_the_400_page_is_english_under_en(self, client):
        response = client.get("/en/?q=%00")
        assert response.status_code == 400
        text = response.content.decode()
        assert '<html lang="en">' in text
        assert "<h1>Bad request</h1>" in text

    def test_in_the_tyck_till_form_saves_nothing(self, client):
        municipality = MunicipalityFactory()
        response = client.post(
            f"/kommun/{municipality.slug}/tyck-till/",
            {"theme": "traffic", "place": "Torget", "message": "Mörkt\x00 vid torget."},
        )
        assert response.status_code == 400
        assert "400.html" in [t.name for t in response.templates]
        assert not Submission.objects.filter(municipality=municipality).exists()

    def test_in_the_login_form(self, client):
        response = client.post("/konto/logga-in/", {"username": "admin\x00", "password": "x"})
        assert response.status_code == 400

    def test_in_a_coordinator_form_saves_nothing(self, admin_client):
        # The form itself would refuse it at the field; the 400 page comes first.
        municipality = MunicipalityFactory()
        response = admin_client.post(
            "/samordnare/dialoger/ny/",
            {
                "municipality": municipality.pk,
                "title": "Öppet\x00 möte",
                "format": "open_meeting",
                "starts_on": "2017-05-01",
            },
        )
        assert response.status_code == 400
        assert "400.html" in [t.name for t in response.templates]
        assert not Dialogue.objects.filter(municipality=municipality).exists()

    @pytest.mark.parametrize(
        "path",
        [
            "/samordnare/aktiviteter/?status=%00",
            "/admin/pledges/pledge/?status=%00",
            "/admin/pledges/activity/?status__exact=%00",
            "/admin/autocomplete/?term=%00&app_label=pledges&model_name=pledge&field_name=revises",
        ],
    )
    def test_in_a_filter_of_the_coordinator_pages_and_the_admin(self, admin_client, path):
        assert admin_client.get(path).status_code == 400

    def test_in_the_session_cookie_the_cookie_is_dropped(self, client):
        client.cookies["sessionid"] = "abcdefgh\x00ijkl"
        response = client.get("/")
        assert response.status_code == 400
        assert response.cookies["sessionid"].value == ""
        assert client.get("/").status_code == 200


@pytest.fixture
def walk():
    municipality = MunicipalityFactory()
    OrganisationFactory(kommun=True, municipality=municipality, name="Testkommunen")
    return Dialogue.objects.create(
        municipality=municipality,
        title="Trygghetsvandring",
        format=Dialogue.Format.SAFETY_WALK,
        starts_on=date(2017, 5, 10),
    )


PICTURE = {
    "title": "Lägesbild 2017",
    "period_start": "2017-01-01",
    "period_end": "2017-12-31",
    "summary": "Trafiken oroar.",
}


class TestDatesInTheCoordinatorForms:
    """Every date is refused at its field outside 1990-01-01 to 2100-12-31, and nothing is
    saved."""

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("starts_on", "0001-01-01"),
            ("starts_on", "9999-12-31"),
            ("starts_on", "1989-12-31"),
            ("ends_on", "9999-12-31"),
            ("ends_on", "2101-01-01"),
        ],
    )
    def test_dialogue(self, admin_client, field, value):
        municipality = MunicipalityFactory()
        data = {
            "municipality": municipality.pk,
            "title": "Öppet möte",
            "format": "open_meeting",
            "starts_on": "2017-05-01",
        }
        response = post_form(admin_client, "/en/samordnare/dialoger/ny/", {**data, field: value})
        assert response.status_code == 400
        assert field_errors(response, field) == [OUT_OF_RANGE]
        assert OUT_OF_RANGE in response.content.decode()
        assert not Dialogue.objects.filter(municipality=municipality).exists()

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("0001-01-01", OUT_OF_RANGE),
            ("9999-12-31", OUT_OF_RANGE),
            ("2017-05-09", "The deadline cannot be before the safety walk (May 10, 2017)."),
        ],
    )
    def test_action_item_deadline(self, admin_client, walk, value, message):
        owner = walk.municipality.organisations.get()
        response = post_form(
            admin_client,
            f"/en/samordnare/dialoger/{walk.pk}/atgarder/ny/",
            {"description": "Byt lampa", "owner": owner.pk, "status": "open", "deadline": value},
        )
        assert response.status_code == 400
        assert field_errors(response, "deadline") == [message]
        assert not ActionItem.objects.filter(dialogue=walk).exists()

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            ({"period_start": "0001-01-01"}, "period_start", OUT_OF_RANGE),
            ({"period_end": "9999-12-31"}, "period_end", OUT_OF_RANGE),
        ],
    )
    def test_situational_picture(self, admin_client, data, field, message):
        municipality = MunicipalityFactory()
        base = {**PICTURE, "municipality": municipality.pk}
        response = post_form(admin_client, "/en/samordnare/lagesbild/ny/", {**base, **data})
        assert response.status_code == 400
        assert field_errors(response, field) == [message]
        assert not SituationalPicture.objects.filter(municipality=municipality).exists()

    @pytest.mark.parametrize("field", ["date", "end_date"])
    def test_planned_activity_of_a_pledge_valid_until_further_notice(self, admin_client, field):
        commitment = CommitmentFactory(pledge=PledgeFactory(valid_to=None))
        data = {
            "commitment": commitment.pk,
            "status": "planned",
            "date": "2017-09-01",
            field: "9999-12-31",
        }
        response = post_form(admin_client, "/en/samordnare/aktiviteter/ny/", data)
        assert response.status_code == 400
        assert field_errors(response, field) == [OUT_OF_RANGE]
        assert not commitment.activities.exists()


class TestDatesInTheAdmin:
    """The range sits on the model fields, so the admin refuses the same dates."""

    def test_pledge(self, admin_client):
        municipality = MunicipalityFactory()
        data = {
            "municipality": municipality.pk,
            "title": "Medborgarlöfte",
            "valid_from": "0001-01-01",
            "signed_on": "9999-12-31",
            "follow_up_cadence": "tertial",
        }
        response = post_admin(admin_client, "/en/admin/pledges/pledge/add/", data)
        assert response.status_code == 200
        assert field_errors(response, "valid_from") == [OUT_OF_RANGE]
        assert field_errors(response, "signed_on") == [OUT_OF_RANGE]
        assert not Pledge.objects.filter(municipality=municipality).exists()

    def test_agreement(self, admin_client):
        municipality = MunicipalityFactory()
        data = {
            "municipality": municipality.pk,
            "police_area": municipality.police_area.pk,
            "title": "Samverkansöverenskommelse",
            "valid_from": "2017-01-01",
            "valid_to": "9999-12-31",
            "signed_on": "0001-01-01",
        }
        response = post_admin(admin_client, "/en/admin/pledges/agreement/add/", data)
        assert response.status_code == 200
        assert field_errors(response, "valid_to") == [OUT_OF_RANGE]
        assert field_errors(response, "signed_on") == [OUT_OF_RANGE]
        assert not Agreement.objects.filter(municipality=municipality).exists()

    def test_agreement_ending_before_it_starts(self, admin_client):
        municipality = MunicipalityFactory()
        data = {
            "municipality": municipality.pk,
            "police_area": municipality.police_area.pk,
            "title": "Samverkansöverenskommelse",
            "valid_from": "2017-01-01",
            "valid_to": "2016-12-31",
        }
        response = post_admin(admin_client, "/en/admin/pledges/agreement/add/", data)
        assert response.status_code == 200
        assert field_errors(response, "valid_to") == ["The end cannot be before the start."]
        assert not Agreement.objects.filter(municipality=municipality).exists()

    def test_situational_picture_ending_before_it_starts(self, admin_client):
        """Said once at the field, in the admin and in the coordinator form alike."""
        municipality = MunicipalityFactory()
        data = {**PICTURE, "municipality": municipality.pk, "period_end": "2016-12-31"}
        message = ["The end cannot be before the start."]
        response = post_admin(admin_client, "/en/admin/dialogues/situationalpicture/add/", data)
        assert response.status_code == 200
        assert field_errors(response, "period_end") == message
        response = post_form(admin_client, "/en/samordnare/lagesbild/ny/", data)
        assert response.status_code == 400
        assert field_errors(response, "period_end") == message
        assert not SituationalPicture.objects.filter(municipality=municipality).exists()

    def test_dialogue(self, admin_client):
        municipality = MunicipalityFactory()
        data = {
            "municipality": municipality.pk,
            "title": "Öppet möte",
            "format": "open_meeting",
            "starts_on": "9999-12-31",
        }
        response = post_admin(admin_client, "/en/admin/dialogues/dialogue/add/", data)
        assert response.status_code == 200
        assert field_errors(response, "starts_on") == [OUT_OF_RANGE]
        assert not Dialogue.objects.filter(municipality=municipality).exists()

    def test_amendment(self, admin_client):
        commitment = CommitmentFactory(pledge=PledgeFactory(valid_to=None))
        data = {
            "commitment": commitment.pk,
            "effective_from": "9999-12-31",
            "new_value": "5",
            "reason": "Fler insatser.",
        }
        response = post_admin(admin_client, "/en/admin/pledges/amendment/add/", data)
        assert response.status_code == 200
        assert field_errors(response, "effective_from") == [OUT_OF_RANGE]
        assert not commitment.amendments.exists()


@pytest.mark.parametrize(
    ("model", "field", "value"),
    [
        (Pledge, "valid_from", date(1, 1, 1)),
        (Pledge, "valid_to", date(9999, 12, 31)),
        (Pledge, "signed_on", date(1989, 12, 31)),
        (Agreement, "valid_from", date(1, 1, 1)),
        (Agreement, "valid_to", date(9999, 12, 31)),
        (Agreement, "signed_on", date(2101, 1, 1)),
        (Activity, "date", date(1, 1, 1)),
        (Activity, "end_date", date(9999, 12, 31)),
        (Amendment, "effective_from", date(9999, 12, 31)),
        (FollowUp, "period_start", date(1, 1, 1)),
        (FollowUp, "period_end", date(9999, 12, 31)),
        (Dialogue, "starts_on", date(1, 1, 1)),
        (Dialogue, "ends_on", date(9999, 12, 31)),
        (ActionItem, "deadline", date(9999, 12, 31)),
        (SituationalPicture, "period_start", date(1, 1, 1)),
        (SituationalPicture, "period_end", date(9999, 12, 31)),
    ],
)
def test_every_recorded_date_is_in_range(model, field, value):
    with pytest.raises(ValidationError) as refused:
        model(**{field: value}).full_clean()
    assert [e.code for e in refused.value.error_dict[field]] == ["date_out_of_range"]


@pytest.mark.parametrize("year", [1, 1989, 2101, 9999])
def test_indicator_years_are_in_range(year):
    indicator = Indicator.objects.create(
        municipality=MunicipalityFactory(),
        name="Trygghetsindex",
        scale_min=0,
        scale_max=6,
        source="x",
    )
    with pytest.raises(ValidationError) as refused:
        IndicatorValue(indicator=indicator, year=year, value=3).full_clean()
    assert list(refused.value.error_dict) == ["year"]


def test_the_range_validator_is_one_shared_deconstructible_value():
    assert sane_date.deconstruct() == ("pledges.validators.DateRangeValidator", (), {})
    for model, field in [(Pledge, "valid_from"), (Dialogue, "starts_on"), (Activity, "date")]:
        assert sane_date in model._meta.get_field(field).validators


class TestFutureDoneActivitiesNeverCount:
    """A done activity dated after the reporting day counts nowhere, however it got into
    the database (the model refuses it; a direct insert or a clock moved back does not)."""

    @pytest.fixture
    def commitment(self):
        commitment = CommitmentFactory(target_value=4)
        ActivityFactory(commitment=commitment, date=date(2017, 3, 1))
        ActivityFactory(commitment=commitment, date=TODAY)
        # Inserted directly: the form and the service would refuse these.
        ActivityFactory(commitment=commitment, date=date(2017, 6, 16))
        ActivityFactory(commitment=commitment, date=date(2017, 11, 1))
        return commitment

    def test_progress(self, commitment):
        (report,) = pledge_reports([commitment.pledge], today=TODAY)
        (judged,) = report.commitments
        assert judged.progress.done == 2
        assert report.overall == pytest.approx(0.5)

    def test_measured_quantity(self):
        commitment = CommitmentFactory(quantity_sum=True, target_value=50)
        MeasurementFactory(activity=ActivityFactory(commitment=commitment), value=20)
        MeasurementFactory(
            activity=ActivityFactory(commitment=commitment, date=date(2017, 7, 1)), value=40
        )
        (report,) = pledge_reports([commitment.pledge], today=TODAY)
        assert report.commitments[0].progress.done == 20

    def test_after_the_clock_moved_back(self, frozen_today):
        commitment = CommitmentFactory(target_value=4)
        frozen_today.move_to(date(2017, 9, 10))
        ActivityFactory(commitment=commitment, date=date(2017, 9, 5)).full_clean()
        frozen_today.move_to(TODAY)
        (report,) = pledge_reports([commitment.pledge], today=TODAY)
        assert report.commitments[0].progress.done == 0

    def test_public_year_page(self, client, commitment):
        path = f"/kommun/{commitment.pledge.municipality.slug}/2017/"
        (report,) = client.get(path).context["reports"]
        (judged,) = report.commitments
        assert judged.progress.done == 2
        assert judged.activity_count == 2
        assert "2 of 4 insatser" in client.get(f"/en{path}").content.decode()

    def test_municipality_page_and_index(self, client, commitment):
        response = client.get(f"/kommun/{commitment.pledge.municipality.slug}/")
        assert response.context["current"].commitments[0].progress.done == 2
        response = client.get("/")
        (report,) = (r for r in response.context["reports"] if r.pledge.pk == commitment.pledge_id)
        assert report.overall == pytest.approx(0.5)

    def test_dashboard(self, client, commitment):
        client.force_login(get_user_model().objects.create_superuser("chef", password="x"))
        reports = client.get("/samordnare/").context["reports"]
        (report,) = (r for r in reports if r.pledge.pk == commitment.pledge_id)
        assert report.commitments[0].progress.done == 2

    def test_api(self, client, commitment):
        data = client.get(f"/api/v1/pledges/{commitment.pledge.pk}/").json()
        assert data["commitments"][0]["progress"]["done"] == 2
        assert data["overall_completion"] == pytest.approx(0.5)
        activities = client.get(f"/api/v1/pledges/{commitment.pledge.pk}/activities/").json()
        assert activities["count"] == 2


class TestFiltersAndNamesTheDatabaseCannotHold:
    @pytest.mark.parametrize(
        "query",
        [
            "valid_from__year=99999",
            "valid_from__month=13",
            "id__in=1,2,99999999999999999999999",
            "id=99999999999999999999999",
            "municipality__id__exact=-99999999999999999999",
        ],
    )
    def test_an_admin_list_reports_a_filter_it_cannot_run(self, client, query):
        superuser = get_user_model().objects.create_superuser("root", "r@example.invalid", "pw")
        client.force_login(superuser)
        for path in ("/admin/pledges/pledge/", "/admin/pledges/agreement/"):
            response = client.get(f"{path}?{query}")
            assert response.status_code in (200, 302), (path, response.status_code)
            if response.status_code == 302:
                assert response["Location"].endswith("?e=1")
        # The session (saved on every request) survived the failed query.
        assert client.get("/admin/pledges/pledge/").status_code == 200

    @pytest.mark.parametrize("path", ["/konto/logga-in/", "/admin/login/"])
    def test_an_overlong_user_name_is_refused_at_the_field(self, client, path):
        response = client.post(path, {"username": "a" * 5000, "password": "x"})
        assert response.status_code == 200
        assert "som mest 150 tecken" in response.content.decode()


@pytest.mark.usefixtures("world_today")
@pytest.mark.parametrize("field", ["site", "organisations"])
def test_an_id_of_non_ascii_digits_is_refused_at_the_field(client, world, field):
    """ "²" passes str.isdigit() but not int(): refused like any other bad id."""
    client.force_login(world.polis)
    response = client.post(
        f"/samordnare/aktiviteter/ny/?commitment={world.commitment.pk}",
        {"commitment": world.commitment.pk, "status": "done", "date": "2026-11-01", field: "²"},
    )
    assert response.status_code == 400
    assert not Activity.objects.filter(date=date(2026, 11, 1)).exists()


@pytest.mark.parametrize("target_period", ["week", "month", "year", "validity"])
def test_a_future_done_activity_never_counts_for_other_pledge_shapes(target_period):
    """A multi-year pledge in progress, with weekly, monthly, yearly and whole-validity
    targets: a done activity dated tomorrow (saved without the validation that refuses
    it) counts in no period, however the validity is cut."""
    today = date(2026, 11, 25)  # a Wednesday
    pledge = PledgeFactory(valid_from=date(2025, 1, 1), valid_to=date(2027, 12, 31))
    commitment = CommitmentFactory(pledge=pledge, target_value=1, target_period=target_period)
    ActivityFactory(commitment=commitment, date=today)
    Activity.objects.create(commitment=commitment, date=date(2026, 11, 26), status="done")
    with time_machine.travel(today):
        (judged,) = commitment_reports([commitment], today=today)
    periods = judged.judged_periods
    assert sum(p.done for p in periods if p.period.start <= today) == 1
    assert all(p.done == 0 for p in periods if p.period.start > today)
