"""Incremental updates: one file added, changed or removed costs that file, and gives the index a full
rebuild would give (same passages, vectors, word counts, country counts, full-text rows)."""

from __future__ import annotations

import shutil
import sqlite3

import numpy as np
import pytest

from chat.engine import Engine
from index.build import IngestConfig, ingest_paths
from index.embed import HashingEmbedder
from index.reader import Index
from index.vectors import VectorConfig, build_vector_index, search, updated_vector_index
from ingest.errors import StaleIndex

NEW_DOC = ("# A report on Albania and Serbia\n\nAlbania and Serbia signed a treaty on rivers in 2021. "
           "The treaty covers the Drin and its floods.\n\nSerbia later asked Albania for flood data.\n")
# a second hearing: a speaker the index already counts and one it does not
NEW_HEARING = ("# Bridge Committee Hearing, second session\n\n"
               "[11:05] Jane Doe (Chair): We return to the bearings of the middle bridge.\n\n"
               "[11:07] Ann Poe (Treasurer): Serbia offered to share the cost of the bearings.\n")


class CountingEmbedder(HashingEmbedder):
    """The test embedder, counting the texts it is asked to embed."""

    def __init__(self) -> None:
        super().__init__(256)
        self.texts = 0

    def embed(self, texts, *, progress=False):
        self.texts += len(texts)
        return super().embed(texts)


def _ingest(paths, index_dir, embedder):
    return ingest_paths(paths, index_dir, IngestConfig(model=embedder.name), embedder=embedder, progress=False)


def _content(index_dir):
    """What an index holds, independent of row order."""
    index = Index.open(index_dir)
    try:
        con = index.con
        rows = {r["passage_id"]: r["row"] for r in con.execute("SELECT passage_id, row FROM passages")}
        vectors = {pid: np.array(index.passage_vectors[row]) for pid, row in rows.items()}
        sentences = index.sentence_vectors_at(list(rows.values()))
        return {
            "passages": {tuple(r)[1:-1] for r in con.execute("SELECT * FROM passages")},  # all but the row numbers
            "vectors": vectors,
            "sentences": sentences,
            "doc_freq": dict(con.execute("SELECT term, n FROM doc_freq")),
            "countries": dict(con.execute("SELECT country, passages FROM country_counts")),
            "speakers": dict(con.execute("SELECT speaker, passages FROM speakers")),
            "mentions": sorted((pid_of, c, s, e) for pid_of, c, s, e in con.execute(
                "SELECT p.passage_id, m.country, m.char_start, m.char_end FROM mentions m JOIN passages p USING (row)")),
            "fts": sorted(map(tuple, con.execute("SELECT p.passage_id, f.text, f.title FROM passages_fts f "
                                      "JOIN passages p ON p.row = f.rowid"))),
            "documents": sorted(map(tuple, con.execute("SELECT doc_id, sha256 FROM documents"))),
            "faiss": len(index.vectors) - len(index.removed),  # rows an update in place removed still there
        }
    finally:
        index.close()


def _same(a, b):
    assert a.keys() == b.keys()
    for key in a:
        if key in ("vectors", "sentences"):
            assert a[key].keys() == b[key].keys()
            for pid in a[key]:
                assert np.allclose(a[key][pid], b[key][pid], atol=1e-3), (key, pid)
        else:
            assert a[key] == b[key], key


def _fresh_build(paths, tmp_path):
    fresh = tmp_path / "fresh-index"
    shutil.rmtree(fresh, ignore_errors=True)
    _ingest(paths, fresh, HashingEmbedder(256))
    return _content(fresh)


def test_adding_a_file_embeds_only_that_file_and_equals_a_rebuild(small_index, small_corpus, tmp_path):
    (small_corpus / "rivers.md").write_text(NEW_DOC, encoding="utf-8")
    counting = CountingEmbedder()
    report = _ingest([small_corpus], small_index, counting)
    assert (report.embedded_files, report.reused_files) == (1, 2)
    (small_corpus / "hearing-2.txt").write_text(NEW_HEARING, encoding="utf-8")
    assert _ingest([small_corpus], small_index, HashingEmbedder(256)).embedded_files == 1
    _same(_content(small_index), _fresh_build([small_corpus], tmp_path))  # speakers and countries counted on
    rivers = Index.open(small_index)
    passages = rivers.passages_of("rivers")[0]
    sentences_new = {p.sentence_text(s) for p in passages for s in p.sentences}
    whole = [p for p in passages if not p.sentences]  # the rest are the mean of their sentences
    rivers.close()
    assert counting.texts == len(whole) + len(sentences_new)  # the two old files were not embedded again
    _same(_content(small_index), _fresh_build([small_corpus], tmp_path))


