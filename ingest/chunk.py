"""Documents -> Passages: heading-aware, sentence-aligned, never across a section.

Pure: a Document in, Passages out. Every Passage is an exact slice of the
document's clean text and carries its section, page, speaker, time, the
report's footnote numbers (per sentence too) and the countries it mentions.

Consecutive speaker turns are packed together up to the exchange word target, so a
question and its answer, or a chair's "Minister?" and the reply, share a
passage: an exchange is what a reader asks about. A run of turns also gets
overlapping windows across each passage boundary, so the passages of a
transcript may overlap (each is still an exact slice). Every sentence keeps the
speaker and time of its own turn; the passage's ``speaker`` is set only when
one person says all of it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from ingest.records import Block, Document, Marker, Passage, Sentence
from ingest.sentences import split_sentences

NOTES_SECTION = "Notes"  # the section a prose footnote's passage is cited under


@dataclass(frozen=True, slots=True)
class ChunkConfig:
    target_words: int = 120  # pack paragraphs up to about this many words
    max_words: int = 200  # a passage grows past this only if one sentence does
    min_words: int = 40  # a shorter tail is merged into the passage before it when it fits
    exchanges: bool = True  # consecutive speaker turns may share a passage (False: one turn, one passage)
    # A run of speaker turns packs to more words than prose: a question and its answer, or a speech
    # and the reply to it, are what a reader asks about, and speeches run long. Measured on the hearings'
    # dev half (bench/qmsum.py): 120/200 words -> hit@5 0.94, 170/250 -> 0.97 filtered to the meeting,
    # 0.87 -> 0.94 unfiltered. The encoder reads 256 tokens, about 190 words; a longer passage's tail is
    # still found through its own sentences' vectors.
    exchange_target_words: int = 170
    exchange_max_words: int = 250
    # Between two passages of a run of turns, a third made of the second half of the first and the first
    # half of the second: an exchange cut at a passage end is still whole in one passage (retrieval keeps
    # the top passages disjoint). Hearings dev half, MRR@10: 0.89 -> 0.94 filtered, 0.79 -> 0.84 unfiltered.
    exchange_overlap: bool = True


def _sizes(config: ChunkConfig, blocks: Sequence[Block]) -> ChunkConfig:
    """The config a group is packed with: a run of turns takes the exchange sizes."""
    if blocks and all(b.kind == "turn" for b in blocks):
        return replace(config, target_words=config.exchange_target_words, max_words=config.exchange_max_words)
    return config


def word_count(text: str) -> int:
    return len(re.findall(r"\S+", text))


def _countries_in(text: str) -> tuple[str, ...]:
    from ingest.countries import countries_in

    return countries_in(text)


def _effective_kinds(blocks: Sequence[Block]) -> list[str]:
    """Of a run of consecutive "headings", only one titles a section; the rest are content.

    Before a paragraph the last line of the run is the title (a cover page's
    lines come before "Foreword"); a run that ends the document is a heading
    followed by a list of short lines (names, items), so the first is the title.
    """
    kinds = [b.kind for b in blocks]
    i = 0
    while i < len(blocks):
        if kinds[i] != "heading":
            i += 1
            continue
        j = i
        while j + 1 < len(blocks) and kinds[j + 1] == "heading":
            j += 1
        title = j if j + 1 < len(blocks) and kinds[j + 1] == "para" else i
        for x in range(i, j + 1):
            if x != title:
                kinds[x] = "para"
        i = j + 1
    return kinds


def _groups(doc: Document, exchanges: bool = True) -> list[tuple[str | None, list[Block]]]:
    """Runs of content blocks that a passage may span: same section; a run of turns together."""
    groups: list[tuple[str | None, list[Block]]] = []
    section: str | None = None
    current: list[Block] = []
    blocks = doc.blocks or (Block("para", 0, len(doc.text)),)
    for block, kind in zip(blocks, _effective_kinds(blocks), strict=True):
        if kind == "heading":
            if current:
                groups.append((section, current))
            # The heading opens its section's first passage: it is document text a reader
            # may ask about ("what are the three principles?") and quote.
            current = [block]
            section = doc.text[block.char_start : block.char_end].strip()
        elif kind in ("note", "table"):
            if current:
                groups.append((section, current))
            groups.append((NOTES_SECTION if kind == "note" else section, [block]))
            current = []
        elif kind == "turn":
            # a run of turns is one group: an exchange may share a passage
            if current and (current[-1].kind != "turn" or not exchanges):
                groups.append((section, current))
                current = []
            current.append(block)
        else:
            if current and current[-1].kind == "turn":
                groups.append((section, current))
                current = []
            current.append(block)
    if current:
        groups.append((section, current))
    return groups


def _units(doc: Document, blocks: list[Block], config: ChunkConfig) -> list[list[tuple[int, int, Block]]]:
    """Paragraphs as lists of sentence spans; a paragraph over max_words is cut into even sentence packs."""
    units: list[list[tuple[int, int, Block]]] = []
    for block in blocks:
        spans = split_sentences(doc.text, block.char_start, block.char_end)
        counts = [word_count(doc.text[s:e]) for s, e in spans]
        total = sum(counts)
        if total <= config.max_words:
            if spans:
                units.append([(s, e, block) for s, e in spans])
            continue
        budget = total / -(-total // config.target_words)  # even packs of about target_words
        pack: list[tuple[int, int, Block]] = []
        words = 0
        for (s, e), n in zip(spans, counts, strict=True):
            if pack and words + n / 2 > budget:
                units.append(pack)
                pack, words = [], 0
            pack.append((s, e, block))
            words += n
        if pack:
            units.append(pack)
    return units


def _pack(doc: Document, units: list[list[tuple[int, int, Block]]], config: ChunkConfig):
    chunks: list[list[tuple[int, int, Block]]] = []
    words: list[int] = []
    for unit in units:
        n = sum(word_count(doc.text[s:e]) for s, e, _ in unit)
        if chunks and words[-1] < config.target_words and words[-1] + n <= config.max_words:
            chunks[-1].extend(unit)
            words[-1] += n
        else:
            chunks.append(list(unit))
            words.append(n)
    if len(chunks) > 1 and words[-1] < config.min_words and words[-2] + words[-1] <= config.max_words * 1.25:
        chunks[-2].extend(chunks.pop())
    return chunks


def _half(doc: Document, spans: list[tuple[int, int, Block]], from_end: bool) -> list[tuple[int, int, Block]]:
    """The shortest run of sentences from the start (or the end) of ``spans`` holding half its words."""
    total = sum(word_count(doc.text[s:e]) for s, e, _ in spans)
    out, n = [], 0
    for span in (reversed(spans) if from_end else spans):
        if n * 2 >= total:
            break
        out.append(span)
        n += word_count(doc.text[span[0]:span[1]])
    return list(reversed(out)) if from_end else out


def _bridged(doc: Document, chunks: list[list[tuple[int, int, Block]]]) -> list[list[tuple[int, int, Block]]]:
    """The chunks of a run of turns with a window over each boundary between two of them."""
    out = []
    for i, c in enumerate(chunks):
        out.append(c)
        if i + 1 < len(chunks):
            out.append(_half(doc, c, True) + _half(doc, chunks[i + 1], False))
    return out


def _sentence_footnotes(markers: Sequence[Marker], starts: list[int]) -> list[tuple[int, ...]]:
    """Footnote numbers per sentence: a marker belongs to the sentence it follows."""
    per: list[list[int]] = [[] for _ in starts]
    for marker in markers:
        # the last sentence that starts strictly before the marker
        i = bisect.bisect_left(starts, marker.pos) - 1
        if i >= 0 and marker.n not in per[i]:
            per[i].append(marker.n)
    return [tuple(x) for x in per]


def chunk(
    doc: Document,
    config: ChunkConfig = ChunkConfig(),
    countries: Callable[[str], tuple[str, ...]] = _countries_in,
) -> list[Passage]:
    groups = [(section, _pack(doc, _units(doc, blocks, _sizes(config, blocks)), _sizes(config, blocks)))
              for section, blocks in _groups(doc, config.exchanges)]
    if config.exchange_overlap:
        groups = [(section, _bridged(doc, chunks) if chunks and chunks[0][0][2].kind == "turn" else chunks)
                  for section, chunks in groups]
    all_spans = sorted({(s, e) for _, chunks in groups for c in chunks for s, e, _ in c})
    starts = [s for s, _ in all_spans]
    notes = dict(zip(all_spans, _sentence_footnotes(doc.markers, starts), strict=True))
    passages: list[Passage] = []
    for section, chunks in groups:
        for c in chunks:
            first, last = c[0], c[-1]
            start, end = first[0], last[1]
            text = doc.text[start:end]
            sentences = tuple(Sentence(s, e, notes[(s, e)], b.speaker, b.start_s, *b.page_at(s)) for s, e, b in c)
            footnotes = tuple(sorted({n for sent in sentences for n in sent.footnotes}))
            block = first[2]
            speakers = {b.speaker for _, _, b in c}
            passages.append(
                Passage(
                    passage_id=f"{doc.doc_id}:{len(passages)}",
                    doc_id=doc.doc_id,
                    text=text,
                    char_start=start,
                    char_end=end,
                    section=section,
                    page=block.page,
                    page_label=block.page_label,
                    speaker=block.speaker if len(speakers) == 1 else None,
                    start_s=block.start_s,
                    end_s=last[2].end_s,
                    footnotes=footnotes,
                    countries=countries(text),
                    sentences=sentences,
                )
            )
    return passages
