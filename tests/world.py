"""A small but complete municipality (every kind of row the admin and the coordinator
pages handle) for tests that need two of them side by side, without the slow demo."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model

from accounts.models import Membership
from accounts.services import membership_grant
from dialogues.models import (
    ActionItem,
    Concern,
    Dialogue,
    FocusArea,
    Indicator,
    IndicatorValue,
    SituationalPicture,
    Submission,
)
from places.models import Organisation, Site
from pledges.models import Activity, Agreement, Amendment, Commitment, FollowUp, PeriodVerdict
from tests.pledges.factories import CommitmentFactory, MunicipalityFactory, PledgeFactory

# Pledges run through 2026; tests freeze today inside it.
TODAY = date(2026, 11, 27)


@dataclass
class World:
    """One municipality's rows; ``secret`` appears only in its internal notes."""

    name: str
    secret: str
    municipality: object
    police: object
    kommun: object
    admin: object
    polis: object
    kommunsamordnare: object
    pledge: object
    draft: object
    commitment: object
    joint: object
    activity: object
    follow_up: object
    verdict: object
    amendment: object
    agreement: object
    site: object
    dialogue: object
    concern: object
    action_item: object
    picture: object
    focus_area: object
    indicator: object
    submission: object
    membership: object


def build_world(name: str) -> World:
    """A municipality with a published 2026 pledge (a police and a joint promise), a
    draft, activities, texts, dialogues and three users: an administrator (staff, not a
    superuser), a police and a municipal coordinator (password "pw" for all)."""
    secret = f"Hemligt om {name}"
    # The factory's code and slug: never those of the reference data every test has.
    municipality = MunicipalityFactory(name=name)
    police = Organisation.objects.create(
        name=f"Polisen i {name}",
        kind=Organisation.Kind.POLICE,
        police_area=municipality.police_area,
    )
    kommun = Organisation.objects.create(
        name=f"{name} kommun", kind=Organisation.Kind.MUNICIPALITY, municipality=municipality
    )
    users = {}
    for username, organisation, role in (
        (f"admin-{name}", kommun, Membership.Role.ADMIN),
        (f"polis-{name}", police, Membership.Role.POLICE_COORDINATOR),
        (f"kommun-{name}", kommun, Membership.Role.MUNICIPAL_COORDINATOR),
    ):
        user = get_user_model().objects.create_user(username, password="pw")
        users[role] = user
        membership = membership_grant(
            user=user, municipality=municipality, organisation=organisation, role=role
        )
    pledge = PledgeFactory(
        municipality=municipality,
        title=f"Löfte {name}",
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 31),
    )
    draft = PledgeFactory(
        municipality=municipality,
        title=f"Utkast {name}",
        valid_from=date(2027, 1, 1),
        valid_to=date(2027, 12, 31),
        draft=True,
    )
    commitment = CommitmentFactory(pledge=pledge, position=1, text=f"Polisen lovar ({name}).")
    joint = CommitmentFactory(
        pledge=pledge,
        position=2,
        text=f"Polisen och kommunen lovar ({name}).",
        responsible=Commitment.Responsible.JOINT,
    )
    site = Site.objects.create(municipality=municipality, name=f"Torget i {name}")
    activity = Activity.objects.create(
        commitment=joint,
        date=date(2026, 3, 1),
        public_summary=f"Trafikkontroll i {name}.",
        internal_notes=secret,
        logged_by=users[Membership.Role.POLICE_COORDINATOR],
        logged_for=police,
    )
    activity.organisations.set([police])
    follow_up = FollowUp.objects.create(
        commitment=commitment,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 4, 30),
        narrative=f"Uppföljning i {name}.",
    )
    verdict = PeriodVerdict.objects.create(
        commitment=commitment,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        justification=f"Motivering i {name}.",
    )
    amendment = Amendment.objects.create(
        commitment=commitment,
        effective_from=date(2026, 12, 1),
        old_value=4,
        new_value=3,
        reason=f"Ändrat i {name}.",
    )
    agreement = Agreement.objects.create(
        municipality=municipality,
        police_area=municipality.police_area,
        title=f"Överenskommelse {name}",
        valid_from=date(2025, 1, 1),
        valid_to=date(2028, 12, 31),
    )
    dialogue = Dialogue.objects.create(
        municipality=municipality,
        title=f"Trygghetsvandring i {name}",
        format=Dialogue.Format.SAFETY_WALK,
        starts_on=date(2026, 9, 1),
        internal_notes=secret,
    )
    concern = Concern.objects.create(dialogue=dialogue, theme="lighting", summary="Mörkt")
    action_item = ActionItem.objects.create(
        dialogue=dialogue, description="Byt lampan", owner=kommun
    )
    picture = SituationalPicture.objects.create(
        municipality=municipality,
        title=f"Lägesbild {name}",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        summary="Sammanfattning.",
    )
    focus_area = FocusArea.objects.create(picture=picture, title="Trafik")
    indicator = Indicator.objects.create(
        municipality=municipality,
        name=f"Trygghetsindex {name}",
        scale_min=0,
        scale_max=6,
        source="Polisens trygghetsmätning",
    )
    IndicatorValue.objects.create(indicator=indicator, year=2025, value=3)
    submission = Submission.objects.create(
        municipality=municipality, theme="lighting", message=secret
    )
    return World(
        name=name,
        secret=secret,
        municipality=municipality,
        police=police,
        kommun=kommun,
        admin=users[Membership.Role.ADMIN],
        polis=users[Membership.Role.POLICE_COORDINATOR],
        kommunsamordnare=users[Membership.Role.MUNICIPAL_COORDINATOR],
        pledge=pledge,
        draft=draft,
        commitment=commitment,
        joint=joint,
        activity=activity,
        follow_up=follow_up,
        verdict=verdict,
        amendment=amendment,
        agreement=agreement,
        site=site,
        dialogue=dialogue,
        concern=concern,
        action_item=action_item,
        picture=picture,
        focus_area=focus_area,
        indicator=indicator,
        submission=submission,
        membership=membership,
    )


def admin_objects(world: World) -> dict[str, object]:
    """Every object of the world that has its own page in the Django admin, by its admin
    URL's "app/model"."""
    return {
        "pledges/pledge": world.pledge,
        "pledges/commitment": world.commitment,
        "pledges/activity": world.activity,
        "pledges/followup": world.follow_up,
        "pledges/periodverdict": world.verdict,
        "pledges/amendment": world.amendment,
        "pledges/agreement": world.agreement,
        "places/site": world.site,
        "places/municipality": world.municipality,
        "places/organisation": world.kommun,
        "accounts/membership": world.membership,
        "auth/user": world.kommunsamordnare,
        "dialogues/dialogue": world.dialogue,
        "dialogues/concern": world.concern,
        "dialogues/situationalpicture": world.picture,
        "dialogues/indicator": world.indicator,
        "dialogues/submission": world.submission,
    }


def with_history(path: str) -> bool:
    """Admins kept by django-simple-history, which have a page per past version."""
    return path not in {
        "pledges/agreement",
        "places/site",
        "places/municipality",
        "places/organisation",
        "dialogues/indicator",
        "dialogues/submission",
    }
