from ingest.footnotes import is_prose_note, split_footnotes, tidy_url
from ingest.markers import link_markers, link_markers_from, split_run
from ingest.records import Marker


def numbers(markers: list[Marker]) -> list[int]:
    return [m.n for m in markers]


# --- definitions -------------------------------------------------------------------------------


def test_superscript_and_latex_definitions_are_pulled_out():
    text = (
        "Body cites two sources.¹²\n\n"
        "¹ https://example.org/one\n\n"
        " $^{^2\\,}https://example.org/two$\n\n"
        " $^{^{3}}$ This ban was engineered by two blocs.\n\n"
        " $^{4}$ https://example.org/four $\\,$\n\n"
        "The body goes on."
    )
    body, defs = split_footnotes(text)
    assert defs == {
        1: "https://example.org/one",
        2: "https://example.org/two",
        3: "This ban was engineered by two blocs.",
        4: "https://example.org/four",
    }
    assert "example.org" not in body and "engineered" not in body
    assert "Body cites two sources.¹²" in body and "The body goes on." in body


def test_definition_lines_are_blanked_so_paragraphs_stay_apart():
    body, _ = split_footnotes("often welcomed by\n¹ https://example.org/a\ngovernments in the region.")
    assert body.split("\n") == ["often welcomed by", "", "governments in the region."]


def test_plain_numbered_urls_in_sequence_are_definitions():
    text = "Text.1 More.2\n1 https://example.org/a\n2 https://example.org/b"
    assert split_footnotes(text)[1] == {1: "https://example.org/a", 2: "https://example.org/b"}


def test_numbered_headings_and_numbers_opening_paragraphs_are_body():
    text = (
        "Cited here.¹\n\n¹ https://example.org/a\n\n"
        "2. Britain Must Champion Burden-Sharing\n\n"
        "2025 was a year of change for the region.\n\n"
        "3 million people left the region.\n\n"
        "Cited again.²\n\n² https://example.org/b"
    )
    body, defs = split_footnotes(text)
    assert defs == {1: "https://example.org/a", 2: "https://example.org/b"}
    for line in ("2. Britain Must Champion Burden-Sharing", "2025 was a year", "3 million people"):
        assert line in body


def test_plain_prose_definition_needs_sequence_and_a_marker():
    with_marker = "A claim.¹\nAnother.²\n1 https://example.org/a\n2 This note explains the claim."
    assert split_footnotes(with_marker)[1][2] == "This note explains the claim."
    without_marker = "A claim.¹\n1 https://example.org/a\n2 This is a paragraph of the body."
    assert 2 not in split_footnotes(without_marker)[1]


def test_wrapped_definition_lines_join_their_definition():
    text = "Cited.¹ Also.²\n¹ This explanation runs\nover two lines.\n² https://example.org/very/long-\npath/x"
    assert split_footnotes(text)[1] == {
        1: "This explanation runs over two lines.",
        2: "https://example.org/very/long-path/x",
    }


def test_definition_after_a_body_line_does_not_eat_the_next_paragraph():
    text = "Body.¹\n¹ https://example.org/a\nNext body paragraph starts here."
    body, defs = split_footnotes(text)
    assert defs == {1: "https://example.org/a"}
    assert "Next body paragraph starts here." in body


def test_repeating_url_is_cut_to_its_first_sensible_form():
    stem = "https://site.com/insights/the-architecture-of-influence/"
    looped = stem + "linearchitecture-of-influence/" * 40
    assert tidy_url(looped) == stem
    assert split_footnotes(f"X.¹\n\n¹ {looped}")[1] == {1: stem}


def test_normal_urls_are_left_alone():
    for url in ("https://example.org/a/b/c.html", "https://x.com/en/news/en/item?id=1"):
        assert tidy_url(url) == url


# --- markers -----------------------------------------------------------------------------------


def test_glued_superscripts_resolve_by_sequence():
    assert split_run("12", range(1, 30), expect=1) == [1, 2]
    assert split_run("12", range(1, 30), expect=12) == [12]
    assert split_run("2829", range(1, 30), expect=28) == [28, 29]
    assert split_run("56", range(1, 30), expect=5) == [5, 6]


