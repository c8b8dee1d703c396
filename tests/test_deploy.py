"""Static checks of the deployment files: Dockerfile, docker-compose.yml and .env.example.

Docker is not needed (nor a database): the files are parsed and their promises checked, so a
regression such as a lost healthcheck, a literal secret key or an unused volume fails here.
"""

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
SETTINGS_DIR = ROOT / "config" / "settings"

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}
INTERPOLATION = re.compile(
    r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
)


# --- helpers ---------------------------------------------------------------------------


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


def healthcheck_command(healthcheck):
    test = healthcheck["test"]
    return test if isinstance(test, str) else " ".join(test)


def dockerfile_instructions():
    """(INSTRUCTION, arguments) pairs, comments dropped and continuation lines joined."""
    logical, current = [], ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or (not stripped and not current):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        if current.strip():
            logical.append(current.strip())
        current = ""
    if current.strip():
        logical.append(current.strip())
    pairs = []
    for line in logical:
        keyword, _, arguments = line.partition(" ")
        pairs.append((keyword.upper(), arguments.strip()))
    return pairs


def command_text(arguments):
    """Exec form (JSON array) or shell form of CMD/ENTRYPOINT/HEALTHCHECK CMD, as one string."""
    if arguments.startswith("["):
        return " ".join(json.loads(arguments))
    return arguments


def settings_env_vars():
    """Names of environment variables read in config/settings/*.py."""
    patterns = [
        # env("X"), env.bool("X"), env.db("X"), ... from django-environ, possibly multi-line
        re.compile(r"\benv(?:\.\w+)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']"),
        re.compile(r"\bos\.(?:environ\.(?:get|setdefault)\(|getenv\()\s*[\"']([A-Z][A-Z0-9_]*)"),
        re.compile(r"\bos\.environ\[\s*[\"']([A-Z][A-Z0-9_]*)[\"']\s*\]"),
    ]
    names = set()
    for path in SETTINGS_DIR.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for pattern in patterns:
            names.update(pattern.findall(text))
    return names


def env_example_vars():
    """Names assigned (not commented out) in .env.example."""
    names = []
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=", line)
        if match:
            names.append(match[1])
    return names


# --- docker-compose.yml ----------------------------------------------------------------


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def web(compose):
    return compose["services"]["web"]


@pytest.fixture(scope="module")
def db(compose):
    return compose["services"]["db"]


def test_compose_has_db_and_web_services(compose):
    assert {"db", "web"} <= set(compose["services"])
    assert compose["services"]["db"]["image"].split(":")[0] == "postgres"


def test_web_builds_from_the_root_dockerfile(web):
    build = web["build"]
    if isinstance(build, str):
        context, dockerfile = build, "Dockerfile"
    else:
        context, dockerfile = build.get("context", "."), build.get("dockerfile", "Dockerfile")
    assert (COMPOSE_FILE.parent / context).resolve() == ROOT
    assert (ROOT / context / dockerfile).resolve() == DOCKERFILE
    assert DOCKERFILE.is_file()


def test_web_waits_for_a_healthy_db(web):
    depends_on = web["depends_on"]
    assert isinstance(depends_on, dict), "the list form of depends_on cannot wait for health"
    assert depends_on["db"]["condition"] == "service_healthy"


def test_web_healthcheck_hits_healthz(web):
    command = healthcheck_command(web["healthcheck"])
    assert "127.0.0.1:8000/healthz" in command
    # Neither curl nor wget is in python:*-slim.
    assert "curl" not in command
    assert "wget" not in command


def test_db_healthcheck_uses_pg_isready(db):
    assert "pg_isready" in healthcheck_command(db["healthcheck"])


