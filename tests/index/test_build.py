import shutil
import sqlite3

import numpy as np
import pytest

from chat.engine import Engine
from index.build import IngestConfig, ingest_paths
from index.embed import HashingEmbedder
from index.manifest import read_manifest
from index.reader import Index
from ingest.errors import CorruptIndex, StaleIndex


def _ingest(paths, index_dir, embedder, **config):
    return ingest_paths(paths, index_dir, IngestConfig(model=embedder.name, **config), embedder=embedder,
                        progress=False)


def test_every_stored_passage_is_an_exact_slice_of_its_document(small_index):
    index = Index.open(small_index)
    docs = dict(index.con.execute("SELECT doc_id, text FROM documents").fetchall())
    rows = index.con.execute("SELECT doc_id, text, char_start, char_end FROM passages").fetchall()
    assert rows
    for doc_id, text, start, end in rows:
        assert docs[doc_id][start:end] == text
    assert index.passage_vectors.shape == (len(rows), 256)
    assert len(index.vectors) == len(rows)


def test_manifest_records_model_counts_and_file_hashes(small_index, small_corpus):
    manifest = read_manifest(small_index)
    assert manifest.model == "hashing-256" and manifest.dim == 256
    assert manifest.documents == 2 and manifest.footnotes == 2
    assert set(manifest.files) == {str(small_corpus / "bridges.txt"), str(small_corpus / "hearing.txt")}
    assert all(len(sha) == 64 for sha in manifest.files.values())


def test_rerun_reuses_unchanged_files_and_reembeds_changed_ones(small_index, small_corpus, hashing_embedder):
    before = Index.open(small_index)
    vectors_before = np.array(before.passage_vectors)
    again = _ingest([small_corpus], small_index, hashing_embedder)
    assert (again.embedded_files, again.reused_files) == (0, 2)
    assert np.array_equal(np.array(Index.open(small_index).passage_vectors), vectors_before)
    (small_corpus / "hearing.txt").write_text("[09:00] Ann Bee (Chair): A new hearing about tunnels.\n\n"
                                              "[09:05] Cy Dee (Engineer): Tunnels flood in spring.\n")
    changed = _ingest([small_corpus], small_index, hashing_embedder)
    assert (changed.embedded_files, changed.reused_files) == (1, 1)
    texts = [t for (t,) in Index.open(small_index).con.execute("SELECT text FROM passages")]
    assert any("Tunnels flood" in t for t in texts) and not any("bearings" in t for t in texts)


def test_deleted_files_are_dropped(small_index, small_corpus, hashing_embedder):
    (small_corpus / "hearing.txt").unlink()
    report = _ingest([small_corpus], small_index, hashing_embedder)
    assert report.documents == 1
    assert [d for (d,) in Index.open(small_index).con.execute("SELECT doc_id FROM documents")] == ["bridges"]


def test_a_bad_file_is_reported_and_the_rest_indexed(small_corpus, tmp_path, hashing_embedder):
    (small_corpus / "empty.txt").write_bytes(b"")
    (small_corpus / "junk.pdf").write_bytes(b"%PDF-1.4 not really")
    report = _ingest([small_corpus], tmp_path / "idx", hashing_embedder)
    assert sorted(p.rsplit("/", 1)[-1] for p, _ in report.failed) == ["empty.txt", "junk.pdf"]
    assert report.documents == 2


def test_only_one_generation_of_data_files_is_kept(small_index, small_corpus, hashing_embedder):
    _ingest([small_corpus], small_index, hashing_embedder)
    data = sorted(p.name for p in small_index.iterdir() if not p.name.startswith("."))
    gen = read_manifest(small_index).generation
    assert data == sorted(["manifest.json", f"passages-{gen}.npy", f"sentences-{gen}.npy", f"store-{gen}.sqlite",
                           f"vectors-{gen}.faiss"])


def test_index_built_with_another_model_is_refused(small_index):
    with pytest.raises(StaleIndex, match="hashing-256.*--rebuild"):
        Engine.open(small_index, embedder=HashingEmbedder(128))


