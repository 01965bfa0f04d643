"""The country lens's row queries pick a plan by the country's share of the rows; every plan gives the rows and
counts that a plain reading of the passages gives."""

from __future__ import annotations

from bench.engine_scale import write_corpus
from index.build import IngestConfig, ingest_paths
from index.embed import HashingEmbedder
from index.reader import Index, _rows


def test_pages_and_document_counts_equal_a_plain_reading_for_common_and_rare_countries(tmp_path):
    embedder = HashingEmbedder(64)
    write_corpus(tmp_path / "corpus", 1500)
    ingest_paths([tmp_path / "corpus"], tmp_path / "index", IngestConfig(model=embedder.name), embedder=embedder,
                 progress=False)
    index = Index.open(tmp_path / "index")
    try:
        passages = [(r["doc_id"], r["char_start"], r["row"]) for r in index.con.execute(
            "SELECT doc_id, char_start, row FROM passages")]
        counts = dict(index.country_counts())
        shares = sorted(n / index.rows for n in counts.values())
        assert shares[-1] > 0.5 and shares[0] < 0.02  # one country in most passages, others in few
        for country in counts:
            mentioning = {r for (r,) in index.con.execute("SELECT row FROM mentions WHERE country = ?", (country,))}
            in_order = [row for _, _, row in sorted(p for p in passages if p[2] in mentioning)]
            for offset, limit in ((0, 10), (5, 200), (len(in_order) - 3, 10), (0, len(in_order) + 1)):
                assert index.rows_mentioning_page(country, offset, limit) == in_order[offset : offset + limit]
            assert index.documents_mentioning(country) == len({doc for doc, _, row in passages if row in mentioning})
            assert index.rows_mentioning(country).tolist() == sorted(mentioning)
        for doc in {doc for doc, _, _ in passages}:
            assert index.rows_of_document(doc).tolist() == sorted(row for d, _, row in passages if d == doc)
        assert index.rows_mentioning("Atlantis").tolist() == [] and index.rows_of_document("nothing").tolist() == []
        assert index.rows_mentioning_page("Atlantis", 0, 10) == [] and index.documents_mentioning("Atlantis") == 0
    finally:
        index.close()


def test_joined_rows_are_parsed_sorted_and_distinct_whatever_order_sqlite_joined_them():
    assert _rows(None).tolist() == [] and _rows("").tolist() == []
    assert _rows("7").tolist() == [7]
    assert _rows("1,5,9,120000").tolist() == [1, 5, 9, 120000]
    assert _rows("9,1,5,1").tolist() == [1, 5, 9]
