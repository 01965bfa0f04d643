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


@pytest.fixture(scope="module")
def posted_index(synthetic_index, tmp_path_factory) -> Path:
    """The same index with posting lists for every word in 8 rows or more (index/postings.py)."""
    import shutil
    import sqlite3

    import index.postings as postings

    root = tmp_path_factory.mktemp("posted") / "index"
    shutil.copytree(synthetic_index, root)
    (store,) = root.glob("store-*.sqlite")
    with pytest.MonkeyPatch.context() as mp, sqlite3.connect(store) as con:
        mp.setattr(postings, "EXPENSIVE_MIN_ROWS", 0)
        assert postings.write_postings(con, WEIGHTS, min_rows=8) > 100
    return root


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


@pytest.mark.parametrize("how", ["one query", "split", "split, in row ranges on threads", "posting lists"])
def test_keyword_search_ranks_as_one_query_does(synthetic_index, posted_index, monkeypatch, how):
    if how != "one query":  # every word above 2 % of the rows counts as frequent, however small the index
        monkeypatch.setattr(local_store, "EXPENSIVE_MIN_ROWS", 0)
    if "threads" in how:  # and the kept rankings of frequent words are short: filters score anew
        monkeypatch.setattr(local_store, "CACHE_DEPTH", 0)
        monkeypatch.setattr(local_store, "PARALLEL_ROWS", 0)
        monkeypatch.setattr(local_store, "WORKERS", 3)
    index = Index.open(posted_index if how == "posting lists" else synthetic_index)
    assert (index.backend._posting_lists() is not None) == (how == "posting lists")
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
    if how == "posting lists":  # the lists were read, not set aside
        assert len(index.backend._phrase_scores) > 20
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


@pytest.fixture(scope="module")
def updated_posted_index(tmp_path_factory) -> Path:
    """An index with posting lists, then updated in place: a file added, one changed, one removed. The lists
    stay as written; every IDF and the average length have moved since."""
    import sqlite3

    import index.postings as postings
    from bench.engine_scale import write_corpus
    from index.build import IngestConfig, ingest_paths
    from index.embed import HashingEmbedder

    root = tmp_path_factory.mktemp("updated")
    files = write_corpus(root / "corpus", 1300)
    extra = root / "extra"
    extra.mkdir()
    files[-1].rename(extra / files[-1].name)  # added later
    embedder = HashingEmbedder(64)
    config = IngestConfig(model=embedder.name, compact_share=0.5)  # removed rows stay, marked, in place
    ingest_paths([root / "corpus"], root / "index", config, embedder=embedder, progress=False)
    (store,) = (root / "index").glob("store-*.sqlite")
    with pytest.MonkeyPatch.context() as mp, sqlite3.connect(store) as con:
        mp.setattr(postings, "EXPENSIVE_MIN_ROWS", 0)
        assert postings.write_postings(con, WEIGHTS, min_rows=8) > 100
    files[0].unlink()
    files[1].write_text(files[1].read_text(encoding="utf-8") + "\n\nA paragraph added in a later edition.\n",
                        encoding="utf-8")
    ingest_paths([root / "corpus", extra], root / "index", config, embedder=embedder, progress=False)
    assert list((root / "index").glob("store-*.sqlite")) == [store]  # updated in place: the same generation
    return root / "index"


def test_posting_lists_rank_as_one_query_after_an_update_in_place(updated_posted_index, monkeypatch):
    monkeypatch.setattr(local_store, "EXPENSIVE_MIN_ROWS", 0)
    index = Index.open(updated_posted_index)
    assert len(index.backend.removed) and index.manifest.passages > 0
    assert len(index.backend) > index.backend._posting_lists().rows  # rows appended since the lists
    for allowed in (None, index.rows_mentioning("Serbia")):
        for question in _questions(index):
            got = index.backend.keyword(question, 20, None, allowed, weights=WEIGHTS)
            _same_ranking(got, _one_query(index, question, 20, allowed), 1e-5)
    assert len(index.backend._phrase_scores) > 20  # the lists were read (rescored), not set aside
    index.close()


def test_posting_lists_leave_frequent_words_unscored_by_fts5(synthetic_index, posted_index, monkeypatch):
    """With posting lists FTS5 scores only the rare words' rows: it reads a row's size
    (``passages_fts_docsize``) once for each row it scores, and reads far fewer."""
    monkeypatch.setattr(local_store, "EXPENSIVE_MIN_ROWS", 0)
    monkeypatch.setattr(local_store, "CACHE_DEPTH", 0)
    scored = {}
    for name, folder in (("plain", synthetic_index), ("postings", posted_index)):
        index = Index.open(folder)
        reads = []
        index.con.set_trace_callback(lambda sql, reads=reads: reads.append(sql) if "_docsize" in sql else None)
        for question in _questions(index):
            index.backend.keyword(question, 20, None, None, weights=WEIGHTS)
        scored[name] = len(reads)
        index.close()
    assert scored["postings"] < 0.2 * scored["plain"]


def test_posting_lists_kept_in_memory_are_bounded(posted_index, monkeypatch):
    """The lists and scores a backend keeps stay under ``KEPT_ROWS`` rows; past it they are read again, with
    the same rankings."""
    monkeypatch.setattr(local_store, "EXPENSIVE_MIN_ROWS", 0)
    monkeypatch.setattr(local_store, "KEPT_ROWS", 400)
    index = Index.open(posted_index)
    for question in _questions(index):
        got = index.backend.keyword(question, 20, None, None, weights=WEIGHTS)
        _same_ranking(got, _one_query(index, question, 20, None), 1e-5)
        kept = index.backend._posted.values()
        assert index.backend._kept_rows <= 400
        assert sum(len(v[0]) for v in kept if v) + sum(map(len, index.backend._phrase_scores.values())) <= 400
    index.close()