def _change_bridges(corpus, change):
    if change == "edit":
        (corpus / "bridges.txt").write_text("Bridges\n\nThe bridge in Mostar over the Neretva was rebuilt "
                                           "after the war in Bosnia and Herzegovina.\n", encoding="utf-8")
    else:
        (corpus / "bridges.txt").unlink()


@pytest.mark.parametrize("change", ["edit", "remove"])
def test_changing_or_removing_a_file_equals_a_rebuild(small_index, small_corpus, tmp_path, change):
    (small_corpus / "rivers.md").write_text(NEW_DOC, encoding="utf-8")
    _ingest([small_corpus], small_index, HashingEmbedder(256))
    _change_bridges(small_corpus, change)
    counting = CountingEmbedder()
    report = _ingest([small_corpus], small_index, counting)
    assert report.reused_files == 2
    assert report.embedded_files == (1 if change == "edit" else 0)
    _same(_content(small_index), _fresh_build([small_corpus], tmp_path))


def test_the_engine_reads_word_and_country_counts_from_the_index(small_index, hashing_embedder):
    engine = Engine.open(small_index, embedder=hashing_embedder)
    con = engine.index.con
    from chat.terms import words

    counted = {}
    for (text,) in con.execute("SELECT text FROM passages"):
        for w in set(words(text)):
            counted[w] = counted.get(w, 0) + 1
    assert {w: engine.doc_freq.get(w, 0) for w in counted} == counted
    assert engine.doc_freq.get("no-such-word-anywhere", 0) == 0
    rows = con.execute("SELECT country, count(DISTINCT row) FROM mentions GROUP BY country").fetchall()
    assert dict(engine.countries()) == dict(rows)


def test_an_index_without_the_count_tables_is_refused_with_the_rebuild_command(small_index, hashing_embedder):
    engine = Engine.open(small_index, embedder=hashing_embedder)
    store = engine.index.manifest.data_file(small_index, "store", ".sqlite")
    engine.index.close()
    con = sqlite3.connect(store)
    con.execute("DROP TABLE doc_freq")
    con.execute("DROP TABLE country_counts")
    con.commit()
    con.close()
    with pytest.raises(StaleIndex, match=r"no doc_freq table .*run `python -m ingest"):
        Engine.open(small_index, embedder=hashing_embedder)


def test_filters_are_row_arrays_read_once_per_generation(small_index, hashing_embedder):
    engine = Engine.open(small_index, embedder=hashing_embedder)
    con = engine.index.con
    doc = con.execute("SELECT doc_id FROM documents ORDER BY doc_id").fetchone()[0]
    expected = [r for (r,) in con.execute("SELECT row FROM passages WHERE doc_id = ? ORDER BY row", (doc,))]
    rows = engine.allowed_rows(None, doc)
    assert rows.tolist() == expected and engine.allowed_rows(None, doc) is rows
    country = engine.countries()[0][0]
    both = engine.allowed_rows(country, doc).tolist()
    in_country = {r for (r,) in con.execute("SELECT row FROM mentions WHERE country = ?", (country,))}
    assert both == sorted(set(expected) & in_country)
    assert engine.allowed_rows(None, None) is None


def test_a_trained_ivf_index_takes_new_rows_without_training_again():
    rng = np.random.default_rng(0)
    data = rng.normal(size=(3000, 16)).astype(np.float32)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    config = VectorConfig(flat_max=1000, nprobe=64)
    old = build_vector_index(data[:2500], config)
    centroids = old.quantizer.reconstruct_n(0, old.nlist).copy()
    grown = updated_vector_index(old, data, appended_from=2500, config=config)
    assert grown.ntotal == 3000 and np.array_equal(grown.quantizer.reconstruct_n(0, grown.nlist), centroids)
    _, rows = search(grown, data[2900:2910], 1)
    assert rows[:, 0].tolist() == list(range(2900, 2910))
    _, rows = search(grown, data[2950:2951], 3, allowed=np.arange(2900, 3000))
    assert rows[0, 0] == 2950 and set(rows[0].tolist()) <= set(range(2900, 3000))
    # rows moved (a file removed): refilled from the new matrix, still the same training
    moved = updated_vector_index(grown, data[500:], config=config)
    assert moved.ntotal == 2500 and np.array_equal(moved.quantizer.reconstruct_n(0, moved.nlist), centroids)
    _, rows = search(moved, data[600:601], 1)
    assert rows[0, 0] == 100
    # far past the size its lists were made for: trained afresh for the new size
    assert updated_vector_index(moved, np.concatenate([data] * 8), appended_from=None, config=config).nlist > 100


