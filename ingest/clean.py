"""Extracted pages -> clean text with structure, footnotes and marker positions (pure; no I/O).

Text pulled from a PDF keeps the page's furniture: footnote definitions where
page bottoms were, paragraphs cut by page breaks, markers glued to words and
characters the extractor misread. ``clean_pages`` undoes that and says where
each heading, paragraph and marker stands in the clean text, so the chunker
and the citations never go back to the raw pages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ingest.footnotes import (
    SUPERSCRIPTS,
    ends_sentence,
    is_prose_note,
    split_footnotes,
    split_footnotes_after,
    split_note_lines,
)
from ingest.lines import join_lines, joined, words_of
from ingest.markers import link_markers, link_markers_from
from ingest.records import Block, Marker

__all__ = [
    "Cleaned", "Page", "clean_pages", "fix_noise", "guess_title", "is_heading", "link_markers",
    "split_footnotes",
]

_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})
_CAPTION = re.compile(r"(?:Table|Figure|Fig\.|Chart|Graph|Box|Exhibit|Map)\s+[\dA-Z][\d.\-–]*[.:]?\s", re.I)
_ODD_SPACE = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t\f\v]")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
_EMPHASIS = re.compile(r"(?<![\w*])(\*{1,2})(?![\s*])([^*\n]{1,200}?)(?<![\s*])\1(?![\w*])")
_ESCAPED = re.compile(r"\\([$%&_#*\[\]])")
_BULLET = re.compile(r"[-•▪◦●*·]\s+(?=[\"“'‘(]?[A-Z0-9])")
_ENUMERATOR = re.compile(r"(?:\d{1,2}(?:\.\d{1,2})*|[IVXLC]{1,5}|[A-Za-z])[.)]\s+")
_MD_HEADING = re.compile(r"#{1,6}\s+")
_PAGE_FURNITURE = re.compile(r"(?:page\s+)?\d{1,5}(?:\s*(?:of|/)\s*\d+)?", re.IGNORECASE)
_CLOSERS = "\"'”’)]*»"
_OPENERS = "\"'“‘([*«"
_WRAPPED_MAX = 160  # longer lines than any page holds: the text was not hard-wrapped
_SHORT_LINE = 0.75  # of the widest line: a paragraph's last line usually stops short


@dataclass(frozen=True, slots=True)
class Page:
    """One page of extracted text; a .txt file is one Page with ``number=None``."""

    text: str
    number: int | None = None  # 1-based physical page number
    label: str | None = None  # printed page label (pypdf reader.page_labels), e.g. "vii" or "7"
    # From a PDF's layout (ingest.loaders.pdf_layout): the page's paragraphs in reading order as
    # (kind, text) with kind "heading", "para", "table" (rows on lines) or "auto" (the shape of
    # the text decides), and the lines of its page-bottom footnotes. None: ``text`` is all there is.
    blocks: tuple[tuple[str, str], ...] | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Cleaned:
    text: str  # paragraphs and headings separated by "\n\n"
    blocks: tuple[Block, ...]  # "heading" / "para", in order
    footnotes: dict[int, str]  # number -> clean definition
    markers: tuple[Marker, ...]  # body markers removed from text, at their offsets in it


def fix_noise(text: str) -> str:
    """Undo extraction noise that is not structure: odd spaces, soft hyphens, escapes.

    Letters are never changed: a quote must be the document's own words, so a glyph the
    converter misread ("DIPL®MACY", "α ." for "a.") is quoted as the file has it. A
    typographic ligature ("ﬁ" in "ﬁlled", as PDFs give it) is written as its letters:
    the same word, one that search and the model can read.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00ad\n", "").replace("\u00ad", "")  # a soft hyphen only marks a break point
    text = text.translate(_LIGATURES)
    text = _INVISIBLE.sub("", _ODD_SPACE.sub(" ", text))
    text = _EMPHASIS.sub(r"\2", text)  # Markdown emphasis left by a converter: "*Financial Times*"
    text = _ESCAPED.sub(r"\1", text)  # "\$72 million"
    text = re.sub(r" {2,}", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text)


