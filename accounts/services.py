"""Granting and ending memberships, with the role groups and staff status they give."""

from django.db import transaction

from .models import Membership
from .roles import sync_role_groups


@transaction.atomic
def membership_grant(*, user, municipality, organisation, role) -> Membership:
    """Make the user a member of the municipality in a role (or change their role there),
    and bring their role groups and staff status in line with all their memberships. A
    coordinator's organisation must be of their party. Returns the membership."""
    membership = Membership.objects.filter(user=user, municipality=municipality).first()
    membership = membership or Membership(user=user, municipality=municipality)
    membership.organisation = organisation
    membership.role = role
    membership.full_clean()
    membership.save()
    roles_sync(user=user)
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership) -> None:
    """End a membership; the user keeps only the role groups (and the staff status) that
    their remaining memberships give."""
    user = membership.user
    membership.delete()
    roles_sync(user=user)


def roles_sync(*, user) -> None:
    """Put the user in exactly the role groups of their memberships, and make them staff
    exactly when one of them is an administrator's (superusers stay staff). Groups that are
    not role groups are left alone."""
    groups = sync_role_groups()
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    wanted = {groups[Membership.GROUPS[role]] for role in roles}
    user.groups.remove(*(set(groups.values()) - wanted))
    user.groups.add(*wanted)
    is_staff = user.is_superuser or Membership.Role.ADMIN in roles
    if user.is_staff != is_staff:
        # Administrators work in the Django admin; nobody else does.
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
