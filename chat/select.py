"""Which scored sentences to quote: the best, close seconds that say something new, and the context each needs."""

from __future__ import annotations

import numpy as np

from chat.answer_type import NAME, expected_type, gives_reason, holds, supplies
from chat.constraints import facts_of, question_constraints
from chat.evidence import Evidence
from chat.scoring import (
    DEFAULT_CONFIG,
    AnswerConfig,
    Candidate,
    QuestionTerms,
    is_closed,
    question_terms,
    same_paragraph,
    sentences_of,
)
from chat.terms import BACK_REFERENCES, leans_back, words
from ingest.records import Passage


def select_sentences(
    evidence: Evidence, candidates: list[Candidate], config: AnswerConfig = DEFAULT_CONFIG
) -> list[list[Candidate]]:
    """Groups of sentences to quote, best first; a group is an anchor sentence and its context.

    The best sentence always leads. A further anchor joins only if it scores
    within ``relative_margin`` of the best, is itself strong enough not to
    abstain on, and is not a near-duplicate of one already chosen. At most
    ``max_quotes`` sentences in all, context included.
    """
    if not candidates:
        return []
    terms = question_terms(evidence)
    by_position = {(c.hit_index, c.index): c for c in candidates}
    best = candidates[0].score
    chosen: list[Candidate] = []
    groups: list[list[Candidate]] = []
    for c in candidates:
        if len(chosen) >= config.max_quotes:
            break
        if chosen and c.score < best - abs(best) * config.relative_margin:
            break  # sorted: nothing after this one is close enough either
        taken = {(x.hit_index, x.index) for x in chosen}
        if chosen and c.strength < config.abstain_below:
            continue
        if (c.hit_index, c.index) in taken or any(_near_duplicate(c, x, evidence, config) for x in chosen):
            continue
        n = len(sentences_of(evidence.hits[c.hit_index]))
        context = [
            by_position[(c.hit_index, i)]
            for i in neighbours(c, evidence.hits[c.hit_index].passage, by_position, n, terms, config)
            if (c.hit_index, i) not in taken
        ]
        group = [c, *context, *_introduced(evidence, c, by_position, taken)]
        room = config.max_quotes - len(chosen)
        if len(group) > room:
            if chosen:
                continue
            group = group[:room]
        # what the next sentences say of it ("Otherwise, ...", "The two sections ...") rounds the quote off
        group += continuation(group, evidence.hits[c.hit_index].passage, by_position, n, taken,
                              terms, evidence.question)[: room - len(group)]
        chosen.extend(group)
        groups.append(group)
    return groups


def neighbours(
    c: Candidate,
    passage: Passage,
    by_position: dict[tuple[int, int], Candidate],
    n_sentences: int,
    terms: QuestionTerms,
    config: AnswerConfig,
) -> list[int]:
    """Positions of the adjacent sentences quoted with ``c``, so that the quote reads on its own.

    The sentence before, when ``c`` opens by pointing back ("This is why
    ...", "However, ..."); the one after, when ``c`` introduces it ("...
    three principles:"); either, when ``c`` is too short to stand alone; and
    either, when it holds question words that ``c`` lacks (an answer that
    straddles two sentences). Only the introducing case crosses a paragraph
    break, and a sentence that does not end (a page or column break cut it
    short, or a footnote mark stood at the end of a line): it goes on into the
    next one of the same speaker, whatever lies between.
    """
    i = c.index

    def joined(a: int, b: int) -> bool:
        return same_paragraph(passage, by_position[(c.hit_index, a)].sentence, by_position[(c.hit_index, b)].sentence)

    before = i - 1 if i > 0 and joined(i - 1, i) else None
    after = i + 1 if i + 1 < n_sentences else None
    introduces = c.text.rstrip().endswith(":")  # "... three principles:" introduces what follows, even a list
    # a section's heading opens its first passage: quoted, it brings the sentence it heads ("2.6. The
    # XMLnamespaces files" alone answers nothing)
    title = (passage.section or "").strip()
    heading_end = passage.char_start + len(title) if title and passage.text.startswith(title) else -1
    introduces = introduces or c.sentence.char_end <= heading_end
    if after is not None and not is_closed(c.text):
        following = by_position[(c.hit_index, after)].sentence
        introduces = introduces or (following.speaker or passage.speaker) == (c.sentence.speaker or passage.speaker)
    if after is not None and not introduces and not joined(i, after):
        after = None
    out: list[int] = []
    first = words(c.text)[:1]
    if before is not None and first and first[0] in BACK_REFERENCES:
        out.append(before)
    short = len(words(c.text)) < config.short_words
    if after is not None and (introduces or short):
        out.append(after)
    elif short and before is not None and before not in out:
        out.append(before)
    found = set(c.stems).union(*(by_position[(c.hit_index, j)].stems for j in out))
    for j in (before, after):
        if j is None or j in out:
            continue
        gained = by_position[(c.hit_index, j)].stems
        if terms.coverage(found | gained) - terms.coverage(found) >= config.neighbour_gain:
            out.append(j)
            found |= gained
    return sorted(out)


