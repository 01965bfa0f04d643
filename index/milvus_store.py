"""The index's passages in a Milvus collection: vector search and BM25 full-text search, filtered inside.

One collection per full write of the index (``<prefix>_g<generation>``), written
before the manifest names it and dropped after the next one is committed, so an
interrupted ingest leaves the previous collection serving. Row ids are the
passage rows of the SQLite records beside the manifest.

An update in place (one file added, changed or removed: index/build.py) keeps
the collection: the new rows are upserted past the rows the manifest counts
before the store commits (a reader searches ``row < its rows`` only, so rows of
an update not yet committed, or committed after it opened, are not its own),
and a changed or removed document's rows are deleted after the commit. Rows a
crash left undeleted are still marked removed in the store: a reader asks for
that many more and drops them.

The same ``pymilvus`` client talks to the embedded engine (Milvus Lite: a
``milvus.db`` folder inside the index folder; one process at a time) and to a
Milvus standalone server or cluster (``--store-url http://host:19530``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.backend import Where
from index.store import fts_terms, fts_words
from ingest.errors import StoreUnavailable, UsageError, rebuild_command
from ingest.records import Passage

LITE_DB = "milvus.db"
CONNECT_TIMEOUT_S = 5.0  # a server that is down or refuses answers within this
CALL_TIMEOUT_S = 30.0
INSERT_BATCH = 1000
FLAT_MAX = 100_000  # exact search up to here, as the local FAISS index (index/vectors.py); HNSW past it
HNSW = {"M": 16, "efConstruction": 200}
# VARCHAR limits are in bytes; a character takes at most 4 in UTF-8
TEXT_BYTES, NAME_BYTES, SECTION_BYTES = 65_535, 1_024, 4_096
MAX_COUNTRIES = 1_024
_MISSING = -np.inf
# BM25 reads the passages and questions as FTS5's tokenizer turns them into terms (index.store.fts_terms:
# lower-cased, diacritics removed, Porter-stemmed), written out with spaces: the engine only splits them
# on spaces, so both stores match the same words. (Milvus Lite runs its own \w+ tokenizer whatever the
# analyzer says; a server runs this one. Neither stems a second time.)
ANALYZER = {"tokenizer": "standard", "filter": ["lowercase"]}
# The field BM25 reads is named for what it holds; a collection from before (raw text in a "text" field,
# which Milvus Lite ranked unstemmed) is refused with the command to rebuild it.
TERMS = "terms"


def _milvus():
    try:
        import pymilvus
    except ImportError as err:
        raise StoreUnavailable("this index lives in Milvus, which is not installed here: "
                               "pip install -e '.[milvus]'") from err
    # pymilvus and Milvus Lite log every failure with a traceback on stderr; the error raised says it in one line
    for name in ("pymilvus", "milvus_lite"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    return pymilvus


def _reason(err: Exception) -> str:
    text = getattr(err, "message", None) or str(err) or type(err).__name__
    return str(text).strip().splitlines()[0]


# The embedded engine lives in this process: no keepalive pings, which its gRPC server answers with
# "too_many_pings" GOAWAY lines on stderr every few idle minutes.
_LITE_GRPC = {"grpc.keepalive_time_ms": 2**31 - 1, "grpc.keepalive_permit_without_calls": 0}


def lite_path(index_dir: Path) -> Path:
    return Path(index_dir).resolve() / LITE_DB


def connect(index_dir: Path, url: str):
    """A client for the server at ``url``, or for the embedded engine inside ``index_dir`` when it is empty."""
    pymilvus = _milvus()
    if url:
        try:
            return pymilvus.MilvusClient(uri=url, timeout=CONNECT_TIMEOUT_S)
        except Exception as err:  # pymilvus raises MilvusException, grpc errors or ValueError for a bad URI
            raise StoreUnavailable(f"cannot reach the Milvus server at {url} ({_reason(err)}); start it, or "
                                   "check the --store-url the index was built with") from err
    path = lite_path(index_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return pymilvus.MilvusClient(uri=str(path), timeout=CONNECT_TIMEOUT_S, grpc_options=_LITE_GRPC)
    except Exception as err:
        raise StoreUnavailable(f"cannot open the embedded Milvus database {path} ({_reason(err)}); another "
                               "process (a running chat or ingest?) may hold it: stop it, or serve the "
                               "library from a Milvus server (--store-url)") from err


def _fit(text: str | None, max_bytes: int) -> str:
    raw = (text or "").encode("utf-8")
    return raw[:max_bytes].decode("utf-8", errors="ignore") if len(raw) > max_bytes else (text or "")


def search_texts(passages: list[Passage], titles: dict[str, str]) -> list[str]:
    """What BM25 indexes for each passage: the FTS5 columns (text, section, document title, speaker) as terms."""
    fields = ["\n".join(x for x in (p.text, p.section, titles.get(p.doc_id, ""), p.speaker) if x) for p in passages]
    return [_fit(" ".join(terms), TEXT_BYTES) for terms in fts_terms(fields)]


def query_text(question: str, stopwords=()) -> str:
    """The question's words as the FTS5 keyword search looks for them (``fts_words``), as terms."""
    return " ".join(" ".join(terms) for terms in fts_terms(fts_words(question, stopwords)))


