"""Open data of a year page as CSV: the promises with their figures, and the public
activities behind them. UTF-8 with a byte order mark (so that spreadsheet programs read
å, ä and ö right), comma-separated, one header row. The column names are fixed, in
Swedish, whatever the page's language; numbers are plain (no thousands separator, a
point before decimals); dates are ISO 8601. The columns are documented on the year page
and in the README. Only what the year page shows: never drafts, planned or cancelled
activities, internal notes or who logged what."""

import csv
from itertools import groupby

from django.db import transaction
from django.db.models import F, Q
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from pledges.models import Activity, Commitment, Quantity
from pledges.selectors import pledge_year_reports, year_span

from .cache import public_cache
from .views import public_year_pledges

COMMITMENT_COLUMNS = (
    "loftesdokument_id",
    "loftesdokument",
    "giltigt_fran",
    "giltigt_till",
    "lofte_id",
    "lofte_nr",
    "ansvarig",
    "lofte",
    "maltyp",
    "malperiod",
    "mal_per_period",
    "utfort",
    "enhet",
    "status",
    "status_text",
    "andel_procent",
    "perioder_uppfyllda",
    "perioder_avslutade",
    "perioder_totalt",
    "aktiviteter",
)
ACTIVITY_COLUMNS = (
    "lofte_id",
    "lofte_nr",
    "datum",
    "slutdatum",
    "plats",
    "sammanfattning",
    "personer_nadda",
)
BOM = "\ufeff"


class _Echo:
    """A file whose write returns what was written: csv.writer's rows, for streaming."""

    def write(self, value):
        return value


def _filename(municipality, year, name):
    return f'attachment; filename="{municipality.slug}-{year}-{name}.csv"'


@public_cache("municipality")
@require_safe
@transaction.non_atomic_requests
def commitments_csv(request, **kwargs):
    """Every promise of the public pledges in force during the year with its figure, the
    same as the year page's (its ``Summary``). Eight queries."""
    today = timezone.localdate()
    municipality, year, pledges = public_year_pledges(kwargs, today=today)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _filename(municipality, year, "loften")
    response.write(BOM)
    writer = csv.writer(response)
    writer.writerow(COMMITMENT_COLUMNS)
    for report in pledge_year_reports(pledges, year=year, today=today, latest=0):
        pledge = report.pledge
        for entry in report.commitments:
            commitment, summary = entry.commitment, entry.summary
            writer.writerow(
                (
                    pledge.pk,
                    pledge.title,
                    pledge.valid_from.isoformat(),
                    pledge.valid_to.isoformat() if pledge.valid_to else "",
                    commitment.pk,
                    commitment.position,
                    commitment.responsible,
                    commitment.text,
                    commitment.target_kind,
                    commitment.target_period,
                    "" if summary.target is None else summary.target,
                    summary.done,
                    commitment.unit_label(summary.done),
                    summary.status.value,
                    summary.status.label,
                    "" if summary.percent is None else summary.percent,
                    "" if summary.single else summary.met,
                    "" if summary.single else summary.due,
                    summary.count,
                    entry.activity_count,
                )
            )
    return response


@public_cache("municipality")
@require_safe
@transaction.non_atomic_requests
def activities_csv(request, **kwargs):
    """Every public activity of the promises of the year page, in the dates the page
    covers for each (``year_span``), by promise and date: one row each, with one column
    per quantity measured on any of them (named by the quantity's code). Streamed from an
    iterator: memory stays flat however many there are. Four queries."""
    today = timezone.localdate()
    municipality, year, pledges = public_year_pledges(kwargs, today=today)
    by_id = {pledge.pk: pledge for pledge in pledges}
    commitments = list(
        Commitment.objects.filter(pledge__in=list(by_id))
        .only("id", "pledge_id", "position", "target_period", "school_year_only")
        .order_by("pledge_id", "position")
    )
    condition = Q(pk__in=[])
    for commitment in commitments:
        commitment.pledge = by_id[commitment.pledge_id]
        span = year_span(commitment, commitment.target_periods(today), year)
        condition |= Q(commitment_id=commitment.pk, date__range=span)
    activities = Activity.objects.public(today).filter(condition)
    quantities = list(
        Quantity.objects.filter(measurements__activity__in=activities)
        .distinct()
        .order_by("position", "code")
        .values_list("code", flat=True)
    )
    rows = (
        activities.values(
            "pk",
            "commitment_id",
            "date",
            "end_date",
            "public_summary",
            "people_reached",
            position=F("commitment__position"),
            pledge_id=F("commitment__pledge_id"),
            site_name=F("site__name"),
            quantity=F("measurements__quantity"),
            value=F("measurements__value"),
        )
        .order_by("-pledge_id", "position", "date", "pk")
        .iterator(chunk_size=500)
    )
    writer = csv.writer(_Echo())

    def lines():
        yield BOM + writer.writerow((*ACTIVITY_COLUMNS, *quantities))
        for _pk, measured in groupby(rows, key=lambda row: row["pk"]):
            measured = list(measured)
            first = measured[0]
            values = {row["quantity"]: row["value"] for row in measured if row["quantity"]}
            yield writer.writerow(
                (
                    first["commitment_id"],
                    first["position"],
                    first["date"].isoformat(),
                    first["end_date"].isoformat() if first["end_date"] else "",
                    first["site_name"] or "",
                    first["public_summary"],
                    "" if first["people_reached"] is None else first["people_reached"],
                    *(values.get(code, "") for code in quantities),
                )
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _filename(municipality, year, "aktiviteter")
    return response
