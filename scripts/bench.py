"""Benchmark the public pages on PostgreSQL with national-scale synthetic data (`make bench`).

Usage: python scripts/bench.py [--quick] [--seconds S] [--max-requests N] [--threads T]

1. Creates the database if it is missing (DATABASE_URL, default
   postgres://postgres@127.0.0.1:5432/medborgar_bench, or medborgar_bench_quick with
   --quick), migrates it, loads the reference data and, unless synthetic data is already
   there, runs seed_scale (--scale 1, about a million activities; 0.01 with --quick),
   then VACUUM ANALYZE, so that the planner has the statistics a database in use has.
2. Runs each page once through Django's test client in this process, against the same
   database and settings, to count its SQL queries and measure its size.
3. Starts gunicorn with the production settings (DEBUG off) on 127.0.0.1 with two
   workers, and loads each page with T concurrent clients for S seconds or N requests,
   whichever comes first (requests under way then are waited for), right after loading
   /healthz the same way: the ratio to /healthz says how far a page is from the cheapest
   request the stack can answer, on the same machine at the same moment; with the cache on
   each page is loaded for the full S seconds, as /healthz (with --paired, the page and
   /healthz at the same time by half the clients each, so that both see the same load
   from other work on the machine; the clients' own overhead then narrows the
   difference). Twice: with the
   public cache off (DJANGO_PUBLIC_CACHE=false: every request renders), then on, in
   Redis (BENCH_CACHE_URL, default redis://127.0.0.1:6379/14, emptied first), as
   production runs it.
4. A burst: C clients (--burst-clients, 50) for --burst-seconds (20) on the large
   municipality's year page with the cache on; halfway through an activity is logged
   (and removed at the end). Prints errors, the slowest request, and how long after the
   write the first response showed it.

Every figure printed is measured in this run. The clients share the machine with
gunicorn and PostgreSQL, so the figures are comparable within a run, not across machines.
"""

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/medborgar_bench"
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/14"
HOST = "127.0.0.1"


def say(text=""):
    """Report a line at once (the run takes minutes)."""
    sys.stdout.write(f"{text}\n")
    sys.stdout.flush()


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="A small scale (0.01), 2 s a page.")
    parser.add_argument("--scale", type=float, help="seed_scale's --scale (default 1).")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=float, help="Load time per page (default 5).")
    parser.add_argument("--max-requests", type=int, default=500, help="Per page at most.")
    parser.add_argument("--threads", type=int, default=4, help="Concurrent clients.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers.")
    parser.add_argument(
        "--paired",
        action="store_true",
        help="With the cache on, load each page and /healthz at the same time.",
    )
    parser.add_argument("--burst-clients", type=int, default=50)
    parser.add_argument("--burst-seconds", type=float, default=20.0)
    args = parser.parse_args()
    args.scale = args.scale or (0.01 if args.quick else 1.0)
    args.seconds = args.seconds or (2.0 if args.quick else 5.0)
    default = DEFAULT_URL + ("_quick" if args.quick else "")
    args.database_url = os.environ.get("DATABASE_URL") or default
    return args


