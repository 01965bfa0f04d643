"""Posting lists: each term's rows and weighted counts, so that a keyword search scores in numpy, not FTS5.

FTS5 scores a query row by row, a few microseconds each, and on a library of a
million passages the words of a question are held by tens or hundreds of
thousands of rows: most of a question's time. When a generation is written,
every term held by at least ``MIN_ROWS`` rows (and by fewer than half of them:
such a word has no positive IDF, and the search leaves it out) gets its rows and
its weighted count in each (``f``: the count in each column times the column's
weight, as FTS5's bm25() adds them up), read from FTS5's own index
(``fts5vocab``, one row per token), and every row gets its length in tokens.
A one-word phrase's BM25 is then computed for all its rows at once, as FTS5's
bm25() computes it (fts5_aux.c)::

    idf * f * (k1 + 1) / (f + k1 * (1 - b + b * D / avgdl))

with the IDF, the row count and the average length of the index as it is now,
so the lists stay exact after updates in place: rows appended since are scored
by FTS5, rows removed since are left out (index/local_store.py). A question's
rarer words, and any word FTS5 splits into several terms, are scored by FTS5
in one query over their few rows; BM25 is a sum over the phrases, so the two
parts add up to the score of one FTS5 query over every word.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

import numpy as np

from index.impacts import EXPENSIVE_MIN_ROWS, FTS_WEIGHTS
from index.store import FTS_COLUMNS

MIN_ROWS = 64  # a term in fewer rows is scored by FTS5, which is quick on so few

SCHEMA = """
CREATE TABLE IF NOT EXISTS postings (term TEXT PRIMARY KEY, rows BLOB, freqs BLOB) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS postings_meta (rows INTEGER, weights TEXT, min_rows INTEGER, sizes BLOB);
"""


def row_sizes(con: sqlite3.Connection, n_rows: int) -> np.ndarray:
    """Each row's length in tokens over all columns (FTS5's ``D``), by rowid; 0 for a row FTS5 does not hold."""
    from index.impacts import _varints

    sizes = np.zeros(n_rows, dtype=np.float32)
    for row, blob in con.execute("SELECT id, sz FROM passages_fts_docsize WHERE id < ?", (n_rows,)):
        sizes[row] = sum(_varints(blob))
    return sizes


def write_postings(con: sqlite3.Connection, weights: tuple[float, ...] = FTS_WEIGHTS,
                   min_rows: int = MIN_ROWS) -> int:
    """(Re)write the lists for the store's rows as they are now; returns how many terms were listed. A small
    index (up to ``EXPENSIVE_MIN_ROWS`` rows) gets none: FTS5 searches it in a few milliseconds."""
    con.executescript(SCHEMA)
    con.execute("DELETE FROM postings")
    con.execute("DELETE FROM postings_meta")
    n_rows = con.execute("SELECT count(*) FROM passages").fetchone()[0]
    if n_rows <= EXPENSIVE_MIN_ROWS:
        return 0
    end = (con.execute("SELECT max(row) FROM passages").fetchone()[0] or 0) + 1
    column_weight = dict(zip(FTS_COLUMNS, (*weights, *[0.0] * len(FTS_COLUMNS)), strict=False))
    con.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.posting_rows USING fts5vocab(main, passages_fts, 'row')")
    con.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.posting_tokens "
                "USING fts5vocab(main, passages_fts, 'instance')")
    try:
        terms = [t for t, in con.execute("SELECT term FROM temp.posting_rows WHERE doc >= ? AND 2 * doc < ?",
                                          (min_rows, n_rows))]
        for term in terms:
            found = con.execute("SELECT doc, col FROM temp.posting_tokens WHERE term = ?", (term,)).fetchall()
            docs = np.fromiter((d for d, _ in found), dtype=np.int64, count=len(found))
            weight = np.fromiter((column_weight.get(c, 0.0) for _, c in found), dtype=np.float64, count=len(found))
            rows, at = np.unique(docs, return_inverse=True)
            freqs = np.bincount(at, weights=weight, minlength=len(rows))
            con.execute("INSERT INTO postings VALUES (?, ?, ?)",
                        (term, rows.astype(np.int32).tobytes(), freqs.astype(np.float32).tobytes()))
    finally:
        con.execute("DROP TABLE temp.posting_rows")
        con.execute("DROP TABLE temp.posting_tokens")
    con.execute("INSERT INTO postings_meta VALUES (?, ?, ?, ?)",
                (end, json.dumps(list(weights)), min_rows, row_sizes(con, end).tobytes()))
    return len(terms)


@dataclass(frozen=True, slots=True)
class Postings:
    """What the lists were written for: the rows below ``rows`` (later ones were appended in place), the column
    weights, the least rows a listed term is in, and each row's length."""

    rows: int
    weights: tuple[float, ...]
    min_rows: int
    sizes: np.ndarray


def read_postings(con: sqlite3.Connection) -> Postings | None:
    """The store's lists' description; None for a store without them."""
    try:
        found = con.execute("SELECT rows, weights, min_rows, sizes FROM postings_meta").fetchone()
    except sqlite3.OperationalError:
        return None
    if found is None:
        return None
    return Postings(int(found[0]), tuple(float(x) for x in json.loads(found[1])), int(found[2]),
                    np.frombuffer(found[3], dtype=np.float32))


def read_term(con: sqlite3.Connection, term: str) -> tuple[np.ndarray, np.ndarray] | None:
    """(rows, weighted counts) of a listed term, rows ascending; None if it has no list."""
    found = con.execute("SELECT rows, freqs FROM postings WHERE term = ?", (term,)).fetchone()
    if found is None:
        return None
    return np.frombuffer(found[0], dtype=np.int32), np.frombuffer(found[1], dtype=np.float32)

