"""Whether to answer at all: several checks on what would be quoted, one explainable decision (pure).

A question the documents do not answer is usually *next to* something they
say: "How many troops does Turkey contribute to KFOR?" finds "the United
Kingdom only has 47 personnel deployed to KFOR, against Hungary's 365" - on
topic, similar in meaning, with a number in it, and no answer. No single
similarity score separates the two (bench/RESULTS.md), so the decision looks
at what the quoted sentences hold:

* ``strength`` - the best sentence's evidence score (``chat.scoring``);
* ``missing`` - the share of the question's constraints (countries, names,
  numbers) the best sentence does not keep to;
* ``absent_constraint`` - a constraint that the best sentence's whole passage
  lacks, and so do the passages of the other quoted sentences ("Turkey"
  above);
* ``type_absent`` - the question wants a kind of answer with a form of its
  own (a number for "how many", a date for "when", an amount for "how much")
  that no quoted sentence holds;
* ``uncovered`` - the share of the question's IDF mass (rare words weigh
  most) that the quoted sentences and their frame do not contain;
* ``unfilled`` - the question names the slot its answer fills (``chat.answer_type.answer_slot``: a
  number counting the noun of "how many drones", an amount beside "pay", a name beside the role of
  "who is the president of ...", a place, an email, a measurement in the unit asked for) and no quoted
  sentence fills it with a value the question does not already hold;
* ``flat`` - how little the best sentence stands out from the next one
  (1 - margin, the margin clipped to [0, 1]): a real answer usually beats
  its neighbours clearly, a near miss is one of many similar sentences.

Two hard cuts stay - evidence too weak to quote (``refuse_below``, fitted with
the model) and most constraints missing (``AnswerConfig.refuse_missing``) -
and a logistic model of the signals refuses the near misses between them. Its
few weights live in ``refusal_model.json`` beside this module, fitted by
``python -m bench.refusal_fit`` on the dev splits of three kinds of corpus
together (the shipped reports and speeches, committee hearings, real report
PDFs) - never on their hold-out splits. Every refusal says which checks
failed.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from chat.answer_type import (
    DATE,
    DAY,
    EMAIL,
    MONEY,
    NAME,
    NUMBER,
    PERCENT,
    PHONE,
    URL,
    answer_slot,
    expected_type,
    fills,
    holds,
    speaks_for_itself,
    without_urls,
)
from chat.evidence import Evidence
from chat.scoring import DEFAULT_CONFIG, AnswerConfig, Candidate, question_terms
from chat.terms import stems

MODEL_PATH = Path(__file__).with_name("refusal_model.json")
FEATURES = ("strength", "missing", "absent_constraint", "type_absent", "uncovered", "flat", "unfilled")

_TYPE_WORDS = {NUMBER: "a number", PERCENT: "a percentage", DATE: "a date", DAY: "a date", MONEY: "an amount",
               NAME: "a name", EMAIL: "an email address", URL: "a web address", PHONE: "a phone number"}


@dataclass(frozen=True, slots=True)
class Signals:
    """What the refusal decision reads about one answer; each in [0, 1]."""

    strength: float
    missing: float
    absent_constraint: float  # 1 when a constraint is missing from the best sentence's whole passage
    type_absent: float  # 1 when the wanted kind of answer is in no quoted sentence
    uncovered: float  # IDF share of question words not in the quoted sentences (with their frame)
    flat: float  # 1 - (best score - next score), clipped
    unfilled: float = 0.0  # 1 when the question's answer slot is filled in no quoted sentence
    wanted: str | None = None
    absent: tuple[str, ...] = ()  # the constraints the passage lacks, as the question writes them

    def vector(self) -> list[float]:
        return [float(getattr(self, f)) for f in FEATURES]

    def as_dict(self) -> dict:
        d = asdict(self)
        d["absent"] = list(self.absent)
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in d.items()}


@dataclass(frozen=True, slots=True)
class RefusalModel:
    """A logistic model over ``FEATURES``: refuse when the probability reaches ``threshold``.

    ``refuse_below`` is the weak-evidence cut fitted with it (strength below it is refused
    whatever the rest says); ``None`` leaves that cut to ``AnswerConfig.abstain_below``.
    """

    weights: tuple[float, ...]
    bias: float
    threshold: float
    refuse_below: float | None = None

    def probability(self, signals: Signals) -> float:
        z = self.bias + sum(w * x for w, x in zip(self.weights, signals.vector(), strict=True))
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    def contributions(self, signals: Signals) -> dict[str, float]:
        return {f: w * x for f, w, x in zip(FEATURES, self.weights, signals.vector(), strict=True)}

    @classmethod
    def from_dict(cls, data: dict) -> RefusalModel:
        weights = data["weights"]
        below = data.get("refuse_below")
        # a model fitted before a feature existed gives it no weight
        return cls(tuple(float(weights.get(f, 0.0)) for f in FEATURES), float(data["bias"]), float(data["threshold"]),
                   None if below is None else float(below))


# Never refuses: what the decision falls back to when no fitted model is available.
NO_MODEL = RefusalModel(tuple(0.0 for _ in FEATURES), -50.0, 1.0)


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> RefusalModel:
    """The fitted model (read once; an immutable value)."""
    try:
        return RefusalModel.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError):
        return NO_MODEL


def signals_of(evidence: Evidence, candidates: list[Candidate], quoted: list[Candidate]) -> Signals:
    """The signals for an answer whose best sentences are ``candidates`` (best first) and that would quote
    ``quoted``."""
    if not candidates:
        return Signals(0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)
    best = candidates[0]
    quoted = quoted or [best]
    wanted = expected_type(evidence.question)
    # a "who" is often answered without a capitalised name ("built by local masons"): only the kinds with
    # a surface form of their own (numbers, dates, amounts) count as absent
    # ... and only a sentence quoted from the passage of the best one supplies it: a year quoted from another
    # passage, about something else, does not say when the thing asked about happened
    type_absent = wanted not in (None, NAME) and not any(
        c.hit_index == quoted[0].hit_index and holds(c.text, wanted, evidence.question) for c in quoted)
    terms = question_terms(evidence)
    found: set[str] = set()
    for c in quoted:
        p = evidence.hits[c.hit_index].passage
        found |= c.stems | stems(" ".join(filter(None, (p.section, c.sentence.speaker or p.speaker))))
    covered = terms.coverage(found) if terms.stems else 1.0
    strengths = sorted((c.strength for c in candidates), reverse=True)
    margin = strengths[0] - strengths[1] if len(strengths) > 1 else strengths[0]
    # words are compared only within one script: an English question about a Korean report
    # finds none of its words in the quote, and that says nothing about the answer
    lexical = same_script(evidence.question, " ".join(c.text for c in quoted))
    # a constraint is absent when no quoted passage holds it ("Serbia and Kosovo": two passages)
    absent = tuple(a for a in best.absent if all(a in c.absent for c in quoted if c is not best))
    slot = answer_slot(evidence.question)
    unfilled = slot is not None and lexical and not any(
        fills(c.text, slot, evidence.question) or fills(_notes_of(evidence, c), slot, evidence.question)
        # a speaker who says "I ..." is the name a "who" question asks for
        or (slot.kind == NAME and bool(c.sentence.speaker or evidence.hits[c.hit_index].passage.speaker)
            and speaks_for_itself(c.text))
        for c in quoted)
    return Signals(
        strength=max(strengths[0], 0.0),
        missing=best.missing if lexical else 0.0,
        absent_constraint=1.0 if absent and lexical else 0.0,
        type_absent=1.0 if type_absent else 0.0,
        uncovered=min(max(1.0 - covered, 0.0), 1.0) if lexical else 0.0,
        flat=1.0 - min(max(margin, 0.0), 1.0),
        unfilled=1.0 if unfilled else 0.0,
        wanted=wanted,
        absent=absent if lexical else (),
    )


def _notes_of(evidence: Evidence, c: Candidate) -> str:
    """The prose of the report's own footnotes on a quoted sentence, which the answer shows with it ("This ban
    was engineered by ...")."""
    doc = evidence.documents.get(evidence.hits[c.hit_index].passage.doc_id)
    if doc is None:
        return ""
    return without_urls(" ".join(doc.footnotes.get(n, "") for n in c.sentence.footnotes))


