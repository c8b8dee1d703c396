"""Who may do what with a commitment: a coordinator acts only in their municipalities, and
only for the commitments their organisation is responsible for (joint ones: both parties)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import Membership
from accounts.permissions import check_member, membership_in

from .models import responsible_parties


def can_act_for(user, commitment):
    """True when the user may log and edit activities and follow-ups for the commitment."""
    if not commitment.pledge.is_public:
        return False
    if user.is_superuser:
        return True
    membership = membership_in(user, commitment.pledge.municipality_id)
    return membership is not None and commitment.responsible in responsible_parties(membership.role)


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
    return notes_readable(
        user,
        municipality_id=activity.commitment.pledge.municipality_id,
        organisation_ids={o.pk for o in activity.organisations.all()},
        logged_for_id=activity.logged_for_id,
        logged_by_id=activity.logged_by_id,
    )


def notes_readable(user, *, municipality_id, organisation_ids, logged_for_id, logged_by_id):
    """``can_read_internal_notes`` over plain values, for lists read as values (the CSV
    export): the same rule, without an Activity instance."""
    if user.is_superuser:
        return True
    membership = membership_in(user, municipality_id)
    if membership is None:
        return False
    if membership.role == Membership.Role.ADMIN:
        return True
    involved = set(organisation_ids) | {logged_for_id}
    return membership.organisation_id in involved or (
        logged_for_id is None and logged_by_id == user.pk
    )
