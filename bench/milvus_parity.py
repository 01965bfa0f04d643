"""python -m bench.milvus_parity: the milvus store against the default local store, with the real model.

The shipped corpus is ingested once into the local store, then the same index is
moved to the embedded Milvus (an ingest with ``--store milvus`` reuses the vectors,
so both stores hold identical vectors). Every development question is asked of
both; the table gives the share with the same first citation (passage and quoted
span, or both abstaining), per split (dev / holdout, as bench/refusal.py splits),
the same for questions filtered by their most mentioned country, whether dense
search returns the same ranking, the BM25 top-5 overlap, and warm latency.
Nothing here is tuned. Writes bench/milvus_parity.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
QUESTIONS = REPO.parent / "shared" / "eval" / "questions.jsonl"


def _first(answer: dict) -> tuple:
    cites = answer.get("citations") or []
    return answer.get("abstained"), (cites[0]["passage_id"], cites[0]["char_start"], cites[0]["char_end"]) \
        if cites else None


def run(questions_path: Path, out: Path) -> dict:
    from bench.refusal import split_of
    from chat.engine import Engine
    from chat.retrieve import retrieve
    from index.backend import Where
    from index.build import IngestConfig, ingest_paths

    questions = [json.loads(line) for line in questions_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    root = Path(tempfile.mkdtemp(prefix="milvus-parity-"))
    try:
        started = time.perf_counter()
        ingest_paths([REPO / "corpus"], root / "local", progress=False)
        local_s = time.perf_counter() - started
        shutil.copytree(root / "local", root / "milvus")
        started = time.perf_counter()
        moved = ingest_paths([REPO / "corpus"], root / "milvus", IngestConfig(store="milvus"), progress=False)
        milvus_write_s = time.perf_counter() - started
        assert moved.embedded_files == 0, "the move to milvus re-embedded"
        engines = {"local": Engine.open(root / "local")}
        engines["milvus"] = Engine.open(root / "milvus", embedder=engines["local"].embedder)
        commonest = engines["local"].countries()[0][0]
        rows, latency = [], {s: [] for s in engines}
        for q in questions:
            firsts, firsts_country = {}, {}
            for store, engine in engines.items():
                t = time.perf_counter()
                firsts[store] = _first(engine.answer(q["question"]))
                latency[store].append((time.perf_counter() - t) * 1000)
                firsts_country[store] = _first(engine.answer(q["question"], country=commonest))
            qvec = engines["local"].embed_question(q["question"])
            dense = {s: [h.row for h in retrieve(e.index, q["question"], qvec, k=10, retriever="dense")]
                     for s, e in engines.items()}
            bm25 = {s: {h.row for h in retrieve(e.index, q["question"], qvec, k=5, retriever="bm25",
                                                where=Where())} for s, e in engines.items()}
            rows.append({"id": q["id"], "split": q.get("split") or split_of(q["id"]),
                         "same_first": firsts["local"] == firsts["milvus"],
                         "same_first_country": firsts_country["local"] == firsts_country["milvus"],
                         "same_dense10": dense["local"] == dense["milvus"],
                         "bm25_top5_overlap": len(bm25["local"] & bm25["milvus"]) / 5})
        for engine in engines.values():
            engine.index.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)

    def share(key: str, split: str | None = None) -> float:
        picked = [r for r in rows if split is None or r["split"] == split]
        return round(sum(r[key] for r in picked) / len(picked), 3) if picked else float("nan")

    result = {
        "questions": len(rows),
        "splits": {s: sum(r["split"] == s for r in rows) for s in ("dev", "holdout")},
        "same_first_citation": {s or "all": share("same_first", s) for s in (None, "dev", "holdout")},
        "same_first_citation_country_filter": {"country": commonest, **{s or "all": share("same_first_country", s)
                                                                       for s in (None, "dev", "holdout")}},
        "same_dense_top10": share("same_dense10"),
        "bm25_top5_overlap": share("bm25_top5_overlap"),
        "warm_p50_ms": {s: round(statistics.median(v), 1) for s, v in latency.items()},
        "ingest_local_s": round(local_s, 1),
        "move_to_milvus_s": round(milvus_write_s, 1),
        "differing": [r["id"] for r in rows if not r["same_first"]],
    }
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.milvus_parity", description=__doc__.splitlines()[0])
    ap.add_argument("--questions", type=Path, default=QUESTIONS)
    ap.add_argument("--out", type=Path, default=HERE / "milvus_parity.json")
    args = ap.parse_args(argv)
    if not args.questions.exists():
        print(f"error: no questions at {args.questions}")
        return 2
    r = run(args.questions, args.out)
    print("| measure | all | dev | holdout |")
    print("| --- | --- | --- | --- |")
    country = r["same_first_citation_country_filter"]["country"]
    for key, label in (("same_first_citation", "same first citation"),
                       ("same_first_citation_country_filter", f"same first citation, --country {country}")):
        print(f"| {label} | {r[key]['all']} | {r[key]['dev']} | {r[key]['holdout']} |")
    print(f"\nquestions {r['questions']} {r['splits']}; dense top-10 identical {r['same_dense_top10']}; "
          f"BM25 top-5 overlap {r['bm25_top5_overlap']}; warm p50 ms {r['warm_p50_ms']}; "
          f"differing {r['differing']} -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
