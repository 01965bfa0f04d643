"""Dense (FAISS) and BM25 (SQLite FTS5) candidates, fused with reciprocal rank fusion (k 5), or by score
on request (a convex combination of the two min-max normalised scores, RetrieveConfig.fusion).

Both searches go through the index's backend (index/backend.py: the folder's
FAISS + FTS5 by default, or a search engine). Filters arrive as a set of
allowed passage rows (and, for an engine, the ``Where`` they came from) and
are applied inside both searches, before ranking; an empty set means nothing
matches, never "all".

A question that names a speaker ("what did Kirsty Williams say about ...",
"the Chair") adds a third ranking to the fusion: the same dense and BM25
searches restricted to the passages in which that person speaks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from chat.evidence import Hit
from chat.scoring import REPLY_REACH
from chat.speakers import asked_speakers, asker_labels
from chat.terms import FUNCTION_WORDS
from index.backend import Where
from index.postings import FTS_WEIGHTS
from index.reader import Index
from ingest.records import Passage

RETRIEVERS = ("hybrid", "dense", "bm25")


@dataclass(frozen=True, slots=True)
class RetrieveConfig:
    candidates: int = 50  # per retriever, before fusion
    # Dense scores a passage by its own vector and by its closest sentence (a fact
    # stated in one sentence of a long passage); measured on the development and
    # bench questions, the mix lifts dense MRR from 0.72 to 0.83 (bench/RESULTS.md).
    sentence_weight: float = 0.5
    dense_pool: int = 200  # passages the vector index proposes for that rescoring
    # How the two rankings are fused: "rrf" (default), weighted reciprocal rank fusion, each list adding
    # weight / (rrf_k + rank); or "convex", the two min-max normalised scores added, ``dense_share`` of the
    # dense one, over the union of both lists (a passage only BM25 found gets its true dense score).
    # Why RRF at k 20 lost within one meeting: both lists of 50 then hold most of the meeting's passages
    # (they share 58 % of their passages, unfiltered 29 %), so a passage both rank middling (4th and 4th)
    # tied or beat one that a list ranks first and the other lower down (1st and 8th); and of two
    # overlapping windows sharing the words asked about (1st + 2nd vs 2nd + 1st) the row broke the tie,
    # so the window without the answer could stand for both. A smaller k makes a list's first places
    # count for more (1st + 8th beats 4th + 4th at k 5); scores (convex) keep how far ahead a passage is.
    # Measured by ``python -m bench.fusion`` (bench/fusion.json; dev splits only: hearings dev meetings
    # filtered and unfiltered, shipped corpus and bench questions of the dev hash split, PDF dev questions;
    # mean of the four, retrieval alone): RRF k 20 hit@5 0.961, MRR@10 0.889; RRF k 2 / 5 / 10: 0.977 /
    # 0.977 / 0.977, MRR 0.888 / 0.890 / 0.888; convex dense_share 0.5 / 0.6 / 0.7 (speaker 1): 0.969 /
    # 0.977 / 0.969, MRR 0.898 / 0.902 / 0.887. RRF k 5 and convex 0.6 tie on hit@5; RRF is the default
    # because it reads ranks only: convex reads the BM25 scores themselves, which another engine scores
    # otherwise (Milvus: one field, its own IDF), and with it the two stores' first citations agreed less
    # (tests/index, hashing embedder, measured before Milvus read FTS5 terms: 34 of 38 against 36 of 38).
    # Re-measured with the 156 development questions written later (bench/qmsum-extra, questions-extra,
    # questions-pdf-extra; dev mean hit@5 / MRR@10): RRF k 5 0.984 / 0.904, k 10 0.989 / 0.904, k 20 0.984 /
    # 0.900; convex 0.5 / 0.6 (speaker 1) 0.986 / 0.910, 0.989 / 0.907; dense alone 0.903 / 0.797, BM25 alone
    # 0.968 / 0.875. Every fusion is within a question or two of the others, so the default stays.
    # Tried and not kept (no better on dev):
    # k 60, 100 or 20 candidates, z-score or mean +- 3 sd normalisation, scores floored at 0, the exact
    # BM25 score of every candidate, each list's own top 1 or 2 kept in the top 5 (worse), dropping
    # overlapping windows by the share of their text still new. Both fixes cost one devcheck 'none'
    # question ("What is the population of Albania?"): the one passage naming Albania now ranks high
    # enough for a sentence of it to pass the refusal step.
    fusion: str = "rrf"
    dense_share: float = 0.6  # convex: the dense score's share
    rrf_k: int = 5
    # Leave function words out of the keyword query? Measured (bench/qmsum.json "sweep", bench.qmsum's
    # corpus figures): leaving them out costs hit@5 on both development sets (hearings dev half 0.94 -> 0.90,
    # shipped corpus questions 0.97 -> 0.93), so they stay; FTS5 gives them almost no weight on a large index.
    bm25_stopwords: bool = False
    bm25_weights: tuple[float, ...] = FTS_WEIGHTS  # text, section, title, speaker columns (1.0, 0.5, 0.3, 0.3)
    # The asked-about speaker's own ranking (the same two searches within that person's passages). RRF: the
    # weight of that ranking as a third list (dev mean hit@5 / MRR at k 5: 0.5 -> 0.977 / 0.884, 1 -> 0.977 /
    # 0.890; at k 20, 0 -> 0.945 / 0.853). Convex: the speaker's candidates join both lists, and a passage's
    # fused score is averaged with its fused score among the speaker's passages at this weight (dense_share
    # 0.6: 0 -> 0.953 / 0.868, 0.5 -> 0.969 / 0.903, 1 -> 0.977 / 0.902).
    speaker_weight: float = 1.0
    # RRF weight of the dense ranking (fusion="rrf"). 0.6 lifts mean MRR@10 over five development sets
    # (hearings dev half filtered and unfiltered, shipped corpus, bench and PDF dev questions) from 0.869 to
    # 0.879, but ranks a passage high enough to answer an unanswerable shipped-corpus question (devcheck).
    dense_weight: float = 1.0
    bm25_weight: float = 1.0  # RRF weight of the keyword ranking
    # The top passages never overlap (a transcript's windows do): the better-ranked one stands for both.
    disjoint: bool = True
    # ... and may take in up to this many windows in all: a window overlapping it that is itself among the
    # first k of the ranking is merged into it (one passage over their union, its sentences and vectors from
    # both) rather than dropped, so an exchange cut between two windows is shown whole. 1: dropped. History:
    # merging any overlapping window, however far down, lifted hearings (dev-own 0.96 -> 0.97) but cost the
    # shipped corpus (devcheck quoted evidence 0.93 -> 0.90, one more unanswerable question answered: a
    # merged-in window's sentences competed with the answer), so it was off. Only windows within the first
    # k, and a union that never overlaps another passage shown (bench.qmsum dev + dev-own 111 q, with the
    # exchange and reply rules below): by meeting 110 -> 111, unfiltered 108 -> 110; devcheck unchanged
    # (hit@5 0.97, quoted 0.93, 2/2 refused, 0 of 36 answerable refused).
    merge_windows: int = 2
    # A question about an exchange ("how did X respond when Y asked ...", "X's answer to Y's question"): the
    # speaker's own ranking is narrowed to the passages in which the one who asked speaks too (speaker_rows).
    # Hearings dev meetings and dev-own (111 q): hit@5 by meeting 108 -> 109, unfiltered 107 -> 107.
    exchange: bool = True
    # A question about what someone said: a top passage they do not speak in, after which they reply within
    # REPLY_REACH turns, is followed by the passage holding their reply (``_with_replies``). Hearings dev
    # meetings and dev-own (111 q): hit@5 by meeting 109 -> 110, unfiltered 107 -> 108, speaker 63 -> 64 of 64.
    replies: bool = True


def dense_candidates(index: Index, qvec: np.ndarray, n: int, allowed: np.ndarray | None,
                     config: RetrieveConfig = RetrieveConfig(), where: Where | None = None) -> list[tuple[int, float]]:
    # the index's backend (index/backend.py): FAISS with the allowed rows, or an engine applying ``where``
    scores, rows = index.backend.dense(qvec, max(n, config.dense_pool), where, allowed)
    found = rows[0] >= 0
    rows, passage_cos = rows[0][found].astype(np.int64), scores[0][found]
    if len(rows) == 0:
        return []
    sentence_cos = index.best_sentence_cosines(rows, qvec)
    sentence_cos = np.where(sentence_cos < -0.5, passage_cos, sentence_cos)
    mixed = (1 - config.sentence_weight) * passage_cos + config.sentence_weight * sentence_cos
    order = np.lexsort((rows, -mixed))[:n]  # ties by row: the same ranking whichever engine ordered the pool
    return [(int(rows[i]), float(mixed[i])) for i in order]


def bm25_candidates(index: Index, question: str, n: int, allowed: np.ndarray | None, weights: tuple[float, ...],
                    stopwords: frozenset[str] = FUNCTION_WORDS, where: Where | None = None) -> list[tuple[int, float]]:
    return index.backend.keyword(question, n, where, allowed, weights=weights, stopwords=stopwords)


def speaker_rows(index: Index, question: str, allowed: np.ndarray | None,
                 exchange: bool = True) -> np.ndarray | None:
    """Rows of the passages in which the person the question asks about speaks; None if it names nobody.
    A question about an exchange ("how did X respond when Y asked") narrows them to the passages in which
    the one who asked speaks too, where there are any."""
    labels = index.speaker_labels()
    asked = asked_speakers(question, labels)
    if not asked:
        return None
    found = index.rows_spoken_by(asked)
    put = asker_labels(question, labels) if exchange else ()
    if put:
        both = np.intersect1d(found, index.rows_spoken_by(put))
        found = both if len(both) else found
    return found if allowed is None else found[np.isin(found, allowed)]


def fuse(lists: list[list[tuple[int, float]]], rrf_k: int,
         weights: list[float] | None = None) -> list[tuple[int, float]]:
    fused: dict[int, float] = {}
    for ranked, weight in zip(lists, weights or [1.0] * len(lists), strict=True):
        for rank, (row, _) in enumerate(ranked, start=1):
            fused[row] = fused.get(row, 0.0) + weight / (rrf_k + rank)
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


def _merged(a: list[tuple[int, float]], b: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """Two candidate lists of the same scorer as one, best first."""
    both = dict(a)
    both.update(b)
    return sorted(both.items(), key=lambda item: (-item[1], item[0]))


def _normalised(scores: np.ndarray) -> np.ndarray:
    """Min-max: the list's lowest score to 0, its highest to 1 (all 1 when they are equal)."""
    if not len(scores):
        return scores
    low, span = float(scores.min()), float(scores.max() - scores.min())
    return (scores - low) / span if span > 1e-12 else np.ones_like(scores)


