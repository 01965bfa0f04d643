"""Refusals on three kinds of corpus: when to say "The documents don't say."

``python -m bench.refusal [--out bench/refusal.json]`` indexes the shipped
corpus, the committee meetings of ``../shared/eval/qmsum-dev`` and the real
PDFs of ``../shared/eval/pdf-dev`` with the default model, asks every
answerable and unanswerable question of each set, and records for each answer
the two numbers the refusal decision reads: the evidence score (strength of
the best sentence) and the share of the question's constraints (countries,
names, numbers) that the best sentence misses (``evidence_missing``).

The decision refuses when ``score < abstain_below`` or ``missing >=
refuse_missing``. The grid over both cuts is scored on the *dev* split of all
sets together; the recommended pair is the one with the best recall that
refuses at most 3 % of the answerable dev questions. The *holdout* split of
each set is never used to choose anything: its figures are reported beside.

For the PDFs it also reports hit@5, evidence in the quotes, the cited page
right, and the share of the top-5 passages (of every question on a PDF with a
reading-order ground truth) that hold page furniture, a contents row or a dot
leader (``furniture_of``: the page-edge lines the ground truth leaves out).

A question's split is its ``split`` field, else a stable hash of its id;
a qmsum meeting is dev or holdout whole, split as ``bench.qmsum`` splits them.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
import unicodedata
import zlib
from pathlib import Path

from chat.refusal import FEATURES, NO_MODEL, RefusalModel, Signals, decide, load_model
from chat.scoring import AnswerConfig

REPO = Path(__file__).resolve().parents[1]
HERE = REPO / "bench"
SHARED = REPO.parent / "shared" / "eval"
MODEL_FILE = "chat/refusal_model.json"
# at most 1 % of the answerable dev questions refused (1 of ~100): at 3 % the fitted cut sat at the edge
# of a cliff (a few points lower, 9 false refusals on dev) and refused answerable questions of the
# development sample (../shared/tools/devcheck.py asks for none)
MAX_FALSE_REFUSALS = 0.01


def split_of(key: str) -> str:
    """"dev" or "holdout", half and half, stable across runs and machines."""
    return "holdout" if zlib.crc32(key.encode("utf-8")) % 2 else "dev"


def meeting_splits(folder: Path) -> dict[str, str]:
    """A meeting is dev or holdout whole: sorted by name, every other one (as bench.qmsum splits them)."""
    names = sorted(p.stem for p in folder.glob("*.txt"))
    return {m: "dev" if i % 2 == 0 else "holdout" for i, m in enumerate(names)}


def _jsonl(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def question_sets() -> dict[str, dict]:
    """Each set: the documents to index and its questions, answerable or not (``kind == "none"``).
    Questions written after the split was fixed (``*-extra``, ``qmsum-extra/``) are all dev."""
    from bench.qmsum import own_queries

    shipped = [q for q in _jsonl(SHARED / "questions.jsonl") + _jsonl(HERE / "questions.jsonl")
               + _jsonl(HERE / "questions-none-extra.jsonl") + _jsonl(HERE / "questions-extra.jsonl")
               if q.get("kind") != "country"]
    meetings = meeting_splits(SHARED / "qmsum-dev" / "docs")
    qmsum = [{"id": q["id"], "kind": "fact", "question": q["question"], "doc": q["doc"], "split": meetings[q["doc"]]}
             for q in _jsonl(SHARED / "qmsum-dev" / "queries.jsonl")]
    qmsum += [{"id": q["id"], "kind": "fact", "question": q["question"], "doc": q["doc"], "split": "dev"}
              for q in own_queries()]
    qmsum += [{**q, "split": meetings[q["doc"]]} for q in _jsonl(HERE / "questions-qmsum-none.jsonl")]
    pdf = _jsonl(HERE / "questions-pdf.jsonl") + _jsonl(HERE / "questions-pdf-extra.jsonl")
    return {
        "shipped": {"paths": [REPO / "corpus"], "questions": shipped, "filter_doc": False},
        "qmsum": {"paths": [SHARED / "qmsum-dev" / "docs"], "questions": qmsum, "filter_doc": True},
        "pdf": {"paths": sorted(p for p in (SHARED / "pdf-dev").glob("*.pdf") if "password" not in p.name),
                "questions": pdf, "filter_doc": True},
    }


def evidence_pages(pdf: Path) -> list[str]:
    """Each physical page's text, loosely compared, to find where evidence stands."""
    from pypdf import PdfReader

    from bench.quality import loose

    return [loose(page.extract_text() or "") for page in PdfReader(pdf).pages]


