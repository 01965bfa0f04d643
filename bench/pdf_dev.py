"""PDF reader quality and speed on ../shared/eval/pdf-dev: ``python -m bench.pdf_dev``.

Per file with a ground truth (its text in reading order, page furniture left
out): the share of ground-truth sentences found inside one passage
(``found``), and the share of passage text that the ground truth does not hold
(``leaked``: headers, footers, page numbers, text glued across them). Both
compare loosely: letters and digits only, lower-cased. Table-of-contents rows
(dot leaders) are not counted as sentences to find: the reader drops them on
purpose; nor is a footnote's leading number, which the reader cuts off. Also
the parse time per page and of a synthetic 100-page report.

Files are split once into a dev half (rules were developed on it) and a
hold-out half (never tuned on); both are reported. A third group, "made", is
the word-processor reports of ``bench/pdf-made`` (bench/wordproc.py, turned
into PDF by LibreOffice): subset fonts, notes under each column, justified
Arabic; rules were developed on it too.

Runs against whatever ``ingest`` is importable, so the same script measures an
older checkout: ``PYTHONPATH=/path/to/old python bench/pdf_dev.py``.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PDF_DEV = ROOT / ".." / "shared" / "eval" / "pdf-dev"
DEV = ("redp5110_sampled", "multi_page", "amt_handbook_sample")
HOLD_OUT = ("normal_4pages", "2305.03393v1-pg9", "right_to_left_01")
MADE = ROOT / "bench" / "pdf-made"
MADE_FILES = ("report-1col", "report-2col", "report-endnotes", "arabic", "paper-type1", "paper-type3")
_DOT_LEADER = re.compile(r"(?:\.\s*){5,}")
_NOTE_NUMBER = re.compile(r"^\d{1,3}\)?\s+")
_MD = re.compile(r"^\s*(?:#{1,6}\s+|[-*+]\s+|\d+\.\s+|>\s*)")


def loose(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def _pieces(text: str) -> list[str]:
    """Sentences (or table rows, list items) of a text, by line and sentence end."""
    out = []
    for line in text.split("\n"):
        line = _MD.sub("", line).strip()
        if not line or line.startswith("<!--") or re.fullmatch(r"[|\-\s]+", line):
            continue
        out.extend(s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])", line) if s.strip())
    return out


def truth_sentences(markdown: str) -> list[str]:
    """The ground truth's sentences to find; a footnote's own number is not text (the reader cuts it off)."""
    pieces = (_NOTE_NUMBER.sub("", s) for s in _pieces(markdown))
    return [s for s in pieces if len(loose(s)) >= 20 and not _DOT_LEADER.search(s)]


def score(truth_md: str, passages: list[str]) -> dict[str, float]:
    truth = truth_sentences(truth_md)
    normalised = [loose(p) for p in passages]
    found = sum(1 for s in truth if any(loose(s) in p for p in normalised))
    whole = loose(truth_md)
    leaked = total = 0
    for passage in passages:
        for piece in _pieces(passage):
            n = len(loose(piece))
            total += n
            if n and loose(piece) not in whole:
                leaked += n
    return {
        "truth_sentences": len(truth),
        "found": round(found / len(truth), 3) if truth else 0.0,
        "leaked": round(leaked / total, 3) if total else 0.0,
    }


def synthetic_report(pages: int = 100) -> bytes:
    """A report with running headers, footers, page-bottom footnotes and two-column pages."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    note = 0
    for p in range(1, pages + 1):
        pdf.add_page()
        pdf.set_font("Helvetica", size=8)
        pdf.set_xy(20, 10)
        pdf.cell(170, 4, "Synthetic Policy Review: Energy and Water")
        pdf.set_font("Helvetica", "B", size=14)
        pdf.set_xy(20, 22)
        pdf.cell(170, 8, f"Section {p}. Findings on region {p}")
        pdf.set_font("Helvetica", size=10)
        body = " ".join(
            f"Sentence {i} of page {p} says that water use in region {p} rose by {i * 3} percent since 2010."
            for i in range(1, 9)
        )
        note += 1
        if p % 3 == 0:
            pdf.set_xy(20, 35)
            pdf.multi_cell(80, 5, body + f" Costs rose.{note}")
            pdf.set_xy(110, 35)
            pdf.multi_cell(80, 5, body)
        else:
            pdf.set_xy(20, 35)
            pdf.multi_cell(170, 5, body + f" Costs rose.{note} " + body)
        pdf.set_font("Helvetica", size=7)
        pdf.set_xy(20, 265)
        pdf.multi_cell(170, 3.5, f"{note} Ministry of Water, Annual statistics {2000 + p}, table {p}.")
        pdf.set_font("Helvetica", size=8)
        pdf.set_xy(100, 285)
        pdf.cell(10, 4, str(p + 2))
    return bytes(pdf.output())


def run() -> dict:
    from ingest.chunk import chunk
    from ingest.errors import IngestError
    from ingest.loaders import load

    if not PDF_DEV.is_dir():
        sys.exit(f"bench.pdf_dev: {PDF_DEV} is missing; nothing to measure")
    rows = []
    for split, folder, names in (("dev", PDF_DEV, DEV), ("hold-out", PDF_DEV, HOLD_OUT), ("made", MADE, MADE_FILES)):
        for name in names:
            pdf = folder / f"{name}.pdf"
            truth = (folder / f"{name}.groundtruth.md").read_text(encoding="utf-8")
            start = time.perf_counter()
            try:
                doc = load(pdf)
            except IngestError as err:
                rows.append({"file": name, "split": split, "error": err.reason})
                continue
            seconds = time.perf_counter() - start
            pages = int(doc.meta.get("pages", "1"))
            passages = [p.text for p in chunk(doc)]
            rows.append({"file": name, "split": split, "pages": pages, "passages": len(passages),
                         **score(truth, passages), "s_per_page": round(seconds / pages, 4)})
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "synthetic-100.pdf"
        path.write_bytes(synthetic_report())
        start = time.perf_counter()
        load(path)
        synthetic_s = round(time.perf_counter() - start, 2)
    summary = {}
    for split in ("dev", "hold-out", "made"):
        ok = [r for r in rows if r["split"] == split and "error" not in r]
        if ok:
            summary[split] = {k: round(sum(r[k] for r in ok) / len(ok), 3) for k in ("found", "leaked")}
    return {"files": rows, "mean": summary, "synthetic_100_pages_s": synthetic_s}


def main() -> None:
    result = run()
    print(f"{'file':22} {'split':9} {'pages':>5} {'found':>6} {'leaked':>7} {'s/page':>7}")
    for r in result["files"]:
        if "error" in r:
            print(f"{r['file']:22} {r['split']:9} error: {r['error']}")
            continue
        print(f"{r['file']:22} {r['split']:9} {r['pages']:5d} {r['found']:6.3f} {r['leaked']:7.3f} "
              f"{r['s_per_page']:7.4f}")
    for split, m in result["mean"].items():
        print(f"mean {split:17} {'':5} {m['found']:6.3f} {m['leaked']:7.3f}")
    print(f"synthetic 100-page report: {result['synthetic_100_pages_s']} s")
    out = Path(__file__).with_name("pdf_dev.json")
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
