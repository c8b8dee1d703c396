"""Give the role groups the permissions of the dialogues app."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from pledges.roles import sync_role_groups


def sync_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_role_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("dialogues", "0001_dialogues_concerns_pictures_indicators"),
        ("pledges", "0003_role_groups_and_permissions"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
