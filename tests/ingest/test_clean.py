from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.clean import Cleaned, Page, clean_pages, fix_noise, guess_title, is_heading
from ingest.lines import joined, words_of

REPORT = Path(__file__).resolve().parents[2] / "corpus" / "restoring-british-leadership-in-the-western-balkans.txt"


def block_texts(cleaned: Cleaned, kind: str | None = None) -> list[str]:
    return [cleaned.text[b.char_start:b.char_end] for b in cleaned.blocks if kind in (None, b.kind)]


def marked(cleaned: Cleaned, n: int) -> list[str]:
    """The 60 characters before each marker for footnote ``n``."""
    return [cleaned.text[max(0, m.pos - 60):m.pos] for m in cleaned.markers if m.n == n]


def assert_well_formed(cleaned: Cleaned) -> None:
    for b in cleaned.blocks:
        text = cleaned.text[b.char_start:b.char_end]
        assert text and text == text.strip()
    assert cleaned.text == "\n\n".join(block_texts(cleaned))
    positions = [m.pos for m in cleaned.markers]
    assert positions == sorted(positions)
    assert all(0 <= p <= len(cleaned.text) for p in positions)
    # A marker stands just after the words it belongs to, and taking it out left no gap.
    assert all(p == 0 or cleaned.text[p - 1] != " " for p in positions)
    assert "  " not in cleaned.text


# --- noise and headings ------------------------------------------------------------------------


def test_fix_noise_undoes_extraction_artifacts():
    assert fix_noise("purchasing \\$72 million") == "purchasing $72 million"
    assert fix_noise("who would α . offer BiH and *b.* concrete") == "who would α . offer BiH and b. concrete"
    assert fix_noise("the *Financial Times* board") == "the Financial Times board"
    assert fix_noise("odd\u00a0 spaces\u200b and soft\u00adhyphen") == "odd spaces and softhyphen"
    assert fix_noise("two columns ﬁlled with text, eﬀects and ﬂows") == "two columns filled with text, effects and flows"


def test_fix_noise_never_changes_a_letter():
    # a quote is the document's own words: a glyph a converter misread stays as the file has it
    for text in ("ACME® products, © 2025 Acme.", "The angle α. Then", "5 * 3 * 2 = 30", "AT&T paid $5.",
                 "30 NATO peace- keepers", "Ελληνικά: α. β. γ. δ.", "NEW DIPL®MACY PROJECT",
                 "Options: α . offer more", "who would α . offer BiH and b. concrete"):
        assert fix_noise(text) == text


@pytest.mark.parametrize("line", [
    "Russia's Malign Influence in the Western Balkans",
    "A Loss of Faith in Europe",
    "1. Britain Must Champion Burden-Sharing to Bridge the Transatlantic Gap",
    "Conclusions",
    "Contributors",
    "Foreword",
    "Introduction",
    "Key findings",
])
def test_bare_title_lines_are_headings(line):
    assert is_heading(line)


@pytest.mark.parametrize("line", [
    "Europe is at war.",
    "- The United Kingdom must champion burden-sharing",
    "Similarly, on migration, the United Kingdom, working alongside its allies, should invest directly in",
    "The world's attention has shifted from the region and so people must",
    "https://example.org/a",
    "2025",
    "",
])
def test_sentences_fragments_and_bullets_are_not_headings(line):
    assert not is_heading(line)


# --- the real report ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report() -> Cleaned:
    return clean_pages([Page(REPORT.read_text(encoding="utf-8"))])


def test_report_has_all_63_footnotes_with_their_text(report):
    assert sorted(report.footnotes) == list(range(1, 64))
    assert all(report.footnotes.values())
    assert report.footnotes[12] == (
        "https://www.voanews.com/a/united-states-sees-russia-humanitarian-center-serbia-spy-outpost/3902402.html"
    )
    assert report.footnotes[13] == (
        "https://3gimbals.com/insights/the-hybrid-architecture-of-russian-intelligence-in-the-western-balkans/"
    )
    assert report.footnotes[22] == (
        "This ban on the export of Bosnian-made arms and munitions to Ukraine was itself engineered by "
        "the Russian-aligned SNSD and HDZ blocs."
    )
    assert report.footnotes[50] == (
        "https://www.gmfus.org/news/western-balkans-and-chinas-digital-silk-road-keen-strategic-cooperation"
        "-or-cautious-limited"
    )
    assert report.footnotes[3] == (
        "https://www.politico.eu/article/with-all-eyes-on-ukraine-europe-is-urged-not-to-forget-the-other-hotspot/"
    )
    assert report.footnotes[63] == (
        "https://newlinesinstitute.org/political-systems/dayton-plus-a-policymakers-guide-to-constitutional"
        "-reform-in-bosnia-and-herzegovina/"
    )
    assert all(len(d) < 300 and "$" not in d and "\\" not in d for d in report.footnotes.values())


