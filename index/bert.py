"""A BERT encoder in plain torch, for sentence-transformers folders of the common layout.

Importing ``transformers`` costs seconds at every start (it scans its own
package); the chat CLI's cold start is mostly that. A BERT forward pass is
a few matrix products, so for ``model_type: bert`` folders this loads the
safetensors weights and the ``tokenizer.json`` directly. The tests check
the vectors against sentence-transformers itself.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np


def supported(folder: Path) -> bool:
    try:
        config = json.loads((folder / "config.json").read_text())
    except (OSError, ValueError):
        return False
    return (config.get("model_type") == "bert" and config.get("hidden_act") == "gelu"
            and config.get("position_embedding_type", "absolute") == "absolute"
            and (folder / "model.safetensors").exists() and (folder / "tokenizer.json").exists())


class BertEncoder:
    """Token embeddings of a BERT model: ``encode(texts) -> (hidden (n, t, d), mask (n, t))``."""

    def __init__(self, folder: Path, max_length: int) -> None:
        import torch
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        self._torch = torch
        self.config = json.loads((folder / "config.json").read_text())
        weights = load_file(str(folder / "model.safetensors"))
        self._w = {k.removeprefix("bert."): v.float() for k, v in weights.items()}
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=max_length)
        self._tokenizer.enable_padding(pad_id=self.config.get("pad_token_id", 0))
        self.dim = int(self.config["hidden_size"])

    def _layer_norm(self, x, prefix: str):
        return self._torch.nn.functional.layer_norm(
            x, (self.dim,), self._w[f"{prefix}.weight"], self._w[f"{prefix}.bias"], self.config["layer_norm_eps"])

    def _linear(self, x, prefix: str):
        return self._torch.nn.functional.linear(x, self._w[f"{prefix}.weight"], self._w[f"{prefix}.bias"])

    def encode(self, texts: Sequence[str]):
        hidden, mask, _ = self.encode_with_offsets(texts)
        return hidden, mask

    def encode_with_offsets(self, texts: Sequence[str]):
        """``encode`` plus each token's (start, end) characters in its text, (n, t, 2); (0, 0) for special tokens."""
        torch, w = self._torch, self._w
        batch = self._tokenizer.encode_batch(list(texts))
        offsets = np.array([e.offsets for e in batch], dtype=np.int64).reshape(len(batch), -1, 2)
        ids = torch.tensor([e.ids for e in batch])
        types = torch.tensor([e.type_ids for e in batch])
        mask = torch.tensor([e.attention_mask for e in batch])
        positions = torch.arange(ids.shape[1]).unsqueeze(0)
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][positions]
             + w["embeddings.token_type_embeddings.weight"][types])
        x = self._layer_norm(x, "embeddings.LayerNorm")
        heads = int(self.config["num_attention_heads"])
        n, t, d = x.shape
        keep = mask.bool()[:, None, None, :]  # (n, 1, 1, t): attend to real tokens only
        # scaled_dot_product_attention is torch's fused kernel: the same result as softmax(q k^T / sqrt(d)) v,
        # at the speed of the transformers library (the explicit product was 1.9x slower end to end)
        for i in range(int(self.config["num_hidden_layers"])):
            p = f"encoder.layer.{i}"

            def split(y):
                return y.view(n, t, heads, d // heads).transpose(1, 2)

            q = split(self._linear(x, f"{p}.attention.self.query"))
            k = split(self._linear(x, f"{p}.attention.self.key"))
            v = split(self._linear(x, f"{p}.attention.self.value"))
            context = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=keep)
            context = context.transpose(1, 2).reshape(n, t, d)
            x = self._layer_norm(self._linear(context, f"{p}.attention.output.dense") + x,
                                 f"{p}.attention.output.LayerNorm")
            inner = torch.nn.functional.gelu(self._linear(x, f"{p}.intermediate.dense"))
            x = self._layer_norm(self._linear(inner, f"{p}.output.dense") + x, f"{p}.output.LayerNorm")
        return x, mask, offsets


def pooled(hidden, mask, cls: bool) -> np.ndarray:
    if cls:
        return hidden[:, 0].numpy()
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return ((hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)).numpy()
