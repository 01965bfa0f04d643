"""The FAISS layer on real FAISS indexes, built from clustered synthetic unit vectors."""

from __future__ import annotations

import dataclasses

import faiss
import numpy as np
import pytest

from bench.scale import Mixture
from index.vectors import VectorConfig, build_vector_index, index_kind, load_vector_index, save_vector_index, search
from ingest.errors import CorruptIndex, IndexMissing

D = 64
# Past flat_max=100 a few hundred vectors get a real IVF index (a few lists, probed partly).
SMALL_IVF = VectorConfig(flat_max=100, nprobe=2)
KINDS = {
    "flat": VectorConfig(),
    "ivf-float16": SMALL_IVF,
    "ivf-float32": dataclasses.replace(SMALL_IVF, encoding="float32"),
    "ivf-int8": dataclasses.replace(SMALL_IVF, encoding="int8"),
}


def clustered(n: int, d: int = D, centres: int = 20, noise: float = 0.6, seed: int = 0) -> np.ndarray:
    """Unit vectors around random centres: neighbours are meaningful, as with sentence embeddings."""
    rng = np.random.default_rng(seed)
    c = rng.standard_normal((centres, d)).astype(np.float32)
    c /= np.linalg.norm(c, axis=1, keepdims=True)
    x = c[rng.integers(centres, size=n)] + noise / np.sqrt(d) * rng.standard_normal((n, d)).astype(np.float32)
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def exact_top(x: np.ndarray, q: np.ndarray, k: int, rows: np.ndarray | None = None) -> np.ndarray:
    rows = np.arange(len(x)) if rows is None else rows
    sims = q @ x[rows].T
    return rows[np.argsort(-sims, axis=1, kind="stable")[:, :k]]


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found.tolist(), truth.tolist(), strict=True)]))


@pytest.fixture(scope="module")
def data() -> np.ndarray:
    return clustered(600)


@pytest.fixture(scope="module", params=list(KINDS))
def built(request, data):
    return request.param, build_vector_index(data, KINDS[request.param])


def test_flat_top_hit_of_a_stored_vector_is_itself(data):
    index = build_vector_index(data)
    scores, rows = search(index, data[[0, 17, 599]], k=3)
    assert rows[:, 0].tolist() == [0, 17, 599]
    np.testing.assert_allclose(scores[:, 0], 1.0, atol=1e-5)
    assert (np.diff(scores, axis=1) <= 1e-6).all()  # best first


def test_flat_index_is_exact(data):
    q = clustered(20, seed=1)
    _, rows = search(build_vector_index(data), q, k=10)
    assert (rows == exact_top(data, q, 10)).all()


def test_index_switches_to_ivf_only_past_flat_max(data):
    assert index_kind(build_vector_index(data[:100], SMALL_IVF)) == "flat"
    index = build_vector_index(data[:101], SMALL_IVF)
    assert index_kind(index) == "ivf"
    assert index.ntotal == 101
    assert index_kind(build_vector_index(data)) == "flat"  # default flat_max is far above 600


def test_ivf_rows_are_the_input_row_numbers(built, data):
    kind, index = built
    _, rows = search(index, data[[5, 250, 598]], k=1)
    assert rows[:, 0].tolist() == [5, 250, 598], kind


def test_filter_returns_only_allowed_rows(built, data):
    kind, index = built
    allowed = np.arange(0, 600, 7)
    q = clustered(30, seed=2)
    _, rows = search(index, q, k=10, allowed=allowed)
    assert np.isin(rows, allowed).all(), kind  # and every slot is filled: 86 rows allowed


def test_filtered_search_probing_every_list_is_exact(built, data):
    kind, index = built
    if kind != "flat":
        index = faiss.clone_index(index)
        index.nprobe = index.nlist
    allowed = np.arange(0, 600, 7)
    q = clustered(30, seed=2)
    scores, rows = search(index, q, k=10, allowed=allowed)
    assert recall(rows, exact_top(data, q, 10, allowed)) >= (0.97 if kind == "ivf-int8" else 1.0), kind
    np.testing.assert_allclose(scores, np.take_along_axis(q @ data.T, rows, axis=1), atol=0.02)


def test_selective_filter_far_from_the_query_still_fills_its_rows(built, data):
    kind, index = built
    q = data[:1]
    farthest = np.argsort(data @ q[0])[:3]  # rows in clusters the query's probes would never visit
    scores, rows = search(index, q, k=5, allowed=farthest)
    assert sorted(rows[0, :3].tolist()) == sorted(farthest.tolist()), kind
    assert rows[0, 3:].tolist() == [-1, -1]
    assert np.isneginf(scores[0, 3:]).all()
    assert rows[0, 0] == exact_top(data, q, 1, farthest)[0, 0]


def test_filter_of_one_cluster_returns_its_exact_top_rows(built, data):
    kind, index = built
    q = clustered(10, seed=3)
    far_cluster = np.flatnonzero(data @ data[np.argmin(data @ q[0])] > 0.5)
    _, rows = search(index, q, k=5, allowed=far_cluster)
    assert np.isin(rows, far_cluster).all(), kind
    assert recall(rows, exact_top(data, q, 5, far_cluster)) >= 0.9, kind


