"""Updates of a Milvus-stored library: ``python -m bench.milvus_update [--passages N] [--out FILE.json]``.

Builds an index of N passages of the engine-scale synthetic library
(``bench.engine_scale``: reports and hearings, the deterministic stand-in
embedder) in the embedded Milvus Lite, then adds one file, changes one and
removes one through the ingest code, timing each, and checks that each lands
in place: the collection stays the one the index had, and the manifest's row
count and removed rows move as they should. Nothing is stubbed but the
embedder.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run(passages: int, workdir: Path) -> dict:
    from bench.engine_scale import MODEL, Writer, report, write_corpus
    from index.build import IngestConfig, ingest_paths
    from index.embed import load_embedder
    from index.manifest import read_manifest

    corpus, uploads, index_dir = workdir / "corpus", workdir / "uploads", workdir / "index"
    write_corpus(corpus, passages)
    uploads.mkdir(parents=True, exist_ok=True)
    embedder = load_embedder(MODEL)

    def ingest(store: str | None = None) -> float:
        t = time.perf_counter()
        done = ingest_paths([corpus, uploads], index_dir, IngestConfig(model=MODEL, store=store), embedder=embedder,
                            progress=False)
        if done.failed:
            raise RuntimeError(f"ingest failed: {done.failed[:3]}")
        return time.perf_counter() - t

    build_s = ingest("milvus")
    first = read_manifest(index_dir)
    (uploads / "new-report.txt").write_text(report(Writer(99), 99999, 40), encoding="utf-8")
    add_s = ingest()
    added = read_manifest(index_dir)
    files = sorted(corpus.iterdir())
    changed = files[len(files) // 3]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\nA paragraph added in a later edition.\n",
                       encoding="utf-8")
    change_s = ingest()
    files[2 * len(files) // 3].unlink()
    remove_s = ingest()
    last = read_manifest(index_dir)
    return {
        "passages": first.passages,
        "documents": first.documents,
        "build_s": round(build_s, 1),
        "add_one_file_s": round(add_s, 2),
        "change_one_file_s": round(change_s, 2),
        "remove_one_file_s": round(remove_s, 2),
        "rows_added": added.rows - first.rows,
        "removed_rows_kept": last.removed,
        "same_collection": len({first.store_collection, added.store_collection, last.store_collection}) == 1,
        "store": last.store,
        "model": MODEL,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.milvus_update", description=__doc__.splitlines()[0])
    ap.add_argument("--passages", type=int, default=20_000)
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "milvus_update.json")
    args = ap.parse_args(argv)
    try:
        import pymilvus  # noqa: F401
    except ImportError:
        print("bench.milvus_update needs the milvus extra: pip install -e '.[milvus]'", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="milvus-update-"))
    try:
        result = run(args.passages, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for key, value in result.items():
        print(f"{key:<20} {value}")
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if result["same_collection"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
