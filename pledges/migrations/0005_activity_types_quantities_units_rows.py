"""The fixed lists of before become rows: the eight activity types with their units and
measured quantities, the five measured quantities, and a unit for every free-text unit of
a commitment (the shipped unit whose Swedish plural, else singular, is that text; a new
unit with the text as all of its forms otherwise). The old columns then hold the codes of
those rows, and NULL where they were empty. Historical records keep a unit only when its
text names a unit.

Self-contained: a migration never imports the application's code, which changes after
it (pledges/reference.py holds the same rows for the demo)."""

from collections import defaultdict

from django.db import migrations
from django.utils.text import slugify

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
    ("trygghetsvandringar", "trygghetsvandring", "trygghetsvandringar", "safety walk", "safety walks"),
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
    ("joint_supervision", "gemensam tillsyn", "joint supervision", "gemensamma-tillsyner", []),
    ("other", "annat", "other", "aktiviteter", [*TRAFFIC, "participants"]),
]

CODE_LENGTH = 50


def unit_code_for(text, units):
    """The code of the unit an old free-text unit names, or None. ``units`` are (code,
    Swedish singular, Swedish plural): the plural is matched first, then the singular;
    case and surrounding spaces do not matter."""
    key = text.strip().casefold()
    for index in (2, 1):
        for unit in units:
            if unit[index].strip().casefold() == key:
                return unit[0]
    return None


def new_unit_code(text, taken):
    """A code for a new unit named ``text``: its slug, made unique among ``taken``."""
    base = slugify(text)[:CODE_LENGTH].strip("-") or "unit"
    code, number = base, 2
    while code in taken:
        suffix = f"-{number}"
        code = base[: CODE_LENGTH - len(suffix)] + suffix
        number += 1
    return code


def _forms(row):
    return dict(zip(["singular_sv", "plural_sv", "singular_en", "plural_en"], row[1:], strict=True))


def create_rows(apps):
    unit_model = apps.get_model("pledges", "Unit")
    quantity_model = apps.get_model("pledges", "Quantity")
    type_model = apps.get_model("pledges", "ActivityType")
    units = {row[0]: unit_model.objects.create(code=row[0], **_forms(row)) for row in UNITS}
    quantities = {
        row[0]: quantity_model.objects.create(code=row[0], position=position, **_forms(row))
        for position, row in enumerate(QUANTITIES, 1)
    }
    for position, (code, name_sv, name_en, unit, measured) in enumerate(ACTIVITY_TYPES, 1):
        activity_type = type_model.objects.create(
            code=code, name_sv=name_sv, name_en=name_en, unit=units[unit], position=position
        )
        activity_type.quantities.set([quantities[q] for q in measured])
    return quantities


def convert_commitments(apps):
    """Every commitment's unit text becomes a unit's code; empty units and quantities
    become NULL. Codes of types or quantities the lists did not have (typed into the
    database by hand) get rows of their own, so that no commitment is lost."""
    unit_model = apps.get_model("pledges", "Unit")
    quantity_model = apps.get_model("pledges", "Quantity")
    type_model = apps.get_model("pledges", "ActivityType")
    measurement_model = apps.get_model("pledges", "Measurement")
    commitments = apps.get_model("pledges", "Commitment").objects
    history = apps.get_model("pledges", "HistoricalCommitment").objects

    known_types = set(type_model.objects.values_list("code", flat=True))
    for code in set(commitments.values_list("activity_type", flat=True)) - known_types:
        type_model.objects.create(code=code, name_sv=code, name_en=code, position=99)
    used = {
        *commitments.exclude(quantity="").values_list("quantity", flat=True),
        *measurement_model.objects.values_list("quantity", flat=True),
    }
    for code in used - set(quantity_model.objects.values_list("code", flat=True)):
        quantity_model.objects.create(
            code=code, singular_sv=code, plural_sv=code, singular_en=code, plural_en=code
        )

    units = list(unit_model.objects.values_list("code", "singular_sv", "plural_sv"))
    taken = {unit[0] for unit in units}
    codes = {}
    for text in sorted(set(commitments.exclude(unit="").values_list("unit", flat=True))):
        codes[text] = unit_code_for(text, units)
        if codes[text] is None:
            codes[text] = new_unit_code(text, taken)
            name = text.strip()[:100]
            unit_model.objects.create(
                code=codes[text], singular_sv=name, plural_sv=name, singular_en=name, plural_en=name
            )
            taken.add(codes[text])
            units.append((codes[text], name, name))
    # By primary key: a text may read like the code of another unit.
    _set_units(commitments, "pk", codes)
    commitments.filter(unit="").update(unit=None)
    commitments.filter(quantity="").update(quantity=None)

    history_texts = set(history.exclude(unit=None).values_list("unit", flat=True))
    _set_units(history, "history_id", {text: unit_code_for(text, units) for text in history_texts})
    history.filter(quantity="").update(quantity=None)


def _set_units(rows, key, codes):
    """Give each row the unit ``codes`` maps its unit to (a code, or back a text)."""
    by_code = defaultdict(list)
    for pk, text in rows.filter(unit__in=list(codes)).values_list(key, "unit"):
        by_code[codes[text]].append(pk)
    for code, pks in by_code.items():
        # In chunks: a database limits the parameters of one query.
        for start in range(0, len(pks), 500):
            rows.filter(**{f"{key}__in": pks[start : start + 500]}).update(unit=code)


def forwards(apps, schema_editor):
    create_rows(apps)
    convert_commitments(apps)


def backwards(apps, schema_editor):
    """The codes become texts again (a unit its Swedish plural), NULL the empty text, and
    the rows go."""
    texts = dict(apps.get_model("pledges", "Unit").objects.values_list("code", "plural_sv"))
    for model_name, key in (("Commitment", "pk"), ("HistoricalCommitment", "history_id")):
        model = apps.get_model("pledges", model_name)
        _set_units(model.objects, key, {code: text[:100] for code, text in texts.items()})
        model.objects.filter(unit=None).update(unit="")
        model.objects.filter(quantity=None).update(quantity="")
    for model_name in ("ActivityType", "Quantity", "Unit"):
        apps.get_model("pledges", model_name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("pledges", "0004_activity_types_quantities_units")]

    operations = [migrations.RunPython(forwards, backwards)]
