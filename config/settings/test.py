"""Test settings: fast hashing, in-memory mail, plain static storage."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-secret")

from .base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = (  # noqa: F405
    "django.contrib.staticfiles.storage.StaticFilesStorage"
)
# The live server of the browser tests serves static files from the app directories.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# One process: the in-process cache is shared enough for the rate limits.
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "django_ratelimit.E003"]  # noqa: F405

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not shared memory: concurrent connections then wait for SQLite's lock as
    # they do in real use, instead of failing at once.
    # TEST_SQLITE_NAME lets two suites run side by side without sharing the file.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": env("TEST_SQLITE_NAME", default=str(BASE_DIR / "test-db.sqlite3"))  # noqa: F405
    }
    # A throwaway database: no waiting for the disk at every commit.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA synchronous=OFF"  # noqa: F405

# One log line per request would drown a failing test's output; tests of the line set
# the level themselves (caplog).
LOGGING["loggers"]["medborgarloften.request"]["level"] = "WARNING"  # noqa: F405
