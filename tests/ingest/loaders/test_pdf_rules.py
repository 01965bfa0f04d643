"""The PDF layout rules on plain records: spans, lines, pages (no PDF needed)."""

from ingest.footnotes import split_note_lines
from ingest.loaders.pdf_furniture import (
    furniture,
    is_address_line,
    is_page_number,
    is_running_title,
    printed_numbers,
)
from ingest.loaders.pdf_layout import (
    Line,
    Span,
    body_size,
    column_starts,
    footnote_zone,
    is_caption,
    is_dot_leader,
    lines_from_spans,
    logical_order,
    paragraphs,
    reading_order,
    split_notes,
)

H = 792.0


def line(text, y, x0=72.0, x1=None, size=10.0, bold=False):
    return Line(text, x0, x1 if x1 is not None else x0 + 5.0 * len(text), y, size, bold)


# --- spans -> lines ------------------------------------------------------------------------------


def test_spans_on_a_baseline_make_one_line_with_spaces_where_the_gap_is():
    spans = [Span("The cost", 72, 110, 700, 10), Span("rose", 113, 131, 700, 10), Span("again", 131, 155, 700, 10),
             Span(".", 155, 158, 700, 10)]
    assert [x.text for x in lines_from_spans(spans)] == ["The cost roseagain."]  # no gap, no space
    spans[2] = Span("again", 134, 158, 700, 10)
    spans[3] = Span(".", 158, 161, 700, 10)
    assert [x.text for x in lines_from_spans(spans)] == ["The cost rose again."]


def test_a_small_raised_number_after_a_word_is_a_superscript_marker():
    spans = [Span("rose.", 72, 96, 700, 10), Span("12", 96, 103, 703.5, 6), Span(" Then", 103, 130, 700, 10)]
    assert lines_from_spans(spans)[0].text == "rose.¹² Then"


def test_a_wide_gap_splits_a_row_into_cells_or_columns():
    spans = [Span("District", 72, 110, 700, 10), Span("Budget", 200, 232, 700, 10)]
    assert [x.text for x in lines_from_spans(spans)] == ["District", "Budget"]


def test_text_drawn_twice_in_place_is_read_once():
    spans = [Span("ENABLE", 72, 110, 700, 10), Span("ENABLE", 72.4, 110.4, 700.2, 10)]
    assert [x.text for x in lines_from_spans(spans)] == ["ENABLE"]


def test_right_to_left_text_keeps_the_order_the_page_draws_it_in():
    # drawn in reading order, right to left: sorting by x would reverse the words
    spans = [Span("مرحبا", 340, 380, 700, 10), Span("عالم", 300, 330, 700, 10)]
    assert lines_from_spans(spans)[0].text == "مرحبا عالم"


def test_a_marker_drawn_after_its_words_stays_with_them_past_a_stretched_gap():
    # a justified line whose natural width ends short of where the marker stands; in the other column a
    # line sits nearer the marker's raised baseline than its own line does
    spans = [Span("rose as prices climbed.", 72, 190, 560, 11), Span("13", 205, 211, 563.8, 6.4),
             Span(" Our", 211, 231, 560, 11), Span("right column words here", 320, 450, 564, 11)]
    texts = [x.text for x in lines_from_spans(spans)]
    assert "rose as prices climbed.¹³ Our" in texts and "right column words here" in texts


def test_a_fraction_is_one_run_of_text_whatever_sizes_its_parts_come_in():
    spans = [Span("ranges from 1", 321, 390, 708, 10), Span("⁄", 407, 409, 708, 10), Span("4 inch to 1", 409, 432, 708, 5.5),
             Span("⁄", 446, 448, 708, 10), Span("6 inch, and", 448, 510, 708, 5.5)]
    assert [x.text for x in lines_from_spans(spans)] == ["ranges from 1⁄4 inch to 1⁄6 inch, and"]


def test_a_cover_wordmark_beside_an_address_in_small_type_is_a_line_of_its_own():
    spans = [Span("ibm.com/redbooks", 37, 130, 30, 15), Span("Redpaper", 315, 597, 31, 70)]
    assert [x.text for x in lines_from_spans(spans)] == ["ibm.com/redbooks", "Redpaper"]


def test_words_drawn_one_after_another_with_stretched_spaces_are_one_line():
    # a justified line drawn word by word (right to left here: drawn leftwards), spaces stretched past an em
    spans = [Span("مرحبا", 300, 330, 700, 10), Span("بالعالم", 250, 285, 700, 10), Span("كله", 200, 225, 700, 10)]
    assert [x.text for x in lines_from_spans(spans)] == ["مرحبا بالعالم كله"]
    # cells of figures drawn one after another are still cells
    cells = [Span("Albania", 72, 110, 700, 10), Span("412", 126, 142, 700, 10), Span("538", 180, 196, 700, 10)]
    assert [x.text for x in lines_from_spans(cells)] == ["Albania", "412", "538"]


