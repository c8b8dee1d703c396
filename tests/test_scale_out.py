"""Two gunicorn processes against one database and one Redis, as replicas behind a proxy
run: a login through one is a login through the other, a write through one is read
through the other on the very next request (the public cache's versions are shared), and
the Tyck till rate limit counts across both."""

import html.parser
import http.client
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from pledges.models import Pledge

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("SCALE_OUT_REDIS_URL", "redis://127.0.0.1:6379/13")
HOST = "127.0.0.1"


class Form(html.parser.HTMLParser):
    """The fields a browser would send from the page's first post form whose ``action``
    is the one given (None: a form without one, which posts to the page itself), with
    their initial values."""

    def __init__(self, action=None):
        super().__init__()
        self.action, self.fields, self.inside = action, [], False
        self.select, self.textarea, self.done = None, None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self.done and attrs.get("method") == "post":
            self.inside = attrs.get("action") == self.action
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields.append((self.select, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self.textarea = name
            self.fields.append((name, ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True

    def handle_data(self, data):
        if self.textarea and self.fields and self.fields[-1][0] == self.textarea:
            self.fields[-1] = (self.textarea, self.fields[-1][1] + data)


def form_fields(page, action=None):
    parser = Form(action)
    parser.feed(page)
    return parser.fields


class Browser:
    """Cookies kept across two servers, as behind a proxy that sends each request to
    either replica."""

    def __init__(self):
        self.cookies = {}

    def request(self, port, method, path, data=None, headers=None):
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        headers = {"Host": f"{HOST}:{port}", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://{HOST}:{port}"
            headers["Referer"] = f"http://{HOST}:{port}{path}"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
            return response.status, response.getheader("Location"), content
        finally:
            connection.close()

    def get(self, port, path):
        return self.request(port, "GET", path)

    def post(self, port, path, data):
        return self.request(port, "POST", path, data=data)


def database_url():
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = urllib.parse.quote(db["USER"] or "")
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST'] or HOST}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


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
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "CACHE_URL": REDIS_URL,
        "PYTHONPATH": str(ROOT),
    }
    processes, ports = [], []
    try:
        for index in range(2):
            port = free_port()
            log = (tmp_path / f"gunicorn-{index}.log").open("w")
            processes.append(
                subprocess.Popen(
                    [
                        *(sys.executable, "-m", "gunicorn", "config.wsgi:application"),
                        *("--bind", f"{HOST}:{port}", "--workers", "1", "--chdir", str(ROOT)),
                    ],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            ports.append(port)
        for port, process in zip(ports, processes, strict=True):
            wait_for(port, process, tmp_path)
        yield ports
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


def wait_for(port, process, tmp_path):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, (tmp_path / "gunicorn-0.log").read_text()
        try:
            if Browser().get(port, "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn on {port} did not answer /healthz")


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
