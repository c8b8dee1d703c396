"""The public pages and the API in the shared cache, never stale.

Every cached response is stored under a key made of its address, its language, the day
(progress depends on the date) and the *versions* of the data it shows:

- ``municipality:<slug>``, bumped by every write that touches the municipality (an
  activity, a follow-up, a dialogue, a Tyck till decision, ...);
- ``national``, bumped by every write anywhere (the index and the API list all
  municipalities);
- ``structure``, bumped by writes that change what many pages show (a pledge published or
  renamed, a municipality, the reference data).

A version is a random token with the time of the write, so a version that the cache has
lost is never mistaken for an older one (nor one bumped at the same clock time). A write bumps
its versions at once and again when its transaction commits, so a page rendered while
the transaction was open is not kept.

When a key is missing one request renders it (it holds a short lock in the cache); the
others meanwhile get the previous version of the same page, or wait briefly for the new
one. The version also gives every response an ETag and a Last-Modified, and a request
whose ETag is current gets a 304 without touching the database.

Only anonymous requests without a session are served from or stored in the cache: a
coordinator, or a visitor just back from a form, always sees live data. A response that
sets a cookie, used a CSRF token, is not a 200 or is streamed is never stored.
"""

import hashlib
import logging
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_etags

logger = logging.getLogger(__name__)

PREFIX = "public-cache:"
NATIONAL = "national"
STRUCTURE = "structure"
# The scopes a public view declares (``public_cache_scope``): the versions its pages depend on.
SCOPES = {
    "site": (STRUCTURE,),
    "national": (STRUCTURE, NATIONAL),
    "municipality": (STRUCTURE,),  # and the municipality's own version
}
STORED_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language")
LOCK_SECONDS = 30
WAIT_SECONDS = 2.0
WAIT_STEP = 0.05
ENTRY_SECONDS = 60 * 60 * 24


def municipality_version(slug):
    return f"municipality:{slug}"


def _version_key(name):
    return f"{PREFIX}v:{name}"


def bump(*, municipalities=(), structure=False):
    """Make every cached page of ``municipalities`` (slugs), of the index and the API, and
    with ``structure`` of every public page, stale: now, and once more when the current
    transaction commits (one bump at the commit for all the rows a transaction writes)."""
    names = {NATIONAL, *(municipality_version(slug) for slug in municipalities if slug)}
    if structure:
        names.add(STRUCTURE)
    _set_versions(names)
    pending = _pending()
    if pending is not None:
        pending.names |= names


def _set_versions(names):
    version = new_version()
    cache.set_many({_version_key(name): version for name in names}, timeout=None)


class _Pending:
    """The versions a transaction has bumped, bumped again when it commits."""

    def __init__(self):
        self.names = set()

    def __call__(self):
        _set_versions(self.names)


