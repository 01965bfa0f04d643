"""Files -> a new index generation, committed atomically; unchanged files are not re-embedded."""

from __future__ import annotations

import fcntl
import hashlib
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import BinaryIO

import numpy as np

from index.embed import DEFAULT_MODEL, Embedder, load_embedder
from index.manifest import DATA_STEMS, Manifest, read_manifest, write_manifest
from index.reader import Index
from ingest.chunk import ChunkConfig, chunk
from ingest.errors import IndexProblem, IngestError, QuotableError, StaleIndex, rebuild_command
from ingest.records import Document, Passage


@dataclass(frozen=True, slots=True)
class IngestConfig:
    model: str = DEFAULT_MODEL
    max_bytes: int = 50_000_000
    rebuild: bool = False
    batch_size: int = 128  # texts embedded per batch: bounds memory on big corpora
    # Sentence vectors pooled from the passage's own forward pass (one pass: ingest at the encoder's
    # rate, bench/ingest_rate.py), or each sentence embedded on its own (a second pass over as many
    # tokens: 0.39 of it). Off by default: pooled vectors carry the passage's context, agree with
    # separate ones at cosine 0.71, and cost quoted answers (shipped dev 0.93 -> 0.85, PDF dev
    # 0.71 -> 0.65); embedding the hits' sentences at question time instead costs 0.5 s a question.
    pooled_sentences: bool = False
    # A passage's vector: "mean", the mean direction of its sentences' vectors (embedded on their own,
    # so the words pass the encoder once), or "own", the passage embedded whole with its title, section
    # and speakers (a second pass). Measured with bench.qmsum and bench.refusal, the mean ranks as well
    # or better (hearings hybrid hit@5 0.87 -> 0.89 unfiltered, 0.87 -> 0.90 by meeting; shipped questions
    # dense 0.83 -> 0.90; refusals and PDF figures unchanged) for half the encoding (bench.ingest_rate).
    # With pooled_sentences the passage pass is the one pass, so its vector is its own.
    passage_vectors: str = "mean"
    # An update in place leaves a changed or removed document's rows in the vector files, marked removed.
    # Once they would be more than this share of the rows, the update writes a whole new generation
    # instead, which drops them: a search scans at most this share in vain, and a full write is paid once
    # per this share of the library changed.
    compact_share: float = 0.1
    chunking: ChunkConfig = ChunkConfig()
    store: str | None = None  # index/backend.py STORES; None: the store the index already uses, else local
    store_url: str | None = None  # a search server; None: as the index has it


@dataclass
class IngestReport:
    documents: int = 0
    passages: int = 0
    footnotes: int = 0
    embedded_files: int = 0
    reused_files: int = 0
    seconds: float = 0.0
    failed: list[tuple[str, str]] = field(default_factory=list)
    kept_previous: bool = False  # nothing readable: the index was left as it was
    warnings: list[tuple[str, str]] = field(default_factory=list)  # read, with a caveat (PDF pages without text)


