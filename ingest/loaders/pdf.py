"""PDF -> a report Document, with physical page numbers and printed page labels per block.

pypdf reads each page's text with its positions and font sizes (its text
visitor, widths from the font's metrics). The pure modules beside this one
do the reading a person does: ``pdf_furniture`` finds running headers,
footers and page numbers across pages (and the number each page prints);
``pdf_layout`` groups lines, finds the footnote block, columns, headings,
tables and table-of-contents rows; ``pdf_ocr`` reads pages with no text
layer when the ``ocr`` extra is installed. ``ingest.clean`` then links
footnote markers and rejoins paragraphs cut by page breaks. Hostile or broken
files are refused with a reason a user can act on: encrypted, truncated, no
text layer, too many pages, a stream that decompresses past pypdf's safety
limits. Other parser errors reach ``load``, which wraps them.
"""

from __future__ import annotations

import io
import math
import re
from pathlib import Path

from ingest.errors import IngestError
from ingest.loaders.common import document_from_cleaned, find_date
from ingest.loaders.pdf_furniture import furniture, printed_numbers
from ingest.loaders.pdf_layout import (
    JOINER,
    Line,
    Span,
    body_size,
    display_title,
    is_styled,
    lines_from_spans,
    paragraphs,
    split_notes,
)
from ingest.loaders.pdf_ocr import OCR_HINT
from ingest.records import Document

MAX_PAGES = 2000
MAX_CHARS = 20_000_000  # extracted text; a 2000-page report has about 6 million
# Word and similar tools put the source file's name in /Title.
_TOOL_TITLE = re.compile(r"^(?:microsoft \w+ - |untitled\b)|\.(?:docx?|pptx?|xlsx?|indd|tex|pdf)$", re.I)


def _title(reader) -> str | None:
    info = reader.metadata
    raw = info.title if info else None
    title = " ".join(str(raw).split()) if raw else ""
    if not title or _TOOL_TITLE.search(title):
        return None
    return title


def _meta(reader, pages: int) -> dict[str, str]:
    meta = {"pages": str(pages)}
    info = reader.metadata
    if not info:
        return meta
    for key, value in (("author", info.author), ("subject", info.subject)):
        if value and str(value).strip():
            meta[key] = " ".join(str(value).split())
    try:
        created = info.creation_date
    except ValueError:  # a malformed /CreationDate is not worth refusing the file for
        created = None
    if created is not None:
        meta["date"] = created.date().isoformat()
    elif info.get("/CreationDate"):
        meta["date"] = find_date(str(info.get("/CreationDate"))) or ""
    return meta


def _labels(reader, count: int) -> list[str | None]:
    labels = list(reader.page_labels)
    return labels if len(labels) == count else [None] * count


def _open(path: Path, data: bytes):
    from pypdf import PdfReader

    source = str(path)
    if b"%PDF-" not in data[:1024]:
        raise IngestError(source, "not a PDF file (no %PDF header)")
    if b"%%EOF" not in data[-8192:]:
        raise IngestError(source, "truncated or corrupt PDF (no end-of-file marker); download it again")
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        # Files with only an owner password (print or copy restrictions) open with an empty one.
        try:
            opened = reader.decrypt("")
        except Exception as err:  # e.g. AES without the optional cryptography package
            raise IngestError(source, "encrypted PDF; decrypt it first") from err
        if not opened:
            raise IngestError(source, "encrypted PDF (password protected); decrypt it first")
    return reader


def _bold(font) -> bool:
    descriptor = font.font_descriptor
    weight = str(getattr(descriptor, "weight", "") or "")
    name = f"{font.name} {weight}".lower()
    flags = getattr(descriptor, "flags", 0) or 0
    return bool(re.search(r"bold|black|heavy|semibold|demi", name)) or bool(flags & (1 << 18))


def char_widths(font) -> dict[str, float]:
    """The font's glyph widths keyed by the characters the text is read as.

    pypdf keys widths by the font's own codes; a subset font (what word
    processors embed) codes its glyphs 1, 2, 3, ... and maps them to
    characters in its /ToUnicode map, so the widths are looked up through
    that map. Composite (CID) fonts key their widths by glyph, so most
    characters may still fall to the default width.
    """
    widths = dict(font.character_widths)
    for code, char in (font.character_map or {}).items():
        if code in font.character_widths and isinstance(char, str) and len(char) == 1 and char != code:
            widths[char] = font.character_widths[code]
    return widths


def _text_width(widths: dict[str, float], space_width: float, text: str) -> float:
    """Width of ``text`` in the font's units (1000 an em); a space the font's own space width where the
    font has no width for it (a default-width space would make lines look far longer than they are)."""
    default = widths.get("default", 500)
    return sum(widths.get(ch, space_width if ch == " " else default) for ch in text)


