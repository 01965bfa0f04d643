"""python -m bench.qmsum [--cache FILE] [--no-tutorial]

Committee hearings (``../shared/eval/qmsum-dev``), scored as its README says:
the 16 meetings are ingested into a temporary index with the default model,
each of the 61 questions is asked restricted to its meeting and unfiltered,
through the real engine, with each retriever (hybrid, dense, BM25), and
against a tutorial RAG (raw text in 1,000-character chunks, MiniLM + FAISS,
bm25s, reciprocal rank fusion). Meetings are split by sorted name, every
other one: "dev" (may be looked at while tuning) and "holdout" (never tuned
on). Prints a table and writes bench/qmsum.json.

Scoring (exactly the README's): a passage hits when it is from the right
meeting and shares a run of 12 consecutive words (lower-cased letters and
digits) with one of the evidence turns, or holds 60 % of the words of an
evidence turn shorter than 20 words; hit@5 when some top-5 passage hits; an
abstention is a miss; speaker accuracy: the first citation's speaker contains
the asked-about person's first and last name.

Vectors are cached by text (``--cache``) so a re-run after a chunking change
embeds only the texts that changed; the cache holds exactly what the model
returns for each text.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
QMSUM = REPO.parent / "shared" / "eval" / "qmsum-dev"
OUT = REPO / "bench" / "qmsum.json"
OWN = REPO / "bench" / "qmsum-extra"  # questions written for this bench, on dev meetings only
RETRIEVERS = ("hybrid", "dense", "bm25")
TUTORIAL_CHARS = 1000
RUN = 12  # consecutive words shared with an evidence turn
SHORT_TURN = 20  # a turn under this many words hits on word share instead
SHORT_SHARE = 0.6


def _say(msg: str) -> None:
    print(f"[qmsum] {msg}", file=sys.stderr, flush=True)


# --- scoring (pure) ---------------------------------------------------------------------------------
def score_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _grams(ws: list[str], n: int = RUN) -> set[tuple[str, ...]]:
    return {tuple(ws[i : i + n]) for i in range(len(ws) - n + 1)}


class Evidence:
    """A question's evidence turns, prepared for matching passages against."""

    def __init__(self, turns: Sequence[str]) -> None:
        self.grams: set[tuple[str, ...]] = set()
        self.short: list[list[str]] = []
        for turn in turns:
            ws = score_words(turn)
            self.grams |= _grams(ws)
            if len(ws) < SHORT_TURN:
                self.short.append(ws)

    def hits(self, text: str) -> bool:
        ws = score_words(text)
        if self.grams & _grams(ws):
            return True
        have = set(ws)
        return any(turn and sum(w in have for w in turn) >= SHORT_SHARE * len(turn) for turn in self.short)


def names_person(speaker: str | None, keys: Sequence[str]) -> bool:
    """The citation's speaker holds the person's first and last name ("Dr Frank Atherton" ⊇ "Frank Atherton")."""
    said = " ".join(score_words(speaker or ""))
    return any(" ".join(score_words(k)) and f" {' '.join(score_words(k))} " in f" {said} " for k in keys)


_TURN = re.compile(r"^(?P<label>[^:(]+?)\s*(?:\((?P<aside>[^)]*)\))?:\s(?P<text>.*)$")
_HONORIFIC = {"hon", "right", "mr", "mrs", "ms", "miss", "dr", "professor", "prof", "sir", "the"}


def meeting_turns(path: Path) -> list[tuple[str, str, str]]:
    """A meeting file's speeches as (label, aside, text): turn 0 first, header lines left out."""
    turns = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("# "):
            continue
        m = _TURN.match(line)
        turns.append((m["label"], m["aside"] or "", m["text"]) if m else ("", "", line))
    return turns


def person_keys(label: str, aside: str = "") -> list[str]:
    """A speaker's first and last name, and the whole name without titles ("Hon. Harjit S. Sajjan" ->
    "Harjit Sajjan", "Harjit S. Sajjan"); a role ("The Acting Chair") takes the name in its aside."""
    if label.lower().startswith("the ") and aside:
        label = aside.split(",")[0]
    words = [w for w in label.split() if w.rstrip(".").lower() not in _HONORIFIC  # "AM", "MP"; not "S."
             and not (w.isupper() and len(w) <= 3 and not w.endswith("."))]
    if not words:
        return []
    keys = [f"{words[0]} {words[-1]}"]
    if len(words) > 2:
        keys.append(" ".join(words))
    return keys


