import pytest

from chat.answer_type import DATE, NAME, NUMBER, PERCENT, expected_type, holds


@pytest.mark.parametrize(
    "question, kind",
    [
        ("In what year did Croatia join the EU?", DATE),
        ("When will the road be finished?", DATE),
        ("Since when has Montenegro been a member?", DATE),
        ("How many troops does Turkey send?", NUMBER),
        ("How much has the sector grown?", NUMBER),
        ("What is the unemployment rate in Spain?", PERCENT),
        ("What percentage of loans went to Serbia?", PERCENT),
        ("What interest rate does the government pay?", PERCENT),
        ("What is the population of Albania?", NUMBER),
        ("Who is the special envoy?", NAME),
        ("What does the report say about Serbia?", None),
        ("Why is Kosovo not in NATO?", None),
    ],
)
def test_question_words_set_the_expected_answer(question, kind):
    assert expected_type(question) == kind


def test_a_topical_sentence_without_a_year_does_not_answer_when():
    assert not holds("Croatia and Slovenia have joined the European Union.", DATE)
    assert holds("Croatia joined the European Union in 2013.", DATE)


def test_numbers_in_digits_words_and_percentages_count():
    assert holds("It has risen by a whopping 400% over the past decade.", NUMBER)
    assert holds("Three people died.", NUMBER)
    assert not holds("The troops provide deterrence.", NUMBER)


def test_a_name_must_be_new_to_the_question():
    q = "Who is the Prime Minister of Albania?"
    assert not holds("The Prime Minister of Albania spoke.", NAME, q)
    assert holds("The envoy is currently Dame Karen Pierce.", NAME, "Who is the envoy?")


def test_no_expectation_accepts_any_sentence():
    assert holds("Anything at all.", None)


def test_a_rate_needs_a_percentage_not_any_number():
    assert not holds("The government took a loan of almost $1 billion in 2014.", PERCENT)
    assert holds("Serbia received around 90 percent of the total loans.", PERCENT)


def test_digits_of_a_url_are_not_an_answer():
    from chat.answer_type import without_urls

    note = "https://www.example.org/2024/05/29/report-00160479"
    assert not holds(without_urls(f"Albania proposed measures. {note}"), NUMBER)


def test_a_date_is_a_date_not_any_preposition():
    assert not holds("The country is ruled by decree since the war ended.", DATE)
    assert holds("They met last week.", DATE)
    assert holds("The talks were held on Monday.", DATE)


def test_on_what_date_wants_a_day_of_a_month():
    from chat.answer_type import DAY

    assert expected_type("On what date did the ministers meet?") == DAY
    assert not holds("The ministers met on Monday in London.", DAY)
    assert not holds("The ministers met in 2022.", DAY)
    assert holds("The ministers met on 5 December 2022.", DAY)
    assert holds("The ministers met on December 5.", DAY)


def test_how_much_did_it_cost_wants_money():
    from chat.answer_type import MONEY

    assert expected_type("How much did Kosovo pay for its drones?") == MONEY
    assert expected_type("How much has the sector grown?") == NUMBER
    assert not holds("Kosovo bought three drones.", MONEY)
    assert holds("Kosovo paid $72 million for the rockets.", MONEY)
    assert holds("The loan was worth almost 1 billion euros.", MONEY)


def test_the_questions_own_numbers_are_not_the_answer():
    q = "How many refugees fled Bosnia during the war in the 1990s?"
    assert not holds("Since the late 1990s the accords have held back democracy.", NUMBER, q)
    assert holds("In the 1990s two million people fled Bosnia.", NUMBER, q)
    assert not holds("The summit of 2018 was a success.", DATE, "When was the 2018 summit's plan adopted?")


def test_a_time_of_day_or_a_recurrence_answers_when():
    assert expected_type("When does the harbour ferry leave?") == DATE
    assert holds("The ferry leaves at dawn every weekday.", DATE)
    assert holds("The office opens at 9.30 and shuts at 5 pm.", DATE)
    assert not holds("The ferry leaves from the quay.", DATE)
