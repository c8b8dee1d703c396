"""`make backup` and `make restore`: a backup of the test database restored into a fresh
database serves every public page and API response byte for byte as the original does."""

import os
import subprocess
import sys
import uuid

import psycopg2
import pytest
from django.db import connection
from psycopg2 import sql

from dialogues.models import Dialogue
from pledges.models import Commitment, Pledge
from tests.servers import ROOT, Browser, database_url, gunicorn


def public_paths():
    """Every public page and API response of the data there is, in both languages."""
    paths = ["/", "/tillganglighet/", "/personuppgifter/", "/oppna-data/"]
    paths += ["/api/v1/municipalities/", "/api/v1/pledges/"]
    for pledge in Pledge.objects.public().select_related("municipality"):
        slug, year = pledge.municipality.slug, pledge.valid_from.year
        paths += [f"/kommun/{slug}/", f"/kommun/{slug}/{year}/", f"/kommun/{slug}/{year}/rapport/"]
        paths += [f"/kommun/{slug}/{year}/loften.csv", f"/kommun/{slug}/{year}/aktiviteter.csv"]
        paths += [f"/api/v1/pledges/{pledge.pk}/", f"/api/v1/pledges/{pledge.pk}/activities/"]
        paths += [
            f"/kommun/{slug}/{year}/lofte/{pk}/aktiviteter/"
            for pk in Commitment.objects.filter(pledge=pledge).values_list("pk", flat=True)
        ]
    for dialogue in Dialogue.objects.published().select_related("municipality"):
        paths.append(f"/kommun/{dialogue.municipality.slug}/dialoger/{dialogue.pk}/")
    paths += ["/kommun/asele/tyck-till/", "/kommun/stockholm/"]
    paths = list(dict.fromkeys(paths))
    return paths + [f"/en{path}" for path in paths if not path.startswith("/api/")]


def manage(*arguments, database):
    subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
        },
        check=True,
        capture_output=True,
        text=True,
    )


def server_admin():
    db = connection.settings_dict
    admin = psycopg2.connect(
        dbname="postgres",
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
    )
    admin.autocommit = True
    return admin


@pytest.fixture
def fresh_database(tmp_path):
    """The URL of a database that does not exist yet (restore creates it); dropped after."""
    if connection.vendor == "sqlite":
        yield database_url(str(tmp_path / "restored.sqlite3"))
        return
    name = f"restored_{uuid.uuid4().hex[:12]}"
    yield database_url(name)
    admin = server_admin()
    with admin.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
    admin.close()


def test_a_backup_restores_to_identical_pages(transactional_db, fresh_database, tmp_path):
    paths = public_paths()
    assert len(paths) > 40
    backups = tmp_path / "backups"
    manage("backup", str(backups), database=database_url())
    (folder,) = backups.iterdir()
    dump = folder / ("database.sqlite3" if connection.vendor == "sqlite" else "database.dump")
    assert dump.stat().st_size > 100_000
    manage("restore", "--yes", str(folder), database=fresh_database)

    environment = {"DJANGO_PUBLIC_CACHE": "false", "CACHE_URL": "locmemcache://"}
    pages = {}
    for name, database in (("original", database_url()), ("restored", fresh_database)):
        with gunicorn(1, database=database, log_dir=tmp_path, **environment) as (port,):
            # One host name for both: the printed report carries its address.
            browser = Browser(host="localhost")
            pages[name] = {path: browser.get(port, path) for path in paths}
    for path in paths:
        assert pages["original"][path][0] == 200, path
        assert pages["restored"][path] == pages["original"][path], path


def test_restore_refuses_what_is_not_a_backup(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "restore", "--yes", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "not a SQLite backup" in result.stderr or "not a PostgreSQL backup" in result.stderr
