"""The production settings load with exactly what the deployment provides (the compose
file's environment, the Dockerfile's build step) and pass `manage.py check --deploy`.

Each test starts a Python process with config.settings.production. That docker-compose.yml
is valid is checked by `docker compose config` in `make lint`, where Docker is installed.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE_FILE = ROOT / "docker-compose.yml"

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}
INTERPOLATION = re.compile(
    r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
)


def interpolate(value, environ=None):
    """Resolve compose ${...} the way `docker compose` does, with `environ` as the shell."""
    environ = environ or {}

    def replace(match):
        name, op, arg = match["name"], match["op"], match["arg"]
        current = environ.get(name)
        if op == ":-":
            return current if current else arg
        if op == "-":
            return arg if current is None else current
        if op in (":?", "?") and (current is None or (op == ":?" and not current)):
            raise LookupError(f"{name}: {arg}")
        return current or ""

    return INTERPOLATION.sub(replace, value).replace("$$", "$")


def as_mapping(environment):
    """A service's `environment`, given as a mapping or as a list of NAME=value."""
    if environment is None:
        return {}
    if isinstance(environment, dict):
        return {key: "" if value is None else str(value) for key, value in environment.items()}
    return dict(item.split("=", 1) if "=" in item else (item, "") for item in environment)


@pytest.fixture(scope="module")
def web():
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))["services"]["web"]


def collectstatic_environment():
    """The variables the Dockerfile's collectstatic step sets (NAME=value before it)."""
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    run = next(
        line for line in text.splitlines() if line.startswith("RUN") and "collectstatic" in line
    )
    return dict(re.findall(r"\b([A-Z_]+)=(\S+)", run))


# --- the production settings load with exactly what the deployment provides -------------

LOAD_SETTINGS = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DATABASES['default']['ENGINE'], settings.CACHES['default']['BACKEND'])"
)


def load_production_settings(environment):
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        **environment,
    }
    return subprocess.run(
        [sys.executable, "-c", LOAD_SETTINGS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_load_with_the_compose_environment(web):
    environment = {
        name: interpolate(value, {"DJANGO_SECRET_KEY": "compose-test-only"})
        for name, value in as_mapping(web["environment"]).items()
    }
    result = load_production_settings(environment)
    assert result.returncode == 0, result.stderr
    assert "postgresql" in result.stdout
    assert "RedisCache" in result.stdout


def test_production_settings_refuse_to_start_without_database_and_cache():
    base = {"DJANGO_SECRET_KEY": "x", "DJANGO_ALLOWED_HOSTS": "localhost"}
    for missing in ("DATABASE_URL", "CACHE_URL"):
        environment = {**base, "DATABASE_URL": "sqlite:////tmp/x.sqlite3", "CACHE_URL": "redis://r"}
        del environment[missing]
        result = load_production_settings(environment)
        assert result.returncode != 0
        assert missing in result.stderr


def test_collectstatic_step_provides_what_the_settings_need():
    environment = collectstatic_environment()
    assert "DJANGO_SECRET_KEY" in environment
    result = load_production_settings(environment)
    assert result.returncode == 0, result.stderr


# --- manage.py check --deploy ----------------------------------------------------------

# As the README says to generate one: long and random, so security.W009 has nothing to say.
DEPLOY_SECRET_KEY = "k3Y-" + "x7Qp9zR2mV5wL8cN4bT6" * 3


def check_deploy(environment):
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        **environment,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_is_clean_with_the_compose_defaults(web):
    environment = {
        name: interpolate(value, {"DJANGO_SECRET_KEY": DEPLOY_SECRET_KEY})
        for name, value in as_mapping(web["environment"]).items()
    }
    result = check_deploy(environment)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_is_clean_with_the_production_defaults():
    # Only what production requires; every security setting left at its default.
    result = check_deploy(
        {
            "DJANGO_SECRET_KEY": DEPLOY_SECRET_KEY,
            "DJANGO_ALLOWED_HOSTS": "medborgarloften.example.se",
            "DATABASE_URL": "postgres://u:p@db:5432/d",
            "CACHE_URL": "redis://redis:6379/0",
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


PRINT_HSTS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, "
    "s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE)"
)


@pytest.mark.parametrize(
    ("hsts", "expected"),
    [({}, "31536000 True False True True"), ({"DJANGO_SECURE_HSTS_SECONDS": "0"}, "0 True")],
)
def test_production_sends_hsts_for_a_year_by_default_and_never_preload(hsts, expected):
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": DEPLOY_SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "medborgarloften.example.se",
        "DATABASE_URL": "postgres://u:p@db:5432/d",
        "CACHE_URL": "redis://redis:6379/0",
        **hsts,
    }
    result = subprocess.run(
        [sys.executable, "-c", PRINT_HSTS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith(expected)