def collect_files(paths: Sequence[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Every file under the given paths (recursively, hidden files skipped), and the paths that don't exist."""
    files: list[Path] = []
    missing: list[tuple[str, str]] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file()
                                and not any(part.startswith(".") for part in p.relative_to(path).parts)))
        elif path.is_file():
            files.append(path)
        else:
            missing.append((str(path), "no such file or folder"))
    return list(dict.fromkeys(files)), missing


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def index_lock(index_dir: Path) -> Iterator[None]:
    """Serialise ingests of one index: a second one waits for the first, never interleaves."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"waiting for another ingest of {index_dir} to finish...", file=sys.stderr)
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def embedding_input(doc: Document, passage: Passage) -> tuple[str, list[tuple[int, int]]]:
    """The text a passage is embedded as, and where its sentences sit in it.

    Title and section give a passage the context its own words may lack. A speaker's
    turn opens with their name, as a transcript prints it ("Kirsty Williams AM: ..."),
    so an exchange reads who said what; a passage of one speaker opens with theirs.
    """
    head = " — ".join(x for x in (doc.title, passage.section) if x)
    parts = [f"{head}\n"] if head else []
    at = len(parts[0]) if parts else 0
    spans: list[tuple[int, int]] = []
    pos = passage.char_start  # document offset copied up to
    current: str | None = None
    for i, sent in enumerate(passage.sentences):
        who = sent.speaker or (passage.speaker if i == 0 else None)
        if who and who != current:
            label = f"{who}: "
            gap = passage.text[pos - passage.char_start : sent.char_start - passage.char_start]
            parts += [gap, label]
            at += len(gap) + len(label)
            pos = sent.char_start
            current = who
        body = passage.text[pos - passage.char_start : sent.char_end - passage.char_start]
        parts.append(body)
        start = at + (sent.char_start - pos)
        at += len(body)
        spans.append((start, at))
        pos = sent.char_end
    if not passage.sentences and passage.speaker:
        parts.append(f"{passage.speaker}: ")
        at += len(parts[-1])
    parts.append(passage.text[pos - passage.char_start :])
    return "".join(parts), spans


def embedding_text(doc: Document, passage: Passage) -> str:
    return embedding_input(doc, passage)[0]


def _progress(iterable, total: int, desc: str, enabled: bool, unit: str = "file"):
    from tqdm import tqdm

    return tqdm(iterable, total=total, desc=desc, unit=unit, disable=not enabled, file=sys.stderr)


def embed_passages(embedder: Embedder, inputs: Sequence[tuple[str, list[tuple[int, int]]]], batch: int,
                   progress: bool, pages: int = 0, pooled: bool = True, files: int = 0, mean: bool = False,
                   sentences_to: BinaryIO | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Passage vectors (n, d) float32 and their sentences' vectors (sum of sentences, d) float16, in order,
    from each passage's ``embedding_input``. With ``sentences_to`` (a file open for writing), the sentence
    vectors are written to it as they come (raw float16 rows) and None comes back for them: a big
    ingest then holds none of them in memory.

    The progress bar counts passages (its rate is passages/s, and its ETA follows) and says how
    many files and pages they come from.
    """
    from index.embed import embed_with_spans_flat

    texts = [t for t, _ in inputs]
    spans = [sp for _, sp in inputs]
    bar = _progress(None, len(texts), "embedding", progress, unit="passage")
    source = ", ".join(x for x in (f"{files} files" if files else "", f"{pages} pages" if pages else "") if x)
    if source:
        bar.set_postfix_str(source)
    # sentence vectors are float16 batch by batch, and written out as they come: at 300k passages they are
    # the biggest thing an ingest makes (3.3M sentences, 2.5 GB; float32 copies of them took 15 GB at the peak)
    sink = None if sentences_to is None else (lambda part: sentences_to.write(part.data))
    try:
        vectors, flat = embed_with_spans_flat(embedder, texts, spans, batch_size=batch, on_batch=bar.update,
                                              pooled=pooled, mean=mean, span_dtype=np.float16, sink=sink)
    finally:
        bar.close()
    return vectors, flat


def sentence_vector_kind(embedder: Embedder, pooled: bool) -> str:
    """"pooled" when ``embed_passages`` pools this embedder's sentence vectors, else "separate"."""
    return "pooled" if pooled and getattr(embedder, "embed_spans", None) is not None else "separate"


def passage_vector_kind(embedder: Embedder, config: IngestConfig) -> str:
    """How ``embed_passages`` makes this ingest's passage vectors: "mean" or "own" (manifest PASSAGE_VECTORS)."""
    if config.passage_vectors not in ("mean", "own"):
        raise ValueError(f"passage_vectors must be 'mean' or 'own', not {config.passage_vectors!r}")
    if sentence_vector_kind(embedder, config.pooled_sentences) == "pooled":
        return "own"
    return config.passage_vectors


def _recorded(modes: set[str], default: str) -> str:
    return default if not modes else modes.pop() if len(modes) == 1 else "mixed"


def model_name(config: IngestConfig, embedder: Embedder | None) -> str:
    from index.embed import canonical_model_name

    return embedder.name if embedder else canonical_model_name(config.model)


def _load_previous(index_dir: Path, config: IngestConfig, model: str) -> Index | None:
    if config.rebuild:
        return None
    try:
        manifest = read_manifest(index_dir)
    except IndexProblem:
        return None  # nothing reusable: build from scratch
    if manifest.model != model:
        return None
    try:
        return Index.open(index_dir, manifest=manifest, with_vectors=False)
    except QuotableError:
        return None


@dataclass(frozen=True, slots=True)
class _Entry:
    """A file of this ingest: its document when it must be (re-)embedded, None when the index has it already."""

    doc_id: str
    source: str
    sha256: str
    footnotes: int
    doc: Document | None
    stamp: tuple[int, int] | None = None  # (size, mtime_ns) when the file was read, if it was not just written


