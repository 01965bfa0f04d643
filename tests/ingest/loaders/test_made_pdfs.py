"""PDFs as a word processor makes them (bench/pdf-made: LibreOffice output of bench/wordproc.py's reports).

Subset fonts whose glyph codes reach characters only through /ToUnicode, footnotes set
at the foot of each column with their numbers flush against their text, justified lines,
a table with cells wrapped onto a second line, right-to-left text with kashidas.
"""

import re
from pathlib import Path

import pytest

from bench.pdf_dev import score
from ingest.chunk import chunk
from ingest.loaders import load

MADE = Path(__file__).resolve().parents[3] / "bench" / "pdf-made"


def notes_made(name: str) -> int:
    """How many footnotes the generator put in the report (each body marker a note)."""
    from bench.wordproc import report

    return report({"report-1col": 1, "report-2col": 2, "report-endnotes": 11}[name]).notes


@pytest.mark.parametrize("name", ["report-1col", "report-2col", "report-endnotes"])
def test_a_word_processors_report_reads_whole_with_every_footnote(name):
    doc = load(MADE / f"{name}.pdf")
    passages = chunk(doc)
    result = score((MADE / f"{name}.groundtruth.md").read_text(encoding="utf-8"), [p.text for p in passages])
    assert result["found"] == 1.0
    assert result["leaked"] < 0.1  # what is left over: the prose notes, searchable as passages of their own
    assert len(doc.footnotes) == notes_made(name)
    assert sorted(doc.footnotes) == list(range(1, notes_made(name) + 1))
    # every marker was taken out of the text and linked; no note's number is left glued to its words
    assert not re.search(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]", doc.text)
    assert len({m.n for m in doc.markers}) == notes_made(name)
    assert "Page " not in doc.text and doc.title.startswith("Public Services in the Western Balkans")
    if name == "report-endnotes":  # numbered i, ii, iii as word processors number endnotes, on a page of their own
        assert all(p.section != "Notes" or p.page == 9 for p in passages)
        # a list's bullets come in a symbol font's private-use codes: items, not a table's rows
        items = [doc.text[b.char_start:b.char_end] for b in doc.blocks if "should" in doc.text[b.char_start:b.char_end]]
        assert "Regulators should report on water quality every year." in items
        assert all("|" not in item for item in items)
    assert all(p.page_label == str(p.page) for p in passages)


def test_a_table_in_a_narrow_column_keeps_its_wrapped_cells_in_their_rows():
    doc = load(MADE / "report-2col.pdf")
    table = next(doc.text[b.char_start:b.char_end] for b in doc.blocks if b.kind == "table")
    assert "North Macedonia |" in table and "Bosnia and Herzegovina |" in table


@pytest.mark.parametrize("name", ["paper-type1", "paper-type3"])
def test_a_two_column_latex_paper_reads_in_order_with_its_ligatures(name):
    doc = load(MADE / f"{name}.pdf")
    result = score((MADE / f"{name}.groundtruth.md").read_text(encoding="utf-8"), [p.text for p in chunk(doc)])
    assert result["found"] == 1.0 and result["leaked"] < 0.05  # a sentence cut by a column's table is whole
    assert "benefits most from structure tokens" in doc.text  # "fi" set as one glyph, bitmap fonts too
    assert doc.title.startswith("Structure Tokens") and len(doc.footnotes) == 2


def test_justified_arabic_reads_in_order_with_its_numbers_and_whole_words():
    doc = load(MADE / "arabic.pdf")
    truth = (MADE / "arabic.groundtruth.md").read_text(encoding="utf-8").split("\n\n")
    assert [doc.text[b.char_start:b.char_end] for b in doc.blocks] == [t.strip() for t in truth]
