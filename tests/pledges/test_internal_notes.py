"""Least privilege inside a municipality: the plan is shared by the parties, but an
activity's internal notes are read only by the organisations that logged it or took part
in it, and by administrators."""

import re

import pytest

from pledges.models import Activity
from pledges.services import activity_save

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_today")]


@pytest.fixture
def world(world):
    """A joint promise's activity, logged by the police with only the police taking part;
    its notes were changed once, so they are in its history too."""
    activity_save(
        user=world.polis,
        values={"internal_notes": f"{world.secret}, andra versionen"},
        organisations=[world.police],
        measurements={},
        activity=world.activity,
        expected_version=1,
    )
    return world


def pages(activity):
    return {
        "detail": f"/samordnare/aktiviteter/{activity.pk}/",
        "edit": f"/samordnare/aktiviteter/{activity.pk}/andra/",
    }


@pytest.mark.parametrize("who", ["polis", "admin"])
def test_the_logging_organisation_and_administrators_read_the_notes(client, world, who):
    client.force_login(getattr(world, who))
    for name, url in pages(world.activity).items():
        html = client.get(url).content.decode()
        assert world.secret in html, name
    detail = client.get(pages(world.activity)["detail"]).content.decode()
    assert "Interna anteckningar" in detail


def test_the_other_party_plans_together_but_does_not_read_the_notes(client, world):
    client.force_login(world.kommunsamordnare)
    for name, url in pages(world.activity).items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert world.secret not in response.content.decode(), name
    edit = client.get(pages(world.activity)["edit"]).content.decode()
    assert 'name="internal_notes"' not in edit
    plan = client.get(f"/samordnare/plan/{world.pledge.pk}/")
    assert plan.status_code == 200
    assert world.secret not in plan.content.decode()


def test_an_edit_by_the_other_party_keeps_the_notes(client, world):
    client.force_login(world.kommunsamordnare)
    url = pages(world.activity)["edit"]
    version = re.search(r'name="version" value="(\d+)"', client.get(url).content.decode())
    response = client.post(
        url,
        {
            "commitment": world.joint.pk,
            "status": "done",
            "date": "2026-03-01",
            "public_summary": "Gemensam kontroll",
            "internal_notes": "Försök att skriva över",
            "version": version.group(1),
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get(pk=world.activity.pk)
    assert activity.public_summary == "Gemensam kontroll"
    assert activity.internal_notes == f"{world.secret}, andra versionen"


def test_taking_part_opens_the_notes(client, world):
    world.activity.organisations.add(world.kommun)
    client.force_login(world.kommunsamordnare)
    html = client.get(pages(world.activity)["detail"]).content.decode()
    assert world.secret in html


def test_a_logged_activity_belongs_to_the_loggers_organisation(client, world):
    client.force_login(world.kommunsamordnare)
    response = client.post(
        f"/samordnare/aktiviteter/ny/?commitment={world.joint.pk}",
        {
            "commitment": world.joint.pk,
            "status": "done",
            "date": "2026-11-01",
            "public_summary": "Kommunens del",
            "internal_notes": "Kommunens egna anteckningar",
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get(public_summary="Kommunens del")
    assert activity.logged_for == world.kommun
    client.force_login(world.polis)
    html = client.get(pages(activity)["detail"]).content.decode()
    assert "Kommunens egna anteckningar" not in html