def ensure_database(url):
    """Create the PostgreSQL database of ``url`` if it does not exist."""
    import psycopg2
    from psycopg2 import sql

    parts = urllib.parse.urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit(f"The bench runs on PostgreSQL; DATABASE_URL is {parts.scheme}.")
    name = parts.path.lstrip("/")
    connection = psycopg2.connect(
        dbname="postgres",
        user=urllib.parse.unquote(parts.username or ""),
        password=urllib.parse.unquote(parts.password or ""),
        host=parts.hostname,
        port=parts.port or 5432,
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            say(f"Created database {name}.")
    connection.close()


def production_environment(url):
    """The production settings, as docker-compose.yml runs them on plain HTTP, with the
    shared cache in Redis and quiet logs."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DATABASE_URL=url,
        DJANGO_SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "bench-only-not-secret"),
        DJANGO_ALLOWED_HOSTS=f"{HOST},localhost",
        CACHE_URL=os.environ.get("BENCH_CACHE_URL", DEFAULT_CACHE_URL),
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_SECURE_COOKIES="false",
        DJANGO_LOG_LEVEL="WARNING",
        DJANGO_REQUEST_LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    return env


def prepare(args):
    """Migrate, load the reference data and the synthetic data, collect static files."""
    from django.core.management import call_command
    from django.db import connection

    from reports import scale

    call_command("migrate", verbosity=0)
    call_command("load_reference_data")
    if scale.is_loaded():
        say("Synthetic data already loaded (seed_scale); not seeding again.")
    else:
        call_command("seed_scale", scale=args.scale, seed=args.seed, force=True)
    # Freshly bulk-loaded tables have no planner statistics until autovacuum comes by;
    # a database in use has them.
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    say(f"VACUUM ANALYZE took {time.perf_counter() - started:.1f} s.")
    # The production storage serves files by their manifest: collect them as the image does.
    call_command("collectstatic", interactive=False, verbosity=0)


def pages():
    """(name, path) of each page measured, picked from the data."""
    from django.db.models import Count
    from django.utils import timezone

    from dialogues.models import Dialogue
    from places.models import Municipality
    from pledges.models import Activity, Pledge

    today = timezone.localdate()

    def current(municipality):
        # The main pledge in force today (a winter pledge starts later in the year).
        return (
            Pledge.objects.public()
            .filter(municipality=municipality, status=Pledge.State.PUBLISHED)
            .in_force_during(today, today)
            .order_by("valid_from")
            .first()
        )

    large = Municipality.objects.get(code="0180")  # Stockholm, the largest
    counts = list(
        Activity.objects.values("commitment__pledge__municipality")
        .annotate(n=Count("id"))
        .order_by("n", "commitment__pledge__municipality")
        .values_list("commitment__pledge__municipality", "n")
    )
    # The median municipality by activities; of those around it, the nearest whose
    # current pledge is a yearly one (not a winter pledge).
    middle = len(counts) // 2
    nearest = sorted(range(len(counts)), key=lambda i: abs(i - middle))
    small, small_n = next(
        (municipality, n)
        for municipality, n in (
            (Municipality.objects.get(pk=counts[i][0]), counts[i][1]) for i in nearest
        )
        if (pledge := current(municipality)) and pledge.valid_from.month == 1
    )
    pledge = current(large)
    dialogues = Dialogue.objects.published().filter(municipality=large)
    dialogue = (
        dialogues.filter(pictures__focus_areas__commitments__pledge=pledge).first()
        or dialogues.first()
    )
    large_n = Activity.objects.filter(commitment__pledge__municipality=large).count()
    # The promise of the current pledge with the most activities: its page of them all.
    busiest = pledge.commitments.annotate(n=Count("activities")).order_by("-n", "position").first()
    say(
        f"Large: {large.name} ({large_n:,} activities); typical small: {small.name} "
        f"({small_n:,} activities, about the median of {len(counts)} municipalities)."
    )
    # The floor: a municipality whose Tyck till is offered (one with a moderator).
    from accounts.models import Membership

    moderated = (
        Membership.objects.moderating()
        .filter(municipality__pledges__status=Pledge.State.PUBLISHED)
        .values_list("municipality__slug", flat=True)
        .order_by("municipality__slug")
        .first()
    )
    floor = [("floor: Tyck till form", f"/kommun/{moderated}/tyck-till/")] if moderated else []
    return [
        ("index", "/"),
        (f"municipality {large.slug}", f"/kommun/{large.slug}/"),
        (f"municipality {small.slug}", f"/kommun/{small.slug}/"),
        (f"year {large.slug} {today.year}", f"/kommun/{large.slug}/{today.year}/"),
        (f"year {small.slug} {today.year}", f"/kommun/{small.slug}/{today.year}/"),
        (
            f"activities {large.slug} {today.year}",
            f"/kommun/{large.slug}/{today.year}/lofte/{busiest.pk}/aktiviteter/",
        ),
        ("dialogue", f"/kommun/{large.slug}/dialoger/{dialogue.pk}/"),
        ("API pledge", f"/api/v1/pledges/{pledge.pk}/"),
        ("API activities", f"/api/v1/pledges/{pledge.pk}/activities/"),
        # Not a figure page: the floor of the stack (middleware, a form, the base
        # template, one query), against which the pages above can be read.
        *floor,
    ]


def count_queries(paths):
    """{path: (status, queries, bytes)} from one request each through the test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=HOST)
    result = {}
    for path in paths:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        result[path] = (response.status_code, len(queries), len(response.content))
    return result


def free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_gunicorn(env, workers, log):
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            # A slow page must be measured, not killed.
            "--timeout",
            "600",
            "--chdir",
            str(ROOT),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited with {process.returncode}; see {log.name}")
        try:
            if fetch(port, "/healthz")[0] == 200:
                return process, port
        except OSError:
            pass
        time.sleep(0.2)
    process.terminate()
    sys.exit(f"gunicorn did not answer /healthz within 60 s; see {log.name}")


def fetch(port, path, *, body=False):
    connection = http.client.HTTPConnection(HOST, port, timeout=900)
    try:
        connection.request("GET", path, headers={"Host": HOST})
        response = connection.getresponse()
        content = response.read()
        return response.status, content if body else len(content)
    finally:
        connection.close()


