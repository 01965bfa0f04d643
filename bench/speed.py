"""How fast: ingest throughput, an unchanged re-run, index size, cold start, warm latency, memory."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Run in a fresh interpreter: import, open and answer timed separately, RSS at the end.
_COLD_SCRIPT = """
import json, sys, time
t0 = time.perf_counter()
from chat.engine import Engine
t1 = time.perf_counter()
engine = Engine.open(sys.argv[1])
t2 = time.perf_counter()
engine.answer(sys.argv[2])
t3 = time.perf_counter()
try:
    import psutil
    rss = psutil.Process().memory_info().rss
except ImportError:
    rss = None
print(json.dumps({"import_s": t1 - t0, "open_s": t2 - t1, "first_answer_s": t3 - t2, "rss_bytes": rss}))
"""


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between closest ranks."""
    if not values:
        return float("nan")
    s = sorted(values)
    pos = (len(s) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def _timed(cmd: list[str], **kw) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, **kw)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-1500:]}")
    return elapsed, proc


def ingest_cli(corpus_dir: Path, index_dir: Path) -> float:
    """Wall seconds of `python -m ingest` in a fresh process (interpreter, torch and model load included)."""
    seconds, _ = _timed([sys.executable, "-m", "ingest", str(corpus_dir), "--index-dir", str(index_dir), "-q"],
                        timeout=900)
    return seconds


def ingest_in_process(corpus_dir: Path, index_dir: Path, embedder) -> dict:
    """Seconds and passages/s of an ingest with the model already loaded: the pipeline itself."""
    from index.build import ingest_paths

    report = ingest_paths([corpus_dir], index_dir, embedder=embedder, progress=False)
    if report.failed:
        raise RuntimeError(f"ingest failed for {report.failed}")
    return {"seconds": report.seconds, "passages": report.passages, "documents": report.documents,
            "passages_per_s": report.passages / report.seconds if report.seconds else None}


def cold_ask(index_dir: Path, question: str) -> float:
    seconds, _ = _timed([sys.executable, "-m", "chat.ask", "--json", "--index-dir", str(index_dir), question],
                        timeout=300)
    return seconds


def cold_open(index_dir: Path, question: str) -> dict:
    _, proc = _timed([sys.executable, "-c", _COLD_SCRIPT, str(index_dir), question], timeout=300)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def warm_latency(engine, questions: list[str], warmup: int = 3) -> dict:
    for q in questions[:warmup]:
        engine.answer(q)
    times = []
    for q in questions:
        start = time.perf_counter()
        engine.answer(q)
        times.append(time.perf_counter() - start)
    return {"n": len(times), "p50_s": percentile(times, 50), "p95_s": percentile(times, 95),
            "mean_s": statistics.fmean(times) if times else None, "max_s": max(times, default=None)}


def rss_bytes() -> int | None:
    try:
        import psutil
    except ImportError:
        return None
    return psutil.Process().memory_info().rss


def run_ingest(corpus_dir: Path, index_dir: Path, scratch: Path, embedder) -> dict:
    """Build ``index_dir`` (the index the other benchmarks use) and time the ingest three ways."""
    cold = ingest_cli(corpus_dir, index_dir)
    unchanged = ingest_cli(corpus_dir, index_dir)
    inproc = ingest_in_process(corpus_dir, scratch / "inproc-index", embedder)
    start = time.perf_counter()
    ingest_in_process(corpus_dir, scratch / "inproc-index", embedder)
    return {
        "cli_cold_s": cold,
        "cli_unchanged_s": unchanged,
        "in_process": inproc,
        "in_process_unchanged_s": time.perf_counter() - start,
        "index_bytes": dir_bytes(index_dir),
        "corpus_bytes": dir_bytes(corpus_dir),
    }


def run_queries(index_dir: Path, questions: list[str], engine) -> dict:
    """Cold start in fresh processes, then warm per-question latency in this one."""
    first = questions[0]
    return {
        "cold_ask_cli_s": cold_ask(index_dir, first),
        "cold_in_process": cold_open(index_dir, first),
        "warm": warm_latency(engine, questions),
        "bench_rss_bytes": rss_bytes(),
    }
