"""An index opened for reading: manifest checked first, then SQLite, FAISS and the vector arrays."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from index.backend import SearchBackend
from index.manifest import Manifest, read_manifest
from index.store import open_store, passage_from_row
from index.vector_store import VectorStore
from ingest.errors import CorruptIndex, rebuild_command
from ingest.records import Document, Passage


@dataclass
class Index:
    index_dir: Path
    manifest: Manifest
    con: sqlite3.Connection
    passage_vectors: np.ndarray  # (n, d) float32, memory-mapped
    sentence_vectors: np.ndarray  # (m, d) float16, memory-mapped
    vectors: VectorStore | None  # None when opened only to reuse records
    backend: SearchBackend | None = None  # a search engine holding the passages (index/backend.py); None: local

    @classmethod
    def open(cls, index_dir: Path, *, manifest: Manifest | None = None, with_vectors: bool = True) -> Index:
        manifest = manifest or read_manifest(index_dir)
        con = open_store(manifest.data_file(index_dir, "store", ".sqlite"))
        try:
            passage_vectors = _load_array(manifest.data_file(index_dir, "passages", ".npy"))
            sentence_vectors = _load_array(manifest.data_file(index_dir, "sentences", ".npy"))
            count = con.execute("SELECT count(*) FROM passages").fetchone()[0]
            if count != manifest.passages or passage_vectors.shape != (count, manifest.dim):
                raise CorruptIndex(f"index at {index_dir} is inconsistent ({count} passages, vectors "
                                   f"{passage_vectors.shape}, manifest {manifest.passages}); "
                                   f"run `{rebuild_command(index_dir)}`")
            vectors = backend = None
            if with_vectors and manifest.store != "local":
                from index.backend import open_search_backend

                backend = open_search_backend(index_dir, manifest)
                if len(backend) != count:
                    backend.close()
                    raise CorruptIndex(f"the index's {manifest.store} collection holds {len(backend)} passages for "
                                       f"{count}; run `{rebuild_command(index_dir)}`")
            elif with_vectors:
                from index.vector_store import open_vector_store

                vectors = open_vector_store(manifest.data_file(index_dir, "vectors", ".faiss"))
                if len(vectors) != count:
                    raise CorruptIndex(f"vector index at {index_dir} holds {len(vectors)} vectors for {count} "
                                       f"passages; run `{rebuild_command(index_dir)}`")
        except BaseException:
            con.close()
            raise
        return cls(index_dir, manifest, con, passage_vectors, sentence_vectors, vectors, backend)

    def close(self) -> None:
        self.con.close()
        if self.backend is not None:
            self.backend.close()

    @cached_property
    def sentence_offsets(self) -> np.ndarray:
        """Passage row i's sentence vectors are rows offsets[i]:offsets[i+1] of sentence_vectors."""
        starts = [r for (r,) in self.con.execute("SELECT sentence_row FROM passages ORDER BY row")]
        return np.array([*starts, len(self.sentence_vectors)], dtype=np.int64)

    def best_sentence_cosines(self, rows: np.ndarray, qvec: np.ndarray) -> np.ndarray:
        """For each passage row, the cosine of its closest sentence to the question (-1 when it has none)."""
        offsets = self.sentence_offsets
        starts, ends = offsets[rows], offsets[rows + 1]
        out = np.full(len(rows), -1.0, dtype=np.float32)
        lengths = ends - starts
        if not lengths.any():
            return out
        flat = np.concatenate([np.arange(a, b) for a, b in zip(starts, ends, strict=True)])
        cos = np.asarray(self.sentence_vectors[flat], dtype=np.float32) @ qvec
        nonempty = lengths > 0
        out[nonempty] = np.maximum.reduceat(cos, np.concatenate([[0], np.cumsum(lengths)[:-1]])[nonempty])
        return out

    # --- records -------------------------------------------------------------------------------------
    def document(self, source: str, sha256: str) -> Document | None:
        """The stored document of ``source`` if its content is unchanged, else None."""
        r = self.con.execute("SELECT * FROM documents WHERE source = ? AND sha256 = ?", (source, sha256)).fetchone()
        if r is None:
            return None
        notes = dict(self.con.execute("SELECT n, text FROM footnotes WHERE doc_id = ?", (r["doc_id"],)).fetchall())
        return Document(doc_id=r["doc_id"], title=r["title"], kind=r["kind"], source=r["source"], text=r["text"],
                        footnotes=notes, meta=json.loads(r["meta"]))

    def passages_of(self, doc_id: str) -> tuple[list[Passage], np.ndarray, np.ndarray]:
        rows = self.con.execute("SELECT * FROM passages WHERE doc_id = ? ORDER BY row", (doc_id,)).fetchall()
        passages = [passage_from_row(r) for r in rows]
        if not rows:
            return [], self.passage_vectors[:0], self.sentence_vectors[:0]
        first, last = rows[0]["row"], rows[-1]["row"]
        s0 = rows[0]["sentence_row"]
        s1 = rows[-1]["sentence_row"] + len(passages[-1].sentences)
        return passages, np.array(self.passage_vectors[first : last + 1]), np.array(self.sentence_vectors[s0:s1])

    def passages_at(self, rows: Sequence[int]) -> list[Passage]:
        if not rows:
            return []
        marks = ",".join("?" * len(rows))
        found = {r["row"]: passage_from_row(r)
                 for r in self.con.execute(f"SELECT * FROM passages WHERE row IN ({marks})", list(rows))}
        return [found[r] for r in rows if r in found]

    def sentence_vectors_at(self, rows: Sequence[int]) -> dict[str, np.ndarray]:
        if not rows:
            return {}
        marks = ",".join("?" * len(rows))
        out = {}
        for r in self.con.execute(f"SELECT passage_id, sentences, sentence_row FROM passages WHERE row IN ({marks})",
                                  list(rows)):
            n = len(json.loads(r["sentences"]))
            out[r["passage_id"]] = np.asarray(self.sentence_vectors[r["sentence_row"] : r["sentence_row"] + n],
                                              dtype=np.float32)
        return out


def _load_array(path: Path) -> np.ndarray:
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError, EOFError) as err:  # EOFError: an empty or cut-off header
        fix = rebuild_command(path.parent)
        raise CorruptIndex(f"index file {path} is missing or corrupt ({err}); run `{fix}`") from err
