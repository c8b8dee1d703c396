from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core import backup


class Command(BaseCommand):
    help = (
        "Replace the database's contents (and the media folder) with a backup made by "
        "`backup`: the folder it printed."
    )

    def add_arguments(self, parser):
        parser.add_argument("source")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, source, yes, **options):
        if not Path(source).is_dir():
            raise CommandError(f"{source} is not a backup folder.")
        if not yes and input(f"Replace everything in the database with {source}? [y/N] ") != "y":
            raise CommandError("Nothing restored.")
        try:
            backup.restore(Path(source))
        except FileNotFoundError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {source}.")
