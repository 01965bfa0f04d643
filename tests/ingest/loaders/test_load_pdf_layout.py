"""The PDF reader on reports fpdf2 lays out like real ones: furniture, footnotes, columns, tables, contents."""

import io

import pytest

from ingest.chunk import chunk
from ingest.loaders import load

TITLE = "Water Security Review"
HEADER = "Water Security Review: Annual Assessment"
OFFSET = 2  # the body prints physical page - 2, as reports with front matter do
PARAGRAPH_A = (
    "The region depends on rivers that rise in neighbouring states, and most of its farms draw water from them "
    "during the dry season when the flow is lowest and demand is highest for the irrigation of crops."
)


def _furniture(pdf, physical):
    pdf.set_font("Helvetica", size=8)
    pdf.set_xy(20, 10)
    pdf.cell(170, 4, HEADER)
    pdf.set_xy(20, 286)
    pdf.cell(170, 4, f"Institute for Water Studies {physical - OFFSET}")


def _body(pdf, text, y, width=170, x=20):
    pdf.set_font("Helvetica", size=10)
    pdf.set_xy(x, y)
    pdf.multi_cell(width, 5, text)
    return pdf.get_y()


def _heading(pdf, text, y):
    pdf.set_font("Helvetica", "B", size=14)
    pdf.set_xy(20, y)
    pdf.cell(170, 8, text)
    return y + 12


def _marked(pdf, before, n, after):
    pdf.set_font("Helvetica", size=10)
    pdf.write(5, before)
    pdf.char_vpos = "SUP"
    pdf.write(5, str(n))
    pdf.char_vpos = "LINE"
    pdf.write(5, after)


def _note(pdf, n, text, y):
    pdf.set_font("Helvetica", size=7)
    pdf.set_xy(20, y)
    pdf.multi_cell(170, 3.5, f"{n} {text}")
    return pdf.get_y()


def report_pdf():
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(TITLE)
    pdf.set_auto_page_break(False)
    pdf.set_margins(20, 20, 20)
    # 1: title page, no furniture
    pdf.add_page()
    pdf.set_font("Helvetica", "B", size=20)
    pdf.set_xy(20, 60)
    pdf.cell(170, 10, TITLE)
    # 2: contents with dot leaders
    pdf.add_page()
    _furniture(pdf, 2)
    y = _heading(pdf, "Contents", 25)
    pdf.set_font("Helvetica", size=10)
    for title, page in (("Introduction", 1), ("Rivers and farms", 1), ("Budgets", 2), ("Two views", 3)):
        pdf.set_xy(20, y)
        pdf.cell(170, 5, f"{title} " + ". " * 30 + f"{page}")
        y += 6
    # 3: body with footnotes; the last paragraph runs onto the next page
    pdf.add_page()
    _furniture(pdf, 3)
    y = _heading(pdf, "Introduction", 25)
    y = _body(pdf, PARAGRAPH_A, y) + 4
    pdf.set_xy(20, y)
    _marked(pdf, "Rainfall fell by a fifth between 2010 and 2020.", 1,
            " Wells now reach deeper aquifers than before, and the cost of pumping has risen in every district.")
    y = pdf.get_y() + 9
    y = _heading(pdf, "Rivers and farms", y)
    pdf.set_xy(20, y)
    _marked(pdf, "Farmers in the lower valley say that the canals were last repaired decades ago.", 2,
            " The ministry plans to line the main canals with concrete, which engineers say would cut the losses "
            "from seepage by more than half and would be paid for over ten years by")
    _note(pdf, 1, "National Weather Service, Rainfall record 2010-2020, table 4.", 262)
    _note(pdf, 2, "Interviews in the lower valley, March 2023; the names of farmers are withheld.", 268)
    # 4: the sentence goes on, then a table
    pdf.add_page()
    _furniture(pdf, 4)
    y = _body(pdf, "the water users' associations of the valley. The plan was approved in 2022.", 25) + 6
    y = _heading(pdf, "Budgets", y)
    pdf.set_font("Helvetica", size=10)
    for row in (("District", "Budget", "Year"), ("Northfield", "12.5", "2021"), ("Southmoor", "8.0", "2022"),
                ("Eastvale", "3.2", "2023")):
        for k, cell in enumerate(row):
            pdf.set_xy(20 + 50 * k, y)
            pdf.cell(40, 5, cell)
        y += 6
    _body(pdf, "The budgets above are in millions and cover repairs only.", y + 4)
    # 5: two columns under a full-width heading
    pdf.add_page()
    _furniture(pdf, 5)
    _heading(pdf, "Two views", 25)
    left = " ".join(f"The upstream view holds that dams store water for the dry months, point {i}." for i in range(6))
    right = " ".join(f"The downstream view holds that dams take water from the delta, point {i}." for i in range(6))
    # Drawn row by row, left line then right line, as many producers write columns.
    pdf.set_font("Helvetica", size=10)
    lines = [pdf.multi_cell(80, 5, text, dry_run=True, output="LINES") for text in (left, right)]
    for i in range(max(map(len, lines))):
        for x, column in ((20, lines[0]), (110, lines[1])):
            if i < len(column):
                pdf.set_xy(x, 40 + 5 * i)
                pdf.cell(80, 5, column[i])
    return bytes(pdf.output())


