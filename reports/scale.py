"""Synthetic national-scale data for benchmarks (`seed_scale`).

Every municipality gets ten years of pledges (2017 to this year) chained by revision,
their commitments in every target shape of SPEC §4, about a million activities at scale 1
(skewed: Stockholm, Göteborg and Malmö get many, most municipalities few), follow-ups,
verdicts, dialogues with concerns, situational pictures, agreements and indicators.

Everything is marked as synthetic: ``is_demo`` where the model has it, and every title or
name says "Syntetisk". Rows are written with ``bulk_create`` in batches (many-to-many rows
through their through models), so no ``save()`` runs and no history is recorded.

The models are touched only through their public fields and methods; the rules of
targets (periods, school terms) come from ``pledges.progress``. Nothing here is random
without the seed: the same seed, scale and day give the same data.
"""

from __future__ import annotations

import bisect
import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import reset_queries, transaction
from django.utils import timezone
from django.utils.text import slugify

from dialogues.models import (
    ActionItem,
    Concern,
    Dialogue,
    FocusArea,
    Indicator,
    IndicatorValue,
    SituationalPicture,
    Theme,
)
from places.models import (
    Municipality,
    Organisation,
    PoliceArea,
    PoliceRegion,
    Site,
    site_name_key,
)
from places.reference import load_reference_data
from pledges.models import (
    Activity,
    Agreement,
    Amendment,
    Commitment,
    DroppedCommitment,
    FocusTag,
    FollowUp,
    Measurement,
    PeriodVerdict,
    Pledge,
    ProgressCount,
    Unit,
)
from pledges.progress import (
    Status,
    TargetKind,
    TargetPeriod,
    reporting_periods,
    school_terms,
    target_periods,
)
from pledges.reference import load_activity_types

ACTIVITIES_AT_SCALE_1 = 1_000_000
FIRST_YEAR = 2017
BATCH = 2000

# The markers: every synthetic pledge's title starts with this, every other synthetic
# title or name with "Syntetisk" (organisations have it in their names).
PLEDGE_PREFIX = "Syntetiskt medborgarlöfte"
SYNTHETIC = "Syntetisk"
AREA_PREFIX = "Syntetiskt lokalpolisområde"

# Stockholm, Göteborg and Malmö first: the largest, with every commitment.
LARGE = ("0180", "1480", "1280")
# Zipf exponent of the activity share by rank: Stockholm gets about 12 %, the median
# municipality about 0.14 %, the smallest about 0.07 %.
SKEW = 0.9
# Municipalities whose pledges are for the winter season (1 November - 31 March) in the
# last WINTERS winters: those of Jämtland and Norrbotten, and the fourth one chosen.
NORTH = {"23", "25"}
WINTER_INDEX = 3
WINTERS = 4


@dataclass(frozen=True)
class Template:
    """A commitment as it recurs in the synthetic pledges, in one target shape."""

    key: str
    text: str  # "{target}" stands for the target value
    responsible: str
    activity_type: str
    target_kind: str
    unit: str
    target_period: str = TargetPeriod.YEAR
    quantity: str = ""
    school_year_only: bool = False
    school_days: bool = False  # activities fall on school days
    sites: str = ""  # which target sites: schools, grade8, centre
    weight: float = 1.0  # share of the pledge's activities
    tags: tuple[str, ...] = ()
    audience: str = ""
    summaries: tuple[str, ...] = ()
    people: bool = False
    measured: tuple[str, ...] = ()  # quantities measured now and then on its activities


R = Commitment.Responsible


class A:
    """The codes of the shipped activity types (pledges.reference)."""

    TRAFFIC_OPERATION = "traffic_operation"
    SCHOOL_VISIT = "school_visit"
    TRAINING = "training"
    PRESENCE = "presence"
    JOINT_SUPERVISION = "joint_supervision"


class Q:
    """The codes of the shipped measured quantities (pledges.reference)."""

    VEHICLES_CHECKED = "vehicles_checked"
    BREATH_TESTS = "breath_tests"


# The templates' units (Swedish plural) in the four forms of pledges.Unit; None: a quantity
# target, which counts its measured quantity.
UNIT_FORMS = {
    "trafikinsatser": ("trafikinsats", "traffic operation", "traffic operations"),
    "skolbesök": ("skolbesök", "school visit", "school visits"),
    "klassbesök": ("klassbesök", "class visit", "class visits"),
    "kontrollerade fordon": None,
    "informationsträffar": ("informationsträff", "information meeting", "information meetings"),
    "närvaropass": ("närvaropass", "patrol shift", "patrol shifts"),
    "tillsyner": ("tillsyn", "inspection", "inspections"),
    "lektioner": ("lektion", "lesson", "lessons"),
    "kvällsvandringar": ("kvällsvandring", "evening walk", "evening walks"),
}


def unit_codes():
    """The code of each template unit's row, created if missing (reference data: the
    shipped rows first, then one per synthetic unit)."""
    load_activity_types()
    codes = {}
    for plural, forms in UNIT_FORMS.items():
        if forms is None:
            continue
        existing = Unit.objects.filter(plural_sv=plural).first()
        if existing is None:
            singular_sv, singular_en, plural_en = forms
            existing = Unit.objects.create(
                code=slugify(plural),
                singular_sv=singular_sv,
                plural_sv=plural,
                singular_en=singular_en,
                plural_en=plural_en,
            )
        codes[plural] = existing.code
    return codes