def _schema(pymilvus, dim: int):
    dt = pymilvus.DataType
    schema = pymilvus.MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("row", dt.INT64, is_primary=True)
    schema.add_field("vec", dt.FLOAT_VECTOR, dim=dim)
    schema.add_field(TERMS, dt.VARCHAR, max_length=TEXT_BYTES, enable_analyzer=True, analyzer_params=ANALYZER)
    schema.add_field("sparse", dt.SPARSE_FLOAT_VECTOR)
    schema.add_field("passage_id", dt.VARCHAR, max_length=NAME_BYTES)
    schema.add_field("doc_id", dt.VARCHAR, max_length=NAME_BYTES)
    schema.add_field("countries", dt.ARRAY, element_type=dt.VARCHAR, max_capacity=MAX_COUNTRIES,
                     max_length=NAME_BYTES)
    schema.add_field("section", dt.VARCHAR, max_length=SECTION_BYTES)
    schema.add_field("speaker", dt.VARCHAR, max_length=NAME_BYTES)
    schema.add_field("page", dt.INT64)  # -1: no page
    schema.add_field("page_label", dt.VARCHAR, max_length=NAME_BYTES)
    schema.add_function(pymilvus.Function(name="text_bm25", function_type=pymilvus.FunctionType.BM25,
                                          input_field_names=[TERMS], output_field_names=["sparse"]))
    return schema


def _row(row: int, passage: Passage, vector: np.ndarray, terms: str) -> dict:
    return {
        "row": row,
        "vec": np.asarray(vector, dtype=np.float32).tolist(),
        TERMS: terms,
        "passage_id": _fit(passage.passage_id, NAME_BYTES),
        "doc_id": _fit(passage.doc_id, NAME_BYTES),
        "countries": [_fit(c, NAME_BYTES) for c in passage.countries[:MAX_COUNTRIES]],
        "section": _fit(passage.section, SECTION_BYTES),
        "speaker": _fit(passage.speaker, NAME_BYTES),
        "page": -1 if passage.page is None else int(passage.page),
        "page_label": _fit(passage.page_label, NAME_BYTES),
    }


def write_collection(client, name: str, passages: list[Passage], vectors: np.ndarray, titles: dict[str, str],
                     *, where: str, flat_max: int = FLAT_MAX) -> None:
    """Create collection ``name`` holding ``passages`` (row i has ``vectors[i]``), indexed and loaded."""
    pymilvus = _milvus()
    try:
        if client.has_collection(name, timeout=CALL_TIMEOUT_S):  # a crashed run's leftover of this name
            client.drop_collection(name, timeout=CALL_TIMEOUT_S)
        params = client.prepare_index_params()
        if len(passages) <= flat_max:
            params.add_index("vec", index_type="FLAT", metric_type="IP")
        else:
            params.add_index("vec", index_type="HNSW", metric_type="IP", params=HNSW)
        params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
        client.create_collection(name, schema=_schema(pymilvus, int(vectors.shape[1])), index_params=params,
                                 consistency_level="Strong", timeout=CALL_TIMEOUT_S)
        _put(client.insert, name, 0, passages, vectors, titles)
        client.flush(name, timeout=CALL_TIMEOUT_S)
        client.load_collection(name, timeout=CALL_TIMEOUT_S)
    except StoreUnavailable:
        raise
    except Exception as err:
        raise StoreUnavailable(f"cannot write the index to Milvus at {where} ({_reason(err)})") from err


def _put(method, name: str, first_row: int, passages: list[Passage], vectors: np.ndarray,
         titles: dict[str, str]) -> None:
    """``passages`` as rows ``first_row``... of collection ``name``, by ``method`` (insert or upsert)."""
    for start in range(0, len(passages), INSERT_BATCH):
        batch = passages[start:start + INSERT_BATCH]
        method(name, [_row(first_row + start + i, p, vectors[start + i], text)
                      for i, (p, text) in enumerate(zip(batch, search_texts(batch, titles), strict=True))],
               timeout=CALL_TIMEOUT_S)