def dense_scores(index: Index, rows: np.ndarray, qvec: np.ndarray, config: RetrieveConfig) -> np.ndarray:
    """The dense score (passage and best-sentence cosine mixed) of any rows, as dense_candidates scores them."""
    passage_cos = index.passage_cosines(rows, qvec)
    sentence_cos = index.best_sentence_cosines(rows, qvec)
    sentence_cos = np.where(sentence_cos < -0.5, passage_cos, sentence_cos)
    return (1 - config.sentence_weight) * passage_cos + config.sentence_weight * sentence_cos


def fuse_convex(index: Index, qvec: np.ndarray, dense: list[tuple[int, float]], lexical: list[tuple[int, float]],
                config: RetrieveConfig = RetrieveConfig()) -> list[tuple[int, float]]:
    """Convex combination of the two min-max normalised scores over the union of both candidate lists
    (Bruch et al. 2023, "An Analysis of Fusion Functions for Hybrid Retrieval"). A row the dense list
    lacks gets its true dense score (any row's vectors are at hand); one the keyword list lacks scores
    as its lowest (it is below that list's last)."""
    rows = sorted({r for r, _ in dense} | {r for r, _ in lexical})
    if not rows:
        return []
    by_dense = dict(dense)
    missing = np.array([r for r in rows if r not in by_dense], dtype=np.int64)
    if len(missing):
        by_dense.update(zip(missing.tolist(), dense_scores(index, missing, qvec, config).tolist(), strict=True))
    dense_norm = _normalised(np.array([by_dense[r] for r in rows], dtype=np.float64))
    by_lex = dict(lexical)
    lex_norm = np.zeros(len(rows))
    if lexical:
        found = np.array([r in by_lex for r in rows])
        lex_norm[found] = _normalised(np.array([by_lex[r] for r in rows if r in by_lex], dtype=np.float64))
    fused = config.dense_share * dense_norm + (1 - config.dense_share) * lex_norm
    order = np.lexsort((np.array(rows), -fused))  # ties by row: the same ranking whichever engine searched
    return [(rows[i], float(fused[i])) for i in order]