TEMPLATES = [
    Template(
        "traffic_year",
        "Polisen lovar att genomföra minst {target} riktade trafikinsatser under året, med "
        "fokus på hastighet och rattonykterhet.",
        R.POLICE,
        A.TRAFFIC_OPERATION,
        TargetKind.COUNT,
        "trafikinsatser",
        tags=("hastighet", "rattonykterhet"),
        audience="Trafikanter i kommunen",
        summaries=(
            "Hastighetskontroller vid infarterna.",
            "Nykterhetskontroller under kvällen.",
            "Insats mot buskörning med moped.",
            "Kontroller vid skolornas parkeringar.",
        ),
        measured=(Q.VEHICLES_CHECKED, Q.BREATH_TESTS),
    ),
    Template(
        "school_per_site",
        "Polisen lovar att besöka kommunens skolor minst {target} gånger per skola och år "
        "under ordinarie läsår.",
        R.POLICE,
        A.SCHOOL_VISIT,
        TargetKind.PER_SITE,
        "skolbesök",
        school_year_only=True,
        school_days=True,
        sites="schools",
        weight=1.2,
        tags=("kontaktskapande",),
        audience="Elever och personal i kommunens skolor",
        summaries=(
            "Kontaktskapande besök på rasten.",
            "Samtal om trygghet i skolan.",
            "Lektion om trafik och reflexer.",
        ),
        people=True,
    ),
    Template(
        "coverage_grade8",
        "Polisen och kommunen lovar att alla klasser i årskurs 8 får ett besök om droger "
        "och trafik under året.",
        R.JOINT,
        A.SCHOOL_VISIT,
        TargetKind.COVERAGE,
        "klassbesök",
        school_days=True,
        sites="grade8",
        weight=0.6,
        tags=("droger", "trafik"),
        audience="Elever i årskurs 8",
        summaries=("Klassbesök om droger.", "Klassbesök om trafiksäkerhet."),
        people=True,
    ),
    Template(
        "checks_quantity",
        "Polisen lovar att kontrollera minst {target} fordon under året.",
        R.POLICE,
        A.TRAFFIC_OPERATION,
        TargetKind.QUANTITY,
        "kontrollerade fordon",
        quantity=Q.VEHICLES_CHECKED,
        tags=("hastighet",),
        audience="Trafikanter i kommunen",
        summaries=("Fordonskontroller på genomfartsleden.", "Flygande kontroller i tätorten."),
    ),
    Template(
        "info_qualitative",
        "Polisen och kommunen lovar att genomföra informationsträffar om trafik och "
        "trygghet för olika målgrupper.",
        R.JOINT,
        A.TRAINING,
        TargetKind.QUALITATIVE,
        "informationsträffar",
        weight=0.3,
        tags=("trafik", "trygghet"),
        audience="Olika målgrupper i samhället",
        summaries=("Informationsträff för föräldrar.", "Träff med pensionärsföreningen."),
        people=True,
    ),
    Template(
        "weekly_presence",
        "Polisen lovar att vara synlig i centrum minst {target} gånger per vecka.",
        R.POLICE,
        A.PRESENCE,
        TargetKind.COUNT,
        "närvaropass",
        target_period=TargetPeriod.WEEK,
        weight=2.0,
        tags=("trygghet",),
        audience="Alla som rör sig i centrum",
        summaries=("Fotpatrull i centrum.", "Närvaro vid stationen på kvällen."),
    ),
    Template(
        "monthly_supervision",
        "Polisen och kommunen lovar att genomföra minst {target} gemensamma tillsyner av "
        "krogar och butiker per månad.",
        R.JOINT,
        A.JOINT_SUPERVISION,
        TargetKind.COUNT,
        "tillsyner",
        target_period=TargetPeriod.MONTH,
        weight=0.8,
        tags=("alkohol", "droger"),
        audience="Restauranger och butiker",
        summaries=("Tillsyn av serveringstillstånd.", "Tillsyn av tobaksförsäljning."),
    ),
    Template(
        "term_lessons",
        "Kommunen lovar att hålla minst {target} lektioner om droger och konflikthantering "
        "per termin.",
        R.MUNICIPALITY,
        A.TRAINING,
        TargetKind.COUNT,
        "lektioner",
        target_period=TargetPeriod.TERM,
        school_year_only=True,
        school_days=True,
        weight=0.7,
        tags=("droger", "konflikthantering"),
        audience="Elever i högstadiet",
        summaries=("Lektion om droger.", "Lektion om konflikthantering."),
        people=True,
    ),
    Template(
        "evening_walks_centre",
        "Polisen och kommunen lovar att genomföra minst {target} kvällsvandringar i centrum "
        "och vid stationen under året.",
        R.JOINT,
        A.PRESENCE,
        TargetKind.COUNT,
        "kvällsvandringar",
        sites="centre",
        tags=("trygghet", "ungdomar"),
        audience="Unga och vuxna som rör sig på kvällen",
        summaries=("Kvällsvandring med föräldrar.", "Kvällsvandring med fältassistenter."),
    ),
]
WINTER_TEMPLATES = [
    Template(
        "winter_season",
        "Polisen lovar att genomföra minst {target} nykterhetskontroller under vintersäsongen, "
        "1 november – 31 mars.",
        R.POLICE,
        A.TRAFFIC_OPERATION,
        TargetKind.COUNT,
        "nykterhetskontroller",
        target_period=TargetPeriod.VALIDITY,
        tags=("rattonykterhet",),
        audience="Trafikanter under vintern",
        summaries=("Nykterhetskontroll under julbordssäsongen.", "Kontroll vid skidbacken."),
        measured=(Q.BREATH_TESTS,),
    ),
    Template(
        "winter_monthly",
        "Polisen och kommunen lovar att vara på plats vid isbanor och skidbackar minst "
        "{target} gånger per månad under vintern.",
        R.JOINT,
        A.PRESENCE,
        TargetKind.COUNT,
        "närvaropass",
        target_period=TargetPeriod.MONTH,
        weight=0.6,
        tags=("trygghet",),
        audience="Barn och unga",
        summaries=("Närvaro vid isbanan.", "Närvaro i skidbacken."),
    ),
]
ALWAYS = "traffic_year"

FOCUS_AREAS = [
    ("Trafiksäkerhet", Theme.TRAFFIC, ("traffic_year", "checks_quantity", "winter_season")),
    (
        "Trygghet och ökad synlighet av polis",
        Theme.POLICE_VISIBILITY,
        ("weekly_presence", "evening_walks_centre", "winter_monthly"),
    ),
    (
        "Droger och alkohol bland unga",
        Theme.DRUGS,
        ("coverage_grade8", "term_lessons", "monthly_supervision"),
    ),
    ("Trygga skolor", Theme.YOUTH, ("school_per_site", "info_qualitative")),
]