_DOT_LEADER = re.compile(r"(?:\.\s*){5,}")


def _loose(text: str) -> str:
    """Letters and digits only, lower-cased, ligatures unfolded ("ﬁ" -> "fi")."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).lower())


def furniture_of(pdf: Path) -> tuple[str, ...]:
    """What the PDF's ground truth (its text in reading order, page furniture left out) marks as
    furniture or contents, loosely compared: each page's first and last two lines that the ground
    truth leaves out (running headers, footers, page numbers with their titles), and the ground
    truth's own table-of-contents rows (dot leaders) without their dots. Empty without a ground truth."""
    from pypdf import PdfReader

    truth_file = pdf.with_name(f"{pdf.stem}.groundtruth.md")
    if not truth_file.is_file():
        return ()
    truth = truth_file.read_text(encoding="utf-8")
    whole = _loose(truth)
    found: set[str] = set()
    for page in PdfReader(pdf).pages:
        lines = [line for line in (page.extract_text() or "").split("\n") if _loose(line)]
        for line in lines[:2] + lines[-2:]:
            if len(_loose(line)) >= 8 and _loose(line) not in whole:
                found.add(_loose(line))
    for line in truth.splitlines():
        if _DOT_LEADER.search(line):
            row = _loose(_DOT_LEADER.sub(" ", line))
            if len(row) >= 12:
                found.add(row)
    return tuple(sorted(found))


def holds_furniture(text: str, furniture: tuple[str, ...]) -> bool:
    """A retrieved passage holding page furniture, a contents row or a dot leader."""
    flat = _loose(text)
    return bool(_DOT_LEADER.search(text)) or any(f in flat for f in furniture)


def answer_checks(q: dict, r: dict, pages: list[str] | None) -> dict:
    """Evidence in the top-5 passages and in the quotes; for a PDF, the cited page holds it."""
    from bench.quality import contains_all, loose

    evidence = q.get("evidence") or []
    if q.get("kind") == "none" or not evidence:
        return {}
    if q.get("kind") == "source":  # the evidence is the report's own footnote: in a citation's sources
        return {"quoted": contains_all(" ".join(s["text"] for c in r["citations"] for s in c["sources"]), evidence)}
    out = {"hit5": contains_all(" ".join(p["text"] for p in r["passages"][:5]), evidence),
           "quoted": contains_all(" ".join(c["quote"] for c in r["citations"]), evidence)}
    if pages is not None:
        want = {i + 1 for i, text in enumerate(pages) if loose(evidence[0])[:60] in text}
        cited = [c for c in r["citations"] if loose(evidence[0])[:60] in loose(c["quote"])]
        if want and cited:
            out["page_ok"] = cited[0]["page"] in want
    return out


def collect(engine, questions: list[dict], filter_doc: bool, pdfs: dict[str, Path] | None = None) -> list[dict]:
    rows = []
    pages: dict[str, list[str]] = {}
    furniture: dict[str, tuple[str, ...]] = {}
    for q in questions:
        doc = q.get("doc") if filter_doc else None
        if doc and doc not in engine.documents:
            doc = None
        started = time.perf_counter()
        r = engine.answer(q["question"], doc_id=doc)
        ms = (time.perf_counter() - started) * 1000  # the answer alone, not the bench's page reading
        if pdfs and q.get("doc") in pdfs and q["doc"] not in pages:
            pages[q["doc"]] = evidence_pages(pdfs[q["doc"]])
            furniture[q["doc"]] = furniture_of(pdfs[q["doc"]])
        marked = furniture.get(q.get("doc"))
        checked = {"furniture": sum(holds_furniture(p["text"], marked) for p in r["passages"][:5]),
                   "furniture_of": len(r["passages"][:5])} if marked else {}
        rows.append({
            "id": q["id"],
            "split": q.get("split") or split_of(q["id"]),
            "answerable": q.get("kind") != "none",
            "score": r.get("evidence_score", 0.0),
            "missing": r.get("evidence_missing", 0.0),
            "abstained": r["abstained"],
            "refusal": r.get("refusal"),
            "signals": {k: v for k, v in (r.get("evidence_signals") or {}).items() if k in FEATURES},
            "absent": (r.get("evidence_signals") or {}).get("absent", []),
            "ms": ms,
            **answer_checks(q, r, pages.get(q.get("doc")) if pdfs else None),
            **checked,
        })
    return rows


