"""What needs a coordinator: the items of the daily reminder digest and of the dashboard.

They read pledges and dialogues, so they live here (``reports -> dialogues -> pledges``).
Every item is a count and a link, never the text of an activity, a note or a message:
the digest goes by e-mail, which is not the place for anything operationally sensitive.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import Membership
from pledges import progress
from pledges.models import (
    Activity,
    Commitment,
    FollowUp,
    PeriodVerdict,
    Pledge,
    responsible_parties,
)

from .models import Submission

# A pledge ending within this many days wants its successor drafted.
SUCCESSOR_NOTICE = timedelta(days=60)


@dataclass(frozen=True)
class Reminder:
    """One thing that needs the user in one municipality: how many, and where to go."""

    kind: str
    count: int
    link: str
    municipality: str

    @property
    def text(self):
        return KINDS[self.kind](self.count)


KINDS = {
    "planned_past": lambda n: (
        ngettext(
            "%(count)d planned activity has passed its date.",
            "%(count)d planned activities have passed their date.",
            n,
        )
        % {"count": n}
    ),
    "follow_up_missing": lambda n: (
        ngettext(
            "%(count)d follow-up is missing for an ended reporting period.",
            "%(count)d follow-ups are missing for ended reporting periods.",
            n,
        )
        % {"count": n}
    ),
    "verdict_missing": lambda n: (
        ngettext(
            "%(count)d ended period has no verdict or assessment.",
            "%(count)d ended periods have no verdict or assessment.",
            n,
        )
        % {"count": n}
    ),
    "messages_waiting": lambda n: (
        ngettext(
            "%(count)d Tyck till message is waiting for moderation.",
            "%(count)d Tyck till messages are waiting for moderation.",
            n,
        )
        % {"count": n}
    ),
    "successor_missing": lambda n: str(
        _("The pledge ends within 60 days and no successor has been drafted.")
    ),
}

MODERATORS = (Membership.Role.POLICE_COORDINATOR, Membership.Role.MUNICIPAL_COORDINATOR)


def _scope(memberships):
    """Commitments the memberships act for: their municipality, their role's parties."""
    allowed = Q(pk__in=[])
    for m in memberships:
        allowed |= Q(
            pledge__municipality_id=m.municipality_id,
            responsible__in=responsible_parties(m.role),
        )
    return allowed


def reminders_for(user, today: date, *, memberships=None) -> list[Reminder]:
    """What needs ``user`` on ``today`` in the municipalities they are a member of, as
    ``Reminder`` items ordered by municipality; police coordinators only about police and
    joint promises, municipal coordinators about the municipality's and joint ones.
    Six queries (plus one for the memberships unless given), however many there are."""
    if memberships is None:
        memberships = list(Membership.objects.for_user(user))
    if not memberships:
        return []
    names = {m.municipality_id: m.municipality.name for m in memberships}
    counts = defaultdict(lambda: defaultdict(int))
    pledge_of = {}

    # Each municipality's pledge to follow up: published and in force, else its newest.
    later = Pledge.objects.filter(
        Q(revises=OuterRef("pk"))
        | Q(municipality=OuterRef("municipality"), valid_from__gt=OuterRef("valid_from"))
    )
    pledges = list(
        Pledge.objects.current_or_latest(today)
        .filter(municipality_id__in=names)
        .annotate(has_successor=Exists(later))
    )
    for pledge in pledges:
        pledge_of[pledge.municipality_id] = pledge
        if (
            pledge.status == Pledge.State.PUBLISHED
            and pledge.valid_to is not None
            and today <= pledge.valid_to <= today + SUCCESSOR_NOTICE
            and not pledge.has_successor
        ):
            counts[pledge.municipality_id]["successor_missing"] = 1

    commitments = list(
        Commitment.objects.filter(pledge__in=pledges)
        .filter(_scope(memberships))
        .select_related("pledge")
    )
    ids = [c.pk for c in commitments]
    written = set(
        FollowUp.objects.filter(commitment_id__in=ids).values_list("commitment_id", "period_start")
    )
    judged = set(
        PeriodVerdict.objects.filter(commitment_id__in=ids).values_list(
            "commitment_id", "period_start"
        )
    )
    for commitment in commitments:
        pledge = commitment.pledge
        municipality = pledge.municipality_id
        for period in progress.reporting_periods(
            pledge.valid_from, pledge.end(today), pledge.follow_up_cadence
        ):
            if period.end < today and (commitment.pk, period.start) not in written:
                counts[municipality]["follow_up_missing"] += 1
        assessed = commitment.assessed_status in progress.CLOSED_STATUSES
        for period in commitment.target_periods(today):
            if period.end >= today:
                continue
            unjudged = (commitment.pk, period.start) not in judged
            if unjudged and not (commitment.is_qualitative and assessed):
                counts[municipality]["verdict_missing"] += 1

    planned = Activity.objects.filter(
        status=Activity.Status.PLANNED,
        date__lt=today,
        commitment__pledge__status__in=Pledge.PUBLIC_STATUSES,
        commitment__in=Commitment.objects.filter(_scope(memberships)),
    )
    for row in (
        planned.values("commitment__pledge__municipality_id").annotate(n=Count("pk")).order_by()
    ):
        counts[row["commitment__pledge__municipality_id"]]["planned_past"] = row["n"]

    moderated = [m.municipality_id for m in memberships if m.role in MODERATORS]
    for row in (
        Submission.objects.pending()
        .filter(municipality_id__in=moderated)
        .values("municipality_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[row["municipality_id"]]["messages_waiting"] = row["n"]

    items = []
    for municipality, name in sorted(names.items(), key=lambda item: item[1]):
        for kind in KINDS:
            n = counts[municipality].get(kind, 0)
            if n:
                items.append(Reminder(kind, n, _link(kind, pledge_of.get(municipality)), name))
    return items


def _link(kind, pledge):
    """Where the user deals with a kind of item (a path; the e-mail makes it absolute)."""
    if kind == "planned_past":
        return reverse("pledges:activity_list") + "?status=planned"
    if kind == "messages_waiting":
        return reverse("dialogues:moderation")
    if pledge is not None:
        # The pledge's section of the dashboard, with each promise's follow-up link.
        return reverse("pledges:dashboard") + f"#pledge-{pledge.pk}"
    return reverse("pledges:dashboard")
