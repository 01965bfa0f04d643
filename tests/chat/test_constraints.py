"""What a question pins its answer to, checked on plain strings."""

from __future__ import annotations

from chat.constraints import facts_of, missing_constraints, numbers_in, question_constraints, years_in
from chat.scoring import missing_share


def keys(question: str) -> list[tuple[str, str]]:
    return [(c.kind, c.key) for c in question_constraints(question)]


def test_countries_by_any_name_and_names_and_numbers():
    assert keys("How many troops does Turkey contribute to KFOR?") == [("country", "Turkey"), ("name", "kfor")]
    assert keys("What weapons has Kosovo bought from the United States?") == [
        ("country", "Kosovo"), ("country", "United States")]
    assert keys("What was Serbia's GDP growth rate in 2024?") == [
        ("country", "Serbia"), ("name", "gdp"), ("number", "2024")]


def test_grammar_capitals_are_not_constraints():
    # the first word, the pronoun I and a capital after a colon are capitalised by grammar
    assert keys("What did the committee decide?") == []
    assert keys("Can I see what was agreed? Where was it signed?") == []
    assert keys("One question: When was the bridge built?") == []


def test_a_demonym_keeps_to_its_country():
    (c,) = question_constraints("Which American company offered help?")
    assert not missing_constraints([c], "The United States firm made an offer.")
    assert missing_constraints([c], "A French firm made an offer.") == [c]


def test_numbers_and_decades():
    assert numbers_in("It cost 2,000 pounds in 1994 and 3.5 more") >= {"2000", "1994", "3.5"}
    decade = [c for c in question_constraints("Who fled in the 1990s?") if c.kind == "number"]
    assert not missing_constraints(decade, "Thousands fled in 1992.")
    assert missing_constraints(decade, "Thousands fled in 2002.") == decade


def test_names_match_by_stem():
    cons = question_constraints("What did Lord Robertson say about the Western Balkans?")
    assert [c.key for c in cons] == ["robertson", "western", "balkan"]
    assert not missing_constraints(cons, "Robertson warned that trouble in the western Balkans spreads.")
    assert [c.key for c in missing_constraints(cons, "He warned that trouble spreads.")] == [
        "robertson", "western", "balkan"]


def test_missing_share_counts_the_passage_at_a_quarter():
    cons = question_constraints("How many troops does Turkey send?")
    def share(sentence: str, passage: str) -> float:
        return missing_share(cons, facts_of(sentence), facts_of(passage))[0]

    assert share("Turkey sends 300 troops.", "Turkey sends 300 troops.") == 0.0
    assert share("It sends 300 troops.", "Turkey is an ally. It sends 300 troops.") == 0.25
    assert share("Hungary sends 365 troops.", "Hungary sends 365 troops.") == 1.0
    assert missing_share((), facts_of("anything"), facts_of("anything")) == (0.0, [])
    assert [c.text for c in missing_share(cons, facts_of("Hungary sends 365."), facts_of("Hungary sends 365."))[1]] \
        == ["Turkey"]


def test_a_sentence_in_another_year_misses_the_year_asked_about_whatever_its_passage_holds():
    cons = question_constraints("How many complaints did the office count in 2021?")
    passage = "In 2015, the office counted 1739 complaints. In 2021 it moved to a new building."

    def share(sentence: str) -> float:
        return missing_share(cons, facts_of(sentence), facts_of(passage))[0]

    assert share("In 2015, the office counted 1739 complaints.") == 1.0  # says 2015: not an answer for 2021
    assert share("The office counted 1739 complaints.") == 0.25  # says no year: the passage may set it
    assert share("From 2019 to 2023, the office counted 1739 complaints.") == 0.25  # a period holding 2021
    assert share("In 2021, the office counted 666 complaints.") == 0.0
    assert missing_share(cons, facts_of("In 2015, it counted 1739."), facts_of(passage))[1] == []  # not "absent"
    assert years_in("It sent 2000 troops in 2019, and 1,200 more in the 1990s.") == {2019, 1990, 1999}


def test_a_name_run_together_is_held_by_its_parts():
    (c,) = question_constraints("What did JustinTrudeau say?")
    assert not missing_constraints([c], "Right Hon. Justin Trudeau: We will help.")
    assert not missing_constraints([c], "JustinTrudeau: We will help.")
    assert missing_constraints([c], "Justin Bieber: We will help.") == [c]


def test_an_acronyms_plural_is_held_by_its_singular_and_its_plural():
    ids, mps = question_constraints("Who sees the tax IDs that MPs asked for?")
    assert (ids.key, mps.key) == ("id", "mp")
    assert not missing_constraints([ids, mps], "Only the MP sees the unmasked TAX_ID column.")
    assert not missing_constraints([ids, mps], "Several MPs asked for their IDs.")
    assert missing_constraints([ids, mps], "Nobody sees the tax number.") == [ids, mps]


def test_a_date_written_as_one_dotted_number_holds_its_day_month_and_year():
    # "2020.3.30." (Korean, Japanese, Chinese reports), "30.03.2020" (German and others)
    assert numbers_in("2020.3.30. 0시 기준") >= {"2020", "3", "30"}
    assert numbers_in("Stand 30.03.2020") >= {"30", "3", "2020"}
    asked = question_constraints("2020년 3월 30일 기준 국내 확진자는 몇 명이었나?")
    assert [c.key for c in asked] == ["2020", "3", "30"]
    assert missing_constraints(asked, "2020.3.30. 0시 기준 현재 국내 확 진자는 9,661명") == []
    assert missing_constraints(question_constraints("What happened on 2020-03-30?"), "Am 30.03.2020 ...") == []
    assert "5" not in numbers_in("a rate of 3.5 per cent")  # a decimal is not a date
