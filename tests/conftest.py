import pytest


@pytest.fixture
def demo_pledge(db):
    """The Åsele 2017 demo pledge, as `seed_demo` creates it."""
    from pledges.demo import seed_demo

    return seed_demo()
