"""Answers over the real corpus with the real model: every quote verbatim, every footnote right.

The questions are this test's own (not the dev set's, not the benchmark's).
Each answerable one names words the answer must quote; transcript ones also
the speaker those words belong to. Checked against the index's SQLite store
read with plain sqlite3.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from chat.answer import ABSTAIN
from chat.engine import Engine

# ../shared beside the repository (as CI lays it out), never an absolute path
DEV_QUESTIONS = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "questions.jsonl"
REPORT = "restoring-british-leadership-in-the-western-balkans"
DEBATE = "lords-debate-western-balkans-dayton-2023-10-17"
ORAL_QUESTION = "lords-question-kosovo-2023-06-06"
ARTICLE = "truss-meets-western-balkans-foreign-ministers"


@dataclass(frozen=True)
class Case:
    question: str
    doc_id: str | None = None  # the document the evidence is in; None: the documents don't say
    evidence: str = ""  # words the answer must quote
    speaker: str | None = None  # who said them (transcripts)
    source: str = ""  # part of the report's own footnote the answer must carry


CASES = [
    Case("Which Croat politician works with Dodik to sabotage constitutional reform in Bosnia?", REPORT,
         "The Croat nationalist leader, Dragan Covic"),
    Case("Which countries agreed the 2025 Calais Group Priority Plan with the UK?", REPORT,
         "agreed with Germany, France, Belgium and the Netherlands"),
    Case("What policy on NATO did the Strategic Defence Review set out?", REPORT, 'set out a "NATO First" policy'),
    Case("Which corridor in Bosnia should the Balkans Joint Expeditionary Force secure?", REPORT,
         "securing the critical Brcko corridor"),
    Case("How should the UK expand BBC World Service programming?", REPORT,
         "increasing BBC World Service programming in Western Balkans languages"),
    Case("Which drones has China supplied to Serbia?", REPORT, "the CH-92A and CH-95 drone"),
    Case("What source does the report give for Hungarian special forces helping Dodik escape?", REPORT,
         "Hungarian special forces were even suspected of assisting in Dodik's then planned escape",
         source="vsquare.org/viktor-orban"),
    Case("Who stood at the spot where Archduke Ferdinand was assassinated?", DEBATE,
         "I stood with some colleagues at the spot where the Archduke Ferdinand was assassinated",
         speaker="Lord Alderdice"),
    Case("Who said Hamas is responsible for every spot of blood shed?", DEBATE,
         "responsible for every spot of blood that has been shed", speaker="Lord Cormack"),
    Case("Who paid tribute to Lord Robertson's role as NATO Secretary-General in the debate?", DEBATE,
         "I add my own tribute to my noble friend Lord Robertson", speaker="Lord Anderson of Swansea"),
    Case("Who asked about increasing the UK contribution to NATO HQ in Sarajevo?", ORAL_QUESTION,
         "increasing our contribution to NATO HQ in Sarajevo", speaker="Baroness Helic"),
    Case("What did Bob Stewart stress about Bosnia?", ARTICLE,
         "stressed the need to prevent fighting between communities"),
    pytest.param(
        Case("What commitments did leaders make at the 2018 Western Balkans Summit?", ARTICLE,
             "made commitments in joint declarations on regional co-operation"),
        # The answer quotes the sentence naming the 2018 summit; the commitments are in the next paragraph,
        # which calls it "the gathering three years ago". Reported to the lead; strict, so a fix shows up.
        marks=pytest.mark.xfail(strict=True, reason="answer misses the next paragraph that refers back to the summit"),
    ),
    Case("How many submarines does the Royal Navy operate?"),
    Case("What was the inflation rate in Kosovo in 2024?"),
]


@pytest.fixture(scope="module")
def engine(corpus_index: Path) -> Engine:
    return Engine.open(corpus_index)


@pytest.fixture(scope="module")
def store(corpus_index: Path):
    (path,) = corpus_index.glob("store-*.sqlite")
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    yield con
    con.close()


def check_fidelity(result: dict, store: sqlite3.Connection) -> None:
    """Every quote verbatim at its offsets and inside its passage (or the overlapping windows merged into
    it, ``passage_ids``); sources are the document's own footnotes."""
    for c in result["citations"]:
        doc = store.execute("SELECT text, kind FROM documents WHERE doc_id = ?", (c["doc_id"],)).fetchone()
        ids = c.get("passage_ids") or [c["passage_id"]]
        assert c["passage_id"] in ids
        windows = [store.execute("SELECT text, char_start, char_end, footnotes FROM passages WHERE passage_id = ?",
                                 (i,)).fetchone() for i in ids]
        assert doc is not None and all(w is not None for w in windows), ids
        windows.sort(key=lambda w: w["char_start"])
        for a, b in zip(windows, windows[1:], strict=False):
            assert b["char_start"] <= a["char_end"], "merged windows overlap"
        start, end = windows[0]["char_start"], max(w["char_end"] for w in windows)
        passage = {"text": doc["text"][start:end], "char_start": start,
                   "footnotes": json.dumps(sorted({n for w in windows for n in json.loads(w["footnotes"])}))}
        for w in windows:
            assert passage["text"][w["char_start"] - start : w["char_end"] - start] == w["text"]
        spans = c.get("spans") or [{"quote": c["quote"], "char_start": c["char_start"], "char_end": c["char_end"]}]
        main = [s for s in spans if (s["quote"], s["char_start"], s["char_end"]) ==
                (c["quote"], c["char_start"], c["char_end"])]
        assert main  # the citation's quote is one of its spans, said by the citation's speaker
        assert main[0].get("speaker", c["speaker"]) == c["speaker"]
        for span in spans:
            assert span["quote"].strip()
            assert doc["text"][span["char_start"] : span["char_end"]] == span["quote"]
            assert span["quote"] in passage["text"]
            offset = span["char_start"] - passage["char_start"]
            assert passage["text"][offset : offset + len(span["quote"])] == span["quote"]
        passage_notes = set(json.loads(passage["footnotes"]))
        for s in c["sources"]:
            note = store.execute("SELECT text FROM footnotes WHERE doc_id = ? AND n = ?",
                                 (c["doc_id"], s["n"])).fetchone()
            assert note is not None and note["text"] == s["text"], (c["doc_id"], s["n"])
            assert s["n"] in passage_notes
        if doc["kind"] == "transcript":
            assert c["speaker"], c["passage_id"]


