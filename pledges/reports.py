"""What a page can show of pledges and commitments: the typed results of
``pledges.selectors``, read-only and computed as of one reporting day.

A view reads the reporting day once (today, or a date from the URL) and passes it to a
selector, which returns these dataclasses; templates read their fields and properties and
never call the database. Model instances inside them (``commitment``, ``pledge``) carry
only what the selector loaded: the fields of the model and the prefetches it names.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from .models import Commitment, FollowUp, PeriodVerdict, Pledge, Quantity
from .progress import Period, Progress, Status, Summary, overall


@dataclass(frozen=True)
class PublicActivity:
    """A done activity as a citizen sees it: never its internal notes, nor who logged it."""

    pk: int
    commitment_id: int
    date: date
    end_date: date | None
    site: str
    """The name of its place; empty when it has none."""

    public_summary: str
    people_reached: int | None
    measurements: tuple[tuple[Quantity, int], ...]
    """Its measured quantities as (quantity, value), by the quantities' codes."""


@dataclass(frozen=True)
class PublicActivityPage:
    """One page of a commitment's public activities in a span, newest first."""

    activities: tuple[PublicActivity, ...]
    number: int
    """The page's number, from 1."""

    count: int
    """How many public activities the span has in all."""

    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        """The position of its first activity in the whole list, from 1."""
        return (self.number - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        """The position of its last activity in the whole list."""
        return self.first_index + len(self.activities) - 1


@dataclass(frozen=True)
class VerdictReport:
    """A published justification of the verdict of an ended target period."""

    verdict: PeriodVerdict
    """The justification, with ``period``, ``justification`` and ``done_when_written``."""

    outdated: bool
    """True when it was written against another done count than the one shown now."""


@dataclass(frozen=True)
class CommitmentReport:
    """One commitment and how it stands on the reporting day.

    The first three fields are always set; the others only by the selectors of the pages
    that show them (empty otherwise)."""

    commitment: Commitment
    """The commitment, with ``pledge`` loaded."""

    progress: Progress
    """The current target period on the reporting day (before the first, the first; after
    the last, the last), with done, target, expected, status and, for per-site targets,
    the ``sites`` table."""

    summary: Summary
    """The headline: the commitment over the whole run of its periods (periods met of
    periods in the validity, or the one period's figure). Every surface shows this."""

    periods: tuple[Progress, ...]
    """The target periods the page lists, oldest first, when the target has several;
    empty when it has one."""

    previous: CommitmentReport | None = None
    """How the commitment it carries on fared in the revised pledge ("What has changed?"
    on the year page); None for a new one, or where the page shows no lineage."""

    latest_activities: tuple[PublicActivity, ...] = ()
    """The newest public activities of the page's span, newest first (the year page: the
    dates of the target periods that overlap its year)."""

    activity_count: int = 0
    """How many public activities the span has in all (their page lists them all)."""

    quantity_totals: tuple[tuple[Quantity, int], ...] = ()
    """The sum of each quantity measured on the span's public activities, as (quantity,
    total), by the quantities' codes (the year page)."""

    focus_tags: tuple[str, ...] = ()
    """The names of its focus tags (the year page)."""

    external_parties: tuple[str, ...] = ()
    """The names of the external parties it is promised with (the year page)."""

    follow_ups: tuple[FollowUp, ...] = ()
    """Published follow-up narratives, by reporting period (the year page)."""

    verdicts: tuple[VerdictReport, ...] = ()
    """Published justifications of ended periods' verdicts (the year page)."""

    can_act: bool = False
    """True when the user may log activities and write follow-ups for it (the dashboard)."""

    @property
    def judged_periods(self) -> tuple[Progress, ...]:
        """Every period begun by the reporting day, oldest first."""
        return self.summary.periods


@dataclass(frozen=True)
class DroppedReport:
    """A commitment of the revised pledge that the revision does not carry on."""

    reason: str
    """The public reason it was dropped."""

    previous: CommitmentReport
    """The dropped commitment and how it fared."""


@dataclass(frozen=True)
class Lineage:
    """What a revision changed ("What has changed?"). What became of each carried-on
    commitment is in its report's ``previous``."""

    dropped: tuple[DroppedReport, ...]
    """The revised pledge's commitments that were not carried on."""


@dataclass(frozen=True)
class PledgeReport:
    """A pledge and how its commitments stand on the reporting day."""

    pledge: Pledge
    """The pledge, with ``municipality`` loaded where the page links to it."""

    on: date
    """The reporting day: what was done by then counts, and it decides whether the pledge
    is current and how far one valid until further notice runs."""

    commitments: tuple[CommitmentReport, ...]
    """Its commitments in the published order."""

    lineage: Lineage | None = None
    """What it changed from the pledge it revises (the year page); None when it revises
    none, or where the page shows no lineage."""

    anchor: str = "lofte"
    """How its promises' anchors on the page begin: "lofte-4" is promise 4 (its published
    number) of the page's newest pledge; another pledge on the same page prefixes its id."""

    @cached_property
    def overall(self) -> float | None:
        """Mean completion of the commitments with a numeric target; None when none has."""
        return overall(c.summary.completion for c in self.commitments)

    @property
    def is_current(self) -> bool:
        """Published and in force on the reporting day."""
        return self.pledge.is_current(self.on)

    @property
    def years(self) -> list[int]:
        """The years it runs through, each with its own page."""
        return self.pledge.years(self.on)

    @property
    def status_counts(self) -> list[tuple[Status, int]]:
        """How many commitments have each status, in the order of ``Status``."""
        counts = Counter(c.summary.status for c in self.commitments)
        return [(status, counts[status]) for status in Status if counts[status]]


@dataclass(frozen=True)
class PeriodTexts:
    """One commitment in the follow-up of one reporting period: its figure in the period,
    the activities done in it, and the texts written for it."""

    commitment: Commitment
    """The commitment, with ``pledge`` loaded."""

    summary: Summary | None
    """Its figure in the reporting period: over its target periods that end in it (the
    period's weeks, months, terms, or a year that ends in it), or when none does, the one
    that holds its last day (a year followed per tertial); judged as of that day, or
    today while it runs. None when none has begun."""

    activities: tuple[PublicActivity, ...]
    """The newest done activities of the reporting period (up to the reporting day)."""

    activity_count: int
    """How many done activities the reporting period has in all."""

    follow_up: FollowUp | None
    """The follow-up written for the reporting period, published or not; None if none."""

    verdicts: tuple[tuple[Progress, PeriodVerdict | None], ...]
    """The ended target periods whose verdict the coordinators justify in this reporting
    period (``progress.needs_justification``, or one already justified), each with its
    justification (None if none yet), judged as of the reporting day."""

    can_act: bool = False
    """True when the user may write its texts."""

    @property
    def more(self) -> int:
        """How many done activities of the period are not listed."""
        return self.activity_count - len(self.activities)


@dataclass(frozen=True)
class ReportingPeriodState:
    """A reporting period of a pledge and how far its follow-ups have come."""

    period: Period
    published: int
    """Commitments with a published follow-up of the period."""

    drafts: int
    """Commitments with a follow-up not yet published."""

    missing: int
    """Commitments without a follow-up."""

    begun: bool
    """True once the period has begun (only then can it be followed up)."""

    ended: bool


@dataclass(frozen=True)
class HistoryEntry:
    """One save of an activity as a coordinator reads it: when, who, what kind of change
    and each field it changed (organisations and measured values included), with its old
    and new value as text. Fields the save left alone are not listed."""

    CREATED = "created"
    CHANGED = "changed"
    CANCELLED = "cancelled"
    DELETED = "deleted"

    when: datetime
    user: object
    """Who saved (a user), or None when unknown."""
    kind: str
    changes: tuple[tuple[str, str, str], ...]
    """(field label, old value, new value), in the form's order."""
    reason: str = ""
    """Why it was cancelled, when said (internal)."""


@dataclass(frozen=True)
class SavedMeanwhile:
    """What others saved of an activity since a form of it was loaded: who saved last
    and when, its version now, and its values (the form's fields: ``organisations`` a
    set of ids, ``measured`` quantity code to value) as the form loaded them (None when
    the history does not tell) and as they are now, these also as text."""

    user: object
    when: datetime
    version: int
    loaded: dict | None
    now: dict
    shown: dict
    """The values now as a coordinator reads them; ``measured`` by quantity code."""
