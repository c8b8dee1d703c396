"""Abuse limits (login lockout, password reset, Tyck till), the client address they count by,
security headers and session lifetime."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.cache import cache
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from config.client_ip import client_ip
from dialogues.models import Submission
from tests.pledges.factories import MunicipalityFactory

PASSWORD = "rätt-lösenord-42"
LOGIN_PAGE = "/konto/logga-in/"
ADMIN_LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def empty_rate_limits():
    cache.clear()
    yield
    cache.clear()


def sv(message):
    """The message as a Swedish visitor sees it."""
    with translation.override("sv"):
        return gettext(message)


def html_of(response):
    return response.content.decode()


def make_user(username, **extra):
    return get_user_model().objects.create_user(
        username, email=f"{username}@example.invalid", password=PASSWORD, **extra
    )


def log_in(client, path, username, password, **request):
    return client.post(path, {"username": username, "password": password}, **request)


def is_logged_in(client):
    return "_auth_user_id" in client.session


# --- the client's address ---------------------------------------------------------------


class TestClientIp:
    def request(self, remote_addr="10.0.0.1", forwarded=None):
        extra = {"REMOTE_ADDR": remote_addr}
        if forwarded is not None:
            extra["HTTP_X_FORWARDED_FOR"] = forwarded
        return RequestFactory().get("/", **extra)

    @override_settings(TRUSTED_PROXY_COUNT=0)
    def test_without_proxies_the_connection_is_the_client(self):
        assert client_ip(self.request("198.51.100.7", "203.0.113.9")) == "198.51.100.7"

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_behind_one_proxy_the_last_forwarded_entry_is_the_client(self):
        # The client wrote "6.6.6.6" itself; the proxy appended the address it saw.
        request = self.request("10.0.0.1", "6.6.6.6, 203.0.113.9")
        assert client_ip(request) == "203.0.113.9"

    @override_settings(TRUSTED_PROXY_COUNT=2)
    def test_behind_two_proxies_the_second_last_entry_is_the_client(self):
        request = self.request("10.0.0.2", "6.6.6.6,203.0.113.9, 10.0.0.1")
        assert client_ip(request) == "203.0.113.9"

    @override_settings(TRUSTED_PROXY_COUNT=2)
    @pytest.mark.parametrize("forwarded", [None, "", "203.0.113.9", "not-an-address, 10.0.0.1"])
    def test_a_request_that_bypassed_the_proxies_counts_as_the_nearest_peer(self, forwarded):
        assert client_ip(self.request("10.0.0.2", forwarded)) == "10.0.0.2"


# --- login lockout ----------------------------------------------------------------------


@pytest.mark.django_db
class TestLoginLockout:
    @pytest.mark.parametrize("path", [LOGIN_PAGE, ADMIN_LOGIN])
    def test_ten_wrong_passwords_lock_the_login_even_for_the_right_one(self, client, path):
        make_user("samordnare", is_staff=True)
        for _ in range(9):
            response = log_in(client, path, "samordnare", "fel")
            assert response.status_code == 200
        response = log_in(client, path, "samordnare", "fel")
        assert response.status_code == 429

        response = log_in(client, path, "samordnare", PASSWORD)
        assert response.status_code == 429
        html = html_of(response)
        assert '<html lang="sv">' in html
        assert sv("Login locked") in html
        with translation.override("sv"):
            wait = ngettext(
                "Try again in %(minutes)s minute. "
                "Every new attempt before then starts the wait again.",
                "Try again in %(minutes)s minutes. "
                "Every new attempt before then starts the wait again.",
                60,
            ) % {"minutes": 60}
        assert wait in html
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert not is_logged_in(client)

    def test_one_client_locked_out_of_one_user_name_leaves_others_alone(self):
        make_user("samordnare")
        make_user("kollega")
        office = Client(REMOTE_ADDR="198.51.100.1")
        for _ in range(10):
            log_in(office, LOGIN_PAGE, "samordnare", "fel")
        assert log_in(office, LOGIN_PAGE, "samordnare", PASSWORD).status_code == 429
        # A colleague behind the same address (a municipal office's NAT) logs in.
        colleague = Client(REMOTE_ADDR="198.51.100.1")
        assert log_in(colleague, LOGIN_PAGE, "kollega", PASSWORD).status_code == 302
        # The user logs in from elsewhere.
        home = Client(REMOTE_ADDR="198.51.100.2")
        assert log_in(home, LOGIN_PAGE, "samordnare", PASSWORD).status_code == 302

    def test_thirty_wrong_passwords_from_many_clients_lock_the_account(self, client):
        make_user("samordnare")
        for i in range(29):
            log_in(client, LOGIN_PAGE, "samordnare", "fel", REMOTE_ADDR=f"198.51.100.{i + 1}")
        fresh = Client(REMOTE_ADDR="203.0.113.1")
        assert log_in(fresh, LOGIN_PAGE, "samordnare", "fel").status_code == 429
        response = log_in(Client(REMOTE_ADDR="203.0.113.2"), LOGIN_PAGE, "samordnare", PASSWORD)
        assert response.status_code == 429

    def test_a_hundred_wrong_logins_from_one_client_lock_that_client(self):
        make_user("samordnare")
        sprayer = Client(REMOTE_ADDR="198.51.100.1")
        for i in range(99):
            assert log_in(sprayer, LOGIN_PAGE, f"gissning{i}", "fel").status_code == 200
        assert log_in(sprayer, LOGIN_PAGE, "gissning99", "fel").status_code == 429
        assert log_in(sprayer, LOGIN_PAGE, "samordnare", PASSWORD).status_code == 429
        other = Client(REMOTE_ADDR="198.51.100.2")
        assert log_in(other, LOGIN_PAGE, "samordnare", PASSWORD).status_code == 302

    def test_without_proxies_a_forged_forwarded_header_changes_nothing(self, client):
        make_user("samordnare")
        for i in range(10):
            log_in(client, LOGIN_PAGE, "samordnare", "fel", HTTP_X_FORWARDED_FOR=f"10.9.9.{i}")
        response = log_in(
            client, LOGIN_PAGE, "samordnare", PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.99"
        )
        assert response.status_code == 429
        assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_behind_a_proxy_the_lockout_is_keyed_on_the_forwarded_client(self, client):
        make_user("samordnare")
        proxy = {"REMOTE_ADDR": "10.0.0.1"}
        for i in range(10):
            # The client forges a different leftmost entry every time; the proxy appends
            # the real address.
            forwarded = f"192.0.2.{i}, 203.0.113.5"
            log_in(client, LOGIN_PAGE, "samordnare", "fel", HTTP_X_FORWARDED_FOR=forwarded, **proxy)
        assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}
        response = log_in(
            client, LOGIN_PAGE, "samordnare", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy
        )
        assert response.status_code == 429
        # Another client behind the same proxy is not locked out.
        response = log_in(
            Client(),
            LOGIN_PAGE,
            "samordnare",
            PASSWORD,
            HTTP_X_FORWARDED_FOR="203.0.113.6",
            **proxy,
        )
        assert response.status_code == 302

    def test_a_superuser_unlocks_in_the_admin(self, client):
        make_user("samordnare")
        for _ in range(10):
            log_in(client, LOGIN_PAGE, "samordnare", "fel")
        assert log_in(client, LOGIN_PAGE, "samordnare", PASSWORD).status_code == 429

        admin = Client()
        admin.force_login(
            get_user_model().objects.create_superuser("chef", "chef@example.invalid", PASSWORD)
        )
        changelist = "/admin/axes/accessattempt/"
        response = admin.get(changelist)
        assert response.status_code == 200
        assert "samordnare" in html_of(response)
        attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
        response = admin.post(
            changelist,
            {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
        )
        assert response.status_code == 302
        assert not AccessAttempt.objects.exists()

        assert log_in(client, LOGIN_PAGE, "samordnare", PASSWORD).status_code == 302
        assert is_logged_in(client)

    def test_only_superusers_see_login_attempts(self, client):
        make_user("samordnare")
        log_in(client, LOGIN_PAGE, "samordnare", "fel")
        attempt = AccessAttempt.objects.get()
        staff = make_user("administrator", is_staff=True)
        # Even a staff user given every permission on them: client addresses are personal data.
        staff.user_permissions.set(Permission.objects.filter(content_type__app_label="axes"))
        client.force_login(staff)
        assert client.get("/admin/axes/accessattempt/").status_code == 403
        assert client.get(f"/admin/axes/accessattempt/{attempt.pk}/change/").status_code == 403
        assert "/admin/axes/" not in html_of(client.get("/admin/"))


# --- password reset ---------------------------------------------------------------------


def reset(client, email, **request):
    return client.post("/konto/aterstall/", {"email": email}, **request)


REFUSED = (
    "Too many requests to reset a password have been made in a short time. "
    "No e-mail was sent. Wait an hour and try again."
)


@pytest.mark.django_db
class TestPasswordResetLimits:
    def test_three_requests_per_address_and_hour(self, client):
        make_user("samordnare")
        for i in range(3):
            response = reset(client, "samordnare@example.invalid", REMOTE_ADDR=f"198.51.100.{i}")
            assert response.status_code == 302
        assert len(mail.outbox) == 3
        # The fourth, from yet another client and in other letters, is refused.
        response = reset(client, "SAMORDNARE@example.invalid ", REMOTE_ADDR="198.51.100.9")
        assert response.status_code == 429
        assert sv(REFUSED) in html_of(response)
        assert "SAMORDNARE@example.invalid" in html_of(response)
        assert len(mail.outbox) == 3

    def test_ten_requests_per_client_and_hour(self, client):
        make_user("samordnare")
        for i in range(10):
            assert reset(client, f"okand{i}@example.invalid").status_code == 302
        response = reset(client, "samordnare@example.invalid")
        assert response.status_code == 429
        assert sv(REFUSED) in html_of(response)
        assert mail.outbox == []
        # Another client is not affected.
        other = reset(client, "samordnare@example.invalid", REMOTE_ADDR="198.51.100.2")
        assert other.status_code == 302
        assert len(mail.outbox) == 1


# --- Tyck till --------------------------------------------------------------------------

MESSAGE = {"theme": "traffic", "place": "Torget", "message": "Bilar kör för fort på kvällarna."}


@pytest.mark.django_db
class TestTyckTillLimits:
    def test_thirty_messages_per_municipality_and_hour_from_any_clients(self, client):
        municipality, other = (
            MunicipalityFactory(moderator=True),
            MunicipalityFactory(moderator=True),
        )
        url = f"/kommun/{municipality.slug}/tyck-till/"
        for i in range(30):
            # Each a message of its own: the same one sent again is stored only once.
            message = {**MESSAGE, "message": f"{MESSAGE['message']} ({i})"}
            response = client.post(url, message, REMOTE_ADDR=f"198.51.100.{i + 1}")
            assert response.status_code == 302
        response = client.post(url, MESSAGE, REMOTE_ADDR="203.0.113.1")
        assert response.status_code == 429
        assert sv(
            "Very many messages have reached this municipality in the last hour. "
            "Please try again later."
        ) in html_of(response)
        assert Submission.objects.filter(municipality=municipality).count() == 30
        response = client.post(
            f"/kommun/{other.slug}/tyck-till/", MESSAGE, REMOTE_ADDR="203.0.113.1"
        )
        assert response.status_code == 302

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_behind_a_proxy_each_client_has_its_own_limit(self, client):
        municipality = MunicipalityFactory(moderator=True)
        url = f"/kommun/{municipality.slug}/tyck-till/"
        proxy = {"REMOTE_ADDR": "10.0.0.1"}
        for i in range(5):
            forwarded = f"192.0.2.{i}, 203.0.113.5"
            message = {**MESSAGE, "message": f"{MESSAGE['message']} ({i})"}
            response = client.post(url, message, HTTP_X_FORWARDED_FOR=forwarded, **proxy)
            assert response.status_code == 302
        response = client.post(url, MESSAGE, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
        assert response.status_code == 429
        response = client.post(url, MESSAGE, HTTP_X_FORWARDED_FOR="203.0.113.6", **proxy)
        assert response.status_code == 302


# --- headers ------------------------------------------------------------------------------


def assert_security_headers(response):
    policy = response["Content-Security-Policy"]
    directives = dict(directive.strip().partition(" ")[::2] for directive in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "geolocation=()", "microphone=()", "payment=()"):
        assert feature in permissions


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/en/", 200),
        (LOGIN_PAGE, 200),
        (ADMIN_LOGIN, 200),
        ("/api/v1/municipalities/", 200),
        ("/healthz", 200),
        ("/finns-inte/", 404),
    ],
)
def test_every_response_has_the_security_headers(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert_security_headers(response)


@pytest.mark.django_db
def test_the_admin_has_the_security_headers(client):
    client.force_login(
        get_user_model().objects.create_superuser("chef", "chef@example.invalid", PASSWORD)
    )
    for path in ("/admin/", "/admin/pledges/pledge/", "/admin/pledges/pledge/add/"):
        response = client.get(path)
        assert response.status_code == 200
        assert_security_headers(response)


# --- sessions ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_coordinators_session_ends_after_a_working_day_without_requests(client):
    make_user("samordnare")
    page = "/konto/losenord/"
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        assert log_in(client, LOGIN_PAGE, "samordnare", PASSWORD).status_code == 302
        traveller.shift(timedelta(hours=9, minutes=59))
        assert client.get(page).status_code == 200
        # That request renewed the session: another long pause is fine.
        traveller.shift(timedelta(hours=9, minutes=59))
        assert client.get(page).status_code == 200
        traveller.shift(timedelta(hours=10, minutes=1))
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{LOGIN_PAGE}?next=")


@pytest.mark.django_db
def test_every_request_renews_a_coordinators_cookie_and_visitors_get_none(client):
    make_user("samordnare")
    for path in ("/", LOGIN_PAGE, "/kommun/finns-inte/"):
        assert "sessionid" not in client.get(path).cookies
    assert "sessionid" not in log_in(client, LOGIN_PAGE, "samordnare", "fel").cookies

    assert log_in(client, LOGIN_PAGE, "samordnare", PASSWORD).status_code == 302
    cookie = client.get("/").cookies["sessionid"]
    assert cookie["max-age"] == 10 * 60 * 60
