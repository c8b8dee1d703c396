"""One permission matrix per coordinator view: anonymous -> login, member of another
municipality -> 404, wrong party -> 403 (where the view changes something), right user -> 200.
"""

import re
from datetime import date

import pytest
import time_machine
from django.utils.translation import gettext

from pledges.models import Activity, Commitment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(date(2026, 11, 27), tick=False):
        yield


def traffic(pledge):
    return Commitment.objects.get(pledge=pledge, position=1)


def traffic_activity(pledge):
    return Activity.objects.filter(commitment=traffic(pledge), status="done").first()


def urls(pledge):
    commitment = traffic(pledge)
    activity = traffic_activity(pledge)
    return {
        "dashboard": "/samordnare/",
        "activity_list": "/samordnare/aktiviteter/",
        "activity_create": f"/samordnare/aktiviteter/ny/?commitment={commitment.pk}",
        "activity_detail": f"/samordnare/aktiviteter/{activity.pk}/",
        "activity_update": f"/samordnare/aktiviteter/{activity.pk}/andra/",
        "activity_copy": f"/samordnare/aktiviteter/ny/?copy={activity.pk}",
        "activity_mark_done": f"/samordnare/aktiviteter/{activity.pk}/andra/?status=done",
        "activity_cancel": f"/samordnare/aktiviteter/{activity.pk}/stall-in/",
        "plan": f"/samordnare/plan/{pledge.pk}/",
        "commitment_followup": f"/samordnare/lofte/{commitment.pk}/uppfoljning/",
        "followup_edit": f"/samordnare/lofte/{commitment.pk}/uppfoljning/2017-01-01/",
        "verdict_edit": f"/samordnare/lofte/{commitment.pk}/bedomning/2017-01-01/",
    }


# view -> (member of another municipality, wrong party `kommun`, right party `polis`)
MATRIX = {
    "dashboard": (200, 200, 200),
    "activity_list": (200, 200, 200),
    "activity_create": (404, 403, 200),
    "activity_detail": (404, 200, 200),
    "activity_update": (404, 403, 200),
    "activity_copy": (404, 403, 200),
    "activity_mark_done": (404, 403, 200),
    "activity_cancel": (404, 403, 200),
    "plan": (404, 200, 200),
    "commitment_followup": (404, 403, 200),
    "followup_edit": (404, 403, 200),
    "verdict_edit": (404, 403, 200),
}


@pytest.mark.parametrize("view", MATRIX)
def test_permission_matrix(client, client_for, outsider, demo_pledge, view):
    url = urls(demo_pledge)[view]
    other, wrong_party, right = MATRIX[view]

    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/logga-in/?next=")

    client.force_login(outsider)
    assert client.get(url).status_code == other
    assert client_for("kommun").get(url).status_code == wrong_party
    assert client_for("polis").get(url).status_code == right
    assert client_for("admin").get(url).status_code == 200


@pytest.mark.parametrize(
    "view", ["activity_update", "activity_cancel", "followup_edit", "verdict_edit"]
)
def test_posts_are_refused_the_same_way(client, client_for, outsider, demo_pledge, view):
    url = urls(demo_pledge)[view]
    data = {"narrative": "x", "version": 1, "reason": "x"}
    assert client.post(url, data).status_code == 302
    client.force_login(outsider)
    assert client.post(url, data).status_code == 404
    assert client_for("kommun").post(url, data).status_code == 403
    activity = traffic_activity(demo_pledge)
    activity.refresh_from_db()
    assert activity.status == "done"


def test_outsider_sees_none_of_aseles_internal_data(client, outsider, demo_pledge):
    client.force_login(outsider)
    for path in ("/samordnare/", "/samordnare/aktiviteter/"):
        html = client.get(path).content.decode()
        assert "Åsele" not in html
        assert "Riktad insats mot buskörning" not in html


