"""Two gunicorn processes against one database and one Redis, as replicas behind a proxy
run: a login through one is a login through the other, a write through one is read
through the other on the very next request (the public cache's versions are shared), and
the Tyck till rate limit counts across both."""

import os
import re
import time

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from pledges.models import Pledge
from tests.servers import Browser, database_url, form_fields, gunicorn

REDIS_URL = os.environ.get("SCALE_OUT_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def shared_redis():
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.flushdb()
    except redis.ConnectionError as error:  # pragma: no cover - CI has Redis
        if os.environ.get("CI"):
            raise
        pytest.skip(f"No Redis at {REDIS_URL}: {error}")
    yield client
    client.flushdb()


@pytest.fixture
def replicas(transactional_db, shared_redis, tmp_path):
    """Two gunicorn processes (one worker each) on the test database and one Redis."""
    with gunicorn(2, database=database_url(), log_dir=tmp_path, CACHE_URL=REDIS_URL) as ports:
        yield ports


def test_two_replicas_share_logins_writes_cache_and_rate_limits(replicas):
    one, two = replicas
    today = timezone.localdate()
    pledge = Pledge.objects.public().get(municipality__code="2463", valid_from__year=today.year)
    commitment = pledge.commitments.order_by("position").first()
    year_page = f"/kommun/asele/{today.year}/"

    # Logged in through one, known by the other (sessions in the shared cache and database).
    browser = Browser()
    status, _location, page = browser.get(one, "/konto/logga-in/")
    assert status == 200
    fields = dict(form_fields(page, action="/konto/logga-in/"))
    fields.update(username="polis", password="demo")
    status, _location, _page = browser.post(one, "/konto/logga-in/", fields)
    assert status == 302, _page[:2000]
    assert browser.get(two, "/samordnare/")[0] == 200
    assert Browser().get(two, "/samordnare/")[0] == 302  # and not without the login

    # The public page, cached by two (a visitor without a session).
    visitor = Browser()
    first = visitor.get(two, year_page)[2]
    assert visitor.get(two, year_page)[2] == first
    marker = f"Loggad via den ena, läst via den andra {time.time_ns()}"
    assert marker not in first

    # An activity logged through one ...
    form_url = f"/samordnare/aktiviteter/ny/?commitment={commitment.pk}"
    status, _location, page = browser.get(one, form_url)
    assert status == 200
    data = [(name, value) for name, value in form_fields(page) if name != "public_summary"]
    data.append(("public_summary", marker))
    status, _location, page = browser.post(one, form_url, data)
    assert status == 302, re.findall(r'class="[^"]*error[^"]*"[^>]*>(.*?)<', page, re.S)
    # ... is on two's public page at the very next request.
    assert marker in visitor.get(two, year_page)[2]
    assert marker in visitor.get(one, year_page)[2]

    # Tyck till: five an hour from one address, counted across both replicas.
    url = "/kommun/asele/tyck-till/"
    sender = Browser()
    message = {"theme": "lighting", "message": "Mörkt vid busshållplatsen."}
    for index in range(5):
        status, _location, page = sender.post((one, two)[index % 2], url, message)
        assert status == 302, page[:2000]
    status, _location, page = sender.post(two, url, message)
    assert status == 429
    assert settings.LANGUAGE_CODE == "sv"
    assert "Vänta en timme" in page or "vänta en timme" in page
