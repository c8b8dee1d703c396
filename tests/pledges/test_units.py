"""Activity types, measured quantities and units are reference data: admins add them,
and a commitment's unit reads right in the page's language and number."""

import importlib
import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.utils import translation

from pledges.models import Activity, ActivityType, Commitment, Measurement, Quantity, Unit
from pledges.reference import load_activity_types
from pledges.services import activity_save
from tests.pledges.factories import (
    ActivityFactory,
    CommitmentFactory,
    MeasurementFactory,
    PledgeFactory,
)

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("pledges.migrations.0005_activity_types_quantities_units_rows")


def text_of(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def in_language(language, function, *args):
    with translation.override(language):
        return function(*args)


@pytest.fixture
def grannsamverkan(db):
    """What an admin adds for "nya områden med Grannsamverkan" (as the admin test does)."""
    unit = Unit.objects.create(
        code="nya-omraden-med-grannsamverkan",
        singular_sv="nytt område med Grannsamverkan",
        plural_sv="nya områden med Grannsamverkan",
        singular_en="new Neighbourhood Watch area",
        plural_en="new Neighbourhood Watch areas",
    )
    households = Quantity.objects.create(
        code="deltagande_hushall",
        singular_sv="deltagande hushåll",
        plural_sv="deltagande hushåll",
        singular_en="participating household",
        plural_en="participating households",
        position=10,
    )
    activity_type = ActivityType.objects.create(
        code="grannsamverkan", name_sv="grannsamverkan", name_en="Neighbourhood Watch", unit=unit
    )
    activity_type.quantities.set([households])
    return activity_type


class TestLabels:
    def test_a_unit_in_swedish_and_english_singular_and_plural(self):
        unit = Unit.objects.get(code="trafikkontroller")
        assert [in_language("sv", unit.label, n) for n in (0, 1, 2)] == [
            "trafikkontroller",
            "trafikkontroll",
            "trafikkontroller",
        ]
        assert [in_language("en", unit.label, n) for n in (0, 1, 2)] == [
            "traffic checks",
            "traffic check",
            "traffic checks",
        ]
        assert in_language("en", str, unit) == "traffic checks"

    def test_a_commitment_counts_its_unit_else_its_quantity_else_its_types(self, grannsamverkan):
        own = CommitmentFactory(unit="trafikkontroller")
        summed = CommitmentFactory(quantity_sum=True, unit=None)
        typed = CommitmentFactory(activity_type=grannsamverkan, unit=None)
        unnamed = ActivityType.objects.create(
            code="ordningsvakter", name_sv="ordningsvakter", name_en="security guards"
        )
        named = CommitmentFactory(activity_type=unnamed, unit=None)
        assert in_language("sv", own.unit_label, 1) == "trafikkontroll"
        assert in_language("en", own.unit_label, 2) == "traffic checks"
        assert in_language("sv", summed.unit_label, 1) == "kontrollerat fordon"
        assert in_language("en", summed.unit_label, 50) == "vehicles checked"
        assert in_language("sv", typed.unit_label, 1) == "nytt område med Grannsamverkan"
        assert in_language("en", typed.unit_label, 3) == "new Neighbourhood Watch areas"
        assert in_language("sv", named.unit_label, 3) == "ordningsvakter"
        assert in_language("en", named.unit_label, 1) == "security guards"

    def test_a_unit_without_english_forms_reads_in_swedish(self):
        unit = Unit.objects.create(code="moten", singular_sv="möte", plural_sv="möten")
        assert in_language("en", unit.label, 1) == "möte"

    def test_the_unit_for_filter(self):
        commitment = CommitmentFactory(unit="trafikkontroller")
        template = Template(
            "{% load units %}{{ c|unit_for:1 }}/{{ c|unit_for:n }}/{{ x|unit_for:1 }}"
        )
        with translation.override("en"):
            html = template.render(Context({"c": commitment, "n": 4, "x": None}))
        assert html == "traffic check/traffic checks/"


class TestPublicPages:
    @pytest.fixture
    def pledge(self, grannsamverkan):
        pledge = PledgeFactory()
        areas = CommitmentFactory(
            pledge=pledge, position=1, activity_type=grannsamverkan, unit=None, target_value=3
        )
        ActivityFactory(commitment=areas)
        one = CommitmentFactory(pledge=pledge, position=2, unit="trafikkontroller", target_value=1)
        ActivityFactory(commitment=one)
        households = CommitmentFactory(
            pledge=pledge,
            position=3,
            activity_type=grannsamverkan,
            target_kind="quantity",
            quantity="deltagande_hushall",
            target_value=40,
            unit=None,
        )
        MeasurementFactory(
            activity=ActivityFactory(commitment=households), quantity="deltagande_hushall", value=12
        )
        MeasurementFactory(
            activity=ActivityFactory(commitment=households), quantity="deltagande_hushall", value=1
        )
        return pledge

    def test_the_year_page_in_swedish(self, client, pledge):
        html = text_of(client.get(f"/kommun/{pledge.municipality.slug}/2017/"))
        assert "1 av 3 nya områden med Grannsamverkan" in html
        assert "1 av 1 trafikkontroll –" in html
        assert "13 av 40 deltagande hushåll" in html
        assert "12 deltagande hushåll" in html
        assert "Typ av aktivitet grannsamverkan" in html

    def test_the_year_page_in_english(self, client, pledge):
        html = text_of(client.get(f"/en/kommun/{pledge.municipality.slug}/2017/"))
        assert "1 of 3 new Neighbourhood Watch areas" in html
        assert "1 of 1 traffic check –" in html
        assert "13 of 40 participating households" in html
        assert "12 participating households" in html
        assert "1 participating household" in html
        assert "Kind of activity Neighbourhood Watch" in html

    def test_the_municipality_page_in_english(self, client, pledge):
        html = text_of(client.get(f"/en/kommun/{pledge.municipality.slug}/"))
        assert "1 of 3 new Neighbourhood Watch areas" in html
        assert "1 of 1 traffic check" in html

    def test_the_api_gives_the_rows_beside_the_old_strings(self, client, pledge):
        data = client.get(f"/api/v1/pledges/{pledge.pk}/").json()
        areas, one, households = sorted(data["commitments"], key=lambda c: c["position"])
        assert areas["activity_type"] == "grannsamverkan"
        assert areas["activity_type_detail"] == {
            "code": "grannsamverkan",
            "name_sv": "grannsamverkan",
            "name_en": "Neighbourhood Watch",
            "unit": {
                "code": "nya-omraden-med-grannsamverkan",
                "singular_sv": "nytt område med Grannsamverkan",
                "plural_sv": "nya områden med Grannsamverkan",
                "singular_en": "new Neighbourhood Watch area",
                "plural_en": "new Neighbourhood Watch areas",
            },
        }
        assert (areas["unit"], areas["unit_detail"], areas["measured_quantity"]) == ("", None, None)
        assert one["unit"] == "trafikkontroller"
        assert one["unit_detail"]["singular_en"] == "traffic check"
        assert households["measured_quantity"]["plural_en"] == "participating households"
        activities = client.get(f"/api/v1/pledges/{pledge.pk}/activities/").json()["results"]
        assert {"deltagande_hushall": 12} in [a["measurements"] for a in activities]

    def test_the_demo_keeps_its_api_strings(self, client, demo_pledge):
        data = client.get(f"/api/v1/pledges/{demo_pledge.pk}/").json()
        units = {c["position"]: (c["activity_type"], c["unit"]) for c in data["commitments"]}
        assert units == {
            1: ("traffic_operation", "trafikinsatser"),
            2: ("training", "utbildningar och informationsträffar"),
            3: ("school_visit", "skolbesök"),
            4: ("information", "informationsinsatser"),
        }


class TestAdmin:
    def test_an_administrator_adds_a_type_with_a_new_quantity_and_unit(self, client, world):
        """Through the admin's add pages, as a municipality's administrator (not a
        superuser); a commitment of the new type then reads right on the public page."""
        client.force_login(world.admin)
        forms = {
            "singular_sv": "nytt område med Grannsamverkan",
            "plural_sv": "nya områden med Grannsamverkan",
            "singular_en": "new Neighbourhood Watch area",
            "plural_en": "new Neighbourhood Watch areas",
            "code": "nya-omraden-med-grannsamverkan",
        }
        assert client.post("/admin/pledges/unit/add/", forms).status_code == 302
        household = {
            "singular_sv": "deltagande hushåll",
            "plural_sv": "deltagande hushåll",
            "singular_en": "participating household",
            "plural_en": "participating households",
            "code": "deltagande_hushall",
            "position": "10",
        }
        assert client.post("/admin/pledges/quantity/add/", household).status_code == 302
        activity_type = {
            "name_sv": "nya områden med Grannsamverkan",
            "name_en": "new Neighbourhood Watch areas",
            "unit": Unit.objects.get(code="nya-omraden-med-grannsamverkan").pk,
            "quantities": [Quantity.objects.get(code="deltagande_hushall").pk],
            "code": "grannsamverkan",
            "position": "9",
        }
        response = client.post("/admin/pledges/activitytype/add/", activity_type)
        assert response.status_code == 302
        added = ActivityType.objects.get(code="grannsamverkan")
        assert [q.code for q in added.quantities.all()] == ["deltagande_hushall"]

        commitment = CommitmentFactory(
            pledge=world.pledge, position=3, activity_type=added, unit=None, target_value=2
        )
        ActivityFactory(commitment=commitment, date=date(2026, 5, 1))
        slug = world.municipality.slug
        assert "1 av 2 nya områden med Grannsamverkan" in text_of(
            client.get(f"/kommun/{slug}/2026/")
        )
        english = text_of(client.get(f"/en/kommun/{slug}/2026/"))
        assert "1 of 2 new Neighbourhood Watch areas" in english

    def test_only_superusers_change_or_remove_a_type(self, client, world, admin_user):
        traffic = ActivityType.objects.get(code="traffic_operation")
        url = f"/admin/pledges/activitytype/{traffic.pk}/change/"
        client.force_login(world.admin)
        assert client.get("/admin/pledges/activitytype/").status_code == 200
        assert 'name="name_sv"' not in client.get(url).content.decode()
        response = client.post(url, {"name_sv": "Ändrat", "name_en": "x", "position": "1"})
        assert response.status_code == 403
        assert client.post(f"/admin/pledges/activitytype/{traffic.pk}/delete/").status_code == 403
        client.force_login(admin_user)
        html = client.get(url).content.decode()
        assert 'name="name_sv"' in html
        # The code is fixed once saved: commitments and measurements refer to it.
        assert 'name="code"' not in html

    def test_an_id_too_large_for_its_column_is_refused_at_the_field(self, client, world):
        client.force_login(world.admin)
        response = client.post(
            "/admin/pledges/activitytype/add/",
            {
                "name_sv": "x",
                "name_en": "x",
                "code": "x",
                "position": "1",
                "quantities": ["99999999999999999999999"],
            },
        )
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["quantities"]
        assert not ActivityType.objects.filter(code="x").exists()

    def test_only_superusers_read_who_changed_a_shared_row(self, client, world, admin_user):
        unit = Unit.objects.get(code="trafikinsatser")
        url = f"/admin/pledges/unit/{unit.pk}/history/"
        client.force_login(world.admin)
        assert client.get(url).status_code == 403
        client.force_login(admin_user)
        assert client.get(url).status_code == 200

    def test_a_used_row_cannot_be_deleted(self, client, admin_user, demo_pledge):
        client.force_login(admin_user)
        traffic = ActivityType.objects.get(code="traffic_operation")
        response = client.post(f"/admin/pledges/activitytype/{traffic.pk}/delete/", {"post": "yes"})
        assert response.status_code == 200
        assert ActivityType.objects.filter(pk=traffic.pk).exists()

    @pytest.mark.parametrize("path", ["unit", "quantity", "activitytype"])
    def test_the_lists_and_add_pages_open(self, client, admin_user, path):
        client.force_login(admin_user)
        assert client.get(f"/admin/pledges/{path}/").status_code == 200
        assert client.get(f"/admin/pledges/{path}/add/").status_code == 200

    def test_the_list_of_types_names_their_quantities_in_constant_queries(
        self, client, admin_user, grannsamverkan, django_assert_num_queries
    ):
        client.force_login(admin_user)
        # savepoint, session, user, savepoint, count twice, release, the types with their
        # units, their quantities, release, and the session's renewal in a savepoint
        with django_assert_num_queries(12):
            html = text_of(client.get("/en/admin/pledges/activitytype/"))
        assert "vehicles checked, breath tests, drug tests, speed checks" in html
        assert "participating households" in html
        for number in range(5):
            extra = ActivityType.objects.create(code=f"extra-{number}", name_sv="x", name_en="x")
            extra.quantities.set(Quantity.objects.all())
        with django_assert_num_queries(12):
            client.get("/en/admin/pledges/activitytype/")


class TestActivityForm:
    """The coordinator's form offers the measured quantities of the promise's type."""

    NEW = "/samordnare/aktiviteter/ny/"

    @pytest.fixture
    def areas(self, world, grannsamverkan):
        return CommitmentFactory(
            pledge=world.pledge, position=3, activity_type=grannsamverkan, unit=None
        )

    def quantity_fields(self, response):
        return set(re.findall(r'name="quantity_(\w+)"', response.content.decode()))

    def test_only_the_types_quantities_labelled_in_the_page_language(self, client, world, areas):
        client.force_login(world.polis)
        swedish = client.get(f"{self.NEW}?commitment={areas.pk}")
        assert self.quantity_fields(swedish) == {"deltagande_hushall"}
        assert ">Deltagande hushåll" in swedish.content.decode()
        english = client.get(f"/en{self.NEW}?commitment={areas.pk}")
        assert ">Participating households" in english.content.decode()
        traffic = client.get(f"{self.NEW}?commitment={world.commitment.pk}")
        assert self.quantity_fields(traffic) == {
            "vehicles_checked",
            "breath_tests",
            "drug_tests",
            "speed_checks",
        }

    def test_before_a_promise_is_chosen_each_quantity_says_its_types(self, client, world, areas):
        client.force_login(world.polis)
        response = client.get(f"/en{self.NEW}")
        assert "deltagande_hushall" in self.quantity_fields(response)
        assert "Only for: Neighbourhood Watch." in text_of(response)

    def test_a_quantity_of_another_type_is_refused_at_its_field(self, client, world, areas):
        client.force_login(world.polis)
        before = Activity.objects.count()
        data = {
            "commitment": areas.pk,
            "status": "done",
            "date": "2026-11-01",
            "quantity_vehicles_checked": "40",
            "quantity_deltagande_hushall": "12",
        }
        response = client.post(f"/en{self.NEW}", data)
        assert response.status_code == 400
        html = response.content.decode()
        error = re.search(r'id="id_quantity_vehicles_checked_error">(.*?)</p>', html, re.S)
        assert "do not measure this" in error.group(1)
        assert "Neighbourhood Watch" in error.group(1)
        assert Activity.objects.count() == before
        data["quantity_vehicles_checked"] = ""
        assert client.post(self.NEW, data).status_code == 302
        saved = Activity.objects.get(commitment=areas)
        assert {(m.quantity_id, m.value) for m in saved.measurements.all()} == {
            ("deltagande_hushall", 12)
        }

    def test_an_unknown_quantity_is_ignored_not_a_500(self, client, world, areas):
        client.force_login(world.polis)
        data = {
            "commitment": areas.pk,
            "status": "done",
            "date": "2026-11-01",
            "quantity_nonsense": "3",
        }
        assert client.post(self.NEW, data).status_code == 302
        assert not Measurement.objects.filter(activity__commitment=areas).exists()

    def test_a_quantity_recorded_before_the_type_changed_stays_editable(self, client, world, areas):
        activity = ActivityFactory(commitment=areas, date=date(2026, 10, 1))
        MeasurementFactory(activity=activity, quantity="participants", value=7)
        client.force_login(world.polis)
        url = f"/samordnare/aktiviteter/{activity.pk}/andra/"
        assert "participants" in self.quantity_fields(client.get(url))
        data = {
            "commitment": areas.pk,
            "status": "done",
            "date": "2026-10-01",
            "version": activity.version,
            "quantity_participants": "",
            "quantity_deltagande_hushall": "5",
        }
        assert client.post(url, data).status_code == 302
        assert {(m.quantity_id, m.value) for m in activity.measurements.all()} == {
            ("deltagande_hushall", 5)
        }

    def test_the_service_refuses_too(self, world, areas):
        with translation.override("en"), pytest.raises(ValidationError, match="do not measure"):
            activity_save(
                user=world.polis,
                values={"commitment": areas, "status": "done", "date": date(2026, 11, 1)},
                organisations=[],
                measurements={"breath_tests": 3},
            )
        assert not Activity.objects.filter(commitment=areas).exists()


class TestCommitment:
    def test_a_drafts_quantity_target_sums_one_of_its_types_quantities(self):
        draft = PledgeFactory(draft=True)
        commitment = CommitmentFactory.build(
            pledge=draft,
            activity_type=ActivityType.objects.get(code="school_visit"),
            target_kind="quantity",
            target_value=50,
            quantity=Quantity.objects.get(code="breath_tests"),
        )
        with pytest.raises(ValidationError) as refused:
            commitment.full_clean()
        assert "quantity" in refused.value.message_dict
        commitment.quantity = Quantity.objects.get(code="participants")
        commitment.full_clean()

    def test_a_published_commitments_type_and_unit_are_promised(self, demo_pledge):
        commitment = Commitment.objects.get(pledge__title="Medborgarlöfte 2018", position=1)
        commitment.full_clean()
        commitment.unit = Unit.objects.get(code="trafikkontroller")
        with pytest.raises(ValidationError) as refused:
            commitment.full_clean()
        assert refused.value.error_dict["__all__"][0].code == "published"

    def test_with_labels_costs_no_query_per_label(self, demo_pledge, django_assert_num_queries):
        with django_assert_num_queries(1):
            labels = [c.unit_label(2) for c in Commitment.objects.with_labels()]
        assert "trafikinsatser" in labels


class TestReferenceRows:
    def test_the_demo_loader_makes_the_rows_the_migration_made(self, empty_db):
        def rows():
            return (
                list(Unit.objects.values_list("code", "singular_sv", "plural_sv", "plural_en")),
                list(Quantity.objects.values_list("code", "singular_sv", "plural_en", "position")),
                [
                    (
                        t.code,
                        t.name_sv,
                        t.name_en,
                        t.unit.code,
                        [q.code for q in t.quantities.all()],
                    )
                    for t in ActivityType.objects.select_related("unit")
                ],
            )

        migrated = rows()
        assert len(migrated[2]) == 8
        ActivityType.objects.all().delete()
        Quantity.objects.all().delete()
        Unit.objects.all().delete()
        assert load_activity_types() == 8
        assert rows() == migrated
        assert load_activity_types() == 8

    def test_each_type_offers_sensible_quantities(self):
        offered = {
            t.code: {q.code for q in t.quantities.all()}
            for t in ActivityType.objects.filter(code__in=MIGRATION_TYPES)
        }
        assert offered["traffic_operation"] == {
            "vehicles_checked",
            "breath_tests",
            "drug_tests",
            "speed_checks",
        }
        assert offered["school_visit"] == {"participants"}
        assert offered["joint_supervision"] == set()
        assert offered["other"] == {q[0] for q in MIGRATION.QUANTITIES}


MIGRATION_TYPES = [row[0] for row in MIGRATION.ACTIVITY_TYPES]


class TestMigrationMapping:
    """How migration 0005 turns an old free-text unit into a unit row."""

    UNITS = [
        ("trafikinsatser", "trafikinsats", "trafikinsatser"),
        ("skolbesok", "skolbesök", "skolbesök"),
        ("trafikkontroller", "trafikkontroll", "trafikkontroller"),
    ]

    @pytest.mark.parametrize(
        ("text", "code"),
        [
            ("trafikinsatser", "trafikinsatser"),
            ("  Trafikinsatser ", "trafikinsatser"),
            ("skolbesök", "skolbesok"),
            ("trafikkontroll", "trafikkontroller"),
            ("skolbesok", None),
            ("insatser", None),
        ],
    )
    def test_a_text_names_the_unit_with_that_swedish_plural_or_singular(self, text, code):
        assert MIGRATION.unit_code_for(text, self.UNITS) == code

    def test_a_new_unit_gets_a_unique_slug(self):
        assert MIGRATION.new_unit_code("Nya områden med Grannsamverkan", set()) == (
            "nya-omraden-med-grannsamverkan"
        )
        assert MIGRATION.new_unit_code("skolbesok", {"skolbesok"}) == "skolbesok-2"
        assert MIGRATION.new_unit_code("skolbesok", {"skolbesok", "skolbesok-2"}) == "skolbesok-3"
        assert MIGRATION.new_unit_code("!!!", set()) == "unit"
        assert len(MIGRATION.new_unit_code("x" * 80, {"x" * 50})) == 50

    def test_every_old_choice_has_a_row(self):
        old_types = {
            "traffic_operation",
            "school_visit",
            "training",
            "information",
            "presence",
            "safety_walk",
            "joint_supervision",
            "other",
        }
        old_quantities = {
            "vehicles_checked",
            "breath_tests",
            "drug_tests",
            "speed_checks",
            "participants",
        }
        assert set(ActivityType.objects.values_list("code", flat=True)) >= old_types
        assert set(Quantity.objects.values_list("code", flat=True)) >= old_quantities
        assert set(MIGRATION_TYPES) == old_types