def _with_continuations(index: Index, ranked: list[tuple[int, float]], k: int,
                        allowed: np.ndarray | None) -> list[tuple[int, float]]:
    """A passage that ends on a colon ("... three core principles:") introduces the next one
    (the list it announces): the next passage of the same document follows it in the ranking,
    moved up if it was ranked lower."""
    if not ranked:
        return ranked
    scores = dict(ranked)

    def permitted(row: int) -> bool:
        return allowed is None or _held(allowed, row)

    placed: dict[int, float] = {}
    for (row, score), passage in zip(ranked, index.passages_at([row for row, _ in ranked]), strict=True):
        if row in placed:
            continue
        placed[row] = score
        after = row + 1
        if (passage.text.rstrip().endswith(":") and after not in placed
                and permitted(after)):
            follower = index.passages_at([after])
            if follower and follower[0].doc_id == passage.doc_id:
                placed[after] = scores.get(after, score)
    return list(placed.items())[:k]


def _reply_after(index: Index, row: int, passage: Passage, asked: frozenset[str]) -> int | None:
    """The row of a passage after ``passage`` holding the asked-about person's reply: their first turn within
    ``REPLY_REACH`` turns after the one ``passage`` ends in (the question put, then perhaps a colleague's answer
    handing over to them), in the first passage of the document that holds its start and does not overlap
    ``passage``. None where the person speaks in ``passage`` already, or does not reply so soon."""
    if not asked or not passage.sentences or any(s.speaker in asked for s in passage.sentences):
        return None
    following = []  # (row, passage) of the document's next passages, in order
    for after in range(row + 1, row + 9):
        found = index.passages_at([after])
        if not found or found[0].doc_id != passage.doc_id:
            break
        following.append((after, found[0]))
    speaker, turns, reach, reply = passage.sentences[-1].speaker, 0, passage.char_end, None
    for _, p in following:  # the document's turns after ``passage``, read across the windows that hold them
        for s in p.sentences:
            if s.char_start < reach:
                continue
            reach = s.char_end
            if s.speaker != speaker:
                speaker, turns = s.speaker, turns + 1
                if turns > REPLY_REACH:
                    break
                if speaker in asked:
                    reply = s.char_start
                    break
        if reply is not None or turns > REPLY_REACH:
            break
    if reply is None:
        return None
    return next((r for r, p in following if passage.char_end <= p.char_start <= reply < p.char_end), None)