def own_queries(folder: Path = OWN, docs: Path = QMSUM / "docs") -> list[dict]:
    """Questions written for this bench (``id, doc, question, speaker, spans``), completed the way
    queries.jsonl is: the spans' turns of 10 or more words as evidence, and the named speaker's keys."""
    out = []
    for file in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        for line in file.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            q = json.loads(line)
            turns = meeting_turns(docs / f"{q['doc']}.txt")
            chosen = [turns[i] for a, b in q["spans"] for i in range(a, b + 1)]
            keys: list[str] = []
            if q.get("speaker"):
                keys = next((person_keys(lab, aside) for lab, aside, _ in chosen if lab == q["speaker"]),
                            person_keys(q["speaker"]))
            out.append({**q, "own": True, "speaker_keys": keys,
                        "span_speakers": [lab for lab, _, _ in chosen],
                        "evidence_turns": [t for _, _, t in chosen if len(t.split()) >= 10],
                        "evidence_speakers": [lab for lab, _, t in chosen if len(t.split()) >= 10]})
    return out


def split_meetings(meetings: Sequence[str]) -> dict[str, str]:
    """Sorted by name, every other meeting: even positions "dev", odd "holdout"."""
    return {m: ("dev" if i % 2 == 0 else "holdout") for i, m in enumerate(sorted(meetings))}


# --- a cache of the model's vectors, by text ---------------------------------------------------------
class CachedEmbedder:
    def __init__(self, base, path: Path | None) -> None:
        self.base, self.name, self.dim, self.path = base, base.name, base.dim, path
        self.vectors: dict[str, np.ndarray] = {}
        self.embedded = 0
        if path and path.is_file():
            data = np.load(path, allow_pickle=False)
            self.vectors = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        keys = [self.key(t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self.vectors))
        if missing:
            todo = {k: t for k, t in zip(keys, texts, strict=True) if k in set(missing)}
            fresh = self.base.embed([todo[k] for k in missing])
            self.vectors.update(zip(missing, np.asarray(fresh, dtype=np.float32), strict=True))
            self.embedded += len(missing)
        return np.stack([self.vectors[k] for k in keys]) if keys else np.zeros((0, self.dim), np.float32)

    def save(self) -> None:
        if self.path:
            keys = np.array(list(self.vectors), dtype="U40")
            np.savez(self.path, keys=keys, vectors=np.stack(list(self.vectors.values())))


# --- the tutorial RAG ----------------------------------------------------------------------------------
class Tutorial:
    """Raw text in 1,000-character chunks, MiniLM + FAISS, bm25s, reciprocal rank fusion (k=60)."""

    def __init__(self, files: Sequence[Path], embedder) -> None:
        import bm25s
        import faiss

        self.chunks: list[str] = []
        self.meeting: list[str] = []
        for f in files:
            text = f.read_text(encoding="utf-8")
            for i in range(0, len(text), TUTORIAL_CHARS):
                if text[i : i + TUTORIAL_CHARS].strip():
                    self.chunks.append(text[i : i + TUTORIAL_CHARS])
                    self.meeting.append(f.stem)
        self.meeting_arr = np.array(self.meeting)
        self.embedder = embedder
        vectors = np.asarray(embedder.embed(self.chunks), dtype=np.float32)
        self.faiss = faiss.IndexFlatIP(vectors.shape[1])
        self.faiss.add(vectors)
        self.bm25 = bm25s.BM25()
        self.bm25.index(bm25s.tokenize(self.chunks, stopwords="en", show_progress=False), show_progress=False)

    def search(self, question: str, qvec: np.ndarray, k: int, meeting: str | None) -> list[tuple[str, str]]:
        import bm25s

        n = len(self.chunks)
        allowed = np.ones(n, bool) if meeting is None else self.meeting_arr == meeting
        _, dense = self.faiss.search(np.asarray(qvec, np.float32)[None, :], n)
        dense_rows = [int(r) for r in dense[0] if r >= 0 and allowed[r]][:50]
        scores = self.bm25.get_scores(bm25s.tokenize(question, stopwords="en", show_progress=False,
                                                      return_ids=False)[0])
        scores = np.where(allowed, scores, -np.inf)
        lexical = [int(r) for r in np.argsort(-scores, kind="stable")[:50] if scores[r] > 0]
        fused: dict[int, float] = {}
        for ranked in (dense_rows, lexical):
            for rank, row in enumerate(ranked, start=1):
                fused[row] = fused.get(row, 0.0) + 1 / (60 + rank)
        top = sorted(fused, key=lambda r: (-fused[r], r))[:k]
        return [(self.meeting[r], self.chunks[r]) for r in top]


