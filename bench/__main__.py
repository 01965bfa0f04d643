"""python -m bench [--quick] [--skip-scale] [--skip-load] [--skip-sets]

Builds its own index of corpus/ in a temporary folder with the default model,
then measures retrieval and answer quality (dev sample and bench/questions.jsonl),
speed, the web API under concurrent clients, and search at scale. Writes
bench/results.json and bench/RESULTS.md and prints the Markdown.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"


def _say(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def _find_png(result: dict, out_dir: Path) -> Path | None:
    named = [Path(v) for v in result.values() if isinstance(v, str | Path) and str(v).endswith(".png")]
    found = [p for p in named if p.is_file()] or sorted(out_dir.glob("*.png"), key=lambda p: p.stat().st_mtime)
    return found[-1] if found else None


def run_scale(quick: bool) -> dict:
    from bench import scale

    out_dir = BENCH / "out"
    result = dict(scale.run(out_dir=out_dir, quick=quick))
    png = _find_png(result, out_dir)
    if png is not None:
        shutil.copyfile(png, BENCH / "scale.png")
        result["png"] = "bench/scale.png"
    return result


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["engine-scale"]:  # python -m bench engine-scale --passages N --out FILE.json
        from bench import engine_scale

        return engine_scale.main(argv[1:])
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer load requests and a smaller scale sweep")
    ap.add_argument("--skip-scale", action="store_true")
    ap.add_argument("--skip-load", action="store_true")
    ap.add_argument("--skip-sets", action="store_true",
                    help="don't rerun the hearings, PDF and refusal benchmarks (their last JSON is reported)")
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

    from bench import load, quality, report, speed
    from bench.naive import NaiveIndex
    from chat.engine import Engine
    from chat.scoring import DEFAULT_CONFIG
    from index.embed import DEFAULT_MODEL, load_embedder

    started = time.perf_counter()
    corpus = REPO / "corpus"
    sets = {}
    if quality.DEV_QUESTIONS.is_file():
        sets["dev"] = quality.load_questions(quality.DEV_QUESTIONS)
    sets["own"] = quality.load_questions(quality.OWN_QUESTIONS)
    questions = [q["question"] for qs in sets.values() for q in qs]
    results: dict = {**report.environment(), "quick": args.quick}
    with tempfile.TemporaryDirectory(prefix="quotable-bench-") as tmp:
        tmp_dir = Path(tmp)
        index_dir = tmp_dir / "index"
        embedder = load_embedder(DEFAULT_MODEL)
        _say("ingest: fresh process, unchanged re-run, in process")
        ingest = speed.run_ingest(corpus, index_dir, tmp_dir, embedder)
        engine = Engine.open(index_dir, embedder=embedder)
        _say("quality: hybrid, dense, bm25 and the naive baseline")
        naive = NaiveIndex.build([corpus], embedder)
        results["quality"] = quality.run(engine, sets, corpus, naive, DEFAULT_CONFIG.abstain_below)
        _say("speed: cold start and warm latency")
        results["speed"] = {"ingest": ingest, "queries": speed.run_queries(index_dir, questions, engine)}
        engine.index.close()
        if args.skip_load:
            results["load"] = {"skipped": "--skip-load"}
        else:
            _say("load: concurrent clients against the web app")
            try:
                results["load"] = load.run(index_dir, questions, n_clients=20, n_requests=60 if args.quick else 200)
            except Exception as err:  # the other results are still worth writing
                results["load"] = {"error": f"{type(err).__name__}: {err}"}
    if args.skip_scale:
        results["scale"] = {"skipped": "--skip-scale"}
    else:
        _say("scale: vector search by index size")
        try:
            results["scale"] = run_scale(args.quick)
        except Exception as err:
            results["scale"] = {"error": f"{type(err).__name__}: {err}"}
    if not args.skip_sets:
        from bench import pdf_dev, qmsum, refusal

        _say("development sets: hearings (qmsum-dev), real PDFs (pdf-dev), refusals on three corpora")
        qmsum.main([])
        pdf_dev.main()
        refusal.main([])
    results["seconds"] = time.perf_counter() - started
    js, md = report.write(results, BENCH)
    print(md.read_text(encoding="utf-8"))
    best = results["quality"]["calibration"].get("recommended")
    if best:
        _say(f"recommended AnswerConfig.abstain_below = {best['threshold']:.3f} (accuracy {best['accuracy']:.2f}, "
             f"{best['wrong_abstentions']} wrong abstentions)")
    _say(f"wrote {js.relative_to(REPO)} and {md.relative_to(REPO)} in {results['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
