"""How a citation's place is written: page, clock time, date, sources (pure).

Shared by the answer's reference strings and the renderers, so the CLI, the
Markdown copy and the CSV all say the same thing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def format_time(start_s: float | None) -> str | None:
    """A turn's start as the transcript wrote it.

    Whole minutes are a clock time of the sitting ("18:47", as Hansard
    prints it); a time with seconds is a recording offset ("0:01:05", as
    subtitles count). A subtitle cue that falls exactly on a minute reads as
    "00:02": the precision is the source's.
    """
    if start_s is None:
        return None
    seconds = round(float(start_s))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if secs == 0 and abs(float(start_s) - seconds) < 1e-6:
        return f"{hours:02d}:{minutes:02d}"
    return f"{hours}:{minutes:02d}:{secs:02d}"


def format_page(page: int | None, page_label: str | None) -> str | None:
    """ "p. 7", or "p. 3 (PDF p. 6)" when the page prints another number than its place in the file."""
    if page is None:
        return f"p. {page_label}" if page_label else None
    if page_label and page_label != str(page):
        return f"p. {page_label} (PDF p. {page})"
    return f"p. {page}"


def format_date(meta: Mapping[str, str]) -> str | None:
    """The document's date ("17 Oct 2023" from an ISO date; any other form as given)."""
    value = (meta.get("date") or "").strip()
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
    if iso and 1 <= int(iso.group(2)) <= 12:
        return f"{int(iso.group(3))} {_MONTHS[int(iso.group(2)) - 1]} {iso.group(1)}"
    return value or None


def is_turn(citation: Mapping) -> bool:
    """A citation of a speaker's turn (transcript, subtitles) rather than of a page."""
    return bool(citation.get("speaker")) or citation.get("start_s") is not None


def place(citation: Mapping) -> str:
    """Where the quote stands: "Title, Section, p. 7" or "Title — Lord X, 18:47"."""
    title = citation.get("title") or citation.get("doc_id") or ""
    if is_turn(citation):
        who = ", ".join(x for x in (citation.get("speaker"), format_time(citation.get("start_s"))) if x)
        return f"{title} — {who}" if who else title
    page = format_page(citation.get("page"), citation.get("page_label"))
    # A quote read by OCR off a page image can only be checked against that image.
    ocr = "read by OCR from the page image" if citation.get("ocr") else None
    return ", ".join(x for x in (title, citation.get("section"), page, ocr) if x)


def sources_text(sources: Sequence[Mapping]) -> str:
    """ "[12] https://...; [13] ..." - the report's own footnotes, numbered as the report numbers them."""
    return "; ".join(f"[{s['n']}] {s['text']}" for s in sources)


def one_line(text: str) -> str:
    return " ".join(text.split())


_OPENERS = "“\"‘'«"
_CLOSERS = "”\"’'»"


def quoted(text: str) -> str:
    """Text in quotation marks, unless it is a whole quotation already (“As part of ...”)."""
    if len(text) > 1 and text[0] in _OPENERS and text[-1] in _CLOSERS:
        return text
    return f"“{text}”"


def passage_place(p: Mapping) -> str:
    """Where a retrieved passage stands: document and speaker(s) and time, or document, section and page."""
    who = p.get("speaker") or ", ".join(p.get("speakers") or ())  # an exchange: everyone who speaks in it
    if who or p.get("start_s") is not None:
        when = ", ".join(x for x in (who, format_time(p.get("start_s"))) if x)
        return f"{p.get('doc_id', '')} — {when}"
    return ", ".join(x for x in (p.get("doc_id"), p.get("section"), format_page(p.get("page"), p.get("page_label")))
                     if x)