# --- in place: a file added is appended to the previous generation's files --------------------------------------

def _data_files(index_dir):
    return sorted(p.name for p in index_dir.iterdir() if not p.name.startswith(".") and p.name != "manifest.json")


def test_adding_a_file_appends_to_the_store_and_vectors_in_place_and_writes_only_a_vector_index(
        small_index, small_corpus, hashing_embedder):
    from index.manifest import read_manifest

    before = read_manifest(small_index)
    store = before.data_file(small_index, "store", ".sqlite")
    inode = store.stat().st_ino
    (small_corpus / "rivers.md").write_text(NEW_DOC, encoding="utf-8")
    _ingest([small_corpus], small_index, hashing_embedder)
    after = read_manifest(small_index)
    assert after.generation == before.generation + 1
    assert after.data_file(small_index, "store", ".sqlite") == store and store.stat().st_ino == inode
    g, h = before.generation, after.generation
    assert _data_files(small_index) == [f"passages-{g}.npy", f"sentences-{g}.npy", f"store-{g}.sqlite",
                                        f"vectors-{h}.faiss"]
    assert Engine.open(small_index, embedder=hashing_embedder).resolve_doc("rivers") == "rivers"


def test_an_index_opened_before_an_update_in_place_keeps_answering_from_its_own_generation(
        small_index, small_corpus, hashing_embedder):
    stale = Engine.open(small_index, embedder=hashing_embedder)
    stale.follow_ingests = False  # as a request in flight during the update: its index is the one it began with
    n = stale.index.manifest.passages
    (small_corpus / "rivers.md").write_text(NEW_DOC, encoding="utf-8")
    _ingest([small_corpus], small_index, hashing_embedder)
    fresh = Engine.open(small_index, embedder=hashing_embedder)
    assert fresh.index.manifest.passages > n and "rivers" in fresh.documents
    # the store now holds the new rows too; the engine opened before reads none of them
    assert stale.index.con.execute("SELECT count(*) FROM passages").fetchone()[0] == fresh.index.manifest.passages
    assert "rivers" not in stale.documents and not len(stale.index.rows_of_document("rivers"))
    assert stale.index.rows == n
    question = "Which treaty on the Drin floods did Albania and Serbia sign?"
    qvec = stale.embed_question(question)
    assert stale.index.backend.keyword(question, 10, None, None, weights=(1.0,))  # old rows still match
    assert all(row < n for row, _ in stale.index.backend.keyword(question, 10, None, None, weights=(1.0,)))
    assert all(row < n for row, _ in stale.index.backend.keyword(question, 10, None, np.arange(n)))
    stale_answer = stale.answer(question)
    assert all(c["doc_id"] != "rivers" for c in stale_answer["citations"])
    assert all(p["doc_id"] != "rivers" for p in stale_answer["passages"])
    assert stale.countries() != fresh.countries()  # the counts of its own generation, read when it opened
    assert {p["doc_id"] for p in stale.brief("Albania")["passages"]} < {p["doc_id"] for p in
                                                                        fresh.brief("Albania")["passages"]}
    answer = fresh.answer(question)
    assert answer["citations"][0]["doc_id"] == "rivers", qvec.shape


def test_a_store_committed_before_its_manifest_was_written_is_read_as_that_update(
        small_index, small_corpus, hashing_embedder, tmp_path):
    """A crash between the store's commit and manifest.json's replace: readers roll forward to the commit."""
    from index.manifest import read_manifest

    old_manifest = (small_index / "manifest.json").read_bytes()
    (small_corpus / "rivers.md").write_text(NEW_DOC, encoding="utf-8")
    _ingest([small_corpus], small_index, hashing_embedder)
    committed = read_manifest(small_index)
    (small_index / "manifest.json").write_bytes(old_manifest)  # as if the process died before replacing it
    assert read_manifest(small_index) == committed
    assert Index.open(small_index).manifest == committed
    assert "rivers" in Engine.open(small_index, embedder=hashing_embedder).documents
    report = _ingest([small_corpus], small_index, hashing_embedder)
    assert (report.embedded_files, report.reused_files) == (0, 3)
    _same(_content(small_index), _fresh_build([small_corpus], tmp_path))