def test_report_definitions_leave_the_body(report):
    notes_start = next(b.char_start for b in report.blocks if b.kind == "note")
    body = report.text[:notes_start]
    assert "https://" not in report.text
    assert "This ban on the export" not in body


def test_prose_footnotes_become_a_notes_section_that_cites_itself(report):
    notes = [report.text[b.char_start : b.char_end] for b in report.blocks if b.kind == "note"]
    assert len(notes) == 1 and notes[0].startswith("This ban on the export of Bosnian-made arms and munitions to Ukraine")
    note_marker = report.markers[-1]
    assert note_marker.n == 22 and report.text[: note_marker.pos].endswith("SNSD and HDZ blocs.")


def test_report_markers_link_to_the_right_numbers(report):
    assert marked(report, 1)[0].endswith("Russian aggression.") and marked(report, 2) == marked(report, 1)
    assert marked(report, 5)[0].endswith("a robust intelligence") and marked(report, 6) == marked(report, 5)
    assert marked(report, 12)[0].endswith("Humanitarian Centre in Nis,")
    assert marked(report, 16)[0].endswith('no longer tenable."')
    assert marked(report, 28)[0].endswith("government which continue") and marked(report, 29) == marked(report, 28)
    assert marked(report, 37)[0].endswith("Russian and Serbian operatives,") and marked(report, 38)
    assert marked(report, 39)[0].endswith("Church in Montenegro")
    assert marked(report, 40)[0].endswith("influence in the country.") and marked(report, 41)
    assert marked(report, 63)[0].endswith("the country's political system.")


def test_report_references_every_footnote_it_has_a_marker_for(report):
    # The source has no markers at all for 18-21: the paragraph they belonged to
    # ("Russia has other partners in BiH too. ...") came out of the PDF without them.
    assert {m.n for m in report.markers} == set(range(1, 64)) - {18, 19, 20, 21}
    notes_start = next(b.char_start for b in report.blocks if b.kind == "note")
    numbers = [m.n for m in report.markers if m.pos < notes_start]
    assert numbers == sorted(numbers)


def test_report_text_reads_without_marker_digits(report):
    for phrase in (
        "Russian aggression. This has also been noted",
        "David Lammy, and a similar view",
        "robust intelligence and paramilitary presence",
        "Centre in Nis, and the country",
        "operatives, and the 2021 violence",
        "Church in Montenegro, there are",
        "in the country. Much like",
        "political system. Britain should",
        "government which continue.",
        "ordinary citizens. Indeed, across",
        "purchasing $72 million",
        "who would α . offer BiH",
    ):
        assert phrase in report.text, phrase
    assert "NEW DIPL®MACY PROJECT" in report.text  # as the file spells it: quotes stay verbatim
    assert not any(ch in report.text for ch in "⁰¹²³⁴⁵⁶⁷⁸⁹")


def test_report_paragraphs_split_by_page_breaks_are_rejoined(report):
    paras = block_texts(report, "para")
    for phrase in (
        "often welcomed by governments and political actors",
        "Berlin Process meetings, the responsibility for sorting out",
        "called ongoing efforts by the EU and Britain",
        "against the country's sovereignty and territorial integrity",
        "involved in the Western Balkans's digital",
        "struggle with. Albania",
        "in line with the EU acquis and the rulings",
    ):
        assert any(phrase in p for p in paras), phrase


def test_report_headings_are_found(report):
    headings = block_texts(report, "heading")
    for title in (
        "Foreword", "Introduction", "Russia's Malign Influence in the Western Balkans",
        "A Loss of Faith in Europe", "1. Britain Must Champion Burden-Sharing to Bridge the Transatlantic Gap",
        "2. Britain Must Advocate for NATO's Enlargement", "Conclusions", "Contributors",
    ):
        assert title in headings
    assert not any(h.endswith(".") for h in headings)
    assert guess_title(report) == "RESTORING BRITISH LEADERSHIP IN THE WESTERN BALKANS"


def test_report_is_well_formed(report):
    assert_well_formed(report)
    assert all(b.page is None and b.page_label is None for b in report.blocks)


# --- PDF-like pages ----------------------------------------------------------------------------


