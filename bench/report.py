"""Benchmark results -> bench/results.json and a Markdown bench/RESULTS.md."""

from __future__ import annotations

import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

PACKAGES = ("faiss-cpu", "torch", "sentence-transformers", "gradio", "numpy")


def environment() -> dict:
    """The machine and the versions that produced the numbers."""
    from importlib.metadata import PackageNotFoundError, version

    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    ram = None
    try:
        import psutil

        ram = psutil.virtual_memory().total
    except ImportError:
        pass
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "processor": platform.machine(), "cpus": os.cpu_count(),
                    "ram_bytes": ram, "python": sys.version.split()[0]},
        "versions": versions,
    }


def _f(x, digits: int = 2) -> str:
    if x is None:
        return "–"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def _mb(x) -> str:
    return "–" if x is None else f"{x / 2**20:.0f} MB"


def table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_f(c) if not isinstance(c, str) else c for c in r) + " |" for r in rows]
    return "\n".join(lines)


def _retrieval(name: str, s: dict) -> str:
    names = list(s["retrieval"])
    metrics = ("hit@1", "hit@5", "mrr", "ndcg@10")
    n = s["retrieval"][names[0]].get("n", 0)
    rows = [[m, *[s["retrieval"][r].get(m) for r in names]] for m in metrics]
    return f"**{name}** ({n} retrieval questions of {s['questions']})\n\n" + table(["metric", *names], rows)


def _answers(sets: dict) -> str:
    keys = [("quoted evidence (in citation quotes)", "quoted_evidence"), ("quote fidelity", "quote_fidelity"),
            ("footnote-source accuracy", "source_accuracy"), ("transcript speaker", "speaker_accuracy"),
            ("country recall", "country_recall")]
    rows = [[label, *[s["answers"][k] for s in sets.values()]] for label, k in keys]
    for label, k in (("abstention precision", "precision"), ("abstention recall", "recall"),
                     ("abstention accuracy", "accuracy"), ("wrong abstentions (answerable)", "wrong_abstentions")):
        rows.append([label, *[s["answers"]["abstention"][k] for s in sets.values()]])
    rows.append(["citations checked", *[s["answers"]["citations"] for s in sets.values()]])
    return table(["", *sets], rows)


def _by_retriever(name: str, s: dict) -> str:
    by = s.get("answers_by_retriever")
    if not by:
        return ""
    rows = [["quoted evidence", *[a["quoted_evidence"] for a in by.values()]],
            ["abstention precision", *[a["abstention"]["precision"] for a in by.values()]],
            ["abstention recall", *[a["abstention"]["recall"] for a in by.values()]],
            ["wrong abstentions", *[a["abstention"]["wrong_abstentions"] for a in by.values()]],
            ["warm p50 ms", *[_f(a.get("p50_ms"), 1) for a in by.values()]]]
    return f"**{name}**: the answer step over each ranking\n\n" + table(["", *by], rows)


def _calibration(c: dict, sets: dict) -> str:
    if not c.get("n"):
        return "No scores."
    best, cur = c["recommended"], c["current"]
    out = [f"Over {c['n']} questions (dev + own; country briefs excluded, they never abstain). "
           f"**Recommended `AnswerConfig.abstain_below` = {best['threshold']:.3f}** "
           f"(accuracy {best['accuracy']:.2f}, precision {best['precision']:.2f}, recall {best['recall']:.2f}, "
           f"{best['wrong_abstentions']} wrong abstentions); current {cur['threshold']:.3f} gives accuracy "
           f"{cur['accuracy']:.2f}, recall {cur['recall']:.2f}, {cur['wrong_abstentions']} wrong abstentions.", ""]
    # the full sweep is in results.json; here the stretch around the recommended and current thresholds
    lo, hi = min(best["threshold"], cur["threshold"]) - 0.1, max(best["threshold"], cur["threshold"]) + 0.1
    out.append(table(["threshold", "precision", "recall", "accuracy", "wrong abstentions"],
                     [[f"{r['threshold']:.3f}", r["precision"], r["recall"], r["accuracy"], r["wrong_abstentions"]]
                      for r in c["sweep"] if lo <= r["threshold"] <= hi]))
    rows = [r for s in sets.values() for r in s["answer_rows"] if r["score"] is not None and not r["brief"]]
    nones = sorted((r for r in rows if r["kind"] == "none"), key=lambda r: -r["score"])
    low = sorted((r for r in rows if r["kind"] != "none"), key=lambda r: r["score"])[: len(nones)]
    out += ["", "Evidence scores: unanswerable questions (highest first) beside the lowest answerable ones.", "",
            table(["unanswerable", "score", "answerable (lowest)", "score"],
                  [[f"{a['id']} {a['question']}", a["score"], f"{b['id']} {b['question']}", b["score"]]
                   for a, b in zip(nones, low, strict=False)])]
    return "\n".join(out)


def _misses(sets: dict) -> str:
    rows = []
    for s in sets.values():
        for r in s["retrieval_rows"]:
            if not r["hybrid"]["hit5"]:
                ranks = " / ".join(_f(r[k]["rank"]) for k in ("hybrid", "dense", "bm25", "naive"))
                rows.append([r["id"], r["question"], ranks, r["evidence_in"]])
    if not rows:
        return "None: every retrieval question has its evidence in the hybrid top 5."
    return table(["id", "question", "rank in top 10: hybrid / dense / bm25 / naive", "evidence found in"], rows)


