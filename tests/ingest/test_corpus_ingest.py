"""The shipped corpus through load + chunk (no model), and once through `python -m ingest` (real model).

Expectations are read from the raw files with this test's own simple
patterns, not from the product's parsers: the [HH:MM] openings of the
transcripts, the report's page-split paragraphs (a body line that ends
mid-sentence, footnote definitions, then a line that goes on in lower case).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from ingest.chunk import chunk
from ingest.loaders import load

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"
REPORT = CORPUS / "restoring-british-leadership-in-the-western-balkans.txt"
TRANSCRIPTS = sorted(CORPUS.glob("lords-*.txt"))
FILES = sorted(CORPUS.glob("*.txt"))

# A turn opens with an optional [HH:MM], a name, its bracketed party/role, optional [tags], then ": ".
TURN_OPENING = re.compile(r"^(?:\[(\d\d):(\d\d)\] )?([A-Z][A-Za-z ]+?) \(.*?\)(?: \[[^\]]*\])*: ")
# A footnote definition line of the report: superscript digits or a LaTeX remnant first.
NOTE_LINE = re.compile(r"^\s*(?:[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\$\^)")


@cache
def _loaded(path: Path):
    doc = load(path)
    return doc, tuple(chunk(doc))


# The one speaker of the shipped transcripts whose heading gives an office ("(The Minister of State, ...)"):
# every turn of his in that record carries it.
OFFICES = {"lords-question-kosovo-2023-06-06": {"Lord Ahmad of Wimbledon": "Lord Ahmad of Wimbledon (Minister of State)"}}


def _raw_turns(path: Path) -> list[tuple[int, str, float | None]]:
    """(offset in the raw file, speaker, start in seconds or None) of every turn opening."""
    raw = path.read_text(encoding="utf-8")
    turns, offset = [], 0
    for line in raw.split("\n"):
        m = TURN_OPENING.match(line)
        if m:
            start = int(m[1]) * 3600 + int(m[2]) * 60 if m[1] else None
            turns.append((offset, OFFICES.get(path.stem, {}).get(m[3], m[3]), start))
        offset += len(line) + 1
    return turns


def test_the_report_recovers_all_63_footnotes():
    doc, _ = _loaded(REPORT)
    assert doc.kind == "report"
    assert sorted(doc.footnotes) == list(range(1, 64))
    assert all(text.strip() for text in doc.footnotes.values())
    assert "SNSD and HDZ" in doc.footnotes[22]  # the prose footnote, not a URL


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_passage_is_the_exact_slice_of_the_clean_text(path):
    doc, passages = _loaded(path)
    assert passages
    for p in passages:
        assert doc.text[p.char_start : p.char_end] == p.text
        for s in p.sentences:
            assert p.char_start <= s.char_start < s.char_end <= p.char_end
    starts = [p.char_start for p in passages]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=lambda p: p.stem)
def test_transcript_turns_keep_the_speaker_and_time_of_the_source(path):
    doc, _ = _loaded(path)
    expected = [(speaker, start) for _, speaker, start in _raw_turns(path)]
    turns = [(b.speaker, b.start_s) for b in doc.blocks if b.kind == "turn"]
    assert len(expected) >= 5
    assert turns == expected


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=lambda p: p.stem)
def test_every_transcript_sentence_has_its_speaker_and_lies_within_one_turn(path):
    # A passage may hold an exchange of several turns; each of its sentences is one speaker's words.
    doc, passages = _loaded(path)
    raw = path.read_text(encoding="utf-8")
    turns = _raw_turns(path)
    for p in passages:
        assert p.sentences and p.speakers
        assert p.speaker == (p.speakers[0] if len(p.speakers) == 1 else None), p.passage_id
        for s in p.sentences:
            text = p.sentence_text(s)
            block = [b for b in doc.blocks if b.char_start <= s.char_start and s.char_end <= b.char_end]
            assert len(block) == 1 and block[0].kind == "turn", (p.passage_id, text[:60])
            assert (s.speaker, s.start_s) == (block[0].speaker, block[0].start_s)
            # Find the sentence in the raw file: it lies between one turn opening and the next.
            first = [line for line in text.split("\n") if line.strip()][0]
            at = raw.index(first[:80])
            opening = max(i for i, (offset, _, _) in enumerate(turns) if offset <= at)
            end = turns[opening + 1][0] if opening + 1 < len(turns) else len(raw)
            _, speaker, start = turns[opening]
            assert (s.speaker, s.start_s) == (speaker, start), (p.passage_id, text[:60])
            for line in text.split("\n"):
                assert line.strip() in raw[turns[opening][0] : end], (p.passage_id, line[:60])


def test_no_transcript_passage_holds_editorial_brackets_or_header_lines():
    for path in TRANSCRIPTS:
        _, passages = _loaded(path)
        for p in passages:
            assert not re.search(r"\[(?:\.\.\.|GAP|FRAGMENT|COMPLETE|INCOMPLETE|speaker inferred)", p.text)
            assert "Open Parliament Licence" not in p.text


def test_each_report_passage_lists_exactly_the_footnote_markers_within_its_span():
    doc, passages = _loaded(REPORT)
    for p in passages:
        inside = {m.n for m in doc.markers if p.char_start < m.pos <= p.char_end}
        assert set(p.footnotes) == inside, p.passage_id
        per_sentence = {n for s in p.sentences for n in s.footnotes}
        assert per_sentence == set(p.footnotes)
    cited = {n for p in passages for n in p.footnotes}
    assert cited <= set(doc.footnotes)
    # footnotes 18-21 have no marker in the source text; every other one is cited by some passage
    assert len(cited) >= 55


def _sentence_notes(passages, words: str) -> tuple[int, ...]:
    found = [s.footnotes for p in passages for s in p.sentences if words in p.sentence_text(s)]
    assert len(found) == 1, words
    return found[0]


@pytest.mark.parametrize(
    ("words", "notes"),
    [
        ("(in)direct Russian aggression.", (1, 2)),  # "aggression.¹²": two glued markers
        ("Russian Humanitarian Centre in Nis,", (12, 13)),  # "Nis,¹²" is 12; ".¹³" ends the same sentence
        ("robust intelligence and paramilitary presence", (5, 6, 7, 8, 9)),
        ("provocations from the Serbian government which continue", (28, 29)),
        ("Since a 2016 coup attempt", (37, 38, 39, 40, 41)),  # plain digit runs "3738", "39", "4041"
        ("relatively limited reforms of the country's political system.", (63,)),
    ],
)
def test_body_markers_resolve_to_the_footnotes_of_their_sentence(words, notes):
    _, passages = _loaded(REPORT)
    assert _sentence_notes(passages, words) == notes


def _page_splits(path: Path) -> list[tuple[str, str]]:
    """(last words of a body line, first word of its continuation) where a page break split a paragraph."""
    raw = path.read_text(encoding="utf-8").split("\n")
    splits = []
    for i, line in enumerate(raw):
        if not line.strip() or NOTE_LINE.match(line):
            continue
        j = i + 1
        while j < len(raw) and (not raw[j].strip() or NOTE_LINE.match(raw[j])):
            j += 1
        if j < len(raw) and j > i + 1 and raw[j][:1].islower():
            tail = " ".join(line.replace("*", "").split()[-6:])  # *emphasis* marks are not text
            head = re.sub(r"[¹²³⁴⁵⁶⁷⁸⁹⁰]+", "", raw[j].split()[0])
            splits.append((tail, head))
    return splits


def test_paragraphs_split_by_page_breaks_are_rejoined_in_one_passage():
    doc, passages = _loaded(REPORT)
    splits = _page_splits(REPORT)
    assert ("fill a void, often welcomed by", "governments") in splits
    assert len(splits) >= 5
    for tail, head in splits:
        joined = f"{tail} {head}"
        assert any(joined in p.text for p in passages), joined
        assert not re.search(re.escape(tail) + r"[ \t]*\n", doc.text), f"paragraph still broken after {tail!r}"


def test_the_documented_page_split_reads_as_one_sentence():
    _, passages = _loaded(REPORT)
    p = next(p for p in passages if "often welcomed by" in p.text)
    assert "often welcomed by governments and political actors in the region." in p.text
    sentence = next(p.sentence_text(s) for s in p.sentences if "often welcomed by" in p.sentence_text(s))
    assert sentence.endswith("governments and political actors in the region.")


def _ingest(index_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    env.pop("QUOTABLE_INDEX", None)
    return subprocess.run([sys.executable, "-m", "ingest", "corpus", "--index-dir", str(index_dir), "-q"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_ingest_cli_indexes_the_corpus_then_reuses_it(tmp_path):
    index_dir = tmp_path / "index"
    first = _ingest(index_dir)
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    summary = re.search(r"^indexed 4 documents, (\d+) passages, 63 footnotes .*\(4 embedded, 0 unchanged\)",
                        first.stdout, re.M)
    assert summary, first.stdout
    expected = sum(len(_loaded(path)[1]) for path in FILES)
    assert int(summary[1]) == expected
    second = _ingest(index_dir)
    assert second.returncode == 0, second.stderr
    assert f"indexed 4 documents, {expected} passages, 63 footnotes" in second.stdout
    assert "(0 embedded, 4 unchanged)" in second.stdout
