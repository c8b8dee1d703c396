"""Settings shared by every environment; values come from the environment (django-environ)."""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])

INSTALLED_APPS = [
    "config.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "simple_history",
    "django_ratelimit",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "core",
    "places",
    "accounts",
    "pledges",
    "dialogues",
    "reports",
]

MIDDLEWARE = [
    # First: it times and counts everything below it.
    "core.observability.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the language is chosen (its 400 page is translated), before anything that
    # reads the session or the form data.
    "reports.middleware.RefuseNullCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # As late as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
    # Inside everything that adds headers or cookies to a response (they are added to a
    # cached response as to a rendered one); it never answers a login.
    "reports.cache.PublicCacheMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reports.context_processors.language_links",
                "reports.context_processors.service",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Take the write lock when a transaction begins, so concurrent writers wait for each
    # other (up to the timeout) instead of failing halfway.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rate limits (django-ratelimit) count in the cache, which must be shared by every process
# in production: CACHE_URL=redis://host:6379/0. The in-process default suits one process.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# Django's Redis backend, reusing its client (core/cache.py says why).
REDIS_BACKENDS = {"django.core.cache.backends.redis.RedisCache": "core.cache.RedisCache"}
CACHES["default"]["BACKEND"] = REDIS_BACKENDS.get(
    CACHES["default"]["BACKEND"], CACHES["default"]["BACKEND"]
)

# The public pages and the API in that cache, never stale (reports/cache.py); off for a
# measurement of the pages without it. A proxy in front may keep a page this long.
PUBLIC_CACHE = env.bool("DJANGO_PUBLIC_CACHE", default=True)
PUBLIC_CACHE_MAX_AGE = env.int("DJANGO_PUBLIC_CACHE_MAX_AGE", default=10)

# How many proxies that append to X-Forwarded-For stand between the clients and the app.
# 0: clients connect directly and REMOTE_ADDR is theirs. Every abuse limit (login lockout,
# password reset, Tyck till) counts per the address config.client_ip computes from this.
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
RATELIMIT_IP_META_KEY = "config.client_ip.client_ip"
SILENCED_SYSTEM_CHECKS = [
    # Django's own Redis backend is not on django-ratelimit's list but increments atomically.
    "django_ratelimit.W001",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login lockout (django-axes), in the database that every worker shares. Failures count
# within the cool-off (since the latest failure), each key against its own limit:
# - a user name from one client: 10, enough for typos, far too few for guessing;
# - a user name from anywhere: 30, so that guessing from many addresses stops too (the
#   price: anyone can lock a known user name out for the cool-off; a superuser unlocks);
# - one client, whatever the user names: 100, against trying one password on many accounts,
#   yet far above what a whole municipal office behind one NAT address mistypes in an hour.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username", "ip_address"]
LOGIN_FAILURE_LIMITS = [10, 30, 100]
AXES_FAILURE_LIMIT = min(LOGIN_FAILURE_LIMITS)
AXES_HANDLER = "accounts.lockout.LockoutHandler"
AXES_COOLOFF_TIME = timedelta(hours=1)
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# Successful logins are not logged (no client addresses kept for them), and the admin that
# shows the failures is our superuser-only one (accounts/admin.py).
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"

# Who publishes the service itself (the footer of the national pages, the accessibility
# statement and the privacy page name them), and the data protection officer's address.
SERVICE_PUBLISHER = {
    "name": env("DJANGO_SERVICE_PUBLISHER_NAME", default="Medborgarlöften"),
    "email": env("DJANGO_SERVICE_PUBLISHER_EMAIL", default="medborgarloften@example.org"),
    "website": env("DJANGO_SERVICE_PUBLISHER_WEBSITE", default=""),
}
DATA_PROTECTION_OFFICER_EMAIL = env(
    "DJANGO_DATA_PROTECTION_OFFICER_EMAIL", default="dataskyddsombud@example.org"
)

LOGIN_URL = "login"
# A coordinator's session ends after a working day without a request (every request
# renews it); visitors who never log in get no session and no session cookie.
SESSION_COOKIE_AGE = int(timedelta(hours=10).total_seconds())
SESSION_SAVE_EVERY_REQUEST = True
# Sessions are read from the shared cache (every replica sees the same ones) and written
# through to the database, so that a restarted cache logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
LOGIN_REDIRECT_URL = "pledges:dashboard"
LOGOUT_REDIRECT_URL = "reports:index"

# The site's own template pack (templates/medborgar/): our class names and the aria wiring
# of Django's widgets, no Bootstrap.
CRISPY_ALLOWED_TEMPLATE_PACKS = ("medborgar",)
CRISPY_TEMPLATE_PACK = "medborgar"

EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
# The site's address for links in e-mails sent outside a request (the reminder digest).
SITE_URL = env("DJANGO_SITE_URL", default="http://localhost:8000")
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="noreply@medborgarloften.local")

# Logs: JSON lines by default (one per request from core.observability, with its request
# id, user id, path, status, duration and query count), or plain text with
# DJANGO_LOG_FORMAT=text. A request slower than DJANGO_SLOW_REQUEST_SECONDS is a warning.
SLOW_REQUEST_SECONDS = env.float("DJANGO_SLOW_REQUEST_SECONDS", default=1.0)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env("DJANGO_LOG_FORMAT", default="json"),
        }
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # The request lines replace django.server's and django.request's own.
        "django.server": {"level": "WARNING"},
        "medborgarloften.request": {
            "level": env("DJANGO_REQUEST_LOG_LEVEL", default="INFO"),
        },
    },
}

# Content-Security-Policy (django-csp): everything from this origin, nothing inline (the
# site has no JavaScript; the admin's scripts and styles are files), never in a frame.
# img-src allows data: for the empty favicon in base.html.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Permissions-Policy (django-permissions-policy): the site uses none of these features.
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    ]
}

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Medborgarlöften API",
    "DESCRIPTION": "Open data: public citizen pledges, their commitments with progress, and "
    "the activities done. Read-only.",
    "VERSION": "1.0.0",
    # As the open data page says (reports/open_data.html).
    "LICENSE": {"name": "CC0-1.0", "url": "https://creativecommons.org/publicdomain/zero/1.0/"},
    "SERVE_INCLUDE_SCHEMA": False,
}
