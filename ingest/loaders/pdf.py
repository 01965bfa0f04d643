"""PDF -> a report Document, with physical page numbers and printed page labels per block.

pypdf reads the file; ``ingest.clean`` does what text extraction leaves to
do (footnotes at page bottoms, paragraphs split by page breaks). Hostile or
broken files are refused with a reason a user can act on: encrypted,
truncated, no text layer, too many pages, a stream that decompresses past
pypdf's safety limits. Other parser errors reach ``load``, which wraps them.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from ingest.errors import IngestError
from ingest.loaders.common import document_from_cleaned, find_date
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


def pdf_document(path: Path, data: bytes, *, max_pages: int = MAX_PAGES, max_chars: int = MAX_CHARS) -> Document:
    from pypdf.errors import LimitReachedError

    source = str(path)
    try:
        reader = _open(path, data)
        count = len(reader.pages)
        if count == 0:
            raise IngestError(source, "PDF has no pages")
        if count > max_pages:
            raise IngestError(source, f"PDF has {count} pages, over the limit of {max_pages} pages")
        labels = _labels(reader, count)
        pages = []
        total = 0
        for index, page in enumerate(reader.pages):
            text = page.extract_text() or ""
            if not text.strip():
                # extract_text() gives "" for a page whose content it cannot decode (a stream
                # past pypdf's decompression limit, a broken filter); decoding it again says why.
                page.get_contents()
            total += len(text)
            if total > max_chars:
                raise IngestError(source, f"PDF text is over {max_chars:,} characters; is it a data dump?")
            pages.append((text, index + 1, labels[index]))
        title = _title(reader)
        meta = _meta(reader, count)
    except LimitReachedError as err:
        raise IngestError(source, f"PDF content decompresses past the safety limit ({err})") from err
    if not any(text.strip() for text, _, _ in pages):
        raise IngestError(source, "no extractable text in this PDF (a scan? run OCR on it first)")
    from ingest.clean import Page, clean_pages, guess_title

    cleaned = clean_pages([Page(text, number, label) for text, number, label in pages])
    if not cleaned.text.strip():
        raise IngestError(source, "no text left in this PDF after cleaning")
    return document_from_cleaned(path, cleaned, kind="report", title=title or guess_title(cleaned), meta=meta)