def continuation(group: list[Candidate], passage: Passage, by_position: dict[tuple[int, int], Candidate],
                 n_sentences: int, taken: set[tuple[int, int]], terms: QuestionTerms,
                 question: str = "") -> list[Candidate]:
    """The sentences after a quote, in its paragraph, that lean on it and keep to the question: each
    opens by pointing back ("Otherwise, it returns 0.", "It never ...") or names again what the
    sentence before it named ("... has two sections. The two sections are connected with a spring.")
    and holds one of the question's words or named things, the reason a "why" asks for ("... because
    ..."), or the kind of value the question asks for that the quote so far lacks ("During which years
    ...?": "... Paddy Ashdown was the governor. He was there from 2002 to 2006."). Without them a quote
    stops before the sentence that says what it introduced: the value, the cause, the exception."""
    h = group[0].hit_index
    last = max(x.index for x in group if x.hit_index == h)
    wanted = expected_type(question) if question else None
    lacking = wanted not in (None, NAME) and not any(holds(x.text, wanted, question) for x in group)
    constraints = question_constraints(question) if question else ()
    reasoned = any(gives_reason(x.text, question) for x in group)
    out: list[Candidate] = []
    while last + 1 < n_sentences and (h, last + 1) not in taken:
        before, after = by_position[(h, last)], by_position[(h, last + 1)]
        if not same_paragraph(passage, before.sentence, after.sentence) or not leans_back(after.text, before.stems):
            break
        # one of the question's words, or a thing it names by another name ("the UK": "the United Kingdom")
        on_topic = terms.coverage(after.stems) > 0 or (
            bool(constraints) and len(facts_of(after.text).missing(constraints)) < len(constraints))
        answers = lacking and supplies(after.text, wanted, question)
        reason = not reasoned and gives_reason(after.text, question)  # "It is ... because ...": the why asked
        if not (on_topic or answers or reason):
            break
        reasoned = reasoned or reason
        if all((x.hit_index, x.index) != (h, after.index) for x in group):
            out.append(after)
        lacking = lacking and not answers
        last += 1
    return out


def _introduced(evidence: Evidence, c: Candidate, by_position: dict[tuple[int, int], Candidate],
                taken: set[tuple[int, int]]) -> list[Candidate]:
    """ "... based on three core principles:" ends its passage: the opening sentence of the next
    passage (retrieval brings it along) is what it announces, so it is quoted too."""
    passage = evidence.hits[c.hit_index].passage
    if not c.text.rstrip().endswith(":") or c.index != len(sentences_of(evidence.hits[c.hit_index])) - 1:
        return []
    doc, ordinal = passage.passage_id.rsplit(":", 1)
    following = f"{doc}:{int(ordinal) + 1}" if ordinal.isdigit() else None
    for h, hit in enumerate(evidence.hits):
        if hit.passage.passage_id == following and (h, 0) in by_position and (h, 0) not in taken:
            return [by_position[(h, 0)]]
    return []


def _near_duplicate(a: Candidate, b: Candidate, evidence: Evidence, config: AnswerConfig) -> bool:
    """The same sentence in two documents, or a restatement: quoting both adds nothing."""
    if a.stems and b.stems and len(a.stems & b.stems) / min(len(a.stems), len(b.stems)) >= config.duplicate_overlap:
        return True
    va = evidence.sentence_vectors.get(evidence.hits[a.hit_index].passage.passage_id)
    vb = evidence.sentence_vectors.get(evidence.hits[b.hit_index].passage.passage_id)
    if va is None or vb is None or a.index >= len(va) or b.index >= len(vb):
        return False
    return float(np.asarray(va[a.index]) @ np.asarray(vb[b.index])) >= config.duplicate_cosine