def test_a_note_number_set_flush_against_the_note_is_read_apart_from_it():
    spans = [Span("10", 71, 79.5, 156, 8.5), Span("Ministry of Finance, budget 2016.", 79.5, 240, 156, 8.5)]
    assert lines_from_spans(spans)[0].text == "10 Ministry of Finance, budget 2016."
    spans = [Span("12", 71, 79.5, 136, 8.5), Span("https://www.example.gov/x", 79.5, 200, 136, 8.5)]
    assert lines_from_spans(spans)[0].text == "12 https://www.example.gov/x"
    glued = [Span("3", 71, 76, 136, 10), Span("D printing", 76, 120, 136, 10)]  # one word in two runs
    assert lines_from_spans(glued)[0].text == "3D printing"


def test_a_right_to_left_line_reads_right_to_left_with_latin_runs_left_to_right():
    # drawn in pieces, in no particular order (a justified line: the kashida pieces come apart)
    spans = [Span("عامي", 160, 190, 700, 10), Span("في", 300, 315, 700, 10), Span("World Bank", 205, 250, 700, 10),
             Span("report", 255, 285, 700, 10), Span("بين", 195, 200, 700, 10)]
    assert [s.text for s in logical_order(spans)] == ["في", "World Bank", "report", "بين", "عامي"]


def test_unmapped_glyph_names_are_dropped():
    assert lines_from_spans([Span("/g115/g3 /g40/g81", 72, 150, 700, 10)]) == []


# --- page furniture ------------------------------------------------------------------------------


def report_pages(n=6, offset=3):
    pages = []
    for p in range(offset + 1, offset + n + 1):
        pages.append([
            line("Cryptocurrency Mining and the Electricity Sector", 760, size=8),
            line(f"Body text that says something new on each page: {'abcdefghij'[p]}.", 700),
            line("More body text.", 680),
            line(f"Congressional Research Service {p - offset}", 30, size=8),
        ])
    return pages


def test_lines_repeated_at_the_page_edges_are_furniture_even_with_changing_numbers():
    drops = furniture(report_pages(), [H] * 6)
    assert all(drop == {0, 3} for drop in drops)


def test_a_cover_title_in_display_type_stays_where_the_running_headers_repeat_it():
    pages = report_pages()
    pages[0][0] = line("Cryptocurrency Mining and the Electricity Sector", 760, size=24, bold=True)
    drops = furniture(pages, [H] * 6)
    assert drops[0] == {3} and all(drop == {0, 3} for drop in drops[1:])


def test_a_line_repeated_in_the_body_is_not_furniture():
    pages = [[line("Same sentence in the middle of the page.", 400), line(f"page text {p}", 380)] for p in range(6)]
    assert all(drop == set() for drop in furniture(pages, [H] * 6))


def test_a_lone_page_number_at_an_edge_is_furniture_on_any_page():
    pages = [[line("Text", 700), line("7", 30)], [line("Other text", 700), line("Page 8 of 20", 30)]]
    assert furniture(pages, [H, H]) == [{1}, {1}]
    assert is_page_number("- 12 -") and is_page_number("xiv") and is_page_number("7-45")
    assert not is_page_number("Figure 7")


def test_a_lone_number_below_the_text_at_the_same_height_on_other_pages_is_a_page_number():
    # A4 with LaTeX's wide margins: the number stands 139 pt up, above the edge band
    a4 = 841.89

    def page(n, last="Donec nonummy"):
        body = [line(f"Column text {i} of page {n}, set in the usual type.", 700 - 12 * i) for i in range(10)]
        return [*body, line(last, 169), line(str(n), 139, x0=303)]

    assert furniture([page(1), page(2), page(3)], [a4] * 3) == [{11}, {11}, {11}]
    # on a page of its own nothing says it is not the last line of a table
    assert furniture([page(1)], [a4]) == [set()]
    # numbers at different heights are the body's (a table's last row)
    moved = page(2)
    moved[-1] = line("2", 150, x0=303)
    assert furniture([page(1), moved], [a4] * 2) == [set(), set()]
    # and a number that runs on from the text at its leading is the body's too
    close = [page(n) for n in (1, 2)]
    for p in close:
        p[-1] = line(p[-1].text, 157, x0=303)
    assert furniture(close, [a4] * 2) == [set(), set()]