def test_superscript_markers_are_removed_and_placed():
    text, markers = link_markers("Russian aggression.¹² This was noted by Lammy, ³ and others.⁴", range(1, 5))
    assert text == "Russian aggression. This was noted by Lammy, and others."
    assert numbers(markers) == [1, 2, 3, 4]
    assert text[: markers[0].pos].endswith("aggression.")
    assert text[: markers[2].pos].endswith("Lammy,")
    assert markers[3].pos == len(text)


def test_same_superscript_reads_differently_further_on():
    body = "a.¹ b.² c.³ d.⁴ e.⁵ f.⁶ g.⁷ h.⁸ i.⁹ j.¹⁰ k.¹¹ the centre in Nis,¹² and more.¹³"
    text, markers = link_markers(body, range(1, 14))
    assert numbers(markers) == list(range(1, 14))
    assert "Nis, and more." in text


def test_plain_digit_runs_in_marker_positions_are_markers():
    body = (
        "Since a 2016 coup attempt, by operatives, 3738 and the violence in Montenegro 39, there are "
        "concerns in the country. 4041 Much has changed since sanctions-busting. 42 In 2024, 47 personnel "
        'and $72 million went to its war machine". 43'
    )
    text, markers = link_markers(body, range(37, 44))
    assert numbers(markers) == [37, 38, 39, 40, 41, 42, 43]
    assert "operatives, and the violence in Montenegro, there" in text
    assert "country. Much has changed since sanctions-busting. In 2024, 47 personnel and $72 million" in text
    assert text.endswith('war machine".')
    assert "2016 coup" in text


def test_quantities_are_not_markers_even_in_sequence():
    bodies = ("There were 3 reports.", "In 2019. 3 people died.", "2. Unified system", "3 Britons died.", "It rose 4%.", "It cost 3.5 million.",
              "Options: 3. adopt it; 4. drop it.", "The G3 met.", "Paid $3 billion.", "On 3 May.",
              "He said: 3 Britons died.", "It grew 3,000 times.")
    for body in bodies:
        assert link_markers_from(body, range(1, 10), expect=3)[:2] == (body, []), body


def test_numbers_off_the_sequence_are_not_markers():
    body = "NATO guarantees Article 5. At present, 47 personnel, against Hungary's 365."
    assert link_markers_from(body, range(1, 64), expect=63)[:2] == (body, [])


def test_quote_then_plain_marker_at_paragraph_end():
    text, markers = link_markers_from('Serbia\'s slip is "no longer tenable." 16', range(1, 20), 16)[:2]
    assert text == 'Serbia\'s slip is "no longer tenable."'
    assert numbers(markers) == [16]


def test_pdf_style_digits_glued_to_words_are_markers():
    text, markers = link_markers("a robust intelligence56 and paramilitary presence.7 More", range(5, 8))
    assert text == "a robust intelligence and paramilitary presence. More"
    assert numbers(markers) == [5, 6, 7]


def test_latex_marker_remnants_in_the_body():
    text, markers = link_markers("A claim.$^{1}$ Another^{2} here.", {1, 2})
    assert text == "A claim. Another here."
    assert numbers(markers) == [1, 2]


def test_without_definitions_nothing_is_linked():
    body = "The area is 10 km² and grew.¹ In 2016, 3 people left."
    assert link_markers(body, ()) == (body, [])


def test_prose_notes_are_told_from_bare_urls():
    assert is_prose_note("This ban was itself engineered by the Russian-aligned SNSD and HDZ blocs.")
    assert not is_prose_note("https://www.rferl.org/a/serbia-china-military-exercises-eu-alarm-russia/33476628.html")
    assert not is_prose_note("See https://example.org/a-long-slug-with-many-words-in-it")


def test_where_markers_are_raised_a_number_after_a_space_is_text():
    body = "The canal was lined in phase 1. Engineers praised it.²"
    text, markers, _ = link_markers_from(body, {1, 2}, 1)
    assert [m.n for m in markers] == [1, 2]  # flattened text: "phase 1." may be marker 1
    text, markers, _ = link_markers_from(body, {1, 2}, 1, spaced=False)
    assert text == "The canal was lined in phase 1. Engineers praised it." and [m.n for m in markers] == [2]
    glued, markers, _ = link_markers_from("as the ministry said.1 Then", {1}, 1, spaced=False)
    assert glued == "as the ministry said. Then" and [m.n for m in markers] == [1]
