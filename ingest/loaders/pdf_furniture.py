"""Page furniture found across a PDF's pages: running headers, footers, page numbers (pure; no I/O).

A running header is a line at the top (or bottom) of many pages that reads
the same once its numbers are set aside ("Congressional Research Service 4",
"Chapter 2. Roles 9"); a page number is a lone number, roman numeral or
"Page 3 of 10" there; a title beside a page number in body-sized type there,
or a web address alone, is furniture on any page, repeated or not, and so is
whatever stands on the same baseline as furniture. A lone number standing apart
below (or above) all the text, further in than the band, is a page number when
other pages have one at the same height (wide margins). What the page prints as its number comes from the
numbers in its furniture that step with the physical page.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from ingest.loaders.pdf_layout import Line, roman_value

BAND = 0.15  # of the page height: where headers and footers stand
EDGE_LINES = 3  # at most this many lines at each edge are furniture
DISPLAY = 1.4  # x the body size: an edge line this large is a title, even where headers repeat its words
_PAGE_NUMBER = re.compile(
    r"(?:page|p\.)?\s*[-–|]?\s*(?:\d{1,3}[-–.])?(?:\d{1,4}|[ivxlcdm]{1,7})\s*(?:(?:of|/)\s*\d{1,4})?\s*[-–|]?",
    re.IGNORECASE,
)
_ROMAN = re.compile(r"(?<![\w])([ivxlcdm]{1,7})(?![\w])", re.IGNORECASE)


def _shape(text: str) -> str:
    """A line with its numbers set aside: what repeats from page to page."""
    return " ".join(re.sub(r"\d+", "#", text.lower()).split())


def _edge_block(lines: Sequence[Line]) -> int:
    """How many lines from the edge stand apart from the body: a block ended by a clear gap.

    ``lines`` run from the edge inwards. Headers and footers are set off by
    white space; a line that flows on into body text at its usual leading is
    the body's, however often it repeats.
    """
    for k in range(min(EDGE_LINES, len(lines))):
        if k + 1 == len(lines):  # the whole page is these few lines: a lone line may be a number
            return 1 if k == 0 else 0
        gap = abs(lines[k].y - lines[k + 1].y)
        if gap > 1.6 * max(lines[k].size, lines[k + 1].size):
            # more than one line apart needs a page of text beside it to be set apart from
            return k + 1 if k == 0 or len(lines) - (k + 1) >= 2 * EDGE_LINES else 0
    return 0


def _edges(lines: Sequence[Line], height: float) -> list[tuple[str, int]]:
    """(band, index) of the lines standing at the top or bottom edge of a page (``lines`` top to bottom)."""
    out: list[tuple[str, int]] = []
    for k in range(_edge_block(lines)):
        if lines[k].y >= (1 - BAND) * height:
            out.append(("top", k))
    bottom = _edge_block(lines[::-1])
    for k in range(len(lines) - bottom, len(lines)):
        if lines[k].y <= BAND * height and ("top", k) not in out:
            out.append(("bottom", k))
    return out


def _outer_numbers(lines: Sequence[Line], height: float) -> list[tuple[str, int]]:
    """(band, index) of a lone page number standing apart above or below all the page's other lines,
    outside the edge band: wide margins (LaTeX's defaults on A4 put the number 139 pt up a 842 pt page)."""
    out: list[tuple[str, int]] = []
    if _edge_block(lines) == 1 and lines[0].y < (1 - BAND) * height and is_page_number(lines[0].text):
        out.append(("top", 0))
    last = len(lines) - 1
    if (last > 0 and _edge_block(lines[::-1]) == 1 and lines[last].y > BAND * height
            and is_page_number(lines[last].text)):
        out.append(("bottom", last))
    return out


def is_page_number(text: str) -> bool:
    return _PAGE_NUMBER.fullmatch(text.strip()) is not None


_NUMBERED_TITLE = re.compile(r"(\d{1,3})\s+(\D.*)|(.*\D)\s+(\d{1,3})")


def is_running_title(line: Line, body_size: float) -> bool:
    """An edge line that prints the page number beside a title or a chapter's name ("Optimized Table
    Tokenization for Table Structure Recognition 9", "4 Row and Column Access Control"): a running
    header or footer even on a page of its own, where nothing repeats. In type no larger than the
    body's and not bold, so that a heading opening a page ("Chapter 4") stays."""
    m = _NUMBERED_TITLE.fullmatch(line.text.strip())
    if m is None or line.bold or line.size > body_size + 0.5:
        return False
    title = m.group(2) or m.group(3)
    return len(re.findall(r"[^\W\d_]{2,}", title)) >= 3 and not title.rstrip().endswith((".", ",", ";", ":"))


_WEB_ADDRESS = re.compile(r"(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?:/\S*)?", re.IGNORECASE)


_CONTACT = re.compile(
    r"(?:(?:tel|phone|telephone|fax|t|f)\.?:?\s*)?\+?\(?\d[\d ()./-]{6,}\d"  # a phone number
    r"|(?:e-?mail:?\s*)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # an email address
    r"|(?:ISSN|ISBN|e-ISSN|DOI)[:\s]*[\dXx./-]{8,}",  # a serial's or book's number
    re.IGNORECASE)


def is_address_line(text: str) -> bool:
    """A line that is only a web address ("ibm.com/redbooks", "www.parliament.uk/commons-library"), a phone
    number, an email address or an ISSN: the publisher's address in a page's margin, never a sentence of
    the body."""
    s = text.strip()
    if _WEB_ADDRESS.fullmatch(s) is not None:
        return True
    m = _CONTACT.fullmatch(s)
    # an unlabelled number is a phone number from nine digits on ("1990-2000" is a period)
    return m is not None and (not s[:1].isdigit() or sum(ch.isdigit() for ch in s) >= 9)


def _body_size(pages: Sequence[Sequence[Line]]) -> float:
    sizes = sorted(line.size for lines in pages for line in lines)
    return sizes[len(sizes) // 2] if sizes else 0.0


def furniture(pages: Sequence[Sequence[Line]], heights: Sequence[float]) -> list[set[int]]:
    """Per page, the indices of its lines (top to bottom) that are page furniture."""
    n = len(pages)
    need = 2 if n < 5 else 3  # the same edge line on three pages is not body text
    body = _body_size(pages)
    edges = [_edges(lines, h) for lines, h in zip(pages, heights, strict=True)]
    counts: Counter[tuple[str, str]] = Counter()
    for lines, found in zip(pages, edges, strict=True):
        counts.update({(band, _shape(lines[k].text)) for band, k in found})
    # a lone number past the band is a page number when it stands at the same height on other pages too
    outer = [_outer_numbers(lines, h) for lines, h in zip(pages, heights, strict=True)]
    heights_of = Counter((band, round(lines[k].y / 2)) for lines, found in zip(pages, outer, strict=True)
                         for band, k in found)
    out: list[set[int]] = []
    for lines, found, numbers in zip(pages, edges, outer, strict=True):
        drop = {k for band, k in numbers if heights_of[(band, round(lines[k].y / 2))] >= need}
        for band, k in found:
            text = lines[k].text
            # a cover's title in display type repeats in the running headers: there it is the title
            repeated = n >= 2 and counts[(band, _shape(text))] >= need and lines[k].size < DISPLAY * body
            if is_page_number(text) or is_running_title(lines[k], body) or is_address_line(text) or repeated:
                drop.add(k)
        # a header or footer is a row: what stands on the baseline of a dropped edge line is furniture too
        # (a logo beside the publisher's address, a title beside its page number read as two lines)
        drop |= {k for _, k in found if any(abs(lines[k].y - lines[j].y) <= 0.25 * min(lines[k].size, lines[j].size)
                                             for j in drop)}
        out.append(drop)
    return out


def printed_numbers(furniture_text: Sequence[Sequence[str]]) -> list[str | None]:
    """The number each page prints, from the text of its furniture lines (one list per page, physical order).

    A number counts when its offset from the physical page is the offset
    most pages agree on (arabic and roman counted apart: front matter is
    often numbered i, ii, ... and the body 1, 2, ...). A single page's lone
    page number is taken as it is.
    """
    found: list[list[tuple[str, int, str]]] = []  # (kind, offset, label)
    for physical, texts in enumerate(furniture_text, start=1):
        cands = []
        for text in texts:
            for m in re.finditer(r"(?<![\d.,])\d{1,4}(?![\d.,]\d)", text):
                cands.append(("arabic", int(m.group(0)) - physical, m.group(0)))
            if is_page_number(text):
                for m in _ROMAN.finditer(text):
                    value = roman_value(m.group(1))
                    if value:
                        cands.append(("roman", value - physical, m.group(1)))
        found.append(cands)
    offsets: dict[str, int] = {}
    for kind in ("arabic", "roman"):
        counts = Counter(offset for cands in found for k, offset, _ in set(cands) if k == kind)
        if counts:
            offset, count = counts.most_common(1)[0]
            if count >= 2 or len(furniture_text) == 1:
                offsets[kind] = offset
    labels: list[str | None] = []
    for cands in found:
        label = next((lab for k, off, lab in cands if k == "arabic" and offsets.get(k) == off), None)
        label = label or next((lab for k, off, lab in cands if k == "roman" and offsets.get(k) == off), None)
        labels.append(label)
    return labels
