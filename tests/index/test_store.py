import json
import sqlite3

import pytest

from index.manifest import FORMAT, Manifest, read_manifest, write_manifest
from index.store import FTS_TOKENIZER, fts_query, fts_terms, speaker_match
from ingest.errors import CorruptIndex, IndexMissing, StaleIndex


@pytest.mark.parametrize(
    "question",
    ['say "hello', "NEAR(a b)", "weap*", "a AND OR b", "'; DROP TABLE passages; --", "x - y", "NOT this", "^start"],
)
def test_fts_query_turns_user_syntax_into_plain_terms(question):
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE t USING fts5 (text)")
    con.execute("INSERT INTO t VALUES ('a b hello weap this start DROP TABLE passages')")
    match = fts_query(question)
    assert match is not None
    con.execute("SELECT rowid FROM t WHERE t MATCH ?", (match,)).fetchall()  # no syntax error
    assert con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0


def test_fts_query_of_punctuation_only_is_none():
    assert fts_query("?!... --") is None


def test_stopwords_are_not_ored_into_the_query_unless_nothing_else_is_left():
    stop = {"what", "did", "the", "say", "about"}
    assert fts_query("What did the Minister say about Kosovo?", stop) == '"Minister" OR "Kosovo"'
    assert fts_query("What did the", stop) == '"What" OR "did" OR "the"'


def test_fts_terms_are_the_terms_fts5_indexes_so_another_engine_matches_the_same_words():
    assert fts_terms(["The sanctions on Serbia's drones", "", "Café running 1.5"]) == [
        ["the", "sanction", "on", "serbia", "s", "drone"], [], ["cafe", "run", "1", "5"]]
    # a text's terms, written out with spaces, match in FTS5 exactly the rows the text itself matches
    from index.store import SCHEMA

    assert f"tokenize = '{FTS_TOKENIZER}'" in SCHEMA
    texts = ["Sanctioned exporters ran drones", "a sanction", "drone exports", "nothing here"]
    con = sqlite3.connect(":memory:")
    con.execute(f"CREATE VIRTUAL TABLE raw USING fts5 (x, tokenize = '{FTS_TOKENIZER}')")
    con.execute("CREATE VIRTUAL TABLE plain USING fts5 (x, tokenize = 'unicode61')")
    con.executemany("INSERT INTO raw (rowid, x) VALUES (?, ?)", enumerate(texts))
    con.executemany("INSERT INTO plain (rowid, x) VALUES (?, ?)",
                    [(i, " ".join(t)) for i, t in enumerate(fts_terms(texts))])
    for word in ("sanctions", "Drones", "exporting", "ran"):
        (term,) = fts_terms([word])
        raw = con.execute("SELECT rowid FROM raw WHERE raw MATCH ?", (f'"{word}"',)).fetchall()
        plain = con.execute("SELECT rowid FROM plain WHERE plain MATCH ?", (f'"{term[0]}"',)).fetchall()
        assert raw == plain and raw, word


def test_speaker_match_finds_the_label_as_a_phrase_in_the_speaker_column():
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE t USING fts5 (text, speaker)")
    con.executemany("INSERT INTO t (rowid, text, speaker) VALUES (?,?,?)",
                    [(1, "Kirsty Williams said", "Lynne Neagle AM"), (2, "yes", "Kirsty Williams AM; Huw Morris"),
                     (3, "no", "Kirsty Jones"), (4, "no", "Jane Williams AM; Kirsty Jones")])
    match = speaker_match("Kirsty Williams AM")
    assert [r for (r,) in con.execute("SELECT rowid FROM t WHERE t MATCH ?", (match,))] == [2]


def _manifest(**changes) -> Manifest:
    return Manifest(**{**Manifest("m", 4, 1, 0, 0, 0).__dict__, **changes})


def test_manifest_roundtrip(tmp_path):
    write_manifest(tmp_path, _manifest(files={"a.txt": "00"}))
    assert read_manifest(tmp_path).files == {"a.txt": "00"}


def test_missing_manifest_says_how_to_build(tmp_path):
    with pytest.raises(IndexMissing, match="python -m ingest"):
        read_manifest(tmp_path / "nowhere")


def test_newer_format_is_refused_with_rebuild_command(tmp_path):
    write_manifest(tmp_path, _manifest(format=FORMAT + 1))
    with pytest.raises(StaleIndex, match="newer Quotable.*--rebuild"):
        read_manifest(tmp_path)


def test_garbage_manifest_is_corrupt(tmp_path):
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(CorruptIndex, match="--rebuild"):
        read_manifest(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"format": FORMAT}))
    with pytest.raises(CorruptIndex, match="incomplete"):
        read_manifest(tmp_path)
