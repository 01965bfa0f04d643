"""resolve_followup: short follow-ups borrow the previous question's context; whole questions pass through."""

from __future__ import annotations

import pytest

from chat.followup import is_followup, resolve_followup

WEAPONS = "What weapons has Serbia bought?"


def test_what_about_a_new_country_asks_the_same_question_of_it():
    assert resolve_followup("and what about Kosovo?", WEAPONS) == "What weapons has Kosovo bought?"
    assert resolve_followup("What about Kosovo", WEAPONS) == "What weapons has Kosovo bought?"
    assert resolve_followup("And Albania too?", WEAPONS) == "What weapons has Albania bought?"


def test_new_name_replaces_the_subject_not_a_name_after_the():
    previous = "What weapons has Kosovo bought from the United States?"
    assert resolve_followup("what about Serbia?", previous) == "What weapons has Serbia bought from the United States?"


def test_new_name_replaces_a_name_of_the_same_kind():
    previous = "Which Chinese missile systems has Serbia acquired?"
    assert resolve_followup("what about Kosovo?", previous) == "Which Chinese missile systems has Kosovo acquired?"
    assert resolve_followup("and Russian?", previous) == "Which Russian missile systems has Serbia acquired?"
    debate = "What does Lord Robertson say about events in the Western Balkans?"
    assert resolve_followup("and what about Kosovo?", debate) == "What does Lord Robertson say about events in Kosovo?"
    assert (
        resolve_followup("what about Baroness Helic?", debate)
        == "What does Baroness Helic say about events in the Western Balkans?"
    )


def test_a_year_replaces_a_year_or_is_added():
    assert resolve_followup("and in 2021?", WEAPONS) == "What weapons has Serbia bought in 2021?"
    previous = "What happened in Banjska in September 2023?"
    assert resolve_followup("and in 2021?", previous) == "What happened in Banjska in September 2021?"


def test_possessive_of_the_replaced_name_is_kept():
    previous = "What is Serbia’s defence budget?"
    assert resolve_followup("and Montenegro?", previous) == "What is Montenegro’s defence budget?"


@pytest.mark.parametrize(
    "followup", ["why?", "Who said that?", "Is it true?", "Did Kosovo buy them?", "and is it true for Kosovo?"]
)
def test_followup_without_its_own_subject_is_appended_to_the_previous_question(followup):
    assert resolve_followup(followup, WEAPONS) == f"{WEAPONS} {followup}"


@pytest.mark.parametrize(
    "question",
    [
        "What is the population of Albania?",
        "Who funds Milorad Dodik from abroad?",
        "And what did Kosovo buy from the United States?",
        "What does this report say about the Dayton agreement and its future?",
    ],
)
def test_self_contained_question_is_unchanged(question):
    assert not is_followup(question)
    assert resolve_followup(question, WEAPONS) == question


def test_without_a_previous_question_nothing_changes():
    assert resolve_followup("and what about Kosovo?", None) == "and what about Kosovo?"
    assert resolve_followup("why?", "  ") == "why?"


def test_a_noun_phrase_replaces_the_one_with_the_same_head():
    previous = "Who built the oldest bridge in Eastford?"
    assert resolve_followup("and what about the middle bridge?", previous) == "Who built the middle bridge in Eastford?"
    # no shared head noun: the phrase is added instead
    assert resolve_followup("and what about the tunnels?", previous).startswith("Who built the oldest bridge in Eastford")
