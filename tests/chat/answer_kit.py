"""Small real documents, passages and evidence for the answer-step tests.

A document is written as paragraphs; ``{12}`` after a sentence is footnote
marker 12 (removed from the clean text, as ingest removes markers); a
``## Heading`` paragraph starts a section; ``@page 7 vii`` sets the page and
its printed label; ``[18:47] Lord X: speech`` is a transcript turn. Each body
paragraph becomes one passage whose sentences come from ``split_sentences``.
Vectors come from the deterministic ``HashingEmbedder``: nothing is mocked.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from chat.evidence import DocInfo, Evidence, Hit
from chat.terms import words
from index.embed import HashingEmbedder
from ingest.records import Passage, Sentence
from ingest.sentences import split_sentences

EMBEDDER = HashingEmbedder(256)
_MARKER = re.compile(r"\{(\d+)\}")
_TURN = re.compile(r"\[(\d\d):(\d\d)\] ([^:]+): ")


@dataclass(frozen=True)
class KitDoc:
    info: DocInfo
    text: str  # the clean text: passage offsets point into it
    passages: tuple[Passage, ...]


def document(
    doc_id: str,
    body: str,
    *,
    title: str | None = None,
    kind: str = "report",
    footnotes: dict[int, str] | None = None,
    meta: dict[str, str] | None = None,
) -> KitDoc:
    text, passages = "", []
    section = page = label = None
    for para in body.strip().split("\n\n"):
        para = para.strip()
        if para.startswith("@page"):
            _, number, *rest = para.split()
            page, label = int(number), (rest[0] if rest else number)
            continue
        if text:
            text += "\n\n"
        if para.startswith("## "):
            section = para[3:]
            text += section
            continue
        speaker = start_s = None
        turn = _TURN.match(para)
        if turn:
            speaker, start_s = turn.group(3), int(turn.group(1)) * 3600 + int(turn.group(2)) * 60
            text += para[: turn.end()]
            para = para[turn.end() :]
        start = len(text)
        markers: list[tuple[int, int]] = []
        for piece in _MARKER.split(para):
            if piece.isdigit():
                markers.append((len(text), int(piece)))
            else:
                text += piece
        end = len(text)
        sentences = tuple(
            Sentence(s, e, tuple(n for pos, n in markers if s < pos <= e + 1))
            for s, e in split_sentences(text, start, end)
        )
        passages.append(
            Passage(
                passage_id=f"{doc_id}:{len(passages)}",
                doc_id=doc_id,
                text=text[start:end],
                char_start=start,
                char_end=end,
                section=section,
                page=page,
                page_label=label,
                speaker=speaker,
                start_s=start_s,
                footnotes=tuple(n for _, n in markers),
                sentences=sentences,
            )
        )
    info = DocInfo(doc_id, title or doc_id, kind, footnotes or {}, meta or {})
    return KitDoc(info, text, tuple(passages))


def evidence(question: str, docs: list[KitDoc], ranking: list[str] | None = None) -> Evidence:
    """Evidence for ``question``: hits in ``ranking`` order (passage ids; default: every passage in order)."""
    everything = {p.passage_id: p for d in docs for p in d.passages}
    ranking = list(everything) if ranking is None else ranking
    qvec = EMBEDDER.embed([question])[0]
    hits, vectors = [], {}
    for rank, pid in enumerate(ranking, start=1):
        p = everything[pid]
        vectors[pid] = EMBEDDER.embed([p.sentence_text(s) for s in p.sentences])
        dense = float(EMBEDDER.embed([p.text])[0] @ qvec)
        hits.append(Hit(p, rank, 1.0 / (60 + rank), dense=dense))
    doc_freq: Counter = Counter()
    for p in everything.values():
        doc_freq.update(set(words(p.text)))
    return Evidence(
        question=question,
        question_vector=qvec,
        hits=tuple(hits),
        sentence_vectors=vectors,
        documents={d.info.doc_id: d.info for d in docs},
        doc_freq=doc_freq,
        n_passages=len(everything),
    )


# A small report, a transcript and a news article, written for these tests.
REVIEW = "\n\n".join(
    [
        "@page 3 iii",
        "## Arms Purchases",
        "Several governments in the region have expanded their armed forces since 2019. "
        "Serbia bought six Chinese FK-3 air defence batteries in 2022.{12} "
        "The purchase was financed by a state loan.{13} "
        "Analysts see it as a sign of closer ties with Beijing.",
        "@page 4 iv",
        "## Kosovo",
        "Kosovo has purchased American Javelin launchers from the United States.{14} "
        "This is why Belgrade protested in Washington. "
        "Kosovo is not a member of NATO, because four members do not recognise it.{15}",
        "## Montenegro",
        "Montenegro joined NATO in 2017 after a long debate in parliament. "
        "Its coastline is popular with tourists from Germany. "
        "The capital hosts a small museum of clocks. "
        "Montenegro hosts NATO naval exercises in the Bay of Kotor every spring.",
    ]
)
REVIEW_NOTES = {
    12: "https://example.org/fk3-delivery",
    13: "https://example.org/state-loan",
    14: "https://example.org/javelin-sale",
    15: "Spain, Greece, Slovakia and Romania.",
}
DEBATE = """
[18:47] Lord Smith (Lab): My Lords, I thank the noble Baroness. The bridge at Eastford must be rebuilt before winter.

[19:00] Baroness Jones (Con): The Government will fund the Eastford bridge from the regional budget.
"""


def review() -> KitDoc:
    return document("review", REVIEW, title="Regional Defence Review", footnotes=REVIEW_NOTES)


def debate() -> KitDoc:
    return document("debate", DEBATE, title="Eastford Bridge Debate", kind="transcript", meta={"date": "2023-10-17"})