def is_heading(line: str) -> bool:
    """A bare heading line: short, no closing full stop, its words mostly capitalised.

    Short lines (up to six words) may be in sentence case ("Key findings");
    longer ones must be in title case or capitals, which sentences are not.
    """
    s = line.strip()
    if not s or "\n" in s or len(s) > 200 or "://" in s or _BULLET.match(s):
        return False
    s = _MD_HEADING.sub("", s, count=1)
    if s.rstrip(_CLOSERS)[-1:] in ".,;:" or not re.search(r"[^\W\d_]{2}", s):
        return False
    words = _ENUMERATOR.sub("", s, count=1).split()
    if not words or len(words) > 25 or not (words[0][0].isupper() or words[0][0].isdigit()):
        return False
    last = re.sub(r"\W", "", words[-1])
    if len(words) > 1 and last.islower() and len(last) <= 3:
        return False  # ends on "the", "of", "and": a line cut mid-sentence
    if len(words) <= 6:
        return True
    long_words = [w for w in words if len(re.sub(r"\W", "", w)) > 3]
    capitalised = sum(1 for w in long_words if w.lstrip(_OPENERS)[:1].isupper())
    return capitalised >= 0.6 * max(1, len(long_words))


def _drop_furniture(text: str, page: Page) -> str:
    """Drop a page number or label standing alone on the first or last line of a PDF page."""
    if page.number is None:
        return text
    lines = text.split("\n")
    marks = {str(page.number), (page.label or "").strip().lower()}
    for idx in (0, -1):
        nonblank = [i for i, line in enumerate(lines) if line.strip()]
        if not nonblank:
            break
        i = nonblank[idx]
        s = lines[i].strip().lower()
        if s in marks or _PAGE_FURNITURE.fullmatch(s):
            lines[i] = ""
    return "\n".join(lines)


def _paragraphs(chunk: str, vocabulary: frozenset[str] = frozenset()) -> list[str]:
    """Paragraphs of a run of lines with no blank line between (PDF pages come out like that)."""
    lines = [line.strip() for line in chunk.split("\n") if line.strip()]
    if not lines or max(len(line) for line in lines) > _WRAPPED_MAX:
        return lines  # not wrapped to a page width: each line is a paragraph
    short = _SHORT_LINE * max(60, *(len(line) for line in lines))
    paras = [[lines[0]]]
    for prev, line in zip(lines, lines[1:], strict=False):
        ended = ends_sentence(prev) or prev.endswith(":")
        lone_heading = len(paras[-1]) == 1 and is_heading(prev) and len(prev) < short
        if (
            _BULLET.match(line)
            or _MD_HEADING.match(line)
            or _MD_HEADING.match(prev)
            or (ended and (len(prev) < short or _ENUMERATOR.match(line)))
            or (ended and is_heading(line) and len(line) < short)
            or (lone_heading and line[:1].isupper())
        ):
            paras.append([line])
        else:
            paras[-1].append(line)
    return [join_lines(p, vocabulary) for p in paras]


@dataclass(slots=True)
class _Unit:
    kind: str
    text: str
    markers: list[Marker]
    page: int | None
    label: str | None
    bullet: bool = False
    # (position in ``text``, page, label) where the paragraph goes on to another page (``_join_unit``)
    breaks: list[tuple[int, int | None, str | None]] = field(default_factory=list)


def _continues(prev: _Unit, nxt: _Unit) -> bool:
    """Whether ``nxt`` carries on the paragraph a page break (or a footnote block) cut."""
    if prev.kind != "para" or nxt.bullet or ends_sentence(prev.text):
        return False
    last_word = prev.text.split()[-1]
    if last_word[-1] in ",-–—" or (last_word.islower() and len(last_word) <= 3):
        return True  # "... often welcomed by", "... meetings,": no paragraph or heading ends so
    if nxt.kind != "para":
        return False
    if nxt.text[:1].islower():
        return True
    return last_word[-1].isalnum() and len(prev.text.split()) >= 8


