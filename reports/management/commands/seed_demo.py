from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reports import cache as public_cache
from reports.demo import seed_all


class Command(BaseCommand):
    help = (
        "Load the Åsele demo: the 2017 pledge, its 2018 revision and a pledge for the current "
        "year with its activities, and the demo users (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. The demo users have the password 'demo'.",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates users with the password 'demo'; with DEBUG off it needs --force."
            )
        pledge = seed_all()
        # Rows written in bulk send no signals: every cached public page is stale now.
        public_cache.bump(structure=True)
        self.stdout.write(
            f"Demo ready: {pledge} with {pledge.commitments.count()} commitments; "
            "users admin, polis, kommun (password 'demo')."
        )
