"""Pages with no text layer read by OCR, when the optional ``ocr`` extra is installed.

The engine is RapidOCR on ONNX Runtime (``rapidocr-onnxruntime``), whose
models ship inside its wheel: nothing is downloaded. A page's images are
taken with pypdf (``page.images``) and each is read as if it covered the page,
as a scanned page's image does; the text comes back as positioned lines, so
the page goes through the same layout rules as any other, with the spaces the
recogniser drops in English put back (``respace``, wordsegment's counts, also
in the extra). Without the extra, nothing is read and the caller says how to
get it.
"""

from __future__ import annotations

import re
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


# The engine's recogniser often drops the spaces of English text ("authoritiesinMontenegro"). A run of
# letters is split into words when every word is a common English one (among the 20,000 commonest of
# wordsegment's web counts, which ship in its wheel), so a name ("Radoicic", "KFOR") is never cut up.
COMMON = 1.6e6  # occurrences in wordsegment's unigram counts: about the 20,000th word
_RUN = re.compile(r"[A-Za-z0-9]{4,}")
_PART = re.compile(r"[A-Za-z]+|[0-9]+")
# words that stand next to a figure in running text ("in2023", "between2024and2025", "by19per")
_JOINING = frozenset("in on of to by and or the from between since until per about than at for".split())
_GLUED_PUNCT = re.compile(r"(?<=[a-z0-9%)][,;:])(?=[A-Za-z])|(?<=[a-z0-9%)]\.)(?=[A-Z][a-z])"
                          r"|(?<=[⁰¹²³⁴⁵⁶⁷⁸⁹])(?=[A-Z])|(?<=[0-9])(?=[A-Z][a-z])")


def respace(text: str, segment=None, counts=None) -> str:
    """An OCR line with the spaces its recogniser dropped put back ("hospitalsbudgetsfell" -> "hospitals
    budgets fell", "2023,the" -> "2023, the"); each letter keeps its case. ``segment`` and ``counts`` are
    wordsegment's (loaded on first use)."""
    if segment is None:
        segment, counts = _wordsegment()
    if segment is None:
        return text

    def common(word: str) -> bool:
        return (len(word) > 1 or word in "ai") and counts.get(word, 0) >= COMMON

    def words_of(letters: str) -> list[str] | None:
        """The run cut into common words, each in its own case; None when it is not all common words."""
        found = segment(letters)
        if sum(map(len, found)) != len(letters) or not all(common(w) for w in found):
            return None
        out, i = [], 0
        for w in found:
            out.append(letters[i:i + len(w)])
            i += len(w)
        return out

    def split(m: re.Match[str]) -> str:
        run = m.group()
        parts = _PART.findall(run)  # "Oursurveyof220households": letters and figures apart
        cut: list[list[str]] = []
        for part in parts:
            if part.isdigit():
                cut.append([part])
                continue
            words = None if part.isupper() else words_of(part)  # "KFOR", "COVID19": names, never cut
            if words is None:
                return run
            cut.append(words)
        lettered = [words for words in cut if not words[0].isdigit()]
        # figures next to letters split off only where the letters are glued words too ("proc1" stays)
        if len(parts) > 1 and not any(len(words) > 1 or words[0].lower() in _JOINING for words in lettered):
            return run
        pieces = [w for words in cut for w in words]
        return " ".join(pieces) if len(pieces) > 1 else run

    return _RUN.sub(split, _GLUED_PUNCT.sub(" ", text))


def _wordsegment():
    try:
        import wordsegment
    except ImportError:
        return None, None
    if not wordsegment.UNIGRAMS:
        wordsegment.load()
    return wordsegment.segment, wordsegment.UNIGRAMS


def lines_from_boxes(results: Sequence, image_w: int, image_h: int, page_w: float, page_h: float) -> list[Line]:
    """OCR results ``[(box, text, score), ...]`` (pixel boxes, y down) as Lines in page points (y up)."""
    lines: list[Line] = []
    sx, sy = page_w / max(1, image_w), page_h / max(1, image_h)
    segment, counts = _wordsegment()
    for box, text, *_ in results or ():
        text = " ".join(str(text).split())
        if segment:
            text = respace(text, segment, counts)
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
