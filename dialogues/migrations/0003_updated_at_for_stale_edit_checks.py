import django.utils.timezone
from django.db import migrations, models


def updated_at():
    return models.DateTimeField(
        auto_now=True, default=django.utils.timezone.now, verbose_name="updated"
    )


class Migration(migrations.Migration):
    dependencies = [("dialogues", "0002_coordinator_permissions")]

    operations = [
        migrations.AddField(
            model_name=model, name="updated_at", field=updated_at(), preserve_default=False
        )
        for model in ("concern", "actionitem", "focusarea")
    ] + [
        migrations.AddField(
            model_name=f"historical{model}",
            name="updated_at",
            field=models.DateTimeField(
                blank=True, editable=False, default=django.utils.timezone.now,
                verbose_name="updated",
            ),
            preserve_default=False,
        )
        for model in ("concern", "actionitem", "focusarea")
    ]
