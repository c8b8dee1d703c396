"""Activity types, measured quantities and units become reference data (rows that admins
extend), no longer fixed lists in code: the three tables, and the old text columns made
nullable so that migration 0005 can fill them with the codes of those rows (an empty
unit or quantity becomes NULL). Migration 0006 then turns the columns into foreign keys."""

import django.db.models.deletion
from django.db import migrations, models

CODE_HELP = (
    "A short identifier (letters, digits, - and _) used by the API and the forms; "
    "it cannot be changed later."
)


def counted_noun_fields():
    return [
        (
            "id",
            models.BigAutoField(
                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
            ),
        ),
        (
            "code",
            models.SlugField(help_text=CODE_HELP, unique=True, verbose_name="code"),
        ),
        ("singular_sv", models.CharField(max_length=100, verbose_name="Swedish singular")),
        ("plural_sv", models.CharField(max_length=100, verbose_name="Swedish plural")),
        ("singular_en", models.CharField(max_length=100, verbose_name="English singular")),
        ("plural_en", models.CharField(max_length=100, verbose_name="English plural")),
    ]


class Migration(migrations.Migration):
    dependencies = [("pledges", "0003_no_overlapping_published_pledges_on_postgresql")]

    operations = [
        migrations.CreateModel(
            name="Unit",
            fields=counted_noun_fields(),
            options={
                "verbose_name": "unit",
                "verbose_name_plural": "units",
                "ordering": ["plural_sv"],
            },
        ),
        migrations.CreateModel(
            name="Quantity",
            fields=[
                *counted_noun_fields(),
                (
                    "position",
                    models.PositiveSmallIntegerField(
                        default=0,
                        help_text="Order in the coordinators' form.",
                        verbose_name="position",
                    ),
                ),
            ],
            options={
                "verbose_name": "measured quantity",
                "verbose_name_plural": "measured quantities",
                "ordering": ["position", "code"],
            },
        ),
        migrations.CreateModel(
            name="ActivityType",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "code",
                    models.SlugField(help_text=CODE_HELP, unique=True, verbose_name="code"),
                ),
                ("name_sv", models.CharField(max_length=100, verbose_name="Swedish name")),
                ("name_en", models.CharField(max_length=100, verbose_name="English name")),
                (
                    "position",
                    models.PositiveSmallIntegerField(
                        default=0, help_text="Order in lists.", verbose_name="position"
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        blank=True,
                        help_text=(
                            "What its commitments count, unless a commitment names its own unit."
                        ),
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="activity_types",
                        to="pledges.unit",
                        verbose_name="unit",
                    ),
                ),
                (
                    "quantities",
                    models.ManyToManyField(
                        blank=True,
                        help_text="What coordinators may measure on its activities.",
                        related_name="activity_types",
                        to="pledges.quantity",
                        verbose_name="measured quantities",
                    ),
                ),
            ],
            options={
                "verbose_name": "activity type",
                "verbose_name_plural": "activity types",
                "ordering": ["position", "code"],
            },
        ),
        # Its condition compares the quantity with "", which becomes NULL; 0006 states it
        # again over the foreign key.
        migrations.RemoveConstraint(
            model_name="commitment",
            name="commitment_quantity_only_for_quantity_targets",
        ),
        migrations.AlterField(
            model_name="commitment",
            name="unit",
            field=models.CharField(blank=True, max_length=100, null=True, verbose_name="unit"),
        ),
        migrations.AlterField(
            model_name="historicalcommitment",
            name="unit",
            field=models.CharField(blank=True, max_length=100, null=True, verbose_name="unit"),
        ),
        migrations.AlterField(
            model_name="commitment",
            name="quantity",
            field=models.CharField(
                blank=True, max_length=30, null=True, verbose_name="measured quantity"
            ),
        ),
        migrations.AlterField(
            model_name="historicalcommitment",
            name="quantity",
            field=models.CharField(
                blank=True, max_length=30, null=True, verbose_name="measured quantity"
            ),
        ),
    ]
