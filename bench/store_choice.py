"""python -m bench.store_choice: the embedded forms of the two candidate engines, measured the same way.

Milvus Lite (``pymilvus`` + ``milvus-lite``, the test extra) and qdrant-client's local
mode (only if ``qdrant_client`` is importable; it is not a dependency) each get N
synthetic passages (L2-normalised d=384 vectors, a doc_id, countries: one country in
60 % of passages, the rest rarer), then answer the same queries plain, filtered by
the common country and filtered by one document. Recall@10 is against exact numpy
search under the same filter. Also recorded: whether the engine runs BM25 itself
(the keyword half of Quotable's hybrid search) and how the client reaches the
engine. Writes bench/store_choice.json.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
COUNTRIES = [f"Country{i}" for i in range(30)]


def corpus(n: int, dim: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(50, dim))
    vecs = centres[rng.integers(0, 50, n)] + 0.6 * rng.normal(size=(n, dim))
    vecs = (vecs / np.linalg.norm(vecs, axis=1, keepdims=True)).astype(np.float32)
    docs = [f"doc{i % 200}" for i in range(n)]
    countries = [(["Country0"] if rng.random() < 0.6 else []) + [COUNTRIES[int(rng.integers(1, 30))]]
                 for _ in range(n)]
    queries = vecs[rng.choice(n, 40, replace=False)] + 0.3 * rng.normal(size=(40, dim)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    return vecs, docs, countries, queries.astype(np.float32)


def exact(vecs, mask, q, k=10):
    scores = vecs @ q
    scores[~mask] = -np.inf
    top = np.argsort(-scores)[:k]
    return {int(i) for i in top if np.isfinite(scores[i])}


def _timed(search, queries, truths):
    times, recalls = [], []
    for q, truth in zip(queries, truths, strict=True):
        t = time.perf_counter()
        found = search(q)
        times.append((time.perf_counter() - t) * 1000)
        recalls.append(len(found & truth) / max(1, len(truth)))
    return {"p50_ms": round(float(np.percentile(times, 50)), 2), "p95_ms": round(float(np.percentile(times, 95)), 2),
            "recall@10": round(float(np.mean(recalls)), 3)}


def milvus_lite(folder: Path, vecs, docs, countries, queries, truths):
    from pymilvus import DataType, MilvusClient

    client = MilvusClient(str(folder / "bench.db"))
    schema = client.create_schema(auto_id=False)
    schema.add_field("row", DataType.INT64, is_primary=True)
    schema.add_field("vec", DataType.FLOAT_VECTOR, dim=vecs.shape[1])
    schema.add_field("doc_id", DataType.VARCHAR, max_length=64)
    schema.add_field("countries", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=8, max_length=64)
    params = client.prepare_index_params()
    params.add_index("vec", index_type="FLAT", metric_type="IP")
    client.create_collection("p", schema=schema, index_params=params, consistency_level="Strong")
    t = time.perf_counter()
    for s in range(0, len(vecs), 1000):
        client.insert("p", [{"row": i, "vec": vecs[i].tolist(), "doc_id": docs[i], "countries": countries[i]}
                            for i in range(s, min(s + 1000, len(vecs)))])
    client.flush("p")
    write_s = time.perf_counter() - t

    def search(expr):
        return lambda q: {int(h["row"]) for h in client.search("p", data=[q.tolist()], anns_field="vec", limit=10,
                                                              filter=expr, output_fields=["row"])[0]}

    out = {"write_s": round(write_s, 2)}
    for name, expr in (("plain", ""), ("country", 'ARRAY_CONTAINS(countries, "Country0")'),
                       ("doc", 'doc_id == "doc7"')):
        out[name] = _timed(search(expr), queries, truths[name])
    client.close()
    return out


def qdrant_local(folder: Path, vecs, docs, countries, queries, truths):
    from qdrant_client import QdrantClient, models

    client = QdrantClient(path=str(folder / "qdrant"))
    client.create_collection("p", vectors_config=models.VectorParams(size=vecs.shape[1],
                                                                     distance=models.Distance.DOT))
    t = time.perf_counter()
    for s in range(0, len(vecs), 1000):
        rows = range(s, min(s + 1000, len(vecs)))
        client.upsert("p", points=[models.PointStruct(id=i, vector=vecs[i].tolist(),
                                                      payload={"doc_id": docs[i], "countries": countries[i]})
                                   for i in rows])
    write_s = time.perf_counter() - t

    def search(flt):
        return lambda q: {int(p.id) for p in client.query_points("p", query=q.tolist(), limit=10,
                                                                 query_filter=flt).points}

    def match(key, value):
        return models.Filter(must=[models.FieldCondition(key=key, match=models.MatchValue(value=value))])

    out = {"write_s": round(write_s, 2), "client": type(client._client).__name__}
    for name, flt in (("plain", None), ("country", match("countries", "Country0")), ("doc", match("doc_id", "doc7"))):
        out[name] = _timed(search(flt), queries, truths[name])
    client.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.store_choice", description=__doc__.splitlines()[0])
    ap.add_argument("--passages", type=int, default=10_000)
    ap.add_argument("--out", type=Path, default=HERE / "store_choice.json")
    args = ap.parse_args(argv)
    vecs, docs, countries, queries = corpus(args.passages, 384)
    masks = {"plain": np.ones(len(vecs), bool), "country": np.array(["Country0" in c for c in countries]),
             "doc": np.array([d == "doc7" for d in docs])}
    truths = {name: [exact(vecs, m, q) for q in queries] for name, m in masks.items()}
    result = {"passages": args.passages, "dim": 384, "queries": len(queries), "engines": {}}
    with tempfile.TemporaryDirectory() as tmp:
        result["engines"]["milvus-lite"] = {
            **milvus_lite(Path(tmp), vecs, docs, countries, queries, truths),
            "bm25_in_engine": True, "reached_through": "pymilvus gRPC client, as a Milvus server"}
        try:
            import qdrant_client  # noqa: F401
        except ImportError:
            result["engines"]["qdrant-local"] = {"skipped": "qdrant_client is not installed"}
        else:
            result["engines"]["qdrant-local"] = {
                **qdrant_local(Path(tmp), vecs, docs, countries, queries, truths),
                "bm25_in_engine": False, "reached_through": "in-process Python (QdrantLocal), no server protocol"}
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"{args.passages} passages, d=384, {len(queries)} queries; p50 / p95 ms, recall@10 vs exact")
    print("| engine | write s | plain | country filter | doc filter | BM25 in engine |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, r in result["engines"].items():
        if "skipped" in r:
            print(f"| {name} | {r['skipped']} | | | | |")
            continue
        cells = [f"{r[k]['p50_ms']} / {r[k]['p95_ms']}, {r[k]['recall@10']}" for k in ("plain", "country", "doc")]
        print(f"| {name} | {r['write_s']} | {' | '.join(cells)} | {r['bm25_in_engine']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
