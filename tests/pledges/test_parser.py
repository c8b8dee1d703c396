"""The pasted-text parser (issue 13, point 2): one test per rule of ``pledges.parser``,
the recognition rate on a corpus of real phrasings, and that it never raises.

The corpus (``data/pledge_corpus.yaml``) holds promises copied from published
medborgarlöften, each with its source, and the fields a careful admin would enter.
``pytest -s`` prints the per-field table.
"""

import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pledges import parser, reference
from pledges.models import Commitment
from pledges.parser import parse, propose, split
from pledges.progress import TargetKind, TargetPeriod

DATA = Path(__file__).parent / "data"
CORPUS = yaml.safe_load((DATA / "pledge_corpus.yaml").read_text())
HELD_OUT = yaml.safe_load((DATA / "pledge_corpus_heldout.yaml").read_text())

FIELDS = [
    "parties",
    "external_parties",
    "activity_type",
    "focus_tags",
    "target_kind",
    "target_value",
    "target_period",
    "conditional",
    "school_year_only",
    "place",
]
DEFAULTS = {
    "external_parties": [],
    "focus_tags": [],
    "target_value": None,
    "target_period": None,
    "conditional": False,
    "school_year_only": False,
    "place": None,
}
EMPTY = (None, False, (), [], frozenset())

# Measured when the rules were written; the tests fail when a change of the rules loses
# more than the margin. The held-out set first measured 80.8 % recognised and 3.6 % wrong,
# before one general fix (external parties end at the next verb or parenthesis).
MEASURED_RECOGNITION = 0.946
MEASURED_HELD_OUT = 0.811
MEASURED_HELD_OUT_WRONG = 0.033
MARGIN = 0.03
MAX_WRONG = 0.05


def _comparable(name, value):
    if name in ("focus_tags", "external_parties"):
        return frozenset(value or ())
    return value


def _score(corpus):
    table = {name: {"correct": 0, "missed": 0, "wrong": 0} for name in FIELDS}
    wrong = []
    for entry in corpus:
        expected = {**DEFAULTS, **entry["expected"]}
        proposal = parse(entry["text"], entry.get("lead_in"), municipality=entry["municipality"])
        for name in FIELDS:
            want = _comparable(name, expected[name])
            got = _comparable(name, getattr(proposal, name))
            if got == want:
                table[name]["correct"] += 1
            elif got in EMPTY:
                table[name]["missed"] += 1
            else:
                table[name]["wrong"] += 1
                wrong.append((entry["source"], name, want, got, entry["text"][:60]))
    return table, wrong


def _render(table, total):
    lines = [f"{'field':<18}{'correct':>9}{'missed':>8}{'wrong':>7}{'share':>8}"]
    for name, row in table.items():
        lines.append(
            f"{name:<18}{row['correct']:>9}{row['missed']:>8}{row['wrong']:>7}"
            f"{row['correct'] / total:>8.1%}"
        )
    cells = total * len(table)
    correct = sum(row["correct"] for row in table.values())
    wrong = sum(row["wrong"] for row in table.values())
    missed = sum(row["missed"] for row in table.values())
    lines.append(
        f"{'all fields':<18}{correct:>9}{missed:>8}{wrong:>7}{correct / cells:>8.1%}"
        f"   ({total} promises, {cells} fields)"
    )
    return "\n".join(lines)


# The corpus


def test_corpus_has_forty_real_phrasings_with_sources():
    assert len(CORPUS) >= 40
    for entry in CORPUS + HELD_OUT:
        assert entry["source"].split()[-1].isdigit(), entry["source"]
        assert entry["url"]
        assert set(entry["expected"]) <= set(FIELDS)
    texts = [entry["text"] for entry in CORPUS + HELD_OUT]
    assert len(set(texts)) == len(texts)


def test_corpus_expectations_use_the_apps_codes():
    activity_types = {row[0] for row in reference.ACTIVITY_TYPES}
    for entry in CORPUS + HELD_OUT:
        expected = entry["expected"]
        assert expected["parties"] in Commitment.Responsible.values
        assert expected["activity_type"] in activity_types
        assert expected["target_kind"] in TargetKind.values
        assert expected.get("target_period") in (None, *TargetPeriod.values)


