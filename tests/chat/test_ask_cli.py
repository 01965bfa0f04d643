"""`python -m chat.ask` as a user runs it: a subprocess against a small index built with the hashing embedder.

The CLI reads the model name from the index's manifest, so no real model is
loaded. Quotes are checked against the documents table of the index's own
SQLite store, read here with plain sqlite3.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

CITATION_KEYS = {"n", "doc_id", "title", "section", "page", "page_label", "start_s", "speaker", "quote",
                 "passage_id", "char_start", "char_end", "sources"}
PASSAGE_KEYS = {"rank", "passage_id", "doc_id", "text", "section", "page", "score"}

EXTRA_DOC = """Serbia Notes

Trade

Serbia exports raspberries to many markets. Farmers in Serbia work long hours in summer.

Transport

Serbia is building new railways with foreign loans. The line to the border is late.

Energy

Serbia buys most of its gas through one pipeline. Albania relies on hydropower instead.
"""


def ask(*args: str, stdin: str | None = None, index: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    env.pop("QUOTABLE_INDEX", None)
    argv = [sys.executable, "-m", "chat.ask", *args]
    if index is not None:
        argv += ["--index-dir", str(index)]
    done = subprocess.run(argv, cwd=REPO, env=env, input=stdin if stdin is not None else "",
                          capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def ask_json(*args: str, index: Path) -> dict:
    done = ask(*args, "--json", index=index)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def clean_texts(index: Path) -> dict[str, str]:
    (store,) = index.glob("store-*.sqlite")
    con = sqlite3.connect(store)
    try:
        return dict(con.execute("SELECT doc_id, text FROM documents"))
    finally:
        con.close()


def assert_contract(result: dict, index: Path) -> None:
    """The contract's keys and types, and every quote verbatim at its offsets."""
    assert {"question", "answer", "abstained", "citations", "passages"} <= set(result)
    assert isinstance(result["answer"], str) and isinstance(result["abstained"], bool)
    texts = clean_texts(index)
    for n, c in enumerate(result["citations"], start=1):
        assert CITATION_KEYS <= set(c), CITATION_KEYS - set(c)
        assert c["n"] == n
        assert texts[c["doc_id"]][c["char_start"] : c["char_end"]] == c["quote"]
        assert c["quote"].strip()
        for s in c["sources"]:
            assert set(s) >= {"n", "text"} and isinstance(s["n"], int) and s["text"]
    for rank, p in enumerate(result["passages"], start=1):
        assert PASSAGE_KEYS <= set(p), PASSAGE_KEYS - set(p)
        assert p["rank"] == rank and isinstance(p["score"], float)
        assert p["text"] in texts[p["doc_id"]]


def test_plain_answer_is_the_quote_then_numbered_footnotes(small_index):
    done = ask("Who built the oldest bridge?", index=small_index)
    assert done.returncode == 0, done.stderr
    answer, _, footnotes = done.stdout.rstrip("\n").partition("\n\n[1] ")
    assert "The oldest bridge was built in 1820 by local masons." in answer
    assert re.search(r"“[^”]+” \[1\]", answer)
    lines = ("[1] " + footnotes).split("\n")
    assert lines[0].startswith("[1] Small Report On Bridges, Introduction")
    assert "https://example.org/bridges/history" in lines[0]  # the report's own footnote for the sentence
    assert [line.split("]")[0] for line in lines] == [f"[{n}" for n in range(1, len(lines) + 1)]


def test_plain_transcript_citation_names_speaker_and_time(small_index):
    done = ask("What does the middle bridge need?", index=small_index)
    assert done.returncode == 0, done.stderr
    assert "John Roe, 10:07: “The middle bridge needs new bearings within two years.” [1]" in done.stdout
    assert "\n[1] Bridge Committee Hearing — John Roe, 10:07" in done.stdout


