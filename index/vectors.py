"""The FAISS vector index: exact inner product while small, IVF past a size threshold.

Rows are passage numbers 0..n-1, so no id map is needed. Vectors are L2-normalised,
so inner product is cosine similarity. The defaults come from measurements on the
2-core development machine with ``python -m bench.scale`` and sweeps around it (d=384,
clustered synthetic vectors, held-out queries, one query at a time on one thread);
bench/out/scale.json holds the last full run. Latencies were taken while other jobs
shared the two cores, so quiet-machine figures are lower (given first where both exist).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from ingest.errors import CorruptIndex, IndexMissing, rebuild_command

if TYPE_CHECKING:
    import faiss

Encoding = Literal["float32", "float16", "int8"]
_MISSING = -np.inf  # score of an empty result slot; its row is -1


@dataclass(frozen=True, slots=True)
class VectorConfig:
    # Exact search up to here. IndexFlatIP single-query p95: 9-10 ms at 100k, 17 ms at
    # 200k, 34 ms at 500k, 61-85 ms (203 ms, cores busy) at 1M; 1.5 KB per vector.
    # Past 100k the IVF index below is 4-10x faster at recall@10 >= 0.99 and half the memory.
    flat_max: int = 100_000
    # sqrt(n) lists keeps recall at a fixed nprobe nearly constant across sizes (100k, 200k,
    # 500k, 1M: recall@10 0.982-0.987 at nprobe=64, 0.996-0.999 at 128).
    nlist_per_sqrt_n: float = 1.0
    # 128 probes at 1M: recall@10 0.996-0.997, p95 7-10 ms (18 ms, cores busy); 64 give 0.985
    # at 4 ms. The margin is kept because real embeddings may cluster less cleanly.
    nprobe: int = 128
    # float16 codes: the recall of float32 (0.996 both, 1M) with half the memory and a faster
    # scan (p95 7 vs 13 ms); int8 (SQ8) halves it again but lost 1-2 points of recall.
    encoding: Encoding = "float16"
    train_per_list: int = 64  # k-means sample per list (faiss asks for at least 39)
    # 10 k-means passes match 25 in recall (0.992 vs 0.990 at 300k) in a third of the time
    train_iters: int = 10
    seed: int = 0
    add_batch: int = 65_536  # rows per add() call, which bounds the assignment scratch memory


def build_vector_index(vectors: np.ndarray, config: VectorConfig = VectorConfig()) -> faiss.Index:
    """Index rows 0..n-1 of ``vectors`` (n, d) float32, L2-normalised; a memmap works too."""
    import faiss

    if vectors.ndim != 2:
        raise ValueError(f"vectors must be 2-D (n, d), got shape {vectors.shape}")
    n, d = vectors.shape
    if n <= config.flat_max:
        index = faiss.IndexFlatIP(d)
    else:
        index = _empty_ivf(n, d, config)
        index.train(_training_sample(vectors, index.nlist, config))
    for start in range(0, n, config.add_batch):
        index.add(np.ascontiguousarray(vectors[start : start + config.add_batch], dtype=np.float32))
    if isinstance(index, faiss.IndexIVF):
        index.make_direct_map(True)  # row -> list, so a filtered search can probe the lists holding its rows
    return index


def updated_vector_index(previous: faiss.Index | None, vectors: np.ndarray, appended_from: int | None = None,
                         config: VectorConfig = VectorConfig()) -> faiss.Index:
    """An index of rows 0..n-1 of ``vectors`` that reuses ``previous`` where it fits, without re-training.

    With ``appended_from`` set, ``previous`` already holds rows 0..appended_from-1 and only the rest
    are added; otherwise it is emptied and refilled (rows moved). A trained IVF index is reused
    while n stays within 4x of the size its lists were made for (nlist ~ sqrt(n)); outside that, or
    when n crosses ``flat_max``, the index is built afresh as ``build_vector_index`` would.
    """
    import faiss

    n = len(vectors)
    if previous is None or previous.d != vectors.shape[1]:
        return build_vector_index(vectors, config)
    if isinstance(previous, faiss.IndexIVF):
        wanted = max(1, min(round(config.nlist_per_sqrt_n * math.sqrt(n)), n // 39))
        fits = n > config.flat_max and wanted / 2 <= previous.nlist <= wanted * 2
    else:
        fits = isinstance(previous, faiss.IndexFlat) and n <= config.flat_max
    if not fits:
        return build_vector_index(vectors, config)
    if appended_from is None or previous.ntotal != appended_from:
        previous.reset()
    for start in range(int(previous.ntotal), n, config.add_batch):
        previous.add(np.ascontiguousarray(vectors[start : start + config.add_batch], dtype=np.float32))
    if isinstance(previous, faiss.IndexIVF):
        previous.make_direct_map(True)
    return previous


def _empty_ivf(n: int, d: int, config: VectorConfig) -> faiss.IndexIVF:
    import faiss

    # at most n/39 lists, so k-means always gets the sample size faiss asks for
    nlist = max(1, min(round(config.nlist_per_sqrt_n * math.sqrt(n)), n // 39))
    quantizer = faiss.IndexFlatIP(d)
    if config.encoding == "float32":
        index = faiss.IndexIVFFlat(quantizer, d, nlist, faiss.METRIC_INNER_PRODUCT)
    else:
        qtype = {"float16": faiss.ScalarQuantizer.QT_fp16, "int8": faiss.ScalarQuantizer.QT_8bit}[config.encoding]
        index = faiss.IndexIVFScalarQuantizer(quantizer, d, nlist, qtype, faiss.METRIC_INNER_PRODUCT)
    index.cp.niter = config.train_iters
    index.cp.seed = config.seed
    index.nprobe = min(config.nprobe, nlist)  # saved with the index, so a loaded index searches the same way
    return index


def _training_sample(vectors: np.ndarray, nlist: int, config: VectorConfig) -> np.ndarray:
    n = len(vectors)
    size = min(n, config.train_per_list * nlist)
    rows = np.sort(np.random.default_rng(config.seed).choice(n, size, replace=False))
    return np.ascontiguousarray(vectors[rows], dtype=np.float32)


def save_vector_index(index: faiss.Index, path: Path) -> None:
    import faiss

    faiss.write_index(index, str(path))


def load_vector_index(path: Path) -> faiss.Index:
    import faiss

    if not Path(path).is_file():
        raise IndexMissing(f"vector index {path} is missing; run `{rebuild_command(path.parent)}`")
    try:
        return faiss.read_index(str(path))
    except RuntimeError as err:  # faiss reports every unreadable file this way
        reason = str(err).strip().splitlines()[0] if str(err).strip() else "unreadable"
        raise CorruptIndex(f"vector index {path} is corrupt ({reason}); run `{rebuild_command(path.parent)}`") from err


def index_kind(index: faiss.Index) -> str:
    import faiss

    for kind, cls in (("flat", faiss.IndexFlat), ("ivf", faiss.IndexIVF), ("hnsw", faiss.IndexHNSW)):
        if isinstance(index, cls):
            return kind
    return type(index).__name__


@dataclass(frozen=True, slots=True)
class RowFilter:
    """Allowed rows made ready for searching, once for all the questions that share a filter: the boolean
    mask, FAISS's bitmap of it, and how many allowed rows each IVF list holds (None for other indexes, or an
    IVF index without a direct map)."""

    mask: np.ndarray
    bitmap: np.ndarray
    per_list: np.ndarray | None


def row_filter(index: faiss.Index, allowed: np.ndarray) -> RowFilter:
    import faiss

    mask = _allowed_mask(allowed, index.ntotal)
    per_list = None
    if isinstance(index, faiss.IndexIVF) and index.direct_map.type == faiss.DirectMap.Array:
        direct = faiss.rev_swig_ptr(index.direct_map.array.data(), index.ntotal)  # list << 32 | offset
        per_list = np.bincount(direct[mask] >> 32, minlength=index.nlist)
    return RowFilter(mask, np.packbits(mask, bitorder="little"), per_list)


def search(
    index: faiss.Index, queries: np.ndarray, k: int, allowed: np.ndarray | RowFilter | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Top-k rows by inner product: scores and rows, each (nq, k); empty slots are -inf and -1.

    ``allowed`` restricts the result to those rows, inside the search, so a filter never
    lets another row through and a selective filter still fills min(k, len(allowed)) slots.
    An empty ``allowed`` matches nothing. A ``RowFilter`` of the rows (``row_filter``) spares
    preparing them again for each question.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
    if queries.ndim != 2 or queries.shape[1] != index.d:
        raise ValueError(f"queries of shape {queries.shape} do not fit an index of dimension {index.d}")
    scores = np.full((len(queries), k), _MISSING, np.float32)
    rows = np.full((len(queries), k), -1, np.int64)
    if allowed is not None and not isinstance(allowed, RowFilter):
        allowed = row_filter(index, allowed)
    if index.ntotal == 0 or (allowed is not None and not allowed.mask.any()):
        return scores, rows
    with _threads_for(len(queries)):
        if allowed is None or allowed.mask.all():
            found_s, found_r = index.search(queries, k)
        else:
            found_s, found_r = _filtered(index, queries, k, allowed)
    rows[:] = found_r
    scores[:] = np.where(found_r >= 0, found_s, _MISSING)
    return scores, rows


def _allowed_mask(allowed: np.ndarray, n: int) -> np.ndarray:
    """Rows 0..n-1 as a boolean mask; duplicates and out-of-range rows drop out (np.unique is slower)."""
    allowed = np.asarray(allowed).ravel()
    mask = np.zeros(n, bool)
    if allowed.size == 0:
        return mask
    if not np.issubdtype(allowed.dtype, np.integer):
        raise TypeError(f"allowed must hold integer row numbers, got {allowed.dtype}")
    mask[allowed[(allowed >= 0) & (allowed < n)]] = True
    return mask


def _filtered(index: faiss.Index, queries: np.ndarray, k: int, allowed: RowFilter):
    import faiss

    # rows are 0..n-1, so a bitmap is the cheapest membership test (n/8 bytes)
    selector = faiss.IDSelectorBitmap(allowed.bitmap)
    if not isinstance(index, faiss.IndexIVF):
        return index.search(queries, k, params=faiss.SearchParameters(sel=selector))
    if allowed.per_list is None:  # cannot tell where rows are: scan every list
        return index.search(queries, k, params=faiss.SearchParametersIVF(sel=selector, nprobe=index.nlist))
    assign, coarse = _probes_holding(index, queries, allowed.per_list, k)
    found_s = np.empty((len(queries), k), np.float32)
    found_r = np.empty((len(queries), k), np.int64)
    params = faiss.SearchParametersIVF(sel=selector, nprobe=assign.shape[1])
    # the Python wrapper of search_preassigned refuses params, so call the C++ method itself
    index.search_preassigned_c(
        len(queries), faiss.swig_ptr(queries), k, faiss.swig_ptr(assign), faiss.swig_ptr(coarse),
        faiss.swig_ptr(found_s), faiss.swig_ptr(found_r), False, params,
    )
    return found_s, found_r


def _probes_holding(index: faiss.IndexIVF, queries: np.ndarray, per_list: np.ndarray, k: int):
    """The nprobe nearest lists that hold an allowed row, and more while they hold under k of them.

    Probing the nearest lists regardless of the filter misses a filter whose rows sit
    far from the query (one document's passages share a topic): measured recall@10 fell
    to 0.54-0.84 on such filters at 1M. Skipping lists without allowed rows keeps the
    unfiltered recall for a scattered filter and turns a concentrated one into an exact scan.
    """
    want = min(k, int(per_list.sum()))
    coarse_all, order_all = index.quantizer.search(queries, index.nlist)
    picks = []
    for order, coarse in zip(order_all, coarse_all, strict=True):
        keep = per_list[order] > 0
        order, coarse = order[keep], coarse[keep]
        enough = int(np.searchsorted(np.cumsum(per_list[order]), want)) + 1
        take = max(index.nprobe, enough)
        picks.append((order[:take], coarse[:take]))
    width = max(len(order) for order, _ in picks)
    assign = np.full((len(queries), width), -1, np.int64)
    coarse_dis = np.full((len(queries), width), _MISSING, np.float32)
    for i, (order, coarse) in enumerate(picks):
        assign[i, : len(order)] = order
        coarse_dis[i, : len(order)] = coarse
    return assign, coarse_dis


@contextmanager
def _threads_for(nq: int) -> Iterator[None]:
    """One OpenMP thread for a handful of queries.

    A single query split over the 2 cores is slower, badly so when the other core is busy
    (the embedder, the web server): 100k flat, p50 6 ms on one thread vs 22-26 ms on two
    on a quiet machine, 8.5 vs 40-56 ms on a shared one. The OpenMP thread count is per
    calling thread, so this does not touch other threads' searches.
    """
    import faiss

    if nq >= 20:  # faiss hands batches of 20+ queries to BLAS, which does use both cores well
        yield
        return
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)