@pytest.fixture(scope="module")
def doc(tmp_path_factory):
    path = tmp_path_factory.mktemp("layout") / "water.pdf"
    path.write_bytes(report_pdf())
    return load(path)


def block_with(doc, text):
    return next(b for b in doc.blocks if text in doc.text[b.char_start:b.char_end])


def test_running_headers_footers_and_page_numbers_are_not_text(doc):
    assert HEADER not in doc.text
    assert "Institute for Water Studies" not in doc.text
    headings = [doc.text[b.char_start:b.char_end] for b in doc.blocks if b.kind == "heading"]
    assert headings[:1] == [TITLE]
    assert {"Introduction", "Rivers and farms", "Budgets", "Two views"} <= set(headings)
    assert not any("Water Studies" in h or "Annual Assessment" in h for h in headings)


def test_headings_come_from_the_font_not_the_line_shape(doc):
    # "The plan was approved in 2022." is short and capitalised but set in body type
    assert block_with(doc, "Rivers and farms").kind == "heading"
    assert block_with(doc, "Wells now reach deeper").kind == "para"


def test_a_table_of_contents_is_dropped(doc):
    assert ". . . ." not in doc.text and "Budgets 2" not in doc.text
    assert not any(b.page == 2 for b in doc.blocks)  # its title went with it
    assert not any(p.text.strip() == "Contents" or p.section == "Contents" for p in chunk(doc))


def test_page_bottom_footnotes_are_cut_out_and_linked_to_their_markers(doc):
    assert doc.footnotes[1] == "National Weather Service, Rainfall record 2010-2020, table 4."
    assert doc.footnotes[2].startswith("Interviews in the lower valley, March 2023")
    assert "National Weather Service" not in doc.text.split("\n\n")[0]
    body_end = max(b.char_end for b in doc.blocks if b.kind != "note")
    assert "National Weather Service" not in doc.text[:body_end]
    by_n = {m.n: m.pos for m in doc.markers if m.pos <= body_end}
    assert doc.text[: by_n[1]].endswith("between 2010 and 2020.")
    assert doc.text[: by_n[2]].endswith("repaired decades ago.")


def test_footnotes_reach_the_passages_that_cite_them(doc):
    passages = chunk(doc)
    rain = next(p for p in passages if "Rainfall fell by a fifth" in p.text)
    assert 1 in rain.footnotes


def test_a_sentence_cut_by_a_page_break_is_rejoined_over_footer_header_and_notes(doc):
    para = block_with(doc, "paid for over ten years by")
    text = doc.text[para.char_start:para.char_end]
    assert "paid for over ten years by the water users' associations of the valley." in text
    assert para.page == 3


def test_printed_page_numbers_are_read_from_the_furniture(doc):
    intro = block_with(doc, "Introduction")
    assert (intro.page, intro.page_label) == (3, "1")
    budgets = block_with(doc, "Budgets")
    assert (budgets.page, budgets.page_label) == (4, "2")


def test_a_table_is_its_own_block_of_rows_and_never_a_section(doc):
    table = next(b for b in doc.blocks if b.kind == "table")
    rows = doc.text[table.char_start:table.char_end].split("\n")
    assert rows == ["District | Budget | Year", "Northfield | 12.5 | 2021", "Southmoor | 8.0 | 2022",
                    "Eastvale | 3.2 | 2023"]
    passages = chunk(doc)
    holding = [p for p in passages if "Northfield | 12.5 | 2021" in p.text]
    assert len(holding) == 1 and holding[0].section == "Budgets"
    assert holding[0].text.startswith("District | Budget | Year")
    assert not any(p.section and "|" in p.section for p in passages)
    after = next(p for p in passages if "budgets above are in millions" in p.text)
    assert after.section == "Budgets" and "|" not in after.text