def _with_replies(index: Index, ranked: list[tuple[int, float]], k: int, asked: frozenset[str],
                  allowed: np.ndarray | None, merged: dict[int, list[int]]) -> list[tuple[int, float]]:
    """A question about what someone said ("What did Andrew Clark say about ..."): a top passage in which
    they do not speak, though they reply right after it (the question put to them, a colleague's answer
    that hands over to them), is followed in the ranking by the passage that holds their reply, moved up
    if it was ranked lower (the last of the ``k`` gives way). A reply overlapping a passage already
    placed (or what was merged into it) is not brought in: the top passages never overlap."""
    if not asked or not ranked:
        return ranked
    scores = dict(ranked)
    shown = {row: merge_passages(index.passages_at(merged.get(row, [row]))) for row, _ in ranked}
    spans = [(p.doc_id, p.char_start, p.char_end) for p in shown.values()]
    placed: dict[int, float] = {}
    for row, score in ranked:
        if row in placed:
            continue
        placed[row] = score
        passage = shown.get(row)
        after = _reply_after(index, row, passage, asked) if passage is not None else None
        if after is None or after in placed or (allowed is not None and not _held(allowed, after)):
            continue
        reply = index.passages_at([after])[0]
        if after not in shown and any(d == reply.doc_id and a < reply.char_end and reply.char_start < b
                                      for d, a, b in spans):
            continue
        placed[after] = scores.get(after, score)
        spans.append((reply.doc_id, reply.char_start, reply.char_end))
    return list(placed.items())[:k]


def _held(allowed: np.ndarray, row: int) -> bool:
    """Is ``row`` in the sorted ``allowed`` rows (a binary search, not a set of every allowed row)?"""
    i = int(np.searchsorted(allowed, row))
    return i < len(allowed) and int(allowed[i]) == row