def test_vector_rows_an_interrupted_append_left_are_not_read_and_the_next_append_writes_over_them(
        small_index, small_corpus, hashing_embedder, tmp_path):
    from index.arrays import Appender
    from index.manifest import read_manifest

    manifest = read_manifest(small_index)
    n = manifest.passages
    index = Index.open(small_index)
    m = len(index.sentence_vectors)
    index.close()
    for stem, dtype, rows in (("passages", np.float32, n), ("sentences", np.float16, m)):
        out = Appender.open(manifest.data_file(small_index, stem, ".npy"), dtype, manifest.dim, rows, 7)
        out.file.write(np.full((7, manifest.dim), 9, dtype=dtype).data)
        out.finish()  # the header now says 7 rows more than the store holds: the store was never committed
        assert np.load(manifest.data_file(small_index, stem, ".npy"), mmap_mode="r").shape[0] == rows + 7
    index = Index.open(small_index)
    assert (len(index.passage_vectors), len(index.sentence_vectors)) == (n, m)
    index.close()
    assert not Engine.open(small_index, embedder=hashing_embedder).answer("Who built the oldest bridge?")["abstained"]
    (small_corpus / "rivers.md").write_text(NEW_DOC, encoding="utf-8")
    _ingest([small_corpus], small_index, hashing_embedder)
    assert read_manifest(small_index).data_file(small_index, "passages", ".npy") == manifest.data_file(
        small_index, "passages", ".npy")  # appended in place, over the leftover rows
    _same(_content(small_index), _fresh_build([small_corpus], tmp_path))


def test_an_update_that_drops_a_document_writes_a_whole_new_generation(small_index, small_corpus, hashing_embedder):
    from index.manifest import read_manifest

    (small_corpus / "rivers.md").write_text(NEW_DOC, encoding="utf-8")
    _ingest([small_corpus], small_index, hashing_embedder)
    (small_corpus / "bridges.txt").unlink()
    _ingest([small_corpus], small_index, hashing_embedder)
    g = read_manifest(small_index).generation
    assert read_manifest(small_index).data == {}
    assert _data_files(small_index) == [f"passages-{g}.npy", f"sentences-{g}.npy", f"store-{g}.sqlite",
                                        f"vectors-{g}.faiss"]


def test_an_engine_serving_during_an_ingest_by_another_process_answers_from_it_next(
        small_index, small_corpus, hashing_embedder, tmp_path):
    import shutil

    engine = Engine.open(small_index, embedder=hashing_embedder)
    question = "Which treaty on the Drin floods did Albania and Serbia sign?"
    assert all(c["doc_id"] != "rivers" for c in engine.answer(question)["citations"])
    assert not engine.refresh()  # nothing committed since it opened
    (small_corpus / "rivers.md").write_text(NEW_DOC, encoding="utf-8")
    _ingest([small_corpus], small_index, hashing_embedder)  # as the CLI would, beside the running chat
    assert engine.answer(question)["citations"][0]["doc_id"] == "rivers"
    assert "rivers" in engine.documents and "Albania" in dict(engine.countries())
    assert {p["doc_id"] for p in engine.brief("Albania")["passages"]} >= {"rivers"}
    # a manifest it cannot read (a damaged or foreign one) leaves the engine answering from what it has
    generation = engine.index.manifest.generation
    shutil.copy(small_index / "manifest.json", tmp_path / "manifest.json")
    (small_index / "manifest.json").write_text("{not json")
    assert not engine.refresh()
    assert engine.answer(question)["citations"][0]["doc_id"] == "rivers"
    assert engine.index.manifest.generation == generation


# --- changes and removals in place ---------------------------------------------------------------------------

BRIDGE_QUESTION = "Who built the oldest bridge in Eastford?"


def _in_place(embedder, share=1.0):
    """The small corpus is a few passages, so any change is a large share of it: ``share`` says what to allow."""
    return IngestConfig(model=embedder.name, compact_share=share)


