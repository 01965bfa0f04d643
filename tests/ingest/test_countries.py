from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.countries import (
    Mention,
    canonical_names,
    countries_in,
    find_mentions,
    general_country_question,
    resolve_country,
)
from ingest.errors import UnknownCountry, UsageError

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def pairs(text: str) -> list[tuple[str, str]]:
    return [(m.surface, m.country) for m in find_mentions(text)]


# --- find_mentions: aliases --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("Elections in BiH were held.", "Bosnia and Herzegovina"),
        ("Bosnian officials agreed.", "Bosnia and Herzegovina"),
        ("Leaders in Sarajevo met.", "Bosnia and Herzegovina"),
        ("A Bosniak party won.", "Bosnia and Herzegovina"),
        ("Herzegovina is mountainous.", "Bosnia and Herzegovina"),
        ("Belgrade objected.", "Serbia"),
        ("The Serbian government objected.", "Serbia"),
        ("Talks in Prishtina resumed.", "Kosovo"),
        ("Talks in Pristina resumed.", "Kosovo"),
        ("A Kosovar journalist wrote.", "Kosovo"),
        ("Skopje responded.", "North Macedonia"),
        ("Macedonian voters decided.", "North Macedonia"),
        ("Macedonia changed its name.", "North Macedonia"),
        ("Montenegrin ministers met in Podgorica.", "Montenegro"),
        ("Tirana hosted the summit.", "Albania"),
        ("Zagreb and the Croats agreed.", "Croatia"),
        ("The Kremlin denied it.", "Russia"),
        ("Beijing invested heavily.", "China"),
        ("Ankara and Türkiye are one.", "Turkey"),
        ("Budapest blocked sanctions.", "Hungary"),
        ("Turkey sold drones.", "Turkey"),
        ("The White House was silent.", "United States"),
    ],
)
def test_aliases_demonyms_and_capitals_resolve_to_the_country(text, country):
    assert {m.country for m in find_mentions(text)} == {country}


def test_uk_aliases_all_mean_the_united_kingdom():
    text = "The UK, Britain, the United Kingdom, British troops and London all agreed."
    assert {c for _, c in pairs(text)} == {"United Kingdom"}
    assert len(find_mentions(text)) == 5


def test_us_aliases_all_mean_the_united_states():
    text = "The US, the U.S. Treasury, the USA, America and American firms agreed."
    assert [s for s, _ in pairs(text)] == ["US", "U.S.", "USA", "America", "American"]
    assert countries_in(text) == ("United States",)


def test_mention_offsets_point_at_the_surface():
    text = "Both Kosovo and Serbia signed."
    for m in find_mentions(text):
        assert text[m.start : m.end] == m.surface
    assert find_mentions(text)[0] == Mention(5, 11, "Kosovo", "Kosovo")


def test_all_caps_headings_match():
    assert countries_in("RESTORING BRITISH LEADERSHIP IN SERBIA") == ("United Kingdom", "Serbia")


def test_title_case_multiword_names_match():
    assert pairs("Relations With Bosnia And Herzegovina") == [
        ("Bosnia And Herzegovina", "Bosnia and Herzegovina")
    ]


# --- longest match, possessives, case ----------------------------------------------------------------


def test_north_macedonia_is_one_mention_not_two():
    assert pairs("North Macedonia joined NATO.") == [("North Macedonia", "North Macedonia")]


def test_bosnia_and_herzegovina_is_one_mention():
    assert pairs("Bosnia and Herzegovina and Bosnia-Herzegovina") == [
        ("Bosnia and Herzegovina", "Bosnia and Herzegovina"),
        ("Bosnia-Herzegovina", "Bosnia and Herzegovina"),
    ]


def test_great_britain_is_one_mention():
    assert pairs("Great Britain voted.") == [("Great Britain", "United Kingdom")]


def test_multiword_names_may_break_across_lines():
    assert pairs("in Bosnia and\nHerzegovina") == [("Bosnia and\nHerzegovina", "Bosnia and Herzegovina")]


def test_possessives_match_with_straight_and_curly_apostrophes():
    assert pairs("Serbia's army and Kosovo’s police") == [("Serbia", "Serbia"), ("Kosovo", "Kosovo")]


def test_short_abbreviations_are_case_sensitive():
    assert countries_in("Let us tell them about uk and bih.") == ()
    assert countries_in("The UK and BiH.") == ("United Kingdom", "Bosnia and Herzegovina")


def test_lowercase_common_words_are_not_countries():
    assert countries_in("We ate turkey from fine china and a chad of paper.") == ()


def test_words_containing_a_name_do_not_match():
    assert countries_in("Serbiaa, Chinatown, Kosovoan, Americas, UKIP, BiHs") == ()


