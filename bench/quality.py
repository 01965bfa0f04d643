"""Retrieval and answer quality on a question set, and the calibration of the abstention threshold.

Evidence is matched the way the external dev check matches it: everything but
letters and digits dropped, lower-cased. A question is a hit@k when all its
evidence strings lie in the top-k passages' joined text; rank metrics use the
first rank whose passage holds the first evidence string. The text functions
here are pure so the smoke test can check them on strings.
"""

from __future__ import annotations

import json
import math
import re
import statistics
import time
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path

RETRIEVAL_KINDS = frozenset({"fact", "para", "footnote", "article", "cross", "transcript"})
RETRIEVERS = ("hybrid", "dense", "bm25", "naive")
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
HERE = Path(__file__).resolve().parent
OWN_QUESTIONS = HERE / "questions.jsonl"
# The benchmark (never the product) may read the shared dev sample beside the project.
DEV_QUESTIONS = HERE.parents[1] / "shared" / "eval" / "questions.jsonl"


# --- matching -------------------------------------------------------------------------------------------
def loose(text: str) -> str:
    text = unicodedata.normalize("NFKC", text.translate({ord(c): None for c in SUPERSCRIPTS}))
    # letters of every script count (Korean, Arabic evidence), not only a-z
    return "".join(ch for ch in text.lower() if ch.isalnum())


def words(text: str) -> list[str]:
    """Word tokens with bare numbers dropped: a footnote marker left in the raw file must not break a match."""
    text = unicodedata.normalize("NFKC", text.translate({ord(c): " " for c in SUPERSCRIPTS}))
    return [w for w in re.findall(r"[0-9a-z]+", text.lower()) if not w.isdigit()]


def contains_all(haystack: str, evidence: list[str]) -> bool:
    hay = loose(haystack)
    return all(loose(e) in hay for e in evidence)


def word_index(text: str) -> tuple[list[str], dict[str, list[int]]]:
    ws = words(text)
    at: dict[str, list[int]] = {}
    for i, w in enumerate(ws):
        at.setdefault(w, []).append(i)
    return ws, at


def verbatim(quote: str, source: list[str], at: dict[str, list[int]], max_gaps: int = 3) -> bool:
    """The quote's words occur in order in the source's words, contiguous except for at most
    ``max_gaps`` skipped stretches (a footnote block or page furniture inside a rejoined
    paragraph), each followed by at least 4 matching words within 3000 words."""
    q = words(quote)
    if not q:
        return True
    for start in at.get(q[0], []):
        i, pos, gaps = 0, start, 0
        while i < len(q):
            if pos < len(source) and source[pos] == q[i]:
                i, pos = i + 1, pos + 1
                continue
            gaps += 1
            run = q[i : i + 4]
            nxt = next((p for p in at.get(run[0], []) if pos < p <= pos + 3000 and source[p : p + len(run)] == run),
                       None)
            if gaps > max_gaps or nxt is None:
                break
            pos = nxt
        if i == len(q):
            return True
    return False


# --- ranking metrics ------------------------------------------------------------------------------------
def first_rank(texts: list[str], evidence: list[str]) -> int | None:
    """1-based rank of the first passage holding the first evidence string, None if none does."""
    wanted = loose(evidence[0])
    return next((i for i, t in enumerate(texts, start=1) if wanted in loose(t)), None)


def hit_at(texts: list[str], evidence: list[str], k: int) -> bool:
    return contains_all(" ".join(texts[:k]), evidence)


def reciprocal_rank(rank: int | None) -> float:
    return 1.0 / rank if rank else 0.0


def ndcg_at(rank: int | None, k: int = 10) -> float:
    # one relevant passage per question, so the ideal DCG is 1
    return 1.0 / math.log2(rank + 1) if rank and rank <= k else 0.0


def ranking_summary(rows: list[dict]) -> dict:
    """rows: {"hit1", "hit5", "rank"} per question -> hit@1, hit@5, MRR, nDCG@10 over them."""
    n = len(rows)
    if not n:
        return {"n": 0}
    return {
        "n": n,
        "hit@1": sum(r["hit1"] for r in rows) / n,
        "hit@5": sum(r["hit5"] for r in rows) / n,
        "mrr": sum(reciprocal_rank(r["rank"]) for r in rows) / n,
        "ndcg@10": sum(ndcg_at(r["rank"]) for r in rows) / n,
    }


# --- abstention -----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Cut:
    threshold: float  # abstain when the evidence score is below it
    precision: float  # of the abstentions, the share on unanswerable questions
    recall: float  # of the unanswerable questions, the share abstained on
    accuracy: float  # right decisions (abstain on none, answer otherwise) over all
    wrong_abstentions: int  # answerable questions abstained on