@pytest.mark.parametrize("change", ["edit", "remove"])
def test_changing_or_removing_a_file_in_place_marks_its_rows_removed_and_equals_a_rebuild(
        small_index, small_corpus, hashing_embedder, tmp_path, change):
    from index.manifest import read_manifest

    (small_corpus / "rivers.md").write_text(NEW_DOC, encoding="utf-8")
    ingest_paths([small_corpus], small_index, _in_place(hashing_embedder), embedder=hashing_embedder, progress=False)
    before = read_manifest(small_index)
    index = Index.open(small_index)
    bridge_rows = index.rows_of_document("bridges")
    index.close()
    store = before.data_file(small_index, "store", ".sqlite")
    inode = store.stat().st_ino
    _change_bridges(small_corpus, change)
    counting = CountingEmbedder()
    report = ingest_paths([small_corpus], small_index, _in_place(hashing_embedder), embedder=counting, progress=False)
    assert (report.embedded_files, report.reused_files) == ((1, 2) if change == "edit" else (0, 2))
    after = read_manifest(small_index)
    assert after.data_file(small_index, "store", ".sqlite") == store and store.stat().st_ino == inode
    assert after.removed == len(bridge_rows) and after.rows == before.rows + (after.passages - before.passages
                                                                             + len(bridge_rows))
    assert report.passages == after.passages
    g = before.data["store"]
    vectors = after.generation if change == "edit" else before.data_generations()["vectors"]
    assert _data_files(small_index) == [f"passages-{g}.npy", f"sentences-{g}.npy", f"store-{g}.sqlite",
                                        f"vectors-{vectors}.faiss"]
    if change == "remove":
        assert counting.texts == 0  # nothing embedded for a removal
    _same(_content(small_index), _fresh_build([small_corpus], tmp_path))

    engine = Engine.open(small_index, embedder=hashing_embedder)
    assert list(engine.index.removed) == list(bridge_rows)
    for question in (BRIDGE_QUESTION, "The bridge in Mostar over the Neretva", NEW_DOC):
        scores, rows = engine.index.backend.dense(engine.embed_question(question), after.rows, None, None)
        found = rows[0][rows[0] >= 0]
        assert len(found) == after.passages and not set(found.tolist()) & set(bridge_rows.tolist())
        assert np.isneginf(scores[0][rows[0] < 0]).all()
    answer = engine.answer(BRIDGE_QUESTION)
    quotes = " ".join(c["quote"] for c in answer["citations"])
    assert "1820" not in quotes  # the old text is gone from answers
    if change == "edit":
        assert engine.answer("Which bridge over the Neretva was rebuilt?")["citations"][0]["doc_id"] == "bridges"
    else:
        assert "bridges" not in engine.documents and all(c["doc_id"] != "bridges" for c in answer["citations"])


def test_a_search_with_many_removed_rows_leaves_them_out_inside_the_search(small_index, hashing_embedder):
    from index.backend import Where
    from index.local_store import LocalBackend

    index = Index.open(small_index)
    try:
        n = index.rows
        removed = np.arange(0, n, 2)
        qvec = hashing_embedder.embed([BRIDGE_QUESTION])[0]
        for overfetch in (0, n):  # the rows left out by the search itself, or asked for and dropped
            backend = LocalBackend(index.con, index.vectors, removed=removed, overfetch=overfetch)
            for _ in range(2):  # the second search reuses the first's preparation of the rows not removed
                scores, rows = backend.dense(qvec, n, None, None)
                assert sorted(rows[0][rows[0] >= 0].tolist()) == list(range(1, n, 2)), overfetch
            assert (Where() in backend._filters) == (overfetch == 0)
            allowed = np.array([0, 1, 2, 3])
            _, rows = backend.dense(qvec, n, None, allowed)
            assert sorted(rows[0][rows[0] >= 0].tolist()) == [1, 3]
    finally:
        index.close()


