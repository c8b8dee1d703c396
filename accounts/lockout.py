"""Login lockout (django-axes) with a limit of its own for each kind of key."""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler, with LOGIN_FAILURE_LIMITS: one limit per lockout parameter set.

    Axes takes the largest failure count over AXES_LOCKOUT_PARAMETERS and compares it with
    the one AXES_FAILURE_LIMIT. Here each set's count is measured against its own limit and
    returned on Axes' scale, so that the client is locked out as soon as any one set reaches
    its own limit (and not before).
    """

    def get_failures(self, request, credentials=None):
        scale = get_failure_limit(request, credentials)
        counts = [
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        return max(
            count * scale // limit
            for count, limit in zip(counts, settings.LOGIN_FAILURE_LIMITS, strict=True)
        )


def lockout_response(request, original_response=None, credentials=None):
    """Our own page for a locked-out login (the site's and the admin's), in the visitor's
    language, with 429 Too Many Requests."""
    minutes = int(get_cool_off(request).total_seconds() // 60)
    return render(
        request,
        "registration/lockout.html",
        {"minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