class PassageBM25s:
    """bm25s (English stopwords, no stemming) over the index's own passages: FTS5's BM25 measured against it."""

    def __init__(self, index) -> None:
        import bm25s

        rows = index.con.execute("SELECT row, doc_id, text FROM passages ORDER BY row").fetchall()
        self.doc = np.array([r[1] for r in rows])
        self.texts = [r[2] for r in rows]
        self.bm25 = bm25s.BM25()
        self.bm25.index(bm25s.tokenize(self.texts, stopwords="en", show_progress=False), show_progress=False)

    def search(self, question: str, k: int, meeting: str | None) -> list[tuple[str, str]]:
        import bm25s

        tokens = bm25s.tokenize(question, stopwords="en", show_progress=False, return_ids=False)[0]
        scores = self.bm25.get_scores(tokens)
        if meeting is not None:
            scores = np.where(self.doc == meeting, scores, -np.inf)
        top = [int(r) for r in np.argsort(-scores, kind="stable")[:k] if scores[r] > 0]
        return [(str(self.doc[r]), self.texts[r]) for r in top]


# --- the run -----------------------------------------------------------------------------------------
def _rate(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None


def ask_all(engine, queries: list[dict], tutorial: Tutorial | None, lexical: PassageBM25s | None = None,
            k: int = 5) -> list[dict]:
    rows = []
    for q in queries:
        ev = Evidence(q["evidence_turns"])
        row = {"id": q["id"], "doc": q["doc"], "speaker": q["speaker"], "own": bool(q.get("own"))}
        for scope, doc_id in (("meeting", q["doc"]), ("all", None)):
            for name in RETRIEVERS:
                result = engine.answer(q["question"], doc_id=doc_id, k=k, retriever=name)
                passages = result.get("passages", [])[:k]
                found = [p["doc_id"] == q["doc"] and ev.hits(p["text"]) for p in passages]
                cites = result.get("citations", [])
                row[f"{scope}/{name}"] = {
                    "hit5": (not result.get("abstained")) and any(found),
                    "retrieved5": any(found),  # the same, abstention aside
                    "abstained": bool(result.get("abstained")),
                    "speaker_ok": (names_person(cites[0].get("speaker"), q["speaker_keys"]) if cites else False)
                    if q["speaker"] else None,
                    "first_speaker": cites[0].get("speaker") if cites else None,
                }
            if lexical is not None:
                got = lexical.search(q["question"], k, doc_id)
                hit = any(m == q["doc"] and ev.hits(t) for m, t in got)
                row[f"{scope}/bm25s"] = {"hit5": hit, "retrieved5": hit, "abstained": False, "speaker_ok": None}
            if tutorial is not None:
                qvec = engine.embed_question(q["question"])
                got = tutorial.search(q["question"], qvec, k, doc_id)
                hit = any(m == q["doc"] and ev.hits(t) for m, t in got)
                row[f"{scope}/tutorial"] = {"hit5": hit, "retrieved5": hit, "abstained": False, "speaker_ok": None}
        rows.append(row)
    return rows


def sweep(engine, queries: list[dict], split: dict[str, str], grid: dict[str, list], k: int = 5) -> list[dict]:
    """Hybrid hit@5 and speaker accuracy per split for each value of one RetrieveConfig field at a time
    (meeting scope), on the same index: what the fusion settings are chosen from."""
    from dataclasses import replace

    base = engine.retrieve_config
    out = []
    for name, values in grid.items():
        for value in values:
            engine.retrieve_config = replace(base, **{name: value})
            per: dict[str, dict[str, list[bool]]] = {}
            for q in queries:
                ev = Evidence(q["evidence_turns"])
                result = engine.answer(q["question"], doc_id=q["doc"], k=k)
                hit = not result.get("abstained") and any(
                    p["doc_id"] == q["doc"] and ev.hits(p["text"]) for p in result.get("passages", [])[:k])
                cell = per.setdefault("dev-own" if q.get("own") else split[q["doc"]], {"hit": [], "speaker": []})
                cell["hit"].append(hit)
                if q["speaker"]:
                    cites = result.get("citations", [])
                    cell["speaker"].append(bool(cites) and names_person(cites[0].get("speaker"), q["speaker_keys"]))
            out.append({"field": name, "value": value, **{
                part: {"hit@5": _rate(c["hit"]), "speaker_accuracy": _rate(c["speaker"])} for part, c in per.items()}})
            _say(f"sweep {name}={value}: " + ", ".join(
                f"{part} hit@5 {m['hit@5']:.2f} speaker {m['speaker_accuracy']:.2f}"
                for part, m in sorted(out[-1].items()) if isinstance(m, dict)))
    engine.retrieve_config = base
    return out


def summarise(rows: list[dict], split: dict[str, str]) -> dict:
    out: dict = {}
    columns = sorted({key for r in rows for key in r if "/" in key})
    for part in ("dev", "holdout", "all", "dev-own"):
        chosen = [r for r in rows if r.get("own") == (part == "dev-own")
                  and (part in ("all", "dev-own") or split[r["doc"]] == part)]
        if not chosen:
            continue
        part_out = {"questions": len(chosen), "speaker_questions": sum(1 for r in chosen if r["speaker"])}
        for col in columns:
            cells = [r[col] for r in chosen if col in r]
            part_out[col] = {
                "hit@5": _rate([c["hit5"] for c in cells]),
                "retrieved@5": _rate([c["retrieved5"] for c in cells]),
                "abstained": sum(c["abstained"] for c in cells),
                "speaker_accuracy": _rate([c["speaker_ok"] for c in cells if c["speaker_ok"] is not None]),
            }
        out[part] = part_out
    return out


def table(summary: dict) -> str:
    lines = ["| split | scope | retriever | hit@5 | retrieved@5 | abstained | speaker acc. |",
             "|---|---|---|---|---|---|---|"]
    for part, cols in summary.items():
        for col, m in cols.items():
            if "/" not in col:
                continue
            scope, name = col.split("/")
            sp = "" if m["speaker_accuracy"] is None else f"{m['speaker_accuracy']:.2f}"
            lines.append(f"| {part} ({cols['questions']} q) | {scope} | {name} | {m['hit@5']:.2f} | "
                         f"{m['retrieved@5']:.2f} | {m['abstained']} | {sp} |")
    return "\n".join(lines)


def corpus_summary(embedder, tmp: Path, k: int = 5) -> dict:
    """hit@5 of each retriever and the tutorial RAG on the shipped corpus's question sets, as bench.quality
    scores them (all evidence strings in the top-5 passages' text, retrieval questions only)."""
    from bench import quality
    from chat.engine import Engine
    from chat.retrieve import retrieve
    from index.build import IngestConfig, ingest_paths

    corpus = REPO / "corpus"
    index_dir = tmp / "corpus-index"
    ingest_paths([corpus], index_dir, IngestConfig(), embedder=embedder, progress=False)
    engine = Engine.open(index_dir, embedder=embedder)
    tutorial = Tutorial(sorted(p for p in corpus.rglob("*") if p.is_file()), embedder)
    sets = {"shipped": quality.DEV_QUESTIONS, "own": quality.OWN_QUESTIONS}
    out = {}
    for name, path in sets.items():
        if not path.is_file():
            continue
        questions = [q for q in quality.load_questions(path) if q["kind"] in quality.RETRIEVAL_KINDS]
        flags: dict[str, list[bool]] = {r: [] for r in (*RETRIEVERS, "tutorial")}
        for q in questions:
            qvec = engine.embed_question(q["question"])
            for r in RETRIEVERS:
                hits = retrieve(engine.index, q["question"], qvec, k=k, retriever=r, config=engine.retrieve_config)
                flags[r].append(quality.hit_at([h.passage.text for h in hits], q["evidence"], k))
            texts = [t for _, t in tutorial.search(q["question"], qvec, k, None)]
            flags["tutorial"].append(quality.hit_at(texts, q["evidence"], k))
        out[name] = {"questions": len(questions), **{r: {"hit@5": _rate(f)} for r, f in flags.items()}}
    engine.index.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.qmsum", description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "quotable-qmsum-vectors.npz",
                    help="vector cache by text (default: in the temp folder); --cache '' for none")
    ap.add_argument("--no-tutorial", action="store_true", help="skip the tutorial RAG baseline")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--no-corpus", action="store_true", help="skip the shipped corpus's question sets")
    ap.add_argument("--no-exchanges", action="store_true", help="one turn, one passage (ChunkConfig.exchanges off)")
    ap.add_argument("--exchange-words", type=int, default=None,
                    help="ChunkConfig.exchange_target_words (default: the product's)")
    ap.add_argument("--exchange-max-words", type=int, default=None,
                    help="ChunkConfig.exchange_max_words (default: the product's)")
    ap.add_argument("--sweep", action="store_true", help="also sweep the fusion settings (hybrid, per split)")
    args = ap.parse_args(argv)
    if not QMSUM.is_dir():
        _say(f"no development set at {QMSUM}")
        return 2
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from chat.engine import Engine
    from index.build import IngestConfig, ingest_paths
    from index.embed import DEFAULT_MODEL, load_embedder
    from ingest.chunk import ChunkConfig

    started = time.perf_counter()
    queries = [json.loads(line) for line in (QMSUM / "queries.jsonl").read_text(encoding="utf-8").splitlines()
               if line.strip()]
    files = sorted((QMSUM / "docs").glob("*.txt"))
    split = split_meetings([f.stem for f in files])
    own = own_queries()
    if any(split[q["doc"]] != "dev" for q in own):
        raise SystemExit(f"[qmsum] {OWN} holds questions on held-out meetings; they must stay unseen")
    queries += own
    embedder = CachedEmbedder(load_embedder(DEFAULT_MODEL), args.cache if str(args.cache) else None)
    with tempfile.TemporaryDirectory(prefix="quotable-qmsum-") as tmp:
        index_dir = Path(tmp) / "index"
        t0 = time.perf_counter()
        sizes = {k: v for k, v in (("exchange_target_words", args.exchange_words),
                                   ("exchange_max_words", args.exchange_max_words)) if v}
        chunking = ChunkConfig(exchanges=not args.no_exchanges, **sizes)
        report = ingest_paths([QMSUM / "docs"], index_dir, IngestConfig(chunking=chunking), embedder=embedder,
                              progress=False)
        ingest_s = time.perf_counter() - t0
        _say(f"ingested {report.documents} meetings, {report.passages} passages in {ingest_s:.0f} s "
             f"({embedder.embedded} texts embedded, the rest cached)")
        embedder.save()
        engine = Engine.open(index_dir, embedder=embedder)
        tutorial = None if args.no_tutorial else Tutorial(files, embedder)
        embedder.save()
        rows = ask_all(engine, queries, tutorial, PassageBM25s(engine.index))
        swept = sweep(engine, queries, split, {"bm25_stopwords": [True, False], "rrf_k": [20, 60],
                                               "speaker_weight": [0.0, 1.0]}) if args.sweep else []
        engine.index.close()
        corpus = {} if args.no_corpus else corpus_summary(embedder, Path(tmp))
    embedder.save()
    summary = summarise(rows, split)
    result = {"set": "qmsum-dev", "meetings": len(files), "questions": f"{len(queries) - len(own)} (QMSum's) + "
              f"{len(own)} (dev-own)", "passages": report.passages,
              "split": split, "summary": summary, "corpus": corpus, "sweep": swept,
              "seconds": round(time.perf_counter() - started, 1), "rows": rows}
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(table(summary))
    for name, c in corpus.items():
        print(f"corpus {name} ({c['questions']} q) hit@5: " +
              ", ".join(f"{r} {c[r]['hit@5']:.2f}" for r in (*RETRIEVERS, "tutorial")))
    _say(f"wrote {args.out} in {result['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
