import numpy as np
import pytest

from chat.engine import Engine
from chat.retrieve import fuse, retrieve
from ingest.errors import UnknownCountry, UnknownDocument


@pytest.fixture
def engine(small_index, hashing_embedder):
    return Engine.open(small_index, embedder=hashing_embedder)


def _hits(engine, question, **kw):
    qvec = engine.embed_question(question)
    return retrieve(engine.index, question, qvec, **kw)


def test_rrf_rewards_agreement_between_rankers():
    fused = fuse([[(1, 0.9), (2, 0.8), (3, 0.7)], [(3, 9.0), (1, 5.0)]], rrf_k=60)
    assert [row for row, _ in fused] == [1, 3, 2]


@pytest.mark.parametrize("retriever", ["hybrid", "dense", "bm25"])
def test_each_retriever_finds_the_passage_with_the_words(engine, retriever):
    hits = _hits(engine, "bearings for the middle bridge", k=3, retriever=retriever)
    assert "bearings" in hits[0].passage.text
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))


def test_document_filter_is_applied_before_ranking(engine):
    allowed = engine.allowed_rows(None, "hearing")
    hits = _hits(engine, "the levy funds repairs", k=5, allowed=allowed)
    assert hits and all(h.passage.doc_id == "hearing" for h in hits)


def test_country_filter_keeps_only_passages_that_mention_it(engine):
    allowed = engine.allowed_rows("Kosovo", None)
    hits = _hits(engine, "bridges", k=5, allowed=allowed)
    assert hits and all("Kosovo" in h.passage.countries for h in hits)


def test_empty_filter_means_nothing_found_not_everything(engine):
    hits = _hits(engine, "bridges", k=5, allowed=np.array([], dtype=np.int64))
    assert hits == []


def test_unknown_filters_fail_closed(engine):
    with pytest.raises(UnknownCountry, match="Atlantis"):
        engine.answer("bridges?", country="Atlantis")
    with pytest.raises(UnknownDocument, match="bridges"):
        engine.answer("bridges?", doc_id="nope")


@pytest.mark.parametrize("question", ['"', "NEAR(", "*", "a AND OR", "'; DROP TABLE passages; --"])
def test_query_syntax_in_questions_is_plain_text(engine, question):
    _hits(engine, question, k=3, retriever="bm25")
    assert engine.index.con.execute("SELECT count(*) FROM passages").fetchone()[0] > 0


def test_a_passage_ending_on_a_colon_brings_the_passage_it_introduces(tmp_path, hashing_embedder):
    from index.build import IngestConfig, ingest_paths

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "plan.txt").write_text(
        "A Plan\n\nIntroduction\n\nOur new approach rests on three core principles:\n\n"
        "1. Fund The Harbour Repairs\n\nMoney should go to the quay walls first.\n\n"
        "Weather\n\nRain is frequent here in the spring and the autumn, and storms cost money.\n\n"
        "Guidance\n\nThe principles of the plan are reviewed by the core team every year.\n"
    )
    index_dir = tmp_path / "idx"
    ingest_paths([folder], index_dir, IngestConfig(model=hashing_embedder.name), embedder=hashing_embedder,
                 progress=False)
    engine = Engine.open(index_dir, embedder=hashing_embedder)
    hits = _hits(engine, "what are the three core principles of the approach", k=2, retriever="bm25")
    assert hits[0].passage.text.endswith("principles:")
    assert hits[1].passage.text.startswith("1. Fund The Harbour Repairs")
    # ranked last on its own (BM25: Introduction, Guidance, Weather, then it), the introduced
    # passage moves up behind its introducer
    hits = _hits(engine, "three core principles money", k=3, retriever="bm25")
    assert [h.passage.text.split("\n")[0] for h in hits] == ["Introduction", "1. Fund The Harbour Repairs", "Guidance"]


