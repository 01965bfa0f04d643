"""python -m bench engine-scale --passages N --out FILE.json

The whole engine at N passages. Writes realistic synthetic documents (reports with
sections and footnotes, committee transcripts with timed speaker turns, many
countries, one of them in most passages), ingests them through the product's own
loaders, chunker, index builder and stores, then opens the engine in a fresh
process and asks questions through ``Engine.answer``: plain, filtered by the
country most passages mention, filtered by one document; then the country brief
of that country; then adds one new file the way an upload does
(``Engine.add_documents``), changes one file of the library and removes another,
each picked up the same way. Only the embedding model is a stand-in (the
deterministic ``hashing-384`` embedder, so N can be large on a CPU); nothing else
is. ``errors`` counts questions that raised or gave no JSON, with the first few
messages in ``error_messages``. A filtered set stops early once it has used
``--budget-s`` (``*_questions`` say how many were asked). ``rss_mb`` is the
engine's resident memory after the questions and the brief; ``peak_rss_mb``
includes the update (the engine process's own high-water mark, ``VmHWM``: its
``ru_maxrss`` would count the building process's memory, which a child started by
vfork and exec inherits); ``build_peak_rss_mb`` is the building process's peak.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MODEL = "hashing-384"
PARAGRAPHS_PER_DOC = 120
COMMON = "Serbia"  # mentioned in most passages
COUNTRIES = ["Kosovo", "Albania", "Montenegro", "North Macedonia", "Bosnia and Herzegovina", "Croatia", "Slovenia",
             "Hungary", "Romania", "Bulgaria", "Greece", "Turkey", "Italy", "Austria", "Germany", "France", "Spain",
             "Poland", "Ukraine", "Moldova", "Georgia", "Armenia", "Azerbaijan", "Russia", "China", "Japan", "India",
             "Pakistan", "Iran", "Iraq", "Syria", "Israel", "Egypt", "Libya", "Tunisia", "Morocco", "Nigeria", "Kenya",
             "Ethiopia", "South Africa", "Brazil", "Argentina", "Chile", "Mexico", "Canada", "Norway", "Sweden",
             "Finland", "Denmark", "Estonia", "Latvia", "Lithuania", "Belarus", "Portugal", "Ireland", "Belgium",
             "Netherlands", "Switzerland", "Czech Republic", "Slovakia", "Cyprus", "Malta", "Iceland", "Australia"]
SURNAMES = ["Abbott", "Baker", "Carter", "Dunn", "Ellis", "Foster", "Grant", "Hughes", "Irving", "Jones", "Khan",
            "Lewis", "Morgan", "Nash", "Owen", "Patel", "Quinn", "Reid", "Shaw", "Turner", "Usher", "Vance", "Ward"]
ROLES = ["Chair", "Minister", "Ambassador", "Witness", "Member", "Adviser"]


def _vocabulary(rng: random.Random, size: int = 4000) -> list[str]:
    syllables = ["ka", "lo", "mer", "sta", "vin", "dor", "pel", "ri", "gan", "tos", "bel", "ur", "shi", "mon", "tra",
                 "el", "qua", "zen", "fol", "dru", "hap", "nic", "ost", "ber", "vy", "sel", "ton", "lim", "arc", "ev"]
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 3))))
    out = sorted(words)
    rng.shuffle(out)  # which words are common is chance, not the alphabet
    return out


class Writer:
    """Deterministic synthetic prose: Zipf-distributed invented words, real country names."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.vocab = _vocabulary(self.rng)
        self.cum_weights = list(itertools.accumulate(1 / (i + 1) for i in range(len(self.vocab))))

    def words(self, n: int) -> list[str]:
        return self.rng.choices(self.vocab, cum_weights=self.cum_weights, k=n)

    def sentence(self, country: str | None) -> str:
        words = self.words(self.rng.randint(10, 18))
        if country:
            words.insert(self.rng.randint(1, len(words) - 1), country)
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def country(self) -> str:
        return self.rng.choice(COUNTRIES[: self.rng.choice([5, 15, len(COUNTRIES)])])

    def paragraph(self, sentences: int = 7) -> str:
        common = self.rng.random() < 0.75
        at = self.rng.randrange(sentences)
        out = []
        for i in range(sentences):
            country = COMMON if common and i == at else (self.country() if self.rng.random() < 0.2 else None)
            out.append(self.sentence(country))
        return " ".join(out)


SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def report(w: Writer, n: int, paragraphs: int) -> str:
    title = f"Report {n}: " + " ".join(w.words(4)).title()
    lines, notes, note = [title, ""], [], 0
    for i in range(paragraphs):
        if i % 6 == 0:
            lines += [" ".join(w.words(3)).title(), ""]
        text = w.paragraph()
        if w.rng.random() < 0.3:  # a footnote marker after the paragraph's first sentence
            note += 1
            cut = text.index(". ") + 1
            text = text[:cut] + str(note).translate(SUPERSCRIPT) + text[cut:]
            notes.append(f"{str(note).translate(SUPERSCRIPT)} https://example.org/{n}/{note} " + " ".join(w.words(5)))
        lines += [text, ""]
    return "\n".join(lines + [x + "\n" for x in notes])


def transcript(w: Writer, n: int, turns: int) -> str:
    lines = [f"# Committee hearing {n} on " + " ".join(w.words(3)), ""]
    minute = 0
    for _ in range(turns):
        minute += w.rng.randint(1, 4)
        who = f"{w.rng.choice('ABCDEFGHJKLMNPRSTW')}. {w.rng.choice(SURNAMES)} ({w.rng.choice(ROLES)})"
        lines += [f"[{9 + minute // 60:02d}:{minute % 60:02d}] {who}: {w.paragraph()}", ""]
    return "\n".join(lines)


