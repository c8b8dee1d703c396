"""A commitment's activity type, unit and measured quantity, and a measurement's quantity,
become foreign keys to the reference rows (by their code, which the columns already hold
since migration 0005), and the check constraint again says that only a quantity target
names a measured quantity."""

import django.db.models.deletion
from django.db import migrations, models

UNIT_HELP = "What is counted, e.g. “trafikinsatser”; empty: the activity type's unit."
QUANTITY_HELP = "For a target that sums a measured quantity: which one."


def historical(to, verbose_name, help_text=""):
    return models.ForeignKey(
        blank=True,
        db_constraint=False,
        help_text=help_text,
        null=True,
        on_delete=django.db.models.deletion.DO_NOTHING,
        related_name="+",
        to=to,
        to_field="code",
        verbose_name=verbose_name,
    )


class Migration(migrations.Migration):
    dependencies = [("pledges", "0005_activity_types_quantities_units_rows")]

    operations = [
        migrations.AlterField(
            model_name="commitment",
            name="activity_type",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="commitments",
                to="pledges.activitytype",
                to_field="code",
                verbose_name="activity type",
            ),
        ),
        migrations.AlterField(
            model_name="historicalcommitment",
            name="activity_type",
            field=historical("pledges.activitytype", "activity type"),
        ),
        migrations.AlterField(
            model_name="commitment",
            name="unit",
            field=models.ForeignKey(
                blank=True,
                help_text=UNIT_HELP,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="commitments",
                to="pledges.unit",
                to_field="code",
                verbose_name="unit",
            ),
        ),
        migrations.AlterField(
            model_name="historicalcommitment",
            name="unit",
            field=historical("pledges.unit", "unit", UNIT_HELP),
        ),
        migrations.AlterField(
            model_name="commitment",
            name="quantity",
            field=models.ForeignKey(
                blank=True,
                help_text=QUANTITY_HELP,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="commitments",
                to="pledges.quantity",
                to_field="code",
                verbose_name="measured quantity",
            ),
        ),
        migrations.AlterField(
            model_name="historicalcommitment",
            name="quantity",
            field=historical("pledges.quantity", "measured quantity", QUANTITY_HELP),
        ),
        migrations.AlterField(
            model_name="measurement",
            name="quantity",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="measurements",
                to="pledges.quantity",
                to_field="code",
                verbose_name="quantity",
            ),
        ),
        migrations.AlterField(
            model_name="historicalmeasurement",
            name="quantity",
            field=historical("pledges.quantity", "quantity"),
        ),
        migrations.AddConstraint(
            model_name="commitment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("quantity__isnull", False), ("target_kind", "quantity")),
                    models.Q(
                        models.Q(("target_kind", "quantity"), _negated=True),
                        ("quantity__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="commitment_quantity_only_for_quantity_targets",
            ),
        ),
    ]
