"""The country brief: every passage that mentions a country, and nothing else.

Which passages mention a country is worked out here, independently of
ingest/countries.py, from hand-written alias lists and word-boundary
patterns over the passages' clean text. The lists follow the documented
rules: "Bosnian Serb(s)" is Bosnia and Herzegovina and "Kosovo Serb(s)" /
"Kosovo Albanian(s)" are Kosovo, not Serbia or Albania; "Republika Srpska"
and "Banja Luka" are Bosnia and Herzegovina; a capital inside the name of a
conference, process or institution is not its country.
"""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

import pytest

from chat.engine import Engine
from ingest.errors import UnknownCountry

ALIASES = {
    "Serbia": ["Serbia", "Republic of Serbia", "Serbian", "Serbians", "Serb", "Serbs", "Belgrade"],
    "Kosovo": ["Kosovo", "Kosova", "Kosovar", "Kosovars", "Kosovan", "Kosovans", "Pristina", "Prishtina"],
    "Bosnia and Herzegovina": ["Bosnia and Herzegovina", "Bosnia-Herzegovina", "Bosnia", "Herzegovina", "BiH", "B&H",
                               "Bosnian", "Bosnians", "Bosniak", "Bosniaks", "Sarajevo", "Republika Srpska", "Srpska",
                               "Banja Luka"],
    "Montenegro": ["Montenegro", "Montenegrin", "Montenegrins", "Podgorica", "Crna Gora"],
    "Albania": ["Albania", "Albanian", "Albanians", "Tirana"],
    "North Macedonia": ["North Macedonia", "Macedonia", "North Macedonian", "Macedonian", "Macedonians", "Skopje",
                        "FYROM"],
    "Hungary": ["Hungary", "Hungarian", "Hungarians", "Budapest"],
    "United Kingdom": ["United Kingdom", "UK", "U.K.", "Great Britain", "Britain", "British", "Briton", "Britons",
                       "London", "Westminster", "Whitehall", "Downing Street", "England", "Scotland", "Wales",
                       "Northern Ireland", "Scottish", "Welsh"],
}
# A place word then an ethnic-group word name a community of the place, not the group's country.
COMMUNITIES = {"Serbia": r"(?:Bosnian|Kosovo)\s+Serbs?\b", "Albania": r"Kosovo\s+Albanians?\b"}
# "London Conference", "University of Westminster", "King's College London": institutions, not the country.
NOT_THE_COUNTRY = r"(?:London|Westminster)\s+(?:Conference|Process|Summit|Agreement|Treaty)\b|University\s+of\s+" \
                  r"Westminster|College\s+London"


def mentions(country: str, text: str) -> bool:
    text = re.sub(COMMUNITIES.get(country, r"(?!)"), " ", text)
    text = re.sub(NOT_THE_COUNTRY, " ", text)
    forms = sorted(ALIASES[country], key=len, reverse=True)
    pattern = r"(?<![\w&])(?:" + "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in forms) + r")(?![\w&])"
    return re.search(pattern, text) is not None


def stored_passages(index_dir: Path) -> list[tuple[str, str, int, str]]:
    (store,) = index_dir.glob("store-*.sqlite")
    con = sqlite3.connect(store)
    try:
        return con.execute("SELECT passage_id, doc_id, char_start, text FROM passages").fetchall()
    finally:
        con.close()


def document_texts(index_dir: Path) -> dict[str, str]:
    (store,) = index_dir.glob("store-*.sqlite")
    con = sqlite3.connect(store)
    try:
        return dict(con.execute("SELECT doc_id, text FROM documents"))
    finally:
        con.close()


@pytest.fixture(scope="module")
def corpus_engine(corpus_index: Path) -> Engine:
    return Engine.open(corpus_index)


@pytest.mark.slow
@pytest.mark.parametrize("country", list(ALIASES))
def test_brief_holds_every_passage_that_mentions_the_country_and_nothing_else(corpus_engine, corpus_index, country):
    passages = stored_passages(corpus_index)
    expected = {pid for pid, _, _, text in passages if mentions(country, text)}
    brief = corpus_engine.brief(country)
    got = [c["passage_id"] for c in brief["citations"]]
    assert len(got) == len(set(got))
    assert set(got) == expected
    assert brief["brief"] == {"country": country, "passages": len(expected),
                              "documents": len({c["doc_id"] for c in brief["citations"]}),
                              "offset": 0, "shown": len(expected), "next_offset": None}
    assert brief["abstained"] is False


