"""Who may do what: a coordinator acts only in their municipalities, and only for the
commitments their organisation is responsible for (joint ones: both parties)."""

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


def can_act_for(user, commitment):
    """True when the user may log and edit activities and follow-ups for the commitment."""
    if not commitment.pledge.is_public:
        return False
    if user.is_superuser:
        return True
    membership = membership_in(user, commitment.pledge.municipality_id)
    return membership is not None and commitment.responsible in membership.parties


def check_member(user, municipality_id):
    """404 unless the user is a member of the municipality: others must not learn it exists."""
    if not user.is_superuser and membership_in(user, municipality_id) is None:
        raise Http404


def check_administers(user, municipality_id):
    """404 unless the user administers the municipality (drafts are theirs alone)."""
    ids = administered_municipality_ids(user)
    if ids is not None and municipality_id not in ids:
        raise Http404


def check_can_act(user, commitment):
    """404 outside the user's municipalities and for drafts (only admins handle those, in
    the admin), 403 for a commitment of another party."""
    check_member(user, commitment.pledge.municipality_id)
    if not commitment.pledge.is_public:
        raise Http404
    if not can_act_for(user, commitment):
        raise PermissionDenied


def can_read_internal_notes(user, activity):
    """True for the members of the organisations that logged the activity or took part in
    it, and for administrators of its municipality: the plan is shared by the parties, an
    activity's internal notes are not. Expects ``activity.organisations`` prefetched."""
    if user.is_superuser:
        return True
    membership = membership_in(user, activity.commitment.pledge.municipality_id)
    if membership is None:
        return False
    if membership.role == Membership.Role.ADMIN:
        return True
    involved = {o.pk for o in activity.organisations.all()} | {activity.logged_for_id}
    return membership.organisation_id in involved or (
        activity.logged_for_id is None and activity.logged_by_id == user.pk
    )
