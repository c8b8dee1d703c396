"""The whole demo: Åsele's 2017 pledge with its activities and users, the dialogues and
situational picture behind it, the 2018 revision and the current year's pledge."""

from dialogues import services as dialogue_services
from dialogues.demo import seed_dialogues
from pledges.demo import seed_demo, seed_live, seed_revision


def seed_all():
    """Create or refresh the whole demo (idempotent). Returns the Åsele 2017 pledge."""
    pledge = seed_demo()
    seed_dialogues(pledge)
    seed_revision(pledge, revise=dialogue_services.pledge_revise)
    seed_live(revise=dialogue_services.pledge_revise)
    pledge.refresh_from_db()
    return pledge