# Arabic-Indic digits, with the separators inside a number: pypdf counts them as right-to-left letters and
# reverses their run, but a number reads left to right in Arabic text too ("٢٠١٩" came out "٩١٠٢")
_ARABIC_NUMBER = re.compile(r"[\u0660-\u0669\u06f0-\u06f9](?:[\u0660-\u0669\u06f0-\u06f9\u066b\u066c.,/]*"
                            r"[\u0660-\u0669\u06f0-\u06f9])?")


# A glyph with no character behind it (no /ToUnicode entry) comes out as a control code: a kashida that
# stretches a justified Arabic word, say. It joins what stands either side of it, and is not text.
_UNMAPPED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]+")


# TeX's fonts set the ligatures ff, fi, fl, ffi, ffl at codes 11-15 (OT1) or 27-31 (T1); a bitmap (Type3) font
# with no /ToUnicode leaves pypdf nothing to read them by, and inside a word they come out as control codes
_TEX_LIGATURES = {chr(base + i): lig for base in (0x0B, 0x1B) for i, lig in enumerate(("ff", "fi", "fl", "ffi", "ffl"))}
_LIGATURE_CODE = re.compile(r"(?:(?<=[A-Za-z])|^)[\x0b-\x0f\x1b-\x1f](?=[a-z])")


_SYMBOL_GLYPH = re.compile(r"[\ue000-\uf8ff]")


def tex_ligatures(text: str) -> str:
    """Control codes opening or inside a word read as the TeX ligatures they stand for ("bene\x1cts":
    "benefits"; "\x1cts" after a line broken at "bene-"). For fonts without /ToUnicode only."""
    return _LIGATURE_CODE.sub(lambda m: _TEX_LIGATURES[m.group()], text)


def arabic_numbers_in_order(text: str) -> str:
    """``text`` with each run of Arabic-Indic digits put back in its reading order (pure)."""
    return _ARABIC_NUMBER.sub(lambda m: m.group()[::-1], text)


class _SpanReader:
    """Collects a page's spans from pypdf's text visitor: text, x range, baseline, size, weight."""

    def __init__(self) -> None:
        self.fonts: dict[int, tuple[object, bool]] = {}

    def _font(self, font_dict):
        key = id(font_dict)
        if key not in self.fonts:
            try:
                from pypdf.generic._font import Font

                font = Font.from_font_resource(font_dict)
                self.fonts[key] = ((char_widths(font), font.space_width or 250), _bold(font))
            except Exception:  # an odd font dictionary: estimate widths, assume regular weight
                self.fonts[key] = (None, False)
        return self.fonts[key]

    def spans(self, page) -> list[Span]:
        out: list[Span] = []

        def visit(text, cm, tm, font_dict, font_size):
            if not text or not text.strip() or font_dict is None:
                return
            a, b, c, d, e, f = (float(v) for v in tm)
            ca, cb, cc, cd, ce, cf = (float(v) for v in cm)
            x = e * ca + f * cc + ce
            y = e * cb + f * cd + cf
            scale_x = math.hypot(a * ca + b * cc, a * cb + b * cd) or 1.0
            scale_y = math.hypot(c * ca + d * cc, c * cb + d * cd) or 1.0
            size = float(font_size) * scale_y
            if size <= 0.5:
                return
            font, bold = self._font(font_dict)
            stripped = arabic_numbers_in_order(text.strip("\n"))
            if "/ToUnicode" not in font_dict:
                stripped = tex_ligatures(stripped)
            stripped = _UNMAPPED.sub(JOINER, stripped)
            if _SYMBOL_GLYPH.fullmatch(stripped.strip()):
                stripped = "•"  # a symbol font's bullet (Word's U+F0B7, OpenSymbol's U+F095): private-use codes
            measured = stripped.rstrip()
            if font is not None:
                width = _text_width(*font, measured) / 1000 * float(font_size) * scale_x
            else:
                width = 0.5 * size * len(measured)
            out.append(Span(stripped, x, x + width, y, size, bold))

        page.extract_text(visitor_text=visit)
        return out


def _page_lines(reader, source: str, max_chars: int) -> tuple[list[list[Line]], list[float], list[str]]:
    from pypdf.errors import LimitReachedError

    spans = _SpanReader()
    pages: list[list[Line]] = []
    heights: list[float] = []
    plain: list[str] = []
    total = 0
    try:
        for page in reader.pages:
            box = page.mediabox
            lines = lines_from_spans(
                [Span(s.text, s.x0 - float(box.left), s.x1 - float(box.left), s.y - float(box.bottom), s.size, s.bold)
                 for s in spans.spans(page)]
            )
            if not lines:
                # pypdf reads nothing from a page whose content it cannot decode (a stream past its
                # decompression limit, a broken filter); decoding it again says why.
                page.get_contents()
            total += sum(len(line.text) for line in lines)
            if total > max_chars:
                raise IngestError(source, f"PDF text is over {max_chars:,} characters; is it a data dump?")
            pages.append(lines)
            heights.append(float(box.height))
            plain.append("\n".join(line.text for line in lines))
    except LimitReachedError as err:
        raise IngestError(source, f"PDF content decompresses past the safety limit ({err})") from err
    return pages, heights, plain


