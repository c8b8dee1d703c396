"""Run daily (cron: ``0 6 * * * python manage.py send_reminders``, or the ``reminders``
service of docker-compose): e-mails each coordinator a digest of what needs them."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone, translation

from dialogues.services import reminder_digest_send


class Command(BaseCommand):
    help = "E-mail each coordinator, at most once a day, a digest of what needs them."

    def handle(self, *args, **options):
        today = timezone.localdate()
        users = (
            get_user_model()
            .objects.filter(is_active=True, memberships__isnull=False)
            .exclude(email="")
            .exclude(reminder_state__opted_out=True)
            .distinct()
            .order_by("pk")
        )
        sent = 0
        with translation.override(settings.LANGUAGE_CODE):
            for user in users:
                sent += reminder_digest_send(user=user, today=today)
        self.stdout.write(f"{sent} reminder e-mail(s) sent.")
