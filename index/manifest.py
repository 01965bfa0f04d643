"""manifest.json: what an index holds and how it was built; written last, atomically.

The manifest names the generation of the data files it belongs to, so
replacing it (one ``os.replace``) is the commit point of an ingest: a crash
before it leaves the previous manifest, and the previous files, in place.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field, fields
from pathlib import Path

from ingest.errors import CorruptIndex, IndexMissing, StaleIndex, rebuild_command

FORMAT = 2  # 2: per-sentence speakers, the speakers table, the FTS speaker column
MANIFEST = "manifest.json"
DATA_STEMS = ("store", "passages", "sentences", "vectors")
_TYPES = {"model": str, "dim": int, "generation": int, "passages": int, "removed": int, "documents": int,
          "footnotes": int,
          "files": dict, "paths": list, "vector_index": str, "quotable": str,
          "store": str, "store_url": str, "store_collection": str, "sentence_vectors": str,
          "passage_vectors": str, "data": dict, "stamps": dict}
# How sentences-N.npy was made: "separate" (each sentence embedded on its own, the default) or "pooled"
# (from its passage's forward pass: `python -m ingest --pooled-sentences`, IngestConfig.pooled_sentences).
# An index from before the field holds separate vectors; one that holds any pooled ones says "pooled".
SENTENCE_VECTORS = ("separate", "pooled")
# How passages-N.npy was made: "mean" (the mean direction of the passage's sentence vectors, the default),
# "own" (the passage embedded whole: IngestConfig.passage_vectors="own", or with pooled sentences), or
# "mixed" (an index updated across the two). An index from before the field holds its passages' own.
PASSAGE_VECTORS = ("mean", "own", "mixed")


@dataclass(frozen=True)
class Manifest:
    model: str
    dim: int
    generation: int
    passages: int  # the passages the index holds
    documents: int
    footnotes: int
    files: dict[str, str] = field(default_factory=dict)  # source path -> sha256
    # source path -> [size, mtime_ns] when it was hashed: an unchanged stamp means unchanged bytes (build.py)
    stamps: dict[str, list[int]] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)  # the paths ingested: what an upload re-ingests with
    vector_index: str = "flat"
    store: str = "local"  # where the search half lives: index/backend.py
    store_url: str = ""  # a search server's URL; empty: embedded
    store_collection: str = ""  # the engine's collection of this generation
    sentence_vectors: str = "separate"  # SENTENCE_VECTORS
    passage_vectors: str = "own"  # PASSAGE_VECTORS
    # the generation whose file holds each of "store", "passages", "sentences" when it is not this one:
    # an update in place appends to the previous generation's files
    data: dict[str, int] = field(default_factory=dict)
    # vector rows whose passages an update in place removed (their documents were changed or deleted):
    # they stay in the vector files and FAISS, listed in the store's ``removed`` table, and are never
    # returned; the next full write (index/build.py, IngestConfig.compact_share) drops them
    removed: int = 0
    format: int = FORMAT
    quotable: str = "0.1.0"

    @property
    def rows(self) -> int:
        """Rows of the vector files that are this generation's: its passages and the removed ones."""
        return self.passages + self.removed

    def data_file(self, index_dir: Path, stem: str, suffix: str) -> Path:
        return index_dir / f"{stem}-{self.data.get(stem, self.generation)}{suffix}"

    def data_generations(self) -> dict[str, int]:
        """Each data file's stem and the generation in its name."""
        return {stem: self.data.get(stem, self.generation) for stem in DATA_STEMS}


def read_manifest(index_dir: Path) -> Manifest:
    path = index_dir / MANIFEST
    if not path.exists():
        raise IndexMissing(f"no index at {index_dir}: build it with `python -m ingest --index-dir {index_dir}`")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CorruptIndex(f"index manifest {path} is unreadable ({err}); run `{rebuild_command(index_dir)}`") from err
    manifest = parse_manifest(raw, path)
    return committed_in_store(index_dir, manifest) or manifest