def refused_by(row: dict, model: RefusalModel | None, abstain_below: float, refuse_missing: float) -> bool:
    """Whether the decision refuses ``row``: the two hard cuts, then (with a model) the model."""
    if "signals" not in row:  # a row of the two numbers only
        signals = Signals(row["score"], row["missing"], 0.0, 0.0, 0.0, 0.0, absent=("?",) if row["missing"] else ())
    elif not row["signals"]:  # nothing retrieved, or no sentence to score
        return True
    else:
        signals = Signals(**row["signals"], absent=tuple(row.get("absent") or ()))
    config = AnswerConfig(abstain_below=abstain_below, refuse_missing=refuse_missing)
    return decide(signals, config, model or NO_MODEL).refuse


def outcome(rows: list[dict], abstain_below: float, refuse_missing: float, model: RefusalModel | None = None) -> dict:
    refused = [refused_by(r, model, abstain_below, refuse_missing) for r in rows]
    unanswerable = [not r["answerable"] for r in rows]
    tp = sum(a and u for a, u in zip(refused, unanswerable, strict=True))
    n_refused, n_none = sum(refused), sum(unanswerable)
    n_answerable = len(rows) - n_none
    false = n_refused - tp
    return {
        "questions": len(rows), "unanswerable": n_none, "refused_unanswerable": tp, "false_refusals": false,
        "precision": tp / n_refused if n_refused else None,
        "recall": tp / n_none if n_none else None,
        "false_refusal_rate": false / n_answerable if n_answerable else None,
    }


def recommend(rows: list[dict]) -> dict:
    """The pair of cuts with the best recall on ``rows`` at a false-refusal rate within the cap."""
    scores = sorted({round(r["score"], 2) for r in rows} | {0.3})
    cuts = [s + 0.005 for s in scores if s < 0.6]
    best = None
    for a in cuts:
        for b in (0.5, 0.75, 1.0, 1.01):
            o = outcome(rows, a, b)
            if (o["false_refusal_rate"] or 0) > MAX_FALSE_REFUSALS:
                continue
            key = (o["recall"] or 0, -(o["false_refusals"]), -a, b)
            if best is None or key > best[0]:
                best = (key, {"abstain_below": round(a, 3), "refuse_missing": b, **o})
    return best[1] if best else {}


def run(out: Path, prebuilt: dict[str, Path] | None = None, only: list[str] | None = None,
        cache: Path | None = None) -> dict:
    from bench.qmsum import CachedEmbedder
    from chat.engine import Engine
    from chat.scoring import DEFAULT_CONFIG
    from index.build import IngestConfig, ingest_paths
    from index.embed import DEFAULT_MODEL, load_embedder

    embedder = CachedEmbedder(load_embedder(DEFAULT_MODEL), cache)
    rows: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="quotable-refusal-") as tmp:
        for name, spec in question_sets().items():
            if only and name not in only:
                continue
            if not spec["questions"]:
                print(f"[refusal] {name}: no questions, skipped", file=sys.stderr)
                continue
            index_dir = (prebuilt or {}).get(name) or Path(tmp) / name
            if index_dir.parent == Path(tmp):
                print(f"[refusal] {name}: indexing {len(spec['paths'])} path(s)", file=sys.stderr, flush=True)
                ingest_paths(spec["paths"], index_dir, IngestConfig(model=DEFAULT_MODEL), embedder=embedder,
                             progress=False)
                embedder.save()
            engine = Engine.open(index_dir, embedder=embedder)
            pdfs = {p.stem: p for p in spec["paths"] if p.suffix == ".pdf"}
            rows[name] = collect(engine, spec["questions"], spec["filter_doc"], pdfs)
            engine.index.close()
    embedder.save()
    current = (DEFAULT_CONFIG.abstain_below, DEFAULT_CONFIG.refuse_missing)
    dev = [r for rs in rows.values() for r in rs if r["split"] == "dev"]
    model = load_model()

    def per_split(decision) -> dict:
        return {name: {split: decision([r for r in rs if r["split"] == split]) for split in ("dev", "holdout")}
                for name, rs in rows.items()}

    result = {
        "current": {"abstain_below": current[0], "refuse_missing": current[1], "model": str(MODEL_FILE),
                    "refuse_below": model.refuse_below},
        "recommended_on_dev": recommend(dev),
        "sets": per_split(lambda rs: outcome(rs, *current, model)),
        "two_cuts": per_split(lambda rs: outcome(rs, *current)),  # the decision before the model

        "answers": {
            name: {split: answer_summary([r for r in rs if r["split"] == split]) for split in ("dev", "holdout")}
            for name, rs in rows.items()
        },
        "score_only": per_split(lambda rs: outcome(rs, current[0], 9.0)),  # one threshold, for comparison
        "warm_ms_p50": _median([r["ms"] for rs in rows.values() for r in rs]),
        "rows": rows,
    }
    out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(markdown(result))
    return result


