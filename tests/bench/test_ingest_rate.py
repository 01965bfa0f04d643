"""bench.ingest_rate's library row encodes exactly the texts the product's ingest embeds."""

from bench.ingest_rate import product_texts
from index.reader import Index


def test_library_row_encodes_what_the_ingest_embeds(small_index, small_corpus):
    passages, sentences = product_texts(sorted(small_corpus.glob("*.txt")))
    index = Index.open(small_index)
    assert len(passages) == index.manifest.passages
    assert len(sentences) == len(index.sentence_vectors)
    stored = [t for (t,) in index.con.execute("SELECT text FROM passages ORDER BY row")]
    assert all(text.endswith(passage) for text, passage in zip(passages, stored, strict=True))
    assert all(any(s in p for p in stored) for s in sentences)
