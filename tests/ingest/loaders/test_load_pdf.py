import io

import pytest

from ingest.errors import IngestError
from ingest.loaders import load

PAGES = [
    # (body lines, footnote lines, printed page number)
    ("Balkan Security Review\n\nA report for testing", "", ""),
    (
        "Introduction\n\nThe region faces new pressures from outside powers.1 Investment has slowed and young "
        "people are leaving in large numbers, which is often welcomed by",
        "1 https://example.org/pressures",
        "ii",
    ),
    (
        "governments and political actors who profit from division.2 The report ends here.\n\nConclusions\n\n"
        "The region needs steady attention from its friends.",
        "2 https://example.org/division",
        "1",
    ),
]


def make_pdf(pages=PAGES, title="Balkan Security Review", labels=True):
    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter

    pdf = FPDF(format=(148, 210))
    pdf.set_auto_page_break(False)
    if title:
        pdf.set_title(title)
    for body, notes, printed in pages:
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        pdf.set_xy(15, 20)
        pdf.multi_cell(118, 6, body)
        pdf.set_font("Helvetica", size=8)
        if notes:
            pdf.set_xy(15, 180)
            pdf.multi_cell(118, 4, notes)
        if printed:
            pdf.set_xy(70, 198)
            pdf.cell(10, 4, printed)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(bytes(pdf.output()))))
    if labels:
        writer.set_page_label(0, 1, style="/r")  # front matter: i, ii
        writer.set_page_label(2, len(pages) - 1, style="/D", start=1)  # body: 1, 2, ...
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def write(tmp_path, data, name="review.pdf"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    return load(write(tmp_path_factory.mktemp("pdf"), make_pdf()))


def block_at(doc, text):
    return next(b for b in doc.blocks if doc.text[b.char_start : b.char_end].startswith(text))


def test_pdf_title_kind_and_meta(report):
    assert report.title == "Balkan Security Review"
    assert report.kind == "report" and report.doc_id == "review"
    assert report.meta["pages"] == "3"


def test_blocks_carry_physical_page_and_printed_label(report):
    intro = block_at(report, "Introduction")
    assert (intro.kind, intro.page, intro.page_label) == ("heading", 2, "ii")
    conclusions = block_at(report, "Conclusions")
    assert (conclusions.kind, conclusions.page, conclusions.page_label) == ("heading", 3, "1")
    assert block_at(report, "The region needs steady").page == 3


def test_a_paragraph_cut_by_a_page_break_is_one_block_from_its_first_page(report):
    para = block_at(report, "The region faces new pressures")
    text = report.text[para.char_start : para.char_end]
    assert "which is often welcomed by governments and political actors who profit" in text
    assert (para.page, para.page_label) == (2, "ii")


def test_page_bottom_footnotes_are_extracted_and_linked(report):
    assert dict(report.footnotes) == {1: "https://example.org/pressures", 2: "https://example.org/division"}
    assert "https://" not in report.text
    for marker, after in zip(report.markers, ("outside powers.", "from division."), strict=True):
        assert report.text[: marker.pos].endswith(after)
    assert [m.n for m in report.markers] == [1, 2]


def test_printed_page_numbers_are_not_text(report):
    assert "\n\nii\n\n" not in report.text and not report.text.endswith("1")


def test_tool_title_is_ignored_for_the_first_heading(tmp_path):
    doc = load(write(tmp_path, make_pdf(title="Microsoft Word - draft3.docx")))
    assert doc.title == "Balkan Security Review"


def test_encrypted_pdf_is_refused(tmp_path):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf())))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(IngestError, match="encrypted PDF") as info:
        load(write(tmp_path, out.getvalue()))
    assert info.value.path.endswith("review.pdf")


def test_pdf_with_only_an_owner_password_is_read(tmp_path):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf())))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    assert "outside powers" in load(write(tmp_path, out.getvalue())).text


def test_truncated_pdf_is_refused(tmp_path):
    data = make_pdf()
    with pytest.raises(IngestError, match="truncated or corrupt PDF"):
        load(write(tmp_path, data[: len(data) // 2]))


@pytest.mark.parametrize("cut", [0.25, 0.5, 0.75, 0.9])
def test_damaged_pdf_gives_an_ingest_error_not_a_crash(tmp_path, cut):
    data = bytearray(make_pdf())
    start = int(len(data) * cut)
    data[start : start + 200] = b"\x00garbage" * 25  # damage the middle, keep the %%EOF tail
    try:
        doc = load(write(tmp_path, bytes(data)))
    except IngestError as err:
        assert err.path.endswith("review.pdf") and err.reason
    else:
        assert doc.kind == "report"  # pypdf recovered what it could


def test_text_named_pdf_is_refused(tmp_path):
    with pytest.raises(IngestError, match="not a PDF"):
        load(write(tmp_path, b"Just some text, not a PDF at all.\n"))


def test_pdf_without_a_text_layer_is_refused(tmp_path):
    with pytest.raises(IngestError, match="no extractable text"):
        load(write(tmp_path, make_pdf(pages=[("", "", ""), ("", "", "")], labels=False)))


def test_too_many_pages_is_refused(tmp_path):
    with pytest.raises(IngestError, match="3 pages, over the limit of 2"):
        load(write(tmp_path, make_pdf()), max_pages=2)


def test_decompression_bomb_is_refused(tmp_path):
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject

    writer = PdfWriter()
    page = writer.add_blank_page(100, 100)
    content = DecodedStreamObject()
    content.set_data(b"q Q\n" * 25_000_000)  # 100 MB of drawing no-ops, about 100 kB compressed
    page.replace_contents(content.flate_encode(level=9))
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(IngestError, match="decompresses past the safety limit"):
        load(write(tmp_path, out.getvalue()))
