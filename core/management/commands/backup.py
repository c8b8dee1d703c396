from pathlib import Path

from django.core.management.base import BaseCommand

from core import backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump custom format, or SQLite's online backup) and the "
        "media folder into a new folder under DIRECTORY (default: backups)."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default="backups")

    def handle(self, *args, directory, **options):
        target = backup.backup(Path(directory))
        self.stdout.write(f"Backup written to {target}")
