from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0003_organisation_contact"),
    ]

    operations = [
        # Filled by the next migration, which merges the sites it finds to be one place;
        # the one after makes it unique per municipality.
        migrations.AddField(
            model_name="site",
            name="name_key",
            field=models.CharField(
                default="",
                editable=False,
                help_text="The name without case, spaces or punctuation: one place per key.",
                max_length=200,
                verbose_name="name as compared",
            ),
            preserve_default=False,
        ),
    ]
