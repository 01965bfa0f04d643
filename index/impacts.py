"""Impact lists: each frequent term's best rows by its own BM25 score, written with the store.

A question whose keyword search meets only frequent words ("committee", "and"
on a big library) would otherwise have FTS5 score every row holding them, and
on a million passages that is a few hundred thousand rows and a few hundred
milliseconds. When a generation is written each term in more than
``costly_at`` rows (the rows index/local_store.py calls costly) gets its
``DEPTH`` best rows by FTS5's own ``bm25()`` for the term alone, with the
default column weights. The keyword search reads them two ways
(index/local_store.py):

- the rows holding a frequent word and none of the question's rarer ones score
  by that word alone, so their best ones are the list's (exact while the list
  is deep enough: no row past it can score more than ``unseen``);
- no row can score more than a term's best entry from that term, a far
  tighter bound for MaxScore than the ``(k1 + 1) * idf`` that holds for any
  row of any index.

A list keeps, for each row, what its score is made of: the term's weighted
count in the row and the row's length. An update in place changes every
IDF and the average length, so the scores are recomputed for the index as it
is now, as FTS5's bm25() computes them (fts5_aux.c): ``idf * f * (k1 + 1) /
(f + k1 * (1 - b + b * D / avgdl))``. Rows appended since are scored by FTS5,
removed ones dropped, and a row past the list is bounded by the list's last
score at write time times the change in average length (a row's term score
moves by at most that factor). FTS5 stems a query's words too, and a Porter
stem is not always its own stem ("committee" is indexed as "committe", which
stems to "committ"), so each term is queried through a word that FTS5 indexes
as it (``query_words``: the term itself, or it with the letter Porter took
off put back); a term with no such word is not listed. The keyword search
finds a list by the term its question word is indexed as.
"""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import dataclass

import numpy as np

from index.store import FTS_COLUMNS

# FTS5 bm25() weights of the text, section, title and speaker columns: the keyword search's default
# (chat.retrieve.RetrieveConfig.bm25_weights), and the weights the lists are scored with.
FTS_WEIGHTS = (1.0, 0.5, 0.3, 0.3)
EXPENSIVE_SHARE = 0.02  # a word in more than this share of the rows is costly to score in full...
EXPENSIVE_MIN_ROWS = 2000  # ...and in more than this many (a small index is searched in one query)
DEPTH = 1024  # rows kept per term

SCHEMA = """
CREATE TABLE IF NOT EXISTS impacts (term TEXT PRIMARY KEY, rows BLOB, freqs BLOB, sizes BLOB, last REAL)
    WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS impacts_meta (rows INTEGER, weights TEXT, depth INTEGER, avgdl REAL);
"""


def costly_at(n_rows: int) -> float:
    """Rows a term must be in for scoring all of them to be costly."""
    return max(EXPENSIVE_SHARE * n_rows, EXPENSIVE_MIN_ROWS)


# The keyword search's query: (rowid, FTS5 bm25 score, lower is better) of the rows a MATCH holds. Bound:
# the four column weights (text, section, title, speaker), then the MATCH expression.
BM25_SQL = "SELECT rowid, bm25(passages_fts, ?, ?, ?, ?) AS s FROM passages_fts WHERE passages_fts MATCH ?"


def column_weights(weights: tuple[float, ...]) -> tuple[float, ...]:
    """``weights`` as BM25_SQL binds them: one float per FTS column, the missing ones 0."""
    return tuple(float(x) for x in (*weights, *[0.0] * len(FTS_COLUMNS))[: len(FTS_COLUMNS)])


K1, B = 1.2, 0.75  # FTS5's bm25() constants (fts5_aux.c)


def _varints(blob: bytes) -> list[int]:
    """SQLite's variable-length integers, one after another (FTS5's records are made of them)."""
    out, i = [], 0
    while i < len(blob):
        v = 0
        for j in range(9):
            c = blob[i]
            i += 1
            if j == 8:
                v = (v << 8) | c
                break
            v = (v << 7) | (c & 0x7F)
            if not c & 0x80:
                break
        out.append(v)
    return out


def averages(con: sqlite3.Connection) -> tuple[int, float]:
    """(rows, average row length in tokens over all columns) as FTS5's bm25() reads them (the averages
    record, id 1 of ``passages_fts_data``)."""
    found = con.execute("SELECT block FROM passages_fts_data WHERE id = 1").fetchone()
    values = _varints(found[0]) if found else []
    rows = values[0] if values else 0
    return rows, (sum(values[1:]) / rows if rows else 0.0)


def idf(n_rows: int, n: int) -> float:
    """FTS5's bm25() IDF of a phrase in ``n`` of ``n_rows`` rows (fts5_aux.c, clamped as there)."""
    value = math.log((n_rows - n + 0.5) / (n + 0.5))
    return value if value > 0 else 1e-6


def term_scores(freqs: np.ndarray, sizes: np.ndarray, n_rows: int, n: int, avgdl: float) -> np.ndarray:
    """bm25() of a one-term query for rows where the term's weighted count is ``freqs`` and the length
    ``sizes``, in an index of ``n_rows`` rows, ``n`` of them holding the term (higher is better)."""
    return idf(n_rows, n) * freqs * (K1 + 1) / (freqs + K1 * (1 - B + B * sizes / avgdl))