def test_posting_lists_serve_threads_at_once(posted_index, monkeypatch):
    """The web server asks from several threads: with a cache bound that keeps emptying it, every thread
    still gets the single query's ranking."""
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setattr(local_store, "EXPENSIVE_MIN_ROWS", 0)
    monkeypatch.setattr(local_store, "KEPT_ROWS", 300)
    index = Index.open(posted_index)
    questions = _questions(index)
    want = {q: _one_query(index, q, 20, None) for q in questions}
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda q: (q, index.backend.keyword(q, 20, None, None, weights=WEIGHTS)), questions * 4))
    for question, ranking in got:
        _same_ranking(ranking, want[question], 1e-5)
    index.close()


def test_posting_lists_are_read_only_for_the_weights_they_were_written_for(posted_index, monkeypatch):
    monkeypatch.setattr(local_store, "EXPENSIVE_MIN_ROWS", 0)
    index = Index.open(posted_index)
    question = _questions(index)[0]
    other = (1.0, 1.0, 1.0, 1.0)
    got = index.backend.keyword(question, 20, None, None, weights=other)
    assert not index.backend._phrase_scores  # other weights score otherwise: FTS5 does
    _same_ranking(got, [(r, s) for r, s in index.con.execute(
        "SELECT rowid, -bm25(passages_fts, 1.0, 1.0, 1.0, 1.0) FROM passages_fts WHERE passages_fts MATCH ? "
        "ORDER BY 2 DESC LIMIT 20", (fts_query(question),))], 1e-5)
    index.close()


def test_a_frequent_word_whose_stem_is_not_its_own_stem_is_listed_and_ranks_as_one_query(posted_index,
                                                                                       monkeypatch):
    """FTS5 indexes "committee" as "committe", which Porter would stem again to "committ": the list is kept
    under the term FTS5 indexes, and found by the term the question's word is indexed as."""
    from index.store import fts_terms

    assert fts_terms(["committee", "committe"]) == [["committe"], ["committ"]]
    monkeypatch.setattr(local_store, "EXPENSIVE_MIN_ROWS", 0)
    index = Index.open(posted_index)
    assert index.backend._phrase_list('"committee"') is not None
    for question in ("What did the committee say?", "committee committees"):
        got = index.backend.keyword(question, 20, None, None, weights=WEIGHTS)
        _same_ranking(got, _one_query(index, question, 20, None), 1e-5)
    index.close()


@pytest.mark.parametrize("end", [10, 1000])  # few rows for the index's size (sorted), or many (added in place)
def test_parts_of_a_sum_add_up_row_by_row(end):
    parts = [(np.array([1, 4, 7]), np.array([0.5, 1.0, 2.0])), (np.array([4, 9]), np.array([0.25, 3.0])),
             (np.zeros(0, dtype=np.int64), np.zeros(0))]
    rows, total = local_store._added(parts, end)
    assert rows.tolist() == [1, 4, 7, 9] and total.tolist() == [0.5, 1.25, 2.0, 3.0]


def test_a_list_is_cut_to_runs_of_rows():
    rows, scores = np.array([0, 2, 3, 5, 8, 9, 12]), np.arange(7.0)
    got = local_store._within(rows, scores, (np.array([2, 8]), np.array([6, 10])))
    assert got[0].tolist() == [2, 3, 5, 8, 9] and got[1].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]


@pytest.mark.parametrize("share, lists", [(0.9, True), (0.1, True), (0.9, False)])
def test_rows_past_the_lists_are_appended_in_place_up_to_the_compact_share(tmp_path, monkeypatch, share, lists):
    """Rows appended in place are scored by FTS5, not by a list: once they would pass ``compact_share`` of the
    index, the update writes a whole generation, and its lists cover every row. A store written before the
    lists gets them at its first update."""
    import sqlite3

    import index.postings as postings
    from bench.engine_scale import write_corpus
    from index.build import IngestConfig, ingest_paths
    from index.embed import HashingEmbedder

    monkeypatch.setattr(postings, "EXPENSIVE_MIN_ROWS", 0)  # lists however small the index
    files = write_corpus(tmp_path / "corpus", 600)
    extra = tmp_path / "extra"
    extra.mkdir()
    files[-1].rename(extra / files[-1].name)
    embedder = HashingEmbedder(64)
    config = IngestConfig(model=embedder.name, compact_share=share)
    ingest_paths([tmp_path / "corpus"], tmp_path / "index", config, embedder=embedder, progress=False)
    (first,) = (tmp_path / "index").glob("store-*.sqlite")
    if not lists:
        with sqlite3.connect(first) as con:
            con.execute("DROP TABLE postings_meta")
    ingest_paths([tmp_path / "corpus", extra], tmp_path / "index", config, embedder=embedder, progress=False)
    (store,) = (tmp_path / "index").glob("store-*.sqlite")
    index = Index.open(tmp_path / "index")
    with sqlite3.connect(store) as con:
        listed = postings.listed_rows(con)
    if share == 0.9 and lists:  # in place: the appended rows are past the lists
        assert store == first and listed < index.rows
    else:
        assert store != first and listed == index.rows
    monkeypatch.setattr(local_store, "EXPENSIVE_MIN_ROWS", 0)
    for question in _questions(index):
        _same_ranking(index.backend.keyword(question, 20, None, None, weights=WEIGHTS),
                      _one_query(index, question, 20, None), 1e-5)
    index.close()
