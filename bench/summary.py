"""The development sets' sections of bench/RESULTS.md, rendered from the JSON each benchmark writes.

``python -m bench`` runs the shipped-corpus measurements itself and appends
these sections from ``bench/qmsum.json`` (hearings), ``bench/pdf_dev.json``
(real PDFs' reading order), ``bench/refusal.json`` (answers and refusals on
three corpora), ``bench/ingest_rate-*.json`` and ``bench/engine_scale-*.json``
(library scale) and ``bench/milvus_parity.json`` (the team store). A missing
file is named as not run, with the command that makes it.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _load(name: str) -> dict | None:
    path = HERE / name
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _f(x, digits: int = 2) -> str:
    if x is None:
        return "–"
    return f"{x:.{digits}f}" if isinstance(x, float) else str(x)


def hearings() -> str:
    from bench.qmsum import table

    d = _load("qmsum.json")
    if d is None:
        return "Not run: `python -m bench.qmsum`."
    lines = [f"{d.get('meetings', '?')} meetings of `../shared/eval/qmsum-dev`, {d.get('questions', '?')} questions, "
             f"{d.get('passages', '?')} passages; scored as its README says. *meeting*: asked with the meeting as "
             "document filter; *all*: unfiltered. *tutorial*: raw text in 1,000-character chunks, MiniLM + FAISS, "
             "bm25s, RRF. Dev and hold-out are alternate meetings by name; nothing was tuned on hold-out. *dev-own*: "
             "questions written for the bench in QMSum's style on the dev meetings (`bench/qmsum-extra/`), apart "
             "from QMSum's own.", "",
             table(d["summary"])]
    for name, c in (d.get("corpus") or {}).items():
        hits = {k: v["hit@5"] for k, v in c.items() if isinstance(v, dict) and "hit@5" in v}
        lines.append(f"\nShipped corpus, {name} questions ({c.get('questions')}), hit@5: "
                     + ", ".join(f"{k} {_f(v)}" for k, v in hits.items()))
    return "\n".join(lines)


def pdfs() -> str:
    d = _load("pdf_dev.json")
    if d is None:
        return "Not run: `python -m bench.pdf_dev`."
    lines = ["Reading order on `../shared/eval/pdf-dev` against its ground truth: *found* is the share of ground-truth "
             "sentences inside passages, *leaked* the share of passage text the ground truth leaves out (page "
             "furniture, contents, misread text). *made*: the word-processor reports of `bench/pdf-made` "
             "(`python -m bench.wordproc`, LibreOffice; their prose footnotes count as leaked, being passages of "
             "their own).", "",
             "| file | split | pages | passages | found | leaked | s/page |", "|---|---|---|---|---|---|---|"]
    for f in d["files"]:
        lines.append(f"| {f['file']} | {f['split']} | {f['pages']} | {f['passages']} | {_f(f['found'])} | "
                     f"{_f(f['leaked'])} | {_f(f['s_per_page'], 3)} |")
    for split, m in d["mean"].items():
        lines.append(f"| **mean** | {split} | | | {_f(m['found'])} | {_f(m['leaked'])} | |")
    lines.append(f"\nA synthetic 100-page report parses in {_f(d['synthetic_100_pages_s'])} s.")
    return "\n".join(lines)


def answers() -> str:
    from bench.refusal import markdown

    d = _load("refusal.json")
    return markdown(d) if d else "Not run: `python -m bench.refusal`."


def library() -> str:
    parts = []
    for name, label in (("ingest_rate-default.json", "each distinct sentence embedded once; a passage's vector "
                                                     "is their mean (default)"),
                        ("ingest_rate-own.json", "the same, and each passage embedded whole as well"),
                        ("ingest_rate-pooled.json", "each passage embedded whole; sentence vectors pooled from it")):
        d = _load(name)
        if d:
            parts.append(f"| {label} | {d['files']} | {d['chars']:,} | {_f(d['ingest_chars_per_s'], 0)} | "
                         f"{_f(d['reference_chars_per_s'], 0)} | {_f(d['ratio'])} | {_f(d.get('ratio_cpu'))} |")
    out = []
    if parts:
        out += ["Ingest rate against sentence-transformers encoding the same text in 1,000-character chunks, in the "
                "same run (`python -m bench.ingest_rate`; 2 shared cores):", "",
                "| vectors | files | characters | ingest chars/s | encoder chars/s | ratio | CPU ratio |",
                "|---|---|---|---|---|---|---|", *parts, ""]
    lib = _load("library_ingest.json")
    if lib:
        out += [f"A library the size of BEIR SciFact ({lib['documents']:,} documents, {lib['word_pieces']:,} word "
                f"pieces of synthetic prose, {lib['bytes']:,} bytes; `python -m bench.library_ingest`) through "
                f"`python -m ingest` in a fresh process: {_f(lib['ingest_min'])} min, peak RSS "
                f"{lib['peak_rss_mb']} MB, {lib['passages']:,} passages.", ""]
    runs = sorted((d for p in HERE.glob("engine_scale-*.json") if (d := _load(p.name))), key=lambda d: d["passages"])
    if runs:
        keys = ["build_s", "open_s", "rss_mb", "peak_rss_mb", "warm_p50_ms", "warm_p95_ms", "country_filter_p95_ms",
                "doc_filter_p95_ms", "brief_s", "update_one_file_s", "change_one_file_s", "remove_one_file_s", "errors"]
        out += ["The whole engine at N passages (`python -m bench engine-scale --passages N --out FILE.json`; "
                "a deterministic stand-in embedder, nothing else stubbed; filtered sets stop at a time budget):", "",
                "| measure | " + " | ".join(f"{d['passages']:,}" for d in runs) + " |",
                "|---|" + "---|" * len(runs)]
        out += [f"| {k} | " + " | ".join(_f(d.get(k), 1) for d in runs) + " |" for k in keys]
        out += _later_processes(runs)
    return "\n".join(out) if out else "Not run: `python -m bench.ingest_rate`, `python -m bench engine-scale`."


def _later_processes(runs: list[dict]) -> list[str]:
    """A run's ``later_processes``: more engine processes opened on the same index after the bench's own one
    (each asking the same questions and adding, changing and removing one more file), for the spread."""
    lines = []
    for d in runs:
        later = d.get("later_processes") or []
        if later:
            spread = "; ".join(f"{k} " + ", ".join(_f(x.get(k), 1) for x in later)
                               for k in ("warm_p50_ms", "warm_p95_ms", "country_filter_p95_ms", "doc_filter_p95_ms",
                                         "update_one_file_s", "errors"))
            commits = [x.get("commit") for x in later]
            code = f" (code: {', '.join(c or '?' for c in commits)})" if any(commits) else ""
            lines.append(f"At {d['passages']:,}, {len(later)} later engine process(es) on the same index, in order"
                         f"{code}; the table's column is the first, right after the build: {spread}."
                         + (f" {d['note']}" if d.get("note") else ""))
    return ["", *lines] if lines else []


def team_store() -> str:
    d = _load("milvus_parity.json")
    if d is None:
        return "Not run: `python -m bench.milvus_parity`."

    def splits(x) -> str:
        if not isinstance(x, dict):
            return _f(x)
        return ", ".join(f"{k} {_f(v)}" for k, v in x.items() if k != "country")

    same, country, ms = d["same_first_citation"], d["same_first_citation_country_filter"], d["warm_p50_ms"]
    where = f" ({country['country']})" if isinstance(country, dict) and "country" in country else ""
    text = (f"`--store milvus` (embedded Milvus Lite) against the default store, real model, "
            f"{d['questions']} development questions. Same first citation: {splits(same)}; with a country "
            f"filter{where}: {splits(country)}. Same dense top 10: {_f(d['same_dense_top10'])}; BM25 top-5 "
            f"overlap: {_f(d['bm25_top5_overlap'])}. Warm p50 ms: {splits(ms)}.")
    u = _load("milvus_update.json")
    if u is not None:
        text += (f"\n\nUpdates in place (`python -m bench.milvus_update`, {u['passages']:,} engine-scale passages in "
                 f"{u['documents']:,} files, Milvus Lite): one file added in {_f(u['add_one_file_s'])} s, one changed "
                 f"in {_f(u['change_one_file_s'])} s, one removed in {_f(u['remove_one_file_s'])} s; the collection "
                 f"{'stayed the same' if u['same_collection'] else 'was rewritten'} ({u['rows_added']} rows added, "
                 f"{u['removed_rows_kept']} marked removed).")
    return text


def render() -> str:
    return "\n".join([
        "## Hearings (qmsum-dev)", "", hearings(), "",
        "## Real PDFs (pdf-dev): reading order", "", pdfs(), "",
        "## Answers and refusals on three corpora (shipped, qmsum-dev, pdf-dev)", "", answers(), "",
        "## Library scale", "", library(), "",
        "## Team store (Milvus)", "", team_store(), "",
    ])
