"""render_text, render_markdown and citations_csv read only the answer object."""

from __future__ import annotations

import csv
import io
import json

from answer_kit import debate, document, evidence, review

from chat.answer import compose_answer
from chat.render import CSV_COLUMNS, citations_csv, render_markdown, render_text

SERBIA = "Which air defence batteries did Serbia buy?"
BRIDGE = "Who will fund the Eastford bridge?"


def _answer(question: str) -> dict:
    # Read back from JSON: the renderers must work on what the CLI and the app send.
    return json.loads(json.dumps(compose_answer(evidence(question, [review(), debate()]))))


def test_text_is_the_answer_then_a_footnote_per_citation():
    result = _answer(SERBIA)
    text = render_text(result)
    answer, footnotes = text.split("\n\n", 1)
    assert answer == "“Serbia bought six Chinese FK-3 air defence batteries in 2022.” [1]"
    assert (
        footnotes
        == "[1] Regional Defence Review, Arms Purchases, p. iii (PDF p. 3) — sources: [12] https://example.org/fk3-delivery"
    )


def test_text_footnote_of_a_transcript_names_speaker_and_time():
    text = render_text(_answer(BRIDGE))
    assert text.endswith("\n\n[1] Eastford Bridge Debate — Baroness Jones (Con), 19:00")


def test_text_of_an_abstention_lists_the_closest_passages():
    text = render_text(_answer("Who won the 2022 football World Cup?"))
    lines = text.splitlines()
    assert lines[0] == "The documents don't say."
    assert "Closest passages:" in lines
    assert any(line.startswith("(1) ") for line in lines)


def test_text_of_an_error_line_says_error():
    assert render_text({"error": "empty question"}) == "error: empty question"


def test_markdown_quotes_each_passage_and_lists_footnotes_with_links():
    md = render_markdown(_answer(SERBIA))
    assert md.startswith("> “Serbia bought six Chinese FK-3 air defence batteries in 2022.” [1]\n")
    assert (
        "- [1] *Regional Defence Review*, Arms Purchases, p. iii (PDF p. 3). Source: [12] <https://example.org/fk3-delivery>"
    ) in md
    # "[1]: url" would be a hidden Markdown link definition
    assert not any(line.startswith("[1]:") for line in md.splitlines())


def test_markdown_of_a_transcript_keeps_the_speaker_introduction():
    md = render_markdown(_answer(BRIDGE))
    assert md.startswith("> Baroness Jones (Con), 19:00: “The Government will fund")
    assert "- [1] *Eastford Bridge Debate* — Baroness Jones (Con), 19:00" in md


def test_markdown_of_an_abstention_is_the_abstention():
    assert render_markdown(_answer("Who won the 2022 football World Cup?")) == "The documents don't say."


def test_csv_parses_back_with_commas_and_quotes_in_the_quote():
    sentence = 'The minister said "no, never, not this year" to the toll.'
    doc = document("toll", sentence + "{3}", title='Tolls, "Fees" and Roads', footnotes={3: "https://example.org/a,b"})
    result = compose_answer(evidence("What did the minister say to the toll?", [doc]))
    rows = list(csv.reader(io.StringIO(citations_csv(result))))
    assert rows[0] == list(CSV_COLUMNS)
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["quote"] == sentence
    assert row["title"] == 'Tolls, "Fees" and Roads'
    assert row["sources"] == "[3] https://example.org/a,b"
    assert (row["n"], row["char_start"], row["char_end"]) == ("1", "0", str(len(sentence)))


def test_csv_has_time_and_speaker_for_transcripts_and_page_for_reports():
    bridge = dict(zip(CSV_COLUMNS, list(csv.reader(io.StringIO(citations_csv(_answer(BRIDGE)))))[1], strict=True))
    assert (bridge["speaker"], bridge["time"], bridge["page"]) == ("Baroness Jones (Con)", "19:00", "")
    serbia = dict(zip(CSV_COLUMNS, list(csv.reader(io.StringIO(citations_csv(_answer(SERBIA)))))[1], strict=True))
    assert (serbia["page"], serbia["section"], serbia["time"]) == ("p. iii (PDF p. 3)", "Arms Purchases", "")


def test_csv_of_an_abstention_is_only_the_header():
    assert citations_csv(_answer("Who won the 2022 football World Cup?")).splitlines() == [",".join(CSV_COLUMNS)]