def answer_summary(rows: list[dict]) -> dict:
    """Shares of answerable questions with evidence in the top 5, in the quotes, on the right page."""
    out = {}
    for key in ("hit5", "quoted", "page_ok"):
        flags = [r[key] for r in rows if key in r]
        out[key] = sum(flags) / len(flags) if flags else None
        out[f"{key}_n"] = len(flags)
    # of the top-5 passages of every question (answerable or not) on a document with a ground truth
    checked = sum(r.get("furniture_of", 0) for r in rows)
    if checked:
        out["furniture"] = sum(r.get("furniture", 0) for r in rows) / checked
        out["furniture_n"] = checked
    return out


def _median(values: list[float]) -> float | None:
    values = sorted(values)
    return round(values[len(values) // 2], 1) if values else None


def _fmt(x) -> str:
    return "–" if x is None else f"{x:.2f}" if isinstance(x, float) else str(x)


def markdown(result: dict) -> str:
    cur = result["current"]
    lines = [
        f"Refuse when evidence score < {cur.get('refuse_below', cur['abstain_below'])}, when the best sentence misses "
        f"≥ {cur['refuse_missing']} of the question's constraints (countries, names, numbers), or when the "
        f"refusal model ({cur.get('model')}, chat/refusal.py) says so.",
        "",
        "| set | split | questions | unanswerable | refused of them | precision | recall | false refusals "
        "| two cuts recall | two cuts false | score-only recall | score-only false |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, splits in result["sets"].items():
        for split, o in splits.items():
            old = result["score_only"][name][split]
            two = result.get("two_cuts", result["score_only"])[name][split]
            lines.append(
                f"| {name} | {split} | {o['questions']} | {o['unanswerable']} | {o['refused_unanswerable']} | "
                f"{_fmt(o['precision'])} | {_fmt(o['recall'])} | {o['false_refusals']} "
                f"({_fmt(o['false_refusal_rate'])}) | {_fmt(two['recall'])} | {two['false_refusals']} "
                f"| {_fmt(old['recall'])} | {old['false_refusals']} |")
    lines += ["", "| set | split | hit@5 | evidence in quotes | cited page right | answerable with evidence "
                  "| top-5 passages with furniture |",
              "|---|---|---|---|---|---|---|"]
    for name, splits in result.get("answers", {}).items():
        for split, a in splits.items():
            if a["quoted_n"]:
                furniture = f"{a['furniture']:.3f} of {a['furniture_n']}" if "furniture" in a else "–"
                lines.append(f"| {name} | {split} | {_fmt(a['hit5'])} | {_fmt(a['quoted'])} | "
                             f"{_fmt(a['page_ok'])} | {a['quoted_n']} | {furniture} |")
    rec = result.get("recommended_on_dev") or {}
    if rec:
        lines += ["", f"Best cuts on the dev splits together (≤ {MAX_FALSE_REFUSALS:.0%} false refusals): "
                      f"abstain_below {rec['abstain_below']}, refuse_missing {rec['refuse_missing']} "
                      f"(recall {_fmt(rec['recall'])}, {rec['false_refusals']} false refusals)."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.refusal", description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE / "refusal.json")
    ap.add_argument("--index", action="append", default=[], metavar="SET=DIR",
                    help="reuse an index already built of that set's documents (shipped, qmsum, pdf)")
    ap.add_argument("--sets", nargs="*", help="only these sets (default: all)")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "quotable-refusal-vectors.npz",
                    help="vector cache by text (default: in the temp folder), so a re-run embeds only new texts; "
                         "--cache '' for none")
    args = ap.parse_args(argv)
    run(args.out, only=args.sets, prebuilt={k: Path(v) for k, v in (item.split("=", 1) for item in args.index)},
        cache=args.cache if str(args.cache) not in ("", ".") else None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