def check_numbering(result: dict) -> None:
    """Citations are numbered 1..n in the order the answer first uses them; every quote is in the answer."""
    numbers = [c["n"] for c in result["citations"]]
    assert numbers == list(range(1, len(numbers) + 1))
    used = list(dict.fromkeys(int(n) for n in re.findall(r"\[(\d+)\]", result["answer"])))
    assert used == numbers
    for c in result["citations"]:
        for span in c.get("spans") or [c]:
            assert span["quote"] in result["answer"]


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.question[:48])
def test_corpus_question(engine, store, case: Case):
    result = engine.answer(case.question)
    check_fidelity(result, store)
    check_numbering(result)
    if case.doc_id is None:
        assert result["abstained"] is True
        assert result["answer"] == ABSTAIN == "The documents don't say."
        assert result["citations"] == []
        return
    assert result["abstained"] is False and result["citations"]
    holding = [c for c in result["citations"]
               if c["doc_id"] == case.doc_id and any(case.evidence in s["quote"] for s in c["spans"])]
    assert holding, f"no citation quotes {case.evidence!r}: {result['answer'][:500]}"
    if case.speaker:
        assert holding[0]["speaker"] == case.speaker
        # the quote opens with who said it, and when where the transcript has a time
        assert re.search(re.escape(case.speaker) + r"(?:, \d\d:\d\d)?: “", result["answer"])
    if case.source:
        assert any(case.source in s["text"] for s in holding[0]["sources"])


@pytest.mark.slow
def test_a_country_question_gets_the_brief_with_verbatim_quotes(engine, store):
    result = engine.answer("What do the documents say about Croatia?")
    assert result["brief"]["country"] == "Croatia"
    assert result["abstained"] is False
    check_fidelity(result, store)
    check_numbering(result)
    for c in result["citations"]:
        assert re.search(r"\bCroat(?:ia|ian|ians|s)?\b|Zagreb", " ".join(s["quote"] for s in c["spans"]))
    assert {c["doc_id"] for c in result["citations"]} >= {REPORT, DEBATE}


@pytest.mark.slow
def test_report_answers_carry_the_reports_own_footnotes(engine, store):
    result = engine.answer("Where is the largest Russian intelligence station in the region?")
    check_fidelity(result, store)
    cited = [c for c in result["citations"] if "Humanitarian Centre in Nis" in c["quote"]]
    assert cited and 12 in [s["n"] for s in cited[0]["sources"]]


@pytest.mark.slow
@pytest.mark.skipif(not DEV_QUESTIONS.exists(), reason=f"{DEV_QUESTIONS} is not on this machine")
def test_dev_questions_quote_verbatim(engine, store):
    """Only fidelity: what the dev questions score is the benchmark's business."""
    lines = [json.loads(line) for line in DEV_QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert lines
    for item in lines:
        result = engine.answer(item["question"], country=item.get("country"))
        check_fidelity(result, store)
        check_numbering(result)
        if result["abstained"]:
            assert result["citations"] == []
