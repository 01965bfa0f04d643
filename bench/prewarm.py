"""python -m bench.prewarm --workdir DIR [--rounds 2] [--out bench/prewarm.json]

What reading the index into the page cache at start (``index/prewarm.py``, as
``python -m chat`` does) buys a fresh engine process on a large index. DIR is
an ``engine-scale`` workdir (``python -m bench engine-scale --passages N
--workdir DIR``). Each round runs the engine-scale engine process twice, each
time after dropping the page cache (``/proc/sys/vm/drop_caches``: needs root):
once answering straight away, once after prewarming. Each run adds, changes and
removes one file of DIR's library, as the engine-scale run does. Writes the
figures of every run to JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
from pathlib import Path

from bench.engine_scale import Writer, engine_process, questions, report

REPO = Path(__file__).resolve().parents[1]
KEYS = ("open_s", "prewarm_s", "prewarm_mb", "prewarm_skipped", "warm_p50_ms", "warm_p95_ms",
        "country_filter_p95_ms", "doc_filter_p95_ms", "errors")


def drop_page_cache() -> None:
    subprocess.run(["sync"], check=True)
    Path("/proc/sys/vm/drop_caches").write_text("1")


def engine_run(workdir: Path, tag: int, prewarm: bool) -> dict:
    """One fresh engine process on a cold page cache, as engine-scale's own (its spec, one more file each)."""
    files = sorted((workdir / "corpus").iterdir())
    new_file = workdir / "uploads" / f"new-report-prewarm-{tag}.txt"
    new_file.parent.mkdir(parents=True, exist_ok=True)
    new_file.write_text(report(Writer(1000 + tag), 99000 + tag, 40), encoding="utf-8")
    spec = {"questions": questions(0, 41), "filtered": 20, "budget_s": 60, "new_file": str(new_file),
            "change_file": str(files[(len(files) // 3 + tag) % len(files)]),
            "remove_file": str(files[(2 * len(files) // 3 + tag) % len(files)]), "prewarm": prewarm}
    drop_page_cache()
    out = engine_process(workdir / "index", spec)
    return {"prewarm": prewarm, **{k: out[k] for k in KEYS if k in out}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.prewarm", description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", type=Path, required=True, help="an engine-scale workdir (corpus/ and index/)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "prewarm.json")
    args = ap.parse_args(argv)
    manifest = json.loads((args.workdir / "index" / "manifest.json").read_text())
    runs = []
    for r in range(args.rounds):
        # alternate which comes first, so neither always follows the other's writes
        for prewarm in ((False, True) if r % 2 == 0 else (True, False)):
            runs.append(engine_run(args.workdir, len(runs), prewarm))
            print(json.dumps(runs[-1]), flush=True)
    result = {"passages": manifest.get("passages"), "cpus": os.cpu_count(), "runs": runs}
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if all(run["errors"] == 0 for run in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
