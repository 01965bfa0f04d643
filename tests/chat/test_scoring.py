"""Sentence scores and the evidence score that abstention thresholds."""

from __future__ import annotations

from answer_kit import debate, document, evidence, review

from chat.answer import compose_answer
from chat.scoring import DEFAULT_CONFIG, evidence_score, question_terms, score_sentences


def test_evidence_score_separates_an_on_topic_question_from_an_unrelated_one():
    docs = [review(), debate()]
    on_topic = evidence_score(evidence("Which air defence batteries did Serbia buy?", docs))
    unrelated = evidence_score(evidence("Who won the 2022 football World Cup?", docs))
    assert on_topic > DEFAULT_CONFIG.abstain_below + 0.15
    assert unrelated < DEFAULT_CONFIG.abstain_below - 0.15


def test_evidence_score_is_the_one_the_answer_reports():
    ev = evidence("Why did Belgrade protest in Washington?", [review()])
    assert compose_answer(ev)["evidence_score"] == evidence_score(ev)


def test_a_question_word_no_passage_has_carries_the_most_weight():
    terms = question_terms(evidence("What is the population of Kosovo?", [review(), debate()]))
    weights = dict(zip(terms.stems, terms.weights, strict=True))
    assert set(weights) == {"population", "kosovo"}
    assert weights["population"] > weights["kosovo"]
    assert abs(sum(weights.values()) - 1.0) < 1e-9


def test_the_same_sentence_ranks_by_its_passages_retrieval_rank():
    line = "The Eastford bridge will close for repairs in March."
    docs = [document("notice", line), document("bulletin", line)]
    for ranking in (["notice:0", "bulletin:0"], ["bulletin:0", "notice:0"]):
        first, second = score_sentences(evidence("When will the bridge close?", docs, ranking=ranking))
        assert first.strength == second.strength
        assert first.hit_index == 0 and first.score > second.score


def test_a_fragment_without_closing_punctuation_ranks_below_the_same_words_as_a_sentence():
    doc = document("titles", "Serbia bought air defence batteries\n\nSerbia bought air defence batteries.")
    ev = evidence("Which air defence batteries did Serbia buy?", [doc], ranking=["titles:0", "titles:1"])
    best = score_sentences(ev)[0]
    assert best.text == "Serbia bought air defence batteries."


def test_question_words_in_a_sentences_footnote_count_for_it():
    doc = document(
        "centre",
        "The centre in Nis opened in 2012.\n\nThe centre in Nis opened in 2012.{5}",
        footnotes={5: "https://example.org/nis-centre-is-a-spy-base"},
    )
    ev = evidence("Is the Nis centre a spy base?", [doc], ranking=["centre:0", "centre:1"])
    plain, noted = sorted(score_sentences(ev), key=lambda c: c.hit_index)
    assert noted.strength > plain.strength
