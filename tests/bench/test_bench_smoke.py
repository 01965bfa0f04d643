"""The benchmark's metrics compute what they claim, on tiny handmade examples."""

from __future__ import annotations

import math

import pytest

from bench.naive import NaiveIndex, fixed_chunks
from bench.quality import (
    abstention_stats,
    calibration,
    candidate_thresholds,
    contains_all,
    first_rank,
    hit_at,
    ndcg_at,
    ranking_summary,
    reciprocal_rank,
    recommend,
    verbatim,
    word_index,
)
from bench.speed import percentile

PASSAGES = [
    "Montenegro has been a NATO member since 2016.",
    "Kosovo bought “Javelin” rockets — and drones.",
    "Serbia hosts the Russian Humanitarian Centre in Nis.¹²",
]


def test_evidence_matches_ignoring_case_punctuation_and_superscripts():
    assert contains_all("The Russian Humanitarian Centre in Nis,¹² is", ["russian humanitarian centre in nis"])
    assert contains_all(PASSAGES[1], ['bought "Javelin" rockets - and drones'])
    assert not contains_all(PASSAGES[1], ["Javelin missiles"])


def test_first_rank_uses_the_first_evidence_string():
    assert first_rank(PASSAGES, ["Humanitarian Centre"]) == 3
    assert first_rank(PASSAGES, ["NATO member", "Humanitarian Centre"]) == 1
    assert first_rank(PASSAGES, ["not there"]) is None


def test_hit_at_k_needs_every_evidence_string_in_the_top_k():
    evidence = ["NATO member since 2016", "Javelin rockets"]
    assert not hit_at(PASSAGES, evidence, 1)
    assert hit_at(PASSAGES, evidence, 2)
    assert not hit_at(PASSAGES, ["Centre in Nis"], 2)


def test_rank_metrics_follow_their_definitions():
    assert reciprocal_rank(1) == 1.0
    assert reciprocal_rank(4) == 0.25
    assert reciprocal_rank(None) == 0.0
    assert ndcg_at(1) == 1.0
    assert ndcg_at(3) == pytest.approx(0.5)
    assert ndcg_at(11, k=10) == 0.0
    summary = ranking_summary([{"hit1": True, "hit5": True, "rank": 1},
                               {"hit1": False, "hit5": True, "rank": 3},
                               {"hit1": False, "hit5": False, "rank": None}])
    assert summary["hit@1"] == pytest.approx(1 / 3)
    assert summary["hit@5"] == pytest.approx(2 / 3)
    assert summary["mrr"] == pytest.approx((1 + 1 / 3) / 3)
    assert summary["ndcg@10"] == pytest.approx((1 + 0.5) / 3)


def test_verbatim_accepts_a_rejoined_paragraph_but_not_reworded_text():
    raw = ("These conditions have encouraged Russia and China to ramp up, often welcomed by\n\n"
           "¹ https://example.org/a-very-long-footnote-url\n\n"
           "governments and political actors in the region. 16 This poses a challenge.")
    source = word_index(raw)
    assert verbatim("often welcomed by governments and political actors in the region.", *source)
    assert verbatim("in the region. This poses a challenge.", *source)  # the plain-digit marker is ignored
    assert not verbatim("often welcomed by many governments in the region.", *source)
    assert not verbatim("Russia and China were welcomed.", *source)


def test_abstention_stats_treat_unanswerable_questions_as_positives():
    # (abstained, unanswerable)
    stats = abstention_stats([(True, True), (True, False), (False, True), (False, False), (False, False)])
    assert stats["precision"] == 0.5
    assert stats["recall"] == 0.5
    assert stats["accuracy"] == 3 / 5
    assert stats["wrong_abstentions"] == 1


def test_calibration_picks_the_most_accurate_threshold_between_scores():
    # (evidence score, unanswerable): separable except one unanswerable question at 0.5
    scores = [(0.20, True), (0.30, True), (0.50, True), (0.45, False), (0.60, False), (0.70, False)]
    assert candidate_thresholds(scores)[1] == pytest.approx(0.25)
    best = recommend(scores)
    # 0.40 (between 0.30 and 0.45) and 0.55 (between 0.50 and 0.60) are both 5/6 right;
    # the tie goes to the one that wrongly abstains on no answerable question
    assert best.threshold == pytest.approx(0.375)
    assert best.accuracy == pytest.approx(5 / 6)
    assert best.wrong_abstentions == 0
    table = calibration(scores, current=0.55)
    assert table["current"]["wrong_abstentions"] == 1
    assert any(math.isclose(row["threshold"], 0.375) for row in table["sweep"])


def test_fixed_chunks_cut_raw_text_into_equal_windows():
    text = "a" * 1200
    assert [len(c) for c in fixed_chunks(text, 500)] == [500, 500, 200]
    assert fixed_chunks("x" * 500 + " " * 500, 500) == ["x" * 500]


def test_naive_index_finds_the_chunk_that_shares_the_words(hashing_embedder, tmp_path):
    doc = tmp_path / "doc.txt"
    doc.write_text("Bridges of Eastford are old. " * 20 + "The levy funds repairs to the council roads. " * 12)
    naive = NaiveIndex.build([tmp_path], hashing_embedder, size=200)
    top = naive.search(hashing_embedder.embed(["levy repairs council"])[0], 1)
    assert "levy" in top[0]


def test_percentile_interpolates_between_ranks():
    values = [4.0, 1.0, 3.0, 2.0]
    assert percentile(values, 50) == 2.5
    assert percentile(values, 100) == 4.0
    assert percentile(values, 0) == 1.0


def test_calibration_never_trades_answerable_questions_for_accuracy():
    # the most accurate cut (0.55: 5/6) refuses the answerable 0.45; the recommended one refuses none
    scores = [(0.20, True), (0.48, True), (0.50, True), (0.45, False), (0.60, False), (0.70, False)]
    best = recommend(scores)
    assert best.wrong_abstentions == 0
    assert best.threshold < 0.45
