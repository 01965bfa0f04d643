"""python -m chat.ask [QUESTION] [--country NAME] [--doc DOC_ID] [-k N] [--retriever R] [--json]

With no question and stdin not a terminal: batch mode, one question per
line in, one JSON object per line out (model loaded once).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

from ingest.errors import QuotableError, UsageError


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    from chat.retrieve import RETRIEVERS
    from ingest.cli import default_index_dir

    ap = argparse.ArgumentParser(
        prog="python -m chat.ask",
        description="Answer a question from the indexed documents with verbatim, footnoted quotes.",
    )
    ap.add_argument("question", nargs="?", help="the question; omit it to read one question per line from stdin")
    ap.add_argument("--country", help="only passages that mention this country; alone: the country brief")
    ap.add_argument("--doc", dest="doc_id", help="only passages of this document (its file name without extension)")
    ap.add_argument("-k", type=int, default=5, help="passages to return (default 5)")
    ap.add_argument("--retriever", choices=RETRIEVERS, default="hybrid", help="ranking to use (default hybrid)")
    ap.add_argument("--index-dir", type=Path, default=Path(default_index_dir()))
    ap.add_argument("--json", action="store_true", help="print the answer as one JSON object")
    ap.add_argument("--session", action="store_true",
                    help="batch mode: treat the lines as one conversation, so follow-ups use the previous question")
    ap.add_argument("--countries", action="store_true", help="list the countries the corpus mentions, with counts")
    return ap.parse_args(argv)


def _emit(result: dict, as_json: bool) -> None:
    from chat.render import render_text

    if as_json:
        print(json.dumps(result, ensure_ascii=False), flush=True)
    else:
        print(render_text(result), flush=True)


def _batch(engine, args: argparse.Namespace) -> int:
    if isinstance(sys.stdin, io.TextIOWrapper):
        # Under a UTF-8 locale stdin is strict: one line of invalid UTF-8 would end the batch with a traceback.
        sys.stdin.reconfigure(errors="replace")
    previous: str | None = None
    for line in sys.stdin:
        question = line.rstrip("\n")
        try:
            result = engine.answer(question, doc_id=args.doc_id, k=args.k, retriever=args.retriever,
                                   previous=previous if args.session else None)
            if args.session:
                previous = result.get("resolved_question", result["question"])
        except UsageError as err:
            # echo enough of the line to match it up, not all of a 100k-character one
            shown = question if len(question) <= 300 else question[:300] + "…"
            result = {"question": shown, "error": str(err)}
        print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


def run(args: argparse.Namespace) -> int:
    from chat.engine import Engine

    if args.question is not None and not args.question.strip():
        raise UsageError("empty question: ask something, or omit it to read questions from stdin")
    engine = Engine.open(args.index_dir)
    if args.countries:
        for country, n in engine.countries():
            print(f"{n:5d}  {country}")
        return 0
    if args.question is None and args.country:
        _emit(engine.brief(args.country), args.json)
        return 0
    if args.question is None:
        if sys.stdin.isatty():
            raise UsageError("no question: pass one, e.g. python -m chat.ask \"Who is the UK's special envoy?\"")
        return _batch(engine, args)
    _emit(engine.answer(args.question, country=args.country, doc_id=args.doc_id, k=args.k,
                        retriever=args.retriever), args.json)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return run(args)
    except QuotableError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
