"""Plain text and Markdown -> a report, article or transcript Document.

What a text file is comes from its content, not its name: speaker turns go
to ``turns``; anything else is cleaned by ``ingest.clean``, and it is a
report if it cites sources in footnotes, an article otherwise. Markdown
markup is rendered to plain text first, and its front matter is metadata.
"""

from __future__ import annotations

from pathlib import Path

from ingest.errors import IngestError
from ingest.loaders.common import document_from_cleaned, find_date
from ingest.loaders.markdown import front_matter, markdown_to_text
from ingest.loaders.turns import looks_like_turns, transcript_document
from ingest.records import Document


def text_document(path: Path, text: str) -> Document:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    markdown = path.suffix.lower() == ".md"
    fields, text = front_matter(text) if markdown else ({}, text)
    if looks_like_turns(text):
        return transcript_document(path, text)
    from ingest.clean import Page, clean_pages, guess_title

    cleaned = clean_pages([Page(markdown_to_text(text) if markdown else text)])
    if not cleaned.text.strip():
        raise IngestError(str(path), "no text left after cleaning")
    if "date" in fields:
        fields["date"] = find_date(fields["date"]) or fields["date"]
    kind = "report" if cleaned.footnotes else "article"
    title = fields.pop("title", None) or guess_title(cleaned)
    return document_from_cleaned(path, cleaned, kind=kind, title=title, meta=fields)
