"""One structured log line per request, and the readiness check.

Every request is logged by the ``medborgarloften.request`` logger as one JSON line
(config/settings LOGGING) with its request id, user id, method, path, status, duration in
milliseconds and number of SQL queries; a request slower than ``SLOW_REQUEST_SECONDS`` is
logged as a warning. The request id is the proxy's ``X-Request-ID`` when it sends a sane
one, else a new one, and it is returned in the response's ``X-Request-ID``.
"""

import logging
import re
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger("medborgarloften.request")

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class QueryCounter:
    """Counts the SQL queries run through a connection (``connection.execute_wrapper``)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        supplied = request.headers.get("X-Request-ID", "")
        request.request_id = supplied if REQUEST_ID.match(supplied) else uuid.uuid4().hex
        counter = QueryCounter()
        started = time.perf_counter()
        with connections["default"].execute_wrapper(counter):
            response = self.get_response(request)
        duration = time.perf_counter() - started
        response["X-Request-ID"] = request.request_id
        user = getattr(request, "user", None)
        slow = duration >= settings.SLOW_REQUEST_SECONDS
        logger.log(
            logging.WARNING if slow else logging.INFO,
            # Readable in a text log too; the JSON line carries each figure as a field.
            "%s %s %s %d %.1f ms %d queries",
            "slow request" if slow else "request",
            request.method,
            request.path,
            response.status_code,
            duration * 1000,
            counter.count,
            extra={
                "request_id": request.request_id,
                "user_id": user.pk if user is not None and user.is_authenticated else None,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round(duration * 1000, 1),
                "queries": counter.count,
            },
        )
        return response


@never_cache
@transaction.non_atomic_requests
def readyz(request):
    """200 when both the database and the shared cache answer; 503 naming the one that
    does not. /healthz stays the liveness check (the process and its database)."""
    checks = {"database": _database_ok(), "cache": _cache_ok()}
    ready = all(checks.values())
    return JsonResponse(
        {
            "status": "ok" if ready else "error",
            **{name: "ok" if ok else "unavailable" for name, ok in checks.items()},
        },
        status=200 if ready else 503,
    )


def _database_ok():
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return False
    return True


def _cache_ok():
    key = f"readyz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=5)
        ok = cache.get(key) == "1"
        cache.delete(key)
    except Exception:
        return False
    return ok
