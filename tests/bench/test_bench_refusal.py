"""The refusal benchmark's decision and scores, on handmade rows; its question sets are well formed."""

from __future__ import annotations

import pytest

from bench import refusal
from bench.quality import contains_all


def row(score: float, missing: float, answerable: bool, split: str = "dev") -> dict:
    return {"id": "x", "split": split, "answerable": answerable, "score": score, "missing": missing}


ROWS = [row(0.8, 0.0, True), row(0.5, 0.0, True), row(0.35, 0.0, True), row(0.6, 1.0, False),
        row(0.25, 0.0, False), row(0.7, 0.0, False)]


def test_outcome_counts_both_cuts():
    o = refusal.outcome(ROWS, 0.3, 0.75)
    assert (o["refused_unanswerable"], o["false_refusals"], o["unanswerable"]) == (2, 0, 3)
    assert o["precision"] == 1.0 and abs(o["recall"] - 2 / 3) < 1e-9
    score_only = refusal.outcome(ROWS, 0.3, 9.0)
    assert score_only["refused_unanswerable"] == 1


def test_recommend_keeps_false_refusals_under_the_cap():
    best = refusal.recommend(ROWS)
    assert best["false_refusals"] == 0 and best["refused_unanswerable"] == 2


def test_splits_are_stable_and_meetings_stay_whole(tmp_path):
    assert refusal.split_of("b001") == refusal.split_of("b001") in ("dev", "holdout")
    for name in ("c", "a", "b"):
        (tmp_path / f"{name}.txt").write_text("x", encoding="utf-8")
    assert refusal.meeting_splits(tmp_path) == {"a": "dev", "b": "holdout", "c": "dev"}


def test_written_question_sets_are_well_formed():
    sets = refusal.question_sets()
    for name, spec in sets.items():
        ids = [q["id"] for q in spec["questions"]]
        assert len(ids) == len(set(ids)), name
    written = [q for name in ("questions-pdf.jsonl", "questions-qmsum-none.jsonl", "questions-none-extra.jsonl")
               for q in refusal._jsonl(refusal.HERE / name)]
    assert sum(q["kind"] == "none" for q in written) >= 40  # the issue asks for at least 40 unanswerable
    for q in written:
        assert q["kind"] == "none" or q["evidence"], q["id"]
        assert q["split"] in ("dev", "holdout"), q["id"]
    # written after the splits were fixed: all dev, so the held-out splits stay as they were
    later = [q for name in ("questions-extra.jsonl", "questions-pdf-extra.jsonl")
             for q in refusal._jsonl(refusal.HERE / name)]
    assert len(later) >= 76 and all(q["split"] == "dev" for q in later)
    assert all(q["kind"] == "none" or q["evidence"] for q in later)


def test_shipped_evidence_written_for_the_bench_is_in_the_corpus():
    corpus = "\n".join(p.read_text(encoding="utf-8") for p in (refusal.REPO / "corpus").iterdir() if p.is_file())
    for q in refusal._jsonl(refusal.HERE / "questions-extra.jsonl"):
        assert all(e in corpus for e in q["evidence"]), q["id"]


@pytest.mark.skipif(not (refusal.SHARED / "pdf-dev").is_dir(), reason="../shared/eval/pdf-dev is not beside the repository")
def test_pdf_evidence_is_in_the_ground_truth_text():
    folder = refusal.SHARED / "pdf-dev"
    for q in refusal._jsonl(refusal.HERE / "questions-pdf.jsonl"):
        if q["kind"] == "none":
            continue
        truth = (folder / f"{q['doc']}.groundtruth.md").read_text(encoding="utf-8")
        assert contains_all(truth, q["evidence"]), q["id"]


def test_results_name_every_development_set_section():
    from bench.summary import render

    text = render()
    for heading in ("## Hearings (qmsum-dev)", "## Real PDFs (pdf-dev)", "## Answers and refusals on three corpora",
                    "## Library scale", "## Team store (Milvus)"):
        assert heading in text


def test_furniture_is_the_page_edge_text_the_ground_truth_leaves_out(tmp_path):
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    for page in (1, 2):
        pdf.add_page()
        pdf.set_font("Helvetica", size=8)
        pdf.set_xy(20, 10)
        pdf.cell(170, 4, f"Energy and Water Review, page {page}")
        pdf.set_font("Helvetica", size=11)
        pdf.set_xy(20, 40)
        pdf.multi_cell(170, 6, f"Water use in region {page} rose by a third since 2010.\n\nCosts rose too.")
    path = tmp_path / "review.pdf"
    path.write_bytes(bytes(pdf.output()))
    truth = "## Contents\n\n| Water use in the regions . . . . . . . . . . . . . . | 3 |\n\n"
    truth += "".join(f"Water use in region {p} rose by a third since 2010.\n\nCosts rose too.\n\n" for p in (1, 2))
    path.with_name("review.groundtruth.md").write_text(truth, encoding="utf-8")
    marked = refusal.furniture_of(path)
    assert "energyandwaterreviewpage1" in marked and "wateruseintheregions3" in marked
    assert not refusal.holds_furniture("Water use in region 1 rose by a third since 2010.", marked)
    assert refusal.holds_furniture("rose by a third Energy and Water Review, page 2 since 2010", marked)
    assert refusal.holds_furniture("Water use in the regions 3", marked), "a contents row without its dots"
    assert refusal.holds_furniture("Notices . . . . . . . vii", marked), "a dot leader"
    assert refusal.furniture_of(tmp_path / "other.pdf") == (), "no ground truth, nothing marked"


def test_fit_logistic_finds_the_direction_that_separates_the_classes():
    import numpy as np

    from bench.refusal_fit import fit_logistic

    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, size=(200, 2))
    y = (x[:, 0] - x[:, 1] > 0.1).astype(float)
    w, b = fit_logistic(x, y, l2=0.1)
    p = 1 / (1 + np.exp(-(x @ w + b)))
    assert w[0] > 0 > w[1]
    assert ((p >= 0.5) == (y == 1)).mean() > 0.9


def test_rows_with_signals_are_decided_by_the_model_and_rows_without_by_the_two_cuts():
    from chat.refusal import load_model

    near_miss = {"answerable": False, "score": 0.45, "missing": 0.5, "absent": ["Turkey"],
                 "signals": {"strength": 0.45, "missing": 0.5, "absent_constraint": 1.0, "type_absent": 1.0,
                             "uncovered": 0.6, "flat": 0.95}}
    assert refusal.refused_by(near_miss, load_model(), 0.3, 0.75)
    assert not refusal.refused_by(near_miss, None, 0.3, 0.75)
    assert refusal.refused_by({**near_miss, "signals": {}}, None, 0.3, 0.75)  # nothing to quote
