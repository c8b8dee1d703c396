"""Give the role groups their share of the new reference data (activity types, measured
quantities, units): administrators all of its permissions, as of every model of the
app, coordinators the right to view it. Self-contained, like 0002_role_permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

COORDINATORS = ["Polissamordnare", "Kommunsamordnare"]
ADMINISTRATORS = "Administratörer"
MODELS = ["activitytype", "quantity", "unit"]
COORDINATOR_PERMISSIONS = [f"view_{model}" for model in MODELS]


def _permissions(apps):
    permission_model = apps.get_model("auth", "Permission")
    return permission_model.objects.filter(
        content_type__app_label="pledges", content_type__model__in=MODELS
    )


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations have run; create them now.
    app_config = apps.get_app_config("pledges")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permissions = _permissions(apps)
    group_model.objects.get_or_create(name=ADMINISTRATORS)[0].permissions.add(*permissions)
    for name in COORDINATORS:
        group = group_model.objects.get_or_create(name=name)[0]
        group.permissions.add(*permissions.filter(codename__in=COORDINATOR_PERMISSIONS))


def revoke(apps, schema_editor):
    for group in apps.get_model("auth", "Group").objects.filter(
        name__in=[ADMINISTRATORS, *COORDINATORS]
    ):
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("pledges", "0006_activity_types_quantities_units_foreign_keys"),
        ("pledges", "0002_role_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
