"""Offices read from a transcript's own words (pure functions, plain strings)."""

import pytest

from ingest.loaders.turns import parse_transcript
from ingest.offices import office_in_aside, offices_in_text, title_of


@pytest.mark.parametrize("phrase, expected", [
    ("Deputy Minister for Health and Social Services", "Deputy Minister for Health and Social Services"),
    ("the Minister for Education", "Minister for Education"),
    ("chief inspector", "chief inspector"),
    ("strategic director", "strategic director"),
    ("Her Majesty's chief inspector of education", "Her Majesty's chief inspector of education"),
    ("head teachers are under pressure", None),  # a sentence going on after a name, not a title
    ("we agree on this", None),
    ("the people of Wales who sent us here to work", None),
])
def test_a_title_is_a_short_phrase_headed_by_an_office_noun(phrase, expected):
    assert title_of(phrase) == expected


@pytest.mark.parametrize("aside, expected", [
    ("(Prime Minister)", "Prime Minister"),
    ("(The Minister of State, Foreign, Commonwealth and Development Office)", "Minister of State"),
    ("(Brampton North, Lib.)", None),  # a constituency and a party
    ("(Con)", None),
])
def test_a_headings_parentheses_give_an_office_or_nothing(aside, expected):
    assert office_in_aside(aside) == expected


def test_a_chairs_welcome_names_each_guests_office():
    text = ("Item 3 is a scrutiny session, and I'm very pleased to welcome Julie Morgan AM, Deputy Minister for "
            "Health and Social Services; Jo-anne Daniels, director of communities at Welsh Government; and Sally "
            "Jenkins, who is chair of All Wales Heads of Children's Services and is here representing the "
            "directors. Julie Morgan, head teachers have told us otherwise.")
    found = offices_in_text(text, ["Julie Morgan AM", "Jo-Anne Daniels", "Sally Jenkins", "Hefin David AM"])
    assert found == {"Julie Morgan AM": "Deputy Minister for Health and Social Services",
                     "Jo-Anne Daniels": "director of communities at Welsh Government",
                     "Sally Jenkins": "chair of All Wales Heads of Children's Services"}


def test_a_list_of_guests_stops_at_the_next_ones_name():
    found = offices_in_text("We welcome Kirsty Williams, Minister for Education and Steve Davies, director.",
                            ["Kirsty Williams AM", "Steve Davies"])
    assert found == {"Kirsty Williams AM": "Minister for Education", "Steve Davies": "director"}


def test_every_turn_of_a_person_carries_the_office_the_record_gives_them():
    text = ("# title: Committee\n\n"
            "Lynne Neagle AM: Welcome to Kirsty Williams AM, Minister for Education.\n\n"
            "Kirsty Williams AM: Thank you, Chair.\n\n"
            "Right Hon. Justin Trudeau (Prime Minister): We will act.\n\n"
            "Ms. Laurel Collins (Victoria, NDP): When?\n\n"
            "Right Hon. Justin Trudeau: Soon.\n\n"
            "Kirsty Williams AM: Schools stay open.\n")
    parsed = parse_transcript(text)
    speakers = [b.speaker for b in parsed.blocks]
    assert speakers == ["Lynne Neagle AM", "Kirsty Williams AM (Minister for Education)",
                        "Right Hon. Justin Trudeau (Prime Minister)", "Ms. Laurel Collins",
                        "Right Hon. Justin Trudeau (Prime Minister)", "Kirsty Williams AM (Minister for Education)"]
    # the heading's own words stay in the metadata, the party with them
    assert "Ms. Laurel Collins (Victoria, NDP)" in parsed.meta["speakers"]
    assert "Right Hon. Justin Trudeau (Prime Minister)" in parsed.meta["speakers"].split("; ")


def test_offices_are_found_in_one_pass_whatever_the_number_of_speakers():
    speakers = [f"Member{i} Surname{i}" for i in range(500)] + ["Julie Morgan AM"]
    text = " ".join(f"I thank Member{i} Surname{i}, who spoke well." for i in range(500))
    text += " Welcome Julie Morgan AM, Deputy Minister for Health. Member7 Surname7, head teachers disagree."
    assert offices_in_text(text, speakers) == {"Julie Morgan AM": "Deputy Minister for Health"}
