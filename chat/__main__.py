"""python -m chat [--host 127.0.0.1] [--port 7860] [--index-dir DIR] [--auth USER:PASS] [--uploads-dir DIR]
[--no-prewarm]

Opens the index first, so a missing or stale index is one line on stderr and
its exit code (3) before any server starts; then serves the web chat, reading
the index's files into memory in the background meanwhile (``index.prewarm``).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path

from ingest.errors import QuotableError, UsageError


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    from ingest.cli import default_index_dir

    ap = argparse.ArgumentParser(prog="python -m chat", description="Serve the Quotable web chat.")
    ap.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    ap.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    ap.add_argument("--index-dir", type=Path, default=Path(default_index_dir()),
                    help="where the index lives (default: .index, or $QUOTABLE_INDEX)")
    ap.add_argument("--auth", default=os.environ.get("QUOTABLE_AUTH"),
                    help="USER:PASS required to use the chat and its API (default: $QUOTABLE_AUTH, else none)")
    ap.add_argument("--uploads-dir", type=Path, default=None,
                    help="where uploaded documents are kept (default: uploads/ next to the index folder)")
    ap.add_argument("--max-upload-mb", type=float, default=50.0, help="refuse uploads larger than this (default 50)")
    ap.add_argument("--no-prewarm", action="store_true",
                    help="don't read the index's files into memory in the background at start")
    return ap.parse_args(argv)


def parse_auth(value: str | None) -> tuple[str, str] | None:
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise UsageError("--auth must be USER:PASS, both non-empty")
    return user, password


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        auth = parse_auth(args.auth)
        if not 0 < args.port < 65536:
            raise UsageError(f"--port {args.port} is not a port number")
        from chat.engine import Engine

        engine = Engine.open(args.index_dir)
    except QuotableError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    if not args.no_prewarm:
        threading.Thread(target=_prewarm, args=(engine,), name="prewarm", daemon=True).start()
    from chat.app import build_app, launch

    max_bytes = int(args.max_upload_mb * 1_000_000)
    app = build_app(engine, uploads_dir=args.uploads_dir, max_upload_bytes=max_bytes)
    launch(app, host=args.host, port=args.port, auth=auth, max_upload_bytes=max_bytes)
    return 0


def _prewarm(engine) -> None:
    """The index's files into the page cache, so the first questions don't wait on the disk; one line says so."""
    try:
        warmed = engine.prewarm()
    except Exception as err:  # never fatal: questions read what they need on demand
        print(f"prewarm: skipped ({type(err).__name__}: {err})", file=sys.stderr)
        return
    left = f"; left to read on demand: {', '.join(warmed.skipped)}" if warmed.skipped else ""
    print(f"prewarm: read {warmed.bytes / 1e6:.0f} MB of the index in {warmed.seconds:.1f} s{left}",
          file=sys.stderr, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