@pytest.mark.slow
def test_briefs_span_the_report_and_the_news_article(corpus_engine):
    for country in ("Serbia", "Kosovo", "Bosnia and Herzegovina", "Montenegro", "Albania", "North Macedonia"):
        docs = {c["doc_id"] for c in corpus_engine.brief(country)["citations"]}
        assert {"restoring-british-leadership-in-the-western-balkans",
                "truss-meets-western-balkans-foreign-ministers"} <= docs, country


@pytest.mark.slow
@pytest.mark.parametrize("country", ["Serbia", "Kosovo", "Hungary"])
def test_brief_citations_are_in_document_order_and_quote_the_mentions(corpus_engine, corpus_index, country):
    texts = document_texts(corpus_index)
    brief = corpus_engine.brief(country)
    places = [(c["doc_id"], c["char_start"]) for c in brief["citations"]]
    assert places == sorted(places)
    assert [c["n"] for c in brief["citations"]] == list(range(1, len(places) + 1))
    for c in brief["citations"]:
        assert texts[c["doc_id"]][c["char_start"] : c["char_end"]] == c["quote"]
        for span in c["spans"]:
            assert texts[c["doc_id"]][span["char_start"] : span["char_end"]] == span["quote"]
        assert mentions(country, " ".join(span["quote"] for span in c["spans"])), c["passage_id"]
        assert f"[{c['n']}]" in brief["answer"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "country"),
    [
        ("What does the report say about Montenegro?", "Montenegro"),
        ("Tell me about Albania in these documents", "Albania"),
        ("Serbia?", "Serbia"),
        ("what do the documents say about north macedonia", "North Macedonia"),
    ],
)
def test_a_general_question_about_a_country_gets_its_brief(corpus_engine, question, country):
    result = corpus_engine.answer(question)
    assert result["brief"]["country"] == country
    assert result["question"] == question
    assert [c["passage_id"] for c in result["citations"]] == \
        [c["passage_id"] for c in corpus_engine.brief(country)["citations"]]


@pytest.mark.slow
def test_a_specific_question_about_a_country_is_answered_not_briefed(corpus_engine):
    result = corpus_engine.answer("What does the report say about Serbian arms purchases?")
    assert "brief" not in result
    assert result["abstained"] is False
    filtered = corpus_engine.answer("What does the report say about Serbian arms purchases?", country="Serbia")
    assert "brief" not in filtered
    assert filtered["filters"]["country"] == "Serbia"
    assert filtered["passages"] and all(mentions("Serbia", p["text"]) for p in filtered["passages"])


@pytest.mark.slow
def test_brief_comes_from_the_stored_mention_table(corpus_engine, corpus_index, record_property):
    """The brief is a lookup of the mentions stored at ingest; its time is recorded, not judged (see bench/)."""
    started = time.perf_counter()
    brief = corpus_engine.brief("Serbia")
    record_property("brief_serbia_seconds", round(time.perf_counter() - started, 4))
    (store,) = corpus_index.glob("store-*.sqlite")
    con = sqlite3.connect(store)
    rows = [r for (r,) in con.execute("SELECT DISTINCT row FROM mentions WHERE country = 'Serbia'")]
    ids = {pid for (pid,) in con.execute(
        f"SELECT passage_id FROM passages WHERE row IN ({','.join('?' * len(rows))})", rows)}
    con.close()
    assert {c["passage_id"] for c in brief["citations"]} == ids


SMALL_DOC = """Regional Notes

Borders

Macedonia opened a new border crossing in 2020. Traders welcomed the shorter queues.

Elections

Bosnia held local elections last year. Turnout was low in the north.

Trade

Georgia signed a trade deal with its neighbours. The deal covers wine and fruit.

Staff

Georgia Smith wrote this section of the notes. She works in the research team.

Communities

Bosnian Serbs voted in the north. Kosovo Albanians marked a holiday.

Meetings

The London Conference of the Berlin Process met in October. Delegates agreed a short statement.
"""


