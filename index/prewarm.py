"""Read an index's files into the operating system's page cache before the first questions come.

A question touches pages all over the index: posting lists and passage rows
in the SQLite store, the passages' and sentences' vectors. Right after a
server starts (or the machine has been busy with something else) those pages
are on disk, and at a million passages a question then waits on disk reads
(``bench/engine_scale-*.json``: p95 101 ms cold against 51-69 ms warm). A
long-lived server reads the files once, sequentially, in the background:
the store first (every keyword search reads it), then the passage vectors,
then the sentence vectors. A file that would take the total past the memory
budget (half of what the system has available) is left to be read on demand,
so warming never pushes out what the process itself needs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from index.manifest import Manifest

CHUNK = 8 << 20  # bytes per read: large enough to stream, small enough to stay out of the way
# the files a question reads, most read first
WARMED = (("store", ".sqlite"), ("passages", ".npy"), ("sentences", ".npy"))


@dataclass(frozen=True, slots=True)
class Warmed:
    files: tuple[str, ...]  # the files read, by name
    skipped: tuple[str, ...]  # left to be read on demand: past the budget
    bytes: int
    seconds: float


def available_memory() -> int | None:
    """Bytes of memory the system can give without swapping (MemAvailable), or None where it cannot say."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def prewarm(index_dir: Path, manifest: Manifest, budget: int | None = None) -> Warmed:
    """Read the index's files in ``WARMED`` order while their total stays within ``budget`` bytes (default:
    half the available memory; nothing where that is unknown)."""
    if budget is None:
        available = available_memory()
        budget = available // 2 if available else 0
    started = time.perf_counter()
    buffer = bytearray(CHUNK)
    read, files, skipped = 0, [], []
    for stem, suffix in WARMED:
        path = manifest.data_file(index_dir, stem, suffix)
        try:
            size = path.stat().st_size
            if read + size > budget:
                skipped.append(path.name)
                continue
            with open(path, "rb", buffering=0) as fh:
                while fh.readinto(buffer):
                    pass
        except OSError:  # replaced by an update meanwhile: the new generation is read on demand
            skipped.append(path.name)
            continue
        read += size
        files.append(path.name)
    return Warmed(tuple(files), tuple(skipped), read, time.perf_counter() - started)
