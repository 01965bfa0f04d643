"""The web chat's text: document text is shown literally, only http(s) URLs become links."""

from __future__ import annotations

from chat.ui_text import (
    ABSTAIN_HEADING,
    answer_markdown,
    citation_choices,
    footnote_line,
    highlight_html,
    html_linked,
    md_linked,
    md_text,
    references_text,
    source_html,
    split_urls,
    status_markdown,
)

XSS = '<script>window.__xss=1</script> <img src=x onerror="window.__xss=1">'


def _citation(**over):
    c = {"n": 1, "doc_id": "bridges", "title": "Small Report", "section": "Funding", "page": None,
         "page_label": None, "start_s": None, "speaker": None, "quote": "The council funds repairs.",
         "passage_id": "bridges:1", "char_start": 10, "char_end": 36,
         "sources": [{"n": 2, "text": "https://example.org/council/levy"}], "reference": "“The council…” — Small"}
    c.update(over)
    return c


def test_markdown_escaping_leaves_no_tag_or_markup():
    out = md_text(XSS + " *bold* [link](javascript:alert(1)) # head")
    assert "<" not in out and ">" not in out
    assert "&lt;script&gt;" in out
    assert "\\*bold\\*" in out and "\\[link\\]" in out and "\\(javascript\\:alert\\(1\\)\\)" in out


def test_html_escaping_quotes_attributes():
    assert html_linked('<img src=x onerror="a">') == "&lt;img src=x onerror=&quot;a&quot;&gt;"


def test_only_http_urls_become_links():
    text = "See https://example.org/a_b?x=1&y=(2). Not javascript:alert(1) nor ftp://host.org/f or www.x.org"
    md = md_linked(text)
    assert "](https://example.org/a_b?x=1&y=%282%29)" in md
    assert md.count("](") == 1
    assert "ftp\\://host\\.org" in md and "www\\.x\\.org" in md
    html = html_linked(text)
    assert html.count("<a ") == 1 and 'href="https://example.org/a_b?x=1&amp;y=%282%29"' in html


def test_url_keeps_sentence_punctuation_outside():
    assert split_urls("at https://x.org/p.") == [("at ", False), ("https://x.org/p", True), (".", False)]
    assert split_urls("(see https://x.org/p)") == [("(see ", False), ("https://x.org/p", True), (")", False)]


def test_url_cannot_break_out_of_its_attribute():
    html = html_linked('https://x.org/"onmouseover="alert(1)')
    assert 'onmouseover="' not in html


def test_answer_shows_quotes_then_numbered_footnotes_with_links():
    result = {"question": "q", "answer": "“The council funds repairs.” [1]", "abstained": False,
              "citations": [_citation()], "passages": []}
    out = answer_markdown(result)
    assert out.index("\\[1\\]") < out.index("**Footnotes**")
    assert "*Small Report*, Funding" in out
    assert "Source: \\[2\\] [example\\.org/council/levy](https://example.org/council/levy)" in out


def test_long_link_labels_are_shortened_but_links_keep_the_full_url():
    url = "https://www.example.org/" + "a" * 80
    out = md_linked(f"see {url}", short=True)
    assert out.startswith("see [example\\.org/aaaa") and "…]" in out and out.endswith(f"]({url})")


def test_answer_escapes_document_text_everywhere():
    result = {"question": "q", "answer": f"“{XSS}” [1]", "abstained": False, "passages": [],
              "citations": [_citation(title=XSS, section=XSS, quote=XSS, sources=[{"n": 1, "text": XSS}])]}
    out = answer_markdown(result)
    assert "<" not in out and ">" not in out


def test_transcript_footnote_names_speaker_and_time():
    line = footnote_line(_citation(speaker="Jane Doe (Chair)", start_s=36300.0, section=None, sources=[]))
    assert line == "\\[1\\] *Small Report* — Jane Doe \\(Chair\\), 10\\:05"