def load(port, path, *, seconds, max_requests, threads):
    """Request ``path`` from ``threads`` clients until ``seconds`` have passed or
    ``max_requests`` have been sent; wait for those under way. Returns (latencies in ms,
    failures, elapsed seconds)."""
    lock = threading.Lock()
    latencies, failures = [], []
    sent = 0
    start = time.perf_counter()
    deadline = start + seconds

    def client():
        nonlocal sent
        while True:
            with lock:
                if sent >= max_requests or time.perf_counter() >= deadline:
                    return
                sent += 1
            began = time.perf_counter()
            try:
                status, _size = fetch(port, path)
            except OSError as error:
                status = repr(error)
            took = (time.perf_counter() - began) * 1000
            with lock:
                (latencies if status == 200 else failures).append(took if status == 200 else status)

    workers = [threading.Thread(target=client) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return latencies, failures, time.perf_counter() - start


def measure(port, path, args, *, capped=True):
    latencies, failures, elapsed = load(
        port,
        path,
        seconds=args.seconds,
        max_requests=args.max_requests if capped else sys.maxsize,
        threads=args.threads,
    )
    rate = len(latencies) / elapsed if elapsed else 0.0
    median = statistics.median(latencies) if latencies else float("nan")
    return {"n": len(latencies), "failures": failures, "median": median, "rate": rate}


def measure_paired(port, path, args):
    """``path`` and /healthz loaded at the same time, by half the clients each, for
    --seconds: both share the machine's load of that moment, so their ratio says what the
    page costs next to /healthz even when other work on the machine comes and goes."""
    results = {}
    half = max(1, args.threads // 2)

    def run(name, target):
        results[name] = load(
            port, target, seconds=args.seconds, max_requests=sys.maxsize, threads=half
        )

    threads = [
        threading.Thread(target=run, args=("health", "/healthz")),
        threading.Thread(target=run, args=("page", path)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    figures = {}
    for name, (latencies, failures, elapsed) in results.items():
        figures[name] = {
            "n": len(latencies),
            "failures": failures,
            "median": statistics.median(latencies) if latencies else float("nan"),
            "rate": len(latencies) / elapsed if elapsed else 0.0,
        }
    return figures["health"], figures["page"]


def measure_all(env, measured, args, log, *, capped=True, paired=False):
    """[(health, page)] for each page, served by a gunicorn started with ``env``; at most
    --max-requests a page when ``capped`` (a slow page), else for --seconds each, as
    /healthz."""
    process, port = start_gunicorn(env, args.workers, log)
    rows = []
    try:
        # Each worker loads its templates and caches on its first requests.
        for _name, path in measured:
            for _ in range(args.workers):
                fetch(port, path)
        for _name, path in measured:
            if paired:
                health, page = measure_paired(port, path, args)
            else:
                health = measure(port, "/healthz", args, capped=False)
                page = measure(port, path, args, capped=capped)
            rows.append((health, page))
            say(
                f"  measured {path}: {page['rate']:.2f} req/s ({page['n']} requests), "
                f"/healthz {health['rate']:.1f} req/s"
            )
    finally:
        process.terminate()
        process.wait(timeout=30)
    return rows


def burst(env, path, pledge, args, log):
    """C clients for S seconds on ``path`` (cache on); halfway, an activity is logged.
    Returns the figures of the burst."""
    from django.utils import timezone

    from pledges.models import Activity

    marker = f"Burst check {time.time_ns()}"
    commitment = pledge.commitments.order_by("position").first()
    process, port = start_gunicorn(env, args.workers, log)
    lock = threading.Lock()
    latencies, failures, fresh_at = [], [], []
    written = {}
    start = time.perf_counter()
    deadline = start + args.burst_seconds

    def client():
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            try:
                status, content = fetch(port, path, body=True)
            except OSError as error:
                status, content = repr(error), b""
            ended = time.perf_counter()
            with lock:
                latencies.append(ended - began)
                if status != 200:
                    failures.append(status)
                elif "at" in written and began >= written["at"] and marker.encode() in content:
                    fresh_at.append(ended - written["at"])
                elif "at" in written and began >= written["at"]:
                    written.setdefault("stale_after", []).append(ended - written["at"])

    try:
        fetch(port, path)
        threads = [threading.Thread(target=client) for _ in range(args.burst_clients)]
        for thread in threads:
            thread.start()
        time.sleep(args.burst_seconds / 2)
        activity = Activity.objects.create(
            commitment=commitment,
            date=timezone.localdate(),
            status=Activity.Status.DONE,
            public_summary=marker,
        )
        written["at"] = time.perf_counter()
        for thread in threads:
            thread.join()
    finally:
        process.terminate()
        process.wait(timeout=30)
        if written:
            activity.delete()
    stale = written.get("stale_after", [])
    return {
        "requests": len(latencies),
        "failures": failures,
        "max": max(latencies, default=float("nan")),
        "p99": statistics.quantiles(latencies, n=100)[98] if len(latencies) > 100 else None,
        "first_fresh": min(fresh_at, default=None),
        "stale_started_after_write": len(stale),
        "elapsed": time.perf_counter() - start,
    }


def main():
    args = parse_args()
    ensure_database(args.database_url)
    env = production_environment(args.database_url)
    os.environ.update(env)

    import django

    django.setup()
    from django.utils import timezone

    from pledges.models import Activity

    started = time.perf_counter()
    prepare(args)
    say(f"Prepared in {time.perf_counter() - started:.1f} s.")
    from django.core.cache import cache

    from pledges.models import Pledge

    # Nothing cached from an earlier run: the query counts are of rendering the pages.
    cache.clear()
    measured = pages()
    queries = count_queries(["/healthz", *(path for _name, path in measured)])
    for name, path in measured:
        if queries[path][0] != 200:
            sys.exit(f"{name} {path} answered {queries[path][0]} in the test client.")

    cache.clear()
    with tempfile.NamedTemporaryFile("w", prefix="bench-gunicorn-", suffix=".log") as log:
        say("Cache off:")
        uncached = measure_all({**env, "DJANGO_PUBLIC_CACHE": "false"}, measured, args, log)
        say("Cache on:")
        cached = measure_all(env, measured, args, log, capped=False, paired=args.paired)
        year_path = measured[3][1]
        pledge = Pledge.objects.get(pk=int(measured[7][1].rstrip("/").rsplit("/", 1)[1]))
        say(f"Burst: {args.burst_clients} clients for {args.burst_seconds:g} s on {year_path}")
        bursted = burst(env, year_path, pledge, args, log)
    rows = [
        (name, path, *off, *on)
        for (name, path), off, on in zip(measured, uncached, cached, strict=True)
    ]

    parts = urllib.parse.urlsplit(args.database_url)
    say()
    say(
        f"Public pages, {timezone.localdate()}: PostgreSQL {parts.hostname}{parts.path}, "
        f"{Activity.objects.count():,} activities; gunicorn {args.workers} sync workers, "
        f"production settings (DEBUG off); {args.threads} concurrent clients, "
        f"{args.seconds:g} s or {args.max_requests} requests per page, each after "
        f"{args.seconds:g} s on /healthz. Queries: one request through the test client "
        "(with BEGIN and COMMIT where a view runs in a transaction). Median ms: the latency "
        "under that load. Ratio: the page's req/s over the /healthz req/s measured just before "
        "it"
        + (
            " (cache off), or at the same time, half the clients each (cache on)."
            if args.paired
            else "."
        )
    )
    header = (
        f"{'page':<28} {'queries':>7} {'HTML KB':>8} | {'off req/s':>9} {'ms':>7} "
        f"{'ratio':>6} | {'on req/s':>9} {'ms':>7} {'ratio':>6}"
    )
    say(header)
    say("-" * len(header))
    for label, index in (("/healthz, cache off (median)", 2), ("/healthz, cache on (median)", 4)):
        rates = [row[index]["rate"] for row in rows]
        say(f"{label:<40} {statistics.median(rates):>8.1f} req/s")
    failed = False
    for name, path, health_off, page_off, health_on, page_on in rows:
        _status, count, size = queries[path]
        off = page_off["rate"] / health_off["rate"] if health_off["rate"] else float("nan")
        on = page_on["rate"] / health_on["rate"] if health_on["rate"] else float("nan")
        say(
            f"{name:<28} {count:>7} {size / 1024:>8.1f} | {page_off['rate']:>9.2f} "
            f"{page_off['median']:>7.1f} {off:>6.3f} | {page_on['rate']:>9.1f} "
            f"{page_on['median']:>7.1f} {on:>6.3f}"
        )
        for figures in (health_off, page_off, health_on, page_on):
            if figures["failures"]:
                failed = True
                say(f"  failures: {figures['failures'][:5]}")
    say()
    fresh = bursted["first_fresh"]
    say(
        f"Burst: {bursted['requests']} requests in {bursted['elapsed']:.1f} s, "
        f"{len(bursted['failures'])} failed, slowest {bursted['max'] * 1000:.0f} ms"
        + (f", p99 {bursted['p99'] * 1000:.0f} ms" if bursted["p99"] is not None else "")
        + "; the new activity first shown "
        + (f"{fresh * 1000:.0f} ms after the write" if fresh is not None else "never")
        + f"; {bursted['stale_started_after_write']} requests begun after the write got the "
        "previous copy (while one worker rendered the new one)."
    )
    if bursted["failures"]:
        failed = True
        say(f"  failures: {bursted['failures'][:5]}")
    if failed:
        sys.exit("Some requests failed; the figures above leave them out.")


if __name__ == "__main__":
    main()
