"""Sites of a municipality whose names differ only in case, spaces or punctuation
("Tätorten", "tätorten ", "Tät-orten") are one place: the first registered (lowest id)
is kept, everything that refers to the others (activities, concerns, the places of
commitments, done counts, history) is moved to it, and the others are deleted.

Backwards it does nothing: the merged sites stay merged (which rows were whose is not
kept), and the previous migration's field is simply dropped.
"""

import unicodedata

from django.db import migrations

# A copy of places.models.site_name_key as it was when this migration was written.
SWEDISH_LETTERS = frozenset("åäö")


def site_name_key(name):
    key = []
    for char in unicodedata.normalize("NFKC", name).casefold():
        if char not in SWEDISH_LETTERS:
            char = "".join(
                c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
            )
        key.append("".join(c for c in char if c.isalnum()))
    return "".join(key)


def references_to(apps, Site):
    """(model, field) of every foreign key to a site, history and m2m tables included."""
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is Site:
                yield model, field


def move(model, field, duplicate, kept):
    """Point ``model``'s rows at ``kept`` instead of ``duplicate``; a row that would then
    repeat one the model allows once (a commitment's place, a done count) is merged."""
    rows = model.objects.filter(**{field.attname: duplicate.pk})
    if model._meta.auto_created:
        # A many-to-many row: drop it where the owner already has the kept site.
        (other,) = [
            f for f in model._meta.concrete_fields if f.is_relation and f is not field
        ]
        owners = model.objects.filter(**{field.attname: kept.pk}).values(other.attname)
        rows.filter(**{f"{other.attname}__in": owners}).delete()
    elif model._meta.label_lower == "pledges.progresscount":
        for row in rows:
            same = model.objects.filter(
                commitment_id=row.commitment_id, period_start=row.period_start, site_id=kept.pk
            ).first()
            if same is not None:
                same.done += row.done
                same.quantity += row.quantity
                same.save(update_fields=["done", "quantity"])
                row.delete()
    rows.update(**{field.attname: kept.pk})


def merge(apps, schema_editor):
    Site = apps.get_model("places", "Site")
    references = list(references_to(apps, Site))
    kept = {}
    for site in Site.objects.order_by("pk"):
        key = (site.municipality_id, site_name_key(site.name))
        first = kept.setdefault(key, site)
        if first is site:
            site.name = " ".join(site.name.split())
            site.name_key = key[1]
            site.save(update_fields=["name", "name_key"])
            continue
        for model, field in references:
            move(model, field, site, first)
        site.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0004_site_name_key"),
        ("pledges", "0011_activity_history_measured_values"),
        ("dialogues", "0004_erase_decided_submission_text"),
    ]

    operations = [migrations.RunPython(merge, migrations.RunPython.noop)]
