"""Country mentions of passages and footnotes, as rows for the store's mention tables."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from ingest.countries import find_mentions
from ingest.records import Document, Passage


def passage_mentions(passages: Sequence[Passage], first_row: int = 0) -> Iterator[tuple[int, str, int, int, str]]:
    """(row, country, char_start, char_end, surface), offsets into the document's clean text."""
    for row, passage in enumerate(passages, start=first_row):
        for m in find_mentions(passage.text):
            yield row, m.country, passage.char_start + m.start, passage.char_start + m.end, m.surface


def footnote_mentions(documents: Iterable[Document]) -> Iterator[tuple[str, int, str]]:
    for doc in documents:
        for n, text in doc.footnotes.items():
            for country in dict.fromkeys(m.country for m in find_mentions(text)):
                yield doc.doc_id, n, country
