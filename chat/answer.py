"""The extractive answer: verbatim quotes of the best sentences, numbered citations, or an abstention.

Choices the contract leaves open:

* One citation per quote, numbered in order of first use. Quoted
  sentences of a passage that are adjacent, or one sentence apart
  (``bridge_gap``; the sentence between is then quoted too), are one quote:
  the exact slice of the passage text from the first to the last. Spans of
  one passage further apart are quotes of their own, each with its own
  number, offsets, page, speaker and footnotes (a passage may run over a
  page break or hold an exchange): the one holding the passage's best
  sentence first, then the others in document order. ``spans`` repeats the
  citation's one span (a country brief's citations list several).
* Quotes appear in the answer best-first, each in its own paragraph,
  ``“...” [n]``; a transcript quote opens with its speaker and time
  (``Lord X, 18:47: “...” [2]``, see ``formatting.format_time``).
* A quoted sentence's footnotes are shown after it (`` — footnote 12: ...``)
  when the question asks for a source, or when a prose footnote's own words
  answer part of the question the quote does not. Every citation carries
  its sources in ``sources`` either way.
"""

from __future__ import annotations

from collections.abc import Mapping

from chat.evidence import DocInfo, Evidence, Hit
from chat.formatting import format_date, format_page, format_time, is_turn, one_line, quoted
from chat.refusal import decide, signals_of
from chat.scoring import (
    DEFAULT_CONFIG,
    AnswerConfig,
    Candidate,
    evidence_score,
    question_terms,
    score_sentences,
    sentences_of,
)
from chat.select import select_sentences
from chat.terms import asks_for_source, stems
from ingest.footnotes import is_prose_note
from ingest.records import Passage

__all__ = [
    "ABSTAIN",
    "AnswerConfig",
    "citation_for",
    "quote_citations",
    "compose_answer",
    "evidence_score",
    "passage_row",
    "quote_paragraph",
    "reference",
]

ABSTAIN = "The documents don't say."


def compose_answer(evidence: Evidence, config: AnswerConfig = DEFAULT_CONFIG) -> dict:
    """The contract's JSON object for ``evidence``."""
    candidates = score_sentences(evidence, config)
    strength = round(max((c.strength for c in candidates), default=0.0), 4)
    missing = round(candidates[0].missing, 4) if candidates else 1.0
    result = {
        "question": evidence.question,
        "answer": ABSTAIN,
        "abstained": True,
        "citations": [],
        "passages": [passage_row(hit) for hit in evidence.hits],
        "evidence_score": strength,
        "evidence_missing": missing,
    }
    if not candidates:
        result["refusal"] = "Nothing in the documents matches the question."
        return result
    groups = select_sentences(evidence, candidates, config)
    signals = signals_of(evidence, candidates, [c for group in groups for c in group])
    decision = decide(signals, config)
    result["evidence_signals"] = {**signals.as_dict(), "refusal_probability": round(decision.probability, 4)}
    if decision.refuse:
        result["refusal"] = decision.reason
        return result
    anchor: dict[int, int] = {}  # hit position -> its best quoted sentence, in order of first use
    picked: dict[int, set[int]] = {}
    for group in groups:
        for c in group:
            anchor.setdefault(c.hit_index, c.index)
            picked.setdefault(c.hit_index, set()).add(c.index)
    notes = _footnote_notes(evidence, candidates)
    citations, paragraphs = [], []
    for h, best in anchor.items():
        hit = evidence.hits[h]
        doc = evidence.documents.get(hit.passage.doc_id) or DocInfo(hit.passage.doc_id, hit.passage.doc_id, "report")
        for citation in quote_citations(len(citations) + 1, hit, doc, sorted(picked[h]), best=best,
                                        bridge_gap=config.bridge_gap):
            citations.append(citation)
            shown = [s for s in citation["sources"] if (doc.doc_id, s["n"]) in notes]
            paragraphs.append(quote_paragraph(citation, citation["quote"], shown))
    result.update(answer="\n\n".join(paragraphs), abstained=False, citations=citations)
    return result


