import time

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

from reports import cache as public_cache
from reports import scale as synthetic


class Command(BaseCommand):
    help = (
        "Generate synthetic national-scale data for benchmarks: every municipality, ten "
        "years of pledges, about a million activities at --scale 1. Everything is marked "
        "as synthetic; municipalities with pledges of their own (the demo) are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Factor of the volume: 1 gives about 1,000,000 activities, 0.01 about 10,000.",
        )
        parser.add_argument("--seed", type=int, default=1, help="Seed of the random choices.")
        parser.add_argument(
            "--municipalities",
            type=int,
            default=None,
            help="Only the N first municipalities: Stockholm, Göteborg, Malmö, then others.",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the synthetic data already loaded, then generate it again.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (synthetic data in a real database).",
        )

    def handle(self, *args, scale=1.0, seed=1, municipalities=None, reset=False, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_scale fills the database with synthetic data; with DEBUG off it needs "
                "--force."
            )
        if scale <= 0:
            raise CommandError("--scale must be positive.")
        if municipalities is not None and municipalities < 1:
            raise CommandError("--municipalities must be at least 1.")
        started = time.perf_counter()
        if synthetic.is_loaded():
            if not reset:
                self.stdout.write(
                    "Synthetic data is already loaded; nothing done (--reset replaces it)."
                )
                return
            deleted = synthetic.delete_synthetic()
            self.stdout.write(
                f"Deleted {deleted:,} synthetic rows in {time.perf_counter() - started:.1f} s."
            )

        created = synthetic.seed_scale(
            scale=scale,
            seed=seed,
            municipalities=municipalities,
            log=lambda message: self.stdout.write(f"  {message}"),
        )
        seeded = time.perf_counter()
        # Rows written in bulk send no signals: every cached public page is stale now.
        public_cache.bump(structure=True)
        width = max(len(label) for label in created)
        self.stdout.write(f"Created in {seeded - started:.1f} s:")
        for label, count in sorted(created.items()):
            self.stdout.write(f"  {label:{width}}  {count:>10,}")
        self.stdout.write(f"  {'total':{width}}  {sum(created.values()):>10,}")

        if "rebuild_progress" in get_commands():
            call_command("rebuild_progress", stdout=self.stdout, stderr=self.stderr)
            self.stdout.write(f"rebuild_progress took {time.perf_counter() - seeded:.1f} s.")
        else:
            self.stdout.write("No rebuild_progress command here; no progress table to rebuild.")
        self.stdout.write(f"seed_scale took {time.perf_counter() - started:.1f} s in all.")