def _report(title, corpus):
    table, wrong = _score(corpus)
    sys.stdout.write(f"\n{title}\n{_render(table, len(corpus))}\n")
    for row in wrong:
        sys.stdout.write("WRONG {} {}: expected {!r}, got {!r} ({})\n".format(*row))
    cells = len(corpus) * len(FIELDS)
    return sum(row["correct"] for row in table.values()) / cells, len(wrong) / cells


def test_recognition_on_the_corpus():
    recognised, wrong = _report("Corpus (the rules were written with it)", CORPUS)
    assert wrong <= MAX_WRONG
    assert recognised >= MEASURED_RECOGNITION - MARGIN


def test_recognition_on_the_held_out_set():
    recognised, wrong = _report("Held-out set (collected after the rules)", HELD_OUT)
    assert wrong <= MEASURED_HELD_OUT_WRONG + MARGIN
    assert recognised >= MEASURED_HELD_OUT - MARGIN


# The codes the parser proposes are the app's


def test_constants_match_the_models():
    assert {parser.POLICE, parser.MUNICIPALITY, parser.JOINT} == set(Commitment.Responsible.values)
    assert {
        parser.COUNT,
        parser.PER_SITE,
        parser.COVERAGE,
        parser.QUANTITY,
        parser.QUALITATIVE,
    } == set(TargetKind.values)
    assert {parser.YEAR, parser.TERM, parser.MONTH, parser.WEEK, parser.VALIDITY} == set(
        TargetPeriod.values
    )


def test_activity_type_and_quantity_codes_exist():
    activity_types = {row[0] for row in reference.ACTIVITY_TYPES}
    assert {code for code, _pattern in parser._ACTIVITY_TYPES} | {"presence"} <= activity_types
    assert {code for code, _pattern in parser._QUANTITIES} <= {
        row[0] for row in reference.QUANTITIES
    }


# Rules of the fields (examples written for the tests, not attributed to a pledge)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("genomföra minst en trafikkontroll per vecka", 1),
        ("genomföra minst ett föräldramöte per år", 1),
        ("minst två trygghetsvandringar per år", 2),
        ("minst tre krogtillsyner per år", 3),
        ("minst fyra riktade trafikinsatser under året", 4),
        ("minst fem skolbesök per termin", 5),
        ("vid minst sex tillfällen per år", 6),
        ("minst sju gånger per år", 7),
        ("minst åtta gånger per år", 8),
        ("minst nio gånger per år", 9),
        ("minst tio trafikkontroller per månad", 10),
        ("minst tolv gånger per år", 12),
        ("minst femton trafikkontroller per år", 15),
        ("minst tjugo trafikkontroller per år", 20),
        ("genomföra 52 trafikkontroller under året", 52),
        ("besöka skolan 2 gånger/år", 2),
    ],
)
def test_number_words_and_digits(text, value):
    proposal = parse(text)
    assert proposal.target_value == value
    start, end = proposal.span("target_value")
    assert str(value) in text[start:end] or text[start:end].split()[-1] in parser.NUMBER_WORDS


@pytest.mark.parametrize(
    "text",
    [
        "genomföra ett antal planerade insatser mot brottsaktiva",
        "informationsträffar för föräldrar till barn i årskurs 4-6",
        "arbeta för att alkoholdebuten inte sker före 18 års ålder",
        "rikta insatser längs E12 och E45",
        "under åren 2016-2020 genomföra en trygghetsvandring",
        "genomföra informationsträffar rörande trafik",
    ],
)
def test_no_number_is_a_qualitative_target(text):
    proposal = parse(text)
    assert proposal.target_value is None
    assert proposal.target_kind == parser.QUALITATIVE
    assert proposal.target_period is None


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("minst 4 riktade trafikinsatser under året", parser.YEAR),
        ("minst 2 gånger/år", parser.YEAR),
        ("minst en tillsyn varje år", parser.YEAR),
        ("varje år göra minst en gemensam tillsyn", parser.YEAR),
        ("minst en trafikkontroll per vecka", parser.WEEK),
        ("minst en trafikkontroll i veckan", parser.WEEK),
        ("minst två skolbesök per termin", parser.TERM),
        ("minst en trygghetsvandring per månad", parser.MONTH),
        ("minst tio trafikkontroller under avtalsperioden", parser.VALIDITY),
        ("minst 17 trafikkontroller under vinterhalvåret", None),
    ],
)
def test_periods(text, period):
    proposal = parse(text)
    assert proposal.target_period == period
    if period:
        start, end = proposal.span("target_period")
        assert text[start:end]