DIALOGUE_FORMATS = {
    Dialogue.Format.OPEN_MEETING: "öppet möte",
    Dialogue.Format.FOCUS_GROUP: "fokusgrupp",
    Dialogue.Format.WEB_SURVEY: "webbenkät",
    Dialogue.Format.PAPER_SURVEY: "pappersenkät",
    Dialogue.Format.SAFETY_WALK: "trygghetsvandring",
    Dialogue.Format.POLICE_ON_SITE: "polisen på plats",
    Dialogue.Format.SCHOOL_DIALOGUE: "skoldialog",
    Dialogue.Format.STAFF_DIALOGUE: "medarbetardialog",
}
CONCERNS = {
    Theme.TRAFFIC: ("Höga hastigheter på genomfartsvägen", "Buskörning med moped"),
    Theme.DRUGS: ("Oro för droger bland unga", "Langning vid fritidsgården"),
    Theme.POLICE_VISIBILITY: ("Polisen syns sällan", "Vill träffa polisen oftare"),
    Theme.VANDALISM: ("Skadegörelse kvällstid", "Klotter vid skolan"),
    Theme.VIOLENCE: ("Bråk i centrum på helgerna",),
    Theme.FRAUD: ("Oro för bedrägerier via telefon",),
    Theme.LIGHTING: ("Dålig belysning vid busshållplatsen", "Mörk gångväg"),
    Theme.YOUTH: ("Unga saknar meningsfull fritid",),
    Theme.BURGLARY: ("Inbrott i förråd och garage",),
    Theme.PUBLIC_ORDER: ("Nedskräpning och oljud vid torget",),
}
ACTION_ITEMS = ("Byta trasig belysning", "Beskära buskage", "Laga staket", "Sätta upp skylt")


@dataclass
class Place:
    """A synthetic municipality's rows that its pledges refer to."""

    municipality: Municipality
    index: int
    budget: float  # done activities over all years
    police: int = 0
    kommun: int = 0
    external: int = 0
    schools: list[int] = field(default_factory=list)
    centre: list[int] = field(default_factory=list)
    villages: list[int] = field(default_factory=list)
    site_names: dict[int, str] = field(default_factory=dict)

    @property
    def per_year(self):
        return self.budget / 10

    def target_sites(self, which):
        if which == "schools":
            return self.schools[:15]
        if which == "grade8":
            return self.schools[::2]
        if which == "centre":
            return self.centre
        return []


@dataclass
class PledgePlan:
    place: Place
    pledge: Pledge
    templates: list[Template]
    winter: bool
    budget: float = 0.0
    commitments: dict[str, Commitment] = field(default_factory=dict)


@dataclass
class CommitmentPlan:
    plan: PledgePlan
    template: Template
    commitment: Commitment
    done: int
    sites: list[int]
    mean_value: int


def is_loaded():
    """True when synthetic pledges are in the database."""
    return Pledge.objects.filter(is_demo=True, title__startswith=PLEDGE_PREFIX).exists()


def _rate(year):
    """Activity per day grows by about 8 % a year."""
    return 1 + 0.08 * (year - FIRST_YEAR)


def _weighted_days(start, stop):
    """Days of [start, stop], each weighted by its year's rate."""
    total = 0.0
    for year in range(start.year, stop.year + 1):
        lo, hi = max(start, date(year, 1, 1)), min(stop, date(year, 12, 31))
        if lo <= hi:
            total += ((hi - lo).days + 1) * _rate(year)
    return total


def _school_days(first_year, last_year):
    days = []
    for year in range(first_year, last_year + 1):
        for start, end in school_terms(year):
            days.extend(start + timedelta(days=i) for i in range((end - start).days + 1))
    return days


