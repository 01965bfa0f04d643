"""Vector search at scale: exact flat vs the IVF index, by number of passages.

    python -m bench.scale [--quick] [--sizes 10000 100000 1000000] [--out bench/out]

Synthetic sentence-embedding-like data (d=384, unit length, a Gaussian mixture of a few
thousand topics with a decaying spectrum), held-out queries from the same distribution.
Per size and index kind: build time, bytes on disk, resident memory added, single-query
latency (one query at a time, as the product searches) and recall@10 against exact search,
unfiltered and under two filters (a scattered 1% of rows, and a topical 1%: the rows
nearest one point, as one document's passages are). Writes scale.json and scale.png.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import platform
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.vectors import VectorConfig, build_vector_index, index_kind, save_vector_index, search

DIM = 384
TARGET_P95_MS = 50.0
TARGET_RECALL = 0.95


@dataclass(frozen=True, slots=True)
class Mixture:
    """Topics with unequal sizes, in an anisotropic space (real embeddings use few directions much)."""

    basis: np.ndarray  # (d, d): maps white noise onto a power-law spectrum
    centres: np.ndarray  # (topics, d), unit length
    weights: np.ndarray  # (topics,), sums to 1
    spread: float

    @classmethod
    def make(cls, seed: int = 0, topics: int = 3000, d: int = DIM, decay: float = 0.6, spread: float = 1.0):
        rng = np.random.default_rng(seed)
        q, _ = np.linalg.qr(rng.standard_normal((d, d)))
        scale = (1.0 + np.arange(d)) ** -decay
        basis = (q * (scale / np.linalg.norm(scale))).T.astype(np.float32)
        centres = rng.standard_normal((topics, d), dtype=np.float32) @ basis
        centres /= np.linalg.norm(centres, axis=1, keepdims=True)
        weights = rng.lognormal(0.0, 1.0, topics)
        return cls(basis, centres, weights / weights.sum(), spread)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        x = rng.standard_normal((n, self.basis.shape[0]), dtype=np.float32) @ self.basis
        x *= self.spread
        x += self.centres[rng.choice(len(self.centres), n, p=self.weights)]
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        return x

    def fill(self, rng: np.random.Generator, n: int, batch: int = 100_000) -> np.ndarray:
        out = np.empty((n, self.basis.shape[0]), np.float32)
        for start in range(0, n, batch):
            out[start : start + batch] = self.sample(rng, min(batch, n - start))
        return out


def _rss() -> int:
    import psutil

    gc.collect()
    return psutil.Process().memory_info().rss


def _latencies_ms(index, queries: np.ndarray, allowed: np.ndarray | None = None) -> np.ndarray:
    search(index, queries[:1], 10, allowed)  # warm caches and lazy imports
    out = np.empty(len(queries))
    for i in range(len(queries)):
        start = time.perf_counter()
        search(index, queries[i : i + 1], 10, allowed)
        out[i] = (time.perf_counter() - start) * 1000
    return out


def _recall(found: np.ndarray, truth: np.ndarray) -> float:
    hits = [len(set(f[f >= 0]) & set(t[t >= 0])) / max(1, (t >= 0).sum()) for f, t in zip(found, truth, strict=True)]
    return float(np.mean(hits))


def _measure(x: np.ndarray, config: VectorConfig, queries: np.ndarray, n_latency: int,
             truth: dict[str, np.ndarray], filters: dict[str, np.ndarray]) -> tuple[dict, object]:
    before = _rss()
    start = time.perf_counter()
    index = build_vector_index(x, config)
    build_s = time.perf_counter() - start
    rss = _rss() - before
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "v.faiss"
        save_vector_index(index, path)
        file_bytes = path.stat().st_size
    lat = _latencies_ms(index, queries[:n_latency])
    row = {"kind": index_kind(index), "build_s": round(build_s, 2), "file_mb": round(file_bytes / 2**20, 1),
           "rss_mb": round(rss / 2**20, 1), "p50_ms": round(float(np.percentile(lat, 50)), 2),
           "p95_ms": round(float(np.percentile(lat, 95)), 2)}
    if "all" in truth:
        row["recall@10"] = round(_recall(search(index, queries, 10)[1], truth["all"]), 4)
    for name, allowed in filters.items():
        flat = _latencies_ms(index, queries[: n_latency // 2], allowed)
        row[f"{name}_p95_ms"] = round(float(np.percentile(flat, 95)), 2)
        if name in truth:
            row[f"{name}_recall@10"] = round(_recall(search(index, queries, 10, allowed)[1], truth[name]), 4)
    return row, index


def _filters(x: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    n = len(x)
    share = max(10, n // 100)
    scattered = np.sort(rng.choice(n, share, replace=False))
    topical = np.sort(np.argpartition(-(x @ x[rng.integers(n)]), share - 1)[:share])
    return {"filter_scattered": scattered, "filter_topical": topical}


def run(sizes=(10_000, 100_000, 1_000_000), out_dir: Path = Path("bench/out"), quick: bool = False) -> dict:
    """Measure each size; write scale.json and scale.png under out_dir; return the summary."""
    started = time.perf_counter()
    if quick:
        sizes = tuple(s for s in sizes if s <= 100_000) or (10_000,)
    sizes = tuple(sorted(sizes))
    n_queries, n_latency = (200, 100) if quick else (500, 200)
    rng = np.random.default_rng(20240611)
    mixture = Mixture.make(seed=1)
    data = mixture.fill(rng, sizes[-1])  # smaller sizes use prefixes: an iid sample's prefix is one too
    queries = mixture.sample(rng, n_queries)  # held out: never indexed
    default = VectorConfig()
    rows = []
    for n in sizes:
        x = data[:n]
        filters = _filters(x, rng)
        exact, flat = _measure(x, dataclasses.replace(default, flat_max=n), queries, n_latency, {}, filters)
        truth = {"all": search(flat, queries, 10)[1]}
        truth |= {name: search(flat, queries, 10, allowed)[1] for name, allowed in filters.items()}
        del flat
        approx, _ = _measure(x, dataclasses.replace(default, flat_max=0), queries, n_latency, truth, filters)
        exact["recall@10"] = 1.0
        for row in (exact, approx):
            rows.append({"passages": n, **row, "default": row["kind"] == ("flat" if n <= default.flat_max else "ivf")})
            print(_line(rows[-1]), flush=True)
        gc.collect()
    out_dir.mkdir(parents=True, exist_ok=True)
    result = {
        "rows": rows,
        "config": dataclasses.asdict(default),
        "data": {"dim": DIM, "topics": len(mixture.centres), "queries": n_queries, "latency_queries": n_latency,
                 "filters": "1% of rows, scattered at random or the nearest to one point"},
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "cpus": _cpus(),
        "faiss": _faiss_version(),
        "target": f"p95 < {TARGET_P95_MS:.0f} ms and recall@10 >= {TARGET_RECALL} at the largest size",
        "target_met": _target_met(rows),
        "seconds": round(time.perf_counter() - started, 1),
    }
    json_path, png_path = out_dir / "scale.json", out_dir / "scale.png"
    json_path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    _plot(rows, png_path)
    return {**result, "json": str(json_path), "png": str(png_path)}


def _target_met(rows: list[dict]) -> bool:
    largest = max(r["passages"] for r in rows)
    chosen = [r for r in rows if r["passages"] == largest and r["default"]]
    return all(r["p95_ms"] < TARGET_P95_MS and r.get("recall@10", 0) >= TARGET_RECALL for r in chosen)


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0


def _faiss_version() -> str:
    import faiss

    return faiss.__version__


HEADER = ("passages", "kind", "build_s", "file_mb", "rss_mb", "p50_ms", "p95_ms", "recall@10",
          "filter_scattered_p95_ms", "filter_scattered_recall@10", "filter_topical_p95_ms",
          "filter_topical_recall@10")


def _line(row: dict) -> str:
    return "  ".join(f"{k}={row[k]}" for k in HEADER if k in row)


def _plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (lat_ax, rec_ax) = plt.subplots(1, 2, figsize=(11, 4.2))
    for kind, colour in (("flat", "tab:blue"), ("ivf", "tab:orange")):
        mine = [r for r in rows if r["kind"] == kind]
        sizes = [r["passages"] for r in mine]
        lat_ax.plot(sizes, [r["p95_ms"] for r in mine], "o-", color=colour, label=f"{kind} p95")
        lat_ax.plot(sizes, [r["p50_ms"] for r in mine], "o--", color=colour, alpha=0.6, label=f"{kind} p50")
        if kind == "ivf":
            for key, style in (("recall@10", "o-"), ("filter_scattered_recall@10", "s:"),
                               ("filter_topical_recall@10", "^:")):
                rec_ax.plot(sizes, [r[key] for r in mine], style, color=colour, label=f"ivf {key}")
    flat_max = VectorConfig().flat_max
    for ax in (lat_ax, rec_ax):
        ax.axvline(flat_max, color="black", lw=0.8, ls=":", label=f"flat_max {flat_max:,}: ivf past it")
    lat_ax.axhline(TARGET_P95_MS, color="grey", lw=0.8, ls="--", label=f"target {TARGET_P95_MS:.0f} ms")
    rec_ax.axhline(TARGET_RECALL, color="grey", lw=0.8, ls="--", label=f"target {TARGET_RECALL}")
    for ax, title, unit in ((lat_ax, "single-query search latency", "ms"), (rec_ax, "recall@10 vs exact", "")):
        ax.set_xscale("log")
        ax.set_xlabel("passages in the index")
        ax.set_ylabel(unit)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    lat_ax.set_yscale("log")
    rec_ax.set_ylim(min(0.9, min(r.get("recall@10", 1) for r in rows) - 0.01), 1.002)
    fig.suptitle(f"FAISS on {_cpus()} CPU cores, d={DIM}, one query at a time")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="sizes up to 100k only, fewer queries")
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--out", type=Path, default=Path("bench/out"))
    args = ap.parse_args(argv)
    result = run(tuple(args.sizes), args.out, args.quick)
    print(f"wrote {result['json']} and {result['png']} in {result['seconds']} s; target met: {result['target_met']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