def test_once_a_month_on_average_over_the_year_is_twelve_a_year():
    proposal = parse("rikta minst en gång i månaden i snitt över året en trafikövervakning")
    assert (proposal.target_value, proposal.target_period) == (12, parser.YEAR)


def test_a_season_is_reported_and_sets_no_period():
    proposal = parse("Polisen lovar minst 17 trafikkontroller under vinterhalvåret.")
    assert proposal.season == "under vinterhalvåret"
    assert proposal.target_period is None
    assert proposal.target_value == 17


@pytest.mark.parametrize(
    ("text", "lead_in", "parties"),
    [
        ("Polisen lovar att genomföra trafikkontroller.", None, parser.POLICE),
        ("Kommunen lovar att genomföra trygghetsvandringar.", None, parser.MUNICIPALITY),
        ("Polisen och kommunen lovar att informera.", None, parser.JOINT),
        ("Kommunen och polisen lovar gemensamt att informera.", None, parser.JOINT),
        ("Polis och kommun ska verka för trygghet.", None, parser.JOINT),
        ("Lycksele kommun och Polisen ska arbeta förebyggande.", None, parser.JOINT),
        ("Kommunens grundskolor jobbar med information.", None, parser.MUNICIPALITY),
        ("Om det uppkommer önskemål så lovar kommun och polis att bistå.", None, parser.JOINT),
        ("genomföra trafikkontroller", "Polisen lovar att:", parser.POLICE),
        ("genomföra trygghetsvandringar", "Kommunen lovar att:", parser.MUNICIPALITY),
        ("Vi lovar att genomföra trygghetsvandringar.", "polisens medborgarlöften", "police"),
        ("minst ett gemensamt föräldramöte per år", None, parser.JOINT),
        ("Vi lovar att genomföra trygghetsvandringar.", None, None),
        ("genomföra trafikkontroller", None, None),
    ],
)
def test_parties(text, lead_in, parties):
    assert parse(text, lead_in).parties == parties


def test_the_parties_span_is_the_subject():
    proposal = parse("Polisen och kommunen lovar att informera.")
    start, end = proposal.span("parties")
    assert proposal.text[start:end] == "Polisen och kommunen"


def test_parties_from_the_lead_in_have_no_span_in_the_promise():
    proposal = parse("genomföra trafikkontroller", "Polisen lovar att:")
    assert proposal.span("parties") is None
    assert proposal.lead_in == "Polisen lovar att:"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "Polisen lovar att i samverkan med NTF och räddningstjänsten genomföra utbildningar.",
            ("NTF", "räddningstjänsten"),
        ),
        ("Kommunen lovar att tillsammans med Länsstyrelsen hålla tillsyn.", ("Länsstyrelsen",)),
        (
            "Polisen lovar att i samarbete med skolan, fritidsgården samt föreningarna informera.",
            ("skolan", "fritidsgården", "föreningarna"),
        ),
        ("Polisen lovar att i samverkan med kommunen och externa aktörer genomföra.", ()),
        ("Polisen och kommunen lovar att tillsammans genomföra informationsinsatser.", ()),
        ("Kommunen och polisen lovar att i samverkan genomföra trygghetsvandringar.", ()),
    ],
)
def test_external_parties(text, names):
    proposal = parse(text)
    assert proposal.external_parties == names
    for name, (start, end) in zip(names, proposal.spans.get("external_parties", ()), strict=True):
        assert proposal.text[start:end] == name


@pytest.mark.parametrize(
    ("text", "conditional"),
    [
        ("Om det uppkommer önskemål om trygghetsvandringar så lovar vi att bistå.", True),
        ("Om det finns behov lovar polisen att delta.", True),
        ("Önskar handlare öka säkerheten så lovar vi att utföra certifiering.", True),
        ("Polisen deltar vid behov i föräldramöten.", True),
        ("Polisen lovar att genomföra minst 4 trafikinsatser.", False),
        ("Polisen ska jobba offensivt vid misstanke om att en ungdom brukar droger.", False),
    ],
)
def test_conditional(text, conditional):
    proposal = parse(text)
    assert proposal.conditional is conditional
    if conditional:
        assert proposal.target_kind == parser.QUALITATIVE
        assert proposal.span("conditional")


