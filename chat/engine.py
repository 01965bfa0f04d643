"""The one object both interfaces use: an opened index, its embedder, and answer()."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from chat.evidence import DocInfo, Evidence
from chat.retrieve import RETRIEVERS, RetrieveConfig, retrieve, sentence_vectors_of
from chat.speakers import asked_speakers, topic_of
from index.backend import Where
from index.embed import DEFAULT_MODEL, Embedder, load_embedder
from index.manifest import MANIFEST, read_manifest
from index.reader import Index
from ingest.errors import ModelUnavailable, QuotableError, StaleIndex, UnknownDocument, UsageError, rebuild_command

MAX_QUESTION_CHARS = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Lone surrogates: what Python makes of invalid UTF-8 in argv or stdin, or a "\ud800" escape in API JSON.
# Tokenizers and JSON encoders reject them, so each becomes U+FFFD like any undecodable byte.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _stamp(index_dir: Path) -> tuple[int, int, int] | None:
    """What changes when an ingest replaces manifest.json (it is renamed into place); None if missing."""
    try:
        st = (index_dir / MANIFEST).stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def repair_text(text: str) -> str:
    """Control characters as spaces, lone surrogates as U+FFFD, outer whitespace off."""
    return _SURROGATE.sub("\ufffd", _CONTROL.sub(" ", text)).strip()


def clean_question(question: str | None) -> str:
    """The question as asked, minus control characters; empty or oversized questions are usage errors."""
    text = repair_text(question or "")
    if not text:
        raise UsageError("empty question: ask something, e.g. \"What does the report say about Serbia?\"")
    if len(text) > MAX_QUESTION_CHARS:
        raise UsageError(f"question is {len(text)} characters long; the limit is {MAX_QUESTION_CHARS}")
    return text


class DocumentInfos(Mapping[str, DocInfo]):
    """The documents of one index generation as DocInfo (title, kind, footnotes, meta), each read when an
    answer first cites it: an answer cites a few of a library's thousands, and reading them all again
    after every upload took 0.6 s at 8,000 documents. ``values()`` reads them all in one query, for a
    list of every document (the web chat's)."""

    def __init__(self, index: Index) -> None:
        self._index = index
        self._read: dict[str, DocInfo] = {}
        self._all = False

    def __getitem__(self, doc_id: str) -> DocInfo:
        info = self._read.get(doc_id)
        if info is None:
            found = self._index.document_info(doc_id)
            if found is None:
                raise KeyError(doc_id)
            info = self._read[doc_id] = DocInfo(*found)
        return info

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._index.doc_ids

    def __iter__(self):
        return iter(sorted(self._index.doc_ids))

    def __len__(self) -> int:
        return len(self._index.doc_ids)

    def values(self) -> list[DocInfo]:  # type: ignore[override]
        if not self._all:
            self._read.update((info[0], DocInfo(*info)) for info in self._index.document_infos())
            self._all = True
        return [self[d] for d in self]


@dataclass
class Engine:
    index: Index
    embedder: Embedder
    retrieve_config: RetrieveConfig = field(default_factory=RetrieveConfig)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _allowed: dict = field(default_factory=dict, repr=False)  # (generation, country, doc_id) -> rows
    follow_ingests: bool = True  # answer from what a later ingest commits (see refresh)
    _seen: tuple | None = field(default=None, repr=False)  # manifest.json as it was when the index opened
    _reloading: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def open(cls, index_dir: Path | str, embedder: Embedder | None = None) -> Engine:
        index_dir = Path(index_dir)
        seen = _stamp(index_dir)  # before reading: a manifest replaced in between is read again, not missed
        manifest = read_manifest(index_dir)
        if embedder is None:
            try:
                embedder = load_embedder(manifest.model)
            except ModelUnavailable as err:
                if manifest.model == DEFAULT_MODEL:
                    raise  # the shipped model itself is missing: rebuilding would not help
                raise StaleIndex(f"index at {index_dir} was built with model {manifest.model!r}, which is not "
                                 f"available here; run `{rebuild_command(index_dir)}` to rebuild it with the "
                                 "default model") from err
        if embedder.name != manifest.model or embedder.dim != manifest.dim:
            raise StaleIndex(f"index at {index_dir} was built with model {manifest.model!r} (dim {manifest.dim}), "
                             f"not {embedder.name!r} (dim {embedder.dim}); run `{rebuild_command(index_dir)}`")
        return cls(Index.open(index_dir, manifest=manifest), embedder, _seen=seen)

    def refresh(self) -> bool:
        """Serve what another process's ingest committed (the CLI, a teammate's upload to a shared
        folder): reload when manifest.json was replaced and names another generation. Cheap (one stat)
        when nothing changed. A new manifest that cannot be opened leaves the current index serving."""
        if not self.follow_ingests:
            return False
        seen = _stamp(self.index.index_dir)
        if seen is None or seen == self._seen:
            return False
        with self._reloading:
            if seen == self._seen:
                return False
            try:
                fresh = read_manifest(self.index.index_dir)
                if fresh.generation == self.index.manifest.generation:
                    self._seen = seen
                    return False
                self.reload(seen)
            except QuotableError:
                self._seen = seen  # not retried on every question; the next ingest replaces it again
                return False
        return True

    def reload(self, seen: tuple | None = None) -> None:
        """Pick up a new index generation written by an ingest (e.g. an upload)."""
        seen = seen or _stamp(self.index.index_dir)
        fresh = Index.open(self.index.index_dir)
        # The old index is not closed here: a request on another thread may still be reading it;
        # its connection closes when the last reference goes.
        self.index = fresh
        self._seen = seen
        self._allowed = {}
        for name in ("documents", "doc_freq", "country_counts"):
            self.__dict__.pop(name, None)

    # --- corpus facts, cached per index generation -------------------------------------------------
    @cached_property
    def documents(self) -> DocumentInfos:
        return DocumentInfos(self.index)

    @cached_property
    def doc_freq(self) -> Mapping[str, int]:
        return self.index.doc_freq()  # written at ingest: nothing is scanned at open

    @cached_property
    def country_counts(self) -> tuple[tuple[str, int], ...]:
        return self.index.country_counts()

    def countries(self) -> list[tuple[str, int]]:
        """Countries the corpus mentions, with passage counts, most mentioned first."""
        return list(self.country_counts)

    def prewarm(self, budget: int | None = None):
        """Read the index's files into the page cache (``index.prewarm``), for a server's first questions."""
        from index.prewarm import prewarm

        index = self.index
        return prewarm(index.index_dir, index.manifest, budget)

    def embed_question(self, question: str) -> np.ndarray:
        with self._lock:  # one model call at a time: torch on 2 cores gains nothing from more
            return self.embedder.embed([question])[0]

    # --- filters -------------------------------------------------------------------------------------
    def resolve_doc(self, doc_id: str | None) -> str | None:
        if not doc_id:
            return None
        if doc_id not in self.documents:
            raise UnknownDocument(f"unknown document {doc_id!r}. Documents: {', '.join(self.documents)}")
        return doc_id

    def resolve_country(self, country: str | None) -> str | None:
        if not country or not country.strip():
            return None
        from ingest.countries import resolve_country

        return resolve_country(country, available=[c for c, _ in self.countries()])

    def allowed_rows(self, country: str | None, doc_id: str | None, index: Index | None = None) -> np.ndarray | None:
        """Sorted rows a filter allows (None: no filter); read once per generation and filter, never bound
        row by row into SQL."""
        if not country and not doc_id:
            return None
        index = index or self.index  # one generation throughout, even if an upload swaps it meanwhile
        key = (index.manifest.generation, country, doc_id)
        with self._lock:
            cached = self._allowed.get(key)
        if cached is not None:
            return cached
        rows = index.rows_of_document(doc_id) if doc_id else None
        if country:
            in_country = index.rows_mentioning(country)
            rows = in_country if rows is None else np.intersect1d(rows, in_country, assume_unique=True)
        rows.setflags(write=False)
        with self._lock:
            if len(self._allowed) >= 32:
                self._allowed.pop(next(iter(self._allowed)))
            self._allowed[key] = rows
        return rows

    # --- answers ---------------------------------------------------------------------------------------
    def answer(self, question: str, *, country: str | None = None, doc_id: str | None = None, k: int = 5,
               retriever: str = "hybrid", previous: str | None = None) -> dict:
        from chat.answer import compose_answer
        from chat.followup import resolve_followup

        if retriever not in RETRIEVERS:
            raise UsageError(f"unknown retriever {retriever!r}; use one of {', '.join(RETRIEVERS)}")
        if k < 1 or k > 100:
            raise UsageError("-k must be between 1 and 100")
        asked = clean_question(question)
        self.refresh()
        country = self.resolve_country(country)
        doc_id = self.resolve_doc(doc_id)
        if country is None and doc_id is None and previous is None:
            from ingest.countries import general_country_question

            general = general_country_question(asked)
            if general is not None and general in dict(self.countries()):
                return self.brief(general, question=asked)
        # the previous question reaches the query too: the same characters are replaced as in this one
        previous = repair_text(previous) if previous else previous
        query = resolve_followup(asked, previous) if previous else asked
        index = self.index  # rows are one generation's: retrieval and sentence vectors read the same one
        # the meaning searched for is the question's topic: the person it names is found by who speaks
        qvec = self.embed_question(topic_of(query, index.speaker_labels()))
        allowed = self.allowed_rows(country, doc_id, index)
        hits = retrieve(index, query, qvec, k=k, retriever=retriever, allowed=allowed,
                        config=self.retrieve_config, where=Where(country, doc_id))
        evidence = Evidence(
            question=query,
            question_vector=qvec,
            hits=tuple(hits),
            sentence_vectors=sentence_vectors_of(index, hits),
            documents=self.documents,
            doc_freq=self.doc_freq,
            n_passages=index.manifest.passages,
            asked=asked_speakers(query, index.speaker_labels()),
        )
        result = compose_answer(evidence)
        result["question"] = asked
        if query != asked:
            result["resolved_question"] = query
        result["filters"] = {"country": country, "doc_id": doc_id}
        return result

    def brief(self, country: str, *, question: str | None = None, offset: int = 0) -> dict:
        from chat.brief import country_brief

        self.refresh()
        canonical = self.resolve_country(country)
        return country_brief(self, canonical, question=question, offset=offset)

    # --- the source viewer and uploads ---------------------------------------------------------------
    def source_context(self, doc_id: str, char_start: int, char_end: int, window: int = 700) -> dict:
        """The quoted span with the document text around it, for checking a quote at its source."""
        self.resolve_doc(doc_id)
        title, text = self.index.document_text(doc_id)
        if not (0 <= char_start <= char_end <= len(text)):
            raise UsageError(f"offsets {char_start}-{char_end} are outside document {doc_id!r}")
        lo = max(0, char_start - window)
        hi = min(len(text), char_end + window)
        # widen to whole words so the context doesn't start mid-word
        while lo > 0 and not text[lo - 1].isspace():
            lo -= 1
        while hi < len(text) and not text[hi].isspace():
            hi += 1
        where = self.index.place_of(doc_id, char_start, char_end)
        return {"doc_id": doc_id, "title": title, "before": text[lo:char_start],
                "quote": text[char_start:char_end], "after": text[char_end:hi], **where}

    def add_documents(self, paths: list[Path], on_file=None):
        """Ingest ``paths`` together with what the index already holds, then serve the new generation."""
        from index.build import IngestConfig, ingest_paths

        roots = [Path(p) for p in self.index.manifest.paths if Path(p).exists()]
        wanted = list(dict.fromkeys([*roots, *paths]))
        report = ingest_paths(wanted, self.index.index_dir, IngestConfig(model=self.embedder.name),
                              embedder=self.embedder, progress=False, on_file=on_file)
        self.reload()
        return report
