"""One file -> one Document, whatever its format; every failure is one IngestError naming the file.

``load`` checks what all formats share (size, emptiness, binary content in a
text format), then hands the bytes to the module for the file's suffix. The
parsing libraries raise many exception types on malformed input; they are
all turned into an ``IngestError`` here, at the boundary, with the cause
chained, so ingest can report the file and go on with the others.
"""

from __future__ import annotations

from pathlib import Path

from ingest.errors import IngestError
from ingest.loaders.decode import looks_binary, read_text
from ingest.records import Document

__all__ = ["SUPPORTED_SUFFIXES", "load", "read_text"]

SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".pdf", ".html", ".htm", ".srt", ".vtt")
_FORMAT_NAMES = {
    ".txt": "text",
    ".md": "Markdown",
    ".pdf": "PDF",
    ".html": "HTML",
    ".htm": "HTML",
    ".srt": "SRT subtitles",
    ".vtt": "WebVTT subtitles",
}


def _size(n: int) -> str:
    for unit, scale in (("MB", 1_000_000), ("kB", 1_000)):
        if n >= scale:
            return f"{n / scale:.1f}".rstrip("0").rstrip(".") + f" {unit}"  # "61.4 MB", "50 MB"
    return f"{n} bytes"


def _read(path: Path, max_bytes: int) -> bytes:
    source = str(path)
    try:
        if not path.is_file():  # a folder, a FIFO (open() would wait forever), a device
            raise IngestError(
                source, "cannot read: not a regular file" if path.exists() else "cannot read: no such file"
            )
        size = path.stat().st_size
        if size > max_bytes:
            raise IngestError(
                source, f"file is {_size(size)}, over the {_size(max_bytes)} limit; raise it with --max-mb"
            )
        with path.open("rb") as handle:
            # Read one byte past the limit: a file that grew since stat() is still caught.
            data = handle.read(max_bytes + 1)
    except OSError as err:
        raise IngestError(source, f"cannot read the file: {err.strerror or err}") from err
    if len(data) > max_bytes:
        raise IngestError(source, f"file is over the {_size(max_bytes)} limit; raise it with --max-mb")
    if not data.strip():
        raise IngestError(source, "empty file")
    return data


def _text(path: Path, data: bytes) -> str:
    if looks_binary(data):
        raise IngestError(
            str(path), f"binary content in a {path.suffix} file; it is not text (is the extension wrong?)"
        )
    text = read_text(data)
    if not text.strip():
        raise IngestError(str(path), "empty file (no text)")
    return text


def _dispatch(path: Path, data: bytes, suffix: str, max_pages: int) -> Document:
    if suffix == ".pdf":
        from ingest.loaders.pdf import pdf_document

        return pdf_document(path, data, max_pages=max_pages)
    text = _text(path, data)
    if suffix in (".srt", ".vtt"):
        from ingest.loaders.subtitles import subtitles_document

        return subtitles_document(path, text)
    if suffix in (".html", ".htm"):
        from ingest.loaders.html import html_document

        return html_document(path, text)
    from ingest.loaders.text import text_document

    return text_document(path, text)


def load(path: Path, *, max_bytes: int = 50_000_000, max_pages: int = 2000) -> Document:
    """The Document in the file at ``path``; raises IngestError(str(path), reason) if it has none."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = f"type {suffix}" if suffix else "type (no extension)"
        raise IngestError(str(path), f"unsupported file {shown}; supported: {', '.join(SUPPORTED_SUFFIXES)}")
    data = _read(path, max_bytes)
    try:
        return _dispatch(path, data, suffix, max_pages)
    except IngestError:
        raise
    except Exception as err:  # any parser failure on a malformed file, see the module docstring
        detail = str(err).strip().splitlines()[0][:200] if str(err).strip() else "no details"
        raise IngestError(
            str(path), f"cannot read this {_FORMAT_NAMES[suffix]} file ({type(err).__name__}: {detail})"
        ) from err
