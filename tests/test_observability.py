"""One structured log line per request, slow requests as warnings, the readiness check."""

import json
import logging

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.test.utils import CaptureQueriesContext

from core import observability

pytestmark = pytest.mark.django_db

LOGGER = "medborgarloften.request"


def lines(caplog):
    return [r for r in caplog.records if r.name == LOGGER]


def test_every_request_is_one_line_with_its_figures(client, caplog, demo_pledge):
    caplog.set_level(logging.INFO, logger=LOGGER)
    response = client.get(f"/kommun/asele/{demo_pledge.valid_from.year}/")
    (record,) = lines(caplog)
    assert record.levelno == logging.INFO
    assert record.path == f"/kommun/asele/{demo_pledge.valid_from.year}/"
    assert record.method == "GET"
    assert record.status == 200
    assert record.queries > 0
    assert record.duration_ms >= 0
    assert record.user_id is None
    assert record.request_id == response["X-Request-ID"]
    assert len(record.request_id) == 32


def test_the_line_names_the_user_and_keeps_the_proxys_request_id(client_for, caplog):
    client = client_for("polis")
    caplog.set_level(logging.INFO, logger=LOGGER)
    response = client.get("/samordnare/", headers={"x_request_id": "proxy-abc-12345"})
    (record,) = lines(caplog)
    assert record.user_id == get_user_model().objects.get(username="polis").pk
    assert record.request_id == "proxy-abc-12345" == response["X-Request-ID"]
    # A request id that is not one is replaced, never logged as sent.
    client.get("/samordnare/", headers={"x_request_id": "bad id\nwith a line"})
    assert lines(caplog)[-1].request_id != "bad id\nwith a line"


def test_the_line_is_json(client, caplog, settings):
    from pythonjsonlogger.json import JsonFormatter

    caplog.set_level(logging.INFO, logger=LOGGER)
    with CaptureQueriesContext(connection) as queries:
        client.get("/healthz")
    (record,) = lines(caplog)
    assert record.queries == len(queries) > 0
    line = json.loads(JsonFormatter("%(levelname)s %(name)s %(message)s").format(record))
    assert line["path"] == "/healthz"
    assert line["status"] == 200
    assert line["queries"] == len(queries)
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "json"


def test_a_slow_request_is_a_warning_with_its_query_count(client, caplog, settings):
    settings.SLOW_REQUEST_SECONDS = 0
    caplog.set_level(logging.WARNING, logger=LOGGER)
    with CaptureQueriesContext(connection) as queries:
        client.get("/healthz")
    (record,) = lines(caplog)
    assert record.levelno == logging.WARNING
    assert record.getMessage().startswith("slow request GET /healthz 200 ")
    assert record.queries == len(queries) > 0


def test_ready_when_the_database_and_the_cache_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_not_ready_names_the_cache_when_it_fails(client, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "set", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "cache": "unavailable"}


def test_not_ready_names_the_database_when_it_fails(client, monkeypatch):
    def broken(self, sql, params=None):
        raise observability.connections["default"].Database.OperationalError("down")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable", "cache": "ok"}


def test_public_pages_are_rendered_when_the_cache_fails(client, monkeypatch, demo_pledge):
    def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "get_many", broken)
    monkeypatch.setattr(cache, "set", broken)
    response = client.get("/kommun/asele/")
    assert response.status_code == 200
    assert "ETag" not in response
