"""Files -> a new index generation, committed atomically; unchanged files are not re-embedded."""

from __future__ import annotations

import fcntl
import hashlib
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.embed import DEFAULT_MODEL, Embedder, load_embedder
from index.manifest import Manifest, read_manifest, write_manifest
from index.reader import Index
from index.store import write_store
from ingest.chunk import ChunkConfig, chunk
from ingest.errors import IndexProblem, IngestError, QuotableError, StaleIndex, rebuild_command
from ingest.records import Document, Passage


@dataclass(frozen=True, slots=True)
class IngestConfig:
    model: str = DEFAULT_MODEL
    max_bytes: int = 50_000_000
    rebuild: bool = False
    batch_size: int = 128  # texts embedded per batch: bounds memory on big corpora
    chunking: ChunkConfig = ChunkConfig()


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


def embedding_text(doc: Document, passage: Passage) -> str:
    # Title, section and speaker give a passage the context its own words may lack.
    head = " — ".join(x for x in (doc.title, passage.section) if x)
    body = f"{passage.speaker}: {passage.text}" if passage.speaker else passage.text
    return f"{head}\n{body}" if head else body


def _progress(iterable, total: int, desc: str, enabled: bool, unit: str = "file"):
    from tqdm import tqdm

    return tqdm(iterable, total=total, desc=desc, unit=unit, disable=not enabled, file=sys.stderr)


def sentence_spans(text: str, passage: Passage) -> list[tuple[int, int]]:
    """Where the passage's sentences sit in its embedding text (which ends with the passage text)."""
    shift = len(text) - len(passage.text) - passage.char_start
    return [(s.char_start + shift, s.char_end + shift) for s in passage.sentences]


