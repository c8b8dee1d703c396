"""Login, logout, password change and reset under /konto/, and the role groups."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.http import HttpRequest

from accounts import roles
from accounts.roles import sync_role_groups

pytestmark = pytest.mark.django_db


def group_permissions():
    return {
        group.name: set(
            group.permissions.values_list("content_type__app_label", "codename").order_by()
        )
        for group in Group.objects.all()
    }


def test_the_migrations_give_the_role_groups_what_the_roles_say():
    """Each app's 0002_role_permissions migration gives the groups its share on a fresh
    database; together they are exactly what accounts.roles grants at run time."""
    migrated = group_permissions()
    assert set(migrated) == set(roles.GROUP_PERMISSIONS)
    sync_role_groups()
    assert group_permissions() == migrated
    apps = {app for permissions in migrated.values() for app, _codename in permissions}
    assert apps == {"places", "accounts", "pledges", "dialogues", "auth"}
    assert ("places", "view_site") in migrated[roles.POLICE_COORDINATORS]
    assert ("auth", "change_user") in migrated[roles.ADMINISTRATORS]
    administrators = migrated[roles.ADMINISTRATORS]
    assert not {c for app, c in administrators if app == "auth" and c.endswith("_group")}


def test_role_groups_exist_with_permissions():
    # Created by the apps' migrations on every fresh database.
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