def _trim(text: str, markers: list[Marker], start: int = 0) -> tuple[str, list[Marker]]:
    """``text[start:]`` without surrounding whitespace, its markers moved to match."""
    rest = text[start:]
    lead = start + len(rest) - len(rest.lstrip())
    text = rest.strip()
    return text, [Marker(min(max(0, m.pos - lead), len(text)), m.n) for m in markers]


def _layout_body(
    page: Page, last: int, vocabulary: frozenset[str] = frozenset()
) -> tuple[list[tuple[str, str]], dict[int, str], int]:
    """A laid-out page's blocks without their footnote definitions, the definitions, the last number."""
    blocks = [(kind, fix_noise(text).strip()) for kind, text in page.blocks or ()]
    if page.notes:
        defs, last = split_note_lines([fix_noise(line).strip() for line in page.notes], last, vocabulary)
        return blocks, defs, last
    if not blocks:
        return blocks, {}, last
    # No note zone on the page: endnotes and notes in body-sized type, told by their numbering.
    flat: list[str] = []
    owner: list[int] = []
    for i, (_, text) in enumerate(blocks):
        for line in text.split("\n") + [""]:
            flat.append(line)
            owner.append(i)
    body, defs, last = split_footnotes_after("\n".join(flat), last)
    kept: list[list[str]] = [[] for _ in blocks]
    for line, i in zip(body.split("\n"), owner, strict=True):
        if line.strip():
            kept[i].append(line)
    return [(kind, "\n".join(lines)) for (kind, _), lines in zip(blocks, kept, strict=True)], defs, last


def _pieces(kind: str, text: str, vocabulary: frozenset[str] = frozenset()) -> list[tuple[str | None, str]]:
    """A block of a page -> (kind, paragraph text); kind None: decided by the line's shape."""
    if kind == "table":
        return [("table", text)]
    if kind == "heading":
        return [("heading", join_lines(text.split("\n"), vocabulary))]
    if kind == "auto":
        return [(None, p) for chunk in re.split(r"\n\s*\n", text) for p in _paragraphs(chunk, vocabulary)]
    # The layout found the paragraph; only a bullet inside it opens another.
    paras: list[list[str]] = []
    for line in (x.strip() for x in text.split("\n")):
        if line and (not paras or _BULLET.match(line)):
            paras.append([line])
        elif line:
            paras[-1].append(line)
    return [("para", join_lines(p, vocabulary)) for p in paras]