def test_a_conditional_promise_with_a_number_stays_qualitative():
    proposal = parse("Om det uppkommer önskemål lovar polisen minst 2 trygghetsvandringar per år.")
    assert proposal.target_kind == parser.QUALITATIVE
    assert proposal.target_value is None


def test_the_activity_of_a_wish_is_its_object_and_of_an_offer_what_is_promised():
    assert (
        parse("Om det uppkommer önskemål om trygghetsvandringar så lovar vi att bistå.")
    ).activity_type == "safety_walk"
    assert (
        parse("Önskar boende öka sin kunskap om inbrott så lovar vi att hålla en föreläsning.")
    ).activity_type == "training"


@pytest.mark.parametrize(
    ("text", "kind", "value", "place"),
    [
        (
            "genomföra trygghetsvandringar på respektive tätort minst 2 gånger/år",
            "per_site",
            2,
            None,
        ),
        ("besöka skolorna minst 2 gånger/år", "per_site", 2, None),
        ("tobakstillsyn minst en gång per år och försäljningsställe", "per_site", 1, None),
        ("besöka alla klasser i årskurs 8", "coverage", 1, None),
        ("minst en trafikkontroll per vecka i tätorten", "count", 1, "Tätorten"),
        ("minst tre krogtillsyner per år i stadskärnan", "count", 3, "Stadskärnan"),
        ("vara synlig i centrala Dorotea", "qualitative", None, "Dorotea centrum"),
        ("fotpatruller i Gällivare centrum", "qualitative", None, "Gällivare centrum"),
        ("verka för trafiksäker skoterkörning i Borgafjäll", "qualitative", None, "Borgafjäll"),
        ("trafikkontroller i tätorterna", "qualitative", None, None),
        ("närvaro i kommunens byar", "qualitative", None, None),
        ("öka tryggheten i Sorsele kommun", "qualitative", None, None),
        ("trafikkontroller på Lv 315 och E45", "qualitative", None, None),
    ],
)
def test_places_and_per_site_targets(text, kind, value, place):
    proposal = parse(text, municipality="Åsele")
    assert (proposal.target_kind, proposal.target_value, proposal.place) == (kind, value, place)


def test_the_municipality_itself_is_not_a_place():
    text = "Polisen lovar att genomföra minst 4 riktade trafikinsatser i Åsele under året."
    assert parse(text, municipality="Åsele").place is None
    assert parse(text).place == "Åsele"


def test_a_measured_quantity_is_a_quantity_target():
    proposal = parse("Polisen lovar att kontrollera minst 500 fordon under året.")
    assert (proposal.target_kind, proposal.quantity, proposal.target_value) == (
        parser.QUANTITY,
        "vehicles_checked",
        500,
    )
    proposal = parse("Polisen lovar att ta minst 1000 utandningsprov per år.")
    assert proposal.quantity == "breath_tests"


@pytest.mark.parametrize(
    ("text", "school_year_only"),
    [
        ("besöka skolorna minst 2 gånger/år under ordinarie läsår", True),
        ("besöka skolorna under läsåret", True),
        ("besöka skolorna minst 2 gånger/år", False),
    ],
)
def test_school_year_only(text, school_year_only):
    assert parse(text).school_year_only is school_year_only


