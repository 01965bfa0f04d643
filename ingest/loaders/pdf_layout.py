"""A PDF page's positioned text -> lines, columns, paragraphs, headings and tables (pure; no I/O).

``pdf.py`` reads spans (a run of text with its x range, baseline and font
size) off each page with pypdf; everything here works on those plain records,
so each rule is tested with made-up coordinates. PDF coordinates: y grows
upwards, sizes and positions in points.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

SUPERSCRIPT_DIGITS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
# A cell or column gap is wider than any word space of justified text.
JOINER = "\u200d"  # what the PDF reader puts for a glyph without a character (ingest.loaders.pdf)
CELL_GAP = 1.0  # x font size
JUSTIFIED_GAP = 3.0  # x font size: the widest space a justified line stretches to
_WORDY = re.compile(r"[^\W\d_]{2}")
# pypdf writes glyphs it cannot map to characters as their names ("/g115/g3"): unreadable.
_RTL = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
_LATIN = re.compile(r"[A-Za-z0-9\u00c0-\u024f]")
_GLYPH_NAMES = re.compile(r"(?:\s*/g\d+)+\s*")
_DOT_LEADER = re.compile(r"(?:\.\s?){4,}\s*\S{0,8}\s*$|…{2,}|(?:\s?_){6,}")
_NOTE_NUMBER = re.compile(r"\d{1,3}")
_MARKER_DIGITS = re.compile(r"\s*\d{1,3}(?:[,–-]\d{1,3})*\s*")
_NOTE_START = re.compile(r"[A-Z][a-z]|[\"“‘'(\[]|https?:|www\.")  # a word, a quote, an address
_BULLET_CELL = re.compile(r"[•▪◦●·‣⁃–\-*]|\d{1,2}[.)]|[a-z][.)]")  # a list item's bullet or number
_NOTE_OPENS = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+|\d{1,3}(?:[.)]?\s|(?=[A-Za-z(“\"]))")  # a note's first line
_LIST_ITEM = re.compile(r"[•▪◦●·‣⁃–-]\s")  # a bold line opening with a bullet is a list item, not a heading
# A caption's opening: "Table 1:", "Figure 2.3.", "Fig. 4 -", "Chart A:", "Box 2 —"
_CAPTION = re.compile(r"(?:Table|Figure|Fig\.|Chart|Graph|Exhibit|Box|Map|Diagram|Plate)\s+"
                      r"(?:[A-Z]|[IVX]+|\d+(?:[.-]\d+)*)[.:]?\s*[:.—–-]\s")


@dataclass(frozen=True, slots=True)
class Span:
    text: str
    x0: float
    x1: float
    y: float  # baseline
    size: float
    bold: bool = False


@dataclass(frozen=True, slots=True)
class Line:
    """One line of one column or cell: spans on a baseline with no wide gap between them."""

    text: str
    x0: float
    x1: float
    y: float
    size: float
    bold: bool = False


@dataclass(frozen=True, slots=True)
class Para:
    kind: str  # "heading", "para", "table", or "auto" (no font cues: the text's shape decides)
    lines: tuple[str, ...]


def _segment(spans: list[Span], limit: float | None = None, order: dict[int, int] | None = None) -> Line:
    main = max(spans, key=lambda s: len(s.text.strip()))
    size = max(spans, key=lambda s: len(s.text.strip()) * s.size).size
    parts: list[str] = []
    prev: Span | None = None
    if _right_to_left("".join(s.text for s in spans)):
        spans = logical_order(spans)
    for span in spans:
        text = span.text
        # A footnote marker: digits set smaller than the line and raised (pypdf does not report a
        # text rise, so a much smaller size right after a word is enough).
        small = span.size < 0.85 * size and (span.y > main.y + 0.2 * size or span.size < 0.75 * size)
        # widths are estimates of the natural width (a justified line's spaces stretch it further right):
        # a marker drawn right after the words before it is attached to them wherever it stands
        raised = small and prev is not None and (span.x0 - prev.x1 < 0.15 * size or _drawn_after(order, prev, span))
        if raised and re.fullmatch(r"\s*\d{1,3}(?:[,–-]\d{1,3})*\s*", text):
            text = text.strip().translate(SUPERSCRIPT_DIGITS)  # a footnote marker set as a superscript
        elif raised and (value := _roman_marker(text)):
            text = str(value).translate(SUPERSCRIPT_DIGITS)  # "ii": a word processor's endnotes, i, ii, iii
        if prev is not None and parts and not parts[-1][-1:].isspace() and not text[:1].isspace():
            # the white space between them, on whichever side (right-to-left text is drawn leftwards)
            apart = max(span.x0 - prev.x1, prev.x0 - span.x1) > 0.15 * size
            # a note's number set in its own run before the note's text, flush against it ("10Ministry of
            # Finance", "12https://..."): a word processor's footnote area
            numbered = len(parts) == 1 and _NOTE_START.match(text) and (
                _NOTE_NUMBER.fullmatch(parts[0]) or _roman_marker(parts[0]))
            if numbered and not parts[0].isdigit():
                parts[0] = str(_roman_marker(parts[0]))  # endnote "xxxvii" is note 37, as its marker reads
            # a kashida (an unmapped glyph) between pieces of one word; a fraction's slash between its numbers
            joined = JOINER in (prev.text, text) or parts[-1][-1:] == "⁄" or text[:1] == "⁄"
            if (apart and not raised and not joined) or numbered:
                parts.append(" ")
        parts.append(text)
        prev = span
    text = " ".join("".join(parts).split())
    chars = sum(len(s.text.strip()) for s in spans) or 1
    bold = sum(len(s.text.strip()) for s in spans if s.bold) / chars >= 0.8
    x1 = max(s.x1 for s in spans)
    return Line(text, spans[0].x0, min(x1, limit) if limit is not None else x1, main.y, size, bold)


def lines_from_spans(spans: Sequence[Span]) -> list[Line]:
    """Spans grouped into lines, top to bottom and left to right; a wide gap starts a new line (a cell, a column).

    ``spans`` come in the order the page's content draws them: what is
    drawn one right after another belongs together (a marker after its
    words, a justified line's words), whatever the estimated widths say.
    A right-to-left line is put in reading order by ``logical_order``.
    """
    order = {id(s): i for i, s in enumerate(spans)}
    kept = [s for s in spans if s.text.strip() and not _GLYPH_NAMES.fullmatch(s.text.strip())]
    # a superscript marker belongs to the line of the words drawn just before it, even where another
    # column's line stands nearer its raised baseline
    attached = {id(s): kept[i - 1] for i, s in enumerate(kept) if i and _is_marker_after(kept[i - 1], s)
                and not (i + 1 < len(kept) and kept[i + 1].text.lstrip()[:1] in "⁄/")}  # a fraction's numerator
    rows: list[list[Span]] = []
    row_of: dict[int, list[Span]] = {}
    for span in sorted((s for s in kept if id(s) not in attached), key=lambda s: (-s.y, s.x0)):
        if rows:
            row = rows[-1]
            ref = max(row, key=lambda s: s.size)
            if abs(span.y - ref.y) <= 0.45 * max(ref.size, span.size):
                row.append(span)
                row_of[id(span)] = row
                continue
        rows.append([span])
        row_of[id(span)] = rows[-1]
    for span in kept:
        if id(span) in attached:
            host = attached[id(span)]
            while id(host) in attached:  # a run of marker pieces
                host = attached[id(host)]
            row_of[id(host)].append(span)
            row_of[id(span)] = row_of[id(host)]
    # Left edges shared by several rows are where columns and cells start: a span starting on
    # one opens a new line even when the estimated width of the text before it overlaps it
    # (widths come from the font's metrics and run long for condensed or CJK text).
    edges = Counter(round(span.x0 / 2) for row in rows for span in {round(s.x0 / 2): s for s in row}.values())
    lines: list[Line] = []
    for row in rows:
        row = _unique(sorted(row, key=lambda s: s.x0))
        current = [row[0]]
        for span in row[1:]:
            gap = span.x0 - max(s.x1 for s in current)
            size = max(span.size, current[-1].size)
            at_edge = edges[round(span.x0 / 2)] >= 3 and span.x0 - current[-1].x0 > 2 * size
            marker = id(span) in attached and attached[id(span)] in current
            # a fraction's slash (U+2044) joins its numerator and denominator, whatever their sizes say
            marker = marker or span.text.lstrip()[:1] == "⁄" or current[-1].text.rstrip()[-1:] == "⁄"
            if (gap > CELL_GAP * size or at_edge) and not marker and not _stretched(order, current[-1], span, gap):
                lines.append(_segment(current, limit=span.x0 - 1, order=order))
                current = [span]
            else:
                current.append(span)
        lines.append(_segment(current, order=order))
    return lines


def _stretched(order: dict[int, int], left: Span, right: Span, gap: float) -> bool:
    """A justified line drawn word by word: two words drawn one right after the other (in either direction:
    right-to-left text is drawn leftwards), apart by a space stretched to fill the line, not a gutter or the
    gap between two cells (table cells are mostly figures, and columns are drawn one after the other)."""
    return (abs(order.get(id(right), -9) - order.get(id(left), -99)) == 1
            and abs(left.size - right.size) <= 0.1 * max(left.size, right.size)  # one line's type
            and gap < JUSTIFIED_GAP * min(left.size, right.size)
            and _WORDY.search(left.text) is not None and _WORDY.search(right.text) is not None)


def _roman_marker(text: str) -> int | None:
    """The number a note marker or note number in lower-case roman numerals stands for ("xiv": 14)."""
    token = text.strip()
    return roman_value(token) if re.fullmatch(r"[ivxlc]{1,8}", token) else None


def roman_value(token: str) -> int | None:
    """The value of a roman numeral ("xiv": 14), None when ``token`` is not one written the usual way."""
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
    token = token.lower()
    total = 0
    for a, b in zip(token, token[1:] + " ", strict=True):
        va, vb = values[a], values.get(b, 0)
        total += -va if va < vb else va
    return total if total > 0 and to_roman(total) == token else None


def to_roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
                           (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out += letters
            n -= value
    return out


def _drawn_after(order: dict[int, int] | None, prev: Span, span: Span) -> bool:
    """Whether ``span`` is drawn right after ``prev`` (the page's content order), further along its line."""
    return bool(order) and order.get(id(span), -2) == order.get(id(prev), -9) + 1 and span.x0 > prev.x0


def _is_marker_after(prev: Span, span: Span) -> bool:
    """A footnote marker drawn right after the words it follows: a few digits, smaller, on or above their
    baseline, further along the line."""
    return (span.size < 0.85 * prev.size and bool(_MARKER_DIGITS.fullmatch(span.text) or _roman_marker(span.text))
            and 0 <= span.y - prev.y <= 0.6 * prev.size and prev.x0 < span.x0 <= prev.x1 + 3 * prev.size)


def logical_order(spans: Sequence[Span]) -> list[Span]:
    """The spans of a right-to-left line (Arabic, Hebrew) in reading order: right to left, but a run of
    left-to-right spans (a name in Latin letters, "2020 - 2021") read left to right within it. Each span's own
    text is already in reading order (pypdf's); the page may draw a line's pieces in any order (a justified
    line is drawn in pieces, its kashidas apart)."""
    ordered = sorted(spans, key=lambda s: -s.x0)
    kinds = ["ltr" if _LATIN.search(s.text) and not _RTL.search(s.text) else
             "rtl" if _RTL.search(s.text) or re.search(r"[^\W_]", s.text) else "neutral" for s in ordered]
    out: list[Span] = []
    i = 0
    while i < len(ordered):
        if kinds[i] != "ltr":
            out.append(ordered[i])
            i += 1
            continue
        j = i
        while j + 1 < len(ordered) and (kinds[j + 1] == "ltr" or (
                kinds[j + 1] == "neutral" and j + 2 < len(ordered) and kinds[j + 2] == "ltr")):
            j += 1
        out.extend(reversed(ordered[i:j + 1]))
        i = j + 1
    return out


def _right_to_left(text: str) -> bool:
    rtl = len(_RTL.findall(text))
    return rtl > 0 and rtl >= len(re.findall(r"[^\W\d_]", text)) - rtl


def _unique(row: list[Span]) -> list[Span]:
    """A row without text drawn twice at (nearly) the same place (a shadow or bold effect)."""
    out: list[Span] = []
    for span in row:
        if any(o.text == span.text and abs(o.x0 - span.x0) < span.size and abs(o.y - span.y) < span.size
               for o in out):
            continue
        out.append(span)
    return out


def body_size(lines: Sequence[Line]) -> float:
    """The font size most text is set in (by characters)."""
    counts: Counter[float] = Counter()
    for line in lines:
        counts[round(line.size * 2) / 2] += len(line.text)
    return counts.most_common(1)[0][0] if counts else 10.0


# A cover's title is set in display type: well above the body size, where a report's headings sit
# a step or two above it (1.2-1.5x in the publishers' styles we read); 1.6x separates the two.
DISPLAY_SIZE = 1.6
_WORD = re.compile(r"[^\W\d_]{2,}")


def display_title(lines: Sequence[Line], size: float, skip: frozenset[int] = frozenset()) -> str | None:
    """The title a reader sees on a cover page: its largest type, when that is display type (at least
    ``DISPLAY_SIZE`` x the body ``size``) and says two words or more; consecutive lines set in it are one
    title. A one-word wordmark ("Redpaper") or a logo is passed over for the next size down. ``lines`` top
    to bottom; ``skip``: indices of page furniture (pure)."""
    kept = [(i, line) for i, line in enumerate(lines)
            if i not in skip and len(_WORD.findall(line.text)) >= 1 and line.size >= DISPLAY_SIZE * size]
    for top in sorted({round(line.size, 1) for _, line in kept}, reverse=True):
        run: list[Line] = []
        last = -2
        for i, line in kept:
            if abs(line.size - top) > 0.05 * top:
                continue
            if run and i != last + 1:
                break  # the first run of lines in this size is the title; a later one is something else
            run.append(line)
            last = i
        text = " ".join(" ".join(line.text.split()) for line in run)
        if len(_WORD.findall(text)) >= 2 and len(text.split()) <= 30:
            return text
    return None


def is_dot_leader(text: str) -> bool:
    """A table-of-contents row: a title, a run of dots (or an ellipsis) and a page number."""
    return _DOT_LEADER.search(text) is not None


def _slack(line: Line, size: float) -> float:
    """How far a line's estimated right end may run past a column edge: widths are estimates."""
    return max(size, 0.15 * (line.x1 - line.x0))


def column_starts(lines: Sequence[Line], size: float) -> list[float]:
    """Left edges of the second and later columns of a page; [] for a single column.

    A column starts where many lines start and (almost) no line runs across
    from the left; each column holds several lines of prose. Text widths are
    estimates, so "across" means well past the edge, by a font size.
    """
    if len(lines) < 8:
        return []
    left = min(line.x0 for line in lines)
    counts = Counter(round(line.x0 / 2) * 2 for line in lines)
    limit = 0.15 * len(lines)
    starts: list[float] = []
    for x, count in sorted(counts.items()):
        if count < 4 or x - left < 10 * size or (starts and x - starts[-1] < 10 * size):
            continue
        crossing = sum(1 for line in lines if line.x0 < x - size and line.x1 > x + _slack(line, size))
        if crossing <= limit:
            starts.append(float(x))
    if not starts:
        return []
    edges = [left - 1, *starts, math.inf]
    for lo, hi in zip(edges, edges[1:], strict=False):
        inside = [line for line in lines
                  if lo - 2 <= line.x0 < hi - 2 and line.x1 <= hi + _slack(line, size)]
        if len(inside) < 4 or statistics.mean(len(line.text) for line in inside) < 15:
            return []
    return starts


def _column(line: Line, starts: Sequence[float], size: float) -> int | None:
    """Which column a line stands in; None when it crosses a column edge (a title over both columns)."""
    k = 0
    for x in starts:
        if line.x0 >= x - 2:
            k += 1
        elif line.x1 > x + _slack(line, size):
            return None
        else:
            break
    return k


def reading_order(lines: Sequence[Line], size: float) -> list[list[Line]]:
    """Lines in reading order, as runs that are each one column of one band of the page.

    A line that crosses a gutter (a title or a figure over both columns)
    closes the band above it; within a band, columns are read left to right.
    """
    lines = sorted(lines, key=lambda line: (-line.y, line.x0))
    starts = column_starts(lines, size)
    if not starts:
        return [lines] if lines else []
    runs: list[list[Line]] = []
    band: dict[int, list[Line]] = {}

    def flush() -> None:
        for k in sorted(band):
            runs.append(band[k])
        band.clear()

    for line in lines:
        k = _column(line, starts, size)
        if k is None:
            flush()
            runs.append([line])
        else:
            band.setdefault(k, []).append(line)
    flush()
    return runs


def _rows(run: Sequence[Line]) -> list[list[Line]]:
    rows: list[list[Line]] = []
    for line in run:
        if rows and abs(rows[-1][0].y - line.y) <= 0.45 * max(rows[-1][0].size, line.size):
            rows[-1].append(line)
        else:
            rows.append([line])
    return [sorted(row, key=lambda line: line.x0) for row in rows]


def _wraps_cell(row: Sequence[Line], line: Line) -> bool:
    """Whether ``line``, alone on its row, carries on a cell of the table row above it: it starts where that
    cell starts, one line below it, in its type."""
    return any(abs(line.x0 - cell.x0) <= 2 and 0 < cell.y - line.y <= 1.6 * cell.size
               and abs(cell.size - line.size) <= 0.1 * cell.size for cell in row)


def _wrapped(row: Sequence[Line], line: Line) -> list[Line]:
    """The row with ``line`` joined to the cell it carries on."""
    out = []
    for cell in row:
        if abs(line.x0 - cell.x0) <= 2:
            cell = Line(f"{cell.text} {line.text}", cell.x0, max(cell.x1, line.x1), cell.y, cell.size, cell.bold)
        out.append(cell)
    return out


def _table_row(cells: Sequence[Line]) -> str:
    return " | ".join(cell.text for cell in cells)


def paragraphs(runs: Sequence[Sequence[Line]], size: float, styled: bool) -> list[Para]:
    """Runs of lines -> paragraphs (by gap and change of font), headings (larger or bold), tables (rows of cells).

    ``size`` is the document's body font size; ``styled`` says whether its
    text varies in size or weight at all. Without such cues a paragraph is
    "auto" and the cleaner judges headings by the shape of the line.
    Dot-leader rows (a table of contents) are dropped, and with them the
    heading just before one (the contents' own title, or a part title in it).
    """
    paras: list[Para] = []
    pitch = line_pitch(runs, size)
    for run in runs:
        rows = _rows(run)
        right = max(line.x1 for line in run)
        left = min(line.x0 for line in run)
        i = 0
        current: list[Line] = []

        def close(current: list[Line] = current) -> None:
            if current:
                paras.append(_para(current, size, styled))
                current.clear()

        while i < len(rows):
            row = rows[i]
            if any(is_dot_leader(cell.text) for cell in row):
                close()
                if paras and paras[-1].kind == "heading":
                    paras.pop()  # the contents' title, or a part title inside it
                i += 1
                continue
            j = i
            table: list[list[Line]] = []
            while j < len(rows) and not any(is_dot_leader(c.text) for c in rows[j]):
                if len(rows[j]) >= 2 and not _BULLET_CELL.fullmatch(rows[j][0].text):  # a list item is no row
                    table.append(list(rows[j]))
                elif table and j + 1 < len(rows) and len(rows[j + 1]) >= 2 and _wraps_cell(table[-1], rows[j][0]):
                    table[-1] = _wrapped(table[-1], rows[j][0])  # a cell's text wrapped onto a line of its own
                else:
                    break
                j += 1
            if len(table) >= 3:  # three or more rows of cells: a table
                close()
                paras.append(Para("table", tuple(_table_row(r) for r in table)))
                i = j
                continue
            for line in row:
                if current and (_breaks(current[-1], line, pitch, right, left) or is_caption(line.text)
                                or _caption_ends(current, right, size)):
                    close()
                current.append(line)
            i += 1
        close()
    return paras


def is_caption(text: str) -> bool:
    """A line that opens a table's or a figure's caption ("Table 1: EU Countries Information")."""
    return bool(_CAPTION.match(text))


def _caption_ends(current: Sequence[Line], right: float, size: float) -> bool:
    """A caption is a paragraph of its own: it ends at its first line that stops short of the column's right
    edge, though it has no closing stop (what follows is the table or figure it names, not its sentence)."""
    return is_caption(current[0].text) and current[-1].x1 < right - 4 * size


def line_pitch(runs: Sequence[Sequence[Line]], size: float) -> float:
    """The usual distance from one body line's baseline to the next (leading differs: 1.2 em, 1.5 em, double)."""
    steps: Counter[float] = Counter()
    for run in runs:
        for prev, line in zip(run, run[1:], strict=False):
            step = prev.y - line.y
            body = abs(prev.size - size) <= 0.1 * size and abs(line.size - size) <= 0.1 * size
            if body and 0.9 * size < step < 3 * size:
                steps[round(step * 2) / 2] += 1
    return steps.most_common(1)[0][0] if steps else 1.2 * size


def _breaks(prev: Line, line: Line, pitch: float = 0.0, right: float = math.inf, left: float = -math.inf) -> bool:
    """Whether ``line`` starts a new paragraph after ``prev`` (same column).

    A change of font, a wider gap than the usual leading, or a sentence that
    ends well short of the column's right edge (a paragraph's last line).
    """
    if abs(prev.size - line.size) > 0.1 * max(prev.size, line.size) or prev.bold != line.bold:
        return True
    gap = prev.y - line.y
    if gap > max(1.45 * max(prev.size, line.size), 1.3 * pitch) or gap < -0.5 * line.size:
        return True
    if _right_to_left(prev.text):  # a paragraph's last line stops short of the left edge
        return prev.text.rstrip("\"'”’)")[-1:] in ".!?:؟" and prev.x0 > left + 4 * prev.size
    return prev.text.rstrip("\"'”’)")[-1:] in ".!?:" and prev.x1 < right - 4 * prev.size


def _para(lines: Sequence[Line], size: float, styled: bool) -> Para:
    texts = tuple(line.text for line in lines)
    if not styled:
        return Para("auto", texts)
    big = statistics.mean(line.size for line in lines) >= 1.12 * size
    bold = all(line.bold for line in lines)
    words = sum(len(t.split()) for t in texts)
    last = re.sub(r"\W", "", texts[-1].split()[-1]) if texts[-1].split() else ""
    shaped = (len(lines) <= 3 and words <= 25 and texts[-1].rstrip()[-1:] not in ",;"
              and not _LIST_ITEM.match(texts[0])
              and re.search(r"[^\W\d_]", texts[0]) and not texts[0][:1].islower()
              and not (words > 1 and last.islower() and len(last) <= 3))  # "Implement roles and": cut off
    if (big or bold) and shaped:
        return Para("heading", texts)
    return Para("para", texts)


def is_styled(lines: Sequence[Line]) -> bool:
    """Whether a document's text varies in size or weight (so headings can be told by their font)."""
    if not lines:
        return False
    size = body_size(lines)
    return any(line.size >= 1.12 * size or line.bold for line in lines)


def footnote_zone(lines: Sequence[Line], size: float, height: float) -> int:
    """How many of a page's bottom lines (``lines`` top to bottom) are its footnotes; 0 if none.

    Footnotes sit below the body in a smaller font, and their first line
    opens with the note's number. They take the lower part of the page, or
    more where the whole run of small type from the body's end down opens
    with a note's number (endnotes that start after the body's last line).
    """
    start = low = len(lines)
    for k in range(len(lines) - 1, -1, -1):
        line = lines[k]
        if line.size > 0.92 * size:
            break
        start = k
        if line.y <= 0.6 * height:
            low = k
    if start < low and _NOTE_OPENS.match(lines[start].text):
        # down from the body's end; or a page of notes alone (endnotes), told by several notes' numbers
        if start > 0 or (sum(1 for line in lines if _NOTE_OPENS.match(line.text)) >= 3
                         and not any(is_dot_leader(line.text) for line in lines)):  # not a contents page
            return len(lines) - start
    for k in range(low, len(lines)):
        if _NOTE_OPENS.match(lines[k].text) and k > 0:
            return len(lines) - k
    return 0


def split_notes(lines: Sequence[Line], size: float, height: float) -> tuple[list[list[Line]], list[Line]]:
    """A page's lines (top to bottom) -> its body in reading order (runs) and its footnote lines.

    Notes sit at the foot of the page, or at the foot of one column where a
    column ends above the page's foot (a note block under the left column
    while the right column runs on): both are cut out of the body, column
    notes first, in reading order.
    """
    zone = footnote_zone(lines, size, height)
    body, foot = (list(lines[:-zone]), list(lines[-zone:])) if zone else (list(lines), [])
    runs: list[list[Line]] = []
    notes: list[Line] = []
    for run in reading_order(body, size):
        cut = footnote_zone(run, size, height)
        runs.append(run[:-cut] if cut else run)
        notes.extend(run[-cut:] if cut else [])
    notes.extend(foot)
    # notes read column by column, as the body is: a word processor sets each column's notes at its foot,
    # and the right column's may start higher than the left column's end
    starts = column_starts(sorted(body, key=lambda line: (-line.y, line.x0)), size)
    notes.sort(key=lambda line: (_column(line, starts, size) or 0, -line.y, line.x0))
    return [run for run in runs if run], notes