def passage_row(hit: Hit) -> dict:
    """A hit as the contract's ``passages`` entry."""
    p = hit.passage
    return {
        "rank": hit.rank,
        "passage_id": p.passage_id,
        "doc_id": p.doc_id,
        "text": p.text,
        "section": p.section,
        "page": p.page,
        "page_label": p.page_label,
        "speaker": p.speaker,
        "speakers": list(p.speakers),
        "start_s": p.start_s,
        "score": float(hit.score),
        **({"passage_ids": [x.passage_id for x in hit.parts]} if hit.parts else {}),
    }


def _spans(hit: Hit, indices: list[int], bridge_gap: int) -> list[tuple[list[int], int, int, str]]:
    """Runs of quoted sentence positions -> (positions, char_start, char_end, exact text).

    Sentences at most ``bridge_gap`` apart join one run, the sentences between included,
    so a quote never skips words inside itself.
    """
    p = hit.passage
    sentences = sentences_of(hit)
    runs: list[list[int]] = []
    for i in indices:
        # a quote never runs from one speaker's turn into the next one's
        if (runs and i - runs[-1][-1] <= bridge_gap + 1
                and len({s.speaker for s in sentences[runs[-1][0] : i + 1]}) == 1):
            runs[-1].extend(range(runs[-1][-1] + 1, i + 1))
        else:
            runs.append([i])
    out = []
    for run in runs:
        start, end = sentences[run[0]].char_start, sentences[run[-1]].char_end
        out.append((run, start, end, p.text[start - p.char_start : end - p.char_start]))
    return out


def quote_citations(first: int, hit: Hit, doc: DocInfo, picked: list[int], *, best: int,
                    bridge_gap: int = DEFAULT_CONFIG.bridge_gap) -> list[dict]:
    """One citation per quoted span of ``hit``'s passage, numbered from ``first``: the span holding sentence
    ``best`` first, then the others in document order. Each span's page, speaker and footnotes are its own."""
    runs = [run for run, *_ in _spans(hit, picked, bridge_gap)]
    runs.sort(key=lambda run: (best not in run, run[0]))
    return [citation_for(first + k, hit, doc, run, best=best if best in run else run[0], bridge_gap=bridge_gap)
            for k, run in enumerate(runs)]


def citation_for(
    n: int,
    hit: Hit,
    doc: DocInfo,
    picked: list[int],
    *,
    best: int | None = None,
    bridge_gap: int = DEFAULT_CONFIG.bridge_gap,
) -> dict:
    """Citation ``n`` of the passage of ``hit``, quoting its sentences at positions ``picked``.

    Its ``quote`` is the span that holds sentence ``best`` (default: the
    first picked); ``spans`` are all quoted spans, in document order.
    """
    picked = sorted(picked) or list(range(len(sentences_of(hit))))
    spans = _spans(hit, picked, bridge_gap)
    best = picked[0] if best is None else best
    main = next(k for k, (run, *_) in enumerate(spans) if best in run)
    p = hit.passage
    sentences = sentences_of(hit)
    numbers: list[int] = []
    for run, *_ in spans:
        for i in run:
            numbers.extend(f for f in sentences[i].footnotes if f not in numbers)
    _, start, end, quote = spans[main]
    # the page that holds the quote's best sentence: a passage may run over a page break
    page = _page_of(sentences[best], p)
    citation = {
        "n": n,
        "doc_id": p.doc_id,
        "title": doc.title,
        "section": p.section,
        **page,
        # who said the quote: the turn of its sentences (a passage may hold an exchange)
        "start_s": sentences[best].start_s if sentences[best].speaker else p.start_s,
        "end_s": p.end_s,
        "speaker": sentences[best].speaker or p.speaker,
        "ocr": page["page"] is not None and str(page["page"]) in (doc.meta.get("ocr_pages") or "").split(","),
        "quote": quote,
        "passage_id": _holder(hit, start, end, sentences[best]).passage_id,
        "char_start": start,
        "char_end": end,
        "sources": [{"n": f, "text": doc.footnotes[f]} for f in numbers if f in doc.footnotes],
        # each span with its own page and turn: a brief's passage may run over a page break
        "spans": [{"quote": q, "char_start": s, "char_end": e, **_page_of(sentences[run[0]], p),
                   **_turn_of(sentences[run[0]], p)} for run, s, e, q in spans],
    }
    if hit.parts:
        citation["passage_ids"] = [x.passage_id for x in hit.parts]
    citation["reference"] = reference(citation, doc.meta)
    return citation


