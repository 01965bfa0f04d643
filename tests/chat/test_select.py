"""Which sentences are quoted together: context for short or dependent sentences, no repeats."""

from __future__ import annotations

from answer_kit import document, evidence

from chat.answer import AnswerConfig
from chat.scoring import DEFAULT_CONFIG, score_sentences
from chat.select import select_sentences


def _quoted(question, doc, config=DEFAULT_CONFIG):
    ev = evidence(question, [doc])
    return [[c.text for c in group] for group in select_sentences(ev, score_sentences(ev, config), config)]


def test_too_short_sentence_takes_the_next_one_with_it():
    doc = document("join", "Montenegro joined NATO. That was in 2017, after a long debate. Tourism grew.")
    groups = _quoted("When did Montenegro join NATO?", doc)
    assert groups[0] == ["Montenegro joined NATO.", "That was in 2017, after a long debate."]


def test_sentence_pointing_back_takes_the_previous_one():
    doc = document("loan", "Serbia bought six batteries in 2022. This was paid for with a Chinese state loan.")
    groups = _quoted("How was it paid for with a Chinese state loan?", doc)
    assert sorted(groups[0]) == sorted(
        ["Serbia bought six batteries in 2022.", "This was paid for with a Chinese state loan."]
    )


def test_close_second_from_another_passage_is_a_second_group():
    doc = document("two", "Serbia bought six air defence batteries.\n\nKosovo bought anti-tank launchers.")
    groups = _quoted("What have Serbia and Kosovo bought?", doc, AnswerConfig(relative_margin=0.5))
    assert len(groups) == 2


def test_weak_second_is_left_out():
    doc = document("two", "Serbia bought six air defence batteries.\n\nThe weather in Belgrade was mild.")
    groups = _quoted("Which air defence batteries did Serbia buy?", doc, AnswerConfig(relative_margin=0.9))
    assert groups == [["Serbia bought six air defence batteries."]]


def test_no_candidates_no_groups():
    ev = evidence("anything", [document("x", "Some text here.")], ranking=[])
    assert select_sentences(ev, score_sentences(ev)) == []