# --- ambiguity rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Georgia Smith said the talks failed.",
        "Prime Minister Georgia Meloni spoke.",
        "The reply from Ms Georgia was short.",
        "She met Michael Jordan there.",
        "The song by Paris Hilton played.",
        "He read the Washington Post.",
        "Laws in the state of Georgia changed.",
    ],
)
def test_names_that_are_also_peoples_names_are_not_countries(text):
    assert countries_in(text) == ()


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("Georgia applied to join the EU.", "Georgia"),
        ("Russia invaded Georgia in 2008.", "Georgia"),
        ("Armenia, Georgia and Azerbaijan met.", "Georgia"),
        ("Relations Between Georgia And Armenia", "Georgia"),
        ("Refugees reached Jordan and Lebanon.", "Jordan"),
        ("Chad's army withdrew.", "Chad"),
        ("Officials in Washington disagreed.", "United States"),
        ("The minister flew to Paris.", "France"),
    ],
)
def test_names_that_are_also_peoples_names_count_in_country_context(text, country):
    assert country in countries_in(text)


def test_bosnian_serb_is_one_mention_of_bosnia():
    assert pairs("the Bosnian Serb leader") == [("Bosnian Serb", "Bosnia and Herzegovina")]
    assert pairs("Bosnian Serbs voted") == [("Bosnian Serbs", "Bosnia and Herzegovina")]


def test_kosovo_serbs_and_kosovo_albanians_are_kosovo():
    assert pairs("Kosovo Serbs and Kosovo Albanians") == [
        ("Kosovo Serbs", "Kosovo"),
        ("Kosovo Albanians", "Kosovo"),
    ]


def test_bare_serb_and_serbian_mean_serbia():
    assert pairs("an ethnic Serb party; Serbs; Serbian police") == [
        ("Serb", "Serbia"),
        ("Serbs", "Serbia"),
        ("Serbian", "Serbia"),
    ]


def test_republika_srpska_is_one_mention_of_bosnia():
    assert pairs("leaders of Republika Srpska") == [("Republika Srpska", "Bosnia and Herzegovina")]


def test_ethnic_word_after_a_list_separator_is_not_merged():
    assert pairs("Bosnian, Serb") == [("Bosnian", "Bosnia and Herzegovina"), ("Serb", "Serbia")]


def test_regions_are_not_countries():
    text = "The Western Balkans, the Balkans, Europe, European states, the EU and the Euro-Atlantic area."
    assert find_mentions(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Latin America and South American trade",
        "a flight over the Indian Ocean",
        "New Mexico and New Jersey",
        "ships in the South China Sea",
    ],
)
def test_phrases_containing_a_country_word_are_not_that_country(text):
    assert countries_in(text) == ()


@pytest.mark.parametrize(
    "text",
    [
        "ahead of the London Conference of the Berlin Process",
        "under the Paris Agreement",
        "since the Treaty of Rome",
        "a lecturer at King's College London and the University of Westminster",
    ],
)
def test_capitals_naming_a_treaty_meeting_or_institution_are_not_countries(text):
    assert countries_in(text) == ()


def test_mentions_inside_urls_and_emails_do_not_count():
    text = (
        "Serbia said so. https://balkaninsight.com/2023/Serbia-Kosovo-talks/ and "
        "www.example.org/Albania also press@UK-embassy.gov.uk and see gov.uk/Russia-sanctions"
    )
    assert pairs(text) == [("Serbia", "Serbia")]


def test_countries_in_lists_distinct_names_in_order_of_first_mention():
    text = "Belgrade and Pristina met; Serbia and Kosovo agreed; the UK welcomed it."
    assert countries_in(text) == ("Serbia", "Kosovo", "United Kingdom")


def test_pro_and_anti_prefixes_still_mention_the_country():
    assert countries_in("pro-Russian and anti-American rhetoric") == ("Russia", "United States")


# --- canonical names -----------------------------------------------------------------------------------


def test_canonical_names_cover_pycountry_and_kosovo():
    names = canonical_names()
    assert len(names) >= 250
    for name in ("Kosovo", "Bosnia and Herzegovina", "North Macedonia", "United Kingdom", "Russia", "Turkey"):
        assert name in names
    assert not [n for n in names if "," in n or "(" in n]


def test_every_mentioned_country_is_canonical():
    names = set(canonical_names())
    text = "Côte d'Ivoire, DRC, Laos, Viet Nam, South Korea, Syria, Iran, Vatican, Czech Republic, Burma"
    found = countries_in(text)
    assert len(found) == 10
    assert set(found) <= names