def _holder(hit: Hit, start: int, end: int, best) -> Passage:
    """The indexed passage a quote comes from: in a hit merged from overlapping windows, the window that
    holds the whole quote, else the one that holds its best sentence."""
    if not hit.parts:
        return hit.passage
    return (next((w for w in hit.parts if w.char_start <= start and end <= w.char_end), None)
            or next((w for w in hit.parts if w.char_start <= best.char_start < w.char_end), hit.passage))


def _page_of(sentence, passage) -> dict:
    """The printed and physical page of a quoted sentence (its passage's first page when unknown)."""
    if sentence.page is None:
        return {"page": passage.page, "page_label": passage.page_label}
    return {"page": sentence.page, "page_label": sentence.page_label}


def _turn_of(sentence, passage) -> dict:
    """Who said a span and when: its first sentence's turn, where the passage holds an exchange."""
    if sentence.speaker is None:
        return {}
    return {"speaker": sentence.speaker, "start_s": sentence.start_s if sentence.start_s is not None
            else passage.start_s}


def reference(citation: Mapping, meta: Mapping[str, str] | None = None) -> str:
    """One line to paste: “quote” — Title, Section, p. 7. Source: ... (or — Lord X, Title, date, 18:47)."""
    quote = one_line(citation["quote"])
    title = citation.get("title") or citation.get("doc_id")
    if is_turn(citation):
        date = format_date(meta or {})
        where = [citation.get("speaker"), title, date, format_time(citation.get("start_s"))]
    else:
        where = [title, citation.get("section"), format_page(citation.get("page"), citation.get("page_label"))]
    line = f"{quoted(quote)} — " + ", ".join(x for x in where if x)
    sources = [one_line(s["text"]) for s in citation.get("sources", [])]
    if sources:
        line += (". Source: " if len(sources) == 1 else ". Sources: ") + "; ".join(sources)
    return line


def quote_paragraph(citation: dict, quote: str, notes: list[dict]) -> str:
    """One quote of the answer: ``“quote” [n]``, after ``Speaker, 18:47: `` for a turn, then any shown notes."""
    intro = ""
    if is_turn(citation):
        who = ", ".join(x for x in (citation.get("speaker"), format_time(citation.get("start_s"))) if x)
        intro = f"{who}: "
    text = f"{intro}{quoted(quote)} [{citation['n']}]"
    if notes:
        text += " — " + "; ".join(f"footnote {s['n']}: {_shorten(one_line(s['text']))}" for s in notes)
    return text


def _shorten(text: str, limit: int = 400) -> str:
    """A footnote shown inline is cut (visibly) when long; the citation's ``sources`` keep it whole."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _footnote_notes(evidence: Evidence, candidates: list[Candidate]) -> set[tuple[str, int]]:
    """(doc_id, footnote) pairs worth showing in the answer text itself, not only in the footnote list.

    All of them when the question asks for a source; otherwise a prose
    footnote (not just a URL) whose words cover a question term that the
    sentence's own words do not: a footnote that explains who or why.
    """
    source_question = asks_for_source(evidence.question)
    terms = question_terms(evidence)
    shown = set()
    for c in candidates:
        doc_id = evidence.hits[c.hit_index].passage.doc_id
        doc = evidence.documents.get(doc_id)
        for f in c.sentence.footnotes:
            text = doc.footnotes.get(f, "") if doc else ""
            if source_question or (is_prose_note(text) and terms.coverage(stems(text) - stems(c.text)) > 0):
                shown.add((doc_id, f))
    return shown