def embed_passages(embedder: Embedder, texts: Sequence[str], passages: Sequence[Passage], batch: int,
                   progress: bool, pages: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Passage vectors (n, d) float32 and their sentences' vectors (sum of sentences, d), in order."""
    from index.embed import embed_with_spans

    spans = [sentence_spans(t, p) for t, p in zip(texts, passages, strict=True)]
    bar = _progress(None, len(texts), "embedding", progress, unit="passage")
    if pages:
        bar.set_postfix_str(f"{pages} pages")
    try:
        vectors, sentence_vectors = embed_with_spans(embedder, texts, spans, batch_size=batch, on_batch=bar.update)
    finally:
        bar.close()
    flat = (np.concatenate(sentence_vectors) if sentence_vectors else np.zeros((0, embedder.dim), np.float32))
    return vectors, flat.astype(np.float16)


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


def _unchanged(previous: Index | None, docs: list[tuple[Document, str]], fresh: list[int], paths) -> bool:
    """Same files, same content, same paths: the current generation already is this index."""
    return (previous is not None and not fresh
            and {doc.source: sha for doc, sha in docs} == previous.manifest.files
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

    started = time.perf_counter()
    report = IngestReport()
    files, report.failed = collect_files(paths)
    with index_lock(index_dir):
        previous = _load_previous(index_dir, config, model_name(config, embedder))
        docs: list[tuple[Document, str]] = []
        fresh: list[int] = []  # indexes into docs of documents that need embedding
        seen_ids: dict[str, str] = {}
        for path in _progress(files, len(files), "reading", progress):
            key = str(path)
            if on_file:
                on_file(key)
            try:
                sha = sha256_of(path)
                doc_id = path.stem
                if doc_id in seen_ids:
                    raise IngestError(key, f"document id {doc_id!r} is already used by {seen_ids[doc_id]}; "
                                           "rename one of the files")
                reused = previous.document(key, sha) if previous else None
                doc = reused or load(path, max_bytes=config.max_bytes)
            except IngestError as err:
                report.failed.append((err.path, err.reason))
                continue
            except OSError as err:
                report.failed.append((key, f"cannot read file: {err.strerror or err}"))
                continue
            seen_ids[doc_id] = key
            if reused is None:
                fresh.append(len(docs))
            docs.append((doc, sha))
        try:
            if _unchanged(previous, docs, fresh, paths):
                report.documents, report.passages = len(docs), previous.manifest.passages
                report.footnotes, report.reused_files = previous.manifest.footnotes, len(docs)
                _remove_other_generations(index_dir, previous.manifest.generation)  # a killed run's leftovers
            elif not docs and (report.failed or not files):
                # Nothing could be read (a typo'd path, only bad files): an empty index would throw
                # away a good one. The CLI reports the failures; the current index stays.
                report.kept_previous = True
            else:
                embedder = embedder or load_embedder(config.model)
                if previous is not None and previous.manifest.dim != embedder.dim:
                    raise StaleIndex(f"index at {index_dir} has {previous.manifest.dim}-dimensional vectors, "
                                     f"the model gives {embedder.dim}; run `{rebuild_command(index_dir)}`")
                _write_generation(index_dir, paths, docs, set(fresh), previous, embedder, config, progress, report)
        finally:
            if previous is not None:
                previous.close()
    report.seconds = time.perf_counter() - started
    return report


def _write_generation(index_dir, paths, docs, fresh, previous, embedder, config, progress, report) -> None:
    from index.mentions import footnote_mentions, passage_mentions
    from index.vector_store import build_vector_store

    passages: list[Passage] = []
    vectors: list[np.ndarray] = []
    sentence_vectors: list[np.ndarray] = []
    to_embed: list[tuple[int, list[Passage]]] = []
    for i, (doc, _) in enumerate(docs):
        if i in fresh:
            doc_passages = chunk(doc, config.chunking)
            to_embed.append((len(passages), doc_passages))
            passages.extend(doc_passages)
            vectors.append(np.zeros((len(doc_passages), embedder.dim), np.float32))
            sentence_vectors.append(np.zeros((sum(len(p.sentences) for p in doc_passages), embedder.dim), np.float16))
        else:
            old_passages, old_vectors, old_sentences = previous.passages_of(doc.doc_id)
            passages.extend(old_passages)
            vectors.append(old_vectors)
            sentence_vectors.append(old_sentences)
    by_id = {doc.doc_id: doc for doc, _ in docs}
    fresh_passages = [p for _, ps in to_embed for p in ps]
    texts = [embedding_text(by_id[p.doc_id], p) for p in fresh_passages]
    pages = len({(p.doc_id, p.page) for p in fresh_passages if p.page is not None})
    new_vectors, new_sentences = embed_passages(embedder, texts, fresh_passages, config.batch_size, progress, pages)
    # put the fresh vectors back in their documents' slots
    fresh_docs = [i for i, (doc, _) in enumerate(docs) if i in fresh]
    p_at = s_at = 0
    for slot, (_, doc_passages) in zip(fresh_docs, to_embed, strict=True):
        n_sent = sum(len(p.sentences) for p in doc_passages)
        vectors[slot][:] = new_vectors[p_at : p_at + len(doc_passages)]
        sentence_vectors[slot][:] = new_sentences[s_at : s_at + n_sent]
        p_at += len(doc_passages)
        s_at += n_sent
    all_vectors = np.concatenate(vectors) if vectors else np.zeros((0, embedder.dim), np.float32)
    all_sentences = (np.concatenate(sentence_vectors) if sentence_vectors
                     else np.zeros((0, embedder.dim), np.float16))

    generation = _last_generation(index_dir) + 1  # never reuse the name of a crashed run's files
    vector_store = build_vector_store(all_vectors)
    manifest = Manifest(
        model=embedder.name,
        dim=embedder.dim,
        generation=generation,
        passages=len(passages),
        documents=len(docs),
        footnotes=sum(len(doc.footnotes) for doc, _ in docs),
        files={doc.source: sha for doc, sha in docs},
        paths=[str(p) for p in paths],
        vector_index=vector_store.kind,
    )
    write_store(
        manifest.data_file(index_dir, "store", ".sqlite"),
        docs,
        passages,
        passage_mentions(passages),
        footnote_mentions(doc for doc, _ in docs),
    )
    np.save(manifest.data_file(index_dir, "passages", ".npy"), all_vectors)
    np.save(manifest.data_file(index_dir, "sentences", ".npy"), all_sentences.astype(np.float16))
    vector_store.save(manifest.data_file(index_dir, "vectors", ".faiss"))
    for path in index_dir.iterdir():  # make the data durable before the manifest points at it
        if path.name.endswith(f"-{generation}{path.suffix}"):
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
    write_manifest(index_dir, manifest)
    _remove_other_generations(index_dir, generation)
    report.documents = len(docs)
    report.passages = len(passages)
    report.footnotes = manifest.footnotes
    report.embedded_files = len(fresh)
    report.reused_files = len(docs) - len(fresh)


def _generation_of(path: Path) -> int | None:
    stem = path.name.split(".")[0]
    head, _, tail = stem.rpartition("-")
    return int(tail) if head in {"store", "passages", "sentences", "vectors"} and tail.isdigit() else None


def _last_generation(index_dir: Path) -> int:
    gens = [g for p in index_dir.iterdir() if (g := _generation_of(p)) is not None]
    return max(gens, default=0)


def _remove_other_generations(index_dir: Path, keep: int) -> None:
    for path in index_dir.iterdir():
        gen = _generation_of(path)
        if gen is not None and gen != keep:
            path.unlink(missing_ok=True)