def test_user_without_coordinator_role_gets_403(client, demo_pledge, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody"))
    assert client.get("/samordnare/").status_code == 403


def test_kommun_cannot_log_a_police_only_commitment(client_for, demo_pledge):
    client = client_for("kommun")
    police_only = traffic(demo_pledge)
    joint = Commitment.objects.get(pledge=demo_pledge, position=4)
    form_html = client.get("/samordnare/aktiviteter/ny/").content.decode()
    choices = re.search(r'<select name="commitment".*?</select>', form_html, re.S).group()
    assert f'value="{joint.pk}"' in choices
    assert f'value="{police_only.pk}"' not in choices
    before = Activity.objects.count()
    response = client.post(
        "/samordnare/aktiviteter/ny/",
        {"commitment": police_only.pk, "status": "done", "date": "2017-10-01"},
    )
    assert response.status_code == 400
    assert "Välj ett giltigt alternativ" in response.content.decode()
    assert Activity.objects.count() == before


def test_polis_cannot_log_a_municipal_only_commitment(client_for, demo_pledge):
    commitment = Commitment.objects.create(
        pledge=demo_pledge,
        position=9,
        text="Kommunen lovar att ordna trygghetsvandringar.",
        responsible="municipality",
        activity_type_id="safety_walk",
        target_kind="qualitative",
    )
    response = client_for("polis").get(f"/samordnare/aktiviteter/ny/?commitment={commitment.pk}")
    assert response.status_code == 403


@pytest.mark.parametrize("value", ["abc", "", "99999999", "-1", "²", "99999999999999999999999"])
def test_bad_commitment_parameter_is_404(client_for, demo_pledge, value):
    response = client_for("polis").get(f"/samordnare/aktiviteter/ny/?commitment={value}")
    assert response.status_code == 404


@pytest.mark.parametrize("start", ["2017-02-30", "nonsense", "2017-02-01", "2016-01-01"])
def test_bad_period_is_404(client_for, demo_pledge, start):
    commitment = traffic(demo_pledge)
    client = client_for("polis")
    assert client.get(f"/samordnare/lofte/{commitment.pk}/uppfoljning/{start}/").status_code == 404
    assert client.get(f"/samordnare/lofte/{commitment.pk}/bedomning/{start}/").status_code == 404


def overdue_planned(pledge):
    return Activity.objects.filter(
        commitment=traffic(pledge), status="planned", date__lt=date(2026, 11, 27)
    ).first()


def test_marking_done_from_the_plan(client, client_for, outsider, demo_pledge):
    url = f"/samordnare/plan/{demo_pledge.pk}/genomforda/"
    planned = overdue_planned(demo_pledge)
    data = {"activities": [planned.pk]}
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/logga-in/?next=")
    client.force_login(outsider)
    assert client.post(url, data).status_code == 404
    assert client_for("kommun").post(url, data).status_code == 403
    planned.refresh_from_db()
    assert planned.status == "planned"
    assert client_for("polis").get(url).status_code == 405

    response = client_for("polis").post(url, data)
    assert response.status_code == 302
    assert response["Location"] == f"/samordnare/plan/{demo_pledge.pk}/"
    planned.refresh_from_db()
    assert planned.status == "done"
    assert planned.history.filter(status="planned").exists()


def test_plan_offers_checkboxes_only_for_what_the_user_may_mark(client_for, demo_pledge):
    planned = overdue_planned(demo_pledge)
    box = f'name="activities" value="{planned.pk}"'
    assert box in client_for("polis").get(f"/samordnare/plan/{demo_pledge.pk}/").content.decode()
    assert (
        box not in client_for("kommun").get(f"/samordnare/plan/{demo_pledge.pk}/").content.decode()
    )


def test_marking_nothing_is_explained(client_for, demo_pledge):
    client = client_for("polis")
    response = client.post(f"/samordnare/plan/{demo_pledge.pk}/genomforda/", {}, follow=True)
    assert gettext("Choose at least one activity to mark as done.") in response.content.decode()