def test_a_title_beside_a_page_number_at_an_edge_is_furniture_on_a_page_of_its_own():
    body = [line(f"Body line {i} of the only page, in the usual type of the text.", 700 - 12 * i) for i in range(8)]
    page = [line("Optimized Table Tokenization for Table Structure Recognition 9", 780), *body,
            line("12 Energy and Water Review", 30)]
    assert furniture([page], [H]) == [{0, 9}]
    heading = [line("Chapter 4 Findings of the review 2", 780, size=16, bold=True), *body]
    assert furniture([heading], [H]) == [set()], "a heading opening a page is not furniture"
    assert not is_running_title(line("Figure 7", 780), 10.0)
    assert not is_running_title(line("The total, as the table shows, was:", 780), 10.0)
    assert not is_running_title(line("in the years up to 2014", 780), 10.0), "a year is not a page number"


def test_a_web_address_at_an_edge_and_what_shares_its_baseline_are_furniture_on_any_page():
    body = [line(f"Body line {i} of the cover, in the usual type of the text.", 600 - 14 * i) for i in range(8)]
    cover = [line("Front cover", 760, size=24, bold=True), *body,
             line("ibm.com/redbooks", 30, size=15), line("Redpaper", 30.5, x0=400, size=70, bold=True)]
    assert furniture([cover], [H]) == [{9, 10}]
    # the same words in the body, or an address inside a sentence at the edge, stay
    inside = [*body[:4], line("ibm.com/redbooks", 540), *body[4:]]
    assert furniture([inside], [H]) == [set()]
    sentence = [*body, line("See www.parliament.uk for the full list.", 30)]
    assert furniture([sentence], [H]) == [set()]
    assert is_address_line("https://crsreports.congress.gov") and is_address_line("www.gov.uk/hmrc")
    # so are the rest of a publisher's contact block: a phone number, an email address, an ISSN
    assert all(is_address_line(t) for t in ("Tel. 02-788-4510", "ISSN 2005-744X", "enquiries@parliament.uk",
                                            "020 7219 3000"))
    assert not any(is_address_line(t) for t in ("1990-2000", "2019/2020", "12 March 2020"))
    assert not any(is_address_line(t) for t in ("U.S.", "e.g.", "3.5", "Figure 3.5", "Redpaper", "i.e."))


def test_printed_numbers_follow_the_offset_most_pages_agree_on():
    texts = [[f"Congressional Research Service {p - 3}"] for p in range(4, 10)]
    assert printed_numbers(texts) == ["1", "2", "3", "4", "5", "6"]
    front = [["ii"], ["iii"], ["Annual Review 2023 1"], ["Annual Review 2023 2"], ["Annual Review 2023 3"]]
    assert printed_numbers(front) == ["ii", "iii", "1", "2", "3"]  # a year in the header is not a page


# --- notes, columns, paragraphs ---------------------------------------------------------------------


def test_the_footnote_zone_is_small_type_at_the_bottom_opening_with_a_number():
    lines = [line("Body text.", 700), line("More body.", 680), line("Source: a caption in small type", 120, size=8),
             line("1 Ministry of Water, statistics 2021.", 80, size=8), line("continued note text", 70, size=8)]
    assert footnote_zone(lines, 10.0, H) == 2
    assert footnote_zone(lines[:3], 10.0, H) == 0  # small type without a number: not notes


def test_notes_at_the_foot_of_each_column_are_read_column_by_column():
    # the right column's notes start higher than the left column's end: by height alone 4 would come first
    left = [line(f"Left column body line {i} of the page text.", 700 - 12 * i, x0=72, x1=290) for i in range(30)]
    right = [line(f"Right column body line {i} of the page text.", 700 - 12 * i, x0=320, x1=540) for i in range(28)]
    notes = [line("1 Ministry of Finance, 2016.", 88, x0=72, x1=200, size=8),
             line("2 Ministry of Finance, 2018.", 78, x0=72, x1=200, size=8),
             line("4 Interview with an official.", 117, x0=320, x1=460, size=8),
             line("5 Interview with a minister.", 108, x0=320, x1=460, size=8),
             line("6 https://www.example.gov/6", 88, x0=320, x1=460, size=8)]
    lines = sorted([*left, *right, *notes], key=lambda x: (-x.y, x.x0))
    runs, found = split_notes(lines, 10.0, H)
    assert [x.text[:2] for x in found] == ["1 ", "2 ", "4 ", "5 ", "6 "]
    assert all(x.size == 10.0 for run in runs for x in run)