# A file whose size and modification time are those recorded when it was last hashed is taken to hold the
# same bytes, and is not read again (rsync's and git's quick check): an update of a library of thousands
# of PDFs would otherwise read all of them. A file modified less than this long before it was hashed is
# not recorded (it could change again within the same timestamp tick), so it is hashed on the next run.
FRESH_NS = 2_000_000_000


def file_stamp(st: os.stat_result, now_ns: int) -> tuple[int, int] | None:
    """(size, mtime_ns) of a file to record, or None when it was modified too recently to trust it."""
    return None if now_ns - st.st_mtime_ns < FRESH_NS else (st.st_size, st.st_mtime_ns)


def _stamps(docs: list[_Entry]) -> dict[str, list[int]]:
    return {e.source: list(e.stamp) for e in docs if e.stamp is not None}


def _unchanged(previous: Index | None, docs: list[_Entry], paths) -> bool:
    """Same files, same content, same paths: the current generation already is this index."""
    return (previous is not None and all(e.doc is None for e in docs)
            and {e.source: e.sha256 for e in docs} == previous.manifest.files
            and [str(p) for p in paths] == previous.manifest.paths)


def ingest_paths(
    paths: Sequence[Path],
    index_dir: Path,
    config: IngestConfig = IngestConfig(),
    *,
    embedder: Embedder | None = None,
    progress: bool = True,
    on_file: Callable[[str], None] | None = None,
) -> IngestReport:
    """Index every file under ``paths`` into ``index_dir``; bad files are reported, the rest indexed.

    The model is loaded only when something needs embedding, so a re-run with
    nothing changed costs file hashing and nothing else.
    """
    from ingest.loaders import load
    from ingest.loaders.pdf import no_text_warning

    started = time.perf_counter()
    report = IngestReport()
    files, report.failed = collect_files(paths)
    with index_lock(index_dir):
        from index.backend import check_target, resolve_target, same_store

        target = resolve_target(index_dir, config.store, config.store_url)
        check_target(index_dir, target)  # a store that is down fails here, before any embedding
        previous = _load_previous(index_dir, config, model_name(config, embedder))
        docs: list[_Entry] = []
        known = previous.unchanged_documents() if previous is not None else {}
        stamps = previous.manifest.stamps if previous is not None else {}
        seen_ids: dict[str, str] = {}
        for path in _progress(files, len(files), "reading", progress):
            key = str(path)
            if on_file:
                on_file(key)
            try:
                st = path.stat()
                stamp = file_stamp(st, time.time_ns())
                recorded = stamps.get(key)
                same = stamp is not None and recorded is not None and tuple(recorded) == stamp
                sha = previous.manifest.files[key] if same and key in previous.manifest.files else sha256_of(path)
                doc_id = path.stem
                if doc_id in seen_ids:
                    raise IngestError(key, f"document id {doc_id!r} is already used by {seen_ids[doc_id]}; "
                                           "rename one of the files")
                stored = known.get(key)
                reused = (stored[0], stored[2]) if stored is not None and stored[1] == sha else None
                doc = None if reused else load(path, max_bytes=config.max_bytes)
            except IngestError as err:
                report.failed.append((err.path, err.reason))
                continue
            except OSError as err:
                report.failed.append((key, f"cannot read file: {err.strerror or err}"))
                continue
            seen_ids[doc_id] = key
            if doc is not None and (warning := no_text_warning(doc)):
                report.warnings.append((key, warning))
            if reused is not None:  # only its name and size are read: its rows are copied, not rebuilt
                docs.append(_Entry(reused[0], key, sha, reused[1], None, stamp))
            else:
                docs.append(_Entry(doc.doc_id, doc.source, sha, len(doc.footnotes), doc, stamp))
        try:
            if _unchanged(previous, docs, paths) and same_store(previous.manifest, target):
                report.documents, report.passages = len(docs), previous.manifest.passages
                report.footnotes, report.reused_files = previous.manifest.footnotes, len(docs)
                if _stamps(docs) != previous.manifest.stamps:  # recorded, so that the next run reads none
                    write_manifest(index_dir, replace(previous.manifest, stamps=_stamps(docs)))
                _remove_other_generations(index_dir, previous.manifest)  # a killed run's leftovers
            elif not docs and (report.failed or not files):
                # Nothing could be read (a typo'd path, only bad files): an empty index would throw
                # away a good one. The CLI reports the failures; the current index stays.
                report.kept_previous = True
            else:
                if embedder is None and previous is not None and all(e.doc is None for e in docs):
                    embedder = _Recorded(previous.manifest.model, previous.manifest.dim)  # only removals
                embedder = embedder or load_embedder(config.model)
                if previous is not None and previous.manifest.dim != embedder.dim:
                    raise StaleIndex(f"index at {index_dir} has {previous.manifest.dim}-dimensional vectors, "
                                     f"the model gives {embedder.dim}; run `{rebuild_command(index_dir)}`")
                _write_generation(index_dir, paths, docs, previous, embedder, config, progress, report)
        finally:
            if previous is not None:
                previous.close()
    report.seconds = time.perf_counter() - started
    return report


