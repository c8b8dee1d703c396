"""Every dependency between the apps points one way: reports -> dialogues -> pledges ->
accounts -> places -> core (building blocks, not an app). A module that imports "upwards"
sits in the wrong app."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["core", "places", "accounts", "pledges", "dialogues", "reports"]


def imported_apps(path):
    """The first-party apps a module imports, at any depth (also inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in LAYERS:
                yield top, node.lineno


def upward_imports(app):
    allowed = set(LAYERS[: LAYERS.index(app) + 1])
    for path in sorted((ROOT / app).rglob("*.py")):
        for imported, line in imported_apps(path):
            if imported not in allowed:
                yield f"{path.relative_to(ROOT)}:{line} imports {imported}"


@pytest.mark.parametrize("app", LAYERS)
def test_no_app_imports_an_app_above_it(app):
    assert list(upward_imports(app)) == []


def test_the_check_sees_an_upward_import(tmp_path, monkeypatch):
    (tmp_path / "places").mkdir()
    (tmp_path / "places" / "bad.py").write_text("def f():\n    from pledges.models import Pledge\n")
    monkeypatch.setattr("tests.test_layering.ROOT", tmp_path)
    assert list(upward_imports("places")) == ["places/bad.py:2 imports pledges"]