def test_database_url_points_at_the_db_service(web, db):
    url = urlsplit(interpolate(as_mapping(web["environment"])["DATABASE_URL"]))
    assert url.scheme in {"postgres", "postgresql", "pgsql"}
    assert url.hostname == "db"
    assert url.port in (None, 5432)
    # With the defaults, and with overrides, the URL names the database and role db creates.
    for shell in ({}, {"POSTGRES_DB": "d", "POSTGRES_USER": "u", "POSTGRES_PASSWORD": "p"}):
        url = urlsplit(interpolate(as_mapping(web["environment"])["DATABASE_URL"], shell))
        db_env = {k: interpolate(v, shell) for k, v in as_mapping(db["environment"]).items()}
        assert url.username == db_env["POSTGRES_USER"]
        assert url.password == db_env["POSTGRES_PASSWORD"]
        assert url.path.lstrip("/") == db_env["POSTGRES_DB"]


def test_secret_key_is_required_not_defaulted(web):
    value = as_mapping(web["environment"])["DJANGO_SECRET_KEY"]
    assert re.fullmatch(r"\$\{DJANGO_SECRET_KEY:?\?[^}]*\}", value), value
    with pytest.raises(LookupError):
        interpolate(value, {})
    assert interpolate(value, {"DJANGO_SECRET_KEY": "s3cret"}) == "s3cret"


def test_web_environment_suits_plain_http_compose(web):
    environment = as_mapping(web["environment"])
    assert interpolate(environment["DJANGO_ALLOWED_HOSTS"], {})
    assert interpolate(environment["DJANGO_SECURE_SSL_REDIRECT"], {}).lower() in {"false", "0"}
    assert "8000:8000" in [str(port) for port in web["ports"]]
    assert web["restart"] == "unless-stopped"


def _named_volume_sources(service):
    sources = []
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            if volume.get("type", "volume") == "volume" and volume.get("source"):
                sources.append(volume["source"])
            continue
        source = volume.split(":")[0]
        if ":" in volume and not source.startswith((".", "/", "~", "$")):
            sources.append(source)
    return sources


def test_named_volumes_are_declared_and_used(compose):
    declared = set(compose.get("volumes") or {})
    used = {
        source
        for service in compose["services"].values()
        for source in _named_volume_sources(service)
    }
    assert declared, "postgres data and media need named volumes"
    assert declared == used


def test_postgres_data_and_media_live_on_volumes(compose, db, web):
    def mount_targets(service):
        return {
            volume["target"] if isinstance(volume, dict) else volume.split(":")[1]
            for volume in service.get("volumes", [])
        }

    assert "/var/lib/postgresql/data" in mount_targets(db)
    media_root = interpolate(as_mapping(web["environment"])["DJANGO_MEDIA_ROOT"])
    assert media_root in mount_targets(web)


# --- Dockerfile ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def instructions():
    return dockerfile_instructions()


def _last(instructions, keyword):
    matching = [arguments for name, arguments in instructions if name == keyword]
    assert matching, f"no {keyword} in the Dockerfile"
    return matching[-1]


def test_dockerfile_base_image(instructions):
    assert instructions[0][0] == "FROM"
    assert _last(instructions, "FROM").split()[0] == "python:3.11-slim"


def test_dockerfile_healthcheck_hits_healthz_with_python(instructions):
    healthcheck = _last(instructions, "HEALTHCHECK")
    assert healthcheck.upper() != "NONE"
    command = command_text(healthcheck[healthcheck.index("CMD") + len("CMD") :].strip())
    assert "127.0.0.1:8000/healthz" in command
    assert command.split()[0] in {"python", "python3"}