def abstention_stats(decisions: list[tuple[bool, bool]]) -> dict:
    """decisions: (abstained, unanswerable) per question; positives are the unanswerable ones."""
    tp = sum(a and u for a, u in decisions)
    fp = sum(a and not u for a, u in decisions)
    fn = sum(u and not a for a, u in decisions)
    n = len(decisions)
    return {
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "accuracy": (n - fp - fn) / n if n else 0.0,
        "wrong_abstentions": fp,
        "missed_abstentions": fn,
        "n": n,
    }


def cut_at(scores: list[tuple[float, bool]], threshold: float) -> Cut:
    s = abstention_stats([(score < threshold, unanswerable) for score, unanswerable in scores])
    return Cut(round(threshold, 4), s["precision"], s["recall"], s["accuracy"], s["wrong_abstentions"])


def candidate_thresholds(scores: list[tuple[float, bool]]) -> list[float]:
    """Midpoints between consecutive distinct scores, plus one below all and one above all."""
    values = sorted({round(s, 4) for s, _ in scores})
    if not values:
        return []
    mids = [(a + b) / 2 for a, b in zip(values, values[1:], strict=False)]
    return [values[0] - 0.01, *mids, values[-1] + 0.01]


def recommend(scores: list[tuple[float, bool]]) -> Cut | None:
    """The cut with the fewest wrong abstentions, then the highest accuracy, then the lower threshold.

    A refused answer that the documents do give is lost to the user, so no answerable
    question abstaining comes first; within that, catch as many unanswerable ones as possible.
    """
    cuts = [cut_at(scores, t) for t in candidate_thresholds(scores)]
    return min(cuts, key=lambda c: (c.wrong_abstentions, -c.accuracy, c.threshold), default=None)


def calibration(scores: list[tuple[float, bool]], current: float, step: float = 0.02) -> dict:
    best = recommend(scores)
    if best is None:
        return {"n": 0}
    lo = math.floor(min(s for s, _ in scores) / step) * step
    hi = math.ceil(max(s for s, _ in scores) / step) * step
    grid = [round(lo + i * step, 4) for i in range(int(round((hi - lo) / step)) + 1)]
    return {
        "n": len(scores),
        "recommended": asdict(best),
        "current": asdict(cut_at(scores, current)),
        "sweep": [asdict(cut_at(scores, t)) for t in sorted({*grid, best.threshold, current})],
    }


