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


def test_spans_of_a_text_are_embedded_by_any_embedder():
    from index.embed import embed_with_spans

    emb = HashingEmbedder(64)
    texts = ["Serbia buys missiles. The weather is nice.", "No sentences here"]
    spans = [[(0, 21), (22, 42)], []]
    vectors, span_vectors = embed_with_spans(emb, texts, spans, batch_size=1)
    assert np.allclose(vectors, emb.embed(texts))
    assert [len(v) for v in span_vectors] == [2, 0]
    assert np.allclose(span_vectors[0], emb.embed(["Serbia buys missiles.", "The weather is nice."]))


@pytest.mark.slow
def test_transformer_pools_sentences_from_the_passage_pass():
    from index.embed import TransformerEmbedder, default_model_path

    emb = TransformerEmbedder("m", default_model_path(), batch_size=2)
    sentences = ["Serbia acquired a surface-to-air missile system from China.",
                 "The bridge in Mostar was rebuilt after the war.",
                 "Kosovo bought Javelin rockets from the United States."]
    passage = " ".join(sentences)
    starts = [passage.index(s) for s in sentences]
    spans = [[(a, a + len(s)) for a, s in zip(starts, sentences, strict=True)], [(0, 5)]]
    texts = [passage, "short"]
    vectors, span_vectors = emb.embed_spans(texts, spans)
    assert np.all(np.sum(vectors * emb.embed(texts), axis=1) > 0.9999)  # the passage vectors are unchanged
    alone = emb.embed(sentences)
    cos = span_vectors[0] @ alone.T
    assert np.allclose(np.linalg.norm(span_vectors[0], axis=1), 1.0, atol=1e-5)
    # each pooled sentence is closest to its own sentence embedded alone
    assert list(cos.argmax(axis=1)) == [0, 1, 2]
    assert np.all(np.diag(cos) > 0.7)
    # a span beyond the model's window is embedded on its own
    long = "word " * 600 + sentences[1]
    _, far = emb.embed_spans([long], [[(len(long) - len(sentences[1]), len(long))]])
    assert far[0][0] @ alone[1] > 0.9999
