"""The records that flow through Quotable: a Document and the Passages cut from it.

A Passage is made once, at chunk time, with everything a footnote needs, so
nothing downstream goes back to the file. Char offsets refer to the
document's clean text: ``doc.text[p.char_start:p.char_end] == p.text``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

KINDS = ("report", "transcript", "article")


@dataclass(frozen=True, slots=True)
class Block:
    """One structural unit of a document's clean text.

    ``kind`` is "heading", "para", "turn" (one speaker's turn, or one
    subtitle cue), "note" (a prose footnote's text, after the body) or
    "table" (a PDF table, one row per line, cells joined by " | "). Blocks
    are in document order and do not overlap; the chunker never lets a
    passage cross a heading, a change of speaker, a note or a table.
    """

    kind: str
    char_start: int
    char_end: int
    page: int | None = None
    page_label: str | None = None
    speaker: str | None = None
    start_s: float | None = None
    end_s: float | None = None
    # where a paragraph rejoined across a page break goes on to the next page: (clean-text offset, page,
    # page_label) of each page it reaches after its first, so a sentence is cited at the page it stands on
    breaks: tuple[tuple[int, int | None, str | None], ...] = ()

    def page_at(self, pos: int) -> tuple[int | None, str | None]:
        """The page (and its printed label) that the text at clean-text offset ``pos`` of this block is on."""
        page, label = self.page, self.page_label
        for at, p, lab in self.breaks:
            if at > pos:
                break
            page, label = p, lab
        return page, label


@dataclass(frozen=True, slots=True)
class Marker:
    """A footnote marker removed from the body: it stood at ``pos`` of the clean text."""

    pos: int
    n: int


def _frozen(mapping: Mapping | None) -> Mapping:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True, slots=True)
class Document:
    doc_id: str
    title: str
    kind: str
    source: str
    text: str
    blocks: tuple[Block, ...] = ()
    footnotes: Mapping[int, str] = field(default_factory=dict)
    markers: tuple[Marker, ...] = ()
    meta: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown document kind {self.kind!r}")
        object.__setattr__(self, "footnotes", _frozen(self.footnotes))
        object.__setattr__(self, "meta", _frozen(self.meta))


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of a passage, in the document's clean-text offsets.

    ``footnotes`` are the report's own footnote numbers whose markers stood in
    (or right after) this sentence, so a quote carries exactly its sources.
    ``speaker`` and ``start_s`` are those of the turn the sentence belongs to
    (None outside transcripts): a transcript passage may hold an exchange of
    several turns, and a quote is attributed to whoever said its sentences.
    ``page`` and ``page_label`` are those of the page the sentence stands on
    (None where the document has no pages): a passage may run over a page
    break, and a quote is cited at the page that holds it.
    """

    char_start: int
    char_end: int
    footnotes: tuple[int, ...] = ()
    speaker: str | None = None
    start_s: float | None = None
    page: int | None = None
    page_label: str | None = None


@dataclass(frozen=True, slots=True)
class Passage:
    passage_id: str  # f"{doc_id}:{ordinal}", stable across re-ingests of the same file
    doc_id: str
    text: str
    char_start: int
    char_end: int
    section: str | None = None
    page: int | None = None
    page_label: str | None = None
    speaker: str | None = None  # the one speaker of all its sentences; None when several speak
    start_s: float | None = None
    end_s: float | None = None
    footnotes: tuple[int, ...] = ()
    countries: tuple[str, ...] = ()
    sentences: tuple[Sentence, ...] = ()

    @property
    def speakers(self) -> tuple[str, ...]:
        """Everyone who speaks in the passage, in order of first words."""
        found = [s.speaker for s in self.sentences if s.speaker] or ([self.speaker] if self.speaker else [])
        return tuple(dict.fromkeys(found))

    def sentence_text(self, sentence: Sentence) -> str:
        return self.text[sentence.char_start - self.char_start : sentence.char_end - self.char_start]
