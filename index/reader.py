"""An index opened for reading: manifest checked first, then SQLite, FAISS and the vector arrays."""

from __future__ import annotations

import json
import mmap
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from index.backend import SearchBackend
from index.manifest import MANIFEST, Manifest, newer_in, read_manifest
from index.store import open_store, passage_from_row, speaker_match
from index.vector_store import VectorStore
from ingest.errors import CorruptIndex, StaleIndex, rebuild_command
from ingest.records import Passage

# the rows (below a row bound) of one document, and of the passages mentioning one country: one text each
DOCUMENT_ROWS = ("SELECT group_concat(row) FROM "
                 "(SELECT row FROM passages WHERE doc_id = ? AND row < ? ORDER BY row)")
COUNTRY_ROWS = ("SELECT group_concat(row) FROM "
                "(SELECT DISTINCT row FROM mentions WHERE country = ? AND row < ? ORDER BY row)")


@dataclass
class Index:
    index_dir: Path
    manifest: Manifest
    con: sqlite3.Connection
    passage_vectors: np.ndarray  # (n, d) float32, memory-mapped
    sentence_vectors: np.ndarray  # (m, d) float16, memory-mapped
    # vector and keyword search (index/backend.py): the folder's FAISS + FTS5, or a search engine;
    # None when opened only to reuse records
    backend: SearchBackend | None = None
    # sorted rows of the vector files whose passages an update in place removed (manifest ``removed``)
    removed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    _data_version: int = 0  # the store's PRAGMA data_version when opened: it changes when another writes
    # the speaker labels and the data_version they were read at: read once per write to the store, not per question
    _labels: tuple[int, tuple[str, ...]] | None = field(default=None, repr=False)

    @property
    def vectors(self) -> VectorStore | None:
        """The local FAISS store (None for an engine-backed index)."""
        return getattr(self.backend, "vectors", None)

    @classmethod
    def open(cls, index_dir: Path, *, manifest: Manifest | None = None, with_vectors: bool = True) -> Index:
        manifest = manifest or read_manifest(index_dir)
        con = open_store(manifest.data_file(index_dir, "store", ".sqlite"))
        try:
            # An update that only adds documents appends them to this generation's store and vector files
            # in place (index/build.py), committing in the store: a store that holds a newer manifest than
            # manifest.json is that update, committed, and is read as it. Rows past the manifest's count (an
            # update committed after this open) are never read: every query of this Index stops at them.
            manifest = newer_in(con, manifest, index_dir / MANIFEST) or manifest
            rows = manifest.rows
            # counted over the narrow (doc_id, char_start) index, not the table's pages with every text in
            # them: 0.65 -> 0.05 s at 1M passages
            try:
                count = con.execute("SELECT count(*) FROM passages INDEXED BY passages_doc WHERE row < ?",
                                    (rows,)).fetchone()[0]
            except sqlite3.DatabaseError as err:
                raise CorruptIndex(f"index at {index_dir} is damaged ({err}); "
                                   f"run `{rebuild_command(index_dir)}`") from err
            removed = _removed_rows(con, rows)
            passage_vectors = _load_array(manifest.data_file(index_dir, "passages", ".npy"))[:rows]
            sentence_vectors = _load_array(manifest.data_file(index_dir, "sentences", ".npy"))
            sentence_vectors = sentence_vectors[: _sentences_held(con, rows, len(sentence_vectors))]
            if (count != manifest.passages or len(removed) != manifest.removed
                    or passage_vectors.shape != (rows, manifest.dim)):
                raise CorruptIndex(f"index at {index_dir} is inconsistent ({count} passages and {len(removed)} "
                                   f"removed, vectors {passage_vectors.shape}, manifest {manifest.passages} and "
                                   f"{manifest.removed}); run `{rebuild_command(index_dir)}`")
            for table in ("doc_freq", "country_counts"):  # written at ingest since format 2's first release
                if not _has_table(con, table):
                    raise StaleIndex(f"index at {index_dir} has no {table} table (built by an older Quotable); "
                                     f"run `{rebuild_command(index_dir)}`")
            backend = None
            if with_vectors:
                from index.backend import open_search_backend

                backend = open_search_backend(index_dir, manifest, con, removed)
                if len(backend) != rows:
                    backend.close()
                    held = (f"the index's {manifest.store} collection holds" if manifest.store != "local"
                            else f"vector index at {index_dir} holds")
                    raise CorruptIndex(f"{held} {len(backend)} passages for {rows}; "
                                       f"run `{rebuild_command(index_dir)}`")
        except BaseException:
            con.close()
            raise
        index = cls(index_dir, manifest, con, passage_vectors, sentence_vectors, backend, removed,
                    con.execute("PRAGMA data_version").fetchone()[0])
        index.country_counts()  # a few hundred rows, read now: an update in place changes them later
        return index

    def close(self) -> None:
        self.con.close()
        if self.backend is not None:
            self.backend.close()

    def _sentence_spans(self, rows: Sequence[int]) -> dict[int, tuple[str, int, int]]:
        """row -> (passage id, first sentence vector row, past the last) of each of ``rows`` the store holds,
        in one query per 500 rows."""
        wanted = list(dict.fromkeys(int(r) for r in rows))
        found: dict[int, tuple[str, int, int]] = {}
        for at in range(0, len(wanted), 500):
            part = wanted[at : at + 500]
            marks = ",".join("?" * len(part))
            for row, passage_id, first, n in self.con.execute(
                    f"SELECT row, passage_id, sentence_row, json_array_length(sentences) FROM passages "
                    f"WHERE row IN ({marks})", part):
                found[row] = (passage_id, first, first + n)
        return found

    def sentence_ranges(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each passage row, the first and past-the-last row of its sentence vectors (equal for a passage
        without sentences, or a row the store no longer holds). Read for the rows asked: a question asks
        about a few hundred, and a table of every row's would cost seconds at each open of a big index."""
        rows = np.asarray(rows, dtype=np.int64)
        starts, ends = np.zeros(len(rows), np.int64), np.zeros(len(rows), np.int64)
        found = self._sentence_spans(rows.tolist())
        held = len(self.sentence_vectors)
        for i, row in enumerate(rows.tolist()):
            _, first, end = found.get(row, ("", 0, 0))
            starts[i], ends[i] = min(first, held), min(end, held)
        return starts, ends

    def best_sentence_cosines(self, rows: np.ndarray, qvec: np.ndarray) -> np.ndarray:
        """For each passage row, the cosine of its closest sentence to the question (-1 when it has none)."""
        starts, ends = self.sentence_ranges(rows)
        out = np.full(len(rows), -1.0, dtype=np.float32)
        lengths = ends - starts
        if not lengths.any():
            return out
        flat = np.concatenate([np.arange(a, b) for a, b in zip(starts, ends, strict=True)])
        cos = np.asarray(self.sentence_vectors[flat], dtype=np.float32) @ qvec
        nonempty = lengths > 0
        out[nonempty] = np.maximum.reduceat(cos, np.concatenate([[0], np.cumsum(lengths)[:-1]])[nonempty])
        return out

    def layout(self) -> list[tuple[str, int, int, int, int]]:
        """(doc_id, first row, rows, first sentence row, sentence rows) of every document, in row order.

        A document's passages are consecutive rows and its sentences consecutive sentence rows (every
        generation and update is written document by document). One pass over the passages.
        """
        held = len(self.sentence_vectors)
        spans = {doc_id: (first, count, s0, s1) for doc_id, first, count, s0, s1 in self.con.execute(
            "SELECT doc_id, min(row), count(*), min(sentence_row), max(sentence_row + json_array_length(sentences)) "
            "FROM passages WHERE row < ? GROUP BY doc_id", (self.rows,))}
        out = []
        for _, doc_id in sorted((spans[d][0] if d in spans else -1, d) for d in self.doc_ids):
            first, count, s0, s1 = spans.get(doc_id, (0, 0, 0, 0))
            s0, s1 = min(s0, held), min(s1, held)
            out.append((doc_id, int(first), int(count), int(s0), int(s1 - s0)))
        return out

    def unchanged_documents(self) -> dict[str, tuple[str, str, int]]:
        """source -> (doc_id, sha256, footnotes) of every stored document, read in one pass
        (the columns before the text, and the manifest's hashes)."""
        notes = dict(self.con.execute("SELECT doc_id, count(*) FROM footnotes GROUP BY doc_id"))
        files = self.manifest.files
        return {source: (doc_id, files[source], int(notes.get(doc_id, 0)))
                for doc_id, source in self.con.execute("SELECT doc_id, source FROM documents")
                if source in files and doc_id in self.doc_ids}

    @property
    def rows(self) -> int:
        """Vector rows of this generation: 0..rows-1, the removed ones among them (an update committed
        since may have added more)."""
        return self.manifest.rows

    @cached_property
    def doc_ids(self) -> frozenset[str]:
        """The documents of this generation: those of the manifest's files."""
        files = self.manifest.files
        return frozenset(d for d, source in self.con.execute("SELECT doc_id, source FROM documents") if source in files)

    def has_table(self, name: str) -> bool:
        return _has_table(self.con, name)

    def doc_freq(self) -> Mapping[str, int]:
        """Passages holding each word, as stored at ingest."""
        return StoredDocFreq(self.con)

    def country_counts(self) -> tuple[tuple[str, int], ...]:
        """(country, passages mentioning it), most mentioned first, as stored at ingest (read at open)."""
        return self._country_counts

    @cached_property
    def _country_counts(self) -> tuple[tuple[str, int], ...]:
        rows = self.con.execute("SELECT country, passages FROM country_counts ORDER BY passages DESC, country")
        return tuple((country, n) for country, n in rows)

    def rows_of_document(self, doc_id: str) -> np.ndarray:
        return _rows(self.con.execute(DOCUMENT_ROWS, (doc_id, self.rows)).fetchone()[0])

    def rows_mentioning(self, country: str) -> np.ndarray:
        return _rows(self.con.execute(COUNTRY_ROWS, (country, self.rows)).fetchone()[0])

    def passage_cosines(self, rows: Sequence[int], qvec: np.ndarray) -> np.ndarray:
        """The cosine of each passage row's own vector to the question."""
        if not len(rows):
            return np.zeros(0, dtype=np.float32)
        return np.asarray(self.passage_vectors[list(rows)], dtype=np.float32) @ qvec

    def speaker_labels(self) -> tuple[str, ...]:
        """Every speaker label the transcripts use, as stored at ingest (read again after an update in place)."""
        version = self.con.execute("PRAGMA data_version").fetchone()[0]
        if self._labels is None or self._labels[0] != version:
            self._labels = (version, tuple(name for (name,) in self.con.execute("SELECT speaker FROM speakers")))
        return self._labels[1]

    def rows_spoken_by(self, labels: Sequence[str]) -> np.ndarray:
        """Sorted rows of the passages in which any of the speakers ``labels`` speaks."""
        rows: set[int] = set()
        for label in labels:
            match = speaker_match(label)
            if match:
                rows.update(r for (r,) in self.con.execute(
                    "SELECT rowid FROM passages_fts WHERE passages_fts MATCH ? AND rowid < ?", (match, self.rows)))
        return np.array(sorted(rows), dtype=np.int64)

    # --- the country lens ----------------------------------------------------------------------------
    def _mentioning(self, country: str) -> tuple[int, float]:
        """Passages mentioning ``country`` (stored at ingest) and their share of the rows: what picks a plan."""
        mentioning = dict(self.country_counts()).get(country, 0)
        return mentioning, mentioning / max(self.rows, 1)

    def rows_mentioning_page(self, country: str, offset: int, limit: int) -> list[int]:
        """One page of the rows mentioning ``country``, in document order (doc_id, then place in it).

        Two plans give the same rows; the cheaper one is taken. Sorting every row that mentions the
        country costs about as many steps as there are such rows; walking the passages in document order
        (the ``passages_doc`` index) and keeping those that mention it costs about ``(offset + limit) /
        share`` steps, where ``share`` is the country's share of the rows. A country in most passages of a
        big library is walked (a few hundred steps, not a sort of 750k rows); a rare one is sorted.
        """
        mentioning, share = self._mentioning(country)
        if not mentioning:
            return []
        if (offset + limit) / share < mentioning:
            sql = ("SELECT p.row FROM passages p INDEXED BY passages_doc WHERE p.row < ? AND EXISTS "
                   "(SELECT 1 FROM mentions m WHERE m.country = ? AND m.row = p.row) "
                   "ORDER BY p.doc_id, p.char_start LIMIT ? OFFSET ?")
            return [r for (r,) in self.con.execute(sql, (self.rows, country, limit, offset))]
        return [r for (r,) in self.con.execute(
            "SELECT p.row FROM passages p WHERE p.row IN (SELECT row FROM mentions WHERE country = ? AND row < ?) "
            "ORDER BY p.doc_id, p.char_start LIMIT ? OFFSET ?", (country, self.rows, limit, offset))]

    def mention_spans(self, country: str, rows: Sequence[int]) -> dict[int, list[tuple[int, int]]]:
        """(char_start, char_end) of each mention of ``country`` in each of ``rows`` (a page: few parameters)."""
        spans: dict[int, list[tuple[int, int]]] = {row: [] for row in rows}
        rows = list(rows)
        for start in range(0, len(rows), 500):
            part = rows[start : start + 500]
            marks = ",".join("?" * len(part))
            for row, begin, end in self.con.execute(
                f"SELECT row, char_start, char_end FROM mentions WHERE country = ? AND row IN ({marks}) "
                "ORDER BY row, char_start", (country, *part)
            ):
                spans[row].append((begin, end))
        return spans

    def documents_mentioning(self, country: str) -> int:
        """How many documents mention ``country``. As in ``rows_mentioning_page``, the cheaper of two plans:
        counting the distinct documents of every row that mentions it, or asking each document whether one
        of its rows does (about ``1 / share`` steps a document, stopping at the first)."""
        mentioning, share = self._mentioning(country)
        if not mentioning:
            return 0
        if len(self.doc_ids) / share < mentioning:
            return self.con.execute(
                "SELECT count(*) FROM documents d WHERE EXISTS (SELECT 1 FROM passages p INDEXED BY passages_doc "
                "WHERE p.doc_id = d.doc_id AND p.row < ? AND EXISTS "
                "(SELECT 1 FROM mentions m WHERE m.country = ? AND m.row = p.row))", (self.rows, country)).fetchone()[0]
        return self.con.execute(
            "SELECT count(DISTINCT p.doc_id) FROM passages p WHERE p.row IN "
            "(SELECT row FROM mentions WHERE country = ? AND row < ?)", (country, self.rows)).fetchone()[0]

    def footnotes_mentioning(self, country: str, limit: int) -> list[tuple[str, int]]:
        """(doc_id, footnote number) of the footnotes that mention ``country``, in document order."""
        found = self.con.execute(
            "SELECT DISTINCT doc_id, n FROM footnote_mentions WHERE country = ? ORDER BY doc_id, n", (country,))
        return [(doc_id, int(n)) for doc_id, n in found if doc_id in self.doc_ids][:limit]

    # --- records -------------------------------------------------------------------------------------
    def document_info(self, doc_id: str) -> tuple[str, str, str, dict[int, str], dict] | None:
        """(doc_id, title, kind, footnotes, meta) of one document of this generation, or None."""
        if doc_id not in self.doc_ids:
            return None
        r = self.con.execute("SELECT title, kind, meta FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        if r is None:
            return None
        notes = dict(self.con.execute("SELECT n, text FROM footnotes WHERE doc_id = ?", (doc_id,)).fetchall())
        return doc_id, r["title"], r["kind"], notes, json.loads(r["meta"])

    def document_infos(self) -> list[tuple[str, str, str, dict[int, str], dict]]:
        """(doc_id, title, kind, footnotes, meta) of every document, by doc_id; the texts stay on disk."""
        notes: dict[str, dict[int, str]] = {}
        for doc_id, n, text in self.con.execute("SELECT doc_id, n, text FROM footnotes"):
            notes.setdefault(doc_id, {})[n] = text
        return [(r["doc_id"], r["title"], r["kind"], notes.get(r["doc_id"], {}), json.loads(r["meta"]))
                for r in self.con.execute("SELECT doc_id, title, kind, meta FROM documents ORDER BY doc_id")
                if r["doc_id"] in self.doc_ids]

    def document_text(self, doc_id: str) -> tuple[str, str] | None:
        """(title, clean text) of a document, or None."""
        r = self.con.execute("SELECT title, text FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return (r["title"], r["text"]) if r else None

    def place_of(self, doc_id: str, char_start: int, char_end: int) -> dict:
        """Section, page, page label, speaker and time of the first passage holding a span ({} if none)."""
        r = self.con.execute(
            "SELECT section, page, page_label, speaker, start_s FROM passages "
            "WHERE doc_id = ? AND char_start <= ? AND char_end >= ? AND row < ? ORDER BY char_start LIMIT 1",
            (doc_id, char_start, char_end, self.rows),
        ).fetchone()
        return dict(r) if r else {}

    def passages_of(self, doc_id: str) -> tuple[list[Passage], np.ndarray, np.ndarray]:
        rows = self.con.execute("SELECT * FROM passages WHERE doc_id = ? AND row < ? ORDER BY row",
                                (doc_id, self.rows)).fetchall()
        passages = [passage_from_row(r) for r in rows]
        if not rows:
            return [], self.passage_vectors[:0], self.sentence_vectors[:0]
        first, last = rows[0]["row"], rows[-1]["row"]
        s0 = rows[0]["sentence_row"]
        s1 = rows[-1]["sentence_row"] + len(passages[-1].sentences)
        return passages, np.array(self.passage_vectors[first : last + 1]), np.array(self.sentence_vectors[s0:s1])

    def still_held(self, ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """``ranked`` (row, score) without the rows whose passages an update in place has removed since this
        Index opened (its own removed rows never come out of a search). One SQL query, and only once the
        store has been written to since: SQLite's data_version says so."""
        version = self.con.execute("PRAGMA data_version").fetchone()[0]
        if version == self._data_version or not ranked:
            return ranked
        rows = [row for row, _ in ranked]
        marks = ",".join("?" * len(rows))
        held = {r for (r,) in self.con.execute(f"SELECT row FROM passages WHERE row IN ({marks})", rows)}
        return [(row, score) for row, score in ranked if row in held]

    def passages_at(self, rows: Sequence[int]) -> list[Passage]:
        if not rows:
            return []
        marks = ",".join("?" * len(rows))
        found = {r["row"]: passage_from_row(r)
                 for r in self.con.execute(f"SELECT * FROM passages WHERE row IN ({marks})", list(rows))}
        return [found[r] for r in rows if r in found]

    def sentence_vectors_at(self, rows: Sequence[int]) -> dict[str, np.ndarray]:
        return {passage_id: np.asarray(self.sentence_vectors[first:end], dtype=np.float32)
                for passage_id, first, end in self._sentence_spans(rows).values()}


class StoredDocFreq(Mapping):
    """The doc_freq table as a read-only mapping: one indexed lookup per word asked, nothing read up front."""

    def __init__(self, con: sqlite3.Connection) -> None:
        self._con = con
        self._cache: dict[str, int] = {}

    def __getitem__(self, term: str) -> int:
        if term not in self._cache:
            row = self._con.execute("SELECT n FROM doc_freq WHERE term = ?", (term,)).fetchone()
            if len(self._cache) > 100_000:
                self._cache.clear()
            self._cache[term] = row[0] if row else 0
        if not self._cache[term]:
            raise KeyError(term)
        return self._cache[term]

    def get(self, term, default=None):
        try:
            return self[term]
        except KeyError:
            return default

    def __contains__(self, term) -> bool:
        return self.get(term) is not None

    def __bool__(self) -> bool:
        return self._con.execute("SELECT 1 FROM doc_freq LIMIT 1").fetchone() is not None

    def __iter__(self) -> Iterator[str]:
        return (t for (t,) in self._con.execute("SELECT term FROM doc_freq"))

    def __len__(self) -> int:
        return self._con.execute("SELECT count(*) FROM doc_freq").fetchone()[0]


def _sentences_held(con: sqlite3.Connection, rows: int, found: int) -> int:
    """How many sentence vectors the first ``rows`` rows own (rows after them are not this generation's)."""
    last = con.execute("SELECT sentence_row, sentences FROM passages WHERE row = ?", (rows - 1,)).fetchone()
    if last is None and _has_table(con, "removed"):  # a removed row's sentences are a count
        last = con.execute("SELECT sentence_row, sentences FROM removed WHERE row = ?", (rows - 1,)).fetchone()
    if last is None:
        return 0
    try:
        held = last[1] if isinstance(last[1], int) else len(json.loads(last[1]))
        return min(found, int(last[0]) + held)
    except (TypeError, ValueError):
        return found  # the open checks report a damaged store


def _has_table(con: sqlite3.Connection, name: str) -> bool:
    return con.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone() is not None


def _removed_rows(con: sqlite3.Connection, rows: int) -> np.ndarray:
    """Sorted rows below ``rows`` whose passages were removed in place (the store's ``removed`` table)."""
    if not _has_table(con, "removed"):
        return np.zeros(0, dtype=np.int64)
    found = con.execute("SELECT row FROM removed WHERE row < ? ORDER BY row", (rows,))
    return np.fromiter((r for (r,) in found), dtype=np.int64)


def _load_array(path: Path) -> np.ndarray:
    try:
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError, EOFError) as err:  # EOFError: an empty or cut-off header
        fix = rebuild_command(path.parent)
        raise CorruptIndex(f"index file {path} is missing or corrupt ({err}); run `{fix}`") from err
    _read_scattered(array)
    return array


def _read_scattered(array: np.ndarray) -> None:
    """Tell the kernel that ``array``'s memory map is read a few rows at a time, anywhere (the passages a
    question asks about), so a page fault reads that page, not the 128 KB around it. On a 1M-passage index
    out of the page cache the sentence vectors of 300 random passages take 0.5-1.2 s to read with the
    read-around, 50-66 ms without. Whole files are copied file to file (index/arrays.py), never through
    this map, so nothing reads it in order."""
    mapping = getattr(array, "_mmap", None)  # numpy.memmap's mmap.mmap (None for an empty file)
    if mapping is not None and hasattr(mmap, "MADV_RANDOM"):
        mapping.madvise(mmap.MADV_RANDOM)


def _rows(joined: str | None) -> np.ndarray:
    """Row numbers joined by SQLite's group_concat, as a sorted array: numpy parses the one text, where
    773k rows (a country in most of a 1M-passage index) take 0.27 s as Python tuples and 0.11 s so."""
    if not joined:
        return np.zeros(0, dtype=np.int64)
    rows = np.fromstring(joined, dtype=np.int64, sep=",")
    return rows if len(rows) < 2 or bool((rows[1:] > rows[:-1]).all()) else np.unique(rows)