def parse_manifest(raw, path: Path) -> Manifest:
    """A manifest from its JSON value, checked (``path`` names it in the errors)."""
    index_dir = path.parent
    fix = rebuild_command(index_dir)
    if not isinstance(raw, dict):
        raise CorruptIndex(f"index manifest {path} is not a JSON object; run `{fix}`")
    fmt = raw.get("format")
    if fmt != FORMAT:
        newer = isinstance(fmt, int) and fmt > FORMAT
        what = "a newer Quotable" if newer else "another version of Quotable"
        raise StaleIndex(f"index at {index_dir} has format {fmt!r}, built by {what} (this one reads {FORMAT}); "
                         f"run `{fix}`")
    # A hand-edited or damaged value must not reach a file name or the model loader.
    wrong = [k for k, kind in _TYPES.items() if k in raw and (type(raw[k]) is bool or not isinstance(raw[k], kind))]
    if wrong:
        raise CorruptIndex(f"index manifest {path} has malformed {', '.join(wrong)}; run `{fix}`")
    if raw.get("sentence_vectors", "separate") not in SENTENCE_VECTORS:
        raise CorruptIndex(f"index manifest {path} has unknown sentence_vectors {raw['sentence_vectors']!r}; "
                           f"run `{fix}`")
    if raw.get("passage_vectors", "own") not in PASSAGE_VECTORS:
        raise CorruptIndex(f"index manifest {path} has unknown passage_vectors {raw['passage_vectors']!r}; "
                           f"run `{fix}`")
    from index.backend import STORES

    if raw.get("store", "local") not in STORES:
        raise StaleIndex(f"index at {index_dir} lives in store {raw['store']!r}, which this Quotable does not know "
                         f"({', '.join(STORES)}); run `{fix}`")
    if any(not (isinstance(v, list) and len(v) == 2 and all(type(x) is int for x in v))
           for v in raw.get("stamps", {}).values()):
        raise CorruptIndex(f"index manifest {path} has malformed stamps; run `{fix}`")
    if any(raw.get(k, 0) < 0 for k in ("passages", "removed")):
        raise CorruptIndex(f"index manifest {path} has a negative passage count; run `{fix}`")
    if any(k not in DATA_STEMS or type(v) is not int or v < 0 for k, v in raw.get("data", {}).items()):
        raise CorruptIndex(f"index manifest {path} has malformed data; run `{fix}`")
    try:
        return Manifest(**{k: raw[k] for k in Manifest.__dataclass_fields__ if k in raw})
    except TypeError as err:
        raise CorruptIndex(f"index manifest {path} is incomplete ({err}); run `{fix}`") from err


def manifest_json(manifest: Manifest) -> str:
    # the fields as they are (asdict would deep-copy every file's entry first: 0.3 s at 8,000 files)
    return json.dumps({f.name: getattr(manifest, f.name) for f in fields(manifest)}, indent=2, sort_keys=True)


def newer_in(con: sqlite3.Connection, manifest: Manifest, path: Path) -> Manifest | None:
    """The manifest an in-place update committed in the store ``con`` reads, when it is newer than ``manifest``.

    An update that appends to the store in place commits there, manifest included, in one SQLite
    transaction; manifest.json is written just after. A crash between the two leaves a store that is
    one generation ahead of manifest.json, and this is how a reader rolls forward to it."""
    try:
        if con.execute("SELECT 1 FROM sqlite_master WHERE name = 'manifest'").fetchone() is None:
            return None
        row = con.execute("SELECT generation, json FROM manifest ORDER BY generation DESC LIMIT 1").fetchone()
    except sqlite3.DatabaseError:
        return None  # the store's own checks report what is wrong with it
    if row is None or row[0] <= manifest.generation:
        return None
    try:
        newer = parse_manifest(json.loads(row[1]), path)
    except (json.JSONDecodeError, CorruptIndex, StaleIndex):
        return None
    return newer if newer.data_file(path.parent, "store", ".sqlite") == manifest.data_file(
        path.parent, "store", ".sqlite") else None


def committed_in_store(index_dir: Path, manifest: Manifest) -> Manifest | None:
    store = manifest.data_file(index_dir, "store", ".sqlite")
    if not store.exists():
        return None
    try:
        con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        return newer_in(con, manifest, index_dir / MANIFEST)
    finally:
        con.close()


def write_manifest(index_dir: Path, manifest: Manifest) -> None:
    tmp = index_dir / f".{MANIFEST}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(manifest_json(manifest))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / MANIFEST)
