"""Local development: DEBUG on, SQLite unless DATABASE_URL says otherwise."""

import os
from pathlib import Path

import environ

# Read .env before the defaults below, so that .env can override them.
environ.Env.read_env(Path(__file__).resolve().parent.parent.parent / ".env", overwrite=False)
os.environ.setdefault("DJANGO_SECRET_KEY", "local-development-only-not-secret")
os.environ.setdefault("DJANGO_DEBUG", "true")
# Plain-text log lines in a terminal; production logs JSON.
os.environ.setdefault("DJANGO_LOG_FORMAT", "text")

from .base import *  # noqa: E402, F403

ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost"]  # noqa: F405
STORAGES["staticfiles"]["BACKEND"] = (  # noqa: F405
    "django.contrib.staticfiles.storage.StaticFilesStorage"
)
# Serve static files straight from the app directories while developing.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# One process: the in-process cache is shared enough for the rate limits.
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "django_ratelimit.E003"]  # noqa: F405
