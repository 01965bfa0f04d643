"""The seam between Quotable and a vector engine.

Everything Quotable asks of a vector store is the ``VectorStore`` protocol:
build it from a matrix, save and open it, count it, and search it with an
optional set of allowed rows applied inside the search. ``FaissStore`` is the
implementation that ships (exact flat, IVF past a size threshold; see
index/vectors.py). To put another engine behind Quotable (a vector database
on another machine, say), implement the protocol and return it from
``open_vector_store``; retrieval, answers and the UI do not change. The
README's "Scaling beyond one machine" says which engine and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np


class VectorStore(Protocol):
    kind: str  # "flat", "ivf", ... recorded in the manifest

    def __len__(self) -> int: ...

    def search(self, queries: np.ndarray, k: int, allowed: np.ndarray | object | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        """Scores and row ids, each (len(queries), k); -1 marks an empty slot.

        ``allowed`` (int64 row ids, or what ``prepare`` made of them) restricts the search
        itself, so a filter never returns a row outside it; an empty ``allowed`` returns nothing.
        """
        ...

    def prepare(self, allowed: np.ndarray) -> object:
        """``allowed`` made ready for ``search``, for a filter many questions share (may be the rows)."""
        ...

    def save(self, path: Path) -> None: ...


@dataclass(frozen=True, slots=True)
class FaissStore:
    index: object  # a faiss.Index

    @property
    def kind(self) -> str:
        from index.vectors import index_kind

        return index_kind(self.index)

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def search(self, queries: np.ndarray, k: int, allowed: np.ndarray | object | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        from index.vectors import search

        return search(self.index, queries, k, allowed)

    def prepare(self, allowed: np.ndarray) -> object:
        from index.vectors import row_filter

        return row_filter(self.index, allowed)

    def save(self, path: Path) -> None:
        from index.vectors import save_vector_index

        save_vector_index(self.index, path)


def build_vector_store(vectors: np.ndarray) -> VectorStore:
    from index.vectors import build_vector_index

    return FaissStore(build_vector_index(vectors))


def update_vector_store(vectors: np.ndarray, previous: Path | None, appended_from: int | None = None) -> VectorStore:
    """A store of ``vectors`` reusing the saved store at ``previous`` (its training, and with
    ``appended_from`` its first rows); a missing or unreadable one means a fresh build."""
    from index.vectors import load_vector_index, updated_vector_index
    from ingest.errors import QuotableError

    old = None
    if previous is not None:
        try:
            old = load_vector_index(previous)
        except QuotableError:
            old = None
    return FaissStore(updated_vector_index(old, vectors, appended_from))


def open_vector_store(path: Path) -> VectorStore:
    from index.vectors import load_vector_index

    return FaissStore(load_vector_index(path))
