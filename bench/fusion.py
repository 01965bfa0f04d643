"""python -m bench.fusion [--work DIR] [--cache FILE] [--holdout] [--out bench/fusion.json]

How the hybrid's fusion settings (chat/retrieve.py RetrieveConfig) are chosen: retrieval alone
(no answer step), through the real ``retrieve()``, on four question sets at once:

- the committee hearings (``../shared/eval/qmsum-dev``) asked restricted to their meeting, and
- unfiltered, scored as bench.qmsum scores them (a passage of the right meeting sharing a
  12-word run with an evidence turn);
- the shipped corpus's questions (``../shared/eval/questions.jsonl`` and bench/questions.jsonl,
  retrieval kinds), scored as bench.quality scores them (every evidence string in the top k);
- the PDF questions (bench/questions-pdf.jsonl, answerable ones), filtered to their document.

Each set has a dev and a holdout split (meetings as bench.qmsum splits them; a question's
``split`` field, else bench.refusal's hash of its id). Settings are compared on the mean over the
four *dev* sets of hit@5, then MRR@10 (then what the tests and the team store need: see
RetrieveConfig); the holdout figures are printed only with ``--holdout``, as the check, never to
choose by. Indexes are built once under ``--work`` (vectors cached by text).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict, replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "eval"
OUT = REPO / "bench" / "fusion.json"
SETS = ("qmsum/meeting", "qmsum/all", "corpus", "pdf")

# What was compared (RetrieveConfig fields over the product's defaults), with the old default first.
GRID: tuple[tuple[str, dict], ...] = (
    ("dense alone", {"retriever": "dense"}),
    ("bm25 alone", {"retriever": "bm25"}),
    ("rrf k20 (before)", {"fusion": "rrf", "rrf_k": 20, "speaker_weight": 1.0}),
    *((f"rrf k{k}", {"fusion": "rrf", "rrf_k": k, "speaker_weight": 1.0}) for k in (2, 5, 10, 60)),
    ("rrf k5, speaker 0.5", {"fusion": "rrf", "rrf_k": 5, "speaker_weight": 0.5}),
    ("rrf k20, speaker 0", {"fusion": "rrf", "rrf_k": 20, "speaker_weight": 0.0}),
    ("rrf k20, 100 candidates", {"fusion": "rrf", "rrf_k": 20, "speaker_weight": 1.0, "candidates": 100}),
    *((f"convex dense {a}, speaker {w}", {"fusion": "convex", "dense_share": a, "speaker_weight": w})
      for w in (0.0, 0.5, 1.0) for a in (0.3, 0.4, 0.5, 0.6, 0.7)),
    ("convex dense 0.6, speaker 1, 100 candidates", {"fusion": "convex", "dense_share": 0.6,
                                                      "speaker_weight": 1.0, "candidates": 100}),
)


def first_hit_rank(hit_flags: list[bool]) -> int | None:
    """1-based rank of the first passage that hits (for sets judged passage by passage)."""
    return next((i for i, flag in enumerate(hit_flags, start=1) if flag), None)


def summarise(rows: list[tuple[str, str, int | None]], cut: int = 5) -> dict[str, dict[str, float]]:
    """rows: (set, split, rank of the first hit or None) -> {"set/split": {"hit@5", "mrr@10", "n"}}."""
    out: dict[str, dict[str, float]] = {}
    for name in sorted({(s, sp) for s, sp, _ in rows}):
        ranks = [r for s, sp, r in rows if (s, sp) == name]
        out["/".join(name)] = {"hit@5": round(sum(1 for r in ranks if r and r <= cut) / len(ranks), 4),
                               "mrr@10": round(sum(1 / r for r in ranks if r and r <= 10) / len(ranks), 4),
                               "n": len(ranks)}
    return out


def dev_mean(summary: dict, key: str, split: str = "dev") -> float:
    """The mean over the four sets (to 3 places: two settings that miss the same number of questions tie)."""
    return round(sum(summary[f"{s}/{split}"][key] for s in SETS) / len(SETS), 3)


def _questions() -> list[dict]:
    from bench import qmsum, quality, refusal

    out = []
    meetings = qmsum.split_meetings([p.stem for p in (SHARED / "qmsum-dev" / "docs").glob("*.txt")])
    # QMSum's questions, then those written for the bench on the dev meetings (bench/qmsum-extra)
    for q in refusal._jsonl(SHARED / "qmsum-dev" / "queries.jsonl") + qmsum.own_queries():
        ev = qmsum.Evidence(q["evidence_turns"])
        for scope, doc in (("meeting", q["doc"]), ("all", None)):
            out.append({"set": f"qmsum/{scope}", "index": "qmsum", "split": meetings[q["doc"]], "id": q["id"],
                        "question": q["question"], "doc": doc, "judge": (q["doc"], ev)})
    for path in (quality.DEV_QUESTIONS, quality.OWN_QUESTIONS, REPO / "bench" / "questions-extra.jsonl"):
        for q in refusal._jsonl(path):
            if q["kind"] in quality.RETRIEVAL_KINDS:
                out.append({"set": "corpus", "index": "corpus", "split": q.get("split") or refusal.split_of(q["id"]),
                            "id": q["id"], "question": q["question"], "doc": None, "evidence": q["evidence"]})
    for q in refusal._jsonl(REPO / "bench" / "questions-pdf.jsonl") + refusal._jsonl(
            REPO / "bench" / "questions-pdf-extra.jsonl"):
        if q.get("kind") != "none" and q.get("evidence"):
            out.append({"set": "pdf", "index": "pdf", "split": q.get("split") or refusal.split_of(q["id"]),
                        "id": q["id"], "question": q["question"], "doc": q.get("doc"), "evidence": q["evidence"]})
    return out


def _rank(q: dict, hits) -> int | None:
    from bench import quality

    if "judge" in q:
        doc, ev = q["judge"]
        return first_hit_rank([h.passage.doc_id == doc and ev.hits(h.passage.text) for h in hits])
    texts = [h.passage.text for h in hits]
    return next((k for k in range(1, len(texts) + 1) if quality.hit_at(texts, q["evidence"], k)), None)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.fusion", description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=None, help="where the three indexes are built (kept for re-runs)")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "quotable-qmsum-vectors.npz")
    ap.add_argument("--holdout", action="store_true", help="also print the holdout figures (the check)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from bench.qmsum import CachedEmbedder
    from chat.engine import Engine
    from chat.retrieve import RetrieveConfig, retrieve
    from index.backend import Where
    from index.build import IngestConfig, ingest_paths
    from index.embed import DEFAULT_MODEL, load_embedder

    work = args.work or Path(tempfile.mkdtemp(prefix="quotable-fusion-"))
    embedder = CachedEmbedder(load_embedder(DEFAULT_MODEL), args.cache if str(args.cache) else None)
    sources = {"qmsum": [SHARED / "qmsum-dev" / "docs"], "corpus": [REPO / "corpus"],
               "pdf": sorted(p for p in (SHARED / "pdf-dev").glob("*.pdf") if "password" not in p.name)}
    engines = {}
    for name, paths in sources.items():
        index_dir = work / name
        if not (index_dir / "manifest.json").is_file():
            ingest_paths(paths, index_dir, IngestConfig(), embedder=embedder, progress=False)
        engines[name] = Engine.open(index_dir, embedder=embedder)
    embedder.save()
    questions = _questions()
    vectors = {(q["index"], q["question"]): engines[q["index"]].embed_question(q["question"]) for q in questions}
    results = []
    for label, change in GRID:
        change = dict(change)
        retriever = change.pop("retriever", "hybrid")
        config = replace(RetrieveConfig(), **change)
        started = time.perf_counter()
        rows = []
        for q in questions:
            engine = engines[q["index"]]
            doc = q["doc"] if q["doc"] in engine.documents else None
            hits = retrieve(engine.index, q["question"], vectors[(q["index"], q["question"])], k=10,
                            retriever=retriever, allowed=engine.allowed_rows(None, doc), config=config,
                            where=Where(None, doc))
            rows.append((q["set"], q["split"], _rank(q, hits)))
        summary = summarise(rows)
        results.append({"label": label, "retriever": retriever, "config": asdict(config), "summary": summary,
                        "dev_hit@5": dev_mean(summary, "hit@5"), "dev_mrr@10": dev_mean(summary, "mrr@10")})
        splits = ("dev", "holdout") if args.holdout else ("dev",)
        print(f"{label:48s} " + " | ".join(
            f"{split} mean {dev_mean(summary, 'hit@5', split):.3f}/{dev_mean(summary, 'mrr@10', split):.3f}: " +
            " ".join(f"{s} {summary[f'{s}/{split}']['hit@5']:.2f}/{summary[f'{s}/{split}']['mrr@10']:.2f}"
                     for s in SETS) for split in splits) + f"  ({time.perf_counter() - started:.0f} s)", flush=True)
    for engine in engines.values():
        engine.index.close()
    embedder.save()
    fused = [r for r in results if r["retriever"] == "hybrid"]
    top = max(r["dev_hit@5"] for r in fused)
    tied = sorted((r for r in fused if r["dev_hit@5"] == top), key=lambda r: -r["dev_mrr@10"])
    default = next((r["label"] for r in results if r["retriever"] == "hybrid"
                    and r["config"] == asdict(RetrieveConfig())), None)
    print(f"best dev hit@5 {top:.3f}: " + ", ".join(f"{r['label']} (MRR {r['dev_mrr@10']:.3f})" for r in tied) +
          f"; the product's default: {default}", file=sys.stderr)
    args.out.write_text(json.dumps({"sets": SETS, "chosen_on": "dev", "best_dev_hit@5": [r["label"] for r in tied],
                                    "default": default, "results": results}, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
