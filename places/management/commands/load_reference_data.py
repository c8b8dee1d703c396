from django.core.management.base import BaseCommand

from places.reference import load_reference_data


class Command(BaseCommand):
    help = "Load all counties, municipalities, police regions and police areas (idempotent)."

    def handle(self, *args, **options):
        counties, municipalities = load_reference_data()
        self.stdout.write(f"Reference data: {counties} counties, {municipalities} municipalities.")
