"""On PostgreSQL, the database itself refuses two published pledges of one municipality
whose validity overlaps (an exclusion constraint; an open end runs until further notice).
SQLite has no such constraint; there the service's check, under SQLite's single-writer
lock, is the guarantee."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE pledges_pledge ADD CONSTRAINT pledge_no_overlapping_published
    EXCLUDE USING gist (
        municipality_id WITH =,
        daterange(valid_from, valid_to, '[]') WITH &&
    ) WHERE (status = 'published');
"""
DROP = "ALTER TABLE pledges_pledge DROP CONSTRAINT IF EXISTS pledge_no_overlapping_published;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("pledges", "0002_role_permissions")]

    operations = [migrations.RunPython(forwards, backwards)]
