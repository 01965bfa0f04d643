"""The split keyword search (index/local_store.py) ranks as one FTS5 query over every word would."""

from pathlib import Path

import numpy as np
import pytest

import index.local_store as local_store
from index.reader import Index
from index.store import fts_query

WEIGHTS = (1.0, 0.5, 0.3, 0.3)


@pytest.fixture(scope="module")
def synthetic_index(tmp_path_factory) -> Path:
    """bench.engine_scale's documents: invented Zipf words, "Serbia" in most passages, reports and hearings."""
    from bench.engine_scale import write_corpus
    from index.build import IngestConfig, ingest_paths
    from index.embed import HashingEmbedder

    root = tmp_path_factory.mktemp("synthetic")
    write_corpus(root / "corpus", 1200)
    embedder = HashingEmbedder(64)
    ingest_paths([root / "corpus"], root / "index", IngestConfig(model=embedder.name), embedder=embedder,
                 progress=False)
    return root / "index"


def _one_query(index: Index, question: str, k: int, allowed: np.ndarray | None) -> list[tuple[int, float]]:
    """The reference: every word in one OR query, scored by FTS5, the allowed rows kept."""
    sql = ("SELECT rowid, -bm25(passages_fts, 1.0, 0.5, 0.3, 0.3) FROM passages_fts "
           "WHERE passages_fts MATCH ? ORDER BY 2 DESC")
    keep = None if allowed is None else set(allowed.tolist())
    out = [(r, s) for r, s in index.con.execute(sql, (fts_query(question),)) if keep is None or r in keep]
    return out[:k]


def _questions(index: Index) -> list[str]:
    from bench.engine_scale import Writer, questions

    words = Writer(0).words(60)  # words of the corpus itself, common and rare
    return questions(0, 30) + [f"What did the committee say about {a} {b}?" for a, b in zip(words, words[1:], strict=False)]


def _same_ranking(got: list[tuple[int, float]], want: list[tuple[int, float]], tolerance: float) -> None:
    if len(got) < len(want):  # only rows matching nothing but costly words in half the rows (score ~1e-6) go
        want = [(row, s) for row, s in want if s > 1e-4]
    assert len(got) == len(want)
    # the same scores in the same order (a word in half the rows adds at most 2.2e-6 to a score, and is
    # left out)...
    assert np.allclose([s for _, s in got], [s for _, s in want], rtol=0, atol=tolerance)
    # ...of the same rows, but for rows tied with the last one
    scores, last = dict(want), want[-1][1] if want else 0.0
    assert all(abs(scores.get(row, -1e9) - s) <= tolerance for row, s in got if s > last + 1e-4)


@pytest.mark.parametrize("how", ["one query", "split", "split, in row ranges on threads"])
def test_keyword_search_ranks_as_one_query_does(synthetic_index, monkeypatch, how):
    if how != "one query":  # every word above 2 % of the rows counts as frequent, however small the index
        monkeypatch.setattr(local_store, "EXPENSIVE_MIN_ROWS", 0)
    if "threads" in how:  # and the kept rankings of frequent words are short: filters score anew
        monkeypatch.setattr(local_store, "CACHE_DEPTH", 0)
        monkeypatch.setattr(local_store, "PARALLEL_ROWS", 0)
        monkeypatch.setattr(local_store, "WORKERS", 3)
    index = Index.open(synthetic_index)
    doc_rows = index.rows_of_document("hearing-00003")
    filters = {"none": None, "country": index.rows_mentioning("Serbia"), "document": doc_rows,
               "scattered": np.arange(0, len(index.backend), 7),
               # below the broad-filter share (every match scored), and just above it in clumps of rows
               "sparse": np.arange(0, len(index.backend), 31),
               "clumped": np.flatnonzero(np.arange(len(index.backend)) % 200 < 11)}
    for allowed in filters.values():
        for question in _questions(index):
            got = index.backend.keyword(question, 20, None, allowed, weights=WEIGHTS)
            _same_ranking(got, _one_query(index, question, 20, allowed), 1e-5)
    for question in _questions(index):
        # a broad filter that allows none of the question's best 300 rows: the first, shallow search of a
        # broad filter finds too few, and the deeper one must follow
        best = [row for row, _ in _one_query(index, question, 300, None)]
        allowed = np.setdiff1d(np.arange(len(index.backend)), best)
        got = index.backend.keyword(question, 20, None, allowed, weights=WEIGHTS)
        _same_ranking(got, _one_query(index, question, 20, allowed), 1e-5)
    index.close()


def test_a_costly_word_without_idf_ranks_no_row_alone(synthetic_index, monkeypatch):
    """A word in half the rows scores a row at most 2.2e-6 (FTS5 clamps its IDF): on a big index a question
    with nothing else in the index gets no keyword rows; on a small one (nothing costly) it still does."""
    index = Index.open(synthetic_index)
    question = "What did the report say about zzzunknown?"
    held = index.con.execute("SELECT count(*) FROM passages_fts WHERE passages_fts MATCH 'report'").fetchone()[0]
    assert 2 * held >= len(index.backend)
    assert index.backend.keyword(question, 10, None, None, weights=WEIGHTS) == _one_query(index, question, 10, None)
    monkeypatch.setattr(local_store, "EXPENSIVE_MIN_ROWS", 0)
    assert index.backend.keyword(question, 10, None, None, weights=WEIGHTS) == []
