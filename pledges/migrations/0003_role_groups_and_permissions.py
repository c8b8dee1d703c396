"""Create the role groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from pledges.roles import GROUP_PERMISSIONS, sync_role_groups


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrations; create them now so the groups
    # can refer to them on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_role_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUP_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("pledges", "0002_memberships_follow_ups_and_activity_versions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
