"""The manifest says how an index's vectors were made: sentences separate (default) or pooled, passages
the mean of their sentences (default) or their own."""

import json

import numpy as np
import pytest

from index.build import IngestConfig, ingest_paths
from index.embed import load_embedder, mean_direction
from index.manifest import read_manifest
from index.reader import Index
from ingest.cli import main as ingest_main
from ingest.errors import CorruptIndex


@pytest.fixture(scope="module")
def model():
    return load_embedder()


def _ingest(paths, index_dir, embedder, **config):
    report = ingest_paths(paths, index_dir, IngestConfig(model=embedder.name, **config), embedder=embedder,
                          progress=False)
    assert report.failed == []
    return report


def test_default_ingest_embeds_sentences_separately(tmp_path, small_corpus, model):
    _ingest([small_corpus], tmp_path / "index", model)
    manifest = read_manifest(tmp_path / "index")
    assert manifest.sentence_vectors == "separate"
    index = Index.open(tmp_path / "index")
    row = index.con.execute("SELECT row, text, char_start, sentences FROM passages ORDER BY row").fetchone()
    first = json.loads(row["sentences"])[0]
    alone = model.embed([row["text"][first[0] - row["char_start"] : first[1] - row["char_start"]]])[0]
    stored = np.asarray(index.sentence_vectors[0], dtype=np.float32)
    assert float(stored @ alone) > 0.999  # the first sentence's vector is that sentence embedded alone


def test_default_passage_vectors_are_the_mean_of_their_sentences(tmp_path, small_corpus, model):
    _ingest([small_corpus], tmp_path / "index", model)
    assert read_manifest(tmp_path / "index").passage_vectors == "mean"
    index = Index.open(tmp_path / "index")
    starts, ends = index.sentence_ranges(np.arange(index.rows))
    assert (starts[1:] == ends[:-1]).all() and ends[-1] == len(index.sentence_vectors)  # back to back
    checked = 0
    for row in range(index.rows):
        own = index.sentence_vectors[starts[row] : ends[row]]
        if len(own):
            expected = mean_direction(np.asarray(own, dtype=np.float32))
            assert float(np.asarray(index.passage_vectors[row], dtype=np.float32) @ expected) > 0.999
            checked += 1
    assert checked >= 3


def test_passages_embedded_whole_when_asked(tmp_path, small_corpus, model):
    _ingest([small_corpus], tmp_path / "index", model, passage_vectors="own")
    assert read_manifest(tmp_path / "index").passage_vectors == "own"
    index = Index.open(tmp_path / "index")
    first = index.passages_at([0])[0]
    assert first.sentences  # a passage with sentences, embedded whole all the same
    alone = np.asarray(index.sentence_vectors[0 : len(first.sentences)], dtype=np.float32)
    assert float(np.asarray(index.passage_vectors[0], dtype=np.float32) @ mean_direction(alone)) < 0.999


def test_an_update_across_passage_vector_kinds_says_mixed(tmp_path, small_corpus, model):
    _ingest([small_corpus / "bridges.txt"], tmp_path / "index", model, passage_vectors="own")
    _ingest([small_corpus], tmp_path / "index", model)
    assert read_manifest(tmp_path / "index").passage_vectors == "mixed"


def test_pooled_ingest_says_so_and_differs_from_separate(tmp_path, small_corpus, model):
    _ingest([small_corpus], tmp_path / "sep", model, passage_vectors="own")
    _ingest([small_corpus], tmp_path / "pooled", model, pooled_sentences=True)
    assert read_manifest(tmp_path / "pooled").sentence_vectors == "pooled"
    assert read_manifest(tmp_path / "pooled").passage_vectors == "own"  # the one pass is the passage's
    sep, pooled = Index.open(tmp_path / "sep"), Index.open(tmp_path / "pooled")
    assert sep.sentence_vectors.shape == pooled.sentence_vectors.shape
    assert np.array_equal(np.asarray(sep.passage_vectors), np.asarray(pooled.passage_vectors))
    agreement = np.sum(np.asarray(sep.sentence_vectors, np.float32) * np.asarray(pooled.sentence_vectors, np.float32),
                       axis=1)
    assert agreement.min() < 0.99 and agreement.mean() > 0.5  # the same sentences, seen in context


def test_an_embedder_without_span_pooling_embeds_separately_even_when_asked(tmp_path, small_corpus,
                                                                           hashing_embedder):
    _ingest([small_corpus], tmp_path / "index", hashing_embedder, pooled_sentences=True)
    assert read_manifest(tmp_path / "index").sentence_vectors == "separate"


def test_an_update_of_a_pooled_index_stays_pooled(tmp_path, small_corpus, model):
    _ingest([small_corpus / "bridges.txt"], tmp_path / "index", model, pooled_sentences=True)
    report = _ingest([small_corpus], tmp_path / "index", model)  # the new file embedded separately
    assert report.reused_files == 1 and report.embedded_files == 1
    assert read_manifest(tmp_path / "index").sentence_vectors == "pooled"  # some of its vectors are


def test_cli_flag_builds_a_pooled_index(tmp_path, small_corpus):
    assert ingest_main([str(small_corpus), "--index-dir", str(tmp_path / "index"), "-q", "--pooled-sentences"]) == 0
    assert read_manifest(tmp_path / "index").sentence_vectors == "pooled"


@pytest.mark.parametrize(("field", "before_it"), [("sentence_vectors", "separate"), ("passage_vectors", "own")])
def test_manifest_without_the_field_is_an_index_of_the_kind_made_before_it(small_index, field, before_it):
    path = small_index / "manifest.json"
    raw = json.loads(path.read_text())
    del raw[field]
    path.write_text(json.dumps(raw))
    assert getattr(read_manifest(small_index), field) == before_it
    raw[field] = "averaged"
    path.write_text(json.dumps(raw))
    with pytest.raises(CorruptIndex, match=field):
        read_manifest(small_index)