def term_counts(passages) -> Counter:
    """Passages holding each word, as the answer step's IDF counts them."""
    counts: Counter = Counter()
    for passage in passages:
        counts.update(_word_set(passage.text))
    return counts


def _word_set(text: str) -> set[str]:
    from chat.terms import words

    return set(words(text))


@dataclass(frozen=True, slots=True)
class _Recorded:
    """The model an index was built with, as its manifest names it: all that an update embedding nothing
    (files removed, none added or changed) needs of it, so the model is not loaded for one."""

    name: str
    dim: int


@dataclass(frozen=True)
class _Carry:
    """What a new generation takes over from the previous one: whole documents (moved down, in a full write)."""

    previous: Index | None
    kept_ids: frozenset[str]  # documents of the previous generation taken over unchanged
    dropped: list[str]  # the others (removed or changed)
    dropped_rows: int = 0  # the rows they hold

    @property
    def rows(self) -> int:
        """Passages taken over."""
        return self.previous.manifest.passages - self.dropped_rows if self.previous is not None else 0

    @cached_property
    def kept(self) -> list[tuple[str, int, int, int, int]]:
        """Layout rows (doc_id, first, rows, first sentence, sentences) of the documents taken over: one pass
        over the passages, which only a full write needs (an update in place leaves rows where they are)."""
        if self.previous is None:
            return []
        return [x for x in self.previous.layout() if x[0] in self.kept_ids]

    @property
    def sentences(self) -> int:
        return sum(k[4] for k in self.kept)

    def shifts(self) -> list[tuple[str, int, int]]:
        out, row, sentence = [], 0, 0
        for doc_id, first, n, s0, m in self.kept:
            out.append((doc_id, first - row, s0 - sentence))
            row, sentence = row + n, sentence + m
        return out


def _carry(previous: Index | None, kept_ids: set[str]) -> _Carry:
    if previous is None:
        return _Carry(None, frozenset(), [])
    kept = frozenset(kept_ids) & previous.doc_ids
    dropped = sorted(previous.doc_ids - kept)
    rows = 0
    for at in range(0, len(dropped), 500):
        part = dropped[at : at + 500]
        marks = ",".join("?" * len(part))
        rows += previous.con.execute(f"SELECT count(*) FROM passages WHERE row < ? AND doc_id IN ({marks})",
                                     (previous.rows, *part)).fetchone()[0]
    return _Carry(previous, kept, dropped, rows)