def test_json_answer_has_the_contract_shape_and_verbatim_quotes(small_index):
    result = ask_json("Who built the oldest bridge?", index=small_index)
    assert result["question"] == "Who built the oldest bridge?"
    assert result["abstained"] is False
    assert_contract(result, small_index)
    first = result["citations"][0]
    assert (first["doc_id"], first["section"], first["title"]) == ("bridges", "Introduction", "Small Report On Bridges")
    assert first["sources"] == [{"n": 1, "text": "https://example.org/bridges/history"}]
    assert (first["speaker"], first["start_s"], first["page"]) == (None, None, None)
    assert "[1]" in result["answer"]


def test_json_transcript_citation_carries_speaker_and_start(small_index):
    result = ask_json("What does the middle bridge need?", index=small_index)
    assert_contract(result, small_index)
    c = result["citations"][0]
    assert (c["doc_id"], c["speaker"], c["start_s"]) == ("hearing", "John Roe", 10 * 3600 + 7 * 60)


@pytest.mark.parametrize("k", [1, 3, 5])
def test_k_sets_the_number_of_passages(small_index, k):
    from index.manifest import read_manifest

    result = ask_json("Who sent engineers to study the levy?", "-k", str(k), index=small_index)
    # the small index holds 4 passages (the hearing's two short turns are one exchange)
    expected = min(k, read_manifest(small_index).passages)
    assert expected >= min(k, 4)
    assert [p["rank"] for p in result["passages"]] == list(range(1, expected + 1))
    assert_contract(result, small_index)


def test_each_retriever_runs_and_bm25_only_ranks_passages_with_a_query_word(small_index):
    ranked = {}
    for retriever in ("dense", "bm25", "hybrid"):
        result = ask_json("bearings", "--retriever", retriever, "-k", "3", index=small_index)
        assert_contract(result, small_index)
        ranked[retriever] = [(p["passage_id"], p["text"]) for p in result["passages"]]
    # the only passage with the word: the hearing's exchange, whose second turn has it
    assert len(ranked["bm25"]) == 1 and ranked["bm25"][0][0].startswith("hearing:") and "bearings" in ranked["bm25"][0][1]
    assert len(ranked["dense"]) == 3 and len(ranked["hybrid"]) == 3
    assert ranked["hybrid"][0] == ranked["bm25"][0]


def test_unknown_retriever_is_a_usage_error(small_index):
    done = ask("bearings", "--retriever", "magic", index=small_index)
    assert done.returncode == 2


def test_doc_filter_keeps_only_that_documents_passages(small_index):
    result = ask_json("What about the bridges?", "--doc", "hearing", "-k", "5", index=small_index)
    assert_contract(result, small_index)
    assert result["passages"] and {p["doc_id"] for p in result["passages"]} == {"hearing"}
    assert {c["doc_id"] for c in result["citations"]} <= {"hearing"}


def test_country_filter_with_a_question_keeps_only_passages_that_mention_it(small_index):
    result = ask_json("What does the middle bridge need?", "--country", "Kosovo", "-k", "5", index=small_index)
    assert_contract(result, small_index)
    assert result["passages"] and all("Kosovo" in p["text"] for p in result["passages"])
    assert "brief" not in result


def test_country_alone_gives_the_brief_of_every_passage_that_mentions_it(small_index):
    result = ask_json("--country", "serbia", index=small_index)
    assert_contract(result, small_index)
    assert result["brief"]["country"] == "Serbia"
    assert [c["quote"] for c in result["citations"]] == ["Serbia and Albania sent engineers to study the levy in 2019."]
    plain = ask("--country", "Serbia", index=small_index)
    assert plain.returncode == 0
    assert "“Serbia and Albania sent engineers to study the levy in 2019.” [1]" in plain.stdout
    assert "[1] Small Report On Bridges, Funding" in plain.stdout


def test_brief_does_not_read_stdin(small_index):
    done = ask("--country", "Kosovo", "--json", stdin="What about Serbia?\n", index=small_index)
    assert done.returncode == 0
    lines = done.stdout.strip().split("\n")
    assert len(lines) == 1 and json.loads(lines[0])["brief"]["country"] == "Kosovo"