def test_removed_rows_add_up_in_place_until_a_full_write_drops_them(small_index, small_corpus, hashing_embedder,
                                                                     tmp_path):
    from index.manifest import read_manifest

    (small_corpus / "rivers.md").write_text(NEW_DOC, encoding="utf-8")
    ingest_paths([small_corpus], small_index, _in_place(hashing_embedder), embedder=hashing_embedder, progress=False)
    removed = 0
    for year in (2020, 2021, 2022):  # the same file changed three times, each time in place
        (small_corpus / "rivers.md").write_text(NEW_DOC.replace("2021", str(year)), encoding="utf-8")
        ingest_paths([small_corpus], small_index, _in_place(hashing_embedder), embedder=hashing_embedder,
                     progress=False)
        assert read_manifest(small_index).removed > removed
        removed = read_manifest(small_index).removed
        _same(_content(small_index), _fresh_build([small_corpus], tmp_path))
    engine = Engine.open(small_index, embedder=hashing_embedder)
    assert "2022" in " ".join(c["quote"] for c in engine.answer("When did Albania and Serbia sign the treaty on "
                                                                "rivers?")["citations"])
    live = engine.index.con.execute("SELECT row FROM passages").fetchall()
    starts, ends = engine.index.sentence_ranges(np.array([r for (r,) in live]))
    sentences = engine.index.con.execute("SELECT sum(json_array_length(sentences)) FROM passages").fetchone()[0]
    assert (ends >= starts).all() and (ends - starts).sum() == sentences  # each live row's own, none lost
    assert len(engine.index.sentence_vectors) == sentences + sum(  # the removed rows' keep their places
        n for (n,) in engine.index.con.execute("SELECT sentences FROM removed"))
    # the default share: one more change takes the removed rows past it, and a whole generation is written
    (small_corpus / "rivers.md").write_text(NEW_DOC, encoding="utf-8")
    ingest_paths([small_corpus], small_index, IngestConfig(model=hashing_embedder.name), embedder=hashing_embedder,
                 progress=False)
    after = read_manifest(small_index)
    assert after.removed == 0 and after.data == {} and after.rows == after.passages
    assert _data_files(small_index) == [f"{stem}-{after.generation}{suffix}" for stem, suffix in (
        ("passages", ".npy"), ("sentences", ".npy"), ("store", ".sqlite"), ("vectors", ".faiss"))]
    _same(_content(small_index), _fresh_build([small_corpus], tmp_path))
    assert len(Index.open(small_index).vectors) == after.passages


def test_an_engine_opened_before_a_removal_in_place_keeps_answering(small_index, small_corpus, hashing_embedder):
    stale = Engine.open(small_index, embedder=hashing_embedder)
    stale.follow_ingests = False  # a request in flight during the update
    (small_corpus / "hearing.txt").unlink()
    ingest_paths([small_corpus], small_index, _in_place(hashing_embedder), embedder=hashing_embedder, progress=False)
    answer = stale.answer(BRIDGE_QUESTION)  # its rows of the hearing are gone from the store: it skips them
    assert not answer["abstained"] and "1820" in " ".join(c["quote"] for c in answer["citations"])
    fresh = Engine.open(small_index, embedder=hashing_embedder)
    assert "hearing" not in fresh.documents and fresh.index.manifest.removed > 0
    assert not fresh.index.speaker_labels()  # the hearing's speakers are counted out with it


# --- which files are read again ------------------------------------------------------------------------------

def _age(path, seconds=60):
    """Set a file's modification time ``seconds`` in the past (as a file not touched for a while)."""
    import os
    import time

    then = time.time_ns() - seconds * 1_000_000_000
    os.utime(path, ns=(then, then))


def test_a_file_whose_size_and_time_are_unchanged_is_not_read_again(small_corpus, hashing_embedder, tmp_path):
    from index.manifest import read_manifest

    for path in small_corpus.iterdir():
        _age(path)
    index_dir = tmp_path / "stamped"
    _ingest([small_corpus], index_dir, hashing_embedder)
    stamps = read_manifest(index_dir).stamps
    bridges = small_corpus / "bridges.txt"
    assert stamps[str(bridges)] == [bridges.stat().st_size, bridges.stat().st_mtime_ns]
    # the same number of bytes, other words, and the old time put back (as `cp -p` or an archive would): the
    # quick check trusts the stamp, as rsync's and git's do; only --rebuild or a touch reads the file again
    old = bridges.read_text(encoding="utf-8")
    new = old.replace("masons", "rivers")
    assert len(new.encode()) == len(old.encode())
    before = bridges.stat()
    bridges.write_text(new, encoding="utf-8")
    import os

    os.utime(bridges, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert _ingest([small_corpus], index_dir, hashing_embedder).embedded_files == 0
    _age(bridges, 30)  # a new time: read, hashed, changed
    report = _ingest([small_corpus], index_dir, hashing_embedder)
    assert report.embedded_files == 1
    assert "rivers" in Index.open(index_dir).document_text("bridges")[1]


def test_a_file_changed_just_before_it_was_read_is_read_again_next_time(small_corpus, hashing_embedder, tmp_path):
    from index.manifest import read_manifest

    index_dir = tmp_path / "fresh"
    _ingest([small_corpus], index_dir, hashing_embedder)  # the files were written a moment ago
    assert read_manifest(index_dir).stamps == {}  # too fresh to trust: their time could tick on unchanged
    for path in small_corpus.iterdir():
        _age(path)
    assert _ingest([small_corpus], index_dir, hashing_embedder).embedded_files == 0
    assert len(read_manifest(index_dir).stamps) == 2  # recorded now, with no new generation