def _write_generation(index_dir, paths, docs: list[_Entry], previous, embedder, config, progress, report) -> None:
    """Generation N+1 = the unchanged documents of N + the fresh ones, appended.

    Nothing unchanged is re-embedded or re-parsed. An index is updated in place
    (``_append_in_place``): the new rows are appended to N's store and vector files (and to the search
    engine's collection), and a changed or removed document's rows are marked removed; the store's
    transaction, which records the new manifest too, is the commit. Only when the removed rows would pass
    ``IngestConfig.compact_share`` of all, or the store changes (local to a search engine, another server),
    is everything written beside N, without them: SQLite rows are copied in SQL (or the whole store, when
    nothing was dropped), vectors are copied from N's arrays, and the FAISS index of N is extended (or
    refilled) without re-training, or the search engine gets a new collection; the manifest's atomic
    replace is the commit.
    """
    import shutil
    import sqlite3

    from index.arrays import start_array, write_array
    from index.backend import drop_other_generations, resolve_target, write_search_backend
    from index.mentions import footnote_mentions, passage_mentions
    from index.store import add_doc_freq, append_rows, copy_documents, create_store, finish_store
    from index.vector_store import update_vector_store

    new_docs = [(e.doc, e.sha256) for e in docs if e.doc is not None]
    carry = _carry(previous, {e.doc_id for e in docs if e.doc is None})
    new_passages = [p for doc, _ in new_docs for p in chunk(doc, config.chunking)]
    by_id = {doc.doc_id: doc for doc, _ in new_docs}
    inputs = [embedding_input(by_id[p.doc_id], p) for p in new_passages]
    target = resolve_target(index_dir, config.store, config.store_url)
    generation = _last_generation(index_dir) + 1  # never reuse the name of a crashed run's files
    manifest = _new_manifest(embedder, config, generation, docs, paths, target, previous, carry, new_passages)
    appenders = _appenders(index_dir, previous, target, carry, embedder.dim, len(new_passages),
                           sum(len(spans) for _, spans in inputs), config.compact_share)
    if appenders is None and isinstance(embedder, _Recorded):  # a full write after all: it embeds nothing, but
        embedder = load_embedder(config.model)  # checks the model as any write does
    if appenders is not None:
        manifest = _append_in_place(index_dir, manifest, previous, carry, new_docs, new_passages, inputs,
                                    appenders, embedder, config, progress)
    else:
        # the sentence vectors go to their file as they are made, after the rows carried over: written once
        # (a crashed run's file is removed with its generation)
        old_sentences = previous.sentence_vectors if previous is not None else None
        with open(manifest.data_file(index_dir, "sentences", ".npy"), "wb") as sentences_out:
            start_array(sentences_out, np.float16, embedder.dim, old_sentences, [(k[3], k[4]) for k in carry.kept],
                        sum(len(spans) for _, spans in inputs))
            new_vectors = _embed(embedder, inputs, new_passages, len(new_docs), config, progress, sentences_out)
        appending = previous is not None and not carry.dropped and not previous.manifest.removed
        store = manifest.data_file(index_dir, "store", ".sqlite")
        old_store = previous.manifest.data_file(index_dir, "store", ".sqlite") if previous is not None else None
        store.unlink(missing_ok=True)
        if appending:
            shutil.copyfile(old_store, store)  # the writer holds the index lock: nothing changes it meanwhile
            con = sqlite3.connect(store)
        else:
            con = create_store(store)
        try:
            if carry.kept_ids and not appending:
                copy_documents(con, old_store, carry.shifts())
            if carry.dropped:
                marks = ",".join("?" * len(carry.dropped))
                gone = previous.con.execute(f"SELECT text FROM passages WHERE doc_id IN ({marks})", carry.dropped)
                add_doc_freq(con, Counter(w for (text,) in gone for w in _word_set(text)), sign=-1)
            append_rows(con, new_docs, new_passages, carry.rows, carry.sentences,
                        passage_mentions(new_passages, carry.rows), footnote_mentions(doc for doc, _ in new_docs))
            add_doc_freq(con, term_counts(new_passages))
            finish_store(con, posting_lists=target.kind == "local")
        finally:
            con.close()

        old_passages = previous.passage_vectors if previous is not None else None
        all_vectors = write_array(manifest.data_file(index_dir, "passages", ".npy"), np.float32, embedder.dim,
                                  old_passages, [(k[1], k[2]) for k in carry.kept], new_vectors)
        if target.kind == "local":
            old_vectors = (previous.manifest.data_file(index_dir, "vectors", ".faiss")
                           if previous is not None and previous.manifest.store == "local" else None)
            vector_store = update_vector_store(all_vectors, old_vectors, carry.rows if appending else None)
            vector_store.save(manifest.data_file(index_dir, "vectors", ".faiss"))
            manifest = replace(manifest, vector_index=vector_store.kind)
        else:  # the search engine holds every passage of the generation, in a collection of its own
            passages, titles = _records(store)
            write_search_backend(index_dir, target, manifest.store_collection, passages, all_vectors, titles)
            manifest = replace(manifest, vector_index=target.kind)
        del all_vectors
        for path in index_dir.iterdir():  # make the data durable before the manifest points at it
            if path.name.endswith(f"-{generation}{path.suffix}"):
                with open(path, "rb") as fh:
                    os.fsync(fh.fileno())
        write_manifest(index_dir, manifest)
    _remove_other_generations(index_dir, manifest)
    drop_other_generations(index_dir, manifest)
    report.documents = len(docs)
    report.passages = manifest.passages
    report.footnotes = manifest.footnotes
    report.embedded_files = len(new_docs)
    report.reused_files = len(docs) - len(new_docs)