def layout_pages(pages: list[list[Line]], heights: list[float], labels: list[str | None],
                 drops: list[set[int]]) -> list:
    """Positioned lines of every page -> ``ingest.clean.Page`` records: furniture out, notes apart, in reading order.

    ``drops``: per page, the indices of its furniture lines (``pdf_furniture.furniture``).
    """
    from ingest.clean import Page

    kept = [[line for k, line in enumerate(lines) if k not in drop] for lines, drop in zip(pages, drops, strict=True)]
    everything = [line for lines in kept for line in lines]
    size = body_size(everything)
    styled = is_styled(everything)
    out = []
    for number, (lines, height, label) in enumerate(zip(kept, heights, labels, strict=True), start=1):
        runs, notes = split_notes(lines, size, height)
        paras = paragraphs(runs, size, styled)
        note_lines = tuple(line.text for line in notes)
        text = "\n\n".join("\n".join(p.lines) for p in paras)
        out.append(Page(text, number, label, tuple((p.kind, "\n".join(p.lines)) for p in paras), note_lines))
    return out


def page_labels(reader, pages: list[list[Line]], drops: list[set[int]]) -> list[str | None]:
    """The number printed on each page: /PageLabels where the file has them, else read off the page furniture."""
    count = len(pages)
    try:
        has_labels = "/PageLabels" in reader.trailer["/Root"]
    except Exception:
        has_labels = False
    if has_labels:
        labels = _labels(reader, count)
        if any(labels):
            return labels
    printed = printed_numbers([[lines[k].text for k in sorted(drop)] for lines, drop in zip(pages, drops, strict=True)])
    return [label or str(number) for number, label in enumerate(printed, start=1)]


def _pages(numbers: list[str]) -> str:
    return f"page{'s' if len(numbers) > 1 else ''} {', '.join(numbers)}"


def no_text_warning(doc: Document) -> str | None:
    """One line naming the pages of a PDF that have no text layer (read by OCR or left out), or None."""
    missing = [n for n in doc.meta.get("no_text_pages", "").split(",") if n]
    if not missing:
        return None
    read = [n for n in doc.meta.get("ocr_pages", "").split(",") if n]
    left = [n for n in missing if n not in read]
    parts = []
    if read:
        parts.append(f"{_pages(read)} had no text layer and {'were' if len(read) > 1 else 'was'} read by OCR; "
                     "their quotes can only be checked against the page image")
    if left:
        why = f"left out ({OCR_HINT})" if doc.meta.get("ocr") == "unavailable" else \
            "left out: OCR found no text on them (figures or blank pages)"
        parts.append(f"{_pages(left)} had no text layer and {'were' if len(left) > 1 else 'was'} {why}")
    return "; ".join(parts)


def pdf_document(path: Path, data: bytes, *, max_pages: int = MAX_PAGES, max_chars: int = MAX_CHARS,
                 progress=None) -> Document:
    source = str(path)
    reader = _open(path, data)
    count = len(reader.pages)
    if count == 0:
        raise IngestError(source, "PDF has no pages")
    if count > max_pages:
        raise IngestError(source, f"PDF has {count} pages, over the limit of {max_pages} pages")
    pages, heights, _ = _page_lines(reader, source, max_chars)
    title = _title(reader)
    meta = _meta(reader, count)
    empty = [n for n, lines in enumerate(pages, start=1) if not lines]
    ocr_done: list[int] = []
    if empty:
        from ingest.loaders.pdf_ocr import ocr_pages

        read = ocr_pages(reader, empty, source, progress=progress)
        if read is None:
            meta["ocr"] = "unavailable"
        for number, lines in (read or {}).items():
            pages[number - 1] = lines
            ocr_done.append(number)
        meta["no_text_pages"] = ",".join(str(n) for n in empty)
        if ocr_done:
            meta["ocr_pages"] = ",".join(str(n) for n in sorted(ocr_done))
    if not any(pages):
        why = OCR_HINT if meta.get("ocr") == "unavailable" else "OCR found no text on them either"
        raise IngestError(source, f"no extractable text on any page: a scan or images of text ({why})")
    drops = furniture(pages, heights)
    labels = page_labels(reader, pages, drops)
    from ingest.clean import clean_pages, guess_title

    cleaned = clean_pages(layout_pages(pages, heights, labels, drops))
    if not cleaned.text.strip():
        raise IngestError(source, "no text left in this PDF after cleaning")
    if not title and pages[0]:
        body = body_size([line for lines in pages for line in lines])
        title = display_title(pages[0], body, frozenset(drops[0]))
    return document_from_cleaned(path, cleaned, kind="report", title=title or guess_title(cleaned), meta=meta)
