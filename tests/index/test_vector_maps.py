"""The index's vector files are memory-mapped for the reads a question makes: a few rows anywhere."""

from __future__ import annotations

import os

import pytest

from index.reader import Index


def _vm_flags(path) -> set[str]:
    """The kernel's VmFlags of this process's mappings of ``path`` (/proc/self/smaps)."""
    flags, inside = set(), False
    for line in open("/proc/self/smaps", encoding="utf-8"):
        if "-" in line.split(" ", 1)[0] and ":" not in line.split(" ", 1)[0]:  # a mapping's first line
            inside = line.rstrip().endswith(str(path))
        elif inside and line.startswith("VmFlags:"):
            flags |= set(line.split()[1:])
    return flags


def test_vector_files_are_mapped_for_scattered_reads(small_index):
    if not os.path.exists("/proc/self/smaps"):
        pytest.skip("no /proc/self/smaps: the kernel's record of the advice cannot be read here")
    index = Index.open(small_index)
    try:
        for kind in ("sentences", "passages"):
            path = index.manifest.data_file(small_index, kind, ".npy").resolve()
            # "rr": the mapping was advised MADV_RANDOM, so a fault reads one page, not the pages around it
            assert "rr" in _vm_flags(path), kind
    finally:
        index.close()
