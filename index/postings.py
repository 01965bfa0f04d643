"""Posting lists: each term's rows and weighted counts, so that a keyword search scores in numpy, not FTS5.

FTS5 scores a query row by row, a few microseconds each, and on a library of a
million passages the words of a question are held by tens or hundreds of
thousands of rows: most of a question's time. When a generation is written,
every term held by at least ``MIN_ROWS`` rows gets its rows and its weighted
count in each (``f``: the count in each column times the column's weight, as
FTS5's bm25() adds them up), read from FTS5's own index (``fts5vocab``, one
row per token), and every row gets its length in tokens. A one-word phrase's
BM25 is then computed for all its rows at once, as FTS5's bm25() computes it
(fts5_aux.c)::

    idf * f * (k1 + 1) / (f + k1 * (1 - b + b * D / avgdl))

with the IDF, the row count and the average length of the index as it is now,
so the lists stay exact after updates in place: rows appended since are scored
by FTS5, rows removed since are left out (index/local_store.py), and once the
rows no list covers pass ``IngestConfig.compact_share`` of the index the next
update writes a whole generation, lists included (index/build.py). A
question's rarer words, and any word FTS5 splits into several terms, are
scored by FTS5 in one query over their few rows; BM25 is a sum over the
phrases, so the two parts add up to the score of one FTS5 query over every
word. A word in half the rows or more is listed too, although the search
leaves it out (no positive IDF): rows appended later can take it under half.
"""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import dataclass

import numpy as np

from index.store import FTS_COLUMNS

# FTS5 bm25() weights of the text, section, title and speaker columns: the keyword search's default
# (chat.retrieve.RetrieveConfig.bm25_weights), and the weights the lists are written for.
FTS_WEIGHTS = (1.0, 0.5, 0.3, 0.3)
EXPENSIVE_SHARE = 0.02  # a word in more than this share of the rows is costly to score in full...
EXPENSIVE_MIN_ROWS = 2000  # ...and in more than this many (a small index is searched in one query)
MIN_ROWS = 64  # a term in fewer rows has no list: FTS5 scores so few quickly

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


# each token of a term as one number, row * 4 + its column in FTS_COLUMNS' order, all in one text: numpy parses
# that text far faster than Python makes a tuple per token (2.5x on the whole write)
TOKENS_SQL = ("SELECT group_concat(doc * 4 + CASE col WHEN 'text' THEN 0 WHEN 'section' THEN 1 WHEN 'title' THEN 2 "
              "WHEN 'speaker' THEN 3 END) FROM temp.posting_tokens WHERE term = ?")

SCHEMA = """
CREATE TABLE IF NOT EXISTS postings (term TEXT PRIMARY KEY, rows BLOB, freqs BLOB) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS postings_meta (rows INTEGER, weights TEXT, min_rows INTEGER, sizes BLOB);
"""


def row_sizes(con: sqlite3.Connection, n_rows: int) -> np.ndarray:
    """Each row's length in tokens over all columns (FTS5's ``D``), by rowid; 0 for a row FTS5 does not hold."""
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
    column_weight = np.array(column_weights(weights))
    columns = 4  # TOKENS_SQL's
    con.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.posting_rows USING fts5vocab(main, passages_fts, 'row')")
    con.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.posting_tokens "
                "USING fts5vocab(main, passages_fts, 'instance')")
    try:
        terms = [t for t, in con.execute("SELECT term FROM temp.posting_rows WHERE doc >= ?", (min_rows,))]
        for term in terms:
            codes = np.fromstring(con.execute(TOKENS_SQL, (term,)).fetchone()[0], dtype=np.int64, sep=",")
            if len(codes) > 1 and (codes[1:] < codes[:-1]).any():  # FTS5 gives a term's rows in order
                codes = np.sort(codes)
            rows = codes // columns
            starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
            freqs = np.add.reduceat(column_weight[codes % columns], starts)
            con.execute("INSERT INTO postings VALUES (?, ?, ?)",
                        (term, rows[starts].astype(np.int32).tobytes(), freqs.astype(np.float32).tobytes()))
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


def listed_rows(con: sqlite3.Connection) -> int | None:
    """The rows the store's lists cover (the first ones; later rows were appended in place); None without."""
    try:
        found = con.execute("SELECT rows FROM postings_meta").fetchone()
    except sqlite3.OperationalError:
        return None
    return None if found is None else int(found[0])


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

