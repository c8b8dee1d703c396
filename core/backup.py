"""Backups that restore: the database (PostgreSQL: pg_dump's custom format; SQLite: the
online backup API, safe while the site runs) and the media folder, in one directory.

    backups/<database>-<UTC time>/database.dump     (PostgreSQL)
                                  database.sqlite3  (SQLite)
                                  media.tar.gz      (when there are uploaded files)

``restore`` puts them back into the configured database (created if it is missing;
everything in it is replaced) and media folder.
"""

import os
import shutil
import sqlite3
import subprocess
import tarfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connections

DUMP = "database.dump"
SQLITE = "database.sqlite3"
MEDIA = "media.tar.gz"


def _database():
    return connections["default"].settings_dict


def is_postgresql():
    return _database()["ENGINE"] == "django.db.backends.postgresql"


def _pg_environment():
    """libpq's environment for the configured PostgreSQL database (no password on the
    command line)."""
    db = _database()
    env = {"PGHOST": db["HOST"] or "", "PGPORT": str(db["PORT"] or ""), "PGUSER": db["USER"]}
    if db["PASSWORD"]:
        env["PGPASSWORD"] = db["PASSWORD"]
    return {k: v for k, v in env.items() if v}


def _run(command, **kwargs):
    subprocess.run(command, check=True, env={**os.environ, **_pg_environment()}, **kwargs)


def backup(directory: Path) -> Path:
    """Write a backup into a new folder under ``directory``; returns the folder."""
    db = _database()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = Path(directory) / f"{Path(str(db['NAME'])).stem}-{stamp}"
    target.mkdir(parents=True)
    if is_postgresql():
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target / DUMP}", db["NAME"]])
    else:
        source = sqlite3.connect(db["NAME"])
        copy = sqlite3.connect(target / SQLITE)
        with copy:
            source.backup(copy)
        copy.close()
        source.close()
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and any(media.iterdir()):
        with tarfile.open(target / MEDIA, "w:gz") as archive:
            archive.add(media, arcname=".")
    return target


def restore(source: Path) -> None:
    """Replace the configured database's contents (and the media folder, if the backup
    has one) with the backup in the folder ``source``."""
    source = Path(source)
    db = _database()
    connections.close_all()
    if is_postgresql():
        if not (source / DUMP).exists():
            raise FileNotFoundError(f"{source / DUMP}: not a PostgreSQL backup")
        _create_if_missing(db["NAME"])
        _run(
            [
                *("pg_restore", "--clean", "--if-exists", "--no-owner", "--exit-on-error"),
                *(f"--dbname={db['NAME']}", str(source / DUMP)),
            ]
        )
    else:
        if not (source / SQLITE).exists():
            raise FileNotFoundError(f"{source / SQLITE}: not a SQLite backup")
        backup_db = sqlite3.connect(source / SQLITE)
        live = sqlite3.connect(db["NAME"])
        with live:
            backup_db.backup(live)
        live.close()
        backup_db.close()
    if (source / MEDIA).exists():
        media = Path(settings.MEDIA_ROOT)
        if media.exists():
            shutil.rmtree(media)
        media.mkdir(parents=True)
        with tarfile.open(source / MEDIA) as archive:
            archive.extractall(media, filter="data")


def _create_if_missing(name):
    import psycopg2
    from psycopg2 import sql

    db = _database()
    connection = psycopg2.connect(
        dbname="postgres",
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()
