"""Production: every secret from the environment, secure cookies, compressed static files."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Production needs a real database: no silent fall-back to SQLite.
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)

# Rate limits need a cache shared by every gunicorn worker, e.g. redis://redis:6379/0.
CACHES = {"default": env.cache("CACHE_URL")}
CACHES["default"]["BACKEND"] = REDIS_BACKENDS.get(  # noqa: F405
    CACHES["default"]["BACKEND"], CACHES["default"]["BACKEND"]
)

# Trust X-Forwarded-Proto only behind a proxy that overwrites it; otherwise any client
# could claim to be on HTTPS.
if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Secure cookies are only sent over HTTPS; a plain-HTTP trial stack must turn them off.
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HTTP Strict Transport Security: browsers that have seen the header use only HTTPS here for
# this long. Django sends it only over HTTPS, so a plain-HTTP trial stack is unaffected.
# DJANGO_SECURE_HSTS_SECONDS=0 turns it off (e.g. while HTTPS is being set up; browsers that
# already have the header keep it until it expires).
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True

# `check --deploy` warns about each of these when it is off. Off is never a default here but
# an explicit, documented choice (e.g. the plain-HTTP docker compose stack), so the warning
# goes only when the operator has made that choice.
SILENCED_SYSTEM_CHECKS = [
    *SILENCED_SYSTEM_CHECKS,  # noqa: F405
    # HSTS preload is a commitment for the whole registrable domain, which is hard to take
    # back and only the domain's owner can make; it is never on by default.
    "security.W021",
    *(["security.W008"] if not SECURE_SSL_REDIRECT else []),
    *(["security.W012", "security.W016"] if not SESSION_COOKIE_SECURE else []),
    *(["security.W004"] if not SECURE_HSTS_SECONDS else []),
]
