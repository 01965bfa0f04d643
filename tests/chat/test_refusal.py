"""The refusal decision: several checks on what would be quoted, the fitted model, and the reason shown."""

from __future__ import annotations

import json

from answer_kit import document, evidence

from chat.answer import compose_answer
from chat.constraints import facts_of, question_constraints
from chat.refusal import FEATURES, MODEL_PATH, NO_MODEL, Signals, decide, load_model, same_script

NEAR_MISS = Signals(0.45, 0.5, 1.0, 1.0, 0.6, 0.95, wanted="number", absent=("Turkey",))
STRONG = Signals(0.8, 0.0, 0.0, 0.0, 0.1, 0.6, wanted="number")


def test_the_shipped_model_has_a_weight_for_every_signal_and_sane_cuts():
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert set(data["weights"]) == set(FEATURES)
    model = load_model()
    assert model is not NO_MODEL
    assert 0.0 < model.threshold < 1.0 and 0.0 < model.refuse_below <= 0.3
    # weaker evidence and failed checks push towards refusing, never away from it
    w = dict(zip(FEATURES, model.weights, strict=True))
    assert w["strength"] < 0 and w["missing"] > 0 and w["absent_constraint"] > 0 and w["type_absent"] > 0


def test_a_near_miss_is_refused_and_the_reason_names_the_failed_checks():
    d = decide(NEAR_MISS)
    assert d.refuse
    assert "“Turkey”" in d.reason and "number" in d.reason


def test_a_strong_answer_that_keeps_to_the_question_is_not_refused():
    assert not decide(STRONG).refuse


def test_one_failed_check_alone_does_not_refuse_strong_evidence():
    only_type = Signals(0.8, 0.0, 0.0, 1.0, 0.1, 0.6, wanted="date")
    only_name = Signals(0.8, 0.25, 1.0, 0.0, 0.1, 0.6, absent=("Powys",))
    assert not decide(only_type).refuse and not decide(only_name).refuse


def test_weak_evidence_and_missing_constraints_are_refused_without_the_model():
    weak = Signals(0.1, 0.0, 0.0, 0.0, 0.0, 0.0)
    off = Signals(0.9, 1.0, 1.0, 0.0, 0.0, 0.0, absent=("Croatia",))
    assert decide(weak, model=NO_MODEL).refuse
    d = decide(off, model=NO_MODEL)
    assert d.refuse and "“Croatia”" in d.reason
    assert not decide(STRONG, model=NO_MODEL).refuse and not decide(NEAR_MISS, model=NO_MODEL).refuse


def test_words_are_compared_only_within_one_script():
    assert same_script("What did the brief say?", "The brief says so.")
    assert not same_script("What did the brief say?", "금융감독당국 의 책임이 크다고 할 수 있다")
    assert same_script("확진자는 몇 명인가?", "국내 확진자는 9,661명")


def troops() -> list:
    return [document("kfor", """
## Peacekeeping

At present, the United Kingdom only has 47 personnel deployed to KFOR, against Hungary's 365. The force keeps the peace in the north.

The mission was set up in 1999 and reports to NATO.
""")]


def test_a_question_next_to_what_the_documents_say_is_refused_with_the_closest_passages():
    asked = compose_answer(evidence("How many personnel does Hungary have deployed to KFOR?", troops()))
    other = compose_answer(evidence("How many troops does Turkey contribute to KFOR?", troops()))
    assert not asked["abstained"] and "365" in asked["answer"]
    assert other["abstained"] and other["citations"] == []
    assert other["refusal"]  # says why
    assert other["evidence_signals"]["absent"] == ["Turkey"] and other["evidence_signals"]["absent_constraint"] == 1.0
    assert other["passages"]  # the closest passages are still listed, as not an answer


def test_an_identifier_joined_by_underscores_holds_its_parts():
    (tax_id,) = [c for c in question_constraints("What does a manager see of another employee's tax ID?")
                 if c.text == "ID"]
    assert facts_of("Managers see a masked version of TAX_ID.").missing([tax_id]) == []
    assert facts_of("Managers see a masked version of the salary.").missing([tax_id]) == [tax_id]


def test_a_continent_adjective_is_not_a_constraint_but_a_country_is():
    texts = [c.text for c in question_constraints("Which European states buy the most Russian weapons?")]
    assert "European" not in texts and "Russian" in texts


def test_an_unfilled_answer_slot_pushes_towards_refusing():
    w = dict(zip(FEATURES, load_model().weights, strict=True))
    assert w["unfilled"] > 0
    filled = Signals(0.7, 0.0, 0.0, 0.0, 0.3, 0.85, 0.0, wanted="number")
    unfilled = Signals(0.7, 0.0, 0.0, 0.0, 0.3, 0.85, 1.0, wanted="number")
    assert not decide(filled).refuse
    d = decide(unfilled)
    assert d.refuse and "do not give what the question asks for" in d.reason


def test_a_model_fitted_before_a_signal_existed_gives_it_no_weight():
    from chat.refusal import RefusalModel

    old = RefusalModel.from_dict({"weights": {f: 1.0 for f in FEATURES if f != "unfilled"}, "bias": 0.0,
                                  "threshold": 0.5})
    assert dict(zip(FEATURES, old.weights, strict=True))["unfilled"] == 0.0


def test_the_kind_asked_for_counts_only_from_the_passage_quoted_first():
    """"In what year ...": a year quoted from another passage, about something else, does not answer it;
    one in the passage of the first quote does."""
    from chat.refusal import signals_of
    from chat.scoring import score_sentences

    docs = [document("report", "Britain should push for Kosovo's inclusion into the Council of Europe. "
                               "Kosovo applied to join in 2022."),
            document("debate", "In 2003, I visited Athens with colleagues from the committee.")]
    ev = evidence("In what year did Kosovo apply to join the Council of Europe?", docs)
    by_text = {c.text: c for c in score_sentences(ev)}
    push, applied = by_text["Britain should push for Kosovo's inclusion into the Council of Europe."], by_text[
        "Kosovo applied to join in 2022."]
    athens = by_text["In 2003, I visited Athens with colleagues from the committee."]
    candidates = list(by_text.values())
    assert signals_of(ev, candidates, [push, athens]).type_absent == 1.0
    assert signals_of(ev, candidates, [push, applied]).type_absent == 0.0
    assert signals_of(ev, candidates, [athens, push]).type_absent == 0.0