def test_a_right_to_left_paragraph_ends_on_a_line_short_of_the_left_edge():
    lines = [line("هذا سطر طويل من النص العربي يملأ العمود كله حتى الحافة", 700, x0=72, x1=540),
             line("وهذا آخر سطر في الفقرة.", 686, x0=380, x1=540),
             line("فقرة جديدة تبدأ هنا وتملأ السطر كله حتى الحافة اليسرى", 672, x0=72, x1=540)]
    assert [p.lines for p in paragraphs([lines], 10.0, False)] == [
        (lines[0].text, lines[1].text), (lines[2].text,)]


def test_a_caption_is_a_paragraph_of_its_own_apart_from_the_text_before_and_the_table_after_it():
    lines = [line("the last line of a paragraph of body text that runs on", 700, x1=540),
             line("Table 1: EU Countries Information", 686, x1=250),
             line("Country Population Area Capital", 672, x1=300),
             line("Austria 8.9 83,879 Vienna", 658, x1=260)]
    assert [p.lines for p in paragraphs([lines], 10.0, False)] == [
        (lines[0].text,), (lines[1].text,), (lines[2].text, lines[3].text)]


def test_a_caption_wrapped_over_two_lines_stays_one_paragraph():
    lines = [line("Figure 3. The share of households in each region that reported a fall in", 700, x1=540),
             line("income over the year, by region", 686, x1=240),
             line("The figure shows a wide spread across regions.", 672, x1=540)]
    assert [p.lines for p in paragraphs([lines], 10.0, False)][0] == (lines[0].text, lines[1].text)


def test_captions_are_told_from_prose_that_names_a_table():
    assert is_caption("Table 1: EU Countries Information") and is_caption("Figure 7-26. Self-locking nuts.")
    assert is_caption("Fig. 4 - Results") and is_caption("Box 2 — What we found")
    assert not is_caption("Table 1 shows the population of each country.")
    assert not is_caption("Table of contents")


def test_endnotes_in_roman_numerals_read_as_their_numbers():
    # the marker after the words, and the note's own number before its text, as i, ii, iii
    spans = [Span("as prices climbed.", 72, 170, 600, 11), Span("xiv", 170, 178, 604, 6.4),
             Span(" Local authorities", 178, 260, 600, 11)]
    assert lines_from_spans(spans)[0].text == "as prices climbed.¹⁴ Local authorities"
    note = [Span("xiv", 57, 65, 700, 8.5), Span("Ministry of Finance, budget 2016.", 65, 200, 700, 8.5)]
    assert lines_from_spans(note)[0].text == "14 Ministry of Finance, budget 2016."
    # a page of endnotes alone, from its top: notes, not body
    page = [line(f"{n} Interview with a regional official, March {2000 + n}.", 780 - 10 * n, size=8.5)
            for n in range(1, 40)]
    assert footnote_zone(page, 11.0, H) == len(page)
    assert footnote_zone([line("Body text of the report in its usual type.", 790, size=11), *page], 11.0, H) == len(page)


def test_note_lines_become_definitions_with_wrapped_lines_joined():
    defs, last = split_note_lines(["3 Ministry of Water, Annual", "statistics 2021.", "4 https://example.org/x"], 2)
    assert defs == {3: "Ministry of Water, Annual statistics 2021.", 4: "https://example.org/x"} and last == 4
    restarted, _ = split_note_lines(["1 A note numbered per chapter."], 40)
    assert restarted == {1: "A note numbered per chapter."}


def two_columns():
    left = [line(f"left column line number {i} of prose", 700 - 12 * i, x0=72, x1=290) for i in range(10)]
    right = [line(f"right column line number {i} of prose", 700 - 12 * i, x0=320, x1=540) for i in range(10)]
    title = line("A title over both columns of the page", 740, x0=72, x1=540, size=16)
    return [title, *left, *right]


def test_two_columns_are_found_and_read_one_after_the_other():
    lines = two_columns()
    assert column_starts(lines, 10.0) == [320.0]
    runs = reading_order(lines, 10.0)
    flat = [x.text for run in runs for x in run]
    assert flat[0].startswith("A title")
    assert flat[1:11] == [f"left column line number {i} of prose" for i in range(10)]
    assert flat[11:] == [f"right column line number {i} of prose" for i in range(10)]


def test_three_columns_are_read_left_to_right():
    lines = [line(f"column {c} line {i} with some words", 700 - 12 * i, x0=72 + 170 * c, x1=72 + 170 * c + 150)
             for c in range(3) for i in range(6)]
    assert column_starts(lines, 10.0) == [242.0, 412.0]
    flat = [x.text for run in reading_order(lines, 10.0) for x in run]
    assert flat == [f"column {c} line {i} with some words" for c in range(3) for i in range(6)]


