"""Score every sentence of the retrieved passages against the question, and pick the quotes.

Two numbers per sentence:

* ``strength`` - how well the sentence (in its passage) answers the question,
  comparable across questions: dense cosine of sentence and question, plus
  the share of the question's IDF mass found in the sentence and in its
  context (passage, section, speaker, title). The best strength is the
  evidence score that abstention thresholds.
* ``score`` - strength plus what only ranks sentences within one answer: a
  prior from the passage's retrieval rank, a bonus for a footnoted sentence
  when the question asks for sources, and a penalty for a fragment without
  closing punctuation (a heading or title line).

Question words are weighed by IDF over the whole index (``evidence.doc_freq``),
so a word that no passage contains weighs most: if it is missing from the best
sentence, the evidence is weak ("What is the population of X?" against passages
that mention X but never its population). It is weighed, not a veto: a typo
or a synonym is missing too, and the dense cosine still speaks for it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence, Set
from dataclasses import dataclass, replace

import numpy as np

from chat.answer_type import NAME, defined_term, defines, expected_type, holds, supplies, without_urls
from chat.constraints import Constraint, Facts, facts_of, other_year, question_constraints
from chat.evidence import Evidence, Hit
from chat.speakers import asked_speakers, askers
from chat.terms import (
    asked_kind,
    asks_for_source,
    asks_what_was_asked,
    content_words,
    idf,
    is_interrogative,
    leans_back,
    stem,
    stems,
)
from ingest.records import Passage, Sentence


@dataclass(frozen=True, slots=True)
class AnswerConfig:
    max_quotes: int = 4  # sentences quoted at most (adjacent context sentences included)
    # Below this evidence score the answer is "The documents don't say." Calibrated with
    # `python -m bench` (abstention table in bench/RESULTS.md) on the development and the
    # bench's own questions, all-MiniLM-L6-v2: the highest cut that abstains on no answerable
    # question. Higher cuts catch more near misses but refuse answerable paraphrases, and a
    # refused answer the documents do give is lost to the user entirely.
    abstain_below: float = 0.30
    # strength = w_dense*cosine + w_sentence_terms*coverage(sentence) + w_context_terms*coverage(passage)
    w_dense: float = 0.5
    w_sentence_terms: float = 0.3
    w_context_terms: float = 0.2
    # A sentence without the kind of answer the question asks for (a date for "when", a
    # number for "how many", a new name for "who") keeps only this share of its strength.
    type_factor: float = 0.5
    # A question word found only in the sentence's footnotes counts this much of a body match.
    footnote_term_share: float = 0.5
    # score = strength + w_rank/rank + source bonus - fragment penalty (rank 1 vs 2 differs by w_rank/2)
    w_rank: float = 0.06
    source_bonus: float = 0.08  # footnoted sentence, when the question asks for a source
    kind_bonus: float = 0.08  # a sentence of the kind of document the question names ("the report")
    speaker_bonus: float = 0.1  # a sentence spoken by the person the question names ("what did Lord X say")
    # a sentence that says what the term asked about is ("How does the paper define a column mask?": "A column
    # mask is a database object that ...") rather than one that only names it ("defining column masks")
    definition_bonus: float = 0.08
    # In a hearing the question put to the asked-about person holds the user's words; their reply holds the
    # answer and often few of those words ("Yes, I was made aware of this in January."). A sentence of the
    # reply (the asked-about person's turn right after another speaker's, in one passage) is at least this
    # share of the best sentence of the turn it answers, plus the rest of its own strength.
    reply_share: float = 0.75
    # The question's constraints (countries, names, numbers: chat.constraints) missing from a
    # sentence and the words that frame it count against it: ``missing`` is their share, a
    # constraint found elsewhere in the passage counting a quarter (the passage has already
    # said who or where; a sentence need not repeat it). It lowers the sentence's
    # score by ``w_missing * missing`` (quote what keeps to the question), and an answer whose
    # best sentence misses ``refuse_missing`` or more is refused: it is about something else.
    # Both calibrated in `python -m bench` on the shipped corpus, hearings and PDFs together.
    w_missing: float = 0.2
    refuse_missing: float = 0.75
    short_words: int = 6  # a sentence with fewer words is quoted with a neighbour
    # A "sentence" without closing punctuation is a heading, title line or caption.
    fragment_penalty: float = 0.08
    # A sentence that asks a question does not answer one: in a hearing the question put to a witness is the
    # sentence most like the user's, the reply holds the answer. It ranks lower (it may still be quoted as the
    # context of the reply), unless the user asks what was asked.
    question_penalty: float = 0.08
    # An adjacent sentence joins a quote when it adds this share of the question's IDF mass.
    neighbour_gain: float = 0.15
    # Two quoted sentences of a passage this many sentences apart become one quote, gap included.
    bridge_gap: int = 1
    # Further quotes: score within this fraction of the best, and strong enough on their own.
    relative_margin: float = 0.25
    # Near-duplicates (the same sentence in two documents, a restatement) are quoted once.
    duplicate_cosine: float = 0.92
    duplicate_overlap: float = 0.7


DEFAULT_CONFIG = AnswerConfig()
_TURN_GAP = 2  # characters between two speeches of a transcript's clean text (a blank line)
REPLY_REACH = 2  # turns a reply may answer across: the question, then another witness answering it first
_CLOSED = re.compile(r"[.!?…:;؟۔।。！？][\"'”’)\]」』]*$")


def is_closed(text: str) -> bool:
    """Whether ``text`` ends as a sentence does; a heading, a caption or a sentence cut short at a page break
    does not."""
    return bool(_CLOSED.search(text))


@dataclass(frozen=True, slots=True)
class Candidate:
    hit_index: int  # position in evidence.hits
    index: int  # sentence position in the passage
    sentence: Sentence
    text: str
    stems: frozenset[str]
    cosine: float
    strength: float
    score: float
    missing: float = 0.0  # share of the question's constraints this sentence does not keep to
    absent: tuple[str, ...] = ()  # the constraints its whole passage lacks, as the question writes them


@dataclass(frozen=True, slots=True)
class QuestionTerms:
    stems: tuple[str, ...]
    weights: tuple[float, ...]  # IDF shares, summing to 1

    def coverage(self, found: Set[str], partly: Set[str] = frozenset(), share: float = 0.0) -> float:
        return sum(
            w if s in found else share * w if s in partly else 0.0
            for s, w in zip(self.stems, self.weights, strict=True)
        )


def question_terms(evidence: Evidence) -> QuestionTerms:
    """The question's content words, each weighted by its share of their total IDF."""
    terms = content_words(evidence.question)
    weights = [idf(t, evidence.doc_freq, evidence.n_passages) for t in terms]
    total = sum(weights)
    if not terms or total <= 0:
        return QuestionTerms((), ())
    return QuestionTerms(tuple(stem(t) for t in terms), tuple(w / total for w in weights))


