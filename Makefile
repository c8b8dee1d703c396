# The two commands: `make run` and `make test`. Both create .venv, install, migrate,
# load the reference data and the demo. SQLite by default; DATABASE_URL for PostgreSQL.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test setup lint format messages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference_data
	$(PY) manage.py seed_demo

run: setup
	$(PY) manage.py runserver 127.0.0.1:8000

test: setup
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Needs GNU gettext (xgettext) to extract; compiling uses polib, so no gettext is needed
# to build the committed .mo files.
messages: $(STAMP)
	$(PY) manage.py makemessages --locale sv --locale en --no-obsolete --no-location
	$(PY) scripts/compile_messages.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