def test_truncated_store_is_reported_as_corrupt(small_index):
    store = next(small_index.glob("store-*.sqlite"))
    store.write_bytes(store.read_bytes()[:2000])
    with pytest.raises(CorruptIndex, match="--rebuild"):
        Index.open(small_index)


def test_truncated_vectors_are_reported_as_corrupt(small_index):
    vectors = next(small_index.glob("passages-*.npy"))
    vectors.write_bytes(vectors.read_bytes()[:100])
    with pytest.raises(CorruptIndex):
        Index.open(small_index)


def test_rebuild_after_corruption_works(small_index, small_corpus, hashing_embedder):
    next(small_index.glob("store-*.sqlite")).write_bytes(b"garbage")
    report = _ingest([small_corpus], small_index, hashing_embedder, rebuild=True)
    assert report.failed == [] and report.embedded_files == 2
    assert Index.open(small_index).con.execute("SELECT count(*) FROM passages").fetchone()[0] > 0


def test_country_mentions_are_stored_per_passage(small_index):
    index = Index.open(small_index)
    rows = index.con.execute("SELECT DISTINCT country FROM mentions ORDER BY country").fetchall()
    assert [r[0] for r in rows] == ["Albania", "Kosovo", "Serbia"]


def test_store_is_opened_read_only(small_index):
    index = Index.open(small_index)
    with pytest.raises(sqlite3.OperationalError):
        index.con.execute("DELETE FROM passages")


def test_copy_of_index_folder_still_opens(small_index, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(small_index, copy)
    assert Index.open(copy).manifest.passages == read_manifest(small_index).passages


def test_unchanged_rerun_writes_no_new_generation_and_loads_no_model(small_index, small_corpus):
    generation = read_manifest(small_index).generation
    # no embedder passed: one would have to be loaded by name, and "hashing-256" is, but a
    # no-change run must not need it at all
    report = ingest_paths([small_corpus], small_index, IngestConfig(model="hashing-256"), progress=False)
    assert (report.embedded_files, report.reused_files, report.documents) == (0, 2, 2)
    assert read_manifest(small_index).generation == generation


def test_a_new_path_list_is_a_change(small_index, small_corpus, hashing_embedder, tmp_path):
    extra = tmp_path / "extra.txt"
    extra.write_text("A separate note about tunnels and their maintenance.\n")
    report = _ingest([small_corpus, extra], small_index, hashing_embedder)
    assert (report.embedded_files, report.reused_files) == (1, 2)
    assert read_manifest(small_index).paths == [str(small_corpus), str(extra)]


def test_an_exchange_is_embedded_with_each_turns_speaker_and_its_sentences_found_in_that_text():
    from index.build import embedding_input
    from ingest.chunk import chunk
    from ingest.records import Block, Document

    text = "Do you agree? Please say.\n\nI do. Entirely.\n\nThank you."
    blocks = (Block("turn", 0, 25, speaker="Ann Lee AM"), Block("turn", 27, 42, speaker="Bo Dee"),
              Block("turn", 44, 54, speaker="Ann Lee AM"))
    doc = Document("h", "Hearing", "transcript", "h.txt", text, blocks=blocks)
    [passage] = chunk(doc, countries=lambda t: ())
    embedded, spans = embedding_input(doc, passage)
    assert embedded == ("Hearing\nAnn Lee AM: Do you agree? Please say.\n\nBo Dee: I do. Entirely.\n\n"
                        "Ann Lee AM: Thank you.")
    assert [embedded[a:b] for a, b in spans] == [passage.sentence_text(s) for s in passage.sentences]
    report = Document("r", "Report", "report", "r.txt", "One. Two.", blocks=(Block("para", 0, 9),))
    [prose] = chunk(report, countries=lambda t: ())
    assert embedding_input(report, prose) == ("Report\nOne. Two.", [(7, 11), (12, 16)])
