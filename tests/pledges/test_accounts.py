"""Login, logout, password change and reset under /konto/, and the role groups."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.http import HttpRequest

pytestmark = pytest.mark.django_db


def test_role_groups_exist_with_permissions():
    # Created by migration 0003 on every fresh database.
    police = Group.objects.get(name="Polissamordnare")
    codenames = set(police.permissions.values_list("codename", flat=True))
    assert {"add_activity", "change_activity", "add_followup"} <= codenames
    assert "delete_activity" not in codenames
    assert "change_pledge" not in codenames
    admins = Group.objects.get(name="Administratörer")
    assert admins.permissions.filter(codename="change_pledge").exists()


def test_login_page_is_swedish_and_logs_in(client, demo_pledge):
    response = client.get("/konto/logga-in/")
    assert response.status_code == 200
    assert "Logga in" in response.content.decode()
    response = client.post("/konto/logga-in/", {"username": "polis", "password": "demo"})
    assert response.status_code == 302
    assert response["Location"] == "/samordnare/"


def test_wrong_password_shows_an_error_and_keeps_the_user_name(client, demo_pledge):
    response = client.post("/konto/logga-in/", {"username": "polis", "password": "fel"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "korrekt användarnamn och lösenord" in html
    assert 'value="polis"' in html


def test_logout_is_a_post(client_for, demo_pledge):
    client = client_for("polis")
    assert client.post("/konto/logga-ut/").status_code == 302
    assert client.get("/samordnare/").status_code == 302


def test_password_change(client_for, demo_pledge):
    client = client_for("polis")
    response = client.post(
        "/konto/losenord/",
        {
            "old_password": "demo",
            "new_password1": "ett-långt-nytt-lösenord",
            "new_password2": "ett-långt-nytt-lösenord",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/konto/losenord/klart/"
    client.logout()
    assert client.login(request=HttpRequest(), username="polis", password="ett-långt-nytt-lösenord")


def test_password_reset_by_email(client, demo_pledge):
    response = client.post("/konto/aterstall/", {"email": "polis@example.invalid"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/konto/aterstall/\S+/)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url,
        {"new_password1": "återställt-lösenord-1", "new_password2": "återställt-lösenord-1"},
    )
    assert response.status_code == 302
    assert client.login(request=HttpRequest(), username="polis", password="återställt-lösenord-1")


def test_history_is_visible_in_the_admin(client_for, demo_pledge):
    from pledges.models import Activity

    activity = Activity.objects.filter(status="done").first()
    response = client_for("admin").get(f"/admin/pledges/activity/{activity.pk}/history/")
    assert response.status_code == 200
    assert "Skapad" in response.content.decode() or "Created" in response.content.decode()
