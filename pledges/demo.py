"""The demo: Åsele's 2017 pledge, verbatim from the seed, with a plausible year of activities.

The pledge text comes from ``data/asele_2017_pledge.txt`` (polisen.se). Sites, the
agreement's details and the activities are invented for the demo and marked as such.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership
from accounts.services import membership_grant
from places.models import Municipality, Organisation, PoliceArea, Site
from places.reference import load_reference_data

from .models import (
    Activity,
    ActivityType,
    Agreement,
    Commitment,
    DroppedCommitment,
    FocusTag,
    Measurement,
    Pledge,
    Unit,
)
from .progress import (
    Status,
    TargetKind,
    TargetPeriod,
    reporting_periods,
    school_days,
    target_periods,
)
from .reference import load_activity_types
from .services import follow_up_save, pledge_publish, pledge_revise, verdict_save

SEED_FILE = Path(__file__).resolve().parent / "data" / "asele_2017_pledge.txt"
DEMO_PASSWORD = "demo"


@dataclass(frozen=True)
class SeedPledge:
    background: list[str]
    commitments: list[str]
    expected_effects: list[str]


def parse_seed(text: str) -> SeedPledge:
    """Split the published pledge into its introduction, promises and expected effects."""
    lines = [line.strip() for line in text.splitlines()]
    paragraphs = [line for line in lines if line]
    start = paragraphs.index("Medborgarlöfte 2017")
    effects_start = paragraphs.index("Det här ska vi åstadkomma tillsammans")
    effects_end = paragraphs.index("Följ med i hur det går!")
    intro = next(i for i, p in enumerate(paragraphs) if p.startswith("Medborgarlöftet är"))
    background = [
        p
        for p in paragraphs[intro:start]
        if p not in ("Gemensam lägesbild", "Medborgarlöfte i Åsele")
    ]
    commitments = [p.removeprefix("•").strip() for p in paragraphs[start + 1 : effects_start]]
    return SeedPledge(background, commitments, paragraphs[effects_start + 1 : effects_end])


# Activity types and units by their codes (pledges.reference).
COMMITMENTS = [
    {
        "responsible": Commitment.Responsible.POLICE,
        "activity_type": "traffic_operation",
        "target_kind": TargetKind.COUNT,
        "target_value": 4,
        "unit": "trafikinsatser",
        "audience": "Trafikanter i Åsele kommun",
        "tags": ["buskörning", "hastighet", "rattonykterhet"],
    },
    {
        "responsible": Commitment.Responsible.POLICE,
        "activity_type": "training",
        "target_kind": TargetKind.QUALITATIVE,
        "target_value": None,
        "unit": "utbildningar-och-informationstraffar",
        "audience": "Olika målgrupper i samhället",
        "tags": ["trafik"],
        "assessed_status": Status.DONE,
    },
    {
        "responsible": Commitment.Responsible.POLICE,
        "activity_type": "school_visit",
        "target_kind": TargetKind.PER_SITE,
        "target_value": 2,
        "unit": "skolbesok",
        "audience": "Elever och personal i kommunens skolor",
        "tags": ["kontaktskapande"],
        "school_year_only": True,
    },
    {
        "responsible": Commitment.Responsible.JOINT,
        "activity_type": "information",
        "target_kind": TargetKind.QUALITATIVE,
        "target_value": None,
        "unit": "informationsinsatser",
        "audience": "Lärare och personal som arbetar med ungdomar",
        "tags": ["droger", "konflikthantering"],
        "assessed_status": Status.PARTLY_DONE,
    },
]

SITES = [
    ("Åsele centrum", Site.Kind.TOWN_CENTRE),
    ("Åsele centralskola", Site.Kind.SCHOOL),
    ("Fredrika skola", Site.Kind.SCHOOL),
    ("Gafsele skola", Site.Kind.SCHOOL),
    ("Fredrika", Site.Kind.VILLAGE),
]

# (commitment position, date, status, site, people reached, measurements, summary, notes)
ACTIVITIES = [
    (
        1,
        date(2017, 3, 18),
        "done",
        "Åsele centrum",
        None,
        {"vehicles_checked": 34, "breath_tests": 30},
        "Riktad insats mot buskörning med snöskoter och moped i centrala Åsele.",
        "Två förare rapporterade; uppföljning med föräldrar sker via socialtjänsten.",
    ),
    (
        1,
        date(2017, 6, 9),
        "done",
        None,
        None,
        {"vehicles_checked": 58, "speed_checks": 58},
        "Hastighetskontroller på väg 90 och väg 92 vid infarterna till Åsele.",
        "",
    ),
    (
        1,
        date(2017, 9, 22),
        "done",
        "Åsele centrum",
        None,
        {"vehicles_checked": 112, "breath_tests": 112},
        "Nykterhetskontroller under fredagskvällen, med fokus på rattonykterhet.",
        "Tips från allmänheten om återkommande rattfylleri; namn finns i ärendet.",
    ),
    (
        1,
        date(2017, 11, 10),
        "cancelled",
        None,
        None,
        {},
        "Insats mot rattonykterhet.",
        "Inställd: patrullen omdirigerades till en trafikolycka.",
    ),
    (
        1,
        date(2017, 12, 15),
        "planned",
        None,
        None,
        {},
        "Julinsats mot rattonykterhet.",
        "Samordnas med trafikgruppen i Umeå; bemanning ej bekräftad.",
    ),
    (
        2,
        date(2017, 4, 5),
        "done",
        None,
        35,
        {},
        "Informationsträff om trafiksäkerhet för seniorer, tillsammans med NTF.",
        "",
    ),
    (
        2,
        date(2017, 10, 12),
        "done",
        None,
        18,
        {},
        "Trafikutbildning för nyanlända i samarbete med kommunens SFI.",
        "Tolk bokad via kommunen.",
    ),
    (
        3,
        date(2017, 2, 7),
        "done",
        "Åsele centralskola",
        60,
        {},
        "Besök på högstadiet: samtal om polisens arbete och om att våga berätta.",
        "",
    ),
    (
        3,
        date(2017, 5, 16),
        "done",
        "Åsele centralskola",
        45,
        {},
        "Trafikdag med cykelkontroll för mellanstadiet.",
        "",
    ),
    (
        3,
        date(2017, 10, 3),
        "done",
        "Åsele centralskola",
        70,
        {},
        "Besök i årskurs 7–9 om nätmobbning.",
        "Rektor bad om uppföljning kring en enskild elev.",
    ),
    (
        3,
        date(2017, 3, 21),
        "done",
        "Fredrika skola",
        22,
        {},
        "Kontaktskapande besök med rast tillsammans med eleverna.",
        "",
    ),
    (
        3,
        date(2017, 11, 14),
        "done",
        "Fredrika skola",
        20,
        {},
        "Samtal om trygghet på vägen till och från skolan.",
        "",
    ),
    (
        3,
        date(2017, 4, 25),
        "done",
        "Gafsele skola",
        15,
        {},
        "Besök med polisbil och samtal om polisens uppdrag.",
        "",
    ),
    (
        3,
        date(2017, 9, 12),
        "done",
        "Gafsele skola",
        16,
        {},
        "Reflexutdelning och samtal om att synas i mörkret.",
        "",
    ),
    (
        3,
        date(2017, 12, 5),
        "planned",
        "Gafsele skola",
        None,
        {},
        "Luciabesök.",
        "Preliminärt, bekräftas med skolan.",
    ),
    (
        4,
        date(2017, 2, 14),
        "done",
        None,
        42,
        {},
        "Föreläsning om drogtecken och symtom för lärare och fritidspersonal.",
        "",
    ),
    (
        4,
        date(2017, 8, 17),
        "done",
        None,
        12,
        {},
        "Utbildning i konflikthantering för personalen på fritidsgården.",
        "Utvärdering visar behov av fördjupning under 2018.",
    ),
]


@transaction.atomic
def seed_demo():
    """Create or refresh the demo (idempotent). Returns the Åsele 2017 pledge."""
    load_reference_data()
    load_activity_types()
    seed = parse_seed(SEED_FILE.read_text(encoding="utf-8"))
    asele = Municipality.objects.get(code="2463")
    area = PoliceArea.objects.get(name="Södra Lappland")

    # The publishers of Åsele's pages, with their public contact details (the footer).
    police, _created = Organisation.objects.update_or_create(
        name="Polisen, lokalpolisområde Södra Lappland",
        kind=Organisation.Kind.POLICE,
        defaults={"police_area": area, "website": "https://polisen.se/", "phone": "114 14"},
    )
    kommun, _created = Organisation.objects.update_or_create(
        name="Åsele kommun",
        kind=Organisation.Kind.MUNICIPALITY,
        defaults={
            "municipality": asele,
            "website": "https://www.asele.se/",
            "email": "kommun@asele.se",
            "phone": "0941-140 00",
        },
    )
    ntf, _created = Organisation.objects.get_or_create(
        name="NTF Västerbotten", kind=Organisation.Kind.EXTERNAL, defaults={"municipality": asele}
    )
    sites = {
        name: Site.objects.update_or_create(
            municipality=asele, name=name, defaults={"kind": kind, "is_demo": True}
        )[0]
        for name, kind in SITES
    }

    Agreement.objects.update_or_create(
        municipality=asele,
        title="Samverkansöverenskommelse mellan Åsele kommun och Polisen",
        defaults={
            "police_area": area,
            "valid_from": date(2016, 1, 1),
            "valid_to": date(2019, 12, 31),
            "signatories": "Kommunstyrelsens ordförande och lokalpolisområdeschefen",
            "focus_areas": "Trygghet och ökad synlighet av polis",
            "is_demo": True,
        },
    )

    fields = {
        "title": "Medborgarlöfte 2017",
        "valid_to": date(2017, 12, 31),
        "background": "\n\n".join(seed.background),
        "expected_effects": "\n\n".join(seed.expected_effects),
        "signatories": "Polisen, lokalpolisområde Södra Lappland, och Åsele kommun",
        "follow_up_cadence": Pledge.Cadence.TERTIAL,
    }
    pledge, _created = Pledge.objects.update_or_create(
        municipality=asele,
        valid_from=date(2017, 1, 1),
        defaults=fields,
        # Published when first created; once revised it stays superseded.
        create_defaults={**fields, "status": Pledge.State.PUBLISHED},
    )

    commitments = {}
    for position, (text, spec) in enumerate(zip(seed.commitments, COMMITMENTS, strict=True), 1):
        commitment, _created = Commitment.objects.update_or_create(
            pledge=pledge,
            position=position,
            defaults={
                "text": text,
                "responsible": spec["responsible"],
                "activity_type": ActivityType.objects.get(code=spec["activity_type"]),
                "target_kind": spec["target_kind"],
                "target_value": spec["target_value"],
                "target_period": TargetPeriod.YEAR,
                "unit": Unit.objects.get(code=spec["unit"]),
                "audience": spec["audience"],
                "school_year_only": spec.get("school_year_only", False),
                "assessed_status": spec.get("assessed_status", ""),
            },
        )
        commitment.focus_tags.set(
            [FocusTag.objects.get_or_create(name=tag)[0] for tag in spec["tags"]]
        )
        commitments[position] = commitment
    commitments[2].external_parties.set([ntf])
    commitments[3].target_sites.set([s for s in sites.values() if s.kind == Site.Kind.SCHOOL])

    for position, day, status, site, people, measured, summary, notes in ACTIVITIES:
        commitment = commitments[position]
        found = {"commitment": commitment, "date": day, "public_summary": summary}
        activity = Activity.objects.filter(**found).first() or Activity(**found)
        activity.status = status
        activity.site = sites.get(site)
        activity.people_reached = people
        activity.internal_notes = notes
        # The police log their own and the joint promises; the kommun its own.
        activity.logged_for = (
            kommun if commitment.responsible == Commitment.Responsible.MUNICIPALITY else police
        )
        parties = {
            Commitment.Responsible.POLICE: [police],
            Commitment.Responsible.MUNICIPALITY: [kommun],
            Commitment.Responsible.JOINT: [police, kommun],
        }[commitment.responsible]
        # One history record per activity, with its organisations and figures.
        with activity.one_history_record("~" if activity.pk else "+"):
            activity.save()
            activity.organisations.set(parties + ([ntf] if position == 2 else []))
            for quantity, value in measured.items():
                Measurement.objects.update_or_create(
                    activity=activity, quantity_id=quantity, defaults={"value": value}
                )

    users = _demo_users(asele, police, kommun)
    _demo_follow_ups(pledge, commitments, users["polis"])
    return pledge


def _demo_users(asele, police, kommun):
    user_model = get_user_model()
    users = {}
    for username, is_admin, organisation, role in (
        ("admin", True, kommun, Membership.Role.ADMIN),
        ("polis", False, police, Membership.Role.POLICE_COORDINATOR),
        ("kommun", False, kommun, Membership.Role.MUNICIPAL_COORDINATOR),
    ):
        user, _created = user_model.objects.get_or_create(username=username)
        user.is_staff = user.is_superuser = is_admin
        user.email = f"{username}@example.invalid"
        user.set_password(DEMO_PASSWORD)
        user.save()
        membership_grant(user=user, municipality=asele, organisation=organisation, role=role)
        users[username] = user
    return users


FOLLOW_UPS = {
    # commitment position -> (tertial start, text)
    1: [
        (
            date(2017, 1, 1),
            "En riktad insats mot buskörning genomfördes i mars, med fokus på "
            "snöskoter och moped i centrala Åsele.",
        ),
        (
            date(2017, 5, 1),
            "Hastighetskontroller vid infarterna i juni. Insatsen mot "
            "rattonykterhet flyttades till september på grund av bemanningen under sommaren.",
        ),
    ],
    3: [
        (date(2017, 1, 1), "Alla tre skolor har fått minst ett besök under vårterminen."),
    ],
}


def _demo_follow_ups(pledge, commitments, author):
    for position, entries in FOLLOW_UPS.items():
        for start, text in entries:
            period = next(
                p
                for p in reporting_periods(
                    pledge.valid_from, pledge.valid_to, pledge.follow_up_cadence
                )
                if p.start == start
            )
            follow_up_save(
                commitment=commitments[position],
                period=period,
                narrative=text,
                is_published=True,
                user=author,
            )
    year = target_periods(pledge.valid_from, pledge.valid_to, TargetPeriod.YEAR)[0]
    verdict_save(
        commitment=commitments[1],
        period=year,
        justification="Tre av fyra planerade trafikinsatser genomfördes. Den fjärde, mot "
        "rattonykterhet i november, ställdes in när patrullen behövdes vid en trafikolycka.",
        is_published=True,
        user=author,
        done=3,
    )


NEW_2018 = (
    "Kommunen lovar att tillsammans med polisen och invånare genomföra minst en "
    "trygghetsvandring i Åsele centrum under hösten."
)
REVISED_2018 = (
    "Polisen lovar att genomföra minst 6 riktade trafikinsatser i Åsele under året. "
    "Fokus ska ligga på buskörning, hastighet och kontroll av rattonykterhet."
)

# (position, date, status, site, summary)
ACTIVITIES_2018 = [
    (1, date(2018, 3, 10), "done", "Åsele centrum", "Insats mot buskörning med snöskoter."),
    (1, date(2018, 6, 15), "done", None, "Hastighetskontroller på väg 90."),
    (1, date(2018, 8, 24), "done", "Åsele centrum", "Nykterhetskontroller under marknadshelgen."),
    (1, date(2018, 10, 5), "done", None, "Hastighetskontroller vid skolorna."),
    (2, date(2018, 4, 18), "done", None, "Trafikträff för nya mopedförare."),
    (3, date(2018, 2, 6), "done", "Åsele centralskola", "Besök i årskurs 7–9."),
    (3, date(2018, 9, 11), "done", "Åsele centralskola", "Besök om trafik och reflexer."),
    (3, date(2018, 3, 20), "done", "Fredrika skola", "Kontaktskapande besök."),
    (3, date(2018, 10, 16), "done", "Fredrika skola", "Samtal om trygghet i skolan."),
    (3, date(2018, 5, 8), "done", "Gafsele skola", "Besök med polisbil."),
    (5, date(2018, 10, 2), "done", "Åsele centrum", "Trygghetsvandring med 23 deltagare."),
]


@transaction.atomic
def seed_revision(pledge_2017, *, revise=pledge_revise):
    """The demo 2018 revision (invented, marked as demo): one commitment revised, two
    continued, one dropped with a reason, one new; published, so 2017 is superseded.
    ``revise`` is the service that makes the draft (the dialogues app's carries the focus
    areas over too)."""
    existing = Pledge.objects.filter(revises=pledge_2017).first()
    if existing:
        return existing
    draft = revise(
        pledge=pledge_2017,
        valid_from=date(2018, 1, 1),
        valid_to=date(2018, 12, 31),
        title="Medborgarlöfte 2018",
    )
    draft.is_demo = True
    draft.signatories = pledge_2017.signatories
    draft.save()
    carried = {c.previous.position: c for c in draft.commitments.select_related("previous")}
    traffic = carried[1]
    traffic.text = REVISED_2018
    traffic.target_value = 6
    traffic.change = Commitment.Change.REVISED
    traffic.change_note = (
        "Målet höjs från 4 till 6 trafikinsatser: buskörning och hastighet togs upp igen "
        "i medborgardialogerna."
    )
    traffic.save()
    joint = carried[4]
    DroppedCommitment.objects.create(
        pledge=draft,
        commitment=joint.previous,
        reason="Informationsinsatserna till lärare och personal ingår från 2018 i kommunens "
        "ordinarie kompetensutveckling och behöver inget eget löfte.",
    )
    joint.delete()
    kommun = Organisation.objects.get(name="Åsele kommun", kind=Organisation.Kind.MUNICIPALITY)
    Commitment.objects.create(
        pledge=draft,
        position=5,
        text=NEW_2018,
        responsible=Commitment.Responsible.MUNICIPALITY,
        activity_type=ActivityType.objects.get(code="safety_walk"),
        target_kind=TargetKind.COUNT,
        target_value=1,
        unit=Unit.objects.get(code="trygghetsvandringar"),
        audience="Invånare i Åsele tätort",
        change=Commitment.Change.NEW,
    )
    pledge_publish(pledge=draft)
    commitments = {c.position: c for c in draft.commitments.all()}
    sites = {s.name: s for s in Site.objects.filter(municipality=draft.municipality)}
    for position, day, status, site, summary in ACTIVITIES_2018:
        activity = Activity(
            commitment=commitments[position],
            date=day,
            status=status,
            site=sites.get(site),
            public_summary=summary,
        )
        with activity.one_history_record("+"):
            activity.save()
            activity.organisations.set([kommun] if position == 5 else [])
    return draft


# The current year's pledge: invented, marked as demo, dated from the day the demo is
# seeded so that `make run` always shows a pledge in progress.

LIVE_TITLE = "Medborgarlöfte {year} (demo)"
LIVE_NOTICE = (
    "Demoinnehåll: det här medborgarlöftet är påhittat för att visa ett löfte som pågår. "
    "Löftena bygger vidare på Åseles medborgarlöfte 2017 (originaltexten) och den påhittade "
    "revisionen 2018; aktiviteterna är daterade utifrån dagen då demon skapades."
)

# By the position of the predecessor's commitment (the published number stays): what the
# current pledge promises, and the public note when that differs from its predecessor.
LIVE_COMMITMENTS = {
    1: {
        "text": "Polisen lovar att kontrollera minst 1 500 fordon i Åsele under året, med "
        "fokus på buskörning, hastighet och rattonykterhet.",
        "responsible": Commitment.Responsible.POLICE,
        "activity_type": "traffic_operation",
        "audience": "Trafikanter i Åsele kommun",
        "target_kind": TargetKind.QUANTITY,
        "target_value": 1500,
        "target_period": TargetPeriod.YEAR,
        "unit": None,
        "quantity": "vehicles_checked",
        "school_year_only": False,
        "change_note": "Målet räknas nu i kontrollerade fordon i stället för i antal "
        "insatser: det säger mer om hur många trafikanter som möter polisen.",
    },
    2: {"assessed_status": Status.ON_TRACK},
    3: {},
    5: {
        "text": "Kommunen lovar att tillsammans med polisen och invånare genomföra minst en "
        "trygghetsvandring i Åsele centrum under året.",
        "change_note": "Vandringen görs när den passar deltagarna bäst, inte bara på hösten.",
    },
    6: {
        "text": "Polisen lovar att göra minst en närvaroinsats i kommunens byar varje månad.",
        "responsible": Commitment.Responsible.POLICE,
        "activity_type": "presence",
        "audience": "Invånare i Fredrika, Gafsele och kommunens övriga byar",
        "target_kind": TargetKind.COUNT,
        "target_value": 1,
        "target_period": TargetPeriod.MONTH,
        "unit": "narvaroinsatser",
        "quantity": None,
        "school_year_only": False,
    },
}

# Vehicles checked by the traffic operations, in turn: together about 60 % of the pace the
# promise asks, so that it reads Behind plan on every day of the year.
LIVE_VEHICLES = (45, 60, 52)


@dataclass(frozen=True)
class LiveActivity:
    position: int
    date: date
    status: str
    site: str | None
    summary: str
    vehicles: int | None = None


def live_activities(today: date, valid_from: date, valid_to: date) -> list[LiveActivity]:
    """The current pledge's activities, dated relative to ``today``: done ones never after
    it, planned ones from it on and within the validity. On every day of the year:

    1. the traffic promise (a quantity per year) is Behind plan: from the first day more
       vehicles are due than the operations every three weeks have checked;
    2. the training promise is assessed On track (qualitative);
    3. the school visits have some visits done and one planned;
    4. the safety walk (one a year) is Not started, with one planned, until its last day,
       31 December, when it falls due;
    5. the monthly presence promise is On track: every ended month has its activity (on
       31 December, the last month's too: Fulfilled).
    """
    activities = []

    def planned(position, days, site, summary):
        activities.append(
            LiveActivity(
                position, min(today + timedelta(days=days), valid_to), "planned", site, summary
            )
        )

    # 1. Traffic operations every three weeks, the latest two weeks ago.
    day, turn = today - timedelta(days=14), 0
    while day >= valid_from:
        activities.append(
            LiveActivity(
                1,
                day,
                "done",
                "Åsele centrum" if turn % 2 else None,
                "Nykterhets- och hastighetskontroller."
                if turn % 2
                else "Hastighetskontroller på väg 90 och väg 92.",
                LIVE_VEHICLES[turn % len(LIVE_VEHICLES)],
            )
        )
        day, turn = day - timedelta(days=21), turn + 1
    planned(1, 10, "Åsele centrum", "Insats mot buskörning och rattonykterhet.")

    # 2. Training.
    if today - timedelta(days=30) >= valid_from:
        activities.append(
            LiveActivity(
                2, today - timedelta(days=30), "done", None, "Trafikträff för seniorer med NTF."
            )
        )
    planned(2, 21, None, "Trafikutbildning för nyanlända.")

    # 3. School visits on school days.
    for days, site, summary in (
        (6, "Åsele centralskola", "Besök i årskurs 7–9 om nätmobbning."),
        (33, "Fredrika skola", "Kontaktskapande besök."),
        (61, "Åsele centralskola", "Trafikdag med cykelkontroll."),
    ):
        day = today - timedelta(days=days)
        if day >= valid_from and school_days(day, day):
            activities.append(LiveActivity(3, day, "done", site, summary))
    planned(3, 14, "Gafsele skola", "Besök med polisbil och samtal om polisens uppdrag.")

    # 4. The safety walk, not done yet.
    planned(5, 28, "Åsele centrum", "Trygghetsvandring i Åsele centrum.")

    # 5. One presence a month.
    for period in target_periods(valid_from, valid_to, TargetPeriod.MONTH):
        summary = "Närvaroinsats i byarna: samtal med boende och besök i butiken."
        if period.end < today:
            day = min(period.start + timedelta(days=14), period.end)
            activities.append(LiveActivity(6, day, "done", "Fredrika", summary))
        elif today in period:
            if period.start == valid_from or today == period.end:
                day = max(period.start, today - timedelta(days=3))
                activities.append(LiveActivity(6, day, "done", "Fredrika", summary))
            else:
                activities.append(LiveActivity(6, period.end, "planned", "Fredrika", summary))
    return activities


def _latest_public(municipality):
    return Pledge.objects.public().filter(municipality=municipality).order_by("-valid_from").first()


@transaction.atomic
def seed_live(*, today=None, revise=pledge_revise):
    """The demo pledge of the current calendar year, 1 January - 31 December of ``today``
    (by default the local date): a published revision of Åsele's latest public pledge,
    which becomes superseded, so the chain runs 2017 → 2018 → this year (a gap between them
    is no overlap). Idempotent: when the latest pledge already starts in this year (or a
    revision of it exists), it is returned as it is, its activities dated from the day it
    was made; on a later year it is revised in turn (2026 → 2027). Before 2019 there is no
    year to add. Returns the pledge, or None."""
    today = today or timezone.localdate()
    asele = Municipality.objects.get(code="2463")
    latest = _latest_public(asele)
    valid_from, valid_to = date(today.year, 1, 1), date(today.year, 12, 31)
    if latest is None or latest.valid_to is None or latest.valid_to >= valid_from:
        return latest if latest and latest.covers(today) else None
    existing = latest.revisions.first()
    if existing:
        return existing
    draft = revise(
        pledge=latest,
        valid_from=valid_from,
        valid_to=valid_to,
        title=LIVE_TITLE.format(year=today.year),
    )
    draft.is_demo = True
    draft.signatories = latest.signatories
    paragraphs = [p for p in draft.background.split("\n\n") if p != LIVE_NOTICE]
    draft.background = "\n\n".join([LIVE_NOTICE, *paragraphs])
    draft.save()

    carried = {c.previous.position: c for c in draft.commitments.select_related("previous")}
    for position, spec in LIVE_COMMITMENTS.items():
        spec = dict(spec)
        note = spec.pop("change_note", "")
        assessed = spec.pop("assessed_status", "")
        commitment = carried.get(position)
        if commitment is None:
            commitment = Commitment(pledge=draft, position=position, change=Commitment.Change.NEW)
        for name, value in spec.items():
            # Related rows by their code, as ``promise()`` holds them.
            setattr(commitment, Commitment._meta.get_field(name).attname, value)
        if commitment.previous_id and commitment.promise() != commitment.previous.promise():
            commitment.change = Commitment.Change.REVISED
            commitment.change_note = note
        commitment.assessed_status = assessed
        commitment.full_clean()
        commitment.save()
    pledge_publish(pledge=draft)
    _live_activities(draft, today)
    return draft


def _live_activities(pledge, today):
    police = Organisation.objects.get(
        name="Polisen, lokalpolisområde Södra Lappland", kind=Organisation.Kind.POLICE
    )
    kommun = Organisation.objects.get(name="Åsele kommun", kind=Organisation.Kind.MUNICIPALITY)
    commitments = {c.position: c for c in pledge.commitments.all()}
    sites = {s.name: s for s in Site.objects.filter(municipality=pledge.municipality)}
    for item in live_activities(today, pledge.valid_from, pledge.valid_to):
        commitment = commitments[item.position]
        ours = commitment.responsible == Commitment.Responsible.MUNICIPALITY
        activity = Activity(
            commitment=commitment,
            date=item.date,
            status=item.status,
            site=sites.get(item.site),
            public_summary=item.summary,
            logged_for=kommun if ours else police,
        )
        activity.full_clean()
        with activity.one_history_record("+"):
            activity.save()
            activity.organisations.set([kommun] if ours else [police])
            if item.vehicles:
                for quantity in ("vehicles_checked", "breath_tests"):
                    Measurement.objects.create(
                        activity=activity, quantity_id=quantity, value=item.vehicles
                    )