def append_rows(client, name: str, first_row: int, passages: list[Passage], vectors: np.ndarray,
                titles: dict[str, str], *, where: str) -> None:
    """``passages`` added to collection ``name`` as rows ``first_row``... (an update in place, before its
    commit). Upserted: a crashed update's rows of the same numbers are replaced, never doubled."""
    try:
        _put(client.upsert, name, first_row, passages, vectors, titles)
        client.flush(name, timeout=CALL_TIMEOUT_S)
    except Exception as err:
        raise StoreUnavailable(f"cannot add to the index in Milvus at {where} ({_reason(err)})") from err


def delete_rows(client, name: str, rows: list[int]) -> bool:
    """Rows of removed passages deleted from collection ``name`` (after the update's commit); False when
    Milvus failed: the rows stay marked removed in the store, and readers drop them."""
    try:
        for start in range(0, len(rows), INSERT_BATCH):
            batch = ", ".join(str(int(r)) for r in rows[start:start + INSERT_BATCH])
            client.delete(name, filter=f"row in [{batch}]", timeout=CALL_TIMEOUT_S)
        client.flush(name, timeout=CALL_TIMEOUT_S)
    except Exception:  # noqa: BLE001 - the update is committed; readers skip the removed rows
        return False
    return True


def stale_collections(names: list[str], keep: str, *, keep_previous: bool) -> list[str]:
    """This index's collections (same prefix) other than ``keep`` and, if asked, the newest one before it."""
    prefix = keep.rpartition("_g")[0] + "_g"
    current = int(keep[len(prefix):])
    older = sorted((int(n[len(prefix):]), n) for n in names
                   if n.startswith(prefix) and n[len(prefix):].isdigit() and int(n[len(prefix):]) != current)
    below = [n for g, n in older if g < current]
    spared = {below[-1]} if keep_previous and below else set()
    return [n for _, n in older if n not in spared]


def drop_collections(client, keep: str, *, keep_previous: bool) -> None:
    """Drop this index's older collections; a failure only leaves a stale copy behind.

    On a server the previous generation stays, so chat servers that still read the
    previous manifest keep answering until they reload; the one before it goes.
    """
    try:
        for name in stale_collections(client.list_collections(timeout=CALL_TIMEOUT_S), keep,
                                      keep_previous=keep_previous):
            client.drop_collection(name, timeout=CALL_TIMEOUT_S)
    except Exception:  # noqa: BLE001 - the new generation is committed; an old collection is only space
        pass


def _literal(value: str) -> str:
    """A Milvus string literal: only ``\\`` and ``"`` need escaping; a control character is refused."""
    if any(ord(ch) < 32 for ch in value):
        raise UsageError(f"filter value {value!r} holds a control character")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def filter_expression(where: Where | None, allowed: np.ndarray | None) -> str | None:
    """The filter as a Milvus expression ("" for none); None when nothing can match."""
    if where:
        parts = []
        if where.doc_id:
            parts.append(f"doc_id == {_literal(where.doc_id)}")
        if where.country:
            parts.append(f"ARRAY_CONTAINS(countries, {_literal(where.country)})")
        return " and ".join(parts)
    if allowed is None:
        return ""
    rows = np.unique(np.asarray(allowed, dtype=np.int64))
    if rows.size == 0:
        return None
    return f"row in [{', '.join(str(int(r)) for r in rows)}]"


