import os

import pytest
import time_machine
from django.contrib.auth import get_user_model

from accounts.models import Membership
from accounts.services import membership_grant
from places.models import Municipality, Organisation
from tests.world import TODAY, build_world


@pytest.fixture
def demo_pledge(db):
    """The Åsele 2017 demo pledge, as `seed_demo` creates it."""
    from reports.demo import seed_all

    return seed_all()


@pytest.fixture
def client_for(client, demo_pledge):
    """A client logged in as the given user name."""

    def login(username):
        client.force_login(get_user_model().objects.get(username=username))
        return client

    return login


@pytest.fixture
def outsider(demo_pledge):
    """A municipal coordinator of Vingåker: a member of another municipality."""
    vingaker = Municipality.objects.get(slug="vingaker")
    organisation = Organisation.objects.create(
        name="Vingåkers kommun", kind=Organisation.Kind.MUNICIPALITY, municipality=vingaker
    )
    user = get_user_model().objects.create_user("vingaker", password="demo")
    membership_grant(
        user=user,
        municipality=vingaker,
        organisation=organisation,
        role=Membership.Role.MUNICIPAL_COORDINATOR,
    )
    return user


@pytest.fixture
def world_today():
    """Today inside the pledges of tests.world. The clock ticks: edits are told apart by
    when they were saved."""
    with time_machine.travel(TODAY):
        yield


@pytest.fixture
def world(world_today):
    """A complete municipality (tests.world.build_world), on its today."""
    return build_world("Asele")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI (CI=true) a skipped test is a failure: nothing may pass by not running."""
    report = yield
    if os.environ.get("CI") == "true" and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, which counts as a failure: {report.longrepr}"
    return report
