# The two commands: `make run` and `make test`. Both create .venv, install, migrate,
# load the reference data and the demo. SQLite by default; DATABASE_URL for PostgreSQL.
# The newest Python 3.11 or later that actually runs here (a pyenv shim of a version not
# selected does not), else python3; override with PYTHON=/path/to/python.
PYTHON ?= $(or $(shell for v in 3.14 3.13 3.12 3.11; do p=$$(command -v python$$v) && "$$p" -c "" 2>/dev/null && echo "$$p" && break; done),$(shell command -v python3))
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PIP := $(PY) -m pip --quiet --disable-pip-version-check
# Every package pinned with its hashes (pip-tools); `make lock` renews both files.
LOCK := requirements-dev.lock
COMPILE := $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links

.PHONY: run test setup lint format messages lock clean bench backup restore

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --require-hashes -r $(LOCK)
	$(PIP) install --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference_data
	$(PY) manage.py seed_demo

run: setup
	$(PY) manage.py runserver 127.0.0.1:8000

# One worker per core (pytest-xdist), each with its own test database: on 2 cores the
# whole suite takes about a third less time, though each worker migrates and seeds.
test: setup
	$(PY) -m pytest -n auto

# The public pages on PostgreSQL with national-scale synthetic data (seed_scale, about a
# million activities): SQL queries per page, and requests/s under gunicorn beside /healthz.
# DATABASE_URL (default postgres://postgres@127.0.0.1:5432/medborgar_bench) is created,
# migrated and seeded if need be. BENCH_ARGS=--quick for a small scale.
bench: $(STAMP)
	$(PY) scripts/bench.py $(BENCH_ARGS)

# A backup of the database (PostgreSQL: pg_dump's custom format, needs pg_dump; SQLite: the
# online backup API) and the media folder, in a new folder under BACKUP_DIR; `make restore
# BACKUP=<that folder>` replaces the database's contents with it (it asks first).
BACKUP_DIR ?= backups
backup: $(STAMP)
	$(PY) manage.py backup $(BACKUP_DIR)

restore: $(STAMP)
	@test -n "$(BACKUP)" || (echo "make restore BACKUP=<folder printed by make backup>"; exit 2)
	$(PY) manage.py restore $(BACKUP)

# docker-compose.yml is validated where Docker Compose is installed (CI need not have it);
# a lint step, not a test, so that its absence is said plainly and is not a skipped test.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	@if docker compose version >/dev/null 2>&1; then \
		DJANGO_SECRET_KEY=compose-config-check docker compose config --quiet && \
		echo "docker-compose.yml: valid (docker compose config)"; \
	else echo "docker-compose.yml: not validated, Docker Compose is not installed"; fi

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Needs GNU gettext (xgettext) to extract; compiling uses polib, so no gettext is needed
# to build the committed .mo files.
messages: $(STAMP)
	$(PY) manage.py makemessages --locale sv --locale en --no-obsolete --no-location
	$(PY) scripts/compile_messages.py

# After a change to the dependencies in pyproject.toml.
lock: $(STAMP)
	$(COMPILE) --output-file requirements.lock pyproject.toml
	$(COMPILE) --extra dev --output-file requirements-dev.lock pyproject.toml

clean:
	rm -rf .venv .venv-* db.sqlite3 staticfiles
