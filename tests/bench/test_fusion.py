from bench.fusion import SETS, dev_mean, first_hit_rank, summarise


def test_the_first_hit_is_ranked_from_one():
    assert first_hit_rank([False, False, True, True]) == 3
    assert first_hit_rank([False]) is None


def test_hit_at_5_and_mrr_per_set_and_split():
    rows = [("pdf", "dev", 1), ("pdf", "dev", 6), ("pdf", "dev", None), ("pdf", "holdout", 2)]
    out = summarise(rows)
    assert out["pdf/dev"] == {"hit@5": round(1 / 3, 4), "mrr@10": round((1 + 1 / 6) / 3, 4), "n": 3}
    assert out["pdf/holdout"]["hit@5"] == 1.0 and out["pdf/holdout"]["mrr@10"] == 0.5


def test_settings_missing_as_many_questions_tie_on_the_mean():
    # 30/31 on two sets vs 31/31 and 29/31: the same misses, the same mean
    a = {f"{s}/dev": {"hit@5": v} for s, v in zip(SETS, (0.9677, 0.9677, 1.0, 0.9412), strict=True)}
    b = {f"{s}/dev": {"hit@5": v} for s, v in zip(SETS, (1.0, 0.9355, 1.0, 0.9412), strict=True)}
    assert dev_mean(a, "hit@5") == dev_mean(b, "hit@5")
