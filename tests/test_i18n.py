"""Swedish and English catalogs are complete, compiled, and cover every string in the code."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LANGUAGES = ["sv", "en"]


def catalog(lang):
    return polib.pofile(str(ROOT / "locale" / lang / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_entry_is_translated_and_not_fuzzy(lang):
    po = catalog(lang)
    assert len(po) > 100
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    for entry in po:
        if entry.msgid_plural:
            assert all(entry.msgstr_plural.values()), entry.msgid


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalog_matches_the_source(lang):
    po = catalog(lang)
    mo = polib.mofile(str(ROOT / "locale" / lang / "LC_MESSAGES" / "django.mo"))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in mo}
    source = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in po if not e.obsolete}
    assert compiled == source


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) missing")
def test_catalog_covers_every_translatable_string(tmp_path):
    """Extract the strings afresh from a copy of the code and compare with the catalog."""
    ignore = shutil.ignore_patterns(".venv", ".git", "node_modules", "*.sqlite3", "staticfiles")
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=ignore)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "sv", "--no-location"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    extracted = polib.pofile(str(copy / "locale" / "sv" / "LC_MESSAGES" / "django.po"))
    fresh = {(e.msgctxt, e.msgid) for e in extracted if not e.obsolete}
    committed = {(e.msgctxt, e.msgid) for e in catalog("sv") if not e.obsolete}
    assert fresh - committed == set(), "run `make messages` and translate the new strings"
    assert committed - fresh == set(), "the catalog has strings the code no longer uses"
