import numpy as np
import pytest

from index.embed import HashingEmbedder, load_embedder
from ingest.errors import ModelUnavailable


def test_hashing_embedder_is_deterministic_and_normalised():
    emb = HashingEmbedder(64)
    a = emb.embed(["Serbia buys missiles", "the weather is nice"])
    b = HashingEmbedder(64).embed(["Serbia buys missiles", "the weather is nice"])
    assert a.shape == (2, 64) and a.dtype == np.float32
    assert np.array_equal(a, b)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0)


def test_hashing_embedder_ranks_shared_words_higher():
    emb = HashingEmbedder(256)
    q, near, far = emb.embed(["missiles bought by Serbia", "Serbia bought missiles from China", "bridges in spring"])
    assert q @ near > q @ far


def test_unknown_model_name_is_a_clear_error():
    with pytest.raises(ModelUnavailable, match="local sentence-transformers model folder"):
        load_embedder("no-such-model-anywhere")


@pytest.mark.slow
def test_fast_embedder_matches_sentence_transformers():
    from index.embed import SentenceTransformerEmbedder, TransformerEmbedder, default_model_path

    texts = ["Who is the UK's Special Envoy to the Western Balkans?",
             "Serbia acquired the HQ-17AE short-range surface-to-air missile system from China. " * 6, "x"]
    assert TransformerEmbedder.supports(default_model_path())
    fast = TransformerEmbedder("m", default_model_path()).embed(texts)
    reference = SentenceTransformerEmbedder("m", default_model_path()).embed(texts)
    assert fast.shape == (3, 384)
    assert np.all(np.sum(fast * reference, axis=1) > 0.9999)
    # batches are formed by length; rows must still come back in the order asked
    small_batches = TransformerEmbedder("m", default_model_path(), batch_size=1).embed(texts)
    assert np.all(np.sum(small_batches * reference, axis=1) > 0.9999)
