"""python -m bench.ingest_rate [--files N] [--out FILE.json]

Ingest rate against the encoder's own rate, on the same text, in the same run.

The corpus is the QMSum committee transcripts in ../shared/eval/qmsum-dev/docs.
The reference is sentence-transformers encoding that text cut into 1,000-character
chunks; the product is ``index.build.ingest_paths`` on the same files into a fresh
index (reading, cleaning, chunking, embedding, SQLite, FAISS: everything). The model
is loaded before either clock starts. The reference runs before and after the
product, and its mean is used, so a change in machine load between them shows.
The ratio is the product's characters per second over the reference's, by wall
time and by CPU time (steadier when other jobs share the cores).

A third row, ``library_*``, has sentence-transformers itself encode the product's own
embedding work (every distinct sentence on its own, and with ``--passage-vectors own``
every passage's embedding text before them): the ingest without the hand-written encoder of
index/bert.py, for the separate sentence vectors of the default ingest.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "eval" / "qmsum-dev" / "docs"
CHUNK_CHARS = 1000


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _model():
    """The default model through sentence-transformers, loaded (and warmed up) once."""
    from sentence_transformers import SentenceTransformer

    from index.embed import default_model_path

    model = getattr(_model, "loaded", None)
    if model is None:
        model = _model.loaded = SentenceTransformer(default_model_path(), device="cpu")
        model.encode(["warm up"])
    return model


def reference_seconds(texts: list[str], batch_size: int) -> tuple[float, float]:
    """Wall and CPU seconds of sentence-transformers encoding ``texts`` in 1,000-character chunks."""
    model = _model()
    chunks = [t[i : i + CHUNK_CHARS] for t in texts for i in range(0, len(t), CHUNK_CHARS)]
    start, cpu = time.perf_counter(), time.process_time()
    model.encode(chunks, batch_size=batch_size, convert_to_numpy=True, show_progress_bar=False)
    return time.perf_counter() - start, time.process_time() - cpu


def product_seconds(files: list[Path], index_dir: Path, pooled: bool,
                    passage_vectors: str = "mean") -> tuple[float, float, dict]:
    """Wall and CPU seconds of the product's ingest of ``files`` into a fresh index."""
    from index.build import IngestConfig, ingest_paths
    from index.embed import load_embedder

    load_embedder().embed(["warm up"])  # the model load is not the ingest's cost
    start, cpu = time.perf_counter(), time.process_time()
    report = ingest_paths(files, index_dir, IngestConfig(pooled_sentences=pooled, passage_vectors=passage_vectors),
                          progress=False)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    if report.failed:
        raise RuntimeError(f"ingest failed on {report.failed}")
    return seconds, cpu, {"documents": report.documents, "passages": report.passages}


def product_texts(files: list[Path]) -> tuple[list[str], list[str]]:
    """The texts the product embeds: each passage's embedding text, and each of its sentences."""
    from index.build import embedding_input
    from ingest.chunk import ChunkConfig, chunk
    from ingest.loaders import load

    passages, sentences = [], []
    for path in files:
        doc = load(path)
        for passage in chunk(doc, ChunkConfig()):
            text, spans = embedding_input(doc, passage)
            passages.append(text)
            sentences.extend(text[a:b] for a, b in spans)
    return passages, sentences


def library_seconds(passages: list[str], sentences: list[str], batch_size: int,
                    whole: bool = False) -> tuple[float, float]:
    """Wall and CPU seconds of sentence-transformers encoding the sentences (after the passages when ``whole``)."""
    model = _model()
    start, cpu = time.perf_counter(), time.process_time()
    distinct = list(dict.fromkeys(sentences))  # as the ingest does: a sentence two windows share, once
    for texts in ((passages, distinct) if whole else (distinct,)):
        model.encode(texts, batch_size=batch_size, convert_to_numpy=True, show_progress_bar=False)
    return time.perf_counter() - start, time.process_time() - cpu


def run(files: list[Path], batch_size: int = 32, pooled: bool = False, library: bool = True,
        passage_vectors: str = "mean") -> dict:
    texts = [f.read_text(encoding="utf-8") for f in files]
    chars = sum(len(t) for t in texts)
    ref_before, cpu_before = reference_seconds(texts, batch_size)
    with tempfile.TemporaryDirectory() as tmp:
        product, product_cpu, counts = product_seconds(files, Path(tmp) / "index", pooled, passage_vectors)
    ref_after, cpu_after = reference_seconds(texts, batch_size)
    reference, reference_cpu = (ref_before + ref_after) / 2, (cpu_before + cpu_after) / 2
    extra = {}
    if library:
        lib, lib_cpu = library_seconds(*product_texts(files), batch_size, whole=passage_vectors == "own")
        extra = {"library_separate_s": round(lib, 2), "library_separate_cpu_s": round(lib_cpu, 2),
                 "ratio_library_separate": round(reference / lib, 3),
                 "ratio_cpu_library_separate": round(reference_cpu / lib_cpu, 3)}
    return {
        "files": len(files),
        "sentence_vectors": "pooled" if pooled else "separate",
        "passage_vectors": "own" if pooled else passage_vectors,
        "chars": chars,
        **counts,
        "reference_s": round(reference, 2),
        "reference_runs_s": [round(ref_before, 2), round(ref_after, 2)],
        "reference_chars_per_s": round(chars / reference),
        "ingest_s": round(product, 2),
        "ingest_chars_per_s": round(chars / product),
        "passages_per_s": round(counts["passages"] / product, 1),
        "ratio": round(reference / product, 3),
        # CPU seconds: steadier than wall time when other jobs share the cores
        "reference_cpu_s": round(reference_cpu, 2),
        "ingest_cpu_s": round(product_cpu, 2),
        "ratio_cpu": round(reference_cpu / product_cpu, 3),
        **extra,
        "peak_rss_mb": round(_peak_rss_mb()),
        "cpus": os.cpu_count(),
        "reference": f"sentence-transformers, {CHUNK_CHARS}-character chunks, batch {batch_size}",
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.ingest_rate", description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=0, help="use the first N transcripts (default: all)")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "ingest_rate.json")
    ap.add_argument("--pooled", action="store_true",
                    help="ingest with sentence vectors pooled from the passage pass (IngestConfig.pooled_sentences)")
    ap.add_argument("--passage-vectors", choices=("mean", "own"), default="mean",
                    help="IngestConfig.passage_vectors: the sentences' mean (default) or the passage's own")
    ap.add_argument("--no-library", action="store_true",
                    help="skip the row of sentence-transformers encoding the product's passages and sentences")
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    if not CORPUS.is_dir():
        print(f"bench.ingest_rate: {CORPUS} is absent; nothing measured", file=sys.stderr)
        return 1
    files = sorted(CORPUS.glob("*.txt"))
    files = files[: args.files] if args.files else files
    result = run(files, pooled=args.pooled, library=not args.no_library, passage_vectors=args.passage_vectors)
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
