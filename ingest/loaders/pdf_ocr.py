"""Pages with no text layer read by OCR, when the optional ``ocr`` extra is installed.

The engine is RapidOCR on ONNX Runtime (``rapidocr-onnxruntime``), whose
models ship inside its wheel: nothing is downloaded. A page's images are
taken with pypdf (``page.images``) and each is read as if it covered the page,
as a scanned page's image does; the text comes back as positioned lines, so
the page goes through the same layout rules as any other. Without the extra,
nothing is read and the caller says how to get it.
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace

from ingest.loaders.pdf_layout import Line

OCR_HINT = "install the OCR extra to read such pages: pip install 'quotable[ocr]' (or make install-ocr)"


def load_engine():
    """The OCR engine, or None when the ``ocr`` extra is not installed."""
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError:
        return None
    return RapidOCR()


def lines_from_boxes(results: Sequence, image_w: int, image_h: int, page_w: float, page_h: float) -> list[Line]:
    """OCR results ``[(box, text, score), ...]`` (pixel boxes, y down) as Lines in page points (y up)."""
    lines: list[Line] = []
    sx, sy = page_w / max(1, image_w), page_h / max(1, image_h)
    for box, text, *_ in results or ():
        text = " ".join(str(text).split())
        if not text:
            continue
        xs = [float(p[0]) for p in box]
        ys = [float(p[1]) for p in box]
        size = (max(ys) - min(ys)) * sy / 1.1  # a text box is about 1.1 em high
        lines.append(Line(text, min(xs) * sx, max(xs) * sx, page_h - max(ys) * sy, max(1.0, size)))
    # Box heights vary with ascenders and descenders: lines near the page's usual height are set
    # to it, so only real changes of size (headings) tell paragraphs apart.
    if lines:
        usual = statistics.median(line.size for line in lines)
        lines = [replace(line, size=usual) if abs(line.size - usual) <= 0.2 * usual else line for line in lines]
    return sorted(lines, key=lambda line: (-line.y, line.x0))


def ocr_pages(reader, numbers: Sequence[int], source: str,
              progress: Callable[[str], None] | None = None) -> dict[int, list[Line]] | None:
    """Lines read by OCR off the given (1-based) pages that have images; None without the engine."""
    if not numbers:
        return {}
    engine = load_engine()
    if engine is None:
        return None
    import numpy as np

    say = progress or (lambda message: print(message, file=sys.stderr, flush=True))
    out: dict[int, list[Line]] = {}
    for i, number in enumerate(numbers, start=1):
        page = reader.pages[number - 1]
        say(f"{source}: OCR page {number} ({i} of {len(numbers)} without a text layer)")
        lines: list[Line] = []
        for image in page.images:
            picture = image.image.convert("RGB")
            result, _ = engine(np.asarray(picture)[:, :, ::-1])  # RapidOCR takes BGR like OpenCV
            lines.extend(lines_from_boxes(result, picture.width, picture.height,
                                          float(page.mediabox.width), float(page.mediabox.height)))
        if lines:
            out[number] = lines
    return out