def _units(pages: Sequence[Page]) -> tuple[list[_Unit], dict[int, str], dict[int, Page], frozenset[str]]:
    footnotes: dict[int, str] = {}
    defined_on: dict[int, Page] = {}
    # Per page: its blocks, and for a page with its own footnote block, its printed note
    # numbers -> the document's footnote numbers (they differ once numbering restarts).
    bodies: list[tuple[Page, list[tuple[str, str]], dict[int, int] | None]] = []
    last = 0
    vocabulary = words_of([page.text for page in pages] + [note for page in pages for note in page.notes])
    for page in pages:
        if page.blocks is not None:
            blocks, defs, last = _layout_body(page, last, vocabulary)
        else:
            raw = fix_noise(_drop_furniture(page.text.replace("\r\n", "\n"), page))
            body, defs, last = split_footnotes_after(raw, last)
            blocks = [("auto", body)]
        local: dict[int, int] | None = {} if page.notes and defs else None
        for n, definition in defs.items():
            key = n
            if local is not None:
                # Notes numbered per chapter or per page start again at 1: a number already
                # taken gets the next free one, and this page's markers are linked to it.
                key = n if n not in footnotes else max(footnotes) + 1
                local[n] = key
            footnotes.setdefault(key, fix_noise(definition).strip())
            defined_on.setdefault(key, page)
        bodies.append((page, blocks, local))
    known = set(footnotes)
    expect = min(known) if known else 1
    # A laid-out page whose markers were read as raised digits: a number after a space is text.
    spaced = not any(page.blocks is not None and any(ch in SUPERSCRIPTS for ch in page.text) for page in pages)
    units: list[_Unit] = []
    for page, blocks, local in bodies:
        page_expect = min(local) if local else 1
        for block_kind, block_text in blocks:
            for kind, para in _pieces(block_kind, block_text, vocabulary):
                if kind == "table":  # cells hold numbers, not markers
                    text, markers = para.strip(), []
                elif local:
                    text, markers, page_expect = link_markers_from(para, set(local), page_expect, spaced)
                    markers = [Marker(m.pos, local[m.n]) for m in markers]
                    text, markers = _trim(text, markers)
                    expect = max([expect, *(m.n + 1 for m in markers)])
                else:
                    text, markers, expect = link_markers_from(para, known, expect, spaced)
                    text, markers = _trim(text, markers)
                if not text:
                    continue
                kind = kind or ("heading" if is_heading(text) else "para")
                bullet = _BULLET.match(text) if kind != "table" else None
                # A "#" or a bullet glyph is layout; the words after it are what a quote holds.
                prefix = _MD_HEADING.match(text) if kind == "heading" else bullet
                if prefix:
                    text, markers = _trim(text, markers, prefix.end())
                units.append(_Unit(kind, text, markers, page.number, page.label, bullet is not None))
    return units, footnotes, defined_on, vocabulary


def _is_float(unit: _Unit) -> bool:
    """A table or a figure's or table's caption: set where it fits (the top of the next column or page),
    which may be between the two halves of a sentence."""
    return unit.kind == "table" or bool(_CAPTION.match(unit.text))


def _tabular(text: str) -> bool:
    """Rows of figures read as lines of text (a table whose cells the PDF does not set apart)."""
    tokens = text.split()
    figures = sum(1 for token in tokens if re.fullmatch(r"[-+−]?[\d.,]+%?", token))
    return figures >= 3 and figures >= 0.3 * len(tokens)


_SHINGLE = 4  # words: the run a repeated unit's opening is looked up by


def _rejoin(units: list[_Unit], vocabulary: frozenset[str] = frozenset()) -> list[_Unit]:
    out: list[_Unit] = []
    held: list[_Unit] = []  # floats standing between a sentence's halves, put back after the whole sentence
    repeated = _pull_quotes(units)
    for i, unit in enumerate(units):
        # a figure's labels read as text come just before its caption: "Boots aircraft nut Elastic anchor nut"
        labels = (i + 1 < len(units) and _CAPTION.match(units[i + 1].text) is not None
                  and unit.text[:1].isupper() and not ends_sentence(unit.text))
        # after a held caption: its table read as lines of text (a header row of a few words, rows of figures)
        table = bool(held) and (_tabular(unit.text) or len(unit.text.split()) <= 6 and not ends_sentence(unit.text))
        if ((_is_float(unit) or labels or table or i in repeated)
                and (held or (out and out[-1].kind == "para" and not ends_sentence(out[-1].text)))):
            held.append(unit)
            continue
        if held and not (unit.kind == "para" and unit.text[:1].islower() and _continues(out[-1], unit)):
            out.extend(held)
            held = []
        if out and _continues(out[-1], unit):
            _join_unit(out[-1], unit, vocabulary)
        else:
            out.append(unit)
        out.extend(held)
        held = []
    return out + held


