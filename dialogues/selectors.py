"""Reads that trace concerns to focus areas to commitments, for the public pages."""

from collections import defaultdict
from dataclasses import dataclass, replace

from django.db.models import (
    Case,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    When,
    prefetch_related_objects,
)

from places.models import Municipality
from pledges.models import Commitment, Pledge
from pledges.selectors import commitment_reports, public_activity_log

from .charts import Chart, line_chart
from .models import (
    Concern,
    Dialogue,
    FocusArea,
    Indicator,
    IndicatorValue,
    SituationalPicture,
    Submission,
)


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


def why_commitments_exist(commitments):
    """Set on each commitment the focus areas of published situational pictures that it
    answers (``public_focus_areas``, in the pictures' order), each with its public concerns
    (``public_concerns``, with their ``dialogue``'s title): the rows a prefetch would give,
    from one query whatever the number of commitments, areas and concerns."""
    commitments = list(commitments)
    public = Q(concerns__dialogue__is_published=True)
    rows = (
        FocusArea.objects.filter(
            picture__is_published=True, commitments__in=[c.pk for c in commitments]
        )
        .values(
            "pk",
            "title",
            "commitments",
            concern=Case(When(public, then="concerns")),
            summary=Case(When(public, then="concerns__summary")),
            dialogue=Case(When(public, then="concerns__dialogue")),
            dialogue_title=Case(When(public, then="concerns__dialogue__title")),
        )
        .order_by(
            "picture",
            "position",
            "pk",
            "concerns__dialogue",
            "concerns__rank",
            "-concerns__times_raised",
            "concerns__pk",
        )
    )
    areas = {}
    seen = set()
    answered = defaultdict(dict)
    for row in rows:
        area = areas.get(row["pk"])
        if area is None:
            area = areas[row["pk"]] = FocusArea(pk=row["pk"], title=row["title"])
            area.public_concerns = []
        answered[row["commitments"]][area.pk] = area
        if row["concern"] is not None and (area.pk, row["concern"]) not in seen:
            seen.add((area.pk, row["concern"]))
            area.public_concerns.append(
                Concern(
                    pk=row["concern"],
                    summary=row["summary"],
                    dialogue=Dialogue(pk=row["dialogue"], title=row["dialogue_title"]),
                )
            )
    for commitment in commitments:
        commitment.public_focus_areas = list(answered[commitment.pk].values())


def newest_picture():
    """The pk of the newest published situational picture of the municipality of the
    outer query (``OuterRef("pk")``): a subquery."""
    return (
        SituationalPicture.objects.published()
        .filter(municipality=OuterRef("pk"))
        .order_by("-period_start", "-pk")
        .values("pk")[:1]
    )


def picture_and_dialogues(municipality, picture):
    """The published dialogues of ``municipality``, newest first, and its situational
    ``picture`` (None, or its newest published one, see ``newest_picture``) with the
    published dialogues it rests on (``public_dialogues``) and its focus areas, each with
    its public concerns and public commitments. Four queries (one without a picture)."""
    dialogues = Dialogue.objects.published().filter(municipality=municipality)
    if picture is not None:
        dialogues = dialogues.annotate(
            in_picture=Exists(
                SituationalPicture.dialogues.through.objects.filter(
                    situationalpicture=picture, dialogue=OuterRef("pk")
                )
            )
        )
    dialogues = list(dialogues)
    if picture is not None:
        picture.public_dialogues = [d for d in dialogues if d.in_picture]
        prefetch_related_objects(
            [picture],
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
    return picture, dialogues


def dialogue_trace(dialogue, *, today, latest=3):
    """For a published dialogue ("Ni sa – vi gjorde"), as of ``today``: its concerns, each
    with the public commitments its answer names (``public_answer_commitments``), the
    focus areas of published pictures behind which it stands
    (``public_focus_areas``) and the public commitments that answer them
    (``public_commitments``); and a ``CommitmentReport`` of each of those commitments, with
    its ``latest`` public activities and how many it has in all.

    Returns (concerns, commitment reports) in a constant number of queries.
    """
    concerns = list(
        dialogue.concerns.prefetch_related(
            Prefetch(
                "answer_commitments",
                queryset=Commitment.objects.filter(pledge__status__in=Pledge.PUBLIC_STATUSES)
                .select_related("pledge__municipality")
                .order_by("pledge__valid_from", "position"),
                to_attr="public_answer_commitments",
            ),
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
            ),
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
    log = public_activity_log(dict.fromkeys(commitments), today=today, last=latest)
    reports = [
        replace(
            report,
            latest_activities=log.get(report.commitment.pk, ((), 0))[0],
            activity_count=log.get(report.commitment.pk, ((), 0))[1],
        )
        for report in reports
    ]
    return concerns, sorted(
        reports, key=lambda r: (r.commitment.pledge.valid_from, r.commitment.position)
    )


def indicator_reports(municipality):
    """An ``IndicatorReport`` of each of the municipality's indicators, by name. One query
    (the indicators joined to their values)."""
    rows = (
        Indicator.objects.filter(municipality=municipality)
        .annotate(
            value_year=F("values__year"),
            value_value=F("values__value"),
            value_is_demo=F("values__is_demo"),
        )
        .order_by("name", "pk", "values__year")
    )
    indicators = {}
    for row in rows:
        indicator, values = indicators.setdefault(row.pk, (row, []))
        if row.value_year is not None:
            values.append(
                IndicatorValue(
                    indicator=indicator,
                    year=row.value_year,
                    value=row.value_value,
                    is_demo=row.value_is_demo,
                )
            )
    return [
        IndicatorReport(
            indicator=indicator,
            values=tuple(values),
            chart=line_chart(
                [(v.year, v.value) for v in values], indicator.scale_min, indicator.scale_max
            ),
        )
        for indicator, values in indicators.values()
    ]


@dataclass(frozen=True)
class PictureSummary:
    """A situational picture in brief, as the printable report gives it."""

    picture: SituationalPicture
    """The picture: title, period, summary and what it rests on."""

    focus_areas: tuple[str, ...]
    """The titles of its focus areas, in its order."""


def newest_picture_summary(municipality):
    """The newest published situational picture of ``municipality`` with the titles of its
    focus areas, as a ``PictureSummary``; None when it has none. One query."""
    newest = (
        SituationalPicture.objects.published()
        .filter(municipality=municipality)
        .order_by("-period_start", "-pk")
        .values("pk")[:1]
    )
    rows = list(
        SituationalPicture.objects.filter(pk=Subquery(newest))
        .annotate(area_title=F("focus_areas__title"))
        .order_by("focus_areas__position", "focus_areas__pk")
    )
    if not rows:
        return None
    return PictureSummary(
        picture=rows[0], focus_areas=tuple(r.area_title for r in rows if r.area_title)
    )


def waiting_submissions_count(user) -> int:
    """How many "Tyck till" messages wait for a decision in the user's municipalities."""
    return (
        Submission.objects.pending()
        .filter(municipality__in=Municipality.objects.for_user(user))
        .count()
    )