def test_two_columns_are_read_one_after_the_other(doc):
    left = [doc.text.find(f"dry months, point {i}.") for i in range(6)]
    right = [doc.text.find(f"from the delta, point {i}.") for i in range(6)]
    assert all(x >= 0 for x in left + right)
    assert left == sorted(left) and right == sorted(right) and max(left) < min(right)
    assert "The upstream view holds that dams store water for the dry months, point 3." in doc.text


def test_passages_stay_exact_slices_of_the_text(doc):
    for p in chunk(doc):
        assert doc.text[p.char_start:p.char_end] == p.text


def test_page_labels_from_the_file_win_over_the_furniture(tmp_path):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(report_pdf())))
    writer.set_page_label(0, 4, style="/r")
    out = io.BytesIO()
    writer.write(out)
    path = tmp_path / "labelled.pdf"
    path.write_bytes(out.getvalue())
    doc = load(path)
    assert block_with(doc, "Introduction").page_label == "iii"


def endnotes_pdf():
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(False)
    for p in range(2):
        pdf.add_page()
        pdf.set_xy(20, 20)
        _marked(pdf, f"Exports of grain rose sharply in year {p}.", p + 1,
                " The ministry expects more growth next year, officials said in a statement to the press.")
    pdf.add_page()
    _heading(pdf, "Notes", 20)
    _body(pdf, "1 Ministry of Agriculture, Grain exports 2020, table 3.", 35)
    _body(pdf, "2 Interview with the deputy minister, May 2021.", 42)
    return bytes(pdf.output())


def test_endnotes_in_body_type_are_cut_out_and_linked(tmp_path):
    path = tmp_path / "grain.pdf"
    path.write_bytes(endnotes_pdf())
    doc = load(path)
    assert dict(doc.footnotes) == {1: "Ministry of Agriculture, Grain exports 2020, table 3.",
                                   2: "Interview with the deputy minister, May 2021."}
    body_end = max(b.char_end for b in doc.blocks if b.kind != "note")
    assert "Ministry of Agriculture" not in doc.text[:body_end]
    assert [m.n for m in doc.markers if m.pos <= body_end] == [1, 2]
    # the second line of each page's paragraph repeats at the same place on both pages, yet flows
    # on from the line above it: body text, not a running header
    assert doc.text.count("officials said in a statement to the press.") == 2