def latin_share(text: str) -> float:
    """Share of the letters of ``text`` that are Latin (1.0 for a text without letters)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 1.0
    return sum(ch < "\u0250" for ch in letters) / len(letters)


def same_script(a: str, b: str) -> bool:
    """Whether two texts are mostly written in the same script (Latin or not)."""
    return (latin_share(a) >= 0.5) == (latin_share(b) >= 0.5)


@dataclass(frozen=True, slots=True)
class Decision:
    refuse: bool
    reason: str | None
    probability: float


def decide(signals: Signals, config: AnswerConfig = DEFAULT_CONFIG, model: RefusalModel | None = None) -> Decision:
    """Refuse or answer, and why (``reason`` in words a reader can act on)."""
    model = load_model() if model is None else model
    p = model.probability(signals)
    if signals.missing >= config.refuse_missing and signals.absent:
        return Decision(True, f"The closest passages do not mention {_names(signals.absent)}.", p)
    weak = config.abstain_below if model.refuse_below is None else model.refuse_below
    if signals.strength < weak or signals.missing >= config.refuse_missing:
        return Decision(True, "No passage answers the question closely enough to quote.", p)
    if p >= model.threshold:
        return Decision(True, _near_miss(signals, model), p)
    return Decision(False, None, p)


def _names(absent: tuple[str, ...]) -> str:
    return ", ".join(f"“{a}”" for a in dict.fromkeys(absent))


def _near_miss(signals: Signals, model: RefusalModel) -> str:
    """The failed checks behind a model refusal, the weightiest first."""
    why: list[tuple[float, str]] = []
    parts = model.contributions(signals)
    if signals.absent:
        why.append((parts["absent_constraint"] + parts["missing"], f"do not mention {_names(signals.absent)}"))
    if signals.type_absent:
        what = _TYPE_WORDS.get(signals.wanted or "", "the kind of answer asked for")
        why.append((parts["type_absent"], f"give no {what.split(' ', 1)[1]}, which the question asks for"))
    if signals.unfilled and not signals.type_absent:
        why.append((parts["unfilled"], "do not give what the question asks for"))
    if signals.uncovered >= 0.5:
        why.append((parts["uncovered"], "lack most of the question's specific words"))
    why = [w for w in why if w[0] > 0]
    if not why:
        return "The closest passages are about the topic but do not answer this question."
    why.sort(key=lambda w: -w[0])
    return "The closest passages are about the topic but " + " and ".join(t for _, t in why) + "."
