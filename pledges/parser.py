"""Propose commitments from a pasted pledge text (issue 13, point 2).

An admin pastes the published text of a medborgarlöfte; :func:`split` cuts it into the
promises it makes and :func:`parse` proposes, for each promise, the fields of a
``Commitment``. Nothing here touches the database: codes are returned as plain strings
(activity type and quantity codes of ``pledges.reference``, the values of
``Commitment.Responsible``, ``TargetKind`` and ``TargetPeriod``) and the caller maps
them to rows. Every recognised field carries the span(s) ``(start, end)`` of the
phrase it was read from in ``Proposal.text``, so the review page can highlight it.

The rules never guess: a field whose phrase is not recognised stays empty (``None``,
an empty tuple, or ``False`` for the two flags) and the admin fills it in.

Rules, each with an example
===========================

Splitting (:func:`split`)
-------------------------
S1. Line-wrapped PDF text is joined: a word hyphenated at a line end is glued together
    ("trafik-⏎kontroller" -> "trafikkontroller"), except before "och", "eller", "samt"
    ("tobak-⏎och alkohol" stays "tobak- och alkohol").
S2. Page furniture is dropped: lines that are only a page number ("3", "- 3 -",
    "Sida 3 av 5") and short lines repeated three times or more (running headers).
S3. A bullet ("•", "-", "–", "*", "▪", "·") or a numbered item ("1.", "2)", "a)") starts
    an item; following non-blank lines that start no new item continue it.
S4. A paragraph or item directly followed by bullets is their lead-in, not a promise
    ("Polisen lovar att:", "2. Polisen och kommunen skall tillsammans", "Detta gör vi
    genom att:"); a lead-in that names no party borrows the last paragraph that did.
    Bullets under "Medborgarlöften ska:" (the method's aims) are not promises.
S5. Any other paragraph is cut into sentences; a sentence that opens with a party and a
    promising verb ("Polisen lovar att ...", "Kommunen ska ...", "Vi lovar ..."), or
    with a condition ("Om det uppkommer önskemål ...", "Önskar ... så lovar vi"), starts
    a promise; the sentences after it belong to it ("Fokus ska ligga på ..."). Text
    before the first such sentence (background, headings) is left out, and so is a
    promise that ends with a colon ("... lovar att gemensamt arbeta ... genom följande
    aktiviteter:"), which introduces rather than promises.
S6. Each promise's text is verbatim with its whitespace normalised and the bullet mark
    removed.

Fields (:func:`parse`)
----------------------
P1. Parties: the subject before the verb ("lovar", "ska", "skall", "kommer", ...) at the
    start of the promise: "Polisen lovar" -> police, "Kommunen ska" / "Kommunens
    grundskolor jobbar" -> municipality, "Polisen och kommunen lovar" / "Lycksele kommun
    och Polisen ska" / "Polis och kommun ska" -> joint. "... så lovar kommun och polis"
    anywhere counts too. Otherwise the lead-in's parties ("Polisen lovar att:" above the
    bullets, "polisens medborgarlöften" -> police). With neither, "gemensam(t/ma)"
    ("minst ett gemensamt föräldramöte") -> joint. "Vi lovar" alone is left empty.
P2. External parties: the names after "i samverkan med", "i samarbete med",
    "tillsammans med" ("i samverkan med NTF och räddningstjänsten" -> NTF,
    räddningstjänsten), cut at ",", "och", "samt", up to the next verb or "(". The
    pledge's own parties, generic words ("kommunen", "externa aktörer") and phrases with a
    preposition or of more than five words are not names and are dropped.
P3. Activity type: keywords, the earliest in the promise wins: trafikinsats,
    trafikkontroll, trafikövervakning -> traffic_operation; skolbesök, "besöka
    skolorna" -> school_visit; trygghetsvandring -> safety_walk; tillsyn (tobakstillsyn,
    krogtillsyn) -> joint_supervision; utbildning, informationsträff, informationsmöte,
    föreläsning, föräldramöte -> training; informationsinsats, informationskampanj,
    informationsspridning, "sprida information", informerar, kunskapshöjande, "kunskap
    kring/om" -> information. Presence words (närvaro, synlighet, synlig, fotpatrull)
    -> presence only when nothing else matched ("öka sin närvaro i byarna genom
    trafikkontroller" -> traffic_operation). In a conditional promise only the part
    after "lovar" is read. "other" is never proposed: a vague promise stays empty.
P4. Focus tags: topic words, in the order they appear: hastighet, fortkörning ->
    hastighet; rattonykterhet, rattfylleri, nykterhet -> rattonykterhet; buskörning,
    "motorburen problematik" -> buskörning; narkotika, drog(er) -> droger (but "drog- och
    rattfylleri" is rattonykterhet only); alkohol, langning -> alkohol; tobak -> tobak;
    ANDT/ANDTS -> alkohol, droger, tobak; "trafik", "i trafiken", trafiksäkerhet,
    trafikmiljö, trafikstörningar, trafikbrott -> trafik (the compounds that name an
    activity, trafikkontroll, trafikinsats, do not); bedrägeri -> bedrägerier;
    inbrott -> inbrott; stöld, tillgrepp -> stöld; grannsamverkan, skadegörelse, våld,
    konflikthantering, kontaktskapande -> themselves. Audience words ("ungdomar") and
    "trygghet", which nearly every promise names, are not tags.
P5. Target number: only in a counting context: "minst N", "N gånger", "vid N
    tillfällen", "N riktade trafikinsatser" (a number before a counted noun). N is
    digits or a Swedish number word (en/ett/två/tre/fyra/fem/sex/sju/åtta/nio/tio/
    elva/tolv/femton/tjugo ...; "en"/"ett" only after "minst" or before "gång"/
    "tillfälle"). "ett antal", "årskurs 4-6", "18 års ålder", "E45", "2016-2020" are
    not targets.
P6. Target period: "under året", "per år", "/år", "om året", "i året", "varje år",
    "årligen" -> year; "per termin", "varje termin" -> term; "per månad", "i månaden",
    "varje månad" -> month; "per vecka", "i veckan", "varje vecka" -> week; "under
    perioden", "under avtalsperioden", "under löftesperioden" -> validity. Read only
    when a number was found. "N gång(er) i månaden i snitt över året" -> 12·N per year.
    A season ("under vinterhalvåret", "under vintersäsong (januari till och med april)")
    is reported in ``season`` and sets no period.
P7. Target kind: conditional -> qualitative; "alla/samtliga klasser/skolor/elever"
    -> coverage (target 1); a number with a per-site phrase ("på respektive tätort",
    "per skola", "per år och försäljningsställe", "varje skola") or "besöka skolorna/
    byarna ... N gånger" -> per_site; a number before a measured quantity
    ("kontrollerade fordon", "utandningsprov", "drogtester", "hastighetskontroller",
    "deltagare") -> quantity, with ``quantity`` set; another number -> count; no number
    -> qualitative.
P8. Conditional: "om det uppkommer/finns önskemål/behov", "om ... önskar", "Önskar ...
    så lovar vi", "vid behov", "på begäran", "vid förfrågan" -> conditional (and so
    qualitative).
P9. School year only: "under (ordinarie) läsår(et)", "under terminerna" -> True.
P10. Place: "i/på/vid tätorten, stadskärnan, centrum, centrumområdet" -> "Tätorten",
    "Stadskärnan", ...; "i centrala Dorotea" -> "Dorotea centrum"; "i/på/vid" + a
    capitalised name ("i Borgafjäll", "i Gällivare centrum") -> that name. Not a place:
    the municipality itself (when given), "... kommun", plural groups ("i tätorterna",
    "i kommunens byar": the admin picks the sites), and roads ("Lv 315").

Not proposed: the unit (the activity type's unit applies unless the admin picks
another), the target audience, the short title and the focus areas; a daily target
("varje dygn") or one every other month ("varannan månad") keeps its number and leaves
the period empty, since the model has no such period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

# The values of Commitment.Responsible, TargetKind and TargetPeriod; tests/pledges/
# test_parser.py checks they match the models, so this module needs no app registry.
POLICE, MUNICIPALITY, JOINT = "police", "municipality", "joint"
COUNT, PER_SITE, COVERAGE, QUANTITY, QUALITATIVE = (
    "count",
    "per_site",
    "coverage",
    "quantity",
    "qualitative",
)
YEAR, TERM, MONTH, WEEK, VALIDITY = "year", "term", "month", "week", "validity"

Span = tuple[int, int]

# The labels the review page shows next to each proposed field.
FIELD_LABELS = {
    "text": _("text"),
    "parties": _("responsible"),
    "external_parties": _("external parties"),
    "activity_type": _("activity type"),
    "focus_tags": _("focus tags"),
    "target_kind": _("kind of target"),
    "target_value": _("target"),
    "target_period": _("target period"),
    "quantity": _("measured quantity"),
    "conditional": _("only on request"),
    "school_year_only": _("school terms only"),
    "place": _("place"),
    "season": _("season"),
}


@dataclass(frozen=True)
class Promise:
    """One promise cut out of a pasted text, with the lead-in it stood under."""

    text: str
    lead_in: str | None = None


@dataclass(frozen=True)
class Proposal:
    """The proposed fields of one commitment. ``spans`` maps a field name to the spans
    of ``text`` it was read from; a field read from the lead-in has no span."""

    text: str
    lead_in: str | None = None
    parties: str | None = None
    external_parties: tuple[str, ...] = ()
    activity_type: str | None = None
    focus_tags: tuple[str, ...] = ()
    target_kind: str | None = None
    target_value: int | None = None
    target_period: str | None = None
    quantity: str | None = None
    conditional: bool = False
    school_year_only: bool = False
    place: str | None = None
    season: str | None = None
    spans: dict[str, tuple[Span, ...]] = field(default_factory=dict)

    def span(self, name):
        """The first span a field was read from, or None."""
        spans = self.spans.get(name)
        return spans[0] if spans else None


NUMBER_WORDS = {
    "en": 1,
    "ett": 1,
    "två": 2,
    "tre": 3,
    "fyra": 4,
    "fem": 5,
    "sex": 6,
    "sju": 7,
    "åtta": 8,
    "nio": 9,
    "tio": 10,
    "elva": 11,
    "tolv": 12,
    "tretton": 13,
    "fjorton": 14,
    "femton": 15,
    "sexton": 16,
    "sjutton": 17,
    "arton": 18,
    "nitton": 19,
    "tjugo": 20,
    "trettio": 30,
    "fyrtio": 40,
    "femtio": 50,
    "hundra": 100,
}

_FLAGS = re.IGNORECASE
_WORD_ALT = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_NUM = rf"(?P<n>\d{{1,4}}|(?:{_WORD_ALT}))"

# Counted nouns: a number directly before one of these (adjectives allowed between).
_COUNTED = (
    r"(?:\w*insats\w*|\w*kontroll\w*|\w*tillsyn\w*|\w*besök\w*|\w*vandring\w*|"
    r"\w*träff\w*|\w*möte\w*|utbildning\w*|föreläsning\w*|\w*kampanj\w*|aktivitet\w*|"
    r"\w*patrull\w*|\w*övervakning\w*)"
)
_QUANTITIES = [
    ("vehicles_checked", r"kontrollerade fordon|fordon"),
    ("breath_tests", r"\w*utandningsprov\w*"),
    ("drug_tests", r"drogtest\w*"),
    ("speed_checks", r"hastighetskontroll\w*|hastighetsmätning\w*"),
    ("participants", r"deltagare"),
]
_ADJ = r"(?:[a-zåäö]+(?:a|e)\s+){0,2}"

_NUMBER_PATTERNS = [
    re.compile(rf"\b(?:minst|åtminstone)\s+{_NUM}\b", _FLAGS),
    re.compile(rf"\b{_NUM}\s+(?:gång(?:er)?|tillfällen|tillfälle)\b", _FLAGS),
    re.compile(rf"(?<![\d\-–/])\b{_NUM}\s+{_ADJ}{_COUNTED}\b", _FLAGS),
    re.compile(
        rf"(?<![\d\-–/])\b{_NUM}\s+(?:{'|'.join(p for _c, p in _QUANTITIES)})\b",
        _FLAGS,
    ),
]
# "en"/"ett" are also articles: they count only after "minst" or before "gång".
_WEAK_WORDS = {"en", "ett"}

_PERIODS = [
    (
        YEAR,
        r"under året\b|per år\b|/\s?år\b|om året\b|i året\b|varje år\b|årligen|"
        r"en gång per år|per kalenderår",
    ),
    (TERM, r"per termin|varje termin|/\s?termin\b|i terminen"),
    (MONTH, r"per månad|i månaden|varje månad|/\s?månad\b|månatligen"),
    (WEEK, r"per vecka|i veckan|varje vecka|/\s?vecka\b"),
    (VALIDITY, r"under (?:hela )?(?:avtals|löftes)?perioden"),
]
_AVERAGE_YEAR = re.compile(r"i snitt över året", _FLAGS)
_SEASON = re.compile(
    r"under (?:vinter|sommar)(?:halvåret|säsongen?|månaderna)(?:\s*\([^)]*\))?", _FLAGS
)

_CONDITIONAL = re.compile(
    r"\bom det (?:uppkommer|finns|kommer)\s+(?:\w+\s+)?(?:önskemål|behov|förfrågan|"
    r"förfrågningar)\b|\bom (?:\w+\s+){0,4}önskar\b|^\W*önskar\b.*?\bså lovar\b|"
    r"\bvid behov\b|\bpå begäran\b|\bvid förfrågan\b",
    _FLAGS | re.DOTALL,
)
_SCHOOL_YEAR = re.compile(r"\bunder (?:ordinarie )?läsår(?:et)?\b|\bunder terminerna\b", _FLAGS)
_COVERAGE = re.compile(
    r"\b(?:alla|samtliga)\s+(?:\w+\s+){0,2}?(?:klasser|skolor|elever|skolklasser)\b"
    r"(?:\s+i\s+årskurs\s+\d+(?:\s*[-–]\s*\d+)?)?",
    _FLAGS,
)
_PER_SITE = re.compile(
    r"\bpå respektive \w+|\bi respektive \w+|\bper (?:skola|by|tätort|"
    r"försäljningsställe|serveringsställe|ort|område)\b|\boch (?:försäljningsställe|"
    r"serveringsställe|skola)\b|\bvarje (?:skola|by|tätort|försäljningsställe)\b",
    _FLAGS,
)
_PLURAL_SITES = re.compile(r"\bbesök\w*\s+(?:skolorna|byarna|samtliga skolor)\b", _FLAGS)

_ACTIVITY_TYPES = [
    ("traffic_operation", r"trafikinsats|trafikkontroll|trafikövervakning|nykterhetskontroll"),
    ("school_visit", r"skolbesök|\bbesök\w*\s+(?:\w+\s+){0,2}?(?:skol|klass)"),
    ("safety_walk", r"trygghetsvandring"),
    ("joint_supervision", r"tillsyn"),
    ("training", r"utbildning|informationsträff|informationsmöte|föreläsning|föräldramöte"),
    (
        "information",
        r"informationsinsats|informationskampanj|informationsspridning|"
        r"sprida information|\binformera|kunskapshöjande|\bkunskap(?:en)?\s+(?:kring|om)\b|"
        r"\w*kampanj",
    ),
]
_PRESENCE = re.compile(r"närvar|synlighet|\bsynlig\b|fotpatrull|\bpatrull", _FLAGS)

_RATT = r"(?:drog-\s*och\s*(?:alkohol)?rattfylleri)"
_TAGS = [
    ("hastighet", r"hastighet|fortkörning"),
    ("rattonykterhet", r"rattonykterhet|rattfylleri|\bnykterhet"),
    ("buskörning", r"buskörning|motorburen"),
    ("droger", r"narkotika|\bdrog(?!-\s*och\s*(?:alkohol)?rattfylleri)|\bANDTS?\b"),
    ("alkohol", r"alkohol(?!rattfylleri)|langning|\bANDTS?\b"),
    ("tobak", r"tobak|\bANDTS?\b"),
    (
        "trafik",
        r"\btrafik(?:en|säker\w*|miljö\w*|brott\w*|störning\w*|frågor\w*)?\b",
    ),
    ("bedrägerier", r"bedrägeri"),
    ("inbrott", r"inbrott"),
    ("stöld", r"stöld|stölder|tillgrepp"),
    ("grannsamverkan", r"grannsamverkan"),
    ("skadegörelse", r"skadegörelse"),
    ("våld", r"\bvåld"),
    ("konflikthantering", r"konflikthantering"),
    ("kontaktskapande", r"kontaktskapande"),
]
_TAGS_COMPILED = [(code, re.compile(p, _FLAGS)) for code, p in _TAGS]
_ACTIVITY_COMPILED = [(code, re.compile(p, _FLAGS)) for code, p in _ACTIVITY_TYPES]
_PERIODS_COMPILED = [(code, re.compile(p, _FLAGS)) for code, p in _PERIODS]

_VERB = (
    r"(?:lovar|ska|skall|kommer|genomför|jobbar|arbetar|informerar|ökar|erbjuder|"
    r"verkar|fortsätter|har)"
)
_SUBJECT = re.compile(rf"^\W*(?P<subject>(?:[\w\-]+\s+){{0,5}}?)(?P<verb>{_VERB})\b", _FLAGS)
_LOVAR_PARTY = re.compile(
    r"\blovar\s+(?P<subject>(?:polis(?:en)?|kommun(?:en)?)(?:\s+och\s+(?:polis(?:en)?|"
    r"kommun(?:en)?))?)\b",
    _FLAGS,
)
_POLICE_WORD = re.compile(r"\bpolis(?:en|ens)?\b|\blokalpolisområde", _FLAGS)
_MUNICIPALITY_WORD = re.compile(r"\bkommun(?:en|ens)?\b", _FLAGS)
_JOINT_WORD = re.compile(r"\bgemensam(?:t|ma)?\b", _FLAGS)
_LEAD_IN_POLICE = re.compile(r"\bpolisens (?:medborgar)?löften\b", _FLAGS)

_EXTERNAL = re.compile(
    r"\b(?:i samverkan med|i samarbete med|tillsammans med)\s+(?P<names>.+?)"
    r"(?=\s+(?:genomföra|genomför|att|för att|ska|skall|kring|vid|i syfte|arbeta|"
    r"erbjuda|hålla|sprida|informera|delta|verka|planera|anordna|utbilda|bjuda|ge|göra|"
    r"utföra|starta|arbeta)\b|\s*\(|[.;:](?:\s|$)|$)",
    _FLAGS,
)
_GENERIC_PARTIES = re.compile(
    r"^(?:kommun(?:en)?|polis(?:en)?|lokalpolisområdet|externa aktörer|andra aktörer|"
    r"aktörer|varandra|dem|oss|medborgarna|andra|olika aktörer)$",
    _FLAGS,
)

_PLACE_NOUNS = re.compile(
    r"\b(?:i|på|vid|inom)\s+(?P<place>tätorten|stadskärnan|centrum|centrumområdet|"
    r"resecentrum|torget|stationen)\b",
    _FLAGS,
)
_CENTRAL = re.compile(r"\bi centrala (?P<name>[A-ZÅÄÖ][\wåäö]+)")
_PROPER_PLACE = re.compile(
    r"\b(?:i|på|vid)\s+(?P<name>[A-ZÅÄÖ][a-zåäöé]{2,}(?:\s+(?:centrum|torg|station|"
    r"resecentrum|centralskola|skola))?)\b(?!\s+kommun)(?!s\s+kommun)"
)
_NOT_PLACES = {"Grannsamverkan", "Polisen", "Kommunen", "Smadit", "Tobaksfri"}

_BULLET = re.compile(r"^\s*(?:[•\-–*▪·●◦]|\d{1,2}[.)]|[a-z][)])\s+")
_PAGE_FURNITURE = re.compile(
    r"^\s*(?:[-–]\s*)?\d{1,3}(?:\s*[-–])?\s*$|^\s*sid(?:a|an)?\s+\d+(?:\s+(?:av|/)\s+\d+)?\s*$",
    _FLAGS,
)
_HYPHEN_BREAK = re.compile(r"(\w)-[ \t]*\n[ \t]*(?!(?:och|eller|samt)\b)([a-zåäö])")
_PROMISE_START = re.compile(
    rf"^\W*(?:(?:[\w\-]+\s+){{0,4}}?(?:polis(?:en)?|kommun(?:en|ens)?)\s+(?:[\w\-]+\s+)?"
    rf"{_VERB}|vi\s+lovar|om det (?:uppkommer|finns)|önskar\b)",
    _FLAGS,
)
_AIMS = re.compile(r"^\W*medborgarlöften?\s+(?:ska|syftar|handlar)\b", _FLAGS)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ])")


def normalise(text):
    """Whitespace collapsed to single spaces, the ends stripped."""
    return re.sub(r"\s+", " ", text).strip()


def _number(token):
    token = token.lower()
    return int(token) if token.isdigit() else NUMBER_WORDS[token]


# Splitting


def _lines(text):
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00ad", "")
    text = _HYPHEN_BREAK.sub(r"\1\2", text)
    lines = text.split("\n")
    counts = {}
    for line in lines:
        key = normalise(line)
        if key:
            counts[key] = counts.get(key, 0) + 1
    return [
        line
        for line in lines
        if not _PAGE_FURNITURE.match(line)
        and not (
            counts.get(normalise(line), 0) >= 3
            and len(normalise(line)) <= 80
            and not _BULLET.match(line)
        )
    ]


def _blocks(text):
    """Paragraphs, numbered items and bullets as (kind, text), in order."""
    blocks = []
    current = None
    for line in _lines(text):
        if not line.strip():
            if current:
                blocks.append(current)
            current = None
            continue
        mark = _BULLET.match(line)
        if mark:
            if current:
                blocks.append(current)
            kind = "bullet" if re.match(r"\s*[^\w\s]", mark.group()) else "number"
            current = [kind, line[mark.end() :]]
        elif current is None or (line.lstrip()[:1].isupper() and _PROMISE_START.match(line)):
            # A capitalised "Kommunen lovar ..." starts a promise even without a blank line.
            if current:
                blocks.append(current)
            current = ["paragraph", line]
        else:
            current[1] += "\n" + line
    if current:
        blocks.append(current)
    return [(kind, normalise(body)) for kind, body in blocks if normalise(body)]


def _has_party(text):
    return _parties(text)[0] is not None or bool(_LEAD_IN_POLICE.search(text))


def _sentence_promises(paragraph):
    promises = []
    for sentence in _SENTENCE_END.split(paragraph):
        if _PROMISE_START.match(sentence):
            promises.append(sentence)
        elif promises:
            promises[-1] += " " + sentence
    # "... lovar att arbeta ... genom följande aktiviteter:" introduces, it promises nothing.
    return [promise for promise in promises if not promise.endswith(":")]


def _is_lead_in(kind, body, next_kind):
    """A block directly followed by items it introduces (rule S4)."""
    if next_kind is None or next_kind == "paragraph":
        return False
    if kind == "paragraph":
        return True
    if kind == "number" and next_kind == "bullet":
        return True
    return body.endswith(":")


def split(text):
    """The promises in a pasted pledge text, in order, as :class:`Promise` rows."""
    blocks = _blocks(text or "")
    promises = []
    context = None
    lead_in = lead_in_kind = None
    aims = False
    for index, (kind, body) in enumerate(blocks):
        next_kind = blocks[index + 1][0] if index + 1 < len(blocks) else None
        if kind == "number" and lead_in_kind == "number":
            # The next numbered heading: the bullets of the previous one have ended.
            lead_in = lead_in_kind = None
        if _is_lead_in(kind, body, next_kind):
            aims = bool(_AIMS.match(body))
            lead_in_kind = kind
            lead_in = body if _has_party(body) or not context else f"{context} {body}"
            if _has_party(body):
                context = body
            continue
        if kind != "paragraph" and lead_in is not None:
            if not aims:
                promises.append(Promise(body, lead_in))
            continue
        lead_in = lead_in_kind = None
        aims = False
        if kind == "paragraph":
            promises.extend(Promise(p) for p in _sentence_promises(body))
        else:
            promises.append(Promise(body))
        if _has_party(body):
            context = body
    return promises


def propose(text, municipality=None):
    """:func:`parse` applied to every promise that :func:`split` finds."""
    return [parse(p.text, p.lead_in, municipality=municipality) for p in split(text)]


# Parsing


def _parties(text):
    """(party, span) from the subject at the start of ``text``, or from "lovar X"."""
    for match, group in (
        (_SUBJECT.match(text), "subject"),
        (_LOVAR_PARTY.search(text), "subject"),
    ):
        if not match:
            continue
        subject = match.group(group)
        police = _POLICE_WORD.search(subject)
        municipality = _MUNICIPALITY_WORD.search(subject)
        if not police and not municipality:
            continue
        party = JOINT if police and municipality else POLICE if police else MUNICIPALITY
        start = match.start(group)
        return party, (start, start + len(subject.rstrip()))
    return None, None


def _externals(text):
    names, spans = [], []
    for match in _EXTERNAL.finditer(text):
        start = match.start("names")
        chunk = match.group("names")
        for part in re.finditer(r"[^,]+?(?=\s*,\s*|\s+och\s+|\s+samt\s+|$)", chunk):
            name = part.group().strip()
            if name in {"och", "samt"} or not name:
                continue
            name = re.sub(r"^(?:och|samt)\s+", "", name)
            # A long phrase, or one with a preposition, is not a name: leave it to the admin.
            if (
                _GENERIC_PARTIES.match(name)
                or len(name.split()) > 5
                or re.search(r"\s(?:i|för|om|till|på|att)\s", name)
            ):
                continue
            offset = chunk.find(name, part.start())
            names.append(name)
            spans.append((start + offset, start + offset + len(name)))
    return tuple(names), tuple(spans)


def _activity_type(text, offset):
    best = None
    for code, pattern in _ACTIVITY_COMPILED:
        match = pattern.search(text, offset)
        if match and (best is None or match.start() < best[1][0]):
            best = (code, match.span())
    if best:
        return best
    match = _PRESENCE.search(text, offset)
    return ("presence", match.span()) if match else (None, None)


def _tags(text):
    found = []
    for code, pattern in _TAGS_COMPILED:
        for match in pattern.finditer(text):
            found.append((match.start(), code, match.span()))
    found.sort()
    tags, spans = [], []
    for _start, code, span in found:
        if code not in tags:
            tags.append(code)
        spans.append(span)
    return tuple(tags), tuple(spans)


def _target_number(text):
    candidates = []
    for pattern in _NUMBER_PATTERNS:
        for match in pattern.finditer(text):
            token = match.group("n")
            before = text[: match.start("n")].rstrip().lower()
            after = text[match.end("n") :].lstrip().lower()
            if token.lower() in _WEAK_WORDS and not (
                before.endswith(("minst", "åtminstone")) or after.startswith(("gång", "tillfäll"))
            ):
                continue
            if after.startswith(("antal", "års", "år ")):
                continue
            candidates.append((match.start(), _number(token), match.span()))
    if not candidates:
        return None, None
    candidates.sort()
    _start, value, span = candidates[0]
    return (value, span) if value > 0 else (None, None)


def _period(text):
    best = None
    for code, pattern in _PERIODS_COMPILED:
        match = pattern.search(text)
        if match and (best is None or match.start() < best[1][0]):
            best = (code, match.span())
    return best or (None, None)


def _quantity(text, number_span):
    after = text[number_span[0] :]
    for code, pattern in _QUANTITIES:
        if re.match(rf"(?:minst\s+)?\S+\s+{_ADJ}(?:{pattern})\b", after, _FLAGS):
            return code
    return None


def _place(text, municipality):
    match = _PLACE_NOUNS.search(text)
    if match:
        return match.group("place").capitalize(), match.span("place")
    match = _CENTRAL.search(text)
    if match:
        name = match.group("name")
        return f"{name} centrum", match.span()
    home = (municipality or "").strip().lower()
    for match in _PROPER_PLACE.finditer(text):
        name = match.group("name")
        first = name.split()[0]
        if first in _NOT_PLACES:
            continue
        if home and name.lower() in (home, f"{home}s"):
            continue
        return name, match.span("name")
    return None, None


def parse(text, lead_in=None, *, municipality=None):
    """A :class:`Proposal` for one promise. ``lead_in`` is the text the promise stood
    under ("Polisen lovar att:"), ``municipality`` the pledge's municipality name (it is
    not a place of its own). Never raises on any string."""
    text = normalise(text or "")
    lead_in = normalise(lead_in) if lead_in else None
    spans = {}

    def keep(name, *found):
        found = tuple(s for s in found if s)
        if found:
            spans[name] = found

    parties, span = _parties(text)
    keep("parties", span)
    if parties is None and lead_in:
        parties, _span = _parties(lead_in)
        if parties is None and _LEAD_IN_POLICE.search(lead_in):
            parties = POLICE
    if parties is None:
        match = _JOINT_WORD.search(text)
        if match:
            parties = JOINT
            keep("parties", match.span())

    external_parties, external_spans = _externals(text)
    keep("external_parties", *external_spans)

    conditional_match = _CONDITIONAL.search(text)
    conditional = bool(conditional_match)
    if conditional_match:
        keep("conditional", conditional_match.span())
    # In "Önskar X ... så lovar vi att Y" the activity is Y; in "Om det uppkommer önskemål
    # om X så lovar vi att bistå" it is X, the object of the wish.
    activity_type, span = _activity_type(text, 0)
    if conditional:
        lovar = re.search(r"\blovar\b", text[conditional_match.start() :], _FLAGS)
        if lovar:
            activity_type, span = _activity_type(text, conditional_match.start() + lovar.end())
        wish = re.search(r"\bönskemål om\b", text, _FLAGS)
        if activity_type is None and wish:
            activity_type, span = _activity_type(text, wish.end())
    keep("activity_type", span)

    focus_tags, tag_spans = _tags(text)
    keep("focus_tags", *tag_spans)

    season = _SEASON.search(text)
    keep("season", season.span() if season else None)

    school_year = _SCHOOL_YEAR.search(text)
    keep("school_year_only", school_year.span() if school_year else None)

    place, span = _place(text, municipality)
    keep("place", span)

    target_kind = target_value = target_period = quantity = None
    coverage = _COVERAGE.search(text)
    value, value_span = _target_number(text)
    if conditional:
        target_kind = QUALITATIVE
    elif coverage:
        target_kind, target_value = COVERAGE, 1
        keep("target_kind", coverage.span())
    elif value is not None:
        target_value = value
        keep("target_value", value_span)
        per_site = _PER_SITE.search(text)
        plural_sites = _PLURAL_SITES.search(text)
        quantity = _quantity(text, value_span)
        if per_site:
            target_kind = PER_SITE
            keep("target_kind", per_site.span())
        elif plural_sites and re.search(r"\bgång", text[value_span[1] :][:20], _FLAGS):
            target_kind = PER_SITE
            keep("target_kind", plural_sites.span())
        elif quantity:
            target_kind = QUANTITY
            keep("quantity", value_span)
            keep("target_kind", value_span)
        else:
            target_kind = COUNT
            keep("target_kind", value_span)
    else:
        target_kind = QUALITATIVE
    if target_kind in (COUNT, PER_SITE, QUANTITY, COVERAGE):
        target_period, span = _period(text)
        keep("target_period", span)
        average = _AVERAGE_YEAR.search(text)
        if target_period == MONTH and average and target_value:
            target_value, target_period = target_value * 12, YEAR
            keep("target_period", average.span())

    return Proposal(
        text=text,
        lead_in=lead_in,
        parties=parties,
        external_parties=external_parties,
        activity_type=activity_type,
        focus_tags=focus_tags,
        target_kind=target_kind,
        target_value=target_value,
        target_period=target_period,
        quantity=quantity,
        conditional=conditional,
        school_year_only=bool(school_year),
        place=place,
        season=season.group() if season else None,
        spans=spans,
    )
