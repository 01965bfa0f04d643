"""Where an index's search half lives: the local FAISS + SQLite folder, or a search engine.

``local`` (the default) is the index folder alone: FAISS for vectors, SQLite FTS5
for keywords. ``milvus`` puts the passages (vector, searchable text, doc_id,
countries, section, speaker, page) in a Milvus collection and runs both the
vector search and the BM25 keyword search there, with the country and document
filters as Milvus filter expressions inside the search. The embedded engine
(Milvus Lite, a ``milvus.db`` folder inside the index folder) needs no server;
``--store-url`` names a Milvus server or cluster instead.

What stays in the index folder either way: the manifest, the SQLite records
(documents, passages, footnotes, mentions: what answers and the source viewer
read) and the passage and sentence vector arrays the answer step rescores with.
The store is chosen at ingest and recorded in the manifest (``store``,
``store_url``, ``store_collection``), so readers need no flag.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from ingest.errors import IndexProblem, QuotableError, UsageError

if TYPE_CHECKING:
    from index.manifest import Manifest
    from ingest.records import Passage

STORES = ("local", "milvus")


@dataclass(frozen=True, slots=True)
class Where:
    """The filters of one question, for an engine that applies them itself (never a row list)."""

    country: str | None = None
    doc_id: str | None = None

    def __bool__(self) -> bool:
        return bool(self.country or self.doc_id)


class SearchBackend(Protocol):
    def __len__(self) -> int: ...

    def dense(self, qvec: np.ndarray, k: int, where: Where | None,
              allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Scores and rows, each (1, k), -inf / -1 in empty slots, like ``VectorStore.search``.

        ``where`` is applied inside the search; without one, ``allowed`` (row ids) is. An empty
        ``allowed`` returns nothing: a filter never widens to "all".
        """
        ...

    def keyword(self, question: str, k: int, where: Where | None, allowed: np.ndarray | None, *,
                weights: tuple[float, ...] = (1.0,), stopwords: Iterable[str] = ()) -> list[tuple[int, float]]:
        """BM25 (row, score), best first, under the same filter rules as ``dense``.

        ``weights`` (text, section, title, speaker fields) and ``stopwords`` are honoured where the
        engine lets a query set them (the local FTS5 index); an engine with its own analyzer may ignore them.
        """
        ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class StoreTarget:
    kind: str = "local"
    url: str = ""  # empty: the embedded engine inside the index folder
    prefix: str = ""  # collection names of this index: f"{prefix}_g{generation}"

    def collection(self, generation: int) -> str:
        return f"{self.prefix}_g{generation}" if self.kind != "local" else ""


def _previous_manifest(index_dir: Path) -> Manifest | None:
    from index.manifest import read_manifest

    try:
        return read_manifest(index_dir)
    except IndexProblem:
        return None


def resolve_target(index_dir: Path, store: str | None, url: str | None) -> StoreTarget:
    """The store an ingest writes to: the one asked for, else the one the index already uses, else local."""
    previous = _previous_manifest(index_dir)
    if store is None and url:
        store = "milvus"
    kind = store or (previous.store if previous else "local")
    if kind not in STORES:
        raise UsageError(f"unknown store {kind!r}; use one of {', '.join(STORES)}")
    if kind == "local":
        if url:
            raise UsageError("--store-url names a search server; use it with --store milvus")
        return StoreTarget()
    same_kind = previous is not None and previous.store == kind
    url = (url if url is not None else (previous.store_url if same_kind else "")).strip()
    if same_kind and previous.store_url == url and previous.store_collection:
        prefix = previous.store_collection.rpartition("_g")[0]
    else:
        prefix = f"quotable_{uuid.uuid4().hex[:12]}"
    return StoreTarget(kind, url, prefix)


def same_store(manifest: Manifest, target: StoreTarget) -> bool:
    return manifest.store == target.kind and manifest.store_url == target.url


def check_target(index_dir: Path, target: StoreTarget) -> None:
    """Fail before any embedding when the store cannot be reached."""
    if target.kind == "milvus":
        from index.milvus_store import connect

        connect(index_dir, target.url)


def write_search_backend(index_dir: Path, target: StoreTarget, collection: str, passages: list[Passage],
                         vectors: np.ndarray, titles: dict[str, str]) -> None:
    from index.milvus_store import connect, write_collection

    client = connect(index_dir, target.url)
    write_collection(client, collection, passages, vectors, titles, where=target.url or str(index_dir))


def search_backend_holds(index_dir: Path, manifest: Manifest, removed: np.ndarray) -> bool:
    """Whether the search engine still holds the manifest's collection with every live row (an update in place
    needs it; a server whose data was lost, or a collection dropped by hand, gets a full write instead)."""
    try:
        backend = open_search_backend(index_dir, manifest, removed=removed)
    except QuotableError:
        return False
    try:
        return len(backend) == manifest.rows
    finally:
        backend.close()


def append_search_rows(index_dir: Path, manifest: Manifest, first_row: int, passages: list[Passage],
                       vectors: np.ndarray, titles: dict[str, str]) -> None:
    """An update in place of a search-engine store: ``passages`` added to the manifest's collection as rows
    ``first_row``..., before the store's commit (index/milvus_store.py)."""
    from index.milvus_store import append_rows, connect

    append_rows(connect(index_dir, manifest.store_url), manifest.store_collection, first_row, passages, vectors,
                titles, where=manifest.store_url or str(index_dir))


def delete_search_rows(index_dir: Path, manifest: Manifest, rows: list[int]) -> bool:
    """After an update in place has committed: its removed rows deleted from the search engine (best effort;
    False when they stay, which readers allow for)."""
    from index.milvus_store import connect, delete_rows

    try:
        client = connect(index_dir, manifest.store_url)
    except QuotableError:
        return False
    return delete_rows(client, manifest.store_collection, rows)


def drop_other_generations(index_dir: Path, manifest: Manifest) -> None:
    """After the manifest points at the new collection, the older ones of this index go."""
    if manifest.store == "milvus":
        from index.milvus_store import connect, drop_collections

        # the embedded engine has one reader, this process; a server may have others on the previous generation
        drop_collections(connect(index_dir, manifest.store_url), manifest.store_collection,
                         keep_previous=bool(manifest.store_url))


def open_search_backend(index_dir: Path, manifest: Manifest, con=None, removed=None) -> SearchBackend:
    """The backend the manifest names; ``con`` is the index's SQLite connection (the local store's FTS5),
    ``removed`` the sorted rows whose passages an update in place removed (only a local store has them)."""
    if manifest.store == "local":
        from index.local_store import LocalBackend
        from index.vector_store import open_vector_store

        vectors = open_vector_store(manifest.data_file(index_dir, "vectors", ".faiss"))
        return LocalBackend(con, vectors) if removed is None else LocalBackend(con, vectors, removed=removed)
    from index.milvus_store import MilvusBackend

    return MilvusBackend.open(index_dir, manifest.store_url, manifest.store_collection, manifest.rows, removed)
