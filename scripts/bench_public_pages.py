"""Time the public pages against the current database (after `make run`/`make test` set-up).

Usage: .venv/bin/python scripts/bench_public_pages.py [repeats]
Prints, per page, the SQL query count and the server time (median and max) in the
Django test client, which runs the full middleware stack without a network.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

PATHS = [
    "/",
    "/kommun/asele/",
    "/kommun/asele/2017/",
    "/en/kommun/asele/2017/",
    "/kommun/asele/dialoger/1/",
    "/kommun/asele/tyck-till/",
]


def main(repeats):
    client = Client(HTTP_HOST="127.0.0.1")
    for path in PATHS:
        client.get(path)  # warm up templates and translations
        timings = []
        for _ in range(repeats):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        print(  # noqa: T201 - this script reports
            f"{path:28} {len(queries):3d} queries  "
            f"median {statistics.median(timings):6.1f} ms  max {max(timings):6.1f} ms  "
            f"({repeats} requests)"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
