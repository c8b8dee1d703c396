"""The whole demo: Åsele's 2017 pledge with its activities and users, and the dialogues
and situational picture behind it."""

from dialogues import services as dialogue_services
from dialogues.demo import seed_dialogues
from pledges.demo import seed_demo, seed_revision


def seed_all():
    """Create or refresh the whole demo (idempotent). Returns the Åsele 2017 pledge."""
    pledge = seed_demo()
    seed_dialogues(pledge)
    seed_revision(pledge, revise=dialogue_services.pledge_revise)
    pledge.refresh_from_db()
    return pledge