def write_corpus(folder: Path, passages: int, seed: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    w = Writer(seed)
    files, n = [], 0
    for n in range(max(1, -(-passages // PARAGRAPHS_PER_DOC))):
        if n % 2:
            path, text = folder / f"hearing-{n:05d}.txt", transcript(w, n, PARAGRAPHS_PER_DOC)
        else:
            path, text = folder / f"report-{n:05d}.txt", report(w, n, PARAGRAPHS_PER_DOC)
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return files


def questions(seed: int, n: int) -> list[str]:
    w = Writer(seed + 1)
    forms = ["What did the committee say about {}?", "Why was {} raised in the report?",
             "Who spoke about {} and when?", "What does the report recommend on {}?"]
    return [w.rng.choice(forms).format(" ".join(w.words(w.rng.randint(2, 4)))) for _ in range(n)]


def percentile(values: list[float], q: float) -> float:
    from bench.speed import percentile as p

    return p(values, q)


def _rss_mb(field: str = "VmRSS") -> int | None:
    """This process's resident memory now (``VmRSS``) or at its peak (``VmHWM``), in MB."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    kb = next((int(line.split()[1]) for line in status.splitlines() if line.startswith(f"{field}:")), None)
    return None if kb is None else round(kb / 1024)


def _child(index_dir: Path, spec: dict) -> dict:
    """Runs in a fresh process: open, questions, brief, one-file update."""
    import resource

    started = time.perf_counter()
    from chat.engine import Engine

    engine = Engine.open(index_dir)
    open_s = time.perf_counter() - started
    errors: list[str] = []
    warmed = engine.prewarm() if spec.get("prewarm") else None  # as `python -m chat` does, here before any question

    cited: list[str] = []  # the documents each answer cites, in the order asked

    def timed(question, **filters) -> float:
        t = time.perf_counter()
        try:
            answer = engine.answer(question, **filters)
            json.dumps(answer)
            cited.extend(c["doc_id"] for c in answer["citations"])
        except Exception as err:  # counted, not raised: the run goes on
            errors.append(f"{type(err).__name__}: {str(err)[:200]}")
        return (time.perf_counter() - t) * 1000

    qs = spec["questions"]
    timed(qs[0])  # the first question pays for lazy loads: not a warm one
    warm = [timed(q) for q in qs[1:]]
    country = engine.countries()[0][0]
    doc = sorted(engine.documents)[len(engine.documents) // 2]
    def filtered_set(**filters) -> list[float]:
        # at most spec["filtered"] questions, fewer once the set has used its time budget
        out: list[float] = []
        for q in qs[: spec["filtered"]]:
            out.append(timed(q, **filters))
            if sum(out) > spec["budget_s"] * 1000:
                break
        return out

    country_ms = filtered_set(country=country)
    doc_ms = filtered_set(doc_id=doc)
    t = time.perf_counter()
    try:
        json.dumps(engine.brief(country))
    except Exception as err:
        errors.append(f"brief: {type(err).__name__}: {str(err)[:200]}")
    brief_s = time.perf_counter() - t
    serving_rss = _rss_mb()
    t = time.perf_counter()
    report = engine.add_documents([Path(spec["new_file"])])
    update_s = time.perf_counter() - t
    after = timed(qs[1])
    # one file of the library changed, then another removed, each picked up as the CLI or an upload does
    changed = Path(spec["change_file"])
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\nA paragraph added in a later edition.\n",
                       encoding="utf-8")
    t = time.perf_counter()
    changed_report = engine.add_documents([])
    change_s = time.perf_counter() - t
    Path(spec["remove_file"]).unlink()
    t = time.perf_counter()
    removed_report = engine.add_documents([])
    remove_s = time.perf_counter() - t
    gone = Path(spec["remove_file"]).stem
    cited.clear()
    after_removal = [timed(q) for q in qs[1:6]]
    if gone in engine.documents or gone in cited:
        errors.append(f"the removed document {gone} is still cited")
    return {
        "open_s": round(open_s, 3),
        **({"prewarm_s": round(warmed.seconds, 2), "prewarm_mb": round(warmed.bytes / 1e6),
            "prewarm_skipped": list(warmed.skipped)} if warmed else {}),
        "rss_mb": serving_rss,  # after the questions and the brief: what serving holds
        # update included; VmHWM where there is /proc (ru_maxrss would hold the parent's peak too)
        "peak_rss_mb": _rss_mb("VmHWM") or round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "warm_p50_ms": round(percentile(warm, 50), 1),
        "warm_p95_ms": round(percentile(warm, 95), 1),
        "country_filter_p95_ms": round(percentile(country_ms, 95), 1),
        "doc_filter_p95_ms": round(percentile(doc_ms, 95), 1),
        "country_filter_questions": len(country_ms),
        "doc_filter_questions": len(doc_ms),
        "brief_s": round(brief_s, 3),
        "brief_country": country,
        "update_one_file_s": round(update_s, 3),
        "update_embedded_files": report.embedded_files,
        "passages_after_update": report.passages,
        "answer_after_update_ms": round(after, 1),
        "change_one_file_s": round(change_s, 3),
        "change_embedded_files": changed_report.embedded_files,
        "remove_one_file_s": round(remove_s, 3),
        "passages_after_removal": removed_report.passages,
        "removed_rows_kept": engine.index.manifest.removed,  # marked removed in place, dropped by a full write
        "answer_after_removal_p50_ms": round(percentile(after_removal, 50), 1),
        "errors": len(errors),
        "error_messages": sorted(set(errors))[:5],
    }


def engine_process(index_dir: Path, spec: dict) -> dict:
    """``_child`` run in a fresh engine process on ``index_dir``: its figures."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-m", "bench.engine_scale", "--child", str(index_dir)],
                          input=json.dumps(spec), capture_output=True, text=True, cwd=REPO, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"engine process failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(passages: int, workdir: Path, n_questions: int = 41, filtered: int = 20, budget_s: float = 60) -> dict:
    from index.build import IngestConfig, ingest_paths
    from index.embed import load_embedder

    corpus, index_dir, extra = workdir / "corpus", workdir / "index", workdir / "uploads"
    t = time.perf_counter()
    write_corpus(corpus, passages)
    write_s = time.perf_counter() - t
    extra.mkdir(parents=True, exist_ok=True)
    new_file = extra / "new-report.txt"
    new_file.write_text(report(Writer(99), 99999, 40), encoding="utf-8")
    t = time.perf_counter()
    built = ingest_paths([corpus], index_dir, IngestConfig(model=MODEL), embedder=load_embedder(MODEL),
                         progress=sys.stderr.isatty())
    build_s = time.perf_counter() - t
    import resource

    build_peak = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)  # corpus writing and the build
    files = sorted(corpus.iterdir())
    spec = {"questions": questions(0, n_questions), "filtered": filtered, "budget_s": budget_s,
            "new_file": str(new_file), "change_file": str(files[len(files) // 3]),
            "remove_file": str(files[2 * len(files) // 3])}
    child = engine_process(index_dir, spec)
    return {"passages": built.passages, "documents": built.documents, "build_s": round(build_s, 1),
            "corpus_write_s": round(write_s, 1), "build_peak_rss_mb": build_peak, **child, "model": MODEL,
            "cpus": os.cpu_count()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench engine-scale", description=__doc__.splitlines()[0])
    ap.add_argument("--passages", type=int, default=10_000)
    ap.add_argument("--out", type=Path, default=None, help="JSON file (default bench/engine_scale-N.json)")
    ap.add_argument("--workdir", type=Path, default=None, help="keep the corpus and index here (default: a temp dir)")
    ap.add_argument("--budget-s", type=float, default=60,
                    help="stop a filtered set of questions once it has taken this long (default 60 s)")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child, json.loads(sys.stdin.read()))))
        return 0
    tmp = None
    workdir = args.workdir
    if workdir is None:
        tmp = tempfile.mkdtemp(prefix="engine-scale-")
        workdir = Path(tmp)
    try:
        result = run(args.passages, workdir, budget_s=args.budget_s)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
    out = args.out or REPO / "bench" / f"engine_scale-{args.passages}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