class Generator:
    def __init__(self, *, scale, seed, today, municipalities=None, log=None):
        self.scale = scale
        self.rng = random.Random(seed)
        self.today = today
        self.limit = municipalities
        self.log = log or (lambda message: None)
        self.created = Counter()
        self.skipped = []
        self.school_days = _school_days(FIRST_YEAR - 1, today.year + 3)

    # Writing

    def bulk(self, model, objects):
        """Insert ``objects`` in batches; returns them with their primary keys."""
        if objects:
            model.objects.bulk_create(objects, batch_size=BATCH)
            self.created[model._meta.label] += len(objects)
            # With DEBUG on, Django keeps the text of the last 9,000 queries; a bulk
            # insert's runs to megabytes.
            reset_queries()
        return objects

    def link(self, descriptor, pairs):
        """Insert many-to-many rows (source pk, target pk) through the through model."""
        relation = descriptor.field
        through = relation.remote_field.through
        source, target = relation.m2m_field_name(), relation.m2m_reverse_field_name()
        self.bulk(through, [through(**{f"{source}_id": a, f"{target}_id": b}) for a, b in pairs])

    # The whole run

    @transaction.atomic
    def run(self):
        places = self.places()
        self.log(f"{len(places)} municipalities ({len(self.skipped)} with pledges of their own)")
        self.structure(places)
        plans = self.pledges(places)
        commitment_plans = self.commitments(plans)
        self.log(f"{len(plans)} pledges, {len(commitment_plans)} commitments")
        self.activities(commitment_plans)
        self.texts(commitment_plans)
        self.dialogues(places, plans)
        return self.created

    def places(self):
        """The municipalities to fill, largest first, with their share of the activities."""
        if Municipality.objects.count() < 290:
            load_reference_data()
        self.units = unit_codes()
        municipalities = list(Municipality.objects.select_related("county").order_by("code"))
        own = set(Pledge.objects.values_list("municipality_id", flat=True))
        self.skipped = [m for m in municipalities if m.pk in own]
        large = [m for code in LARGE for m in municipalities if m.code == code]
        rest = [m for m in municipalities if m.code not in LARGE]
        self.rng.shuffle(rest)
        ordered = [m for m in large + rest if m.pk not in own]
        if self.limit is not None:
            ordered = ordered[: self.limit]
        weights = [(rank + 1) ** -SKEW for rank in range(len(ordered))]
        total = ACTIVITIES_AT_SCALE_1 * self.scale
        return [
            Place(m, i, total * w / sum(weights))
            for i, (m, w) in enumerate(zip(ordered, weights, strict=True))
        ]

    # Police areas, organisations, sites, agreements, indicators

    def structure(self, places):
        regions = {r.pk: r for r in PoliceRegion.objects.all()}
        areas = []
        for place in places:
            region = regions.get(place.municipality.county.police_region_id)
            if region is None:
                region, _created = PoliceRegion.objects.get_or_create(name="Syntetisk polisregion")
            areas.append(PoliceArea(name=f"{AREA_PREFIX} {place.municipality.name}", region=region))
        self.bulk(PoliceArea, areas)

        organisations = []
        for place, area in zip(places, areas, strict=True):
            name = place.municipality.name
            organisations += [
                Organisation(
                    name=f"Polisen, syntetiskt lokalpolisområde {name}",
                    kind=Organisation.Kind.POLICE,
                    police_area=area,
                ),
                Organisation(
                    name=f"{name} kommun (syntetisk)",
                    kind=Organisation.Kind.MUNICIPALITY,
                    municipality=place.municipality,
                ),
                Organisation(
                    name=f"Syntetisk förening i {name}",
                    kind=Organisation.Kind.EXTERNAL,
                    municipality=place.municipality,
                ),
            ]
        self.bulk(Organisation, organisations)
        for i, place in enumerate(places):
            police, kommun, external = organisations[3 * i : 3 * i + 3]
            place.police, place.kommun, place.external = police.pk, kommun.pk, external.pk

        sites = []
        for place in places:
            schools = max(2, min(40, 2 + int(math.sqrt(place.per_year / 15))))
            villages = self.rng.randint(1, 5)
            names = (
                [(f"Syntetisk skola {n}", Site.Kind.SCHOOL) for n in range(1, schools + 1)]
                + [
                    ("Syntetiskt centrum", Site.Kind.TOWN_CENTRE),
                    ("Syntetisk station", Site.Kind.STATION),
                    ("Syntetiskt torg", Site.Kind.SQUARE),
                ]
                + [(f"Syntetisk by {n}", Site.Kind.VILLAGE) for n in range(1, villages + 1)]
            )
            sites += [
                Site(
                    municipality=place.municipality,
                    name=name,
                    name_key=site_name_key(name),
                    kind=kind,
                    is_demo=True,
                )
                for name, kind in names
            ]
        self.bulk(Site, sites)
        by_municipality = defaultdict(list)
        for site in sites:
            by_municipality[site.municipality_id].append(site)
        for place in places:
            for site in by_municipality[place.municipality.pk]:
                place.site_names[site.pk] = site.name
                if site.kind == Site.Kind.SCHOOL:
                    place.schools.append(site.pk)
                elif site.kind == Site.Kind.VILLAGE:
                    place.villages.append(site.pk)
                else:
                    place.centre.append(site.pk)

        agreements, indicators = [], []
        for place, area in zip(places, areas, strict=True):
            name = place.municipality.name
            for start in (2016, 2020, 2024):
                agreements.append(
                    Agreement(
                        municipality=place.municipality,
                        police_area=area,
                        title=f"Syntetisk samverkansöverenskommelse {start}–{start + 3}, {name}",
                        valid_from=date(start, 1, 1),
                        valid_to=date(start + 3, 12, 31),
                        signed_on=date(start - 1, 12, self.rng.randint(1, 20)),
                        signatories="Syntetisk kommunstyrelseordförande och syntetisk "
                        "lokalpolisområdeschef",
                        focus_areas="\n".join(title for title, _theme, _keys in FOCUS_AREAS[:3]),
                        is_demo=True,
                    )
                )
            indicators += [
                Indicator(
                    municipality=place.municipality,
                    name="Syntetiskt trygghetsindex",
                    unit="index 0–6, lägre är tryggare",
                    scale_min=Decimal(0),
                    scale_max=Decimal(6),
                    source="Syntetiska värden",
                    higher_is_better=False,
                ),
                Indicator(
                    municipality=place.municipality,
                    name="Syntetisk andel med förtroende för polisen",
                    unit="procent",
                    scale_min=Decimal(0),
                    scale_max=Decimal(100),
                    source="Syntetiska värden",
                ),
            ]
        self.bulk(Agreement, agreements)
        self.bulk(Indicator, indicators)
        values = []
        for indicator in indicators:
            level = 2.2 if indicator.scale_max == 6 else 55.0
            step = 0.08 if indicator.scale_max == 6 else 1.5
            for year in range(FIRST_YEAR - 1, self.today.year):
                level = min(float(indicator.scale_max), max(0.0, level + self.rng.gauss(0, step)))
                values.append(
                    IndicatorValue(
                        indicator=indicator, year=year, value=Decimal(f"{level:.2f}"), is_demo=True
                    )
                )
        self.bulk(IndicatorValue, values)

    # Pledges and commitments

    def has_winters(self, place):
        return place.municipality.county.code in NORTH or place.index == WINTER_INDEX

    def spans(self, place, last_year):
        """The validities of the yearly pledges: spans of one to three years from 2017
        through ``last_year``, a few with the last one valid until further notice."""
        spans, start = [], FIRST_YEAR
        while start <= last_year:
            length = self.rng.choice((1, 1, 1, 2, 2, 3))
            spans.append([date(start, 1, 1), date(start + length - 1, 12, 31)])
            start += length
        if all(s.year == e.year for s, e in spans) and len(spans) > 1:
            # Every municipality has a multi-year pledge with a target per year.
            spans[-2:] = [[spans[-2][0], spans[-1][1]]]
        if last_year < self.today.year:
            spans[-1][1] = min(spans[-1][1], date(last_year, 12, 31))
        elif place.index % 10 == 2:
            spans[-1][1] = None
        return spans

    def template_sets(self, place, count):
        """The templates of each pledge in the chain: all for the largest, otherwise a
        few that change from one revision to the next."""
        if place.index < len(LARGE):
            return [list(TEMPLATES)] * count
        others = [t for t in TEMPLATES if t.key != ALWAYS]
        size = max(3, min(len(TEMPLATES), 3 + round(math.log2(max(place.per_year, 1) / 40))))
        chosen = {t.key for t in self.rng.sample(others, size - 1)} | {ALWAYS}
        sets = []
        for _ in range(count):
            sets.append([t for t in TEMPLATES if t.key in chosen])
            if self.rng.random() < 0.3 and len(chosen) > 3:
                chosen.discard(self.rng.choice(sorted(chosen - {ALWAYS})))
            if self.rng.random() < 0.3 and len(chosen) < len(TEMPLATES):
                chosen.add(self.rng.choice(sorted({t.key for t in others} - chosen)))
        return sets

    def pledges(self, places):
        """Every chain's pledges, created generation by generation so that each revision
        refers to the pledge it revises."""
        chains = []
        for place in places:
            # A municipality with winter pledges turns to them four winters ago, the first
            # one superseding its yearly pledge early: only one pledge is published at a time.
            winters = [
                year
                for year in range(self.today.year - WINTERS, self.today.year + 1)
                if self.has_winters(place) and date(year, 11, 1) <= self.today
            ]
            spans = self.spans(place, winters[0] if winters else self.today.year)
            sets = self.template_sets(place, len(spans))
            chains.append(
                [
                    (place, start, end, templates, False)
                    for (start, end), templates in zip(spans, sets, strict=True)
                ]
                + [
                    (place, date(year, 11, 1), date(year + 1, 3, 31), WINTER_TEMPLATES, True)
                    for year in winters
                ]
            )
        plans = []
        previous = {}
        for generation in range(max(len(chain) for chain in chains)):
            batch = []
            for number, chain in enumerate(chains):
                if generation >= len(chain):
                    continue
                place, start, end, templates, winter = chain[generation]
                last = generation == len(chain) - 1
                pledge = Pledge(
                    municipality=place.municipality,
                    title=self.pledge_title(place, start, end, winter),
                    valid_from=start,
                    valid_to=end,
                    background="Syntetiska data för belastningstester: inget verkligt "
                    "medborgarlöfte.",
                    expected_effects="Ökad trygghet i centrum.\nFärre trafikolyckor.\n"
                    "Ökat förtroende för polisen.",
                    signatories="Syntetisk kommunstyrelseordförande och syntetisk "
                    "lokalpolisområdeschef",
                    signed_on=start - timedelta(days=self.rng.randint(10, 40)),
                    follow_up_cadence=self.rng.choice(
                        [Pledge.Cadence.TERTIAL] * 3
                        + [Pledge.Cadence.HALF_YEAR] * 2
                        + [Pledge.Cadence.YEAR]
                    ),
                    revises=previous.get(number),
                    status=Pledge.State.PUBLISHED if last else Pledge.State.SUPERSEDED,
                    is_demo=True,
                )
                batch.append((number, PledgePlan(place, pledge, templates, winter)))
            self.bulk(Pledge, [plan.pledge for _number, plan in batch])
            for number, plan in batch:
                previous[number] = plan.pledge
                plans.append(plan)
        self.budgets(places, plans)
        return plans

    def pledge_title(self, place, start, end, winter):
        name = place.municipality.name
        if winter:
            return f"{PLEDGE_PREFIX} vintern {start.year}/{end.year}, {name}"
        if end is None:
            return f"{PLEDGE_PREFIX} {start.year}–, {name}"
        if end.year == start.year:
            return f"{PLEDGE_PREFIX} {start.year}, {name}"
        return f"{PLEDGE_PREFIX} {start.year}–{end.year}, {name}"

    def window(self, pledge):
        """The days activities can be done on: from the start to today or the end."""
        return pledge.valid_from, min(pledge.end(self.today), self.today)

    def budgets(self, places, plans):
        """Each pledge's share of its municipality's activities, by its days so far."""
        weights = {}
        for plan in plans:
            start, stop = self.window(plan.pledge)
            weights[id(plan)] = _weighted_days(start, stop) if start <= stop else 0.0
        totals = defaultdict(float)
        for plan in plans:
            totals[plan.place.index] += weights[id(plan)]
        for plan in plans:
            total = totals[plan.place.index]
            plan.budget = plan.place.budget * weights[id(plan)] / total if total else 0.0

    def round(self, value):
        """``value`` rounded up or down at random, so that sums keep their expectation."""
        whole = math.floor(value)
        return whole + (self.rng.random() < value - whole)

    def periods_so_far(self, template, pledge):
        """How many target periods have passed by today (fractions count)."""
        start, stop = self.window(pledge)
        days = (stop - start).days + 1
        if template.target_period == TargetPeriod.VALIDITY:
            return days / ((pledge.end(self.today) - pledge.valid_from).days + 1)
        if template.school_year_only:
            lo = bisect.bisect_left(self.school_days, start)
            hi = bisect.bisect_right(self.school_days, stop)
            school = hi - lo
            return school / (140 if template.target_period == TargetPeriod.TERM else 280)
        length = {
            TargetPeriod.YEAR: 365.25,
            TargetPeriod.TERM: 182.6,
            TargetPeriod.MONTH: 30.44,
            TargetPeriod.WEEK: 7.0,
        }[template.target_period]
        return days / length

    def commitments(self, plans):
        tags = {}
        for template in TEMPLATES + WINTER_TEMPLATES:
            for tag in template.tags:
                tags[tag] = FocusTag.objects.get_or_create(name=tag)[0].pk
        by_pledge = {plan.pledge.pk: plan for plan in plans}
        result = []
        dropped = []
        # Generation by generation (plans are in that order), so that ``previous`` exists.
        batch = []
        done_pledges = set()

        def flush():
            self.bulk(Commitment, [c.commitment for c in batch])
            done_pledges.update(c.plan.pledge.pk for c in batch)
            result.extend(batch)
            batch.clear()

        for plan in plans:
            earlier = by_pledge.get(plan.pledge.revises_id)
            if earlier is not None and earlier.pledge.pk not in done_pledges:
                flush()
            weights = sum(t.weight for t in plan.templates)
            for position, template in enumerate(plan.templates, 1):
                batch.append(self.commitment(plan, template, position, weights, earlier))
            if earlier is not None:
                keys = {t.key for t in plan.templates}
                dropped += [
                    DroppedCommitment(
                        pledge=plan.pledge,
                        commitment=old,
                        reason="Syntetiskt skäl: löftet ersätts av andra insatser efter den "
                        "nya lägesbilden.",
                    )
                    for key, old in earlier.commitments.items()
                    if key not in keys
                ]
        flush()
        self.bulk(DroppedCommitment, dropped)

        self.link(
            Commitment.focus_tags,
            [(c.commitment.pk, tags[tag]) for c in result for tag in c.template.tags],
        )
        self.link(
            Commitment.target_sites, [(c.commitment.pk, site) for c in result for site in c.sites]
        )
        self.link(
            Commitment.external_parties,
            [
                (c.commitment.pk, c.plan.place.external)
                for c in result
                if c.template.key in ("info_qualitative", "coverage_grade8")
            ],
        )
        self.amendments(result)
        return result

    def commitment(self, plan, template, position, weights, earlier):
        place, pledge = plan.place, plan.pledge
        done = self.round(plan.budget * template.weight / weights) if weights else 0
        sites = place.target_sites(template.sites)
        pace = self.rng.uniform(0.6, 1.3)  # above 1: the target is met
        periods = max(self.periods_so_far(template, pledge), 0.05)
        mean_value = 0
        if template.target_kind == TargetKind.QUALITATIVE:
            target = None
        elif template.target_kind == TargetKind.COVERAGE:
            target = 1
        elif template.target_kind == TargetKind.PER_SITE:
            target = max(1, min(12, round(done / periods / len(sites) / pace)))
        elif template.target_kind == TargetKind.QUANTITY:
            mean_value = self.rng.randint(15, 60)
            raw = done * mean_value / periods / pace
            digits = max(0, int(math.log10(max(raw, 1))) - 1)
            target = max(10, round(raw, -digits))
        else:
            target = max(1, round(done / periods / pace))
        previous = earlier.commitments.get(template.key) if earlier else None
        change, note = Commitment.Change.NEW, ""
        if previous is not None:
            change = Commitment.Change.CONTINUED
            old = previous.target_value
            if old is not None and target is not None and abs(target - old) > 0.2 * old:
                change = Commitment.Change.REVISED
                note = f"Syntetisk ändring: målet ändrades från {old} till {target}."
        assessed = ""
        if target is None:
            if pledge.end(self.today) < self.today:
                assessed = self.rng.choice(
                    [Status.DONE, Status.DONE, Status.PARTLY_DONE, Status.NOT_DONE, ""]
                )
            else:
                assessed = self.rng.choice([Status.ON_TRACK, Status.BEHIND, ""])
        commitment = Commitment(
            pledge=pledge,
            position=position,
            text=template.text.format(target=target),
            responsible=template.responsible,
            activity_type_id=template.activity_type,
            audience=template.audience,
            target_kind=template.target_kind,
            target_value=target,
            target_period=template.target_period,
            unit_id=self.units.get(template.unit),
            quantity_id=template.quantity or None,
            school_year_only=template.school_year_only,
            previous=previous,
            change=change,
            change_note=note,
            assessed_status=assessed,
        )
        plan.commitments[template.key] = commitment
        return CommitmentPlan(plan, template, commitment, done, sites, mean_value)

    def amendments(self, plans):
        """A few targets of current pledges changed during the pledge."""
        amendments = []
        for c in plans:
            pledge, commitment = c.plan.pledge, c.commitment
            if (
                commitment.target_value is None
                or commitment.target_kind == TargetKind.COVERAGE
                or not pledge.is_current(self.today)
                or self.rng.random() > 0.03
            ):
                continue
            start = max(pledge.valid_from, self.today - timedelta(days=200))
            amendments.append(
                Amendment(
                    commitment=commitment,
                    effective_from=start
                    + timedelta(days=self.rng.randint(0, (self.today - start).days)),
                    old_value=commitment.target_value,
                    new_value=commitment.target_value + self.rng.randint(1, 3),
                    reason="Syntetiskt skäl: fler insatser behövs efter sommaren.",
                )
            )
        self.bulk(Amendment, amendments)

    # Activities

    def activities(self, plans):
        """Done activities dated up to today, a few cancelled ones in the past and a few
        planned ones ahead; written in batches with their organisations and measurements."""
        pending = []
        total = sum(c.done for c in plans)
        written = 0
        for c in plans:
            for activity in self.activities_of(c):
                pending.append(activity)
                if len(pending) >= 5 * BATCH:
                    written += self.write_activities(pending)
                    pending = []
                    if written % 100_000 < 5 * BATCH:
                        self.log(f"activities: {written:,} of about {total:,}")
        self.write_activities(pending)

    def write_activities(self, pending):
        self.bulk(Activity, [activity for activity, _orgs, _values in pending])
        self.link(
            Activity.organisations,
            [(activity.pk, org) for activity, orgs, _values in pending for org in orgs],
        )
        self.bulk(
            Measurement,
            [
                Measurement(activity_id=activity.pk, quantity_id=quantity, value=value)
                for activity, _orgs, values in pending
                for quantity, value in values.items()
            ],
        )
        return len(pending)

    def day(self, template, start, stop):
        if template.school_days:
            lo = bisect.bisect_left(self.school_days, start)
            hi = bisect.bisect_right(self.school_days, stop)
            if hi > lo:
                return self.school_days[self.rng.randrange(lo, hi)]
        return start + timedelta(days=self.rng.randrange((stop - start).days + 1))

    def site(self, c):
        place = c.plan.place
        if c.sites:
            # Per-site and place-bound targets take activities at their places only.
            return self.rng.choice(c.sites)
        if self.rng.random() < 0.5:
            return None
        return self.rng.choice(place.centre + place.villages)

    def activities_of(self, c):
        template, pledge, place = c.template, c.plan.pledge, c.plan.place
        start, stop = self.window(pledge)
        if stop < start:
            return
        parties = {
            R.POLICE: [place.police],
            R.MUNICIPALITY: [place.kommun],
            R.JOINT: [place.police, place.kommun],
        }[template.responsible]
        logged_for = place.kommun if template.responsible == R.MUNICIPALITY else place.police
        external = template.key in ("info_qualitative", "coverage_grade8")
        cancelled = self.round(c.done * 0.01)
        planned = 0
        end = pledge.valid_to or date(self.today.year + 1, 12, 31)
        if pledge.is_current(self.today) and end > self.today:
            planned = self.rng.choice((0, 1, 1, 2, 3)) + self.round(c.done / 2000)
        statuses = (
            [Activity.Status.DONE] * c.done
            + [Activity.Status.CANCELLED] * cancelled
            + [Activity.Status.PLANNED] * planned
        )
        for status in statuses:
            if status == Activity.Status.PLANNED:
                horizon = min(90, (end - self.today).days)
                day = self.today + timedelta(days=self.rng.randint(1, horizon))
            else:
                day = self.day(template, start, stop)
            end_date = None
            if self.rng.random() < 0.04 and day < stop:
                end_date = day + timedelta(days=1)
            values = {}
            if status == Activity.Status.DONE:
                if template.quantity:
                    values[template.quantity] = self.rng.randint(
                        c.mean_value // 2, c.mean_value * 3 // 2
                    )
                elif template.measured and self.rng.random() < 0.3:
                    checked = self.rng.randint(10, 120)
                    values = dict.fromkeys(template.measured, checked)
            summary = self.rng.choice(template.summaries)
            if status == Activity.Status.CANCELLED:
                summary = "Inställd: " + summary[0].lower() + summary[1:]
            activity = Activity(
                commitment_id=c.commitment.pk,
                status=status,
                date=day,
                end_date=end_date,
                site_id=self.site(c),
                people_reached=self.rng.randint(8, 120) if template.people else None,
                public_summary=summary,
                internal_notes="Syntetisk intern anteckning." if self.rng.random() < 0.1 else "",
                logged_for_id=logged_for,
            )
            orgs = parties + ([place.external] if external and self.rng.random() < 0.3 else [])
            yield activity, orgs, values

    # Follow-ups and verdicts

    def texts(self, plans):
        follow_ups, verdicts = [], []
        for c in plans:
            pledge = c.plan.pledge
            end = pledge.end(self.today)
            for period in reporting_periods(pledge.valid_from, end, pledge.follow_up_cadence):
                if period.start > self.today:
                    break
                closed = period.end < self.today
                chance = self.rng.random()
                if chance < (0.7 if closed else 0.2):
                    follow_ups.append(
                        FollowUp(
                            commitment=c.commitment,
                            period_start=period.start,
                            period_end=period.end,
                            narrative="Syntetisk uppföljning: insatserna har genomförts i "
                            "huvudsak enligt planen; ett par fick flyttas på grund av "
                            "bemanningen.",
                            is_published=chance < (0.65 if closed else 0.15),
                        )
                    )
            if c.commitment.target_value is None:
                continue
            chance = {
                TargetPeriod.WEEK: 0.015,
                TargetPeriod.MONTH: 0.06,
            }.get(c.template.target_period, 0.35)
            for period in target_periods(
                pledge.valid_from,
                end,
                c.template.target_period,
                school_year=c.template.school_year_only,
            ):
                if period.end >= self.today:
                    break
                if self.rng.random() < chance:
                    verdicts.append(
                        PeriodVerdict(
                            commitment=c.commitment,
                            period_start=period.start,
                            period_end=period.end,
                            justification="Syntetisk motivering: en insats ställdes in när "
                            "patrullen behövdes vid en olycka.",
                            is_published=self.rng.random() < 0.9,
                        )
                    )
            if len(follow_ups) + len(verdicts) > 5 * BATCH:
                self.bulk(FollowUp, follow_ups)
                self.bulk(PeriodVerdict, verdicts)
                follow_ups, verdicts = [], []
        self.bulk(FollowUp, follow_ups)
        self.bulk(PeriodVerdict, verdicts)

    # Dialogues, concerns, situational pictures

    def dialogues(self, places, plans):
        dialogues = []  # (place, dialogue)
        for place in places:
            for year in range(FIRST_YEAR - 1, self.today.year + 1):
                last = min(date(year, 12, 31), self.today)
                for _ in range(min(15, self.round(0.8 + place.per_year / 1500))):
                    dialogues.append((place, self.dialogue(place, date(year, 1, 1), last)))
        self.bulk(Dialogue, [d for _place, d in dialogues])

        concerns, items = [], []
        concerns_of = defaultdict(list)
        for place, dialogue in dialogues:
            themes = self.rng.sample(sorted(CONCERNS), self.rng.randint(2, 5))
            for rank, theme in enumerate(themes, 1):
                site = self.rng.choice(place.centre + place.villages + place.schools)
                concern = Concern(
                    dialogue=dialogue,
                    theme=theme,
                    summary=self.rng.choice(CONCERNS[theme]),
                    place=place.site_names[site] if self.rng.random() < 0.5 else "",
                    site_id=site if self.rng.random() < 0.3 else None,
                    times_raised=self.rng.randint(1, 40),
                    rank=rank,
                )
                concerns.append(concern)
                concerns_of[dialogue.starts_on.year, place.index].append(concern)
            if dialogue.format == Dialogue.Format.SAFETY_WALK:
                for description in self.rng.sample(ACTION_ITEMS, self.rng.randint(1, 3)):
                    status = self.rng.choice(list(ActionItem.Status))
                    items.append(
                        ActionItem(
                            dialogue=dialogue,
                            description=description,
                            place=self.rng.choice(list(place.site_names.values())),
                            owner_id=self.rng.choice((place.kommun, place.police)),
                            deadline=dialogue.starts_on + timedelta(days=self.rng.randint(30, 120)),
                            status=status,
                            rejection_reason="Syntetiskt skäl: platsen ägs av en privat "
                            "fastighetsägare."
                            if status == ActionItem.Status.REJECTED
                            else "",
                        )
                    )
        self.bulk(Concern, concerns)
        self.bulk(ActionItem, items)

        dialogues_of = defaultdict(list)
        for place, dialogue in dialogues:
            dialogues_of[dialogue.starts_on.year, place.index].append(dialogue.pk)
        pictures, areas = [], []
        for plan in plans:
            if plan.winter:
                continue
            year = plan.pledge.valid_from.year - 1
            picture = SituationalPicture(
                municipality=plan.place.municipality,
                title=f"Syntetisk lägesbild {year}, {plan.place.municipality.name}",
                period_start=date(year, 1, 1),
                period_end=date(year, 12, 31),
                summary="Syntetisk lägesbild: trafiken, droger bland unga och otrygghet i "
                "centrum kvällstid är de problem som dialogerna och polisens underrättelser "
                "pekar ut.",
                uses_police_intelligence=True,
                uses_statistics=self.rng.random() < 0.7,
                uses_surveys=self.rng.random() < 0.5,
                is_published=True,
            )
            pictures.append((plan, picture))
        self.bulk(SituationalPicture, [p for _plan, p in pictures])
        self.link(
            SituationalPicture.dialogues,
            [
                (picture.pk, dialogue)
                for plan, picture in pictures
                for dialogue in dialogues_of[picture.period_start.year, plan.place.index]
            ],
        )
        for plan, picture in pictures:
            for position, (title, theme, keys) in enumerate(FOCUS_AREAS, 1):
                area = FocusArea(
                    picture=picture,
                    position=position,
                    title=f"Syntetiskt fokusområde: {title}",
                    problem="Syntetisk problembeskrivning.",
                    cause_analysis="Syntetisk orsaksanalys.",
                    places="Syntetiskt centrum",
                )
                areas.append((plan, picture, theme, keys, area))
        self.bulk(FocusArea, [a for *_rest, a in areas])
        self.link(
            FocusArea.commitments,
            [
                (area.pk, plan.commitments[key].pk)
                for plan, _picture, _theme, keys, area in areas
                for key in keys
                if key in plan.commitments
            ],
        )
        self.link(
            FocusArea.concerns,
            [
                (area.pk, concern.pk)
                for plan, picture, theme, _keys, area in areas
                for concern in concerns_of[picture.period_start.year, plan.place.index]
                if concern.theme == theme
            ],
        )

    def dialogue(self, place, first, last):
        form = self.rng.choice(list(DIALOGUE_FORMATS))
        starts_on = first + timedelta(days=self.rng.randrange((last - first).days + 1))
        survey = form in Dialogue.SURVEYS
        ends_on = None
        if survey:
            ends_on = min(starts_on + timedelta(days=self.rng.randint(14, 30)), self.today)
        area = self.rng.choice(list(place.site_names.values()))
        return Dialogue(
            municipality=place.municipality,
            title=f"Syntetisk {DIALOGUE_FORMATS[form]} {starts_on.year}, {area}",
            format=form,
            starts_on=starts_on,
            ends_on=ends_on,
            area=area,
            target_group=self.rng.choice(("Boende", "Unga", "Pensionärer", "Företagare")),
            participants=self.rng.randint(100, 2000) if survey else self.rng.randint(3, 60),
            public_summary="Syntetisk dialog: deltagarna tog upp trafiken, belysningen och "
            "polisens närvaro.",
            internal_notes="Syntetisk intern anteckning." if self.rng.random() < 0.2 else "",
            is_published=self.rng.random() < 0.9,
            is_demo=True,
        )