# --- resolve_country -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "country"),
    [
        ("Serbia", "Serbia"),
        ("serbia", "Serbia"),
        ("Serbai", "Serbia"),
        ("Monteneggro", "Montenegro"),
        ("Macedonia", "North Macedonia"),
        ("bih", "Bosnia and Herzegovina"),
        ("BA", "Bosnia and Herzegovina"),
        ("GBR", "United Kingdom"),
        ("the UK", "United Kingdom"),
        ("Kosovar", "Kosovo"),
        ("XK", "Kosovo"),
        ("prishtina", "Kosovo"),
        ("Türkiye", "Turkey"),
        ("Russian Federation", "Russia"),
        ("  Albania  ", "Albania"),
    ],
)
def test_resolve_country_accepts_names_aliases_codes_and_typos(typed, country):
    assert resolve_country(typed) == country


def test_unknown_country_suggests_close_names():
    with pytest.raises(UnknownCountry) as err:
        resolve_country("Atlantis")
    message = str(err.value)
    assert message.startswith("unknown country 'Atlantis'. Did you mean ")
    assert "\n" not in message
    assert isinstance(err.value, UsageError)


def test_unknown_country_lists_the_corpus_countries():
    with pytest.raises(UnknownCountry, match=r"Countries in this corpus: Albania, Kosovo, Serbia\.$"):
        resolve_country("Narnia", available={"Serbia", "Albania", "Kosovo"})


def test_a_known_country_outside_the_corpus_still_resolves():
    assert resolve_country("Japan", available={"Serbia"}) == "Japan"


def test_a_typo_close_to_two_countries_is_not_guessed():
    with pytest.raises(UnknownCountry, match="Slovakia") as err:
        resolve_country("Slovekia")
    assert "Slovenia" in str(err.value)


def test_an_ambiguous_short_name_asks_which_one():
    with pytest.raises(UnknownCountry, match="Did you mean North Korea, South Korea"):
        resolve_country("Korea")


def test_empty_country_name_is_a_usage_error():
    with pytest.raises(UnknownCountry):
        resolve_country("  ")


# --- general_country_question ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "country"),
    [
        ("What does the report say about Montenegro?", "Montenegro"),
        ("Tell me about Albania in these documents", "Albania"),
        ("Serbia?", "Serbia"),
        ("what do the documents say on kosovo", "Kosovo"),
        ("Summarise what the report says about BiH", "Bosnia and Herzegovina"),
        ("Anything on North Macedonia?", "North Macedonia"),
        ("What is said regarding Türkiye?", "Turkey"),
        ("Give me an overview of what the texts say about the UK.", "United Kingdom"),
        ("Can you tell us about Hungary please", "Hungary"),
        ("How is Croatia described in the transcripts?", "Croatia"),
    ],
)
def test_general_questions_about_a_country_name_it(question, country):
    assert general_country_question(question) == country


@pytest.mark.parametrize(
    "question",
    [
        "What does the report say about Serbian arms purchases?",
        "Since when has Montenegro been a NATO member?",
        "What does the report say about Kosovo's role in the dialogue?",
        "How do Serbia and Kosovo differ?",
        "Who leads Albania?",
        "What does the report say about Belgrade?",
        "What does the report say?",
        "Tell us about the Western Balkans",
        "What does the report recommend for Hungary in 2026?",
    ],
)
def test_specific_questions_are_not_general(question):
    assert general_country_question(question) is None


# --- the real corpus -----------------------------------------------------------------------------------


@pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus not present")
def test_corpus_mentions_are_canonical_and_offsets_exact():
    names = set(canonical_names())
    files = sorted(CORPUS.glob("*.txt"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        mentions = find_mentions(text)
        assert mentions
        assert all(m.country in names and text[m.start : m.end] == m.surface for m in mentions)
        assert all(a.end <= b.start for a, b in zip(mentions, mentions[1:], strict=False))


WORDS = ["Serbia", "Bosnian", "Serb", "and", "the", "North", "Macedonia", "Georgia", "Smith", "UK", "us",
         "’s", "'s", "https://x.org/Kosovo", "Washington", "Post", "Bosnia", "Herzegovina", ",", "\n",
         "Process", "Berlin", "Kosovo"]


@given(st.lists(st.sampled_from(WORDS), max_size=30), st.sampled_from([" ", "", "  "]))
def test_mentions_are_ordered_disjoint_and_verbatim(words, sep):
    text = sep.join(words)
    mentions = find_mentions(text)
    assert all(text[m.start : m.end] == m.surface for m in mentions)
    assert all(a.end <= b.start for a, b in zip(mentions, mentions[1:], strict=False))
    assert countries_in(text) == tuple(dict.fromkeys(m.country for m in mentions))
