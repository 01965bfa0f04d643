import pytest

from ingest.errors import IngestError
from ingest.loaders import load
from ingest.loaders.html import html_blocks

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <title>Western Balkans briefing | Example News</title>
  <meta name="author" content="Jane Doe">
  <meta property="article:published_time" content="2021-12-13T10:00:00Z">
  <style>body { color: red; }</style>
  <script>var secret = "do not index";</script>
</head>
<body>
  <nav><a href="/">Home</a> <a href="/world">World</a></nav>
  <h1>Ministers meet in London</h1>
  <p>The Foreign Secretary met six foreign ministers on Monday.<sup>1</sup></p>
  <script>alert(1)</script>
  <img src="x.png" onerror="alert('img')">
  <noscript>Please enable JavaScript</noscript>
  <template><p>Hidden template text.</p></template>
  <h2>What was agreed</h2>
  <ul><li>Closer economic ties with the region.</li><li>A new special envoy.</li></ul>
  <blockquote>We will support freedom and stability.</blockquote>
  <table><tr><td>Albania</td><td>Serbia</td></tr></table>
  <!-- a comment that is not text -->
  <p>Talks continue <b>next&nbsp;year</b> in Berlin.</p>
  <section class="footnotes"><ol>
    <li id="fn1"><p>https://example.org/ministers-meeting <a href="#ref1">↩</a></p></li>
  </ol></section>
</body>
</html>
"""


@pytest.fixture
def doc(tmp_path):
    path = tmp_path / "briefing.html"
    path.write_text(PAGE, encoding="utf-8")
    return load(path)


def test_no_script_style_or_attribute_text_reaches_the_document(doc):
    for code in ("alert", "secret", "color: red", "onerror", "enable JavaScript", "Hidden template", "comment"):
        assert code not in doc.text
    assert "Home" not in doc.text  # navigation is not content


def test_title_comes_from_the_title_element(doc):
    assert doc.title == "Western Balkans briefing | Example News"
    assert doc.doc_id == "briefing"
    assert doc.meta["author"] == "Jane Doe"
    assert doc.meta["date"] == "2021-12-13"
    assert doc.meta["lang"] == "en"


def test_headings_become_heading_blocks_and_only_they(doc):
    headings = [doc.text[b.char_start : b.char_end] for b in doc.blocks if b.kind == "heading"]
    assert headings == ["Ministers meet in London", "What was agreed"]
    paras = [doc.text[b.char_start : b.char_end] for b in doc.blocks if b.kind == "para"]
    assert "Closer economic ties with the region." in paras
    assert "We will support freedom and stability." in paras
    assert "Albania | Serbia" in paras  # a table's row: its cells side by side
    assert "Talks continue next year in Berlin." in paras


def test_superscript_footnote_marker_links_to_the_footnote_list(doc):
    first = next(b for b in doc.blocks if b.kind == "para")
    assert doc.text[first.char_start : first.char_end] == "The Foreign Secretary met six foreign ministers on Monday."
    assert dict(doc.footnotes) == {1: "https://example.org/ministers-meeting"}
    assert [m.n for m in doc.markers] == [1] and doc.markers[0].pos == first.char_end
    assert doc.kind == "report"


def test_br_keeps_a_line_break_inside_a_paragraph():
    from bs4 import BeautifulSoup

    soup = BeautifulSoup("<p>10 Downing Street<br>London</p><div>Loose <i>div</i> text</div>", "html.parser")
    assert html_blocks(soup) == [("para", "10 Downing Street\nLondon"), ("para", "Loose div text")]


def test_ordered_list_items_keep_their_shown_numbers():
    from bs4 import BeautifulSoup

    soup = BeautifulSoup('<ol start="3"><li><p>Third</p></li><li>Fourth</li></ol><ul><li>Dot</li></ul>', "html.parser")
    assert html_blocks(soup) == [("para", "3. Third"), ("para", "4. Fourth"), ("para", "Dot")]


def test_a_page_without_readable_text_is_refused(tmp_path):
    path = tmp_path / "empty.htm"
    path.write_text("<html><head><title>x</title><script>alert(1)</script></head><body> </body></html>")
    with pytest.raises(IngestError, match="no readable text"):
        load(path)


def test_a_long_heading_is_not_joined_to_the_paragraph_after_it(tmp_path):
    path = tmp_path / "long.html"
    path.write_text(
        "<h1>What the government should do about the crisis in the region now</h1>"
        "<p>It should act before the winter and fund the new programme.</p>"
    )
    doc = load(path)
    kinds = [(b.kind, doc.text[b.char_start : b.char_end]) for b in doc.blocks]
    assert kinds == [
        ("heading", "What the government should do about the crisis in the region now"),
        ("para", "It should act before the winter and fund the new programme."),
    ]
    assert doc.title == "What the government should do about the crisis in the region now"


def test_a_paragraph_that_starts_with_a_heading_word_is_not_split(tmp_path):
    path = tmp_path / "albania.html"
    path.write_text("<h2>Albania</h2><p>A NATO member since 2009.</p><p>Albania is a candidate for the EU.</p>")
    doc = load(path)
    assert [(b.kind, doc.text[b.char_start : b.char_end]) for b in doc.blocks] == [
        ("heading", "Albania"),
        ("para", "A NATO member since 2009."),
        ("para", "Albania is a candidate for the EU."),
    ]


GOV_PAGE = """<!DOCTYPE html><html><head><title>Rural water: a briefing - GOV.UK</title></head><body>
<header><p>Cookies on GOV.UK</p><nav><a href="/">Home</a></nav></header>
<main>
<h1>Rural water: a briefing</h1>
<p>About 1,200 villages still rely on tanker deliveries.<sup id="fnref:1"><a href="#fn:1">1</a></sup></p>
<table><tr><th>Region</th><th>Villages</th></tr><tr><td>North</td><td>700</td></tr></table>
<table><tr><td><p>A page laid out in a table.</p><p>Its cells hold paragraphs.</p></td></tr></table>
</main>
<div class="footnotes"><ol><li id="fn:1"><p>Department for Water, statistics 2023. <a href="#fnref:1">↩</a></p></li>
</ol></div>
<footer><p>© Crown copyright</p></footer>
</body></html>"""


def test_only_the_main_part_is_read_with_its_tables_as_rows_and_notes_kept(tmp_path):
    path = tmp_path / "rural-water.html"
    path.write_text(GOV_PAGE, encoding="utf-8")
    doc = load(path)
    assert "Cookies" not in doc.text and "Crown copyright" not in doc.text  # the site's, not the document's
    assert doc.title == "Rural water: a briefing"  # the page's heading, not "... - GOV.UK"
    paras = [doc.text[b.char_start : b.char_end] for b in doc.blocks if b.kind == "para"]
    assert "Region | Villages" in paras and "North | 700" in paras
    assert "A page laid out in a table." in paras and "Its cells hold paragraphs." in paras
    assert doc.footnotes == {1: "Department for Water, statistics 2023."}  # kept outside <main>
    assert [m.n for m in doc.markers][:1] == [1]


def test_without_a_main_part_the_sites_header_and_footer_are_left_out(tmp_path):
    path = tmp_path / "plain.html"
    path.write_text("<html><body><header><p>Site banner text</p></header><article><header><h1>Report title</h1>"
                    "</header><p>Body one.</p></article><article><p>Body two.</p></article>"
                    "<footer><p>Site footer text</p></footer></body></html>", encoding="utf-8")
    doc = load(path)
    assert "Site banner" not in doc.text and "Site footer" not in doc.text
    assert "Report title" in doc.text and "Body one." in doc.text and "Body two." in doc.text