def _disjoint(index: Index, ranked: list[tuple[int, float]], k: int,
              merge: int = 1) -> tuple[list[tuple[int, float]], dict[int, list[int]]]:
    """The first ``k`` of ``ranked`` whose passages overlap no better-ranked one of the same document, and
    the rows merged into each. Which passages are kept does not depend on merging; then a window among the
    first ``k`` of the ranking that was dropped for overlapping a kept one joins it (their union is shown)
    while it holds fewer than ``merge`` windows and the union overlaps no other kept passage. The passages
    returned never overlap."""
    kept: list[tuple[int, float]] = []
    spans: list[list] = []  # [doc_id, start, end, kept row]
    dropped: list[tuple[int, Passage]] = []  # windows among the first k that overlapped a kept one
    step = 2 * k  # most rankings hold k disjoint passages among their first 2k
    for i in range(0, len(ranked), step):
        part = ranked[i : i + step]
        for j, ((row, score), p) in enumerate(zip(part, index.passages_at([r for r, _ in part]), strict=True)):
            if any(x[0] == p.doc_id and x[1] < p.char_end and p.char_start < x[2] for x in spans):
                if i + j < k:
                    dropped.append((row, p))
                continue
            if len(kept) < k:
                kept.append((row, score))
                spans.append([p.doc_id, p.char_start, p.char_end, row])
        if len(kept) >= k:
            break
    merged: dict[int, list[int]] = {}
    for row, p in dropped if merge > 1 else ():
        start, end = p.char_start, p.char_end
        over = [x for x in spans if x[0] == p.doc_id and x[1] < end and start < x[2]]
        if len(over) != 1:
            continue
        span = over[0]
        group = merged.setdefault(span[3], [span[3]])
        lo, hi = min(span[1], start), max(span[2], end)
        if len(group) < merge and not any(x is not span and x[0] == p.doc_id and x[1] < hi and lo < x[2]
                                          for x in spans):
            group.append(row)
            span[1], span[2] = lo, hi
    return kept, {row: rows for row, rows in merged.items() if len(rows) > 1}


def merge_passages(passages: Sequence[Passage]) -> Passage:
    """One passage over the union of overlapping windows of one document (the first one's id and section, the
    earliest one's page and start time): its text the document's text over the union, its sentences each
    window's, once (pure)."""
    first = passages[0]
    ordered = sorted(passages, key=lambda p: (p.char_start, p.char_end))
    text, start, end = ordered[0].text, ordered[0].char_start, ordered[0].char_end
    for p in ordered[1:]:
        if p.char_start > end:
            raise ValueError(f"{p.passage_id} does not overlap or touch the passages before it")
        if p.char_end > end:
            text += p.text[end - p.char_start:]
            end = p.char_end
    sentences: list = []
    for p in ordered:
        for sentence in p.sentences:
            if not sentences or sentence.char_start >= sentences[-1].char_end:
                sentences.append(sentence)
            # a sentence that starts inside the last one kept is the same turn cut differently: skip it
    return replace(
        first, text=text, char_start=start, char_end=end, page=ordered[0].page, page_label=ordered[0].page_label,
        speaker=first.speaker if all(p.speaker == first.speaker for p in passages) else None,
        start_s=ordered[0].start_s, end_s=max((p.end_s for p in passages if p.end_s is not None), default=None),
        footnotes=tuple(dict.fromkeys(n for p in ordered for n in p.footnotes)),
        countries=tuple(dict.fromkeys(c for p in ordered for c in p.countries)),
        sentences=tuple(sentences),
    )


def sentence_vectors_of(index: Index, hits: Sequence[Hit]) -> dict[str, np.ndarray]:
    """Each hit's sentence vectors by passage id, aligned with its passage's sentences: a merged hit's
    come from the windows that hold each of its sentences."""
    rows = [r for h in hits for r in (h.rows or (h.row,))]
    vectors = index.sentence_vectors_at(rows)
    for h in hits:
        if not h.parts:
            continue
        by_start = {}
        for p in reversed(h.parts):  # the kept window's own vectors win
            own = vectors.get(p.passage_id)
            if own is not None and len(own) == len(p.sentences):
                by_start.update({s.char_start: own[i] for i, s in enumerate(p.sentences)})
        if all(s.char_start in by_start for s in h.passage.sentences):
            vectors[h.passage.passage_id] = np.stack([by_start[s.char_start] for s in h.passage.sentences])
        else:
            vectors.pop(h.passage.passage_id, None)  # the answer step falls back to the passage's cosine
    return vectors


