from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from pledges.models import Commitment
from pledges.selectors import progress_count_differences
from pledges.services import progress_counts_refresh
from pledges.signals import counts_rebuilt

# Commitments recounted (or checked) per transaction: a bounded amount of memory and of
# locked rows whatever the size of the country.
CHUNK = 200


class Command(BaseCommand):
    help = (
        "Recount the done counts of the progress figures (ProgressCount) from the activities: "
        "all commitments, or those of --municipality / --commitment. With --check, change "
        "nothing and list where the table differs from a recount (exit status 1 if it does)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--municipality",
            action="append",
            default=[],
            metavar="SLUG_OR_CODE",
            help="Only this municipality's commitments (slug such as 'asele', or code). "
            "Repeatable.",
        )
        parser.add_argument(
            "--commitment",
            action="append",
            default=[],
            type=int,
            metavar="ID",
            help="Only this commitment. Repeatable.",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Compare the table with a recount instead of rebuilding it.",
        )

    def handle(self, *args, municipality, commitment, check, **options):
        commitments = Commitment.objects.order_by("pk")
        if municipality or commitment:
            chosen = Q(pk__in=commitment)
            for name in municipality:
                chosen |= Q(pledge__municipality__slug=name) | Q(pledge__municipality__code=name)
            commitments = commitments.filter(chosen)
        ids = list(commitments.values_list("pk", flat=True))
        if (municipality or commitment) and not ids:
            raise CommandError("No such commitment or municipality.")
        differences = rows = 0
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            if check:
                chunk_commitments = Commitment.objects.filter(pk__in=chunk).select_related("pledge")
                for key in progress_count_differences(chunk_commitments):
                    differences += 1
                    self.stdout.write(self.describe(*key))
            else:
                rows += progress_counts_refresh(commitments=chunk)
        if check:
            if differences:
                raise CommandError(
                    f"{differences} done counts differ from a recount of the activities; "
                    "run rebuild_progress."
                )
            self.stdout.write(f"The done counts of {len(ids)} commitments equal a recount.")
        else:
            counts_rebuilt.send(sender=self.__class__)
            self.stdout.write(f"Recounted {len(ids)} commitments: {rows} rows.")

    @staticmethod
    def describe(commitment_id, period_start, site_id, stored, counted):
        def shown(pair):
            return "no row" if pair is None else f"done {pair[0]}, quantity {pair[1]}"

        return (
            f"commitment {commitment_id}, period from {period_start}, site {site_id or '-'}: "
            f"table {shown(stored)}; recount {shown(counted)}"
        )