def sentences_of(hit: Hit) -> tuple[Sentence, ...]:
    p = hit.passage
    return p.sentences or (Sentence(p.char_start, p.char_end, p.footnotes),)


def _cosines(evidence: Evidence, hit: Hit, n: int) -> np.ndarray:
    """Sentence-question cosines; the passage's own cosine stands in for missing sentence vectors."""
    vectors = evidence.sentence_vectors.get(hit.passage.passage_id)
    if vectors is not None and len(vectors) == n and evidence.question_vector is not None:
        return np.asarray(vectors, dtype=np.float32) @ np.asarray(evidence.question_vector, dtype=np.float32)
    return np.full(n, hit.dense if hit.dense is not None else 0.0, dtype=np.float32)


def missing_share(constraints: tuple[Constraint, ...], sentence: Facts,
                  passage: Facts) -> tuple[float, list[Constraint]]:
    """Share of ``constraints`` a sentence does not keep to (1 for each one missing from the whole
    passage with its section, speaker and title, or that the sentence contradicts: it names another
    year; 1/4 for one the passage holds outside the sentence), and the constraints the passage lacks."""
    if not constraints:
        return 0.0, []
    off_sentence = sentence.missing(constraints)
    if not off_sentence:
        return 0.0, []
    off_passage = passage.missing(off_sentence)
    contradicted = sum(1 for c in off_sentence if c not in off_passage and other_year(c, sentence.years))
    elsewhere = len(off_sentence) - len(off_passage) - contradicted
    return (0.25 * elsewhere + contradicted + len(off_passage)) / len(constraints), off_passage