def test_pdf_pages_with_footnotes_at_page_bottoms():
    pages = [
        Page(
            "vii\n"
            "Introduction\n"
            "Europe is at war, and the region matters.1 The threat to the region is growing2 and\n"
            "it is often welcomed by\n"
            "1 https://example.org/a\n"
            "2 https://example.org/b",
            number=1, label="vii",
        ),
        Page(
            "governments in the region.3 This matters a great deal.\n"
            "A Second Section\n"
            "More text here cites a prose note.4\n"
            "3 https://example.org/c\n"
            "4 This note explains who engineered\n"
            "the ban on exports.\n"
            "viii",
            number=2, label="viii",
        ),
    ]
    cleaned = clean_pages(pages)
    assert cleaned.footnotes == {
        1: "https://example.org/a", 2: "https://example.org/b", 3: "https://example.org/c",
        4: "This note explains who engineered the ban on exports.",
    }
    assert [(b.kind, b.page, b.page_label) for b in cleaned.blocks] == [
        ("heading", 1, "vii"), ("para", 1, "vii"), ("heading", 2, "viii"), ("para", 2, "viii"),
        ("note", 2, "viii"),  # the prose note, on the page that defines it
    ]
    assert block_texts(cleaned) == [
        "Introduction",
        "Europe is at war, and the region matters. The threat to the region is growing and it is often "
        "welcomed by governments in the region. This matters a great deal.",
        "A Second Section",
        "More text here cites a prose note.",
        "This note explains who engineered the ban on exports.",
    ]
    assert [m.n for m in cleaned.markers] == [1, 2, 3, 4, 4]
    assert [cleaned.text[:m.pos].rsplit(" ", 1)[-1] for m in cleaned.markers] == [
        "matters.", "growing", "region.", "note.", "exports.",
    ]
    assert_well_formed(cleaned)
    assert guess_title(cleaned) == "Introduction"


def test_a_word_hyphenated_at_a_line_end_is_whole_where_the_document_writes_it_whole():
    vocabulary = words_of(["The government said so.", "Peace talks and keepers of the peace."])
    assert joined("the gov-", "ernment's plan", vocabulary) == "the government's plan"
    assert joined("30 NATO peace-", "keepers", vocabulary) == "30 NATO peace-keepers"  # never written whole
    assert joined("the gov-", "ernment", frozenset()) == "the gov-ernment"  # no evidence: as printed
    assert joined("in 2019-", "2020 it", vocabulary) == "in 2019- 2020 it"
    assert joined("the Anglo-", "Irish talks", vocabulary) == "the Anglo-Irish talks"
    assert joined("the report", "said", vocabulary) == "the report said"


def test_hyphenated_breaks_are_repaired_within_a_page_and_across_a_page_break():
    pages = [
        Page("The government met in spring. The govern-\nment set out its plan for water, which the gov-\n"
             "ernment funds.1 A hard-\nwon deal followed; the deal was hard won, they said, and the\n"
             "1 Treasury, Budget 2024.", number=1, label="1"),
        Page("govern-\nment welcomed it.", number=2, label="2"),
    ]
    cleaned = clean_pages(pages)
    assert block_texts(cleaned, "para") == [
        "The government met in spring. The government set out its plan for water, which the government funds. "
        "A hard-won deal followed; the deal was hard won, they said, and the government welcomed it.",
    ]
    assert [cleaned.text[:m.pos].rsplit(" ", 1)[-1] for m in cleaned.markers] == ["funds."]
    assert_well_formed(cleaned)


def test_a_paragraph_rejoined_across_pages_knows_where_each_page_starts():
    from ingest.chunk import chunk
    from ingest.records import Document

    pages = [Page("The committee met in the spring to review the plan for water, and it asked the", number=4,
                  label="iv"),
             Page("ministry for its figures. The ministry sent them in May. A second review\nfollowed in June "
                  "of that year, and the", number=5, label="v"),
             Page("committee approved the plan.", number=6, label="vi")]
    cleaned = clean_pages(pages)
    (block,) = [b for b in cleaned.blocks if b.kind == "para"]
    text = cleaned.text
    assert [(text[at:at + 8], page, label) for at, page, label in block.breaks] == [
        ("ministry", 5, "v"), ("committe", 6, "vi")]
    assert block.page_at(block.char_start) == (4, "iv") and block.page_at(len(text) - 1) == (6, "vi")
    doc = Document("d", "D", "report", "d.pdf", text, cleaned.blocks)
    (passage,) = chunk(doc)
    # a sentence is cited at the page it starts on, not at the page its paragraph starts on
    assert [(passage.sentence_text(s)[:12], s.page, s.page_label) for s in passage.sentences] == [
        ("The committe", 4, "iv"), ("The ministry", 5, "v"), ("A second rev", 5, "v")]
    assert_well_formed(cleaned)


