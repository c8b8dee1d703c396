"""The auth groups behind the membership roles, and their permissions. Each app's
migration ``0002_role_permissions`` gives the groups that app's share on a new database;
``sync_role_groups`` keeps them so whenever a membership is granted."""

from django.contrib.auth.models import Group, Permission

COORDINATOR_PERMISSIONS = [
    "view_pledge",
    "view_commitment",
    "view_site",
    "add_activity",
    "change_activity",
    "view_activity",
    "add_measurement",
    "change_measurement",
    "view_measurement",
    "add_followup",
    "change_followup",
    "view_followup",
    "add_periodverdict",
    "change_periodverdict",
    "view_periodverdict",
    "view_activitytype",
    "view_quantity",
    "view_unit",
    # dialogues
    "add_dialogue",
    "change_dialogue",
    "view_dialogue",
    "add_concern",
    "change_concern",
    "delete_concern",
    "view_concern",
    "add_actionitem",
    "change_actionitem",
    "view_actionitem",
    "add_situationalpicture",
    "change_situationalpicture",
    "view_situationalpicture",
    "add_focusarea",
    "change_focusarea",
    "view_focusarea",
    "add_indicatorvalue",
    "change_indicatorvalue",
    "view_indicator",
    "view_indicatorvalue",
    "change_submission",
    "view_submission",
]

POLICE_COORDINATORS = "Polissamordnare"
MUNICIPAL_COORDINATORS = "Kommunsamordnare"
ADMINISTRATORS = "Administratörer"

GROUP_PERMISSIONS = {
    POLICE_COORDINATORS: COORDINATOR_PERMISSIONS,
    MUNICIPAL_COORDINATORS: COORDINATOR_PERMISSIONS,
    # Every permission of our apps, and users (scoped to their municipalities in the
    # admin). Never groups: a group's permissions reach every municipality.
    ADMINISTRATORS: None,
}


def sync_role_groups():
    """Create or update the three role groups with exactly their permissions. Returns the
    groups by name."""
    groups = {}
    for name, codenames in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        if codenames is None:
            permissions = Permission.objects.filter(
                content_type__app_label__in=["places", "accounts", "pledges", "dialogues"]
            ) | Permission.objects.filter(
                content_type__app_label="auth", content_type__model="user"
            )
        else:
            permissions = Permission.objects.filter(
                content_type__app_label__in=["places", "pledges", "dialogues"],
                codename__in=codenames,
            )
        group.permissions.set(permissions)
        groups[name] = group
    return groups