def _new_manifest(embedder, config, generation, docs, paths, target, previous, carry, new_passages) -> Manifest:
    passage_kind = passage_vector_kind(embedder, config)
    modes = {sentence_vector_kind(embedder, config.pooled_sentences)} if new_passages else set()
    passage_modes = {passage_kind} if new_passages else set()
    if carry.kept_ids:
        modes.add(previous.manifest.sentence_vectors)
        passage_modes.add(previous.manifest.passage_vectors)
    return Manifest(
        model=embedder.name,
        dim=embedder.dim,
        generation=generation,
        passages=carry.rows + len(new_passages),
        documents=len(docs),
        footnotes=sum(e.footnotes for e in docs),
        files={e.source: e.sha256 for e in docs},
        stamps=_stamps(docs),
        paths=[str(p) for p in paths],
        store=target.kind,
        store_url=target.url,
        store_collection=target.collection(generation),
        sentence_vectors="pooled" if "pooled" in modes else "separate",
        passage_vectors=_recorded(passage_modes, passage_kind),
    )


def _embed(embedder, inputs, new_passages, files: int, config, progress, sentences_out) -> np.ndarray:
    pages = len({(p.doc_id, p.page) for p in new_passages if p.page is not None})
    vectors, _ = embed_passages(embedder, inputs, config.batch_size, progress, pages, config.pooled_sentences,
                                files=files, mean=passage_vector_kind(embedder, config) == "mean",
                                sentences_to=sentences_out)
    return vectors


def _appenders(index_dir: Path, previous: Index | None, target, carry: _Carry, dim: int, passages: int,
               sentences: int, compact_share: float):
    """The previous generation's passage and sentence vector files opened to append to in place, when this
    update can be made in place (``_append_in_place``: the same store as before, local or a search engine's
    collection); else None."""
    from index.arrays import Appender
    from index.backend import same_store, search_backend_holds

    if previous is None or not same_store(previous.manifest, target):
        return None
    if target.kind != "local" and not search_backend_holds(index_dir, previous.manifest, previous.removed):
        return None
    old = previous.manifest
    if carry.dropped and old.removed + carry.dropped_rows > compact_share * (old.rows + passages):
        return None
    if target.kind == "local" and _unlisted(previous, passages) > compact_share * (old.rows + passages):
        return None  # the keyword search scores rows past its posting lists by FTS5: a full write lists them
    rows = Appender.open(old.data_file(index_dir, "passages", ".npy"), np.float32, dim, old.rows, passages)
    if rows is None:
        return None
    them = Appender.open(old.data_file(index_dir, "sentences", ".npy"), np.float16, dim,
                         len(previous.sentence_vectors), sentences)
    if them is None:
        rows.close()
        return None
    return rows, them


def _unlisted(previous: Index, passages: int) -> int:
    """Rows no posting list would cover (index/postings.py) after ``passages`` more are appended in place: those
    appended since the lists were written, or every row of a store written without them (a small store has
    none, and needs none up to ``EXPENSIVE_MIN_ROWS`` rows)."""
    from index.postings import EXPENSIVE_MIN_ROWS, listed_rows

    rows = previous.manifest.rows + passages
    listed = listed_rows(previous.con)
    if listed is None:
        return rows if rows > EXPENSIVE_MIN_ROWS else 0
    return rows - listed


