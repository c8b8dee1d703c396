"""Fill the done counts (ProgressCount) from the activities already recorded.

With the models as of this migration and the period rules of pledges.progress, as
Commitment.counting_periods applies them: a pledge valid until further notice is cut
through the end of the year after each activity's. Later, `manage.py rebuild_progress`
does the same with the models of the day (and `--check` compares).
"""

from bisect import bisect_right
from datetime import date

from django.db import migrations
from django.db.models import Count, F, Q, Sum

from pledges import progress


def count(apps, schema_editor):
    Activity = apps.get_model("pledges", "Activity")
    Commitment = apps.get_model("pledges", "Commitment")
    ProgressCount = apps.get_model("pledges", "ProgressCount")
    commitments = {c.pk: c for c in Commitment.objects.select_related("pledge")}
    rows = (
        Activity.objects.filter(status="done")
        .values("commitment_id", "site_id", "date")
        .annotate(
            n=Count("id", distinct=True),
            quantity=Sum(
                "measurements__value",
                filter=Q(measurements__quantity=F("commitment__quantity")),
            ),
        )
        .order_by("commitment_id", "date")
    )
    counts = {}
    cut = {}
    for row in rows.iterator():
        commitment = commitments[row["commitment_id"]]
        pledge = commitment.pledge
        day = row["date"]
        horizon, starts, ends = cut.get(commitment.pk, (None, [], []))
        if horizon is None or day > horizon:
            end = pledge.valid_to or date(day.year + 1, 12, 31)
            periods = progress.target_periods(
                pledge.valid_from,
                end,
                commitment.target_period,
                school_year=commitment.school_year_only,
            )
            horizon = date.max if pledge.valid_to else date(day.year, 12, 31)
            starts, ends = [p.start for p in periods], [p.end for p in periods]
            cut[commitment.pk] = (horizon, starts, ends)
        index = bisect_right(starts, day) - 1
        if index < 0 or day > ends[index]:
            continue
        key = (commitment.pk, starts[index], row["site_id"])
        done, quantity = counts.get(key, (0, 0))
        counts[key] = (done + row["n"], quantity + (row["quantity"] or 0))
    ProgressCount.objects.bulk_create(
        (
            ProgressCount(
                commitment_id=commitment_id,
                period_start=period_start,
                site_id=site_id,
                done=done,
                quantity=quantity,
            )
            for (commitment_id, period_start, site_id), (done, quantity) in counts.items()
        ),
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [("pledges", "0008_progress_counts_and_indexes")]

    operations = [migrations.RunPython(count, migrations.RunPython.noop)]
