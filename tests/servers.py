"""Real servers for tests that need several processes: gunicorn on the test database,
and a small browser that keeps cookies across them."""

import contextlib
import html.parser
import http.client
import os
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
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

    def __init__(self, host=None):
        self.cookies = {}
        self.host = host

    def request(self, port, method, path, data=None, headers=None):
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        headers = {"Host": self.host or f"{HOST}:{port}", **(headers or {})}
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


def database_url(name=None):
    """The URL of the test database (or of another database ``name`` on its server)."""
    db = connection.settings_dict
    name = name or db["NAME"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{name}"
    user = urllib.parse.quote(db["USER"] or "")
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST'] or HOST}:{db['PORT'] or 5432}/{name}"


def free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(count, *, database, log_dir, **environment):
    """``count`` gunicorn processes (one worker each) with the test settings on the
    database at the URL ``database``; yields their ports."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database,
        "PYTHONPATH": str(ROOT),
        **environment,
    }
    processes, ports, logs = [], [], []
    try:
        for _ in range(count):
            port = free_port()
            log = Path(log_dir) / f"gunicorn-{port}.log"
            logs.append(log)
            processes.append(
                subprocess.Popen(
                    [
                        *(sys.executable, "-m", "gunicorn", "config.wsgi:application"),
                        *("--bind", f"{HOST}:{port}", "--workers", "1", "--chdir", str(ROOT)),
                    ],
                    env=env,
                    stdout=log.open("w"),
                    stderr=subprocess.STDOUT,
                )
            )
            ports.append(port)
        for port, process, log in zip(ports, processes, logs, strict=True):
            wait_for(port, process, log)
        yield ports
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


def wait_for(port, process, log):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if Browser().get(port, "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn on {port} did not answer /healthz: {log.read_text()}")
