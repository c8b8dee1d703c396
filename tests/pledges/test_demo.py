import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.http import HttpRequest

from places.models import Site
from pledges.demo import SEED_FILE, parse_seed
from pledges.models import Activity, Commitment, Pledge

pytestmark = pytest.mark.django_db


def test_seed_parses_the_four_commitments_verbatim():
    seed = parse_seed(SEED_FILE.read_text(encoding="utf-8"))
    assert len(seed.commitments) == 4
    assert seed.commitments[2] == (
        "Polisen lovar att besöka skolorna i kommunen minst 2 gånger/år under ordinarie "
        "läsår i kontaktskapande syfte."
    )
    assert seed.expected_effects[0].startswith("Effekterna med det lokala medborgarlöftet")
    assert len(seed.expected_effects) == 3


def test_seed_demo_is_idempotent(settings, empty_db):
    settings.DEBUG = True
    call_command("seed_demo")
    counts = (Pledge.objects.count(), Commitment.objects.count(), Activity.objects.count())
    call_command("seed_demo")
    assert (
        Pledge.objects.count(),
        Commitment.objects.count(),
        Activity.objects.count(),
    ) == counts
    # 2017 with four commitments, its 2018 revision (three carried on, one new) and the
    # current year's (four carried on, one new).
    assert counts[:2] == (3, 13)
    assert Pledge.objects.get(valid_from__year=2017).status == Pledge.State.SUPERSEDED
    assert Pledge.objects.get(valid_from__year=2018).status == Pledge.State.SUPERSEDED


def test_demo_users_can_log_in_with_demo_password(demo_pledge):
    # django-axes checks every login against its lockout, so it needs the request.
    for username in ("admin", "polis", "kommun"):
        assert authenticate(HttpRequest(), username=username, password="demo") is not None
    admin = authenticate(HttpRequest(), username="admin", password="demo")
    assert admin.is_superuser
    assert not authenticate(HttpRequest(), username="polis", password="demo").is_staff


def test_demo_sites_are_marked_as_demo_content(demo_pledge):
    assert Site.objects.filter(municipality__slug="asele").count() >= 3
    assert not Site.objects.filter(is_demo=False).exists()


def test_refuses_with_debug_off_unless_forced(settings, empty_db):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")
    assert not Pledge.objects.exists()
    call_command("seed_demo", force=True)
    assert Pledge.objects.filter(status=Pledge.State.PUBLISHED).count() == 1
    assert Pledge.objects.filter(status=Pledge.State.SUPERSEDED).count() == 2