def test_unknown_country_exits_2_with_one_line_listing_the_corpus_countries(small_index):
    for args in (["--country", "Narnia"], ["What sank?", "--country", "Narnia"]):
        done = ask(*args, index=small_index)
        assert done.returncode == 2
        assert done.stdout == ""
        assert done.stderr.count("\n") == 1 and "Narnia" in done.stderr
        assert "Albania, Kosovo, Serbia" in done.stderr


def test_unknown_document_exits_2_and_lists_the_documents(small_index):
    done = ask("What sank?", "--doc", "no-such-doc", index=small_index)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "no-such-doc" in done.stderr
    assert "bridges" in done.stderr and "hearing" in done.stderr


@pytest.mark.parametrize("question", ["", "   "])
def test_empty_question_exits_2(small_index, question):
    done = ask(question, index=small_index)
    assert done.returncode == 2
    assert done.stdout == "" and done.stderr.startswith("error: ")


def test_missing_index_exits_3_and_says_how_to_build_it(tmp_path):
    done = ask("Who built the bridge?", index=tmp_path / "nowhere")
    assert done.returncode == 3
    assert "python -m ingest" in done.stderr
    assert done.stderr.count("\n") == 1


def test_batch_answers_one_json_object_per_line_in_order(small_index):
    questions = ["Who built the oldest bridge?", "What does the middle bridge need?", "Who funds repairs?"]
    done = ask(stdin="\n".join(questions) + "\n", index=small_index)
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["question"] for r in results] == questions
    for result in results:
        assert_contract(result, small_index)


def test_batch_line_that_cannot_be_answered_gets_an_error_object_and_the_batch_goes_on(small_index):
    done = ask("--json", stdin="Who built the oldest bridge?\n\nWho funds repairs?\n", index=small_index)
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(results) == 3
    assert "error" not in results[0] and "error" not in results[2]
    assert results[1]["question"] == "" and results[1]["error"]
    assert results[2]["question"] == "Who funds repairs?"


def test_session_resolves_a_follow_up_against_the_previous_line(small_index):
    lines = "What did Serbia send to study the levy?\nand what about Albania?\n"
    session = [json.loads(line) for line in ask("--session", stdin=lines, index=small_index).stdout.splitlines()]
    assert len(session) == 2
    assert "resolved_question" not in session[0]
    follow = session[1]
    assert follow["question"] == "and what about Albania?"
    assert "Albania" in follow["resolved_question"] and "levy" in follow["resolved_question"]
    assert "Serbia" not in follow["resolved_question"]
    alone = [json.loads(line) for line in ask(stdin=lines, index=small_index).stdout.splitlines()]
    assert all("resolved_question" not in r for r in alone)


@pytest.fixture
def counted_index(tmp_path, small_corpus, hashing_embedder):
    from index.build import IngestConfig, ingest_paths

    (small_corpus / "serbia-notes.txt").write_text(EXTRA_DOC, encoding="utf-8")
    index_dir = tmp_path / "counted"
    report = ingest_paths([small_corpus], index_dir, IngestConfig(model=hashing_embedder.name),
                          embedder=hashing_embedder, progress=False)
    assert report.failed == []
    return index_dir


def test_countries_lists_passage_counts_most_mentioned_first(counted_index):
    done = ask("--countries", index=counted_index)
    assert done.returncode == 0, done.stderr
    listed = [(m[2], int(m[1])) for m in (re.match(r"^\s*(\d+)\s+(\S.*)$", line) for line in done.stdout.splitlines())]
    # counted here from the passages' text: Serbia in the levy paragraph and three sections of the notes
    (store,) = counted_index.glob("store-*.sqlite")
    texts = [t for (t,) in sqlite3.connect(store).execute("SELECT text FROM passages")]
    expected = {c: sum(bool(re.search(rf"\b{c}\b", t)) for t in texts) for c in ("Serbia", "Albania", "Kosovo")}
    assert expected["Serbia"] >= 4 and expected["Albania"] == 2 and expected["Kosovo"] == 1
    assert dict(listed) == expected
    assert [n for _, n in listed] == sorted((n for _, n in listed), reverse=True)
    assert listed[0] == ("Serbia", expected["Serbia"])
