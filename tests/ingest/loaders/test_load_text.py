from pathlib import Path

import pytest

from ingest.loaders import load
from ingest.loaders.markdown import front_matter, markdown_to_text

CORPUS = Path(__file__).resolve().parents[3] / "corpus"

MARKDOWN = """---
title: "Annual Review of the Region"
date: 5 March 2024
author: Policy Unit
---

# Annual Review

Trade grew with **all six** partners, see [the data](https://example.org/data).[^1]

## Findings

- Investment rose in Albania.
- Emigration slowed in Serbia.

> Stability is a shared interest.[^2]

[^1]: https://example.org/trade
[^2]: Speech by the minister, 2024.
"""


def blocks(doc):
    return [(b.kind, doc.text[b.char_start : b.char_end]) for b in doc.blocks]


def test_markdown_report_renders_to_plain_text_with_footnotes(tmp_path):
    path = tmp_path / "review.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    doc = load(path)
    assert doc.kind == "report"
    assert doc.title == "Annual Review of the Region"
    assert doc.meta["date"] == "2024-03-05" and doc.meta["author"] == "Policy Unit"
    assert blocks(doc) == [
        ("heading", "Annual Review"),
        ("para", "Trade grew with all six partners, see the data."),
        ("heading", "Findings"),
        ("para", "Investment rose in Albania."),
        ("para", "Emigration slowed in Serbia."),
        ("para", "Stability is a shared interest."),
        # a prose footnote is also quotable text, a note citing itself
        ("note", "Speech by the minister, 2024."),
    ]
    assert dict(doc.footnotes) == {1: "https://example.org/trade", 2: "Speech by the minister, 2024."}
    assert [m.n for m in doc.markers] == [1, 2, 2]
    ends = ("the data.", "interest.", "minister, 2024.")
    assert all(doc.text[: m.pos].endswith(end) for m, end in zip(doc.markers, ends, strict=True))


def test_plain_text_article_without_a_heading_takes_its_title_from_the_file_name(tmp_path):
    path = tmp_path / "minister_visits-belgrade.txt"
    path.write_bytes(b"the minister visited Belgrade on Monday and met the president.\r\n\r\nTalks will resume.\r\n")
    doc = load(path)
    assert doc.kind == "article"
    assert doc.title == "Minister visits belgrade"
    assert doc.text == "the minister visited Belgrade on Monday and met the president.\n\nTalks will resume."
    assert doc.source == str(path) and doc.doc_id == "minister_visits-belgrade"


def test_corpus_report_is_a_report_with_its_footnotes():
    doc = load(CORPUS / "restoring-british-leadership-in-the-western-balkans.txt")
    assert doc.kind == "report"
    assert doc.title.lower().startswith("restoring british leadership in the western balkans")
    assert len(doc.footnotes) > 50 and doc.markers


def test_corpus_news_story_is_an_article():
    doc = load(CORPUS / "truss-meets-western-balkans-foreign-ministers.txt")
    assert doc.kind == "article"
    assert not any(b.kind == "turn" for b in doc.blocks)


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("See ![a map](map.png) and <https://example.org>.", "See a map and https://example.org."),
        ("Use `pip` and _care_ here.", "Use pip and care here."),
        ("Title\n=====\n\nBody.", "# Title\n\nBody."),
        ("1. First\n2. Second", "\n1. First\n\n2. Second"),
        ("```\ncode line\n```", "\ncode line\n"),
        ("text[^12] more\n\n[^12]: note", "text¹² more\n\n¹² note"),
        ("[ref]: https://example.org/x\nBody", "\nBody"),
        ("snake_case_name stays", "snake_case_name stays"),
    ],
)
def test_markdown_to_text(markdown, text):
    assert markdown_to_text(markdown) == text


def test_front_matter_fields_and_rest():
    fields, rest = front_matter("---\ntitle: 'A'\nTags: x, y\n---\nBody\n")
    assert fields == {"title": "A", "tags": "x, y"} and rest == "Body\n"
    assert front_matter("No front matter\n---\n") == ({}, "No front matter\n---\n")
