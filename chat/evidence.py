"""What retrieval hands to the answer step."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ingest.records import Passage


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved passage with its fused rank and the scores behind it."""

    passage: Passage
    rank: int  # 1-based
    score: float  # the fused score (RRF; or convex, in [0, 1]), or the single retriever's score
    dense: float | None = None  # cosine of passage and question, when the dense retriever saw it
    bm25: float | None = None  # BM25 score (higher is better), when the lexical retriever saw it
    row: int = -1  # the passage's row in the index (FAISS id), when it came from one
    # When overlapping windows were merged into ``passage`` (chat.retrieve.merge_passages): their rows and
    # passages, the best-ranked first. Empty: ``passage`` is the one at ``row``.
    rows: tuple[int, ...] = ()
    parts: tuple[Passage, ...] = ()


@dataclass(frozen=True, slots=True)
class DocInfo:
    doc_id: str
    title: str
    kind: str  # report | transcript | article
    footnotes: Mapping[int, str] = field(default_factory=dict)
    meta: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Evidence:
    """Everything the answer step needs; it never touches the index itself."""

    question: str
    question_vector: np.ndarray  # (d,) unit vector of the question
    hits: tuple[Hit, ...]
    # sentence vectors per passage id, rows aligned with passage.sentences
    sentence_vectors: Mapping[str, np.ndarray]
    documents: Mapping[str, DocInfo]
    # document frequency of lower-cased word tokens over all passages, and the passage count,
    # for IDF-weighted term overlap
    doc_freq: Mapping[str, int] = field(default_factory=dict)
    n_passages: int = 0
    # the labels of the person the question asks about, resolved against every speaker of the index (an
    # office may be stated in another record than the one quoted); None: resolve among the hits' speakers
    asked: tuple[str, ...] | None = None