def test_empty_filter_returns_nothing(built, data):
    kind, index = built
    for empty in (np.array([], dtype=np.int64), [], np.array([600, -1, 10_000])):
        scores, rows = search(index, data[:2], k=4, allowed=empty)
        assert rows.shape == (2, 4) and (rows == -1).all(), kind
        assert np.isneginf(scores).all()


def test_filter_ignores_duplicate_and_unknown_rows(built, data):
    kind, index = built
    _, rows = search(index, data[:1], k=4, allowed=np.array([3, 3, 3, 9, -5, 600, 10**9]))
    assert sorted(rows[0, :2].tolist()) == [3, 9], kind
    assert rows[0, 2:].tolist() == [-1, -1]


def test_filter_of_every_row_is_the_same_as_no_filter(built, data):
    kind, index = built
    q = clustered(5, seed=4)
    assert (search(index, q, 10, np.arange(600))[1] == search(index, q, 10)[1]).all(), kind


def test_filter_must_be_row_numbers(data):
    with pytest.raises(TypeError):
        search(build_vector_index(data), data[:1], 3, allowed=np.array([0.5, 2.0]))


def test_k_larger_than_the_index_pads_with_minus_one(data):
    scores, rows = search(build_vector_index(data[:3]), data[0], k=5)
    assert rows.shape == (1, 5)
    assert sorted(rows[0, :3].tolist()) == [0, 1, 2] and rows[0, 3:].tolist() == [-1, -1]
    assert np.isneginf(scores[0, 3:]).all()


def test_empty_index_finds_nothing():
    index = build_vector_index(np.zeros((0, D), np.float32))
    scores, rows = search(index, clustered(2, seed=5), k=3)
    assert (rows == -1).all() and np.isneginf(scores).all()
    assert (search(index, clustered(1, seed=5), k=3, allowed=np.array([0]))[1] == -1).all()


def test_bad_queries_and_k_are_rejected(data):
    index = build_vector_index(data)
    with pytest.raises(ValueError, match="dimension"):
        search(index, np.ones((1, D + 1), np.float32), k=3)
    with pytest.raises(ValueError, match="k must be"):
        search(index, data[:1], k=0)


def test_search_leaves_the_callers_thread_count_alone(data):
    before = faiss.omp_get_max_threads()
    search(build_vector_index(data), data[:1], k=3)
    assert faiss.omp_get_max_threads() == before


def test_save_and_load_give_the_same_answers(built, data, tmp_path):
    kind, index = built
    path = tmp_path / "vectors.faiss"
    save_vector_index(index, path)
    loaded = load_vector_index(path)
    assert index_kind(loaded) == index_kind(index) and loaded.ntotal == 600
    q = clustered(10, seed=6)
    allowed = np.arange(0, 600, 3)
    for args in ((), (allowed,)):
        before, after = search(index, q, 10, *args), search(loaded, q, 10, *args)
        assert (before[1] == after[1]).all(), kind
        np.testing.assert_allclose(before[0], after[0])
    if kind != "flat":
        assert loaded.nprobe == index.nprobe  # the search setting travels with the file


@pytest.mark.parametrize(
    "content", [b"", b"not a faiss index at all" * 10, b"IxFI" + b"\x00" * 7], ids=["empty", "garbage", "truncated"]
)
def test_unreadable_file_raises_corrupt_index_saying_how_to_rebuild(tmp_path, content):
    path = tmp_path / "vectors.faiss"
    path.write_bytes(content)
    with pytest.raises(CorruptIndex, match=r"python -m ingest --rebuild"):
        load_vector_index(path)


def test_truncated_real_index_raises_corrupt_index(data, tmp_path):
    path = tmp_path / "vectors.faiss"
    save_vector_index(build_vector_index(data, SMALL_IVF), path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(CorruptIndex, match=str(path)):
        load_vector_index(path)


def test_missing_file_raises_index_missing(tmp_path):
    with pytest.raises(IndexMissing, match=r"python -m ingest --rebuild"):
        load_vector_index(tmp_path / "nope.faiss")


def test_ivf_recall_at_10_with_the_default_probe_share_is_at_least_095():
    # The defaults probe 128 of sqrt(n) lists: 12.8% of them at 1M. A small collection probed
    # with the same share exercises a truly approximate search (all-list probing would be exact)
    # on the benchmark's embedding-like data: 300 topics in an anisotropic space.
    mixture = Mixture.make(seed=3, topics=300)
    rng = np.random.default_rng(4)
    x = mixture.fill(rng, 20_000)
    q = mixture.sample(rng, 200)  # held out, from the same distribution
    default = VectorConfig()
    nlist = round(np.sqrt(len(x)))
    config = dataclasses.replace(default, flat_max=1000, nprobe=round(nlist * default.nprobe / 1000))
    index = build_vector_index(x, config)
    assert index_kind(index) == "ivf" and index.nlist == nlist and index.nprobe < nlist / 5
    _, rows = search(index, q, 10)
    assert recall(rows, exact_top(x, q, 10)) >= 0.95
