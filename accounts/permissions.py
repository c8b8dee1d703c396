"""Where a user may act: the municipalities they are a member of, and those they
administer. Other people's municipalities are a 404: they must not learn what exists."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Membership


def memberships_of(user):
    """The user's memberships, loaded once per request and kept on the user object."""
    if not hasattr(user, "_membership_cache"):
        user._membership_cache = list(Membership.objects.for_user(user))
    return user._membership_cache


def membership_in(user, municipality_id):
    return next((m for m in memberships_of(user) if m.municipality_id == municipality_id), None)


def administered_municipality_ids(user):
    """The ids of the municipalities the user administers (as an administrator member);
    None for a superuser, who administers them all."""
    if user.is_superuser:
        return None
    return frozenset(
        m.municipality_id for m in memberships_of(user) if m.role == Membership.Role.ADMIN
    )


def check_member(user, municipality_id):
    """404 unless the user is a member of the municipality: others must not learn it exists."""
    if not user.is_superuser and membership_in(user, municipality_id) is None:
        raise Http404


def check_administers(user, municipality_id):
    """404 unless the user administers the municipality (drafts are theirs alone)."""
    ids = administered_municipality_ids(user)
    if ids is not None and municipality_id not in ids:
        raise Http404


def check_admin_of(user, municipality_id):
    """404 outside the user's municipalities, 403 for a member who does not administer
    this one (superusers administer every municipality)."""
    check_member(user, municipality_id)
    ids = administered_municipality_ids(user)
    if ids is not None and municipality_id not in ids:
        raise PermissionDenied