@pytest.mark.parametrize(
    ("text", "activity_type"),
    [
        ("genomföra riktade trafikinsatser", "traffic_operation"),
        ("öka sin närvaro i byarna genom trafikkontroller", "traffic_operation"),
        ("besöka skolorna i kommunen", "school_visit"),
        ("genomföra trygghetsvandringar", "safety_walk"),
        ("genomföra tobakstillsyner", "joint_supervision"),
        ("genomföra utbildningar och informationsträffar", "training"),
        ("genomföra informationsinsatser till lärare", "information"),
        ("stärka medborgarnas kunskap kring inbrott", "information"),
        ("prioritera närvaro för ökad synlighet", "presence"),
        ("arbeta mot narkotika", None),
    ],
)
def test_activity_types(text, activity_type):
    proposal = parse(text)
    assert proposal.activity_type == activity_type
    if activity_type:
        assert proposal.span("activity_type")


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        (
            "Fokus ska ligga på buskörning, hastighet och kontroll av rattonykterhet.",
            {"buskörning", "hastighet", "rattonykterhet"},
        ),
        ("trafikövervakning mot drog- och alkoholrattfylleri", {"rattonykterhet"}),
        (
            "Fokus ska ligga på drogtecken och symtom samt konflikthantering.",
            {"droger", "konflikthantering"},
        ),
        ("föräldramöte med fokus på ANDTS-information", {"alkohol", "droger", "tobak"}),
        ("arbeta mot tobak- och alkoholanvändning", {"tobak", "alkohol"}),
        ("utbildningar rörande trafik", {"trafik"}),
        ("genomföra trafikkontroller", set()),
        ("öka tryggheten för ungdomar", set()),
    ],
)
def test_focus_tags(text, tags):
    proposal = parse(text)
    assert set(proposal.focus_tags) == tags
    for start, end in proposal.spans.get("focus_tags", ()):
        assert proposal.text[start:end]


# Splitting a pasted text


def test_split_the_seed_pledge():
    # The Åsele 2017 page from polisen.se, as the demo loads it.
    text = (Path(__file__).resolve().parents[2] / "pledges/data/asele_2017_pledge.txt").read_text()
    promises = split(text)
    assert [p.text[:30] for p in promises] == [
        "Polisen lovar att genomföra mi",
        "Polisen lovar att i samverkan ",
        "Polisen lovar att besöka skolo",
        "Polisen och kommunen lovar att",
    ]
    assert promises[0].text.endswith("kontroll av rattonykterhet.")


def test_split_carries_the_lead_in_into_each_bullet():
    text = (
        "Polisen lovar att:\n\n• genomföra minst en trafikkontroll per vecka\n• besöka skolorna\n"
    )
    proposals = propose(text)
    assert [p.text for p in proposals] == [
        "genomföra minst en trafikkontroll per vecka",
        "besöka skolorna",
    ]
    assert {p.parties for p in proposals} == {parser.POLICE}


def test_split_numbered_headings_with_bullets():
    text = (
        "1. Polisen skall öka synligheten genom\n\n"
        "• Trafikinsatser med betoning på hastighet\n\n"
        "• Fotpatruller i centrum\n\n"
        "2. Polisen och kommunen skall tillsammans\n\n"
        "• Genomföra informationsträffar för föräldrar\n\n"
        "3. Kommunen skall möta kvinnor och män genom dialog\n"
    )
    proposals = propose(text)
    assert [(p.text[:20], p.parties) for p in proposals] == [
        ("Trafikinsatser med b", parser.POLICE),
        ("Fotpatruller i centr", parser.POLICE),
        ("Genomföra informatio", parser.JOINT),
        ("Kommunen skall möta ", parser.MUNICIPALITY),
    ]


def test_split_a_lead_in_without_a_party_borrows_the_paragraph_above():
    text = (
        "Polisen och kommunen lovar att arbeta för ökad trafiksäkerhet.\n\n"
        "Detta gör vi genom att:\n\n"
        "• sprida information om trafiksäkerhet\n"
    )
    promises = split(text)
    assert promises[-1].text == "sprida information om trafiksäkerhet"
    assert parse(promises[-1].text, promises[-1].lead_in).parties == parser.JOINT


def test_split_joins_hyphenated_line_ends_and_drops_page_numbers():
    text = (
        "Polisen lovar att genomföra minst 4 riktade trafik-\n"
        "insatser under året.\n"
        "\n"
        "3\n"
        "\n"
        "Kommunen lovar att arbeta mot tobak-\n"
        "och alkoholanvändning.\n"
    )
    assert [p.text for p in split(text)] == [
        "Polisen lovar att genomföra minst 4 riktade trafikinsatser under året.",
        "Kommunen lovar att arbeta mot tobak- och alkoholanvändning.",
    ]


