"""PDF pages with no text layer: named on every ingest; read by OCR when the ``ocr`` extra is installed."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.errors import IngestError
from ingest.loaders import load
from ingest.loaders.pdf import no_text_warning

ROOT = Path(__file__).resolve().parents[3]
SCANNED = ["Harbour Statistics", "The harbour handled more cargo in 2023", "than in any year before."]


def page_image(lines):
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(img)
    y = 150
    for i, line in enumerate(lines):  # a larger first line (a title), then body lines at a usual leading
        size = 80 if i == 0 else 44
        draw.text((100, y), line, fill="black", font=ImageFont.load_default(size=size))
        y += int(size * (1.8 if i == 0 else 1.3))
    return img


def make_pdf(path, pages):
    """``pages``: each a str (a page with a text layer) or a list of lines (a page that is only an image of them)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    for page in pages:
        pdf.add_page()
        if isinstance(page, str):
            pdf.set_font("Helvetica", size=11)
            pdf.set_xy(20, 20)
            pdf.multi_cell(170, 6, page)
        else:
            pdf.image(page_image(page), 0, 0, 210, 297)
    path.write_bytes(bytes(pdf.output()))
    return path


TEXT_PAGE = "The port authority publishes its figures every spring. This report sets them out in full."
LAST_PAGE = "Tonnage rose again in the first quarter of 2024, the authority says, and the new quay opens in May."

# The loader in a fresh interpreter where the OCR engine cannot be imported (as without the extra).
WITHOUT_OCR = """
import json, sys
sys.modules["rapidocr_onnxruntime"] = None
from pathlib import Path
from ingest.errors import IngestError
from ingest.loaders import load
from ingest.loaders.pdf import no_text_warning
try:
    doc = load(Path(sys.argv[1]))
except IngestError as err:
    print(json.dumps({"error": str(err)}))
else:
    print(json.dumps({"meta": dict(doc.meta), "text": doc.text, "warning": no_text_warning(doc)}))
"""


def without_ocr(path):
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-c", WITHOUT_OCR, str(path)], capture_output=True, text=True,
                         cwd=ROOT, env=env, timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_without_the_extra_an_image_page_is_named_and_the_rest_is_indexed(tmp_path):
    path = make_pdf(tmp_path / "mixed.pdf", [TEXT_PAGE, SCANNED, LAST_PAGE])
    result = without_ocr(path)
    assert result["meta"]["no_text_pages"] == "2" and "ocr_pages" not in result["meta"]
    assert "port authority publishes" in result["text"] and "harbour handled" not in result["text"]
    assert "page 2 had no text layer" in result["warning"]
    assert "pip install 'quotable[ocr]'" in result["warning"]


def test_without_the_extra_a_scan_is_refused_by_name(tmp_path):
    path = make_pdf(tmp_path / "briefing.pdf", [SCANNED, SCANNED])
    result = without_ocr(path)
    assert result["error"].startswith(str(path) + ": ")
    assert "scan" in result["error"] and "pip install 'quotable[ocr]'" in result["error"]


def test_a_pdf_with_text_on_every_page_has_no_warning(tmp_path):
    doc = load(make_pdf(tmp_path / "plain.pdf", [TEXT_PAGE]))
    assert "no_text_pages" not in doc.meta and no_text_warning(doc) is None


needs_ocr = pytest.mark.skipif(
    importlib.util.find_spec("rapidocr_onnxruntime") is None,
    reason="OCR extra not installed (make install-ocr, or pip install 'quotable[ocr]'): OCR path NOT TESTED",
)


@needs_ocr
def test_with_the_extra_an_image_page_is_read_by_ocr_and_marked(tmp_path, capfd):
    doc = load(make_pdf(tmp_path / "mixed.pdf", [TEXT_PAGE, SCANNED]))
    assert doc.meta["no_text_pages"] == "2" and doc.meta["ocr_pages"] == "2"
    assert "The harbour handled more cargo in 2023 than in any year before." in doc.text
    ocr_block = next(b for b in doc.blocks if "harbour handled" in doc.text[b.char_start:b.char_end])
    assert ocr_block.page == 2
    assert "read by OCR" in no_text_warning(doc)
    assert "OCR page 2" in capfd.readouterr().err  # per-page progress


@needs_ocr
def test_with_the_extra_a_scan_is_read(tmp_path):
    doc = load(make_pdf(tmp_path / "scan.pdf", [SCANNED]))
    assert doc.meta["ocr_pages"] == "1"
    assert doc.title == "Harbour Statistics" and doc.blocks[0].kind == "heading"


def test_load_of_a_scan_raises_an_ingest_error_in_process_without_an_engine(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)
    with pytest.raises(IngestError, match="no extractable text on any page: a scan"):
        load(make_pdf(tmp_path / "scan.pdf", [SCANNED]))


@needs_ocr
def test_citations_of_an_ocr_page_are_marked_ocr(tmp_path):
    from chat.answer import citation_for
    from chat.evidence import DocInfo, Hit
    from ingest.chunk import chunk

    doc = load(make_pdf(tmp_path / "mixed.pdf", [TEXT_PAGE, SCANNED]))
    info = DocInfo(doc.doc_id, doc.title, doc.kind, doc.footnotes, doc.meta)
    flags = {p.page: citation_for(1, Hit(p, 1, 1.0), info, [0])["ocr"] for p in chunk(doc)}
    assert flags == {1: False, 2: True}


def test_the_warning_tells_read_pages_from_pages_ocr_found_nothing_on():
    from ingest.records import Document

    def warning(**meta):
        return no_text_warning(Document("d", "D", "report", "d.pdf", "x", meta=meta))

    both = warning(no_text_pages="2,5,7", ocr_pages="2")
    assert both.startswith("page 2 had no text layer and was read by OCR")
    assert "pages 5, 7 had no text layer and were left out: OCR found no text on them" in both
    assert "pip install" not in both
    assert "pip install 'quotable[ocr]'" in warning(no_text_pages="3", ocr="unavailable")
    assert warning() is None


needs_words = pytest.mark.skipif(
    importlib.util.find_spec("wordsegment") is None,
    reason="OCR extra not installed (make install-ocr): putting back OCR's dropped spaces NOT TESTED",
)


@needs_words
def test_spaces_the_recogniser_dropped_are_put_back_between_common_words_only():
    from ingest.loaders.pdf_ocr import respace

    assert respace("Local authoritiesinMontenegro told the committee that hospitalsbudgetsfell asprices climbed."
                   "Our surveyof 363householdsfound") == ("Local authorities in Montenegro told the committee that "
                                                          "hospitals budgets fell as prices climbed. Our survey of "
                                                          "363 households found")
    assert respace("In2023,theregionalofficecounted370complaints") == \
        "In 2023, the regional office counted 370 complaints"
    # names, acronyms and a name with its number are never cut up; decimals and abbreviations stay
    kept = "Milan Radoicic met KFOR, Bayraktar and COVID19 proc1 G7 officials; see e.g. U.S. policy, 3.5 per cent."
    assert respace(kept) == kept