def test_weighted_rrf_counts_a_list_by_its_weight():
    lists = [[(1, 0.9), (2, 0.8)], [(2, 5.0), (1, 4.0)]]
    assert [row for row, _ in fuse(lists, rrf_k=20)] == [1, 2]  # a tie, broken by row
    assert [row for row, _ in fuse(lists, rrf_k=20, weights=[1.0, 2.0])] == [2, 1]


# --- fusion: ranks with a small k (the default), or scores ------------------------------------------------------
def test_a_small_rrf_k_lets_a_lists_first_place_beat_two_middling_ranks():
    """First in one list and 8th in the other against 4th in both: a tie at k 20 (broken by row), a win at k 5."""
    dense = [(2, 0.9), (3, 0.8), (4, 0.7), (9, 0.6), (5, 0.5), (6, 0.4), (7, 0.3), (1, 0.2)]
    lexical = [(1, 9.0), (5, 8.0), (6, 7.0), (9, 6.0), (7, 5.0), (3, 4.0), (4, 3.0)]
    by_row = dict(fuse([dense, lexical], rrf_k=20))
    assert by_row[1] == pytest.approx(by_row[9])
    assert fuse([dense, lexical], rrf_k=5)[0][0] == 1
    from chat.retrieve import RetrieveConfig

    assert RetrieveConfig().fusion == "rrf" and RetrieveConfig().rrf_k == 5


def test_convex_fusion_keeps_a_wide_lead_that_rrf_loses(engine):
    """One list ranks row 1 first by a wide margin and the other lower down; rows 2 and 3 are middling in
    both. By rank (RRF) the middling rows win; by normalised score the clear winner stays first."""
    from chat.retrieve import RetrieveConfig, fuse_convex

    dense = [(2, 0.62), (3, 0.61), (4, 0.60), (1, 0.58), (5, 0.20)]
    lexical = [(1, 30.0), (3, 9.0), (2, 8.9), (5, 8.0), (4, 1.0)]
    assert {r for r, _ in fuse([dense, lexical], rrf_k=20)[:2]} == {2, 3}
    fused = fuse_convex(engine.index, np.zeros(engine.embedder.dim, np.float32), dense, lexical,
                        RetrieveConfig(dense_share=0.5))
    assert fused[0][0] == 1
    assert [s for _, s in fused] == sorted((s for _, s in fused), reverse=True)
    assert all(0.0 <= s <= 1.0 for _, s in fused)


def test_convex_fusion_ignores_each_retrievers_scale(engine):
    """Min-max normalised: BM25 scores a hundred times larger (another engine's BM25) rank alike."""
    from chat.retrieve import fuse_convex

    qvec = np.zeros(engine.embedder.dim, np.float32)
    dense = [(1, 0.9), (2, 0.5), (3, 0.4)]
    lexical = [(3, 12.0), (2, 7.0), (1, 2.0)]
    scaled = [(r, s * 100) for r, s in lexical]
    assert fuse_convex(engine.index, qvec, dense, lexical) == fuse_convex(engine.index, qvec, dense, scaled)


def test_convex_fusion_scores_a_keyword_only_row_by_its_own_vectors(engine):
    """A row only BM25 proposed is not given the dense list's bottom score: its true dense score is used."""
    from chat.retrieve import RetrieveConfig, dense_candidates, fuse_convex

    question = "bearings for the middle bridge"
    qvec = engine.embed_question(question)
    config = RetrieveConfig(dense_share=1.0)  # dense alone decides: the fused order is the dense order
    full = dense_candidates(engine.index, qvec, 50, None, config)
    top, rest = full[:2], full[2:]
    lexical = [(row, 1.0) for row, _ in rest]
    fused = fuse_convex(engine.index, qvec, top, lexical, config)
    assert [r for r, _ in fused] == [r for r, _ in full]


def test_both_fusions_find_the_passage_with_the_words(engine):
    from chat.retrieve import RetrieveConfig

    for fusion in ("convex", "rrf"):
        hits = _hits(engine, "bearings for the middle bridge", k=3, config=RetrieveConfig(fusion=fusion))
        assert "bearings" in hits[0].passage.text
