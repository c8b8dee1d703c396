"""The shipped activity types, measured quantities and units (reference data that admins
extend in the admin). Migration 0005 creates the same rows on every database; the demo
loads them again when they are missing (after a test has emptied the database)."""

from django.db import transaction

from .models import ActivityType, Quantity, Unit

# code, Swedish singular, Swedish plural, English singular, English plural. A unit's
# code is its Swedish plural as a slug.
UNITS = [
    ("trafikinsatser", "trafikinsats", "trafikinsatser", "traffic operation", "traffic operations"),
    ("skolbesok", "skolbesök", "skolbesök", "school visit", "school visits"),
    (
        "utbildningar-och-informationstraffar",
        "utbildning eller informationsträff",
        "utbildningar och informationsträffar",
        "training or information meeting",
        "training sessions and information meetings",
    ),
    (
        "informationsinsatser",
        "informationsinsats",
        "informationsinsatser",
        "information effort",
        "information efforts",
    ),
    ("narvaroinsatser", "närvaroinsats", "närvaroinsatser", "patrol", "patrols"),
    (
        "trygghetsvandringar",
        "trygghetsvandring",
        "trygghetsvandringar",
        "safety walk",
        "safety walks",
    ),
    (
        "gemensamma-tillsyner",
        "gemensam tillsyn",
        "gemensamma tillsyner",
        "joint inspection",
        "joint inspections",
    ),
    ("aktiviteter", "aktivitet", "aktiviteter", "activity", "activities"),
    ("trafikkontroller", "trafikkontroll", "trafikkontroller", "traffic check", "traffic checks"),
]

# code, Swedish singular, Swedish plural, English singular, English plural
QUANTITIES = [
    (
        "vehicles_checked",
        "kontrollerat fordon",
        "kontrollerade fordon",
        "vehicle checked",
        "vehicles checked",
    ),
    ("breath_tests", "utandningsprov", "utandningsprov", "breath test", "breath tests"),
    ("drug_tests", "drogtest", "drogtester", "drug test", "drug tests"),
    ("speed_checks", "hastighetskontroll", "hastighetskontroller", "speed check", "speed checks"),
    ("participants", "deltagare", "deltagare", "participant", "participants"),
]

TRAFFIC = ["vehicles_checked", "breath_tests", "drug_tests", "speed_checks"]

# code, Swedish name, English name, unit, measured quantities
ACTIVITY_TYPES = [
    ("traffic_operation", "trafikinsats", "traffic operation", "trafikinsatser", TRAFFIC),
    ("school_visit", "skolbesök", "school visit", "skolbesok", ["participants"]),
    (
        "training",
        "utbildning eller informationsträff",
        "training or information meeting",
        "utbildningar-och-informationstraffar",
        ["participants"],
    ),
    (
        "information",
        "informationsinsats",
        "information effort",
        "informationsinsatser",
        ["participants"],
    ),
    (
        "presence",
        "närvaro eller patrullering",
        "presence or patrol",
        "narvaroinsatser",
        ["vehicles_checked", "breath_tests", "drug_tests"],
    ),
    ("safety_walk", "trygghetsvandring", "safety walk", "trygghetsvandringar", ["participants"]),
    (
        "joint_supervision",
        "gemensam tillsyn",
        "joint supervision",
        "gemensamma-tillsyner",
        [],
    ),
    ("other", "annat", "other", "aktiviteter", [*TRAFFIC, "participants"]),
]


def _forms(row):
    _code, singular_sv, plural_sv, singular_en, plural_en = row
    return {
        "singular_sv": singular_sv,
        "plural_sv": plural_sv,
        "singular_en": singular_en,
        "plural_en": plural_en,
    }


@transaction.atomic
def load_activity_types():
    """Create the shipped units, measured quantities and activity types that are missing,
    each type with its unit and quantities. Rows that exist are left as the admins have
    kept them. Idempotent; returns the number of activity types."""
    units = {
        row[0]: Unit.objects.get_or_create(code=row[0], defaults=_forms(row))[0] for row in UNITS
    }
    quantities = {
        row[0]: Quantity.objects.get_or_create(
            code=row[0], defaults={**_forms(row), "position": position}
        )[0]
        for position, row in enumerate(QUANTITIES, 1)
    }
    for position, (code, name_sv, name_en, unit, measured) in enumerate(ACTIVITY_TYPES, 1):
        activity_type, created = ActivityType.objects.get_or_create(
            code=code,
            defaults={
                "name_sv": name_sv,
                "name_en": name_en,
                "unit": units[unit],
                "position": position,
            },
        )
        if created:
            activity_type.quantities.set([quantities[q] for q in measured])
    return ActivityType.objects.count()
