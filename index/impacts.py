"""Impact lists: each frequent term's best rows by its own BM25 score, written with the store.

A question whose keyword search meets only frequent words ("committee", "and"
on a big library) would otherwise have FTS5 score every row holding them, and
on a million passages that is a few hundred thousand rows and a few hundred
milliseconds. At ingest each term in more than ``costly_at`` rows (the rows
index/local_store.py calls costly) gets its ``DEPTH`` best rows, scored by
FTS5's own ``bm25()`` with the default column weights, as the query for the
term alone. The keyword search reads them two ways (index/local_store.py):

- the rows holding a frequent word and none of the question's rarer ones score
  by that word alone, so their best ones are the list's (exact while the list
  is deep enough: any row past it scores no more than its last);
- no row can score more than a term's first entry from that term, a far
  tighter bound for MaxScore than the ``(k1 + 1) * idf`` that holds for any
  row of any index.

A list is exact only for the generation it was written for (IDF and average
length change with every row), so it is used only while the index holds the
same rows (``rows``); an update in place makes the search fall back to
scoring. Only terms that FTS5's tokenizer maps to themselves are listed (a
Porter stem is not always its own stem), so a listed term is queried exactly.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

import numpy as np

# FTS5 bm25() weights of the text, section, title and speaker columns: the keyword search's default
# (chat.retrieve.RetrieveConfig.bm25_weights), and the weights the lists are scored with.
FTS_WEIGHTS = (1.0, 0.5, 0.3, 0.3)
EXPENSIVE_SHARE = 0.02  # a word in more than this share of the rows is costly to score in full...
EXPENSIVE_MIN_ROWS = 2000  # ...and in more than this many (a small index is searched in one query)
DEPTH = 1024  # rows kept per term

SCHEMA = """
CREATE TABLE IF NOT EXISTS impacts (term TEXT PRIMARY KEY, rows BLOB, scores BLOB) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS impacts_meta (rows INTEGER, weights TEXT, depth INTEGER);
"""


def costly_at(n_rows: int) -> float:
    """Rows a term must be in for scoring all of them to be costly."""
    return max(EXPENSIVE_SHARE * n_rows, EXPENSIVE_MIN_ROWS)


def bm25_sql(weights: tuple[float, ...]) -> str:
    """The keyword search's query: (rowid, FTS5 bm25 score, lower is better) of the rows a MATCH holds."""
    w = tuple(float(x) for x in weights)
    return (f"SELECT rowid, bm25(passages_fts, {w[0]}, {w[1]}, {w[2]}, {w[3]}) AS s "
            "FROM passages_fts WHERE passages_fts MATCH ?")


def write_impacts(con: sqlite3.Connection, weights: tuple[float, ...] = FTS_WEIGHTS, depth: int = DEPTH) -> int:
    """(Re)write the lists for the store's rows as they are now; returns how many terms were listed."""
    from index.store import _term, fts_terms

    con.executescript(SCHEMA)
    con.execute("DELETE FROM impacts")
    con.execute("DELETE FROM impacts_meta")
    n_rows = con.execute("SELECT count(*) FROM passages").fetchone()[0]
    con.execute("INSERT INTO impacts_meta VALUES (?, ?, ?)", (n_rows, json.dumps(list(weights)), depth))
    if n_rows <= EXPENSIVE_MIN_ROWS:
        return 0
    con.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.impact_vocab USING fts5vocab(main, passages_fts, 'row')")
    try:
        # a word in half the rows or more has no positive IDF: the search leaves it out, so no list
        terms = [t for (t,) in con.execute("SELECT term FROM temp.impact_vocab WHERE doc > ? AND 2 * doc < ?",
                                           (costly_at(n_rows), n_rows))]
    finally:
        con.execute("DROP TABLE temp.impact_vocab")
    own = [t for t, as_indexed in zip(terms, fts_terms(terms), strict=True) if as_indexed == [t]]
    sql = bm25_sql(weights) + " ORDER BY s LIMIT ?"
    for term in own:
        found = con.execute(sql, (_term(term), depth)).fetchall()
        rows = np.array([r for r, _ in found], dtype=np.int64)
        scores = np.array([-s for _, s in found], dtype=np.float64)  # higher is better, as the search reads
        con.execute("INSERT INTO impacts VALUES (?, ?, ?)", (term, rows.tobytes(), scores.tobytes()))
    return len(own)


@dataclass(frozen=True, slots=True)
class ImpactList:
    rows: np.ndarray  # best first
    scores: np.ndarray  # higher is better, as FTS5 scores the term alone
    complete: bool  # every row holding the term (fewer than the depth)

    @property
    def top(self) -> float:
        return float(self.scores[0]) if len(self.scores) else 0.0

    @property
    def last(self) -> float:
        return float(self.scores[-1]) if len(self.scores) else 0.0


def read_meta(con: sqlite3.Connection) -> tuple[int, tuple[float, ...], int] | None:
    """(rows, weights, depth) the lists were written for; None for a store written before them."""
    try:
        found = con.execute("SELECT rows, weights, depth FROM impacts_meta").fetchone()
    except sqlite3.OperationalError:
        return None
    if found is None:
        return None
    return int(found[0]), tuple(float(x) for x in json.loads(found[1])), int(found[2])


def read_list(con: sqlite3.Connection, term: str, depth: int) -> ImpactList | None:
    found = con.execute("SELECT rows, scores FROM impacts WHERE term = ?", (term,)).fetchone()
    if found is None:
        return None
    rows, scores = np.frombuffer(found[0], dtype=np.int64), np.frombuffer(found[1], dtype=np.float64)
    return ImpactList(rows, scores, len(rows) < depth)
