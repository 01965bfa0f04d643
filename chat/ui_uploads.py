"""Uploaded files -> safely named copies in the uploads folder, ready for ``Engine.add_documents``.

An upload's name comes from the browser, so only its last path component is
kept, reduced to ``[A-Za-z0-9._-]``; anything else could climb out of the
uploads folder or hide the file (a leading dot) from ingest.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_MAX_BYTES = 50_000_000
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str) -> str:
    """The basename of ``name`` with every other character replaced: never a path, never hidden."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = _UNSAFE.sub("_", base).strip("._-")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        return base or "upload"
    stem = stem.strip("._-") or "upload"
    return f"{stem}.{suffix.lower()}"


@dataclass
class Staged:
    files: list[Path] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (name shown to the user, why)


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 1_000_000 else f"{n / 1_000:.0f} kB"


def stage_uploads(uploads: Iterable[str | Path], folder: Path, *, max_bytes: int = DEFAULT_MAX_BYTES,
                  suffixes: Iterable[str] | None = None) -> Staged:
    """Copy each uploaded file into ``folder`` under its safe name; refuse oversized or unsupported ones."""
    from ingest.loaders import SUPPORTED_SUFFIXES

    allowed = tuple(suffixes or SUPPORTED_SUFFIXES)
    staged = Staged()
    taken: set[str] = set()
    for upload in uploads:
        source = Path(upload)
        name = safe_name(source.name)
        suffix = Path(name).suffix
        if suffix not in allowed:
            staged.refused.append((name, f"unsupported file type {suffix or '(none)'}; use one of "
                                         + ", ".join(allowed)))
            continue
        try:
            size = source.stat().st_size
        except OSError as err:
            staged.refused.append((name, f"cannot read the upload: {err.strerror or err}"))
            continue
        if size > max_bytes:
            staged.refused.append((name, f"file is {_size(size)}, over the {_size(max_bytes)} upload limit"))
            continue
        if name in taken:
            staged.refused.append((name, "another file in this upload has the same name"))
            continue
        taken.add(name)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / name
        shutil.copyfile(source, target)
        staged.files.append(target)
    return staged