def test_migrations_run_once_before_any_web_container_starts(compose, web, instructions):
    """A one-off service migrates; the web containers (possibly several replicas) only
    start once it has succeeded, and never migrate themselves."""
    migrate = compose["services"]["migrate"]
    assert migrate["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert migrate.get("restart") == "no"
    assert migrate["image"] == web["image"]
    assert migrate["environment"] == web["environment"]
    assert web["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    command = command_text(_last(instructions, "CMD"))
    assert "migrate" not in command
    assert command.startswith("gunicorn config.wsgi:application")
    assert "0.0.0.0:8000" in command


def test_dockerfile_installs_the_locked_dependencies_before_the_code(instructions):
    steps = [(name, arguments) for name, arguments in instructions if name in {"COPY", "RUN"}]
    locked = next(i for i, (name, arguments) in enumerate(steps) if "--require-hashes" in arguments)
    code = next(i for i, (name, arguments) in enumerate(steps) if arguments.startswith(". "))
    assert "-r requirements.lock" in steps[locked][1]
    assert locked < code


def test_dockerfile_uses_production_settings(instructions):
    environment = " ".join(arguments for name, arguments in instructions if name == "ENV")
    assert re.search(r"\bDJANGO_SETTINGS_MODULE[= ]config\.settings\.production\b", environment)


def test_dockerfile_collects_static_files_without_baking_in_a_secret(instructions):
    runs = [arguments for name, arguments in instructions if name == "RUN"]
    assert any("collectstatic --noinput" in run for run in runs)
    for name, arguments in instructions:
        if name in {"ENV", "ARG"}:
            assert "DJANGO_SECRET_KEY" not in arguments, "the secret would stay in the image"


def test_dockerfile_does_not_run_as_root(instructions):
    names = [name for name, _ in instructions]
    assert "USER" in names
    user = _last(instructions, "USER").split(":")[0]
    assert user not in {"root", "0"}
    # The unprivileged user is in force when the container starts.
    last_user = len(names) - 1 - names[::-1].index("USER")
    assert last_user < max(i for i, name in enumerate(names) if name in {"CMD", "ENTRYPOINT"})


def test_dockerfile_installs_runtime_dependencies_only(instructions):
    installs = [
        arguments
        for name, arguments in instructions
        if name == "RUN" and re.search(r"\bpip3?\s+install\b", arguments)
    ]
    assert installs, "the project is never installed"
    for install in installs:
        for command in re.split(r"&&|;|\|\|", install):
            words = shlex.split(command)
            if "install" not in words:
                continue
            targets = words[words.index("install") + 1 :]
            assert not any("[" in target for target in targets), f"extras installed: {command}"
            assert not any("dev" in target for target in targets), f"dev installed: {command}"
    assert any(re.search(r"\bpip3?\s+install\s+(?:-\S+\s+)*\.(?:\s|$)", i) for i in installs)


def test_dockerfile_exposes_port_8000(instructions):
    assert "8000" in _last(instructions, "EXPOSE").split()


def test_dockerignore_keeps_local_state_out_of_the_image():
    ignored = {
        line.strip().rstrip("/")
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".venv", ".git", "db.sqlite3", ".env", "staticfiles", "media"} <= ignored


# --- .env.example ----------------------------------------------------------------------


def test_settings_env_var_scan_finds_the_known_variables():
    # Guards the regexes below: an empty scan would make the next two tests pass vacuously.
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOWED_HOSTS"} <= settings_env_vars()


def test_env_example_lists_every_variable_the_settings_read():
    missing = settings_env_vars() - set(env_example_vars())
    assert not missing, f"read by config/settings but not in .env.example: {sorted(missing)}"


def test_env_example_lists_only_variables_the_settings_read():
    unknown = set(env_example_vars()) - settings_env_vars()
    assert not unknown, f"in .env.example but never read by config/settings: {sorted(unknown)}"


def test_env_example_has_no_duplicates_and_no_real_secret():
    names = env_example_vars()
    assert len(names) == len(set(names))
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    assert re.search(r"^DJANGO_SECRET_KEY=\s*$", text, re.MULTILINE), "leave the key empty"
    assert re.search(r"^#?\s*DATABASE_URL=sqlite:", text, re.MULTILINE)
    assert re.search(r"^#?\s*DATABASE_URL=postgres(?:ql)?://", text, re.MULTILINE)


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


def test_collectstatic_step_provides_what_the_settings_need(instructions):
    run = next(arguments for name, arguments in instructions if "collectstatic" in arguments)
    environment = dict(re.findall(r"\b([A-Z_]+)=(\S+)", run))
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
