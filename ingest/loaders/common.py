"""Small pieces every loader shares: a fallback title, a date in prose, a Document from cleaned text."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.records import Document

if TYPE_CHECKING:
    from ingest.clean import Cleaned


def humanise(stem: str) -> str:
    """A file stem as a title: "annual-report_2023" -> "Annual report 2023"."""
    words = re.sub(r"[-_.\s]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else stem


def document_from_cleaned(
    path: Path,
    cleaned: Cleaned,
    *,
    kind: str,
    title: str | None,
    meta: Mapping[str, str] | None = None,
) -> Document:
    return Document(
        doc_id=path.stem,
        title=(title or "").strip() or humanise(path.stem),
        kind=kind,
        source=str(path),
        text=cleaned.text,
        blocks=tuple(cleaned.blocks),
        footnotes=dict(cleaned.footnotes),
        markers=tuple(cleaned.markers),
        meta={k: v for k, v in (meta or {}).items() if v},
    )


_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)


def _month(word: str) -> int | None:
    # Full English names and their usual abbreviations ("Jun", "Sept").
    word = word.lower()
    for number, name in enumerate(_MONTH_NAMES, start=1):
        if word == name or (3 <= len(word) <= 4 and name.startswith(word)):
            return number
    return None


_DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")
_MONTH_DAY_YEAR = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def find_date(text: str) -> str | None:
    """The first full calendar date written in ``text``, as ISO "YYYY-MM-DD" (English month names)."""
    import datetime as dt

    found: list[tuple[int, str]] = []
    for pattern, order in ((_DAY_MONTH_YEAR, "dmy"), (_MONTH_DAY_YEAR, "mdy"), (_ISO_DATE, "ymd")):
        for match in pattern.finditer(text):
            parts = dict(zip(order, match.groups(), strict=True))
            month = _month(parts["m"]) if order != "ymd" else int(parts["m"])
            if not month:
                continue
            try:
                day = dt.date(int(parts["y"]), month, int(parts["d"]))
            except ValueError:
                continue
            found.append((match.start(), day.isoformat()))
    return min(found)[1] if found else None
