"""The open-data API: public pledges only, no internal data, constant queries."""

from datetime import date

import pytest
import time_machine
import yaml

from pledges.models import Activity, Commitment, Measurement, Pledge
from pledges.services import pledge_revise
from tests.pledges.factories import CommitmentFactory, PledgeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(date(2026, 11, 27), tick=False):
        yield


@pytest.fixture
def draft(demo_pledge):
    latest = Pledge.objects.get(municipality=demo_pledge.municipality, status="published")
    draft = pledge_revise(
        pledge=latest,
        valid_from=date(2027, 1, 1),
        valid_to=date(2027, 12, 31),
        title="Hemligt utkast",
    )
    draft.commitments.filter(position=1).update(text="HEMLIG LÖFTESTEXT")
    return draft


def test_pledges_list_only_public_ones(client, draft):
    data = client.get("/api/v1/pledges/").json()
    titles = {p["title"] for p in data["results"]}
    assert titles == {"Medborgarlöfte 2017", "Medborgarlöfte 2018", "Medborgarlöfte 2026 (demo)"}
    assert client.get(f"/api/v1/pledges/{draft.pk}/").status_code == 404
    assert client.get(f"/api/v1/pledges/{draft.pk}/activities/").status_code == 404
    assert "HEMLIG" not in client.get("/api/v1/pledges/?municipality=asele").content.decode()


def test_pledge_detail_has_commitments_with_progress(client, demo_pledge):
    data = client.get(f"/api/v1/pledges/{demo_pledge.pk}/").json()
    assert data["status"] == "superseded"
    traffic = next(c for c in data["commitments"] if c["position"] == 1)
    assert traffic["progress"]["done"] == 3
    assert traffic["progress"]["target"] == 4
    assert traffic["progress"]["status"] == "partly_done"
    assert traffic["progress"]["status_label"] == "Delvis genomfört"
    assert data["overall_completion"] == pytest.approx(0.875)


def test_activities_are_public_ones_without_internal_notes(client, demo_pledge):
    data = client.get(f"/api/v1/pledges/{demo_pledge.pk}/activities/").json()
    public = Activity.objects.public(date(2026, 11, 27)).filter(commitment__pledge=demo_pledge)
    assert data["count"] == public.count()
    text = client.get(f"/api/v1/pledges/{demo_pledge.pk}/activities/").content.decode()
    for activity in Activity.objects.filter(commitment__pledge=demo_pledge):
        if activity.internal_notes:
            assert activity.internal_notes not in text
        if activity.status != "done":
            assert f'"id":{activity.pk},' not in text
    assert "logged_by" not in text


def test_municipalities_with_public_pledges(client, demo_pledge):
    data = client.get("/api/v1/municipalities/").json()
    assert [m["slug"] for m in data["results"]] == ["asele"]
    assert client.get("/api/v1/municipalities/vingaker/").status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/api/v1/pledges/abc/", "/api/v1/pledges/99999999999999999999999/", "/api/v1/nope/"],
)
def test_bad_ids_are_404(client, demo_pledge, path):
    assert client.get(path).status_code == 404


def test_read_only(client, demo_pledge):
    assert client.post("/api/v1/pledges/", {"title": "x"}).status_code == 405
    assert client.delete(f"/api/v1/pledges/{demo_pledge.pk}/").status_code == 405


def test_openapi_schema(client, demo_pledge):
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/pledges/{id}/" in schema["paths"]
    assert "/api/v1/pledges/{id}/activities/" in schema["paths"]


def test_constant_queries(client, demo_pledge, django_assert_num_queries):
    url = f"/api/v1/pledges/{demo_pledge.pk}/"
    # pledge, commitments, target sites, amendments, done counts (outside a transaction)
    with django_assert_num_queries(5):
        client.get(url)
    # pledge, activity count, the page of activities, their measurements
    with django_assert_num_queries(4):
        client.get(f"{url}activities/")
    traffic = Commitment.objects.get(pledge=demo_pledge, position=1)
    for day in range(1, 20):
        activity = Activity.objects.create(commitment=traffic, date=date(2017, 3, day))
        Measurement.objects.create(activity=activity, quantity_id="breath_tests", value=day)
    other = CommitmentFactory(pledge=demo_pledge, position=9)
    for day in range(1, 10):
        Activity.objects.create(commitment=other, date=date(2017, 4, day), status="done")
    PledgeFactory()
    with django_assert_num_queries(5):
        client.get(url)
    with django_assert_num_queries(4):
        client.get(f"{url}activities/")
    # pledge, activity count: no such page
    with django_assert_num_queries(2):
        assert client.get(f"{url}activities/?page=2").status_code == 404


def test_activities_are_paginated(client, demo_pledge):
    traffic = Commitment.objects.get(pledge=demo_pledge, position=1)
    for day in range(1, 29):
        for month in range(1, 5):
            Activity.objects.create(commitment=traffic, date=date(2017, month, day))
    first = client.get(f"/api/v1/pledges/{demo_pledge.pk}/activities/").json()
    assert first["count"] > 100
    assert len(first["results"]) == 100
    assert first["next"].endswith("activities/?page=2")
    second = client.get(first["next"]).json()
    assert len(second["results"]) == first["count"] - 100
    assert not {a["id"] for a in first["results"]} & {a["id"] for a in second["results"]}
    assert client.get(f"/api/v1/pledges/{demo_pledge.pk}/activities/?page=9").status_code == 404
    assert client.get(f"/api/v1/pledges/{demo_pledge.pk}/activities/?page=x").status_code == 404


def test_the_schema_documents_the_summary_periods_sites_and_places(client, demo_pledge):
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    components = schema["components"]["schemas"]
    commitment = components["Commitment"]["properties"]
    for field in ("summary", "progress", "periods", "places"):
        assert field in commitment, field
    summary = components["Summary"]["properties"]
    for field in ("periods_total", "periods_due", "periods_met", "done", "status", "remaining"):
        assert summary[field].get("description") or field in ("done", "status"), field
    assert "sites" in components["Progress"]["properties"]
