"""The milvus store against the real embedded engine (Milvus Lite), compared with the default local store.

Both indexes are built from the shipped corpus with the deterministic hashing
embedder, so the only difference between them is where the passages are searched.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pymilvus", reason="the milvus store's tests need the test extra (pymilvus, milvus-lite)")

from chat.engine import Engine  # noqa: E402
from chat.retrieve import retrieve  # noqa: E402
from index.backend import Where  # noqa: E402
from index.build import IngestConfig, ingest_paths  # noqa: E402
from index.embed import HashingEmbedder  # noqa: E402
from index.manifest import read_manifest  # noqa: E402
from ingest.errors import StoreUnavailable, UsageError  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"
DEV_QUESTIONS = REPO.parent / "shared" / "eval" / "questions.jsonl"
EMBEDDER = HashingEmbedder(256)
REPORT = "restoring-british-leadership-in-the-western-balkans"


def _ingest(index_dir: Path, paths: list[Path], **store) -> None:
    report = ingest_paths(paths, index_dir, IngestConfig(model=EMBEDDER.name, **store), embedder=EMBEDDER,
                          progress=False)
    assert report.failed == []


@pytest.fixture(scope="module")
def engines(tmp_path_factory) -> dict[str, Engine]:
    root = tmp_path_factory.mktemp("stores")
    _ingest(root / "local", [CORPUS])
    _ingest(root / "milvus", [CORPUS], store="milvus")
    return {store: Engine.open(root / store, embedder=EMBEDDER) for store in ("local", "milvus")}


def _first_citation(answer: dict) -> tuple:
    cites = answer.get("citations") or []
    head = (cites[0]["passage_id"], cites[0]["char_start"], cites[0]["char_end"]) if cites else None
    return answer.get("abstained"), head


def _dev_questions() -> list[str]:
    if not DEV_QUESTIONS.exists():
        pytest.skip(f"SKIPPED LOUDLY: the development questions {DEV_QUESTIONS} are not beside the repository")
    return [json.loads(line)["question"] for line in DEV_QUESTIONS.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def test_manifest_records_the_store_and_no_faiss_file_is_written(engines):
    local, milvus = (read_manifest(engines[s].index.index_dir) for s in ("local", "milvus"))
    assert (local.store, local.store_url, local.store_collection) == ("local", "", "")
    assert milvus.store == "milvus" and milvus.store_url == ""
    assert milvus.store_collection.endswith(f"_g{milvus.generation}")
    folder = engines["milvus"].index.index_dir
    assert (folder / "milvus.db").exists()
    assert not list(folder.glob("vectors-*.faiss"))
    assert len(engines["milvus"].index.backend) == milvus.passages == local.passages


def test_dev_questions_get_the_same_answer_from_both_stores_over_the_same_ranking(engines):
    """Over the dense ranking (the same vectors in both stores) every answer is the same: scoring,
    quotes, speakers and refusals read the store only through the seam."""
    for q in _dev_questions():
        local, milvus = (engines[s].answer(q, retriever="dense") for s in ("local", "milvus"))
        assert (local["abstained"], local["citations"]) == (milvus["abstained"], milvus["citations"]), q


def test_dev_questions_get_mostly_the_same_first_citation_from_both_stores(engines):
    """Hybrid answers differ only where the keyword halves do: both match the same FTS5 terms, but
    Milvus scores one field holding every column (FTS5 weighs them) with its own IDF. With the real
    model the figure is bench/milvus_parity.json's (the issue's 95 % target)."""
    questions = _dev_questions()
    same = [_first_citation(engines["local"].answer(q)) == _first_citation(engines["milvus"].answer(q))
            for q in questions]
    assert sum(same) / len(same) >= 0.95, f"{sum(same)} of {len(same)} first citations agree"


@pytest.mark.parametrize("word", ["sanctioning", "Drone", "supplying", "declared"])
def test_keyword_search_matches_the_same_stemmed_words_in_both_stores(engines, word):
    """Milvus Lite's own tokenizer does not stem: the terms it indexes are FTS5's, so a word finds every
    passage holding any form of it in both stores, and only those."""
    found = {store: {row for row, _ in e.index.backend.keyword(f"which {word}?", 500, None, None,
                                                               weights=(1.0, 1.0, 1.0, 1.0),
                                                               stopwords={"which"})}
             for store, e in engines.items()}
    assert found["local"] and found["milvus"] == found["local"], word


def test_dense_search_is_the_same_ranking_in_both_stores(engines):
    for question in _dev_questions():
        qvec = engines["local"].embed_question(question)
        rows = {store: [h.row for h in retrieve(e.index, question, qvec, k=10, retriever="dense")]
                for store, e in engines.items()}
        assert rows["local"] == rows["milvus"], question


@pytest.mark.parametrize("filters", [{"country": "Kosovo"}, {"doc_id": REPORT}, {"country": "Serbia", "doc_id": REPORT}])
def test_filters_give_the_same_passages_and_stay_inside_the_filter(engines, filters):
    question = "What should the UK do about NATO?"
    answers = {store: e.answer(question, **filters) for store, e in engines.items()}
    assert _first_citation(answers["local"]) == _first_citation(answers["milvus"])
    index = engines["milvus"].index
    for retriever in ("dense", "bm25", "hybrid"):
        qvec = engines["milvus"].embed_question(question)
        hits = retrieve(index, question, qvec, k=20, retriever=retriever, where=Where(**filters),
                        allowed=engines["milvus"].allowed_rows(filters.get("country"), filters.get("doc_id")))
        assert hits, retriever
        for hit in hits:
            if "doc_id" in filters:
                assert hit.passage.doc_id == filters["doc_id"]
            if "country" in filters:
                assert filters["country"] in hit.passage.countries


def test_a_filter_that_matches_nothing_returns_nothing_never_everything(engines):
    backend = engines["milvus"].index.backend
    qvec = engines["milvus"].embed_question("Serbia and NATO")
    for where, allowed in [(Where(country="Atlantis"), None), (Where(doc_id="no-such-document"), None),
                           (Where(country="Kosovo", doc_id="lords-debate-no-such"), None),
                           (None, np.array([], dtype=np.int64))]:
        scores, rows = backend.dense(qvec, 50, where, allowed)
        assert (rows == -1).all() and np.isneginf(scores).all()
        assert backend.keyword("Serbia NATO Kosovo", 50, where, allowed) == []
    # a row list alone (a caller without the filter's terms) is applied inside the search too
    scores, rows = backend.dense(qvec, 50, None, np.array([3, 5], dtype=np.int64))
    assert sorted(rows[0][rows[0] >= 0].tolist()) == [3, 5]


def test_a_document_id_with_quotes_and_backslashes_is_a_literal_not_syntax(tmp_path, small_corpus):
    odd = 'odd "name" \\ or 1==1'
    (small_corpus / f"{odd}.txt").write_text("Odd Notes\n\nAlbania builds a dam on the river.\n", encoding="utf-8")
    _ingest(tmp_path / "index", [small_corpus], store="milvus")
    engine = Engine.open(tmp_path / "index", embedder=EMBEDDER)
    answer = engine.answer("Which dam does Albania build?", doc_id=odd)
    assert answer["citations"] and {c["doc_id"] for c in answer["citations"]} == {odd}
    other = engine.answer("Which dam does Albania build?", doc_id="bridges")
    assert odd not in {c["doc_id"] for c in other["citations"]}


def _collection_rows(index_dir: Path, collection: str) -> list[int]:
    from pymilvus import MilvusClient

    client = MilvusClient(str(index_dir.resolve() / "milvus.db"))
    try:
        return sorted(int(r["row"]) for r in client.query(collection, filter="row >= 0", output_fields=["row"]))
    finally:
        client.close()


def test_an_upload_is_added_to_the_same_collection_in_place(tmp_path, small_corpus):
    from pymilvus import MilvusClient

    index_dir = tmp_path / "index"
    _ingest(index_dir, [small_corpus], store="milvus")
    before = read_manifest(index_dir)
    engine = Engine.open(index_dir, embedder=EMBEDDER)
    upload = tmp_path / "uploads" / "dams.txt"
    upload.parent.mkdir()
    upload.write_text("Dam Report\n\nMontenegro opened a new dam at Piva in 2021.\n", encoding="utf-8")
    report = engine.add_documents([upload])
    after = read_manifest(index_dir)
    assert (after.store, after.generation) == ("milvus", before.generation + 1)
    assert report.embedded_files == 1 and report.reused_files == 2
    # no collection rewritten: the new rows went into the one the index had, after its rows
    assert after.store_collection == before.store_collection
    assert MilvusClient(str(index_dir.resolve() / "milvus.db")).list_collections() == [before.store_collection]
    assert _collection_rows(index_dir, after.store_collection) == list(range(after.rows))
    answer = engine.answer("When did Montenegro open the dam at Piva?", doc_id="dams")
    assert answer["citations"][0]["doc_id"] == "dams"
    unfiltered = engine.answer("When did Montenegro open the dam at Piva?")
    assert unfiltered["citations"][0]["doc_id"] == "dams"


def test_a_changed_or_removed_file_leaves_the_collection_in_place_and_its_rows_go(tmp_path, small_corpus):
    index_dir = tmp_path / "index"
    config = IngestConfig(model=EMBEDDER.name, store="milvus", compact_share=0.9)  # removed rows stay marked
    ingest_paths([small_corpus], index_dir, config, embedder=EMBEDDER, progress=False)
    before = read_manifest(index_dir)
    hearing_rows = len(Engine.open(index_dir, embedder=EMBEDDER).index.passages_of("hearing")[0])
    (small_corpus / "hearing.txt").unlink()
    report = ingest_paths([small_corpus], index_dir, config, embedder=EMBEDDER, progress=False)
    after = read_manifest(index_dir)
    assert report.embedded_files == 0 and after.store_collection == before.store_collection
    assert after.removed == hearing_rows and after.rows == before.rows
    live = _collection_rows(index_dir, after.store_collection)
    assert len(live) == before.rows - hearing_rows  # the removed document's rows were deleted from Milvus
    engine = Engine.open(index_dir, embedder=EMBEDDER)
    for question in ("What did the minister say about the bridges?", "Who spoke at the hearing?"):
        for retriever in ("dense", "bm25", "hybrid"):
            cited = engine.answer(question, retriever=retriever)
            assert all(p["doc_id"] != "hearing" for p in cited["passages"])


def test_rows_a_crash_left_in_the_collection_are_never_returned(tmp_path, small_corpus):
    """An update in place that died after upserting its rows (before its commit), and one that died after its
    commit but before deleting the removed rows from Milvus: the index opens and searches without them, and
    the next update writes over the first one's rows instead of doubling them."""
    from pymilvus import MilvusClient

    from index.milvus_store import _put

    index_dir = tmp_path / "index"
    config = IngestConfig(model=EMBEDDER.name, store="milvus", compact_share=0.9)
    ingest_paths([small_corpus], index_dir, config, embedder=EMBEDDER, progress=False)
    engine = Engine.open(index_dir, embedder=EMBEDDER)
    passages, passage_vectors, _ = engine.index.passages_of("bridges")
    rows = [r for (r,) in engine.index.con.execute("SELECT row FROM passages WHERE doc_id = 'bridges' ORDER BY row")]
    engine.index.close()
    (small_corpus / "bridges.txt").unlink()
    ingest_paths([small_corpus], index_dir, config, embedder=EMBEDDER, progress=False)
    manifest = read_manifest(index_dir)
    assert not set(rows) & set(_collection_rows(index_dir, manifest.store_collection))
    client = MilvusClient(str(index_dir.resolve() / "milvus.db"))
    # the removed rows back in the collection (a delete that never ran), and rows past the manifest's (a crashed
    # update's upsert), each holding a removed passage's text and vector
    for row, passage, vector in zip(rows, passages, passage_vectors, strict=True):
        _put(client.upsert, manifest.store_collection, row, [passage], vector[None], {"bridges": "Bridges"})
    _put(client.upsert, manifest.store_collection, manifest.rows, passages, passage_vectors, {"bridges": "Bridges"})
    client.flush(manifest.store_collection)
    client.close()
    engine = Engine.open(index_dir, embedder=EMBEDDER)
    question = passages[0].text[:120]
    for retriever in ("dense", "bm25", "hybrid"):
        answer = engine.answer(question, retriever=retriever)
        assert answer["passages"], retriever
        assert all(p["doc_id"] != "bridges" for p in answer["passages"]), retriever
    engine.index.close()
    (small_corpus / "bridges.txt").write_text("Bridge Report\n\nThe old bridge at Mostar was rebuilt in 2004.\n",
                                              encoding="utf-8")
    ingest_paths([small_corpus], index_dir, config, embedder=EMBEDDER, progress=False)
    manifest = read_manifest(index_dir)
    held = _collection_rows(index_dir, manifest.store_collection)
    assert len(held) == len(set(held))  # the crashed update's rows written over, not doubled
    engine = Engine.open(index_dir, embedder=EMBEDDER)
    assert engine.answer("When was the bridge at Mostar rebuilt?")["citations"][0]["doc_id"] == "bridges"


