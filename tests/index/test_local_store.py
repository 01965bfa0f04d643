"""The default search backend (FAISS + FTS5 in the index folder) behind the same seam as a search engine."""

import ast
from pathlib import Path

import numpy as np

from index.local_store import LocalBackend
from index.reader import Index

REPO = Path(__file__).resolve().parents[2]


def test_a_local_index_searches_through_its_backend(small_index, hashing_embedder):
    index = Index.open(small_index)
    assert isinstance(index.backend, LocalBackend) and len(index.backend) == index.manifest.passages
    qvec = hashing_embedder.embed(["bridges"])[0]
    scores, rows = index.backend.dense(qvec, 3, None, None)
    assert rows.shape == (1, 3) and (rows[0] >= 0).all()
    everything = index.backend.keyword("bridge", 10, None, None)
    assert everything and all(score > 0 for _, score in everything)


def test_filters_never_widen_and_keep_only_allowed_rows(small_index, hashing_embedder):
    index = Index.open(small_index)
    qvec = hashing_embedder.embed(["bridges"])[0]
    empty = np.array([], dtype=np.int64)
    assert index.backend.keyword("bridge", 10, None, empty) == []
    assert (index.backend.dense(qvec, 3, None, empty)[1] < 0).all()
    everything = index.backend.keyword("bridge", 10, None, None)
    one = np.array([everything[-1][0]], dtype=np.int64)
    assert [row for row, _ in index.backend.keyword("bridge", 10, None, one)] == one.tolist()
    _, rows = index.backend.dense(qvec, 3, None, one)
    assert rows[0][rows[0] >= 0].tolist() == one.tolist()


def test_a_filter_shared_by_questions_is_prepared_once_and_searches_as_the_rows_do(small_index, hashing_embedder):
    """A question's filter (``where``) is made ready for FAISS once, while the caller passes the same rows;
    other rows under the same ``where`` are prepared anew, and removed rows stay out of it."""
    from index.backend import Where

    index = Index.open(small_index)
    try:
        n = index.rows
        qvec = hashing_embedder.embed(["bridges"])[0]
        where = Where(country="Bosnia and Herzegovina")
        for allowed in (np.arange(0, n, 2), np.arange(1, n, 3)):
            plain = index.backend.dense(qvec, n, None, allowed)
            for _ in range(2):
                got = index.backend.dense(qvec, n, where, allowed)
                assert got[1].tolist() == plain[1].tolist() and np.allclose(got[0], plain[0])
            assert index.backend._filters[where][0] is allowed
        backend = LocalBackend(index.con, index.vectors, removed=np.array([1], dtype=np.int64))
        _, rows = backend.dense(qvec, n, where, np.arange(0, n))
        assert sorted(rows[0][rows[0] >= 0].tolist()) == [r for r in range(n) if r != 1]
    finally:
        index.close()


def test_nothing_outside_index_opens_the_index_files():
    """The answer step, the brief, the source viewer and the UI read the index through index/ alone."""
    for path in sorted((REPO / "chat").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        attrs = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)
                    for a in n.names} | {n.module.split(".")[0] for n in ast.walk(tree)
                                         if isinstance(n, ast.ImportFrom) and n.module}
        assert not ({"sqlite3", "faiss"} & imported), path.name
        assert "con" not in attrs and "execute" not in attrs, f"{path.name} runs SQL on the index"
        assert "load" not in attrs or "np" not in names, path.name