def test_split_wrapped_bullets_and_repeated_headers():
    header = "Medborgarlöfte Exempelby 2025"
    text = (
        f"{header}\nPolisen lovar att:\n"
        "- genomföra minst en trafikkontroll\n  per vecka i tätorten\n"
        f"{header}\n"
        "- besöka alla klasser i årskurs 8\n"
        f"{header}\n"
    )
    promises = split(text)
    assert [p.text for p in promises] == [
        "genomföra minst en trafikkontroll per vecka i tätorten",
        "besöka alla klasser i årskurs 8",
    ]


def test_split_sentences_keep_their_follow_up_sentences():
    text = (
        "Medborgarlöfte 2025. Polisen lovar att genomföra minst 4 trafikinsatser. Fokus ska "
        "ligga på hastighet. Kommunen lovar att genomföra trygghetsvandringar."
    )
    assert [p.text for p in split(text)] == [
        "Polisen lovar att genomföra minst 4 trafikinsatser. Fokus ska ligga på hastighet.",
        "Kommunen lovar att genomföra trygghetsvandringar.",
    ]


def test_split_leaves_out_the_aims_of_the_method():
    text = "Medborgarlöften ska:\n\n• öka tryggheten\n• förebygga brott\n"
    assert split(text) == []


def test_the_text_is_verbatim_with_whitespace_normalised():
    proposal = parse("  Polisen   lovar att\n genomföra\ttrafikkontroller. ")
    assert proposal.text == "Polisen lovar att genomföra trafikkontroller."


# Never raises


@settings(max_examples=300, deadline=None)
@given(st.text(), st.one_of(st.none(), st.text()), st.one_of(st.none(), st.text()))
def test_parse_never_raises(text, lead_in, municipality):
    proposal = parse(text, lead_in, municipality=municipality)
    for spans in proposal.spans.values():
        for start, end in spans:
            assert 0 <= start <= end <= len(proposal.text)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "• ",
                    "- ",
                    "1. ",
                    "\n",
                    "\n\n",
                    "Polisen lovar att:",
                    "minst ",
                    "tre ",
                    "trafik-\n",
                    "kontroller",
                    " per år",
                    "Kommunen ska ",
                    "12\n",
                    "Om det ",
                ]
            ),
            st.text(max_size=20),
        ),
        max_size=30,
    )
)
def test_split_never_raises(parts):
    for proposal in propose("".join(parts)):
        assert proposal.text


def test_external_parties_end_at_the_next_verb_or_parenthesis():
    proposal = parse(
        "Polisen ska tillsammans med skola, fritidsgård och kommun (BRÅ) planera in en "
        "temadag om narkotika för elever i årskurs 7."
    )
    assert proposal.external_parties == ("skola", "fritidsgård")


# Excerpts of the page of Strömsund's 2019-2020 pledge on polisen.se (some paragraphs and
# bullets left out), laid out as a browser copies it.
STROMSUND_2019 = """Strömsund – medborgarlöften

Polisen och Strömsunds kommun lovar att gemensamt arbeta för att öka tryggheten och minska \
brottsligheten genom följande aktiviteter:

Medborgarlöftet utgår från en gemensam lägesbild som tas fram av polis och kommun.

Följande löften har valts för 2019-2020:

Polisen och kommunen lovar att arbeta för ökad trafiksäkerhet. Detta gör vi genom att:

 • Polisen genomför regelbundna trafikkontroller med fokus på hastighet, olovlig körning och \
rattonykterhet med geografisk spridning inom kommunen.
 • Kommunen och polisen ska sprida information om trafiksäkerhet.

Polisen och kommunen lovar att arbeta förebyggande gällande skadegörelse, inbrott, stölder och \
bedrägerier. Detta gör vi genom att:

 • Polisen och kommunen informerar medborgarna om hur de kan skydda sig mot bedrägerier, \
inbrott och stölder.
"""


def test_split_a_real_page_with_headings_lead_ins_and_bullets():
    proposals = propose(STROMSUND_2019, municipality="Strömsund")
    assert [(p.text[:30], p.parties, p.activity_type) for p in proposals] == [
        ("Polisen genomför regelbundna t", parser.POLICE, "traffic_operation"),
        ("Kommunen och polisen ska sprid", parser.JOINT, "information"),
        ("Polisen och kommunen informera", parser.JOINT, "information"),
    ]
    assert proposals[0].lead_in.startswith("Polisen och kommunen lovar att arbeta för ökad")