@dataclass
class MilvusBackend:
    client: object
    collection: str
    where: str  # the server URL or the embedded database path, for messages
    count: int  # rows of this generation (removed ones included) when the collection holds what it should
    dim: int
    hnsw: bool = False
    # rows an update in place removed (the store's ``removed`` table); ``stale`` of them are still in Milvus
    removed: frozenset[int] = frozenset()
    stale: int = 0

    @classmethod
    def open(cls, index_dir: Path, url: str, collection: str, rows: int | None = None,
             removed: np.ndarray | None = None) -> MilvusBackend:
        """The collection of an index whose manifest counts ``rows`` rows (None: every row the collection
        holds), ``removed`` of them removed by updates in place."""
        where = url or str(lite_path(index_dir))
        client = connect(index_dir, url)
        try:
            if not client.has_collection(collection, timeout=CALL_TIMEOUT_S):
                raise StoreUnavailable(f"Milvus at {where} has no collection {collection!r} for the index at "
                                       f"{index_dir}; run `{rebuild_command(index_dir)}`")
            client.load_collection(collection, timeout=CALL_TIMEOUT_S)
            info = client.describe_collection(collection, timeout=CALL_TIMEOUT_S)
            if TERMS not in {f["name"] for f in info["fields"]}:
                raise StoreUnavailable(f"the collection {collection!r} in Milvus at {where} was written by "
                                       f"another version of Quotable; run `{rebuild_command(index_dir)}`")
            dim = next(int(f["params"]["dim"]) for f in info["fields"] if f["name"] == "vec")
            held = int(client.query(collection, filter="" if rows is None else f"row < {int(rows)}",
                                    output_fields=["count(*)"], timeout=CALL_TIMEOUT_S)[0]["count(*)"])
            kinds = [i for i in client.list_indexes(collection, field_name="vec", timeout=CALL_TIMEOUT_S)]
            hnsw = any(client.describe_index(collection, i, timeout=CALL_TIMEOUT_S).get("index_type") == "HNSW"
                       for i in kinds)
        except StoreUnavailable:
            raise
        except Exception as err:
            raise StoreUnavailable(f"cannot read the index's collection from Milvus at {where} "
                                   f"({_reason(err)})") from err
        if rows is None:
            return cls(client, collection, where, held, dim, hnsw)
        gone = frozenset(int(r) for r in (removed if removed is not None else ()))
        stale = held - (rows - len(gone))
        if 0 <= stale <= len(gone):  # every live row is there, and no more than them
            return cls(client, collection, where, rows, dim, hnsw, gone, stale)
        return cls(client, collection, where, held, dim, hnsw, gone, max(stale, 0))

    def __len__(self) -> int:
        return self.count

    def _limited(self, expr: str) -> str:
        """``expr`` restricted to this generation's rows: an update's rows past them are not its own."""
        bound = f"row < {self.count}"
        return f"({expr}) and {bound}" if expr else bound

    def _live(self, hits: list[dict], k: int) -> list[dict]:
        """The first ``k`` of ``hits`` that are not removed rows (a crash may have left some in Milvus)."""
        if not self.removed:
            return hits[:k]
        return [h for h in hits if _hit_row(h) not in self.removed][:k]

    def close(self) -> None:
        try:
            self.client.close()
        except Exception:  # noqa: BLE001 - closing a connection that already failed
            pass

    def _search(self, data: list, field: str, k: int, expr: str, params: dict) -> list[dict]:
        try:
            found = self.client.search(self.collection, data=data, anns_field=field, limit=k, filter=expr,
                                       search_params=params, output_fields=["row"], timeout=CALL_TIMEOUT_S)
        except Exception as err:
            raise StoreUnavailable(f"search failed on Milvus at {self.where} ({_reason(err)})") from err
        return list(found[0]) if found else []

    def dense(self, qvec: np.ndarray, k: int, where: Where | None,
              allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        scores = np.full((1, k), _MISSING, np.float32)
        rows = np.full((1, k), -1, np.int64)
        expr = filter_expression(where, allowed)
        if expr is None or self.count == 0:
            return scores, rows
        params = {"metric_type": "IP", "params": {"ef": max(k + self.stale, 256)} if self.hnsw else {}}
        vector = np.asarray(qvec, dtype=np.float32).ravel().tolist()
        found = self._search([vector], "vec", k + self.stale, self._limited(expr), params)
        for i, hit in enumerate(self._live(found, k)):
            rows[0, i] = _hit_row(hit)
            scores[0, i] = float(hit["distance"])
        return scores, rows

    def keyword(self, question: str, k: int, where: Where | None, allowed: np.ndarray | None, *,
                weights: tuple[float, ...] = (1.0,), stopwords=()) -> list[tuple[int, float]]:
        """Milvus's BM25 over one text field, on the terms FTS5 would match (``stopwords`` left out);
        the field holds every FTS5 column, so per-column ``weights`` don't apply."""
        expr = filter_expression(where, allowed)
        terms = query_text(question, stopwords)
        if expr is None or self.count == 0 or not terms:
            return []
        hits = self._live(self._search([terms], "sparse", k + self.stale, self._limited(expr),
                                       {"metric_type": "BM25"}), k)
        # the order is the engine's; Milvus Lite reports BM25 negated, a server as it is: keep it higher-is-better
        return [(_hit_row(h), abs(float(h["distance"]))) for h in hits]


def _hit_row(hit: dict) -> int:
    """A search hit's passage row (the primary key comes back as "row", or as "id" from some clients)."""
    return int(hit["row"] if "row" in hit else hit["id"])
