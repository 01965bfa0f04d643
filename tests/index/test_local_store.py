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