def score_sentences(evidence: Evidence, config: AnswerConfig = DEFAULT_CONFIG) -> list[Candidate]:
    """Every sentence of every hit, best first."""
    terms = question_terms(evidence)
    constraints = question_constraints(evidence.question)
    source_question = asks_for_source(evidence.question)
    wanted = expected_type(evidence.question)
    kind = asked_kind(evidence.question)
    about_questions = asks_what_was_asked(evidence.question)
    term = defined_term(evidence.question)
    labels = {x for hit in evidence.hits for x in _speakers_of(hit.passage)}
    asked = set(asked_speakers(evidence.question, labels) if evidence.asked is None else evidence.asked)
    if asked and constraints:  # who put the question to the asked-about person is context, not a constraint
        aside = {stem(w) for w in askers(evidence.question, labels)}
        constraints = tuple(c for c in constraints if c.kind != "name" or c.key not in aside)
    out: list[Candidate] = []
    for h, hit in enumerate(evidence.hits):
        p = hit.passage
        doc = evidence.documents.get(p.doc_id)
        title = doc.title if doc else None
        # an exchange's passage frames every sentence with all its speakers; a sentence with its own
        frame = " ".join(filter(None, (p.section, "; ".join(p.speakers) or p.speaker, title)))
        context = stems(f"{p.text} {frame}")
        frames: dict[str | None, Facts] = {}  # the words framing a sentence, by who says it
        if constraints:
            passage_facts = facts_of(f"{p.text} {frame}", stems=context,
                                     countries=facts_of(frame).countries | set(p.countries))
        context_cov = terms.coverage(context)
        sentences = sentences_of(hit)
        cosines = _cosines(evidence, hit, len(sentences))
        texts = [p.sentence_text(s) for s in sentences]
        for i, s in enumerate(sentences):
            text = texts[i]
            body = frozenset(stems(text))
            notes = " ".join(doc.footnotes.get(n, "") for n in s.footnotes) if doc else ""
            cov = terms.coverage(body, stems(notes), config.footnote_term_share)
            cos = max(float(cosines[i]), 0.0)
            strength = config.w_dense * cos + config.w_sentence_terms * cov + config.w_context_terms * context_cov
            # a footnote's prose may hold the answer (who engineered the ban); its URL's digits don't
            if not (holds(f"{text} {without_urls(notes)}", wanted, evidence.question)
                    or _next_gives(p, sentences, texts, i, body, wanted, evidence.question)):
                strength *= config.type_factor
            score = strength + config.w_rank / max(hit.rank, 1)
            speaker = s.speaker or p.speaker
            if source_question and s.footnotes:
                score += config.source_bonus
            if kind and doc and doc.kind == kind:
                score += config.kind_bonus
            if speaker and speaker in asked:
                score += config.speaker_bonus
            if term and defines(text, term):
                score += config.definition_bonus
            if not is_closed(text):
                score -= config.fragment_penalty
            if not about_questions and is_interrogative(text):
                score -= config.question_penalty
            missing, absent = 0.0, []
            if constraints:
                if speaker not in frames:
                    frames[speaker] = facts_of(" ".join(filter(None, (p.section, speaker, title))))
                frame_facts = frames[speaker]
                own = facts_of(text, stems=body)
                sentence_facts = Facts(own.stems | frame_facts.stems, own.countries | frame_facts.countries,
                                       own.numbers | frame_facts.numbers, own.years)
                missing, absent = missing_share(constraints, sentence_facts, passage_facts)
            score -= config.w_missing * missing
            out.append(Candidate(h, i, s, text, body, cos, strength, score, missing, tuple(c.text for c in absent)))
    out = _replies_lifted(out, evidence, asked, config.reply_share)
    out.sort(key=lambda c: (-c.score, c.hit_index, c.index))
    return _asked_speaker_first(out, evidence, asked, config)


