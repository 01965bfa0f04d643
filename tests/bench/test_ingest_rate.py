"""bench.ingest_rate's library row encodes exactly the texts the product's ingest embeds."""

from bench.ingest_rate import product_texts
from index.reader import Index


def test_library_row_encodes_what_the_ingest_embeds(small_index, small_corpus):
    passages, sentences = product_texts(sorted(small_corpus.glob("*.txt")))
    index = Index.open(small_index)
    assert len(passages) == index.manifest.passages
    assert len(sentences) == len(index.sentence_vectors)
    texts = dict(index.con.execute("SELECT doc_id, text FROM documents"))
    stored = [texts[p.doc_id][s.char_start : s.char_end]
              for p in index.passages_at(list(range(index.manifest.passages))) for s in p.sentences]
    # the sentences embedded are the stored sentences, in order, as the documents spell them
    assert sentences == stored