def test_an_indented_single_column_is_not_two_columns():
    lines = [line("1.1 Security fundamentals", 740, x0=64, x1=300, size=16)]
    lines += [line(f"indented body line {i} that runs to the margin", 700 - 12 * i, x0=136, x1=540)
              for i in range(12)]
    assert column_starts(lines, 10.0) == []


def test_headings_by_size_or_weight_and_paragraphs_by_gap():
    lines = [line("Current state of security", 740, size=16, bold=True),
             line("First paragraph line one runs on and", 710), line("ends here.", 698),
             line("Second paragraph after a gap.", 670),
             line("Bold run-in title", 640, bold=True), line("Body under it.", 628)]
    paras = paragraphs([lines], body_size(lines), styled=True)
    assert [(p.kind, p.lines) for p in paras] == [
        ("heading", ("Current state of security",)),
        ("para", ("First paragraph line one runs on and", "ends here.")),
        ("para", ("Second paragraph after a gap.",)),
        ("heading", ("Bold run-in title",)),
        ("para", ("Body under it.",)),
    ]


def test_without_font_cues_the_shape_decides():
    paras = paragraphs([[line("Introduction", 700), line("Some text.", 670)]], 10.0, styled=False)
    assert [p.kind for p in paras] == ["auto", "auto"]


def test_rows_of_cells_are_a_table_and_dot_leaders_are_dropped():
    rows = [("Role", "Function", "Tables"), ("QIBM_DB_SECADM", "Security", "Yes"), ("QIBM_DB_SQLADM", "SQL", "No")]
    lines = [line("Contents", 760, size=16, bold=True), line("Chapter 1. Securing data . . . . . . . . 1", 740),
             line("1.1 Fundamentals . . . . . . . . . . . 2", 728)]
    lines += [line(cell, 600 - 12 * r, x0=72 + 150 * c, x1=72 + 150 * c + 80) for r, row in enumerate(rows)
              for c, cell in enumerate(row)]
    paras = paragraphs([sorted(lines, key=lambda x: (-x.y, x.x0))], 10.0, styled=True)
    assert [(p.kind, p.lines) for p in paras] == [
        ("table", ("Role | Function | Tables", "QIBM_DB_SECADM | Security | Yes", "QIBM_DB_SQLADM | SQL | No")),
    ]
    assert is_dot_leader("Preface . . . . . . . xi") and is_dot_leader("Notes………… 4")
    assert not is_dot_leader("The cost rose to $3.5 million. See p. 4.")


def test_a_table_cell_wrapped_onto_a_second_line_stays_in_its_row():
    def row(y, *cells):
        return [line(text, y, x0=x, x1=x + 40) for x, text in zip((310, 380, 420, 460), cells, strict=False)]
    run = [*row(300, "Country", "2022", "2023", "Change"), *row(288, "North", "467", "178", "-62%"),
           line("Macedonia", 276, x0=310, x1=350), *row(264, "Albania", "412", "538", "30%"),
           *row(252, "Croatia", "767", "546", "-29%")]
    paras = paragraphs([run], 10.0, True)
    assert [p.kind for p in paras] == ["table"]
    assert paras[0].lines[1] == "North Macedonia | 467 | 178 | -62%"
    # a list's bullets in a column of their own are not a table
    items = [line("•", 700 - 24 * i, x0=72, x1=76) for i in range(3)]
    items += [line(f"Item {i} of the list, long enough to wrap onto", 700 - 24 * i, x0=90, x1=400) for i in range(3)]
    items += [line("a second line of its own.", 688 - 24 * i, x0=90, x1=300) for i in range(3)]
    assert "table" not in [p.kind for p in paragraphs([sorted(items, key=lambda x: (-x.y, x.x0))], 10.0, True)]


def test_paragraphs_follow_the_page_leading_and_end_on_a_short_last_line():
    # 1.6 em leading throughout (as CJK and double-spaced reports set): one paragraph, not one per line
    wide = [line(f"a line of the first paragraph, number {i},", 700 - 16 * i, x1=540) for i in range(4)]
    last = line("and the last line stops short.", 700 - 16 * 4, x1=300)
    nxt = line("A new paragraph starts right under it and runs on", 700 - 16 * 5, x1=540)
    paras = paragraphs([[*wide, last, nxt]], 10.0, styled=True)
    assert [len(p.lines) for p in paras] == [5, 1]
