"""The engine's documents are read as answers cite them, and read the same as all at once."""

from __future__ import annotations

from chat.engine import Engine
from chat.evidence import DocInfo


def test_documents_read_one_at_a_time_equal_the_whole_list(small_index, hashing_embedder):
    engine = Engine.open(small_index, embedder=hashing_embedder)
    everything = {d: DocInfo(d, title, kind, notes, meta)
                  for d, title, kind, notes, meta in engine.index.document_infos()}
    docs = engine.documents
    assert set(everything) == {"bridges", "hearing"} and everything["bridges"].footnotes
    assert list(docs) == sorted(everything) and len(docs) == 2
    assert {d: docs[d] for d in docs} == everything  # one at a time
    assert "bridges" in docs and "nothing" not in docs and docs.get("nothing") is None
    assert Engine.open(small_index, embedder=hashing_embedder).documents.values() == list(everything.values())


def test_an_answer_reads_only_the_documents_of_the_passages_it_retrieved(small_index, hashing_embedder):
    engine = Engine.open(small_index, embedder=hashing_embedder)
    statements: list[str] = []
    engine.index.con.set_trace_callback(statements.append)
    answer = engine.answer("When was the oldest bridge built?", doc_id="bridges")
    engine.index.con.set_trace_callback(None)
    assert {c["doc_id"] for c in answer["citations"]} == {p["doc_id"] for p in answer["passages"]} == {"bridges"}
    reads = [s for s in statements if "FROM documents" in s and "title" in s]
    assert reads and all("WHERE doc_id = 'bridges'" in s for s in reads)  # not the other document, nor all
