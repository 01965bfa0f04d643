"""The naive baseline Quotable is measured against.

Fixed 500-character windows of the raw file text (no cleaning, no footnote
handling, no headings), embedded with the same model, searched by exact
cosine. What is left over is what cleaning and structure-aware chunking buy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CHUNK_CHARS = 500


def fixed_chunks(text: str, size: int = CHUNK_CHARS) -> list[str]:
    """Consecutive ``size``-character windows, blank ones dropped."""
    return [text[i : i + size] for i in range(0, len(text), size) if text[i : i + size].strip()]


@dataclass(frozen=True, eq=False)
class NaiveIndex:
    chunks: tuple[str, ...]
    vectors: np.ndarray  # (n, d) unit rows

    @classmethod
    def build(cls, paths: Sequence[Path], embedder, size: int = CHUNK_CHARS) -> NaiveIndex:
        files = sorted(f for p in paths for f in ([p] if Path(p).is_file() else Path(p).rglob("*")) if f.is_file())
        chunks = [c for f in files for c in fixed_chunks(f.read_text(encoding="utf-8", errors="replace"), size)]
        vectors = embedder.embed(chunks) if chunks else np.zeros((0, embedder.dim), np.float32)
        return cls(tuple(chunks), np.asarray(vectors, dtype=np.float32))

    def search(self, qvec: np.ndarray, k: int) -> list[str]:
        """Texts of the ``k`` chunks nearest the unit vector ``qvec``, best first."""
        if not self.chunks:
            return []
        scores = self.vectors @ np.asarray(qvec, dtype=np.float32)
        order = np.argsort(-scores, kind="stable")[:k]
        return [self.chunks[i] for i in order]
