"""Åsele's autumn 2016 dialogues, the situational picture they fed, and indicators.

The seed text says the situational picture came from citizen dialogues, a staff dialogue
and police intelligence, and prioritised "trygghet och ökad synlighet av polis". The
dialogues' details, the concerns and every indicator value are invented for the demo and
marked as such.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction

from places.models import Municipality
from pledges.models import Commitment, Pledge

from .models import Concern, Dialogue, FocusArea, Indicator, IndicatorValue, SituationalPicture

MORNING = date(2016, 10, 18)

# (title, target group, participants, summary, [(theme, summary, place, times raised, rank)])
FOCUS_GROUPS = [
    (
        "Fokusgrupp med pensionärsrådet",
        "Pensionärer",
        12,
        "Pensionärsrådet samtalade om trygghet i vardagen och om trafiken i tätorten.",
        [
            ("police_visibility", "Polisen syns sällan i Åsele", "", 9, 1),
            ("traffic", "Höga hastigheter på genomfartsvägen", "Väg 90 genom tätorten", 6, 2),
            ("fraud", "Oro för bedrägerier via telefon", "", 5, 3),
        ],
    ),
    (
        "Fokusgrupp med företagarföreningen",
        "Handlare och företagare",
        8,
        "Företagarna tog upp trafiken i centrum och skadegörelse kvällstid.",
        [
            ("traffic", "Buskörning med moped och snöskoter i centrum", "Centrum", 7, 1),
            ("vandalism", "Skadegörelse vid affärerna kvällstid", "Centrum", 3, 2),
        ],
    ),
    (
        "Fokusgrupp på folkhögskolan",
        "Studerande och personal",
        9,
        "Samtalet handlade om unga vuxnas situation och om otrygga platser.",
        [
            ("drugs", "Oro för droger bland unga vuxna", "", 5, 1),
            ("lighting", "Dålig belysning vid busshållplatsen", "Busstationen", 4, 2),
        ],
    ),
    (
        "Fokusgrupp med elevrådet",
        "Elever i årskurs 7–9",
        4,
        "Elevrådet samtalade om polisens närvaro i skolan och om fritiden.",
        [
            ("police_visibility", "Vill träffa polisen i skolan", "Skolan", 4, 1),
            ("youth", "Bråk och konflikter på fritidsgården", "Fritidsgården", 3, 2),
        ],
    ),
]

INDICATORS = [
    (
        "Trygghetsindex",
        "index 0–6, lägre är tryggare",
        Decimal(0),
        Decimal(6),
        "Polisens trygghetsmätning (demovärden)",
        False,
        {2015: "1.95", 2016: "1.90", 2017: "1.72", 2018: "1.64", 2019: "1.58"},
    ),
    (
        "Andel med förtroende för polisen",
        "procent",
        Decimal(0),
        Decimal(100),
        "Polisens trygghetsmätning (demovärden)",
        True,
        {2015: "55", 2016: "57", 2017: "61", 2018: "63", 2019: "62"},
    ),
]


@transaction.atomic
def seed_dialogues(pledge: Pledge):
    """Create or refresh the demo dialogues, situational picture and indicators."""
    asele = Municipality.objects.get(code="2463")
    concerns = {}
    dialogues = []
    for title, group, participants, summary, items in FOCUS_GROUPS:
        dialogue, _created = Dialogue.objects.update_or_create(
            municipality=asele,
            title=title,
            defaults={
                "format": Dialogue.Format.FOCUS_GROUP,
                "starts_on": MORNING,
                "area": "Åsele tätort",
                "target_group": group,
                "participants": participants,
                "public_summary": summary,
                "internal_notes": "Samtalsledare: kommunpolisen och säkerhetssamordnaren.",
                "is_published": True,
                "is_demo": True,
            },
        )
        dialogues.append(dialogue)
        for theme, text, place, times, rank in items:
            concerns[text], _created = Concern.objects.update_or_create(
                dialogue=dialogue,
                summary=text,
                defaults={"theme": theme, "place": place, "times_raised": times, "rank": rank},
            )
    staff, _created = Dialogue.objects.update_or_create(
        municipality=asele,
        title="Medarbetardialog med polis och kommun",
        defaults={
            "format": Dialogue.Format.STAFF_DIALOGUE,
            "starts_on": date(2016, 10, 25),
            "target_group": "Medarbetare i polisen och kommunen",
            "participants": 14,
            "public_summary": "Medarbetarna bekräftade bilden av trafiken och efterfrågade "
            "mer kontakt mellan polisen och skolorna.",
            "is_published": True,
            "is_demo": True,
        },
    )
    dialogues.append(staff)

    picture, _created = SituationalPicture.objects.update_or_create(
        municipality=asele,
        title="Gemensam lägesbild 2016",
        defaults={
            "period_start": date(2016, 9, 1),
            "period_end": date(2016, 12, 31),
            "summary": pledge.background.split("\n\n")[-1],
            "uses_police_intelligence": True,
            "is_published": True,
        },
    )
    picture.dialogues.set(dialogues)

    commitments = {c.position: c for c in Commitment.objects.filter(pledge=pledge)}
    areas = [
        (
            1,
            "Trygghet och ökad synlighet av polis",
            "Många upplever att polisen sällan syns i kommunen, och unga saknar kontakt med "
            "polisen.",
            "Långa avstånd och få poliser i lokalpolisområdet gör att polisen mest syns vid "
            "utryckningar.",
            "Centrum, skolorna",
            [
                "Polisen syns sällan i Åsele",
                "Vill träffa polisen i skolan",
                "Oro för droger bland unga vuxna",
                "Bråk och konflikter på fritidsgården",
            ],
            [3, 4],
        ),
        (
            2,
            "Trafiken",
            "Höga hastigheter och buskörning i tätorten upplevs som otrygga.",
            "Genomfartstrafik på väg 90 och få kontroller.",
            "Väg 90, centrum",
            ["Höga hastigheter på genomfartsvägen", "Buskörning med moped och snöskoter i centrum"],
            [1, 2],
        ),
    ]
    for position, title, problem, causes, places, concern_texts, positions in areas:
        area, _created = FocusArea.objects.update_or_create(
            picture=picture,
            position=position,
            defaults={
                "title": title,
                "problem": problem,
                "cause_analysis": causes,
                "places": places,
            },
        )
        area.concerns.set([concerns[text] for text in concern_texts])
        area.commitments.set([commitments[p] for p in positions])

    for name, unit, low, high, source, higher_better, values in INDICATORS:
        indicator, _created = Indicator.objects.update_or_create(
            municipality=asele,
            name=name,
            defaults={
                "unit": unit,
                "scale_min": low,
                "scale_max": high,
                "source": source,
                "higher_is_better": higher_better,
            },
        )
        for year, value in values.items():
            IndicatorValue.objects.update_or_create(
                indicator=indicator, year=year, defaults={"value": Decimal(value), "is_demo": True}
            )
    return picture