def seed_scale(*, scale=1.0, seed=1, municipalities=None, today=None, log=None):
    """Create the synthetic data (see the module's docstring) in one transaction. Returns
    a Counter of the rows created per model label."""
    generator = Generator(
        scale=scale,
        seed=seed,
        today=today or timezone.localdate(),
        municipalities=municipalities,
        log=log,
    )
    return generator.run()


def _synthetic_querysets():
    """What ``seed_scale`` creates, children first."""
    pledges = Pledge.objects.filter(is_demo=True, title__startswith=PLEDGE_PREFIX)
    commitments = Commitment.objects.filter(pledge__in=pledges)
    activities = Activity.objects.filter(commitment__in=commitments)
    dialogues = Dialogue.objects.filter(is_demo=True, title__startswith=SYNTHETIC)
    pictures = SituationalPicture.objects.filter(title__startswith=SYNTHETIC)
    areas = FocusArea.objects.filter(picture__in=pictures)
    indicators = Indicator.objects.filter(name__startswith=SYNTHETIC)

    def through(descriptor, **lookup):
        return descriptor.field.remote_field.through.objects.filter(**lookup)

    return [
        Measurement.objects.filter(activity__in=activities),
        through(Activity.organisations, activity__in=activities),
        activities,
        FollowUp.objects.filter(commitment__in=commitments),
        PeriodVerdict.objects.filter(commitment__in=commitments),
        Amendment.objects.filter(commitment__in=commitments),
        DroppedCommitment.objects.filter(pledge__in=pledges),
        through(FocusArea.commitments, focusarea__in=areas),
        through(FocusArea.concerns, focusarea__in=areas),
        through(Commitment.focus_tags, commitment__in=commitments),
        through(Commitment.target_sites, commitment__in=commitments),
        through(Commitment.external_parties, commitment__in=commitments),
        ProgressCount.objects.filter(commitment__in=commitments),
        commitments,
        pledges,
        areas,
        through(SituationalPicture.dialogues, situationalpicture__in=pictures),
        pictures,
        ActionItem.objects.filter(dialogue__in=dialogues),
        Concern.objects.filter(dialogue__in=dialogues),
        dialogues,
        IndicatorValue.objects.filter(indicator__in=indicators),
        indicators,
        Agreement.objects.filter(is_demo=True, title__startswith=SYNTHETIC),
        Site.objects.filter(is_demo=True, name__startswith=SYNTHETIC),
        Organisation.objects.filter(name__icontains="syntetisk"),
        PoliceArea.objects.filter(name__startswith=AREA_PREFIX),
    ]


@transaction.atomic
def delete_synthetic():
    """Delete everything ``seed_scale`` created. Returns the number of rows deleted.

    The rows go with one DELETE per table (Django's private ``_raw_delete``):
    ``QuerySet.delete()`` would load each of a million rows to send its signals and write
    a history record of its deletion. The foreign keys are checked when the transaction
    commits; children go first, while the rows that select them are still there.
    """
    deleted = 0
    for queryset in _synthetic_querysets():
        deleted += queryset._raw_delete(queryset.db)
    return deleted