def write_impacts(con: sqlite3.Connection, weights: tuple[float, ...] = FTS_WEIGHTS, depth: int = DEPTH) -> int:
    """(Re)write the lists for the store's rows as they are now; returns how many terms were listed."""
    from index.store import _term

    con.executescript(SCHEMA)
    con.execute("DELETE FROM impacts")
    con.execute("DELETE FROM impacts_meta")
    n_rows = con.execute("SELECT count(*) FROM passages").fetchone()[0]
    fts_rows, avgdl = averages(con)
    con.execute("INSERT INTO impacts_meta VALUES (?, ?, ?, ?)", (n_rows, json.dumps(list(weights)), depth, avgdl))
    if n_rows <= EXPENSIVE_MIN_ROWS:
        return 0
    con.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.impact_vocab USING fts5vocab(main, passages_fts, 'row')")
    try:
        # a word in half the rows or more has no positive IDF: the search leaves it out, so no list
        terms = con.execute("SELECT term, doc FROM temp.impact_vocab WHERE doc > ? AND 2 * doc < ?",
                            (costly_at(n_rows), n_rows)).fetchall()
    finally:
        con.execute("DROP TABLE temp.impact_vocab")
    held = dict(terms)
    words = query_words([t for t, _ in terms])
    sql = BM25_SQL + " ORDER BY s LIMIT ?"
    for term, word in words.items():
        found = con.execute(sql, (*column_weights(weights), _term(word), depth)).fetchall()
        rows = np.array([r for r, _ in found], dtype=np.int64)
        scores = np.array([-s for _, s in found], dtype=np.float64)
        sizes = np.array([sum(_varints(con.execute("SELECT sz FROM passages_fts_docsize WHERE id = ?",
                                                    (int(r),)).fetchone()[0])) for r in rows], dtype=np.float64)
        # the term's weighted count, solved from the score: s = idf * f * (k1 + 1) / (f + k1 * (1 - b + b D / L))
        norm = K1 * (1 - B + B * sizes / avgdl)
        freqs = scores * norm / (idf(fts_rows, held[term]) * (K1 + 1) - scores)
        # the last row's score without its IDF: what bounds a row past the list, whatever the IDF is later
        last = float(scores[-1]) / idf(fts_rows, held[term]) if len(scores) else 0.0
        con.execute("INSERT INTO impacts VALUES (?, ?, ?, ?, ?)",
                    (term, rows.tobytes(), freqs.tobytes(), sizes.tobytes(), last))
    return len(words)


def query_words(terms: list[str]) -> dict[str, str]:
    """For each indexed term, a word that FTS5's tokenizer indexes as exactly that term, to query it by: the term
    itself when it is its own stem, else the term with what Porter's last steps take off put back ("committe"
    <- "committee", "agre" <- "agree", "polici" <- "policy"). Terms with no such word are left out."""
    from index.store import fts_terms

    candidates = {t: [t, f"{t}e", f"{t}s", *([f"{t[:-1]}y"] if t.endswith("i") else [])] for t in terms}
    flat = [w for words in candidates.values() for w in words]
    indexed = dict(zip(flat, fts_terms(flat), strict=True))
    out = {}
    for term, words in candidates.items():
        word = next((w for w in words if indexed[w] == [term]), None)
        if word is not None:
            out[term] = word
    return out


@dataclass(frozen=True, slots=True)
class ImpactList:
    """A term's listed rows scored for the index as it is now, best first."""

    rows: np.ndarray
    scores: np.ndarray  # higher is better, as FTS5 scores the term alone
    complete: bool  # every row holding the term is listed
    unseen: float  # no row past the list scores more than this from the term

    @property
    def top(self) -> float:
        return float(self.scores[0]) if len(self.scores) else 0.0


@dataclass(frozen=True, slots=True)
class StoredList:
    """A term's list as written: rows, the term's weighted count and the length of each, and the last row's
    score divided by the term's IDF at write time."""

    rows: np.ndarray
    freqs: np.ndarray
    sizes: np.ndarray
    last: float
    complete: bool


def read_meta(con: sqlite3.Connection) -> tuple[int, tuple[float, ...], int, float] | None:
    """(rows, weights, depth, average length) the lists were written for; None for a store without them."""
    try:
        found = con.execute("SELECT rows, weights, depth, avgdl FROM impacts_meta").fetchone()
    except sqlite3.OperationalError:
        return None
    if found is None:
        return None
    return int(found[0]), tuple(float(x) for x in json.loads(found[1])), int(found[2]), float(found[3])


def read_list(con: sqlite3.Connection, term: str, depth: int) -> StoredList | None:
    found = con.execute("SELECT rows, freqs, sizes, last FROM impacts WHERE term = ?", (term,)).fetchone()
    if found is None:
        return None
    rows = np.frombuffer(found[0], dtype=np.int64)
    return StoredList(rows, np.frombuffer(found[1], dtype=np.float64), np.frombuffer(found[2], dtype=np.float64),
                      float(found[3]), len(rows) < depth)
