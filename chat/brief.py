"""The country lens: every passage that mentions a country, in document order, as citations.

Built from the mention table stored at ingest (no text scanning per query).
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


def country_brief(engine, country: str, *, question: str | None = None) -> dict:
    con = engine.index.con
    mentions: dict[int, list[tuple[int, int]]] = {}
    for row, start, end in con.execute(
        "SELECT row, char_start, char_end FROM mentions WHERE country = ? ORDER BY row, char_start", (country,)
    ):
        mentions.setdefault(row, []).append((start, end))
    rows = sorted(mentions)
    passages = engine.index.passages_at(rows)
    order = sorted(zip(rows, passages, strict=True), key=lambda rp: (rp[1].doc_id, rp[1].char_start))
    documents = engine.documents
    citations, paragraphs, listed = [], [], []
    heading: tuple[str, str | None] | None = None
    for n, (row, passage) in enumerate(order, start=1):
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
        for doc_id, n in con.execute(
            "SELECT DISTINCT doc_id, n FROM footnote_mentions WHERE country = ? ORDER BY doc_id, n", (country,)
        )
    ]
    if notes:
        paragraphs.append(f"**Footnotes that mention {country}**")
        paragraphs.extend(f"- {documents[x['doc_id']].title}, footnote {x['n']}: {x['text']}" for x in notes
                          if x["doc_id"] in documents)
    found = bool(citations) or bool(notes)
    return {
        "question": question or f"What do the documents say about {country}?",
        "answer": "\n\n".join(paragraphs) if found else f"The documents don't mention {country}.",
        "abstained": not found,
        "citations": citations,
        "passages": listed,
        "brief": {"country": country, "passages": len(citations),
                  "documents": len({c["doc_id"] for c in citations})},
        "footnote_mentions": notes,
        "evidence_score": 1.0 if found else 0.0,
    }