def _pending():
    """The current transaction's ``_Pending`` (registered with ``on_commit`` when first
    asked for), or None outside a transaction. A transaction rolled back drops its
    callback, and with it its ``_Pending``: the next one starts afresh."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return None
    pending = getattr(connection, "_public_cache_pending", None)
    if pending is None or not any(
        func is pending for _sids, func, _robust in connection.run_on_commit
    ):
        pending = connection._public_cache_pending = _Pending()
        transaction.on_commit(pending)
    return pending


def new_version():
    """``(seconds since the epoch, random token)``."""
    return (time.time(), secrets.token_hex(8))


def versions(names):
    """The current version of each name; a name the cache has lost gets a new one."""
    keys = {_version_key(name): name for name in names}
    found = cache.get_many(list(keys))
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            # add: two processes that both miss agree on the first one's version.
            cache.add(key, new_version(), timeout=None)
        found |= cache.get_many(missing)
    return tuple(found.get(key) or new_version() for key in keys)


def public_cache(scope):
    """Mark a function view as cached with the versions of ``scope`` (a key of SCOPES)."""

    def mark(view):
        view.public_cache_scope = scope
        return view

    return mark


def scope_of(view_func):
    """The ``public_cache_scope`` of a view function, class-based view or DRF view set."""
    owner = getattr(view_func, "view_class", None) or getattr(view_func, "cls", None) or view_func
    return getattr(owner, "public_cache_scope", None)


def cacheable_request(request):
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


class PublicCacheMiddleware:
    """Serve the public pages and the API from the shared cache (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        page = getattr(request, "_public_cache", None)
        if page is None:
            return response
        try:
            if page.storable(request, response):
                page.store(response)
            page.release()
        except Exception:
            logger.warning("The shared cache failed; the page was not stored.", exc_info=True)
        return page.decorate(response)

    def process_view(self, request, view_func, view_args, view_kwargs):
        scope = scope_of(view_func)
        if scope is None or not settings.PUBLIC_CACHE or not cacheable_request(request):
            return None
        names = list(SCOPES[scope])
        if scope == "municipality":
            names.append(municipality_version(view_kwargs.get("slug", "")))
        try:
            page = CachedPage(request, names)
            if page.not_modified(request):
                return page.decorate(HttpResponseNotModified())
            cached, current = page.lookup()
        except Exception:
            # Without the cache the page is rendered as if there were none.
            logger.warning("The shared cache failed; the page is rendered.", exc_info=True)
            return None
        if cached is None:
            request._public_cache = page
            return None
        if current:
            return page.decorate(cached)
        # The previous version while this one is rendered: no validator, so that no
        # client keeps it as the current one.
        cached["Cache-Control"] = "no-cache"
        patch_vary_headers(cached, ["Cookie"])
        return cached


class CachedPage:
    """One public address in one language at the current versions.

    Its copy is one cache entry (``latest_key``) holding the stamp of the versions it was
    rendered at: a request reads the versions and that entry in one round trip, and the
    copy is current when the stamps agree."""

    def __init__(self, request, names):
        language = translation.get_language()
        address = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
        self.latest_key = f"{PREFIX}page:{language}:{address}"
        keys = [_version_key(name) for name in names]
        found = cache.get_many([*keys, self.latest_key])
        if any(key not in found for key in keys):
            found |= dict(zip(keys, versions(names), strict=True))
        current = [found[key] for key in keys]
        self.latest = found.get(self.latest_key)
        self.modified = max(seconds for seconds, _token in current)
        day = timezone.localdate().isoformat()
        self.stamp = "-".join([day, *(token for _seconds, token in current)])
        self.lock_key = f"{self.latest_key}:{self.stamp}:lock"
        digest = hashlib.sha256(f"{self.latest_key}:{self.stamp}".encode()).hexdigest()
        self.etag = f'"{digest[:24]}"'
        self.locked = False

    def not_modified(self, request):
        etags = parse_etags(request.headers.get("If-None-Match", ""))
        return self.etag in etags or "*" in etags

    def lookup(self):
        """``(response, current)``: the stored copy when it is current, else the previous
        one while another process renders this one (not current), else ``(None, False)``:
        this request is to render it (holding the lock unless it waited in vain for
        another process to)."""
        if self.latest is not None and self.latest["stamp"] == self.stamp:
            return rebuild(self.latest), True
        if cache.add(self.lock_key, 1, timeout=LOCK_SECONDS):
            self.locked = True
            return None, False
        if self.latest is not None:
            return rebuild(self.latest), False
        waited = 0.0
        while waited < WAIT_SECONDS:
            time.sleep(WAIT_STEP)
            waited += WAIT_STEP
            entry = cache.get(self.latest_key)
            if entry is not None and entry["stamp"] == self.stamp:
                return rebuild(entry), True
        return None, False

    def storable(self, request, response):
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not getattr(getattr(request, "session", None), "modified", False)
            and "private" not in response.get("Cache-Control", "")
        )

    def store(self, response):
        entry = {
            "stamp": self.stamp,
            "status": response.status_code,
            "content": response.content,
            "headers": {h: response[h] for h in STORED_HEADERS if h in response},
        }
        cache.set(self.latest_key, entry, timeout=ENTRY_SECONDS)

    def release(self):
        if self.locked:
            cache.delete(self.lock_key)

    def decorate(self, response):
        """Conditional-GET headers and how long a proxy may keep the response."""
        if response.status_code in (200, 304):
            response["ETag"] = self.etag
            response["Last-Modified"] = http_date(self.modified)
            response["Cache-Control"] = f"public, max-age={settings.PUBLIC_CACHE_MAX_AGE}"
            patch_vary_headers(response, ["Cookie"])
        return response


def rebuild(entry):
    response = HttpResponse(entry["content"], status=entry["status"])
    for header, value in entry["headers"].items():
        response[header] = value
    return response