def _append_in_place(index_dir, manifest, previous, carry, new_docs, new_passages, inputs, appenders, embedder,
                     config, progress) -> Manifest:
    """The new rows appended to the previous generation's files, the dropped documents' rows marked removed;
    a new FAISS file when rows were added (with a search engine: the rows added to its collection); one
    SQLite commit.

    Order, for crash safety: the vectors first (past the rows the store holds, which is all a reader
    takes), then the FAISS file of the new generation (or the rows upserted into the search engine's
    collection past the rows readers search), then the store's transaction, which removes the dropped
    documents, adds the rows and records the new manifest in the store (the commit: a reader finding it
    rolls forward to it, index/manifest.py ``newer_in``); manifest.json is written after it, and a search
    engine deletes the dropped rows last.
    """
    import sqlite3

    from index.backend import append_search_rows, delete_search_rows
    from index.mentions import footnote_mentions, passage_mentions
    from index.store import add_counts, add_doc_freq, append_rows, record_manifest, remove_documents
    from index.vector_store import update_vector_store

    old = previous.manifest
    first_row, first_sentence = old.rows, len(previous.sentence_vectors)  # removed rows keep their places
    engine = old.store != "local"
    # a search engine's rows of the dropped documents, deleted from it once the update has committed
    dropped_rows = [r for doc_id in carry.dropped for r in previous.rows_of_document(doc_id).tolist()] if engine else []
    rows_out, sentences_out = appenders
    new_vectors = None
    try:
        if new_passages:
            new_vectors = _embed(embedder, inputs, new_passages, len(new_docs), config, progress, sentences_out.file)
            rows_out.file.write(np.ascontiguousarray(new_vectors, dtype=np.float32).data)
        sentences_out.finish()
        rows_out.finish()
    finally:
        rows_out.close()
        sentences_out.close()
    keep = {stem: gen for stem, gen in old.data_generations().items()
            if stem != "vectors" or not new_passages or engine}
    manifest = replace(manifest, data=keep, removed=old.removed + carry.dropped_rows, vector_index=old.vector_index,
                       store_collection=old.store_collection)
    if new_passages and engine:  # the search engine's collection, with the new rows past the ones readers see
        titles = {doc.doc_id: doc.title for doc, _ in new_docs}
        append_search_rows(index_dir, manifest, first_row, new_passages, new_vectors, titles)
    elif new_passages:  # the FAISS index of the new generation: the previous one, extended
        all_vectors = np.load(manifest.data_file(index_dir, "passages", ".npy"), mmap_mode="r")
        vector_store = update_vector_store(all_vectors, old.data_file(index_dir, "vectors", ".faiss"), first_row)
        faiss_file = manifest.data_file(index_dir, "vectors", ".faiss")
        vector_store.save(faiss_file)
        manifest = replace(manifest, vector_index=vector_store.kind)
        del all_vectors, vector_store
        with open(faiss_file, "rb") as fh:
            os.fsync(fh.fileno())
    con = sqlite3.connect(manifest.data_file(index_dir, "store", ".sqlite"))
    try:
        removed = remove_documents(con, carry.dropped, _word_set) if carry.dropped else 0
        if removed != carry.dropped_rows:
            raise IndexProblem(f"index at {index_dir} changed during the update ({removed} rows removed, "
                               f"{carry.dropped_rows} expected); run the ingest again")
        append_rows(con, new_docs, new_passages, first_row, first_sentence,
                    passage_mentions(new_passages, first_row), footnote_mentions(doc for doc, _ in new_docs))
        add_doc_freq(con, term_counts(new_passages))
        add_counts(con, since=first_row)
        record_manifest(con, manifest)
        con.commit()  # the commit point
    finally:
        con.close()  # without a commit, the transaction rolls back: the previous generation stands
    write_manifest(index_dir, manifest)
    if dropped_rows:
        delete_search_rows(index_dir, manifest, dropped_rows)
    return manifest


def _records(store: Path) -> tuple[list, dict[str, str]]:
    """Every passage of a just-written store, in row order, and the documents' titles."""
    import sqlite3

    from index.store import passage_from_row

    con = sqlite3.connect(store)
    con.row_factory = sqlite3.Row
    try:
        passages = [passage_from_row(r) for r in con.execute("SELECT * FROM passages ORDER BY row")]
        titles = dict(con.execute("SELECT doc_id, title FROM documents").fetchall())
    finally:
        con.close()
    return passages, titles


def _data_file_of(path: Path) -> tuple[str, int] | None:
    """(stem, generation) of a data file's name (a store's -wal and -shm files count as the store)."""
    stem = path.name.split(".")[0]
    head, _, tail = stem.rpartition("-")
    return (head, int(tail)) if head in DATA_STEMS and tail.isdigit() else None


def _last_generation(index_dir: Path) -> int:
    gens = [found[1] for p in index_dir.iterdir() if (found := _data_file_of(p)) is not None]
    return max(gens, default=0)


def _remove_other_generations(index_dir: Path, manifest: Manifest) -> None:
    """Every data file that ``manifest`` does not name: earlier generations, and a killed run's."""
    keep = set(manifest.data_generations().items())
    for path in index_dir.iterdir():
        found = _data_file_of(path)
        if found is not None and found not in keep:
            path.unlink(missing_ok=True)