def _speed(sp: dict) -> str:
    ing, q = sp["ingest"], sp["queries"]
    cold = q["cold_in_process"]
    rows = [
        ["ingest, fresh process (incl. model load)", f"{ing['cli_cold_s']:.1f} s"],
        ["ingest, in process", f"{ing['in_process']['seconds']:.1f} s, {ing['in_process']['passages']} passages, "
                               f"{ing['in_process']['passages_per_s']:.1f} passages/s"],
        ["re-run, nothing changed (fresh process / in process)",
         f"{ing['cli_unchanged_s']:.1f} s / {ing['in_process_unchanged_s']:.2f} s"],
        ["index size on disk", f"{_mb(ing['index_bytes'])} (corpus {ing['corpus_bytes'] / 1024:.0f} KB)"],
        ["cold `python -m chat.ask --json` (wall)", f"{q['cold_ask_cli_s']:.1f} s"],
        ["cold in a fresh process: import chat.engine / Engine.open (loads the model) / first answer",
         f"{cold['import_s']:.2f} / {cold['open_s']:.2f} / {cold['first_answer_s']:.2f} s"],
        ["RSS after open + one answer (fresh process)", _mb(cold.get("rss_bytes"))],
        [f"warm latency over {q['warm']['n']} questions: p50 / p95 / max",
         f"{q['warm']['p50_s'] * 1000:.0f} / {q['warm']['p95_s'] * 1000:.0f} / {q['warm']['max_s'] * 1000:.0f} ms"],
        ["RSS of the benchmark process (engine + naive baseline)", _mb(q.get("bench_rss_bytes"))],
    ]
    return table(["measure", "value"], rows)


def _not_run(part: dict) -> str | None:
    if part.get("skipped"):
        return f"Skipped ({part['skipped']})."
    if part.get("error"):
        return f"Failed: {part['error']}"
    return None


def _load(ld: dict) -> str:
    if _not_run(ld):
        return _not_run(ld)
    rows = [["clients / requests", f"{ld['clients']} / {ld['requested']} ({ld['completed']} completed, "
                                   f"{ld['not_sent']} not sent in time)"],
            ["errors", f"{ld['errors']} {'; '.join(ld['error_samples'])}"],
            ["latency p50 / p95", f"{ld['p50_s']:.2f} / {ld['p95_s']:.2f} s"],
            ["throughput", f"{_f(ld['throughput_per_s'])} answers/s over {ld['wall_s']:.1f} s"],
            ["server RSS before / after",
             f"{_mb(ld['server_rss_before_bytes'])} / {_mb(ld['server_rss_after_bytes'])}"]]
    return table(["measure", "value"], rows)


def _scale(sc: dict) -> str:
    if _not_run(sc):
        return _not_run(sc)
    out = []
    for key, value in sc.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            cols = list(dict.fromkeys(k for v in value for k in v))
            out += [f"**{key}**", "", table(cols, [[v.get(c) for c in cols] for v in value]), ""]
        elif not isinstance(value, dict | list) and key not in ("json", "png"):
            out.append(f"- {key}: {_f(value, 3)}")
    if sc.get("png"):
        out += ["", "![search time and recall by index size](scale.png)"]
    return "\n".join(out)


def render_markdown(results: dict) -> str:
    q, m = results["quality"], results["machine"]
    ram = f"{m['ram_bytes'] / 2**30:.0f} GiB RAM" if m.get("ram_bytes") else "RAM unknown"
    parts = [
        "# Quotable benchmarks", "",
        f"Run {results['date']}{' (quick)' if results.get('quick') else ''} in {results['seconds']:.0f} s on "
        f"{m['platform']}, {m['cpus']} CPUs, {ram}. Versions: "
        + ", ".join(f"{k} {v}" for k, v in results["versions"].items()) + ". Produced by `python -m bench`.", "",
        *([results["note"], ""] if results.get("note") else []),  # what the run's machine was like, when it mattered
        "## Retrieval", "",
        "Hit@k: every evidence string inside the top-k passages; MRR and nDCG@10: rank of the first passage "
        "holding the first evidence string. *naive*: fixed 500-character chunks of the raw files, same model, "
        "exact cosine.", "",
    ]
    for name, s in q["sets"].items():
        parts += [_retrieval(name, s), ""]
    parts += ["### Retrieval misses (hybrid, top 5)", "", _misses(q["sets"]), "",
              "## Answers", "", _answers(q["sets"]), "",
              *[x for name, st in q["sets"].items() for x in (_by_retriever(name, st), "")],
              "## Abstention by the evidence score alone", "",
              "What one threshold on the evidence score would do; the product also refuses on the question's "
              "constraints and answer type (see *Answers and refusals on three corpora* below).", "",
              _calibration(q["calibration"], q["sets"]), "",
              "## Speed", "", _speed(results["speed"]), "",
              "## Load (web API, concurrent clients)", "", _load(results["load"]), "",
              "## Scale", "", _scale(results["scale"]), ""]
    from bench.summary import render

    return "\n".join(parts) + "\n" + render()


def write(results: dict, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    js, md = out_dir / "results.json", out_dir / "RESULTS.md"
    js.write_text(json.dumps(results, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    md.write_text(render_markdown(results), encoding="utf-8")
    return js, md