@pytest.fixture
def notes_engine(tmp_path, hashing_embedder) -> Engine:
    from index.build import IngestConfig, ingest_paths

    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "notes.txt").write_text(SMALL_DOC, encoding="utf-8")
    index_dir = tmp_path / "notes-index"
    report = ingest_paths([folder], index_dir, IngestConfig(model=hashing_embedder.name), embedder=hashing_embedder,
                          progress=False)
    assert report.failed == []
    return Engine.open(index_dir, embedder=hashing_embedder)


def _quotes(result: dict) -> list[str]:
    return [c["quote"] for c in result["citations"]]


def test_macedonia_means_north_macedonia(notes_engine):
    brief = notes_engine.brief("Macedonia")
    assert brief["brief"]["country"] == "North Macedonia"
    assert _quotes(brief) == ["Macedonia opened a new border crossing in 2020."]
    assert notes_engine.answer("What about Macedonia?")["brief"]["country"] == "North Macedonia"


def test_bosnia_means_bosnia_and_herzegovina(notes_engine):
    brief = notes_engine.brief("Bosnia")
    assert brief["brief"]["country"] == "Bosnia and Herzegovina"
    assert _quotes(brief)[0] == "Bosnia held local elections last year."
    assert notes_engine.answer("Bosnia?")["brief"]["country"] == "Bosnia and Herzegovina"


def test_georgia_the_country_is_briefed_but_not_georgia_the_person(notes_engine):
    brief = notes_engine.brief("Georgia")
    assert brief["brief"]["country"] == "Georgia"
    assert _quotes(brief) == ["Georgia signed a trade deal with its neighbours."]
    assert not any("Smith" in c["quote"] for c in brief["citations"])


def test_a_community_belongs_to_its_place_not_to_the_groups_country(notes_engine):
    assert _quotes(notes_engine.brief("Bosnia and Herzegovina")) == ["Bosnia held local elections last year.",
                                                                     "Bosnian Serbs voted in the north."]
    assert _quotes(notes_engine.brief("Kosovo")) == ["Kosovo Albanians marked a holiday."]
    assert notes_engine.brief("Albania")["citations"] == []


def test_a_capital_in_the_name_of_a_conference_is_not_its_country(notes_engine):
    assert notes_engine.brief("United Kingdom")["citations"] == []


def test_a_country_the_documents_do_not_mention_gets_an_empty_brief(notes_engine):
    brief = notes_engine.brief("Serbia")
    assert brief["citations"] == [] and brief["abstained"] is True
    assert "Serbia" in brief["answer"]


def test_an_unknown_name_is_refused_with_suggestions(notes_engine):
    with pytest.raises(UnknownCountry, match=r"unknown country 'Narnia'\. Did you mean \w"):
        notes_engine.brief("Narnia")


def test_a_close_misspelling_resolves_to_the_country(notes_engine):
    assert notes_engine.brief("Macedonai")["brief"]["country"] == "North Macedonia"


def test_a_long_brief_comes_a_page_at_a_time(tmp_path, hashing_embedder):
    from chat.brief import country_brief
    from index.build import IngestConfig, ingest_paths

    folder = tmp_path / "many"
    folder.mkdir()
    for d in range(3):
        paras = [f"Serbia and its river number {d}-{i} flooded in the spring of {1990 + i}, the mayor said."
                 + " The town rebuilt its walls." * 8 for i in range(12)]
        (folder / f"doc{d}.txt").write_text("\n\n".join(paras) + "\n", encoding="utf-8")
    index_dir = tmp_path / "many-index"
    ingest_paths([folder], index_dir, IngestConfig(model=hashing_embedder.name), embedder=hashing_embedder,
                 progress=False)
    engine = Engine.open(index_dir, embedder=hashing_embedder)
    whole = country_brief(engine, "Serbia", limit=1000)
    assert whole["brief"]["next_offset"] is None and whole["brief"]["shown"] == whole["brief"]["passages"] > 7
    pages, offset = [], 0
    while offset is not None:
        page = country_brief(engine, "Serbia", offset=offset, limit=4)
        assert page["brief"]["shown"] <= 4 and page["brief"]["passages"] == whole["brief"]["passages"]
        pages.append(page)
        offset = page["brief"]["next_offset"]
    assert [c["passage_id"] for p in pages for c in p["citations"]] == [c["passage_id"] for c in whole["citations"]]
    assert [c["n"] for c in pages[1]["citations"]] == [5, 6, 7, 8]
    assert "of " + str(whole["brief"]["passages"]) in pages[0]["answer"]