def test_a_table_or_caption_between_a_sentences_halves_waits_until_the_sentence_is_whole():
    # a float set at the top of the next column or page, as LaTeX and word processors place them
    first = "The larger model improves accuracy on every split, and we observe that it"
    blocks = (("para", "Table 1: Accuracy by model size."), ("table", "Model | TEDS | mAP\nbase | 98.7 | 65.9"),
              ("para", "converges in about 36 epochs\nwithout tuning."))
    pages = [Page(first, number=1, label="1", blocks=(("para", first),)),
             Page("\n\n".join(text for _, text in blocks), number=2, label="2", blocks=blocks)]
    cleaned = clean_pages(pages)
    assert block_texts(cleaned) == [
        "The larger model improves accuracy on every split, and we observe that it converges in about 36 epochs "
        "without tuning.",
        "Table 1: Accuracy by model size.",
        "Model | TEDS | mAP\nbase | 98.7 | 65.9",
    ]
    assert [b.kind for b in cleaned.blocks] == ["para", "para", "table"]
    # the same table where the PDF does not set its cells apart: a header row and rows of figures as text
    blocks = (("para", "Table 1: Accuracy by model size."), ("para", "Model TEDS mAP"),
              ("para", "larger-base 98.7 65.9\nsmaller-large 93.7 84.0"),
              ("para", "converges in about 36 epochs\nwithout tuning."))
    pages[1] = Page("\n\n".join(text for _, text in blocks), number=2, label="2", blocks=blocks)
    assert block_texts(clean_pages(pages)) == [
        "The larger model improves accuracy on every split, and we observe that it converges in about 36 epochs "
        "without tuning.",
        "Table 1: Accuracy by model size.", "Model TEDS mAP", "larger-base 98.7 65.9 smaller-large 93.7 84.0",
    ]


def test_a_pull_quote_between_a_sentences_halves_waits_until_the_sentence_is_whole():
    # the box repeats, in large type, a sentence the text says elsewhere
    quote = "Water is the first duty of any government that wants to be trusted."
    blocks = (("para", f"The minister opened the debate. {quote} Others agreed with her, and they said that the"),
              ("para", quote), ("para", "new law would take effect in 2025 across the whole country."))
    page = Page("\n\n".join(text for _, text in blocks), number=1, label="1", blocks=blocks)
    assert block_texts(clean_pages([page])) == [
        f"The minister opened the debate. {quote} Others agreed with her, and they said that the new law would "
        "take effect in 2025 across the whole country.",
        quote,
    ]


def test_a_repeated_passage_is_found_anywhere_in_the_document():
    from ingest.clean import _pull_quotes, _Unit

    quote = "Water is the first duty of any government that wants to be trusted."
    said = f"The minister opened the debate. {quote} Others agreed."
    units = [_Unit("para", said, [], 3, "3"), _Unit("para", "Other text on other matters entirely here.", [], 4, "4"),
             _Unit("para", quote.upper(), [], 40, "40"), _Unit("para", "Water is the first duty, she said.", [], 41, "41")]
    assert _pull_quotes(units) == {2}  # the box repeats the sentence, pages away, in capitals


def test_text_without_headings_has_no_title():
    cleaned = clean_pages([Page("Ms Truss met six ministers.\n\nShe said it went well.")])
    assert guess_title(cleaned) is None
    assert block_texts(cleaned, "para") == ["Ms Truss met six ministers.", "She said it went well."]
    assert cleaned.footnotes == {} and cleaned.markers == ()


def test_bullets_stay_separate_items():
    text = ("Summary of Recommendations\n"
            "- The United Kingdom must champion burden-sharing across the whole region\n"
            "- Britain should advocate for the continued enlargement of NATO in the region")
    assert block_texts(clean_pages([Page(text)])) == [
        "Summary of Recommendations",
        "The United Kingdom must champion burden-sharing across the whole region",
        "Britain should advocate for the continued enlargement of NATO in the region",
    ]


_PIECES = ["Word", "word", "the", ".", ",", " ", "\n", "\n\n", "¹", "²³", "12", "3738", "$^{4}$", " $^{^5\\,}",
           "https://x.org/a/", "- ", "1. ", "α .", "\\$", "®", "\u00ad", '"', "Heading Line", "7", "# ",
           "\n1 https://x.org/b", "\n2 A prose note.", " 1", ". 2 ", "*", "a\u00a0b", "wor-\n", "-\nd"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join), min_size=1, max_size=3))
def test_any_pages_give_well_formed_output(texts):
    pages = [Page(t, number=i + 1, label=str(i + 1)) for i, t in enumerate(texts)]
    cleaned = clean_pages(pages)
    assert_well_formed(cleaned)
    assert all(b.kind in ("heading", "para", "note") for b in cleaned.blocks)
    assert all(n in cleaned.footnotes for n in {m.n for m in cleaned.markers})