def _pull_quotes(units: list[_Unit]) -> set[int]:
    """Positions of the units that repeat words the document says elsewhere: a pull quote, set in a box
    beside (or between the halves of) the sentence it quotes, or a back cover repeating the abstract.

    A unit repeats when its words stand, in order, somewhere else in the document (in another unit, or
    twice in its own). Candidates come from an index of every run of ``_SHINGLE`` words, so the search
    is linear in the document's length, not quadratic."""
    texts = [re.sub(r"\W+", " ", u.text.lower()).split() for u in units]
    starts: dict[tuple[str, ...], list[tuple[int, int]]] = {}
    for j, words in enumerate(texts):
        for at in range(len(words) - _SHINGLE + 1):
            starts.setdefault(tuple(words[at : at + _SHINGLE]), []).append((j, at))
    out = set()
    for i, words in enumerate(texts):
        if units[i].kind != "para" or len(" ".join(words)) < 40 or len(words) < _SHINGLE:
            continue
        found = sum(texts[j][at : at + len(words)] == words for j, at in starts[tuple(words[:_SHINGLE])])
        if found >= 2:
            out.add(i)
    return out


def _join_unit(prev: _Unit, unit: _Unit, vocabulary: frozenset[str]) -> None:
    """``unit`` carries on the paragraph ``prev`` (in place), markers moved to match."""
    text = joined(prev.text, unit.text, vocabulary)
    end = len(text) - len(unit.text)  # where the continued part starts
    glue = end - len(prev.text)  # 1: a space, 0: the hyphen kept, -1: the hyphen dropped
    prev.markers[:] = [Marker(min(m.pos, end), m.n) for m in prev.markers]
    # A marker opening the continued part belongs to the words before the break.
    prev.markers.extend(Marker(m.pos + end if m.pos else end - (glue == 1), m.n) for m in unit.markers)
    if (unit.page, unit.label) != (prev.breaks[-1][1:] if prev.breaks else (prev.page, prev.label)):
        prev.breaks.append((end, unit.page, unit.label))  # the rest is on the next page
    prev.breaks.extend((at + end, page, label) for at, page, label in unit.breaks)
    prev.text = text


def clean_pages(pages: Sequence[Page]) -> Cleaned:
    """Clean text, blocks, footnotes and marker positions of a document's pages, in order."""
    units, footnotes, defined_on, vocabulary = _units(pages)
    parts: list[str] = []
    blocks: list[Block] = []
    markers: list[Marker] = []
    offset = 0
    for unit in _rejoin(units, vocabulary):
        blocks.append(Block(unit.kind, offset, offset + len(unit.text), page=unit.page, page_label=unit.label,
                            breaks=tuple((offset + at, page, label) for at, page, label in unit.breaks)))
        markers.extend(Marker(offset + m.pos, m.n) for m in unit.markers)
        parts.append(unit.text)
        offset += len(unit.text) + 2
    _append_notes(footnotes, defined_on, parts, blocks, markers, offset)
    return Cleaned("\n\n".join(parts), tuple(blocks), footnotes, tuple(markers))


def _append_notes(footnotes: dict[int, str], defined_on: dict[int, Page], parts: list[str], blocks: list[Block],
                  markers: list[Marker], offset: int) -> None:
    """Prose footnotes become searchable, quotable text: "note" blocks after the body.

    A footnote that explains (who engineered a ban, why a figure differs) is
    content a reader asks about; a bare URL is a source, kept only as one.
    Each note carries its own number as a marker, so a quote of it cites that
    footnote. Only the document's own words are added, no label of ours.
    """
    for n, text in sorted(footnotes.items()):
        if not is_prose_note(text):
            continue
        page = defined_on.get(n)
        blocks.append(Block("note", offset, offset + len(text),
                            page=page.number if page else None, page_label=page.label if page else None))
        markers.append(Marker(offset + len(text), n))
        parts.append(text)
        offset += len(text) + 2


def guess_title(cleaned: Cleaned) -> str | None:
    """The document's first heading line, if a heading comes before any paragraph."""
    fallback = None
    for block in cleaned.blocks:
        if block.kind != "heading":
            break
        text = cleaned.text[block.char_start:block.char_end]
        if len(re.findall(r"[^\W\d_]{2,}", text)) >= 2:
            return text
        fallback = fallback or text
    return fallback
