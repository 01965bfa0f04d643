"""The country lens: every passage that mentions a country, in document order, as citations.

Built from the mention table stored at ingest (no text scanning per query), a page
of ``BRIEF_PAGE`` passages at a time: ``brief.next_offset`` says where the next page
starts (None on the last), so a country in most of a big library stays a quick answer.
Each passage is one citation; its quote is the sentence(s) that mention the
country (adjacent ones joined into one verbatim slice), so a brief reads as
what the documents say about the country, each line with its footnote.
"""

from __future__ import annotations

from chat.answer import citation_for, passage_row, quote_paragraph
from chat.evidence import DocInfo, Hit


def _mention_runs(hit: Hit, spans: list[tuple[int, int]]) -> list[int]:
    """Positions of the passage's sentences that hold a mention."""
    return [i for i, s in enumerate(hit.passage.sentences)
            if any(s.char_start <= start and end <= s.char_end for start, end in spans)]


BRIEF_PAGE = 200  # passages per brief page: a country in most of a big library is read a page at a time


def country_brief(engine, country: str, *, question: str | None = None, offset: int = 0,
                  limit: int = BRIEF_PAGE) -> dict:
    index = engine.index  # one generation throughout, even if an upload swaps it meanwhile
    total = dict(engine.countries()).get(country, 0)
    rows = index.rows_mentioning_page(country, max(0, offset), max(1, limit))
    mentions = index.mention_spans(country, rows)
    passages = index.passages_at(rows)
    order = list(zip(rows, passages, strict=True))
    n_documents = index.documents_mentioning(country)
    documents = engine.documents
    citations, paragraphs, listed = [], [], []
    heading: tuple[str, str | None] | None = None
    for n, (row, passage) in enumerate(order, start=offset + 1):
        hit = Hit(passage=passage, rank=n, score=1.0, row=row)
        doc = documents.get(passage.doc_id) or DocInfo(passage.doc_id, passage.doc_id, "report")
        picked = _mention_runs(hit, mentions[row]) or list(range(len(passage.sentences)))
        citation = citation_for(n, hit, doc, picked)
        citations.append(citation)
        listed.append(passage_row(hit))
        if heading is None or heading[0] != passage.doc_id:
            paragraphs.append(f"**{doc.title}**")
        if heading is None or heading != (passage.doc_id, passage.section):
            if passage.section:
                paragraphs.append(f"*{passage.section}*")
        heading = (passage.doc_id, passage.section)
        for span in citation["spans"]:
            paragraphs.append(quote_paragraph(citation, span["quote"], []))
    notes = [
        {"doc_id": doc_id, "n": n, "text": documents[doc_id].footnotes.get(n, "") if doc_id in documents else ""}
        for doc_id, n in index.footnotes_mentioning(country, max(1, limit))
    ] if offset <= 0 else []
    if notes:
        paragraphs.append(f"**Footnotes that mention {country}**")
        paragraphs.extend(f"- {documents[x['doc_id']].title}, footnote {x['n']}: {x['text']}" for x in notes
                          if x["doc_id"] in documents)
    if offset > 0 or len(rows) < total:
        paragraphs.append(f"*Passages {offset + 1}–{offset + len(rows)} of {total} that mention {country}.*")
    found = bool(citations) or bool(notes)
    return {
        "question": question or f"What do the documents say about {country}?",
        "answer": "\n\n".join(paragraphs) if found else f"The documents don't mention {country}.",
        "abstained": not found,
        "citations": citations,
        "passages": listed,
        "brief": {"country": country, "passages": total, "documents": n_documents, "offset": offset,
                  "shown": len(citations), "next_offset": offset + len(rows) if offset + len(rows) < total else None},
        "footnote_mentions": notes,
        "evidence_score": 1.0 if found else 0.0,
    }
