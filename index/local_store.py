"""The default search backend: the index folder's own FAISS vectors and SQLite FTS5 keywords.

It implements ``index.backend.SearchBackend`` the way ``MilvusBackend`` does for
a Milvus collection, so retrieval asks one interface whichever store the index
uses. Filters arrive as an array of allowed rows (the ``Where`` they came from is
for engines that filter by expression); an empty array matches nothing, never
"all". BM25 never binds a parameter per allowed row: matches stream in rank
order and a numpy mask keeps the allowed ones.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from index.backend import Where
from index.store import FTS_COLUMNS, fts_query
from index.vector_store import VectorStore


@dataclass
class LocalBackend:
    con: sqlite3.Connection  # owned by the Index that opened it
    vectors: VectorStore

    def __len__(self) -> int:
        return len(self.vectors)

    def close(self) -> None:
        """Nothing of its own to close: the connection belongs to the Index."""

    def dense(self, qvec: np.ndarray, k: int, where: Where | None,
              allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        return self.vectors.search(np.asarray(qvec, dtype=np.float32)[None, :], k, allowed)

    def keyword(self, question: str, k: int, where: Where | None, allowed: np.ndarray | None, *,
                weights: tuple[float, ...] = (1.0,), stopwords: Iterable[str] = ()) -> list[tuple[int, float]]:
        """BM25 (row, score) best first; ``weights`` per FTS column (text, section, title, speaker)."""
        match = fts_query(question, stopwords)
        if match is None or (allowed is not None and len(allowed) == 0):
            return []
        # one weight per FTS column; numbers only ever reach the SQL text
        weights = tuple(float(x) for x in (*weights, *[0.0] * len(FTS_COLUMNS))[: len(FTS_COLUMNS)])
        sql = (f"SELECT rowid, bm25(passages_fts, {weights[0]}, {weights[1]}, {weights[2]}, {weights[3]}) AS s "
               "FROM passages_fts WHERE passages_fts MATCH ? ORDER BY s")
        # FTS5's bm25() is lower-is-better; flip it so every score reads higher-is-better
        if allowed is None:
            return [(int(r), -float(s)) for r, s in self.con.execute(sql + " LIMIT ?", (match, k))]
        out: list[tuple[int, float]] = []
        cursor = self.con.execute(sql, (match,))
        while len(out) < k and (batch := cursor.fetchmany(2048)):
            rows = np.fromiter((r for r, _ in batch), dtype=np.int64, count=len(batch))
            keep = np.isin(rows, allowed)
            out.extend((int(r), -float(s)) for (r, s), kept in zip(batch, keep, strict=True) if kept)
        cursor.close()
        return out[:k]
