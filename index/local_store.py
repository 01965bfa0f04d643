"""The default search backend: the index folder's own FAISS vectors and SQLite FTS5 keywords.

It implements ``index.backend.SearchBackend`` the way ``MilvusBackend`` does for
a Milvus collection, so retrieval asks one interface whichever store the index
uses. Filters arrive as an array of allowed rows (the ``Where`` they came from is
for engines that filter by expression, and here names a filter whose FAISS
preparation is kept); an empty array matches nothing, never "all". BM25 never
binds a parameter per allowed row: a numpy mask keeps the allowed ones.

Why the keyword search is not one FTS5 query (that was most of a question's
time on a large index): FTS5 scores, row by row, every row that matches any
word of the question, so one word held by half the passages ("report",
"committee") costs as much as scoring half the index. Both ways below rank
exactly as that query does, with its scores, read off BM25 as FTS5 computes it
(``fts5_aux.c``), where ``idf = log((N - n + 0.5) / (n + 0.5))`` is clamped to
1e-6:

- a word in at least half of the rows has no positive IDF, so it moves no
  row's score by more than 2.2e-6. It is left out while some other word of the
  question matches a row (only the rows matching nothing but such words, which
  score ~1e-6, drop from the list).
- with the store's posting lists (index/postings.py, for the weights they were
  written for) each listed word is scored for all its rows at once in numpy
  and the rarer words by FTS5 over their few rows, and the parts are added up
  (``_summed``); a filter of a few runs of rows (one document) reads only
  those runs of each list.
- without them (other weights, a store written before them), the frequent
  words (in more than ``EXPENSIVE_SHARE`` of the rows) are handled as MaxScore
  does (Turtle and Flood 1995): no row can score more than ``(k1 + 1) * idf``
  from a word, so the rows matching none of the rare words score below ``U``,
  the sum of those bounds over the frequent words. The rows matching a rare
  word are scored exactly, all words counted, as two cheap queries (``rare AND
  frequent``, ``rare NOT frequent``); if k of them score at least ``U`` they are
  the top k; only otherwise are the rows holding frequent words alone scored
  (``frequent NOT rare``). A document's few runs of rows are searched as
  ``rowid BETWEEN`` ranges, which FTS5 seeks to.
"""

from __future__ import annotations

import math
import os
import queue
import sqlite3
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from index.backend import Where
from index.postings import (
    BM25_SQL,
    EXPENSIVE_MIN_ROWS,
    EXPENSIVE_SHARE,
    K1,
    Postings,
    averages,
    column_weights,
    idf,
    read_postings,
    read_term,
    term_scores,
)
from index.store import fts_phrases, fts_terms
from index.vector_store import VectorStore

MAX_RUNS = 16  # allowed rows in at most this many runs of consecutive rows are searched run by run
BROAD_FILTER = 0.05  # a filter allowing at least this share of rows searches the top 2k / share, not all
PARALLEL_ROWS = 30_000  # a query matching more rows is scored in row ranges, one thread and connection each
WORKERS = min(4, os.cpu_count() or 1)
RANGES_PER_WORKER = 4
CACHE_DEPTH = 256  # rows kept of a frequent words' own ranking
KEPT_ROWS = 10_000_000  # rows of phrases' posting lists (8 bytes each) and scores (8) kept at most
OVERFETCH = 1024  # up to this many removed rows, a dense search asks for that many more and drops them


def _any(phrases: list[str]) -> str:
    return "(" + " OR ".join(phrases) + ")"