# --- running the engine ---------------------------------------------------------------------------------
def load_questions(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def retrieval_rows(engine, questions: list[dict], naive, k: int = 10) -> list[dict]:
    """Per retrieval question and retriever: hit@1, hit@5, rank of the evidence in the top k."""
    from chat.retrieve import retrieve

    con = engine.index.con
    # Where the index holds the first evidence string, if not in a passage's text: a miss then is a
    # cleaning or chunking matter, not a ranking one.
    places = {"passage": [loose(t) for (t,) in con.execute("SELECT text FROM passages")],
              "section heading": [loose(t or "") for (t,) in con.execute("SELECT DISTINCT section FROM passages")],
              "footnote": [loose(t) for (t,) in con.execute("SELECT text FROM footnotes")]}
    out = []
    for q in questions:
        if q["kind"] not in RETRIEVAL_KINDS:
            continue
        qvec = engine.embed_question(q["question"])
        wanted = loose(q["evidence"][0])
        row = {"id": q["id"], "kind": q["kind"], "question": q["question"],
               "evidence_in": next((p for p, texts in places.items() if any(wanted in t for t in texts)), "nowhere")}
        for name in RETRIEVERS:
            if name == "naive":
                texts = naive.search(qvec, k)
            else:
                hits = retrieve(engine.index, q["question"], qvec, k=k, retriever=name, config=engine.retrieve_config)
                texts = [h.passage.text for h in hits]
            row[name] = {"hit1": hit_at(texts, q["evidence"], 1), "hit5": hit_at(texts, q["evidence"], 5),
                         "rank": first_rank(texts, q["evidence"]), "top1": texts[0][:100] if texts else ""}
        out.append(row)
    return out


def _evidence_score(engine, question: str, k: int) -> float:
    """The score abstention thresholds, for a result that does not carry it."""
    from chat.evidence import Evidence
    from chat.retrieve import retrieve, sentence_vectors_of
    from chat.scoring import evidence_score

    qvec = engine.embed_question(question)
    hits = retrieve(engine.index, question, qvec, k=k, config=engine.retrieve_config)
    evidence = Evidence(question=question, question_vector=qvec, hits=tuple(hits),
                        sentence_vectors=sentence_vectors_of(engine.index, hits),
                        documents=engine.documents, doc_freq=engine.doc_freq, n_passages=engine.index.manifest.passages)
    return evidence_score(evidence)


def answer_rows(engine, questions: list[dict], corpus_dir: Path, k: int = 5, retriever: str = "hybrid") -> list[dict]:
    """Each question through engine.answer, judged: quoted evidence, sources, speaker, fidelity, score, time."""
    raw = {p.stem: word_index(p.read_text(encoding="utf-8", errors="replace"))
           for p in Path(corpus_dir).rglob("*") if p.is_file()}
    clean = {d: t for d, t in engine.index.con.execute("SELECT doc_id, text FROM documents")}
    out = []
    for q in questions:
        started = time.perf_counter()
        result = engine.answer(q["question"], k=k, retriever=retriever)
        seconds = time.perf_counter() - started
        cites = result.get("citations", [])
        quotes = " ".join(c.get("quote", "") for c in cites)
        kind, ev = q["kind"], q["evidence"]
        row = {"id": q["id"], "kind": kind, "question": q["question"], "abstained": bool(result.get("abstained")),
               "brief": kind == "country", "score": result.get("evidence_score"), "seconds": seconds}
        if row["score"] is None and kind != "country":
            row["score"] = _evidence_score(engine, q["question"], k)
        if kind in RETRIEVAL_KINDS:
            row["quoted"] = contains_all(quotes, ev)
        if kind == "transcript":
            said = [c for c in cites if contains_all(c.get("quote", ""), ev)]
            row["speaker_ok"] = any(loose(q["speaker"]) in loose(c.get("speaker") or "") for c in said)
        if kind == "source":
            urls = " ".join(s.get("text", "") for c in cites for s in c.get("sources", []))
            row["source_ok"] = contains_all(urls, ev)
        if kind == "country":
            hay = loose(quotes + " " + " ".join(p.get("text", "") for p in result.get("passages", [])))
            row["country_found"] = [loose(e) in hay for e in ev]
        row["unfaithful"] = [c.get("quote", "")[:100] for c in cites if not _faithful(c, clean, raw)]
        row["citations"] = len(cites)
        out.append(row)
    return out


def _faithful(citation: dict, clean: dict[str, str], raw: dict) -> bool:
    """Every span equals the clean text at its offsets and its words stand in order in the raw file."""
    text, source = clean.get(citation.get("doc_id")), raw.get(citation.get("doc_id"))
    if text is None or source is None:
        return False
    spans = citation.get("spans") or [citation]
    return all(text[s["char_start"] : s["char_end"]] == s["quote"] and verbatim(s["quote"], *source) for s in spans)


def _rate(flags: list[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def answer_summary(rows: list[dict]) -> dict:
    cited = sum(r["citations"] for r in rows)
    return {
        "quoted_evidence": _rate([r["quoted"] for r in rows if "quoted" in r]),
        "source_accuracy": _rate([r["source_ok"] for r in rows if "source_ok" in r]),
        "speaker_accuracy": _rate([r["speaker_ok"] for r in rows if "speaker_ok" in r]),
        "country_recall": _rate([f for r in rows for f in r.get("country_found", [])]),
        "quote_fidelity": (cited - sum(len(r["unfaithful"]) for r in rows)) / cited if cited else None,
        "citations": cited,
        "abstention": abstention_stats([(r["abstained"], r["kind"] == "none") for r in rows]),
        "p50_ms": 1000 * statistics.median([r["seconds"] for r in rows]) if rows else None,
    }


def run(engine, sets: dict[str, list[dict]], corpus_dir: Path, naive, current_threshold: float) -> dict:
    """Every metric per question set, and one calibration over all sets together."""
    out: dict = {"sets": {}}
    scores: list[tuple[float, bool]] = []
    for name, questions in sets.items():
        ret = retrieval_rows(engine, questions, naive)
        ans = answer_rows(engine, questions, corpus_dir)
        scores += [(r["score"], r["kind"] == "none") for r in ans if not r["brief"] and r["score"] is not None]
        out["sets"][name] = {
            "questions": len(questions),
            "retrieval": {r: ranking_summary([row[r] for row in ret]) for r in RETRIEVERS},
            "answers": answer_summary(ans),
            # the same answer step over each ranking alone, for comparison with the fused one
            "answers_by_retriever": {"hybrid": answer_summary(ans), **{
                r: answer_summary(answer_rows(engine, questions, corpus_dir, retriever=r)) for r in ("dense", "bm25")}},
            "retrieval_rows": ret,
            "answer_rows": ans,
        }
    out["calibration"] = calibration(scores, current_threshold)
    return out
