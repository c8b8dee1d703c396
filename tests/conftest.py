"""The suite's shared fixtures.

The reference data (every county and municipality) and the Åsele demo are built once per
test session, in `django_db_setup`, and every test that uses the database finds them: it
runs in a transaction that is rolled back, or, if it is transactional (``transaction=True``,
``live_server``) and so ends with Django emptying the database, they are seeded again
after it (`pytest_runtest_teardown`). Tests that need the database without them (the seed
commands' own tests) ask for `empty_db`.
"""

import os

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection

from accounts.models import Membership
from accounts.services import membership_grant
from places.models import Municipality, Organisation
from pledges.models import Pledge
from tests.world import TODAY, build_world

# Set once the session's test database is seeded; its blocker opens the database again
# after a test.
DB_BLOCKER = pytest.StashKey()

# Left by the migrations: the role groups and what they refer to, and the activity types,
# measured quantities and units (which the seeding makes again after a flush).
MIGRATED_TABLES = {
    "django_content_type",
    "auth_permission",
    "auth_group",
    "auth_group_permissions",
    "pledges_unit",
    "pledges_quantity",
    "pledges_activitytype",
    "pledges_activitytype_quantities",
}


def seed():
    """The reference data and the demo, as `make setup` loads them. On the day most tests
    are frozen at, so the demo's rows carry the times those tests expect (an edit form
    loaded on that day is not older than the row it edits)."""
    from reports.demo import seed_all

    with time_machine.travel(TODAY, tick=False):
        seed_all()


def seeded():
    return Pledge.objects.filter(municipality__code="2463", is_demo=True).exists()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    """pytest-django's test database, seeded once for the session."""
    with django_db_blocker.unblock():
        seed()
    request.config.stash[DB_BLOCKER] = django_db_blocker


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends with Django emptying the database: seed it again, so
    that the next test finds what every test finds, whatever the order."""
    result = yield
    blocker = item.config.stash.get(DB_BLOCKER, None)
    if blocker is not None and nextitem is not None:
        with blocker.unblock():
            if not seeded():
                seed()
    return result


@pytest.fixture
def empty_db(db):
    """The database as the migrations leave it: without the session's reference data and
    demo, which are deleted inside this test's transaction (and so are back after it)."""
    tables = set(connection.introspection.django_table_names(only_existing=True))
    with connection.cursor() as cursor:
        for sql in connection.ops.sql_flush(no_style(), sorted(tables - MIGRATED_TABLES)):
            cursor.execute(sql)


@pytest.fixture
def demo_pledge(db):
    """The Åsele 2017 demo pledge, as `seed_demo` creates it (seeded once per session)."""
    return Pledge.objects.get(municipality__code="2463", valid_from__year=2017)


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


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: the cached public pages (and their versions)
    of a test whose data was rolled back must not answer the next one."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: a request under /en/ activates English
    for the thread, which would otherwise leak into the next test on the same worker."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
