"""Tokens, crude stems, content words, source cues and IDF."""

from __future__ import annotations

from chat.terms import asks_for_source, content_words, idf, stem, words


def test_inflections_meet_at_one_stem():
    for forms in (("weapon", "weapons"), ("acquire", "acquired", "acquires"), ("fund", "funded", "funding", "funds"),
                  ("country", "countries"), ("tax", "taxes")):  # fmt: skip
        assert len({stem(w) for w in forms}) == 1, forms


def test_irregular_past_forms_meet_their_verb():
    for forms in (("meet", "met", "meeting", "meets"), ("say", "said", "says"), ("buy", "bought", "buying"),
                  ("make", "made", "makes"), ("give", "gave", "given", "gives")):  # fmt: skip
        assert len({stem(w) for w in forms}) == 1, forms
    # a form as often another word is left alone: "the left", "founded", "won" (a currency)
    assert stem("left") != stem("leave") and stem("found") != stem("find") and stem("won") == "won"


def test_short_words_numbers_and_s_endings_that_are_not_plurals_stay():
    assert [stem(w) for w in ("nis", "2022", "crisis", "bus", "status")] == ["nis", "2022", "crisis", "bus", "status"]


def test_words_match_the_index_tokenisation():
    assert words("NATO’s KFOR-mission, 2023!") == ["nato", "s", "kfor", "mission", "2023"]


def test_content_words_drop_function_and_framing_words():
    assert content_words("What does the report say about Serbia's weapons?") == ["serbia", "weapons"]
    assert content_words("Who is he?") == []
    assert content_words("Weapons and weapon") == ["weapons"]


def test_source_questions_are_recognised_by_general_cues():
    assert asks_for_source("What source does the report cite for the Nis centre?")
    assert asks_for_source("Which publication first proposed the force?")
    assert asks_for_source("Where does the claim about loans come from?")
    assert asks_for_source("According to whom is Serbia the main buyer?")
    assert not asks_for_source("Who is the envoy according to the report?")
    assert not asks_for_source("What weapons has Serbia bought?")


def test_idf_is_highest_for_a_word_no_passage_has():
    freq = {"serbia": 40, "weapon": 3}
    assert idf("population", freq, 100) > idf("weapons", freq, 100) > idf("serbia", freq, 100) > 0
    assert idf("weapons", freq, 100) == idf("weapon", freq, 100)


def test_without_statistics_every_word_weighs_the_same():
    assert idf("serbia", {}, 0) == idf("population", {}, 0) == 1.0


def test_a_question_can_name_the_kind_of_document():
    from chat.terms import asked_kind

    assert asked_kind("Who is the envoy according to the report?") == "report"
    assert asked_kind("What did Lord X say in the debate?") == "transcript"
    assert asked_kind("Who is the envoy?") is None
    assert asked_kind("Does the article agree with the report?") is None


def test_a_question_names_a_speaker_by_surname():
    from chat.terms import names_speaker

    assert names_speaker("What did Lord Cormack say about Dayton?", "Lord Cormack")
    assert names_speaker("What did Ahmad promise?", "Lord Ahmad of Wimbledon")
    assert not names_speaker("What did the minister say?", "Lord Ahmad of Wimbledon")
    assert not names_speaker("What did Lord Cormack say?", "The Earl of Sandwich")
