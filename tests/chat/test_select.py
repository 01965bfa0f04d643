"""Which sentences are quoted together: context for short or dependent sentences, no repeats."""

from __future__ import annotations

from answer_kit import document, evidence

from chat.answer import AnswerConfig
from chat.scoring import DEFAULT_CONFIG, score_sentences
from chat.select import select_sentences
from chat.terms import leans_back


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


def test_the_sentence_after_that_points_back_is_quoted_with_it():
    doc = document("verify", "Lists are checked at run time. If the user is in a listed group, the function returns "
                   "a long integer value of 1. Otherwise, it returns a value of 0. It never returns the null value.")
    groups = _quoted("What value does the function return when the user is in a listed group?", doc,
                     AnswerConfig(max_quotes=3))
    assert groups[0] == ["If the user is in a listed group, the function returns a long integer value of 1.",
                         "Otherwise, it returns a value of 0.", "It never returns the null value."]


def test_a_definite_description_of_what_the_sentence_named_continues_it():
    doc = document("nut", "The Boots nut has two sections: a locking nut and a load-carrying nut. The two sections "
                   "are connected with a spring, an integral part of the nut. Aircraft use many other nuts.")
    groups = _quoted("What are the parts of a Boots nut?", doc)
    assert groups[0][:2] == ["The Boots nut has two sections: a locking nut and a load-carrying nut.",
                             "The two sections are connected with a spring, an integral part of the nut."]
    assert "Aircraft use many other nuts." not in groups[0]


def test_a_continuation_stops_at_the_paragraph_off_the_question_and_at_the_quote_limit():
    doc = document("para", "Serbia bought six batteries in 2022. They were the first that Serbia bought abroad.\n\n"
                   "This was a Serbian first.")
    assert _quoted("What did Serbia buy in 2022?", doc)[0] == [
        "Serbia bought six batteries in 2022.", "They were the first that Serbia bought abroad."]
    assert _quoted("What did Serbia buy in 2022?", doc, AnswerConfig(max_quotes=1))[0] == [
        "Serbia bought six batteries in 2022."]
    off = document("off", "Serbia bought six batteries in 2022. Its coastline is popular with tourists.")
    assert _quoted("What did Serbia buy in 2022?", off)[0] == ["Serbia bought six batteries in 2022."]


def test_leans_back():
    before = frozenset({"boot", "nut", "section", "two"})
    assert leans_back("Otherwise, it returns 0.", frozenset())
    assert leans_back("The sections are joined.", before)
    assert not leans_back("The weather was mild.", before)
    assert not leans_back("Kosovo bought launchers.", before)
    assert not leans_back("", before)


def test_a_quote_goes_on_into_the_sentence_that_leans_on_it_and_gives_the_value_asked_for():
    doc = document("gov", "At that time my old friend Paddy Ashdown was the governor. He was there from 2002 to "
                   "2006. Bosnia changed a great deal.\n\nThe governor's office is in Sarajevo.")
    groups = _quoted("During which years was Paddy Ashdown in charge in Bosnia?", doc)
    assert groups[0][:2] == ["At that time my old friend Paddy Ashdown was the governor.",
                             "He was there from 2002 to 2006."]
    # the sentence is scored as an answer with the years that follow it, not without
    question = "During which years was Paddy Ashdown in charge in Bosnia?"

    def strength(follow):
        doc = document("gov", f"At that time my old friend Paddy Ashdown was the governor. He was there {follow}.")
        return next(c.strength for c in score_sentences(evidence(question, [doc])) if c.text.startswith("At"))

    assert strength("from 2002 to 2006 in Bosnia") > strength("for a long time in Bosnia")


def test_a_quote_goes_on_into_the_sentence_that_leans_on_it_and_names_what_the_question_names():
    doc = document("q", "Leaders of some Serb causes, such as Mr Dodik, are becoming ever more assertive. That is "
                   "why the United Kingdom took steps to sanction such individuals. The weather was mild.")
    groups = _quoted("What has the UK done about assertive leaders like Dodik?", doc)
    # "the UK" is "the United Kingdom": the sentence that leans back names it, and says what was done
    assert groups[0][:2] == ["Leaders of some Serb causes, such as Mr Dodik, are becoming ever more assertive.",
                             "That is why the United Kingdom took steps to sanction such individuals."]
    assert "The weather was mild." not in groups[0]


def test_a_why_question_takes_the_next_sentence_that_says_why():
    doc = document("rcac", "Figure 4-68 shows the Visual Explain of the same SQL statement, with RCAC enabled. It is "
                   "clear that the implementation is more complex because the row permission rule becomes part "
                   "of the WHERE clause. The figure was made in 2015.")
    groups = _quoted("Why does the query plan in Visual Explain look more complicated once RCAC is on?", doc)
    assert groups[0][:2] == ["Figure 4-68 shows the Visual Explain of the same SQL statement, with RCAC enabled.",
                             "It is clear that the implementation is more complex because the row permission rule "
                             "becomes part of the WHERE clause."]
    # not for a question that asks no reason
    what = _quoted("What does Figure 4-68 show of the Visual Explain with RCAC?", doc)
    assert not any("because" in text for text in what[0])


def test_a_sections_heading_is_quoted_with_the_sentence_it_heads(tmp_path):
    """A heading holds the question's words and nothing else: alone it answers nothing."""
    from chat.engine import Engine
    from index.build import IngestConfig, ingest_paths
    from index.embed import HashingEmbedder

    embedder = HashingEmbedder(256)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "spec.md").write_text(
        "# Shared database\n\n## 2.6. The namespace files\n\n"
        "Each of them is a list of lines, one mapping a URI and a local name to a type.\n\n"
        "## 2.7. The icon files\n\nThe icons files list an icon name for each type.\n", encoding="utf-8")
    ingest_paths([tmp_path / "docs"], tmp_path / "index", IngestConfig(model=embedder.name), embedder=embedder,
                 progress=False)
    result = Engine.open(tmp_path / "index", embedder=embedder).answer("What are the namespace files?")
    quote = result["citations"][0]["quote"]
    assert "The namespace files" in quote and "Each of them is a list of lines" in quote