def _replies_lifted(candidates: list[Candidate], evidence: Evidence, asked: Set[str],
                    share: float) -> list[Candidate]:
    """``candidates`` with each sentence of an asked-about person's reply lifted toward the turn it replies to:
    strength ``max(own, share * lead + (1 - share) * own)``, ``lead`` being the best strength of the other
    speakers' turns just before it (the question put, and a fellow witness's answer to it: ``REPLY_REACH``
    turns back). Turns are read in document order across the hits (an exchange may be cut
    between two passages); a turn only counts as the one replied to when nothing stands between the two."""
    if share <= 0 or not asked:
        return candidates
    best: dict[tuple[str, int], tuple[int, int, str | None, float]] = {}  # one entry per sentence of a document
    for c in candidates:
        p = evidence.hits[c.hit_index].passage
        key = (p.doc_id, c.sentence.char_start)
        if key not in best or c.strength > best[key][3]:
            best[key] = (c.sentence.char_start, c.sentence.char_end, c.sentence.speaker or p.speaker, c.strength)
    lifted: dict[tuple[str, int], float] = {}
    turns: list[tuple[str, str | None, list[tuple[int, float]], int]] = []  # doc, speaker, sentences, end
    for (doc, _), (start, end, who, strength) in sorted(best.items()):
        last = turns[-1] if turns else None
        if last and last[0] == doc and last[1] == who and start - last[3] <= 2 * _TURN_GAP:
            last[2].append((start, strength))
            turns[-1] = (doc, who, last[2], end)
        else:
            turns.append((doc, who, [(start, strength)], end))
    for t, (doc, who, reply, _) in enumerate(turns):
        if who not in asked:
            continue
        lead, at = 0.0, reply[0][0]
        for before_doc, before, put, put_end in turns[max(t - REPLY_REACH, 0) : t][::-1]:
            if before_doc != doc or before is None or before in asked or at - put_end > _TURN_GAP:
                break
            lead, at = max(lead, *(strength for _, strength in put)), put[0][0]
        for start, strength in reply:
            lifted[(doc, start)] = share * lead + (1 - share) * strength
    out = []
    for c in candidates:
        new = lifted.get((evidence.hits[c.hit_index].passage.doc_id, c.sentence.char_start), 0.0)
        out.append(replace(c, strength=new, score=c.score + new - c.strength) if new > c.strength else c)
    return out


def _next_gives(passage: Passage, sentences: Sequence[Sentence], texts: list[str], i: int, body: frozenset[str],
                wanted: str | None, question: str) -> bool:
    """The value asked for is in the next sentence of the paragraph, which leans on this one ("... Paddy
    Ashdown was the governor. He was there from 2002 to 2006."): the quote goes on into it
    (chat.select.continuation), so this sentence answers with it."""
    if wanted in (None, NAME) or i + 1 >= len(sentences):
        return False
    return (same_paragraph(passage, sentences[i], sentences[i + 1]) and leans_back(texts[i + 1], body)
            and supplies(texts[i + 1], wanted, question))


def same_paragraph(passage: Passage, first: Sentence, second: Sentence) -> bool:
    """Two sentences of ``passage`` in the same paragraph: across a break, "This ..." points at something else.

    The gap between two sentences of a passage is whitespace; a newline in it
    is a paragraph, heading or speech boundary.
    """
    gap = passage.text[first.char_end - passage.char_start : second.char_start - passage.char_start]
    return "\n" not in gap


def _speakers_of(passage) -> tuple[str, ...]:
    return passage.speakers or ((passage.speaker,) if passage.speaker else ())


def _asked_speaker_first(candidates: list[Candidate], evidence: Evidence, asked: Set[str],
                         config: AnswerConfig) -> list[Candidate]:
    """A question about what a named person said is answered first by that person's own words.

    In an exchange the sentence most like the question is often the question put to them
    ("do you foresee any unintended consequences?"), not their reply. The asked-about
    person's best sentence leads when it is strong enough not to abstain on; the others keep
    their order after it (the question put to them may still be quoted as a further quote).
    """
    if not asked or not candidates:
        return candidates
    for i, c in enumerate(candidates):
        p = evidence.hits[c.hit_index].passage
        if (c.sentence.speaker or p.speaker) in asked and c.strength >= config.abstain_below:
            return [c, *candidates[:i], *candidates[i + 1 :]] if i else candidates
    return candidates


def evidence_score(evidence: Evidence, config: AnswerConfig = DEFAULT_CONFIG) -> float:
    """Strength of the best sentence among the hits (0 with no hits); what abstention thresholds."""
    candidates = score_sentences(evidence, config)
    return round(max((c.strength for c in candidates), default=0.0), 4)
