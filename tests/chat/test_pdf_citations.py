"""A quote is cited at the page that holds it, also when its passage starts on the page before."""

from pathlib import Path

import pytest

from index.build import IngestConfig, ingest_paths

PAGES = (
    "Energy Review\n\nA report for testing",
    "Findings\n\nThe northern valleys burned coal for most of their heating until the new grid arrived. "
    "Prices for households stayed high through the whole decade.",
    "Wind farms supplied forty percent of the power in the northern valleys last winter.",
)


def energy_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format=(148, 210))
    pdf.set_auto_page_break(False)
    for page in PAGES:
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        pdf.set_xy(15, 20)
        pdf.multi_cell(118, 6, page)
    return bytes(pdf.output())


@pytest.fixture(scope="module")
def energy_engine(tmp_path_factory):
    from chat.engine import Engine
    from index.embed import HashingEmbedder

    tmp = tmp_path_factory.mktemp("pdf-pages")
    (tmp / "docs").mkdir()
    (tmp / "docs" / "energy.pdf").write_bytes(energy_pdf())
    embedder = HashingEmbedder(256)
    report = ingest_paths([tmp / "docs"], tmp / "index", IngestConfig(model=embedder.name), embedder=embedder,
                          progress=False)
    assert report.failed == []
    engine = Engine.open(tmp / "index", embedder=embedder)
    yield engine
    engine.index.close()


def test_a_passage_over_a_page_break_keeps_each_sentences_page(energy_engine):
    result = energy_engine.answer("What share of the power did wind farms supply in the northern valleys?")
    assert not result["abstained"]
    cited = result["citations"][0]
    assert cited["quote"].startswith("Wind farms supplied forty percent")
    row = next(p for p in result["passages"] if p["passage_id"] == cited["passage_id"])
    assert row["page"] == 2, "the passage itself starts on page 2 (the test needs one over the break)"
    assert (cited["page"], cited["page_label"]) == (3, "3")
    assert cited["reference"].endswith("p. 3")


def test_a_quote_on_the_passages_first_page_is_cited_there(energy_engine):
    cited = energy_engine.answer("What did the northern valleys burn for heating before the new grid?")["citations"][0]
    assert "burned coal" in cited["quote"]
    assert cited["page"] == 2


def test_sentence_pages_survive_the_store(tmp_path: Path):
    from index.store import _sentence, _sentence_json
    from ingest.records import Passage, Sentence

    sentences = (Sentence(0, 10, (), None, None, 2, "ii"), Sentence(11, 20, (1,), None, None, 3, "1"))
    passage = Passage("d:0", "d", "x" * 20, 0, 20, page=2, page_label="ii", sentences=sentences)
    stored = [_sentence_json(s, passage) for s in sentences]
    assert len(stored[0]) == 3, "a sentence on the passage's own page stores nothing more"
    assert tuple(_sentence(item, 2, "ii") for item in stored) == sentences
    turn = Sentence(0, 10, (), "Ms A", 12.0)
    plain = Passage("t:0", "t", "x" * 10, 0, 10, sentences=(turn,))
    assert _sentence(_sentence_json(turn, plain)) == turn
