"""index.prewarm: a server reads the index's files into the page cache, within a memory budget."""

from __future__ import annotations

from pathlib import Path

from chat.__main__ import _prewarm
from chat.engine import Engine
from index.manifest import read_manifest
from index.prewarm import WARMED, available_memory, prewarm


def _files(index_dir: Path) -> list[Path]:
    manifest = read_manifest(index_dir)
    return [manifest.data_file(index_dir, stem, suffix) for stem, suffix in WARMED]


def test_the_store_and_both_vector_files_are_read_most_used_first(small_index: Path):
    files = _files(small_index)
    warmed = prewarm(small_index, read_manifest(small_index), budget=10**12)
    assert warmed.files == tuple(f.name for f in files)
    assert warmed.files[0].startswith("store-")  # every keyword search reads it
    assert warmed.bytes == sum(f.stat().st_size for f in files) and warmed.skipped == ()


def test_a_file_past_the_budget_is_left_to_be_read_on_demand(small_index: Path):
    store, passages, sentences = _files(small_index)
    budget = store.stat().st_size + passages.stat().st_size
    warmed = prewarm(small_index, read_manifest(small_index), budget=budget)
    assert warmed.files == (store.name, passages.name) and warmed.skipped == (sentences.name,)
    assert warmed.bytes == budget
    nothing = prewarm(small_index, read_manifest(small_index), budget=0)
    assert nothing.files == () and nothing.bytes == 0 and len(nothing.skipped) == 3


def test_the_default_budget_is_half_the_available_memory(small_index: Path):
    available = available_memory()
    warmed = prewarm(small_index, read_manifest(small_index))
    if available is None:  # no /proc/meminfo: nothing is read ahead
        assert warmed.bytes == 0
    else:
        assert 0 < warmed.bytes <= available // 2


def test_the_server_says_in_one_line_what_it_read(small_index: Path, hashing_embedder, capsys):
    engine = Engine.open(small_index, embedder=hashing_embedder)
    try:
        _prewarm(engine)
        engine.answer("Who will fund the bridge?")  # the engine answers as before
    finally:
        engine.index.close()
    err = capsys.readouterr().err
    assert err.startswith("prewarm: read ") and err.count("\n") == 1