def test_switching_a_local_index_to_milvus_reuses_its_vectors(tmp_path, small_corpus):
    index_dir = tmp_path / "index"
    _ingest(index_dir, [small_corpus])
    report = ingest_paths([small_corpus], index_dir, IngestConfig(model=EMBEDDER.name, store="milvus"),
                          embedder=EMBEDDER, progress=False)
    assert report.embedded_files == 0 and report.reused_files == 2
    assert read_manifest(index_dir).store == "milvus"
    # a later ingest with no store named keeps the index where it is
    ingest_paths([small_corpus], index_dir, IngestConfig(model=EMBEDDER.name, rebuild=True), embedder=EMBEDDER,
                 progress=False)
    assert read_manifest(index_dir).store == "milvus"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {"PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_cli_ingest_into_milvus_then_ask_reads_the_store_from_the_manifest(tmp_path, small_corpus):
    index_dir = tmp_path / "index"
    built = _run("-m", "ingest", str(small_corpus), "--index-dir", str(index_dir), "--store", "milvus",
                 "--model", EMBEDDER.name, "-q", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    asked = _run("-m", "chat.ask", "--json", "--index-dir", str(index_dir), "When was the oldest bridge built?",
                 cwd=tmp_path)
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert any("1820" in c["quote"] for c in answer["citations"])


def test_a_server_that_is_down_is_one_line_and_exit_3_for_ingest_and_ask(tmp_path, small_corpus):
    url = f"http://127.0.0.1:{_closed_port()}"
    index_dir = tmp_path / "index"
    built = _run("-m", "ingest", str(small_corpus), "--index-dir", str(index_dir), "--store-url", url,
                 "--model", EMBEDDER.name, "-q", cwd=tmp_path)
    assert built.returncode == 3
    assert built.stderr.count("\n") == 1 and built.stderr.startswith("error: cannot reach the Milvus server at")
    assert not (index_dir / "manifest.json").exists()
    # an index whose server went away: chat.ask says so in one line, exit 3
    _ingest(index_dir, [small_corpus], store="milvus")
    raw = json.loads((index_dir / "manifest.json").read_text())
    (index_dir / "manifest.json").write_text(json.dumps({**raw, "store_url": url}))
    asked = _run("-m", "chat.ask", "--json", "--index-dir", str(index_dir), "Who chairs the hearing?", cwd=tmp_path)
    assert asked.returncode == 3, asked.stderr
    assert asked.stderr.count("\n") == 1 and url in asked.stderr and "Traceback" not in asked.stderr
    assert asked.stdout == ""


def test_open_reports_a_missing_collection_as_store_unavailable(tmp_path, small_corpus):
    index_dir = tmp_path / "index"
    _ingest(index_dir, [small_corpus], store="milvus")
    raw = json.loads((index_dir / "manifest.json").read_text())
    (index_dir / "manifest.json").write_text(json.dumps({**raw, "store_collection": "quotable_gone_g1"}))
    with pytest.raises(StoreUnavailable, match="no collection 'quotable_gone_g1'"):
        Engine.open(index_dir, embedder=EMBEDDER)


def test_a_collection_written_before_bm25_read_fts5_terms_is_refused_with_the_rebuild_command(tmp_path,
                                                                                                small_corpus):
    from pymilvus import DataType, MilvusClient

    index_dir = tmp_path / "index"
    _ingest(index_dir, [small_corpus], store="milvus")
    old = "quotable_old_g1"
    client = MilvusClient(str(index_dir.resolve() / "milvus.db"))
    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("row", DataType.INT64, is_primary=True)
    schema.add_field("vec", DataType.FLOAT_VECTOR, dim=EMBEDDER.dim)
    schema.add_field("text", DataType.VARCHAR, max_length=100)
    params = client.prepare_index_params()
    params.add_index("vec", index_type="FLAT", metric_type="IP")
    client.create_collection(old, schema=schema, index_params=params)
    client.close()
    raw = json.loads((index_dir / "manifest.json").read_text())
    (index_dir / "manifest.json").write_text(json.dumps({**raw, "store_collection": old}))
    with pytest.raises(StoreUnavailable, match=r"another version of Quotable; run `python -m ingest --rebuild"):
        Engine.open(index_dir, embedder=EMBEDDER)


def test_filter_expressions_are_literals_and_an_empty_row_list_matches_nothing():
    from index.milvus_store import filter_expression

    assert filter_expression(None, None) == ""
    assert filter_expression(Where(), None) == ""
    assert filter_expression(Where(doc_id='a"b\\c'), None) == 'doc_id == "a\\"b\\\\c"'
    assert filter_expression(Where(country="Côte d'Ivoire", doc_id="r"), None) == \
        'doc_id == "r" and ARRAY_CONTAINS(countries, "Côte d\'Ivoire")'
    assert filter_expression(None, np.array([5, 3, 5])) == "row in [3, 5]"
    assert filter_expression(None, np.array([], dtype=np.int64)) is None
    with pytest.raises(UsageError, match="control character"):
        filter_expression(Where(doc_id="a\nb"), None)


def test_a_server_keeps_the_previous_generation_for_readers_that_have_not_reloaded():
    from index.milvus_store import stale_collections

    names = ["quotable_ab_g1", "quotable_ab_g3", "quotable_ab_g4", "quotable_ab_g7", "quotable_cd_g2", "other"]
    assert stale_collections(names, "quotable_ab_g7", keep_previous=True) == ["quotable_ab_g1", "quotable_ab_g3"]
    assert stale_collections(names, "quotable_ab_g7", keep_previous=False) == \
        ["quotable_ab_g1", "quotable_ab_g3", "quotable_ab_g4"]


def _cited(answer: dict) -> list[tuple]:
    return [(c["passage_id"], c["char_start"], c["char_end"]) for c in answer.get("citations") or []]


def test_follow_ups_abstentions_and_the_country_lens_behave_the_same(engines):
    local, milvus = engines["local"], engines["milvus"]
    previous = "Which Chinese missile systems has Serbia acquired?"
    for follow_up in ("what about Kosovo?", "and Albania?"):
        a, b = (e.answer(follow_up, previous=previous) for e in (local, milvus))
        assert a["resolved_question"] == b["resolved_question"] != follow_up
        assert _first_citation(a) == _first_citation(b)
    for unanswerable in ("How many submarines does the Royal Navy operate?",
                         "What was the inflation rate in Kosovo in 2024?"):
        a, b = (e.answer(unanswerable) for e in (local, milvus))
        assert a["abstained"] == b["abstained"]
        assert a.get("refusal") == b.get("refusal")
    for country in ("Serbia", "Kosovo"):
        a, b = (e.brief(country) for e in (local, milvus))
        assert _cited(a) and _cited(a) == _cited(b)
        assert a["answer"] == b["answer"]


def test_an_embedded_database_held_by_another_process_is_one_line_and_exit_3(tmp_path, small_corpus):
    index_dir = tmp_path / "index"
    _ingest(index_dir, [small_corpus], store="milvus")  # this test process now holds the embedded engine
    engine = Engine.open(index_dir, embedder=EMBEDDER)
    again = _run("-m", "ingest", str(small_corpus), "--index-dir", str(index_dir), "--model", EMBEDDER.name, "-q",
                 cwd=tmp_path)
    assert again.returncode == 3
    assert again.stderr.count("\n") == 1 and "another process" in again.stderr and "milvus.db" in again.stderr
    assert engine.answer("When was the oldest bridge built?")["citations"]  # the holder still answers


def test_past_the_exact_search_size_the_collection_is_hnsw_and_still_finds_the_same_passages(engines, tmp_path):
    from index.milvus_store import MilvusBackend, connect, write_collection

    local = engines["local"].index
    passages = local.passages_at(list(range(local.manifest.passages)))
    titles = {d: info.title for d, info in engines["local"].documents.items()}
    client = connect(tmp_path, "")
    write_collection(client, "quotable_hnsw_g1", passages, np.asarray(local.passage_vectors), titles,
                     where="test", flat_max=0)
    backend = MilvusBackend.open(tmp_path, "", "quotable_hnsw_g1")
    assert backend.hnsw and len(backend) == len(passages)
    for question in ("Which drones has China supplied to Serbia?", "What did Bob Stewart stress about Bosnia?"):
        qvec = engines["local"].embed_question(question)
        _, exact = local.vectors.search(qvec[None, :], 10)
        _, found = backend.dense(qvec, 10, None, None)
        assert len(set(exact[0]) & set(found[0])) >= 9


def test_an_update_whose_collection_is_gone_writes_the_library_again(tmp_path, small_corpus):
    """A server that lost its data, or a collection dropped by hand: the next update cannot be made in place, so
    it writes a new collection from the folder's vectors (nothing re-embedded) instead of failing."""
    from pymilvus import MilvusClient

    index_dir = tmp_path / "index"
    _ingest(index_dir, [small_corpus], store="milvus")
    before = read_manifest(index_dir)
    client = MilvusClient(str(index_dir.resolve() / "milvus.db"))
    client.drop_collection(before.store_collection)
    client.close()
    (small_corpus / "dams.txt").write_text("Dam Report\n\nMontenegro opened a new dam at Piva in 2021.\n",
                                           encoding="utf-8")
    report = ingest_paths([small_corpus], index_dir, IngestConfig(model=EMBEDDER.name), embedder=EMBEDDER,
                          progress=False)
    after = read_manifest(index_dir)
    assert report.embedded_files == 1 and report.reused_files == 2
    assert after.store_collection != before.store_collection
    assert _collection_rows(index_dir, after.store_collection) == list(range(after.rows))
    engine = Engine.open(index_dir, embedder=EMBEDDER)
    assert engine.answer("When did Montenegro open the dam at Piva?")["citations"][0]["doc_id"] == "dams"


def test_posting_lists_are_written_for_the_local_keyword_search_only(tmp_path, small_corpus, monkeypatch):
    """Milvus does its own BM25: its index's SQLite gets no posting lists; the same files kept locally do, and
    so does a Milvus index moved back to the local store."""
    import sqlite3

    import index.postings as postings

    monkeypatch.setattr(postings, "EXPENSIVE_MIN_ROWS", 0)  # lists however small the index

    def listed(index_dir: Path) -> int | None:
        (store,) = index_dir.glob("store-*.sqlite")
        with closing(sqlite3.connect(store)) as con:
            return postings.listed_rows(con)

    _ingest(tmp_path / "local", [small_corpus])
    _ingest(tmp_path / "milvus", [small_corpus], store="milvus")
    assert listed(tmp_path / "local") == read_manifest(tmp_path / "local").rows
    assert listed(tmp_path / "milvus") is None
    _ingest(tmp_path / "milvus", [small_corpus], store="local")
    assert listed(tmp_path / "milvus") == read_manifest(tmp_path / "milvus").rows
