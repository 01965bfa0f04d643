import pytest

from chat.answer_type import DATE, NAME, NUMBER, PERCENT, expected_type, holds, supplies


@pytest.mark.parametrize(
    "question, kind",
    [
        ("In what year did Croatia join the EU?", DATE),
        ("When will the road be finished?", DATE),
        ("Since when has Montenegro been a member?", DATE),
        ("During which years was he the High Representative?", DATE),
        ("In which years did the minister visit Kosovo?", DATE),
        ("For what months was the border closed?", DATE),
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


# --- the answer slot: the value must stand next to what the question asks about -------------------------
from chat.answer_type import EMAIL, MEASURE, MONEY, PLACE, answer_slot, fills  # noqa: E402


def test_how_many_wants_a_number_counting_its_noun():
    q = "How many Bayraktar drones did Kosovo buy?"
    slot = answer_slot(q)
    assert slot.kind == NUMBER
    assert fills("Kosovo bought 12 Bayraktar drones last year.", slot, q)
    assert fills("Nine different built-in global variables exist.", answer_slot(
        "How many built-in global variables are there?"), "How many built-in global variables are there?")
    # a number in the sentence, but it is money and stands far from the drones
    assert not fills("The government spent $72 million on American Javelin rockets and launchers, and Turkish "
                     "Bayraktar drones.", slot, q)
    # a model name's digits and a year count nothing
    assert not fills("In 2024 Serbia acquired the CH-92A and CH-95 drone.", answer_slot(
        "How many drones has Serbia acquired?"), "How many drones has Serbia acquired?")


def test_a_count_of_something_else_next_to_the_question_words_fills_the_slot():
    q = "How many British troops serve in KFOR?"
    assert fills("The United Kingdom only has 47 personnel deployed to KFOR.", answer_slot(q), q)
    assert not fills("The United Kingdom has one of the largest armies in Europe.", answer_slot(q), q)


def test_a_count_of_people_may_use_any_noun():
    q = "How many people were killed in the attack?"
    assert fills("The attack resulted in three deaths.", answer_slot(q), q)
    assert not fills("Nearly half the people born there now live abroad.", answer_slot(
        "How many people live in Ruritania?"), "How many people live in Ruritania?")


def test_how_many_inside_another_question_sets_no_slot():
    assert answer_slot("Why is it difficult to know how many weapons Bosnia exports?") is None
    assert answer_slot("Roughly how many data breaches have there been?").kind == NUMBER


def test_how_much_did_x_pay_wants_money_beside_the_payment():
    q = "How much did Regulus pay for its stake in Pretis?"
    slot = answer_slot(q)
    assert slot.kind == MONEY
    assert fills("Regulus paid $20 million for its stake.", slot, q)
    assert fills("It bought the stake for €5m in 2019.", slot, q)
    assert not fills("Regulus has taken a large stake in the largest munitions manufacturer in the country, Pretis, "
                     "and has offered $100 million to modernize the firm's production.", slot, q)
    assert not fills("Regulus paid for its stake with shares.", slot, q)


def test_who_is_the_role_wants_a_name_beside_the_role():
    q = "Who is the President of Kosovo?"
    slot = answer_slot(q)
    assert slot.kind == NAME
    assert fills("The President of Kosovo, Vjosa Osmani, spoke first.", slot, q)
    assert fills("Kosovo's President Vjosa Osmani spoke first.", slot, q)
    # a name beside the role, but the role of another country
    assert not fills("The attack had ties to the government of Serbian President Aleksandar Vucic.", slot, q)
    # a name, but not beside the role
    assert not fills("The Prime Minister, Albin Kurti, said on Tuesday that he would meet the President.", slot, q)


def test_words_of_the_question_between_role_and_name_do_not_count_as_distance():
    q = "Who is the president of the Canadian Federation of Agriculture?"
    assert fills("The president of the Canadian Federation of Agriculture, Mary Robinson, said so.",
                 answer_slot(q), q)


def test_who_did_something_wants_a_new_name_beside_the_deed():
    q = "Who founded Wang Laboratories?"
    assert fills("Wang Laboratories was founded by Harold Koplow in 1951.", answer_slot(q), q)
    assert not fills("Wang Laboratories : In the 1970s, Wang introduced dedicated word processing machines.",
                     answer_slot(q), q)
    assert answer_slot("Who said the brokerage rides two horses?") is None  # a speaker answers it


def test_which_city_wants_a_place():
    q = "In which city was the summit held?"
    assert answer_slot(q).kind == PLACE
    assert fills("The summit was held in London.", answer_slot(q), q)
    assert not fills("Britain hosted the summit in 2018.", answer_slot(q), q)
    assert not fills("Ministers from Albania came to the summit.", answer_slot(q), q), "a country is no city"
    s = "In which city did the UK and Serbia meet?"
    assert fills("They met in Belgrade.", answer_slot(s), s) and not fills("They met in Serbia.", answer_slot(s), s)
    r = "In which region did the talks take place?"
    assert fills("The talks took place in Kosovo.", answer_slot(r), r)
    c = "Which country hosted the summit?"
    assert fills("France hosted it.", answer_slot(c), c) or fills("It was hosted by France.", answer_slot(c), c)
    assert not fills("The summit was hosted by the Foreign Office.", answer_slot(c), c)


def test_an_email_address_is_an_email_address():
    q = "What is Jim Bainbridge's email address?"
    assert expected_type(q) == EMAIL and answer_slot(q).kind == EMAIL
    assert not holds("Jim Bainbridge is a senior DB2 consultant.", EMAIL, q)
    assert fills("Hernando can be contacted at hbedoya@us.ibm.com .", answer_slot(q), q)


def test_a_measurement_needs_a_unit_of_what_is_measured():
    q = "What torque should be used when installing the nut?"
    slot = answer_slot(q)
    assert slot.kind == MEASURE and slot.quantity == "torque"
    assert fills("Tighten it to 30 inch-pounds.", slot, q) and fills("Use 12 N·m.", slot, q)
    assert not fills("See Figure 7-27 for the nut.", slot, q)
    t = "Above what temperature does the collar stop working?"
    assert fills("The collar fails above 250 °F.", answer_slot(t), t)
    assert not fills("The collar fails above 250 in-lb.", answer_slot(t), t)
    # a text's length is counted in characters (or bytes, words, pages)
    n = "What length limit applies to the user profile names?"
    assert fills("Each of these values must be 1 - 10 characters in length.", answer_slot(n), n)
    assert not fills("Profile names are checked when the function runs.", answer_slot(n), n)
    # "speed up" is a verb, not a quantity asked for
    assert answer_slot("How much does OTSL speed up inference compared with HTML?") is None


def test_a_named_score_wants_a_number_beside_it():
    q = "What TED score did the model achieve on FinTabNet?"
    assert fills("The model reached a TED score of 0.95 on FinTabNet.", answer_slot(q), q)
    assert not fills("The model keeps high TEDs and mAP scores even on FinTabNet.", answer_slot(q), q)


def test_questions_that_name_no_slot_accept_any_sentence():
    for q in ("What does the report say about Serbia?", "Why is Kosovo not in NATO?",
              "What share of the loans went to Serbia?"):
        assert answer_slot(q) is None
        assert fills("Anything at all.", answer_slot(q), q)


def test_who_did_it_is_answered_by_the_agent_named_or_not():
    q = "Who built the oldest bridge?"
    assert fills("The oldest bridge was built in 1820 by local masons.", answer_slot(q), q)
    assert not fills("The oldest bridge was built in 1820.", answer_slot(q), q)
    # an agent the question already names answers nothing
    w = "Who founded Wang Laboratories?"
    assert not fills("The machines were made by Wang Laboratories.", answer_slot(w), w)


def test_a_sentence_in_the_first_person_speaks_for_its_speaker():
    from chat.answer_type import speaks_for_itself

    assert speaks_for_itself("I add my own tribute to my noble friend Lord Robertson.")
    assert speaks_for_itself("We convened more than 50 countries.")
    assert not speaks_for_itself("The US sent engineers to study the levy.")


def test_who_did_it_in_the_active_voice_is_the_word_before_the_verb():
    q = "Who funds the repairs?"
    assert fills("The council funds repairs from a maintenance levy.", answer_slot(q), q)
    d = "Who developed WordStar?"
    assert not fills("WordStar (1978) : Developed for early home computers, it sold well.", answer_slot(d), d)


def test_a_following_sentence_supplies_the_value_only_where_it_fills_the_questions_slot():
    q = "How many potato farmers are there in New Brunswick?"
    assert not supplies("It's estimated that there is $300 million worth of potatoes in storage.", NUMBER, q)
    assert supplies("They number about 250 farmers today.", NUMBER, q)
    assert supplies("He was there from 2002 to 2006.", DATE, "During which years was he in charge?")
    assert not supplies("He was there for a long time.", DATE, "During which years was he in charge?")
    assert not supplies("He met Alice Smith.", NAME, "Who did he meet?"), "any capitalised word is no name"


def test_a_reason_is_given_by_a_causal_sentence_to_a_why_question():
    from chat.answer_type import gives_reason

    because = "The plan is more complex because the rule becomes part of the WHERE clause."
    assert gives_reason(because, "Why does the plan look more complicated?")
    assert gives_reason(because, "For what reason does the plan change?")
    assert not gives_reason(because, "What does the plan show?")
    assert not gives_reason("The plan is more complex.", "Why does the plan look more complicated?")



@pytest.mark.parametrize("question, term", [
    ("How does the paper define a column mask?", "column mask"),
    ("What is meant by conditionality in the report?", "conditionality"),
    ("What is a sinking fund?", "sinking fund"),
    ("What does the term 'responsibility to protect' mean?", "responsibility to protect"),
    ("Give the definition of hate speech.", "hate speech"),
    ("What is the unemployment rate?", None),  # a value, not a meaning
    ("Why was the bridge closed?", None),
])
def test_a_question_asking_what_a_term_means(question, term):
    from chat.answer_type import defined_term

    assert defined_term(question) == term


def test_a_sentence_that_defines_the_term_not_one_that_names_it():
    from chat.answer_type import defines

    assert defines("A column mask is a database object that manifests an access rule.", "column mask")
    assert defines("The convention defines a refugee as a person who has fled.", "refugee")
    assert defines("A sinking fund (SF) is an account set aside to repay debt.", "sinking fund")
    assert not defines("Protect columns by defining column masks", "column mask")
    assert not defines("Each column mask is checked when the table is read.", "column mask")
    assert not defines("A column mask is a database object.", None)