def _convex_hybrid(index: Index, question: str, qvec: np.ndarray, dense: list[tuple[int, float]],
                   lexical: list[tuple[int, float]], n: int, allowed: np.ndarray | None, stop: frozenset[str],
                   config: RetrieveConfig) -> list[tuple[int, float]]:
    """The two lists fused by score; a question naming a speaker adds that person's own candidates to
    both lists and averages each passage's score with its score among the speaker's passages."""
    spoken = speaker_rows(index, question, allowed, config.exchange)
    if spoken is None or not len(spoken):
        return fuse_convex(index, qvec, dense, lexical, config)
    own_dense = dense_candidates(index, qvec, n, spoken, config)
    own_lexical = bm25_candidates(index, question, n, spoken, config.bm25_weights, stop)
    ranked = fuse_convex(index, qvec, _merged(dense, own_dense), _merged(lexical, own_lexical), config)
    if config.speaker_weight <= 0:
        return ranked
    own = dict(fuse_convex(index, qvec, own_dense, own_lexical, config))
    w = config.speaker_weight
    return sorted(((row, (score + w * own.get(row, 0.0)) / (1 + w)) for row, score in ranked),
                  key=lambda item: (-item[1], item[0]))


def retrieve(
    index: Index,
    question: str,
    qvec: np.ndarray,
    *,
    k: int = 5,
    retriever: str = "hybrid",
    allowed: np.ndarray | None = None,
    config: RetrieveConfig = RetrieveConfig(),
    where: Where | None = None,  # the filters behind ``allowed``, for an engine that applies them itself
) -> list[Hit]:
    if retriever not in RETRIEVERS:
        raise ValueError(f"retriever must be one of {RETRIEVERS}")
    n = max(config.candidates, k)
    dense = dense_candidates(index, qvec, n, allowed, config, where) if retriever in ("hybrid", "dense") else []
    stop = FUNCTION_WORDS if config.bm25_stopwords else frozenset()
    lexical = (bm25_candidates(index, question, n, allowed, config.bm25_weights, stop, where)
               if retriever != "dense" else [])
    if retriever == "hybrid" and config.fusion == "convex":
        ranked = _convex_hybrid(index, question, qvec, dense, lexical, n, allowed, stop, config)
    elif retriever == "hybrid":
        lists, weights = [dense, lexical], [config.dense_weight, config.bm25_weight]
        spoken = speaker_rows(index, question, allowed, config.exchange) if config.speaker_weight > 0 else None
        if spoken is not None and len(spoken):
            own = fuse([dense_candidates(index, qvec, n, spoken, config),
                        bm25_candidates(index, question, n, spoken, config.bm25_weights, stop)], config.rrf_k)
            lists.append(own[:n])
            weights.append(config.speaker_weight)
        ranked = fuse(lists, config.rrf_k, weights)
    else:
        ranked = dense or lexical
    ranked = index.still_held(ranked)  # an update in place may have removed some since this index opened
    merged: dict[int, list[int]] = {}
    if config.disjoint:
        ranked, merged = _disjoint(index, ranked, k, config.merge_windows)
    if retriever == "hybrid" and config.replies:
        asked = frozenset(asked_speakers(question, index.speaker_labels()))
        ranked = _with_replies(index, ranked[:k], k, asked, allowed, merged)
    ranked = _with_continuations(index, ranked[:k], k, allowed)
    rows = [row for row, _ in ranked]
    bm25 = dict(lexical)
    # cosine for every hit, also those only BM25 found: the answer step weighs it
    cosines = index.passage_cosines(rows, qvec)
    hits = []
    for i, ((row, score), p, cos) in enumerate(zip(ranked, index.passages_at(rows), cosines, strict=True), start=1):
        group = tuple(merged.get(row, ()))
        parts = (p, *index.passages_at(list(group[1:]))) if group else ()
        hits.append(Hit(passage=merge_passages(parts) if parts else p, rank=i, score=score, dense=float(cos),
                        bm25=bm25.get(row), row=row, rows=group, parts=parts))
    return hits
