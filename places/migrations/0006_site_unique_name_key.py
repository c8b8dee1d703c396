from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0005_merge_near_duplicate_sites"),
    ]

    operations = [
        # The same name is the same key: the new constraint covers the old one.
        migrations.RemoveConstraint(
            model_name="site",
            name="site_unique_municipality_name",
        ),
        migrations.AddConstraint(
            model_name="site",
            constraint=models.UniqueConstraint(
                fields=("municipality", "name_key"),
                name="site_unique_municipality_name_key",
                violation_error_message=(
                    "The municipality already has a place with nearly the same name."
                ),
            ),
        ),
    ]
