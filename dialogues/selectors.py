"""Reads that trace concerns to focus areas to commitments, for the public pages."""

from collections import defaultdict
from dataclasses import dataclass, replace

from django.db.models import Prefetch

from pledges.models import Activity, Commitment, Pledge
from pledges.selectors import commitment_reports

from .charts import Chart, line_chart
from .models import Concern, Dialogue, FocusArea, Indicator, IndicatorValue, SituationalPicture


@dataclass(frozen=True)
class IndicatorReport:
    """An indicator of the expected effects, as the year page shows it."""

    indicator: Indicator
    """The indicator: name, unit, source and scale."""

    values: tuple[IndicatorValue, ...]
    """Its values, by year."""

    chart: Chart | None
    """The line chart of the values on the indicator's scale; None without values."""


def public_concerns():
    """Concerns of published dialogues, as ``public_concerns``."""
    return Prefetch(
        "concerns",
        queryset=Concern.objects.filter(dialogue__is_published=True).select_related("dialogue"),
        to_attr="public_concerns",
    )


def why_commitments_exist():
    """Prefetch for commitments: the focus areas of published situational pictures that
    they answer (``public_focus_areas``), each with its public concerns. Two queries."""
    return Prefetch(
        "focus_areas",
        queryset=FocusArea.objects.filter(picture__is_published=True).prefetch_related(
            public_concerns()
        ),
        to_attr="public_focus_areas",
    )


def current_picture(municipality):
    """The newest published situational picture of the municipality, with its dialogues
    and focus areas, each focus area with its public concerns and public commitments;
    None when there is none. Five queries."""
    return (
        SituationalPicture.objects.published()
        .filter(municipality=municipality)
        .prefetch_related(
            Prefetch(
                "dialogues", queryset=Dialogue.objects.published(), to_attr="public_dialogues"
            ),
            Prefetch(
                "focus_areas",
                queryset=FocusArea.objects.prefetch_related(
                    public_concerns(),
                    Prefetch(
                        "commitments",
                        queryset=Commitment.objects.filter(
                            pledge__status__in=Pledge.PUBLIC_STATUSES
                        ).select_related("pledge__municipality"),
                        to_attr="public_commitments",
                    ),
                ),
            ),
        )
        .first()
    )


def dialogue_trace(dialogue, *, today, latest=3):
    """For a published dialogue ("Ni sa – vi gjorde"), as of ``today``: its concerns, each
    with the focus areas of published pictures behind which it stands
    (``public_focus_areas``) and the public commitments that answer them
    (``public_commitments``); and a ``CommitmentReport`` of each of those commitments, with
    its ``latest`` public activities first and the others as ``earlier_activities``.

    Returns (concerns, commitment reports) in a constant number of queries.
    """
    concerns = list(
        dialogue.concerns.prefetch_related(
            Prefetch(
                "focus_areas",
                queryset=FocusArea.objects.filter(picture__is_published=True).prefetch_related(
                    Prefetch(
                        "commitments",
                        queryset=Commitment.objects.filter(
                            pledge__status__in=Pledge.PUBLIC_STATUSES
                        )
                        .select_related("pledge__municipality")
                        .with_labels()
                        .prefetch_related("target_sites"),
                        to_attr="public_commitments",
                    )
                ),
                to_attr="public_focus_areas",
            )
        )
    )
    commitments = {
        commitment.pk: commitment
        for concern in concerns
        for area in concern.public_focus_areas
        for commitment in area.public_commitments
    }
    # The same commitment can sit under several focus areas: judged once.
    reports = commitment_reports(list(commitments.values()), today=today)
    activities = defaultdict(list)
    for activity in (
        Activity.objects.public(today)
        .filter(commitment__in=list(commitments))
        .select_related("site")
        .order_by("-date", "-pk")
    ):
        activities[activity.commitment_id].append(activity)
    reports = [
        replace(
            report,
            latest_activities=tuple(activities[report.commitment.pk][:latest]),
            earlier_activities=tuple(activities[report.commitment.pk][latest:]),
        )
        for report in reports
    ]
    return concerns, sorted(
        reports, key=lambda r: (r.commitment.pledge.valid_from, r.commitment.position)
    )


def indicator_reports(municipality):
    """An ``IndicatorReport`` of each of the municipality's indicators. Two queries."""
    indicators = Indicator.objects.filter(municipality=municipality).prefetch_related(
        Prefetch("values", queryset=IndicatorValue.objects.order_by("year"), to_attr="value_list")
    )
    return [
        IndicatorReport(
            indicator=indicator,
            values=tuple(indicator.value_list),
            chart=line_chart(
                [(v.year, v.value) for v in indicator.value_list],
                indicator.scale_min,
                indicator.scale_max,
            ),
        )
        for indicator in indicators
    ]
