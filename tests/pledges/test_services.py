from datetime import date

import pytest
from django.core.exceptions import ValidationError

from pledges.models import Pledge
from pledges.services import pledge_publish
from tests.pledges.factories import CommitmentFactory, PledgeFactory

pytestmark = pytest.mark.django_db


def draft_with_commitment(**kwargs):
    pledge = PledgeFactory(draft=True, **kwargs)
    CommitmentFactory(pledge=pledge)
    return pledge


def test_publishes_a_draft():
    pledge = pledge_publish(pledge=draft_with_commitment())
    pledge.refresh_from_db()
    assert pledge.status == Pledge.State.PUBLISHED


def test_refuses_a_pledge_overlapping_a_published_one():
    published = PledgeFactory(valid_from=date(2017, 1, 1), valid_to=date(2018, 12, 31))
    draft = draft_with_commitment(
        municipality=published.municipality,
        valid_from=date(2018, 6, 1),
        valid_to=date(2019, 5, 31),
    )
    with pytest.raises(ValidationError) as error:
        pledge_publish(pledge=draft)
    assert error.value.code == "overlap"
    draft.refresh_from_db()
    assert draft.status == Pledge.State.DRAFT


def test_allows_adjacent_periods_and_other_municipalities():
    published = PledgeFactory(valid_from=date(2017, 1, 1), valid_to=date(2017, 12, 31))
    pledge_publish(
        pledge=draft_with_commitment(
            municipality=published.municipality,
            valid_from=date(2018, 1, 1),
            valid_to=date(2018, 12, 31),
        )
    )
    pledge_publish(pledge=draft_with_commitment())
    assert Pledge.objects.filter(status=Pledge.State.PUBLISHED).count() == 3


def test_refuses_an_empty_pledge_and_a_non_draft():
    with pytest.raises(ValidationError):
        pledge_publish(pledge=PledgeFactory(draft=True))
    with pytest.raises(ValidationError):
        pledge_publish(pledge=PledgeFactory())