def test_notes_numbered_again_from_one_link_each_marker_to_its_own_page(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(False)
    for chapter in ("rivers", "lakes"):
        pdf.add_page()
        pdf.set_xy(20, 20)
        _marked(pdf, f"The {chapter} chapter makes its first claim here.", 1,
                f" It then makes a second claim about {chapter}.")
        _marked(pdf, "", 2, " A closing sentence follows.")
        _note(pdf, 1, f"First source on {chapter}.", 262)
        _note(pdf, 2, f"Second source on {chapter}.", 268)
    path = tmp_path / "chapters.pdf"
    path.write_bytes(bytes(pdf.output()))
    doc = load(path)
    assert sorted(doc.footnotes.values()) == sorted(
        f"{k} source on {c}." for k in ("First", "Second") for c in ("rivers", "lakes"))
    passages = chunk(doc)
    for chapter in ("rivers", "lakes"):
        passage = next(p for p in passages if f"The {chapter} chapter" in p.text)
        claim = next(s for s in passage.sentences if f"The {chapter} chapter" in passage.sentence_text(s))
        assert [doc.footnotes[n] for n in claim.footnotes] == [f"First source on {chapter}."]


def column_notes_pdf():
    """Two columns; the left one ends in its own notes, in small type, while the right one runs on below them."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    left = " ".join(f"The northern basin lost water to the canals in season {i}." for i in range(14))
    right = " ".join(f"The southern basin kept its water in the reservoirs in season {i}." for i in range(30))
    pdf.set_xy(20, 30)
    pdf.set_right_margin(115)
    _marked(pdf, left, 1, " Engineers blamed the old sluice gates, which the district")
    pdf.set_font("Helvetica", size=7)
    pdf.set_xy(20, 200)
    pdf.multi_cell(75, 3.5, "1 District water board, Canal losses 2019, table 2, with the gauges read by hand.")
    pdf.set_font("Helvetica", size=10)
    pdf.set_left_margin(110)
    pdf.set_right_margin(20)
    pdf.set_xy(110, 30)
    pdf.multi_cell(80, 5, "has not replaced since the flood. " + right)
    return bytes(pdf.output())


def test_notes_under_one_column_are_cut_out_and_the_sentence_runs_on_into_the_next_column(tmp_path):
    path = tmp_path / "basins.pdf"
    path.write_bytes(column_notes_pdf())
    doc = load(path)
    assert doc.footnotes[1].startswith("District water board, Canal losses 2019")
    body_end = max(b.char_end for b in doc.blocks if b.kind != "note")
    assert "District water board" not in doc.text[:body_end]
    assert "which the district has not replaced since the flood." in doc.text[:body_end]
    assert [m.n for m in doc.markers if m.pos <= body_end] == [1]


def test_a_cover_page_keeps_its_title_and_authors_but_not_the_publishers_address_and_logo(tmp_path):
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    _heading(pdf, TITLE, 40)
    for i, name in enumerate(("Ana Petrova", "Jonas Berg", "Mei Lin")):
        pdf.set_font("Helvetica", "B", size=12)
        pdf.set_xy(20, 200 + 7 * i)
        pdf.cell(100, 6, name)
    _body(pdf, PARAGRAPH_A, 100)
    pdf.set_font("Helvetica", size=14)
    pdf.text(20, 285, "waterstudies.org/reviews")  # at one baseline: the publisher's address and logo
    pdf.set_font("Helvetica", "B", size=40)
    pdf.text(120, 285, "Briefing")
    pdf.add_page()
    _body(pdf, PARAGRAPH_A, 30)
    path = tmp_path / "cover.pdf"
    path.write_bytes(bytes(pdf.output()))
    doc = load(path)
    assert "Jonas Berg" in doc.text and "rivers that rise" in doc.text
    assert "waterstudies.org" not in doc.text and "Briefing" not in doc.text


def _cover_report(small_title=False):
    """A report with no /Title: a cover with a small label, a one-word wordmark in the largest type, the
    title over two lines in display type, then a page of body text under a heading."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.set_xy(20, 20)
    pdf.cell(170, 6, "Front cover")
    pdf.set_font("Helvetica", size=14 if small_title else 32)
    pdf.set_xy(20, 60)
    pdf.multi_cell(170, 14, "Managing Shared Rivers\nin a Drier Century")
    pdf.set_font("Helvetica", "B", size=60)
    pdf.set_xy(20, 240)
    pdf.cell(170, 20, "Riverpaper")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", size=14)
    pdf.set_xy(20, 20)
    pdf.cell(170, 8, "Introduction")
    _body(pdf, PARAGRAPH_A * 3, 35)
    return bytes(pdf.output())


def test_a_cover_title_in_display_type_is_the_title_not_the_first_line(tmp_path):
    path = tmp_path / "rivers.pdf"
    path.write_bytes(_cover_report())
    assert load(path).title == "Managing Shared Rivers in a Drier Century"


def test_without_display_type_the_first_heading_stays_the_title(tmp_path):
    path = tmp_path / "rivers.pdf"
    path.write_bytes(_cover_report(small_title=True))
    assert load(path).title == "Front cover"  # 14 pt on a 10 pt body is heading type: the first heading leads


def test_display_title_reads_consecutive_lines_of_the_largest_words():
    from ingest.loaders.pdf_layout import Line, display_title

    lines = [Line("Front cover", 0, 100, 700, 12), Line("Row and Column Access", 0, 300, 600, 40),
             Line("Support in DB2", 0, 200, 560, 40), Line("Redpaper", 0, 200, 100, 70),
             Line("Body text that runs on.", 0, 400, 80, 10), Line("Second title", 0, 100, 60, 40)]
    assert display_title(lines, 10.0) == "Row and Column Access Support in DB2"
    assert display_title(lines, 10.0, skip=frozenset({1, 2})) == "Second title"
    assert display_title(lines, 30.0) is None  # only the wordmark is display type on a 30 pt body
    assert display_title(lines[:1] + lines[4:5], 10.0) is None
