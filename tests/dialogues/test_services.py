"""Revising a pledge carries the focus areas its commitments answer (dialogues owns that
relation, so the dialogues service does it, on top of the pledges one)."""

from datetime import date

import pytest
import time_machine

from dialogues import services
from dialogues.models import FocusArea
from pledges.models import Pledge

pytestmark = pytest.mark.django_db


def areas_by_position(pledge):
    return {
        c.position: sorted(a.title for a in c.focus_areas.all())
        for c in pledge.commitments.prefetch_related("focus_areas")
    }


def latest_published(demo_pledge):
    return Pledge.objects.get(revises=demo_pledge)


def current(demo_pledge):
    """The demo's published pledge: the current year's, which revises 2018."""
    return Pledge.objects.get(municipality=demo_pledge.municipality, status=Pledge.State.PUBLISHED)


def test_the_demo_revision_carries_the_focus_areas_of_2017(demo_pledge):
    pledge_2018 = latest_published(demo_pledge)
    carried = {c.position: c.previous.position for c in pledge_2018.commitments.all() if c.previous}
    before = areas_by_position(demo_pledge)
    after = areas_by_position(pledge_2018)
    assert any(before.values())
    for position, previous in carried.items():
        assert after[position] == before[previous]


def test_revising_carries_each_commitments_focus_areas_to_its_successor(demo_pledge):
    pledge = current(demo_pledge)
    with time_machine.travel(date(2026, 12, 1)):
        draft = services.pledge_revise(
            pledge=pledge, valid_from=date(2027, 1, 1), valid_to=date(2027, 12, 31)
        )
    before = areas_by_position(pledge)
    assert any(before.values())
    assert areas_by_position(draft) == before


def test_the_admins_revise_action_carries_the_focus_areas(client_for, demo_pledge):
    pledge = current(demo_pledge)
    FocusArea.objects.first().commitments.add(*pledge.commitments.all())
    response = client_for("admin").post(
        "/admin/pledges/pledge/",
        {"action": "revise", "_selected_action": [pledge.pk]},
    )
    assert response.status_code == 302
    draft = Pledge.objects.get(revises=pledge)
    assert all(areas_by_position(pledge).values())
    assert areas_by_position(draft) == areas_by_position(pledge)
