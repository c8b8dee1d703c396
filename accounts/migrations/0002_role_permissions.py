"""Give the role groups the permissions of the accounts app: administrators all of them and
those of users (scoped to their municipalities in the admin; never groups: a group's
permissions reach every municipality), coordinators none. The groups are made here if
they do not exist yet: each app brings its own permissions, whichever migrates first.
Self-contained: a migration never imports the application's code, which changes after
it."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

COORDINATORS = ["Polissamordnare", "Kommunsamordnare"]
ADMINISTRATORS = "Administratörer"
COORDINATOR_PERMISSIONS = []
APP_LABELS = ["accounts", "auth"]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations have run; create this app's
    # now, so the groups can be given them on a fresh database.
    for label in APP_LABELS:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    permissions = permission_model.objects.filter(
        content_type__app_label="accounts"
    ) | permission_model.objects.filter(content_type__app_label="auth", content_type__model="user")
    group_model.objects.get_or_create(name=ADMINISTRATORS)[0].permissions.add(*permissions)
    for name in COORDINATORS:
        group = group_model.objects.get_or_create(name=name)[0]
        group.permissions.add(*permissions.filter(codename__in=COORDINATOR_PERMISSIONS))


def revoke(apps, schema_editor):
    permission_model = apps.get_model("auth", "Permission")
    permissions = permission_model.objects.filter(
        content_type__app_label="accounts"
    ) | permission_model.objects.filter(content_type__app_label="auth", content_type__model="user")
    for group in apps.get_model("auth", "Group").objects.filter(
        name__in=[ADMINISTRATORS, *COORDINATORS]
    ):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
