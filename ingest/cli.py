"""python -m ingest [PATH ...] [--index-dir DIR] [--model NAME] [--rebuild] [--store NAME [--store-url URL]]"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ingest.errors import QuotableError

DEFAULT_INDEX = ".index"


def default_index_dir() -> str:
    return os.environ.get("QUOTABLE_INDEX", DEFAULT_INDEX)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    from index.embed import DEFAULT_MODEL

    ap = argparse.ArgumentParser(
        prog="python -m ingest",
        description="Clean, chunk, embed and index documents (PDF, text, Markdown, HTML, SRT/VTT, speaker-turn "
                    "transcripts). Unchanged files are not re-embedded.",
    )
    ap.add_argument("paths", nargs="*", type=Path,
                    help="files or folders, searched recursively (default: what the index already holds, "
                         "e.g. corpus/ and uploads/; for a new index, corpus/)")
    ap.add_argument("--index-dir", type=Path, default=Path(default_index_dir()),
                    help="where the index lives (default: .index, or $QUOTABLE_INDEX)")
    ap.add_argument("--model", default=DEFAULT_MODEL,
                    help=f"embedding model: {DEFAULT_MODEL} (default, shipped offline) or a local "
                         "sentence-transformers folder")
    ap.add_argument("--rebuild", action="store_true", help="re-embed everything, ignoring the current index")
    ap.add_argument("--max-mb", type=float, default=50.0, help="refuse files larger than this (default 50 MB)")
    ap.add_argument("--store", choices=("local", "milvus"), default=None,
                    help="where the index lives: local (FAISS + SQLite in the index folder, the default for a "
                         "new index) or milvus (embedded in the index folder, or the server of --store-url); "
                         "default: the store the index already uses")
    ap.add_argument("--store-url", default=None,
                    help="a Milvus server or cluster, e.g. http://localhost:19530 (implies --store milvus)")
    ap.add_argument("--pooled-sentences", action="store_true",
                    help="pool sentence vectors from each passage's forward pass: about 2.5x faster ingest, "
                         "slightly worse choice of quotes (bench/ingest_rate.py)")
    ap.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    return ap.parse_args(argv)


def indexed_paths(index_dir: Path) -> list[Path]:
    """The paths the index was built from (uploads included), or corpus/ for a new index."""
    from index.manifest import read_manifest
    from ingest.errors import IndexProblem

    try:
        paths = [Path(p) for p in read_manifest(index_dir).paths if Path(p).exists()]
    except IndexProblem:
        paths = []
    return paths or [Path("corpus")]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from index.build import IngestConfig, ingest_paths

    config = IngestConfig(model=args.model, rebuild=args.rebuild, max_bytes=int(args.max_mb * 1_000_000),
                          store=args.store, store_url=args.store_url, pooled_sentences=args.pooled_sentences)
    try:
        paths = args.paths or indexed_paths(args.index_dir)
        report = ingest_paths(paths, args.index_dir, config, progress=not args.quiet)
    except QuotableError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("interrupted: the previous index is unchanged", file=sys.stderr)
        return 130
    for path, warning in report.warnings:
        print(f"warning: {path}: {warning}", file=sys.stderr)
    for path, reason in report.failed:
        print(f"error: {path}: {reason}", file=sys.stderr)
    if report.kept_previous:
        print(f"error: no document could be read; the index at {args.index_dir} is unchanged", file=sys.stderr)
        return 1
    print(
        f"indexed {report.documents} documents, {report.passages} passages, {report.footnotes} footnotes "
        f"in {report.seconds:.1f} s ({report.embedded_files} embedded, {report.reused_files} unchanged)"
        f" -> {args.index_dir}"
    )
    if report.failed:
        print(f"{len(report.failed)} file(s) failed; the others are indexed", file=sys.stderr)
        return 1
    return 0
