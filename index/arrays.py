"""The index's .npy vector files: written beside the previous generation, or appended to in place.

A generation that only adds documents appends its rows to the previous
generation's files instead of copying them (3 GB at 300k passages): the new
rows go after the rows the store has committed, and the header's row count is
rewritten last. Readers take as many rows as their store holds, so rows past
that (an append not committed yet, or cut short) are never read, and the next
append writes over them.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import BinaryIO

import numpy as np


def start_array(out: BinaryIO, dtype, dim: int, old: np.ndarray | None, ranges: list[tuple[int, int]],
                new_rows: int) -> None:
    """Into ``out``: the .npy header for ``old``'s row ranges (start, count) plus ``new_rows`` rows, then
    those old rows back to back; the new rows are to be written after them.

    Old rows are copied file to file (``os.copy_file_range`` where the kernel has it), not through
    memory, so an update of a big index neither reads its vectors into the process nor maps them.
    """
    from numpy.lib import format as npy

    dtype = np.dtype(dtype)
    row_bytes = dtype.itemsize * dim
    total = sum(n for _, n in ranges) + new_rows
    npy.write_array_header_2_0(out, {"descr": npy.dtype_to_descr(dtype), "fortran_order": False,
                                     "shape": (total, dim)})
    if ranges:
        with open(old.filename, "rb") as src:
            for first, n in merged(ranges):
                copy_bytes(src, out, old.offset + first * row_bytes, n * row_bytes)


def write_array(path: Path, dtype, dim: int, old: np.ndarray | None, ranges: list[tuple[int, int]],
                new: np.ndarray) -> np.ndarray:
    """``old``'s row ranges (start, count) back to back, then ``new``, as an .npy file; opened memory-mapped."""
    with open(path, "wb") as out:
        start_array(out, dtype, dim, old, ranges, len(new))
        out.write(np.ascontiguousarray(new, dtype=dtype).data)  # from its buffer: no copy of a big array
    return np.load(path, mmap_mode="r")


def merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(start, count) ranges with each one that starts where the previous ends joined to it."""
    out: list[tuple[int, int]] = []
    for first, n in ranges:
        if out and out[-1][0] + out[-1][1] == first:
            out[-1] = (out[-1][0], out[-1][1] + n)
        elif n:
            out.append((first, n))
    return out


def copy_bytes(src, dst, offset: int, size: int) -> None:
    dst.flush()
    while size > 0:
        try:
            done = os.copy_file_range(src.fileno(), dst.fileno(), size, offset)
        except (AttributeError, OSError):  # no copy_file_range here (or across these files): copy in blocks
            src.seek(offset)
            done = len(block := src.read(min(size, 1 << 24)))
            dst.write(block)
            dst.flush()
        if done <= 0:
            raise OSError(f"short copy from {src.name}")
        offset, size = offset + done, size - done
    dst.seek(0, os.SEEK_END)


class Appender:
    """An .npy file of (rows, dim) ``dtype`` opened to take rows after its first ``kept``.

    ``open`` gives None when the file cannot be appended to in place (another dtype or width, fewer
    rows than ``kept``, a header that would change length): the caller then writes a new file.
    Rows written through ``file`` land after row ``kept``; ``finish`` makes them durable and then sets
    the header's row count, so a crash before it leaves a file whose header still says the old count
    (or, after it, a count the store has not committed yet: readers take what the store holds).
    """

    def __init__(self, fh: BinaryIO, header: bytes, end: int) -> None:
        self.file, self._header, self._end = fh, header, end

    @classmethod
    def open(cls, path: Path, dtype, dim: int, kept: int, adding: int) -> Appender | None:
        from numpy.lib import format as npy

        dtype = np.dtype(dtype)
        try:
            fh = open(path, "r+b")
        except OSError:
            return None
        try:
            version = npy.read_magic(fh)
            read, write = {(1, 0): (npy.read_array_header_1_0, npy.write_array_header_1_0),
                           (2, 0): (npy.read_array_header_2_0, npy.write_array_header_2_0)}[version]
            shape, fortran, found = read(fh)
            offset = fh.tell()
            header = io.BytesIO()
            # numpy pads a header so that its row count can grow in place (GROWTH_AXIS_MAX_DIGITS)
            write(header, {"descr": npy.dtype_to_descr(dtype), "fortran_order": False, "shape": (kept + adding, dim)})
            usable = (found == dtype and not fortran and len(shape) == 2 and shape[1] == dim and shape[0] >= kept
                      and len(header.getvalue()) == offset)
        except (OSError, ValueError, EOFError, KeyError):
            usable = False
        if not usable:
            fh.close()
            return None
        row_bytes = dtype.itemsize * dim
        fh.seek(offset + kept * row_bytes)
        fh.truncate()  # rows past the committed ones: what an interrupted append left
        return cls(fh, header.getvalue(), offset + (kept + adding) * row_bytes)

    def finish(self) -> None:
        """The new rows durable, then the header's row count set to take them in."""
        fh = self.file
        fh.flush()
        if fh.tell() != self._end:
            raise OSError(f"{fh.name}: appended rows end at byte {fh.tell()}, not {self._end}")
        os.fsync(fh.fileno())
        fh.seek(0)
        fh.write(self._header)
        fh.flush()
        os.fsync(fh.fileno())
        fh.close()

    def close(self) -> None:
        self.file.close()