@dataclass
class LocalBackend:
    con: sqlite3.Connection  # owned by the Index that opened it
    vectors: VectorStore
    # sorted rows whose passages an update in place removed: still in FAISS, never returned (their FTS5
    # rows are deleted, so only the dense search has to leave them out)
    removed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    overfetch: int = OVERFETCH
    _live: np.ndarray | None = field(default=None, repr=False)  # every other row, made when first needed
    # a question's filter -> (the rows it was given, the vector store's preparation of them)
    _filters: dict[Where, tuple[np.ndarray, object]] = field(default_factory=dict, repr=False)
    # phrase -> rows holding it (a generation is never changed in place)
    _rows_holding: dict[str, int] = field(default_factory=dict, repr=False)
    # frequent words' MATCH -> (their own best rows, how many were asked for)
    _alone: dict[tuple[str, str], tuple[list[tuple[int, float]], int]] = field(default_factory=dict, repr=False)
    _pool: tuple[list[sqlite3.Connection], ThreadPoolExecutor] | None = field(default=None, repr=False)
    # the store's posting lists (index/postings.py), read once; False for a store without them
    _postings: Postings | None | bool = field(default=None, repr=False)
    # phrase -> its posting list's rows (none removed since), weighted counts, rows holding it; None: no list
    _posted: dict[str, tuple[np.ndarray, np.ndarray, int] | None] = field(default_factory=dict, repr=False)
    # (phrase, store version) -> the bm25() of its listed rows, for the store as it is then
    _phrase_scores: dict[tuple[str, int], np.ndarray] = field(default_factory=dict, repr=False)
    _kept_rows: int = field(default=0, repr=False)  # rows the two hold together
    _terms: dict[str, list[str]] = field(default_factory=dict, repr=False)  # phrase -> the terms FTS5 indexes
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __len__(self) -> int:
        return len(self.vectors)

    def close(self) -> None:
        """The connection belongs to the Index; the range searchers' own connections close here."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool[1].shutdown()
            for con in pool[0]:
                con.close()

    def dense(self, qvec: np.ndarray, k: int, where: Where | None,
              allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        query = np.asarray(qvec, dtype=np.float32)[None, :]
        if allowed is not None and where:  # a question's filter: the same rows question after question
            return self.vectors.search(query, k, self._prepared(where, allowed))
        if not len(self.removed):
            return self.vectors.search(query, k, allowed)
        if allowed is not None:
            return self.vectors.search(query, k, allowed[~np.isin(allowed, self.removed)])
        if len(self.removed) > self.overfetch:  # the search itself leaves them out
            return self.vectors.search(query, k, self._prepared(Where(), self._live_rows()))
        # a few removed rows: k more than asked, and the removed ones dropped
        scores, rows = self.vectors.search(query, k + len(self.removed))
        keep = ~np.isin(rows[0], self.removed)
        scores, rows = scores[:, keep][:, :k], rows[:, keep][:, :k]
        return _padded(scores, k, -np.inf), _padded(rows, k, -1)

    def _prepared(self, where: Where, allowed: np.ndarray) -> object:
        """The vector store's preparation of ``allowed`` (less the removed rows), kept for ``where`` while
        the caller passes the same array (the engine keeps one per filter and generation; the rows not
        removed are kept under the empty ``Where``)."""
        with self._lock:
            kept = self._filters.get(where)
        if kept is not None and kept[0] is allowed:
            return kept[1]
        live = allowed[~np.isin(allowed, self.removed)] if len(self.removed) else allowed
        prepared = self.vectors.prepare(live)
        with self._lock:
            if len(self._filters) >= 16:
                self._filters.pop(next(iter(self._filters)))
            self._filters[where] = (allowed, prepared)
        return prepared

    def _live_rows(self) -> np.ndarray:
        with self._lock:
            if self._live is None:
                self._live = np.setdiff1d(np.arange(len(self), dtype=np.int64), self.removed, assume_unique=True)
            return self._live

    def keyword(self, question: str, k: int, where: Where | None, allowed: np.ndarray | None, *,
                weights: tuple[float, ...] = (1.0,), stopwords: Iterable[str] = ()) -> list[tuple[int, float]]:
        """BM25 (row, score) best first; ``weights`` per FTS column (text, section, title, speaker)."""
        phrases = fts_phrases(question, stopwords)
        if not phrases or k <= 0 or (allowed is not None and len(allowed) == 0):
            return []
        weights = column_weights(weights)  # one per FTS column, bound as parameters of BM25_SQL
        mask = runs = None
        listed = self._lists_for(weights)
        if allowed is not None:
            allowed = np.asarray(allowed, dtype=np.int64)
            if len(allowed) > 1 and not (allowed[1:] > allowed[:-1]).all():
                allowed = np.unique(allowed)
            breaks = np.flatnonzero(np.diff(allowed) != 1)
            if len(breaks) < MAX_RUNS:  # a document's rows: a few runs of consecutive rows
                runs = np.r_[allowed[0], allowed[breaks + 1]], np.r_[allowed[breaks], allowed[-1]] + 1
                if listed is None:  # FTS5 seeks to each run, nothing else is scored
                    found: list[tuple[int, float]] = []
                    for lo, hi in zip(*(part.tolist() for part in runs), strict=True):
                        found += self._ranked(weights, _any(phrases), k, None, between=(lo, hi - 1))
                    return _best(found, k)
            mask = np.zeros(max(len(self), int(allowed[-1]) + 1), dtype=bool)  # row -> allowed, one lookup per match
            mask[allowed[allowed >= 0]] = True
        n_rows = len(self)
        if min(weights) < 0 or n_rows <= EXPENSIVE_MIN_ROWS:  # the bound below needs every column to add
            return self._ranked(weights, _any(phrases), k, mask)  # (and on a small index no word is costly)
        if self._posting_lists() is not None:
            self._indexed_as(phrases)  # one tokenizer pass for the question's new words
        held = {p: self._rows_of(p) for p in phrases}
        costly_at = max(EXPENSIVE_SHARE * n_rows, EXPENSIVE_MIN_ROWS)  # on a small index no word is costly
        # a costly word with no positive IDF adds at most 2.2e-6 to a score: it goes, and a row holding
        # nothing else is not ranked (by noise) at the cost of scoring half the index
        phrases = [p for p in phrases if held[p] > 0 and not (held[p] > costly_at and 2 * held[p] >= n_rows)]
        if not phrases:
            return []
        summed = self._summed(listed, phrases, held, costly_at, weights, k, mask, runs) if listed is not None else None
        if summed is not None:
            return summed
        return self._top(sorted(phrases, key=held.__getitem__), [], set(), k, mask, held, costly_at, weights)

    def _lists_for(self, weights: tuple[float, ...]) -> Postings | None:
        """The store's posting lists, if it has them for these column weights."""
        postings = self._posting_lists()
        return postings if postings is not None and weights == column_weights(postings.weights) else None

    def _summed(self, postings: Postings, phrases: list[str], held: dict[str, int], costly_at: float,
                weights: tuple[float, ...], k: int, mask: np.ndarray | None,
                runs: tuple[np.ndarray, np.ndarray] | None = None) -> list[tuple[int, float]] | None:
        """The best ``k`` allowed rows by the posting lists (index/postings.py, written for ``weights``): each
        listed phrase's scores
        for all its rows at once, the others' from one FTS5 query over their few rows, added up row by row;
        the rows appended since the lists were written scored by FTS5 alone. ``runs`` (first rows and past
        the last), when ``mask`` allows a few runs of rows: only their part of each list is read. None when
        an unlisted phrase is too frequent for FTS5 to score quickly."""
        version = self.con.execute("PRAGMA data_version").fetchone()[0]
        parts, rest = [], []
        for phrase in phrases:
            scored = self._phrase_scored(phrase, version, postings)
            if scored is not None:
                parts.append(scored if runs is None else _within(*scored, runs))
            elif held[phrase] > costly_at:
                return None
            else:
                rest.append(phrase)
        end = min(postings.rows, len(self))
        if rest:  # FTS5's bm25() of these phrases alone (lower is better): their share of the sum
            found = self.con.execute(BM25_SQL + " AND rowid < ?", (*weights, _any(rest), end)).fetchall()
            parts.append((np.fromiter((r for r, _ in found), dtype=np.int64, count=len(found)),
                          np.fromiter((-s for _, s in found), dtype=np.float64, count=len(found))))
        rows, total = _added(parts, end)
        if mask is not None:
            keep = mask[rows]
            rows, total = rows[keep], total[keep]
        if len(rows) > k:  # the k best, and every row tied with the k-th
            keep = total >= np.partition(total, len(rows) - k)[len(rows) - k]
            rows, total = rows[keep], total[keep]
        out = sorted(zip(rows.tolist(), total.tolist(), strict=True), key=lambda hit: (-hit[1], hit[0]))[:k]
        if len(self) > end:  # rows appended in place since the lists were written: no list holds them
            out = _best(out + self._ranked(weights, _any(phrases), k, mask, between=(end, len(self) - 1)), k)
        return out

    def _posting_lists(self) -> Postings | None:
        with self._lock:
            if self._postings is None:
                self._postings = read_postings(self.con) or False
        return self._postings or None

    def _phrase_list(self, phrase: str) -> tuple[np.ndarray, np.ndarray, int] | None:
        """A listed one-term phrase's rows (those removed since left out), weighted counts, and how many rows
        hold the phrase now (the list's and those appended since); None if the phrase has no list."""
        postings = self._posting_lists()
        if postings is None:
            return None
        if phrase in self._posted:
            return self._posted[phrase]
        terms = self._indexed_as([phrase])[phrase]
        found = read_term(self.con, terms[0]) if len(terms) == 1 else None
        if found is not None:
            rows, freqs = found
            keep = rows < len(self)
            if len(self.removed):
                keep &= ~np.isin(rows, self.removed)
            rows, freqs = rows[keep], freqs[keep]
            appended = self.con.execute("SELECT count(*) FROM passages_fts WHERE passages_fts MATCH ? AND rowid >= ?",
                                        (phrase, postings.rows)).fetchone()[0]
            found = rows, freqs, len(rows) + appended
        self._keep(self._posted, phrase, found, 0 if found is None else len(found[0]))
        return found

    def _indexed_as(self, phrases: list[str]) -> dict[str, list[str]]:
        """The terms FTS5 indexes each phrase's text as, kept (``fts_terms`` makes a tokenizer each call)."""
        out = {p: self._terms.get(p) for p in phrases}
        new = [p for p, terms in out.items() if terms is None]
        if new:
            out.update(zip(new, fts_terms([p[1:-1].replace('""', '"') for p in new]), strict=True))
            if len(self._terms) > 50_000:
                self._terms.clear()
            self._terms.update((p, out[p]) for p in new)
        return out

    def _phrase_scored(self, phrase: str, version: int,
                       postings: Postings) -> tuple[np.ndarray, np.ndarray] | None:
        """A listed one-term phrase's rows and their bm25() for the store as it is now; None if the phrase has
        no list."""
        listed = self._phrase_list(phrase)
        if listed is None:
            return None
        rows, freqs, held = listed
        key = (phrase, version)
        scores = self._phrase_scores.get(key)
        if scores is None:
            n_fts, avgdl = averages(self.con)
            scores = term_scores(freqs.astype(np.float64), postings.sizes[rows].astype(np.float64), n_fts, held,
                                 avgdl)
            self._keep(self._phrase_scores, key, scores, len(scores))
        return rows, scores

    def _keep(self, cache: dict, key, value, rows: int) -> None:
        """``cache[key] = value``, holding ``rows`` rows; both caches of the lists are emptied first when
        they would hold more than ``KEPT_ROWS`` rows (or entries) together, and a value of more rows than
        that is not kept."""
        if rows > KEPT_ROWS:
            return
        with self._lock:
            if self._kept_rows + rows > KEPT_ROWS or len(self._posted) + len(self._phrase_scores) > 50_000:
                self._posted.clear()
                self._phrase_scores.clear()
                self._kept_rows = 0
            cache[key] = value
            self._kept_rows += rows

    def _top(self, phrases: list[str], others: list[str], exclude: set[int] | None, k: int,
             mask: np.ndarray | None, held: dict[str, int], costly_at: float,
             weights: tuple[float, ...]) -> list[tuple[int, float]]:
        """The best ``k`` allowed rows matching one of ``phrases`` (rarest first) and none of ``others``, each
        scored as by every phrase of the question (an ``others`` phrase is in none of these rows). ``exclude``:
        the rows matching ``others``, where every one is known, else None.

        MaxScore: the frequent phrases (above ``costly_at`` rows, else the most frequent one) cannot add more
        than ``bound`` to a row, so when k rows matching a rarer phrase score at least that, no row holding
        frequent ones alone can be among the best k, and those are not scored. (A store with posting lists
        is searched by ``_summed`` instead, for the weights they were written for.)"""
        rows = sum(held[p] for p in phrases)
        unless = f" NOT {_any(others)}" if others else ""
        if rows <= costly_at:
            return self._ranked(weights, f"{_any(phrases)}{unless}", k, mask)
        if len(phrases) == 1:
            alone = self._frequent_alone(weights, _any(phrases), rows, exclude, k, mask)
            return alone if alone is not None else self._scored(weights, f"{_any(phrases)}{unless}", rows, k, mask)
        cut = min(sum(held[p] <= costly_at for p in phrases), len(phrases) - 1) or len(phrases) - 1
        rare, frequent = phrases[:cut], phrases[cut:]
        bound = sum((K1 + 1) * idf(len(self), held[p]) for p in frequent)
        both = self._ranked(weights, f"({_any(rare)} AND {_any(frequent)}){unless}", k, mask)
        rare_only = self._top(rare, [*others, *frequent], None, k, mask, held, costly_at, weights)
        found = _best(both + rare_only, k)
        if len(found) == k and found[-1][1] >= bound:
            return found
        if exclude is not None and len(both) < k and len(rare_only) < k:  # every allowed row of a rare phrase
            exclude = exclude | {r for r, _ in both + rare_only}
        else:
            exclude = None
        return _best(found + self._top(frequent, [*others, *rare], exclude, k, mask, held, costly_at, weights), k)

    def _frequent_alone(self, weights: tuple[float, ...], match: str, rows: int, exclude: set[int] | None, k: int,
                        mask: np.ndarray | None) -> list[tuple[int, float]] | None:
        """The best ``k`` allowed rows matching the frequent words ``match`` and none of ``exclude``, from the
        kept ranking of those words alone (a row without a rare word scores by them alone); None when that
        ranking is too short to tell. A few sets of common words come back question after question."""
        if exclude is None:
            return None
        depth = max(CACHE_DEPTH, 4 * k)
        key = (weights, match)
        kept = self._alone.get(key)
        if kept is None or (kept[1] < depth and len(kept[0]) == kept[1]):
            if len(self._alone) >= 256:
                self._alone.clear()
            kept = self._alone[key] = (self._scored(weights, match, rows, depth, None), depth)
        ranked, asked = kept
        out = [(r, s) for r, s in ranked if r not in exclude and (mask is None or mask[r])][:k]
        return out if len(out) == k or len(ranked) < asked else None

    def _scored(self, weights: tuple[float, ...], match: str, rows: int, k: int,
                mask: np.ndarray | None) -> list[tuple[int, float]]:
        """``_ranked`` of a MATCH expected to hit ``rows`` rows: past ``PARALLEL_ROWS``, split by row range
        (IDF is the whole table's in each range, so the scores are the same) and scored on several cores."""
        pool = self._range_searchers() if rows > PARALLEL_ROWS and WORKERS > 1 else None
        if pool is None:
            return self._ranked(weights, match, k, mask)
        cons, executor = pool
        # more ranges than threads: a word's rows may crowd into some ranges (documents of one kind together)
        edges = np.linspace(0, len(self), RANGES_PER_WORKER * len(cons) + 1).astype(np.int64).tolist()
        free = queue.SimpleQueue()
        for con in cons:
            free.put(con)

        def search(lo: int, hi: int) -> list[tuple[int, float]]:
            con = free.get()
            try:
                return self._ranked(weights, match, k, mask, con, between=(lo, hi - 1))
            finally:
                free.put(con)

        jobs = [executor.submit(search, lo, hi) for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
        return _best([hit for job in jobs for hit in job.result()], k)

    def _holds_newer_rows(self, con: sqlite3.Connection) -> bool:
        last = con.execute("SELECT max(row) FROM passages").fetchone()[0]
        return last is not None and last >= len(self)

    def _range_searchers(self) -> tuple[list[sqlite3.Connection], ThreadPoolExecutor] | None:
        with self._lock:
            if self._pool is None:
                path = next((file for _, name, file in self.con.execute("PRAGMA database_list") if name == "main"), "")
                if not path:
                    return None
                cons = [sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
                        for _ in range(WORKERS)]
                self._pool = (cons, ThreadPoolExecutor(WORKERS, thread_name_prefix="fts5-range"))
            return self._pool

    def _rows_of(self, phrase: str) -> int:
        """Rows holding ``phrase`` (FTS5 tokenizes and stems it as it does in a query)."""
        listed = self._phrase_list(phrase)
        if listed is not None:  # counted from the list
            return listed[2]
        n = self._rows_holding.get(phrase)
        if n is None:
            if len(self._rows_holding) > 50_000:
                self._rows_holding.clear()
            sql = "SELECT count(*) FROM passages_fts WHERE passages_fts MATCH ?"
            n = self.con.execute(sql, (phrase,)).fetchone()[0]
            self._rows_holding[phrase] = n
        return n

    def _ranked(self, weights: tuple[float, ...], match: str, k: int, mask: np.ndarray | None,
                con: sqlite3.Connection | None = None, *,
                between: tuple[int, int] | None = None) -> list[tuple[int, float]]:
        """The first ``k`` rows matching ``match`` in rank order (BM25 with ``weights``, one per FTS column),
        whose rows ``mask`` allows (all, without one); only rows ``between`` lo and hi (inclusive) if given."""
        con = con or self.con
        sql, params = BM25_SQL, (*weights, match)
        if between is not None:
            sql, params = sql + " AND rowid BETWEEN ? AND ?", (*params, *between)
        n = len(self)  # rows past this generation's (an update appended since it opened) are not its own
        # FTS5's bm25() is lower-is-better; flip it so every score reads higher-is-better
        if mask is None:
            if self._holds_newer_rows(con):  # a rowid bound costs FTS5 a little, so only when needed
                sql, params = sql + " AND rowid < ?", (*params, n)
            return [(int(r), -float(s)) for r, s in con.execute(sql + " ORDER BY s LIMIT ?", (*params, k))]
        share = np.count_nonzero(mask[:n]) / max(n, 1)
        if share >= BROAD_FILTER:
            # the best k allowed rows are among the best few k / share of all: SQLite keeps only those while
            # scoring (a top-n sort), not every match; a deeper search only if the guess fell short
            depth = int(2 * k / share) + 64
            batch = con.execute(sql + " ORDER BY s LIMIT ?", (*params, depth)).fetchall()
            out = _allowed_of(batch, mask, n)
            if len(out) >= k or len(batch) < depth:
                return out[:k]
        out = []
        cursor = con.execute(sql + " ORDER BY s", params)
        while len(out) < k and (batch := cursor.fetchmany(2048)):
            out.extend(_allowed_of(batch, mask, n))
        cursor.close()
        return out[:k]


def _allowed_of(batch: list[tuple[int, float]], mask: np.ndarray, n: int) -> list[tuple[int, float]]:
    """The (row, score) pairs of ``batch`` whose row is one of the first ``n`` and allowed, score flipped."""
    if not batch:
        return []
    rows = np.fromiter((r for r, _ in batch), dtype=np.int64, count=len(batch))
    keep = rows < n
    keep[keep] = mask[rows[keep]]
    return [(int(r), -float(s)) for (r, s), kept in zip(batch, keep, strict=True) if kept]


def _within(rows: np.ndarray, scores: np.ndarray, runs: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The part of a list (rows ascending) inside ``runs``: (first rows, past the last rows)."""
    lo, hi = np.searchsorted(rows, runs[0]), np.searchsorted(rows, runs[1])
    at = np.concatenate([np.arange(a, b) for a, b in zip(lo.tolist(), hi.tolist(), strict=True)])
    return rows[at], scores[at]


def _added(parts: list[tuple[np.ndarray, np.ndarray]], end: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row of the (rows, scores) parts once, ascending, with its scores added up; rows below ``end``.
    A row may be in several parts, and is in no part twice."""
    size = sum(len(rows) for rows, _ in parts)
    if size * 16 < end:  # few: sorted and added
        rows = np.concatenate([r for r, _ in parts]) if parts else np.zeros(0, dtype=np.int64)
        unique, at = np.unique(rows, return_inverse=True)
        return unique, np.bincount(at, weights=np.concatenate([s for _, s in parts]), minlength=len(unique))
    total = np.zeros(end, dtype=np.float64)  # many: added in place, row by row
    matched = np.zeros(end, dtype=bool)
    for rows, scores in parts:
        total[rows] += scores
        matched[rows] = True
    rows = np.flatnonzero(matched)
    return rows, total[rows]


def _best(found: list[tuple[int, float]], k: int) -> list[tuple[int, float]]:
    """The best ``k``, each row once (at its highest score: an exact score beats a lower bound of it)."""
    best: dict[int, float] = {}
    for row, score in found:
        if score > best.get(row, -math.inf):
            best[row] = score
    return sorted(best.items(), key=lambda item: (-item[1], item[0]))[:k]


def _padded(a: np.ndarray, k: int, fill) -> np.ndarray:
    """(1, n) -> (1, k), filled with ``fill`` past n."""
    if a.shape[1] >= k:
        return a
    return np.concatenate([a, np.full((a.shape[0], k - a.shape[1]), fill, dtype=a.dtype)], axis=1)