def test_abstention_lists_closest_passages_as_not_an_answer():
    result = {"question": "q", "answer": "The documents don't say.", "abstained": True, "citations": [],
              "passages": [{"rank": 1, "doc_id": "bridges", "text": "<b>Levy</b> text", "section": "Funding",
                            "page": 3, "page_label": "3"}]}
    out = answer_markdown(result)
    assert out.startswith("The documents don") and ABSTAIN_HEADING in out
    assert "&lt;b&gt;Levy&lt;/b&gt;" in out and "p\\. 3" in out


def test_error_result_shows_its_message():
    assert answer_markdown({"question": "", "error": "empty <question>"}) == "**Error:** empty &lt;question&gt;"


def test_resolved_follow_up_is_shown():
    out = answer_markdown({"question": "and Kosovo?", "resolved_question": "What about bridges in Kosovo?",
                           "answer": "The documents don't say.", "abstained": True, "passages": []})
    assert out.startswith("*Read as:* What about bridges in Kosovo?")


def test_citation_choices_and_references():
    result = {"citations": [_citation(), _citation(n=2, reference="second")]}
    choices = citation_choices(result)
    assert [v for _, v in choices] == ["1", "2"]
    assert choices[0][0].startswith("[1] Small Report, Funding — “The council funds repairs.”")
    assert references_text(result) == "[1] “The council…” — Small\n[2] second"
    assert citation_choices(None) == [] and references_text(None) == ""


def test_highlight_marks_every_span_inside_the_window():
    text = "aaa QUOTE bbb OTHER ccc <x>"
    out = highlight_html(text, 100, [(104, 109), (114, 119), (500, 510)])
    assert out == "aaa <mark>QUOTE</mark> bbb <mark>OTHER</mark> ccc &lt;x&gt;"


def test_highlight_clips_spans_at_the_window_edges():
    assert highlight_html("abcdef", 10, [(8, 12), (15, 30)]) == "<mark>ab</mark>cde<mark>f</mark>"


def test_source_viewer_marks_the_quote_and_escapes_context():
    context = {"doc_id": "bridges", "title": XSS, "before": "<i>before</i> ", "quote": "The council funds repairs.",
               "after": " after", "section": "Funding", "page": 2, "page_label": "ii", "speaker": None,
               "start_s": None}
    html = source_html(context, _citation(char_start=14, char_end=40,
                                          spans=[{"quote": "x", "char_start": 14, "char_end": 40}]))
    assert "<mark>The council funds repairs.</mark>" in html
    assert "<script" not in html and "<img" not in html and "<i>" not in html
    assert "Funding, p. ii (PDF p. 2)" in html
    assert '<a href="https://example.org/council/levy"' in html


def test_upload_status_counts_and_names_failures():
    assert status_markdown(2, [], []) == "Indexed 2 documents."
    out = status_markdown(0, [("bad.pdf", "encrypted PDF")], [("big.txt", "too big")])
    assert "**big\\.txt**: too big" in out and "**bad\\.pdf**: encrypted PDF" in out


def test_country_brief_is_rendered_from_its_citations_with_escaped_headings():
    report = _citation(title=XSS, section="Funding *now*", quote="Serbia sent engineers.")
    turn = _citation(n=2, doc_id="hearing", title="Hearing", section=None, speaker="John Roe", start_s=36420.0,
                     quote="Serbia has faced it.", sources=[])
    result = {"question": "q", "answer": f"**{XSS}**", "abstained": False, "citations": [report, turn],
              "passages": [], "brief": {"country": "Serbia"},
              "footnote_mentions": [{"doc_id": "bridges", "n": 7, "text": "Serbia at https://x.org/s"}]}
    out = answer_markdown(result)
    assert "<" not in out and ">" not in out
    assert "*Funding \\*now\\**" in out
    assert "John Roe, 10\\:07: “Serbia has faced it\\.” \\[2\\]" in out
    assert out.index("“Serbia sent engineers\\.” \\[1\\]") < out.index("Footnotes that mention Serbia")
    assert "footnote 7: Serbia at [https\\://x\\.org/s](https://x.org/s)" in out
