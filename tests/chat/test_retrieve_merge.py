"""Overlapping windows of a transcript merged into one hit (chat.retrieve.merge_passages, the engine end to end)."""

from __future__ import annotations

import pytest

from chat.retrieve import RetrieveConfig, merge_passages, retrieve
from ingest.records import Passage, Sentence

TEXT = "Alice: One two. Three four. Bob: Five six. Seven eight."


def _window(ordinal: int, start: int, end: int, speaker: str | None, sentences) -> Passage:
    return Passage(f"d:{ordinal}", "d", TEXT[start:end], start, end, speaker=speaker, countries=(f"c{ordinal}",),
                   sentences=tuple(Sentence(s, e, speaker=who) for s, e, who in sentences))


def test_merged_windows_are_the_documents_text_over_their_union_with_each_sentence_once():
    a = _window(1, 7, 27, "Alice", [(7, 15, "Alice"), (16, 27, "Alice")])
    b = _window(2, 16, 55, None, [(16, 27, "Alice"), (33, 42, "Bob"), (43, 55, "Bob")])
    for parts in ([b, a], [a, b]):
        m = merge_passages(parts)
        assert (m.char_start, m.char_end, m.text) == (7, 55, TEXT[7:55])
        assert [(s.char_start, s.speaker) for s in m.sentences] == [(7, "Alice"), (16, "Alice"), (33, "Bob"),
                                                                    (43, "Bob")]
        assert m.passage_id == parts[0].passage_id and set(m.countries) == {"c1", "c2"}
        assert m.speaker is None and m.speakers == ("Alice", "Bob")
        for s in m.sentences:
            assert m.sentence_text(s) == TEXT[s.char_start:s.char_end]
    with pytest.raises(ValueError):
        merge_passages([_window(1, 0, 10, None, []), _window(3, 30, 40, None, [])])


def test_an_overlapping_window_joins_the_hit_and_its_turns_are_quoted_with_their_speaker(tmp_path, hashing_embedder):
    from chat.engine import Engine
    from index.build import IngestConfig, ingest_paths

    docs = tmp_path / "docs"
    docs.mkdir()
    filler = " ".join(f"Point {i} about the weather and the river." for i in range(30))
    turns = [f"Chair Person: {filler}", "Dana Grey: The bridge budget was cut in March because tolls fell.",
             f"Evan Hart: {filler} The bridge budget review is due.", f"Chair Person: {filler}"]
    (docs / "meeting.txt").write_text("# title: Meeting\n\n" + "\n\n".join(turns) + "\n", encoding="utf-8")
    ingest_paths([docs], tmp_path / "index", IngestConfig(model=hashing_embedder.name), embedder=hashing_embedder,
                 progress=False)
    engine = Engine.open(tmp_path / "index", embedder=hashing_embedder)
    question = "Why was the bridge budget cut in March?"
    qvec = engine.embed_question(question)
    # the default: a window among the first k that overlaps a kept one joins it (up to two windows a hit)
    merged = retrieve(engine.index, question, qvec, k=2)
    alone = retrieve(engine.index, question, qvec, k=2, config=RetrieveConfig(merge_windows=1))
    assert all(not h.parts for h in alone)
    assert any(h.parts for h in merged) and all(len(h.parts) <= 2 for h in merged)
    for h in merged:
        for w in h.parts:  # each window is the merged text at its own offsets
            assert h.passage.text[w.char_start - h.passage.char_start:w.char_end - h.passage.char_start] == w.text
        assert h.passage.passage_id == (h.parts or (h.passage,))[0].passage_id
    answer = engine.answer(question, k=2)
    cite = answer["citations"][0]
    assert cite["passage_ids"] and cite["passage_id"] in cite["passage_ids"]
    assert "tolls fell" in cite["quote"] and cite["speaker"] == "Dana Grey"


class _Rows:
    """Passages by row, all that ``_disjoint`` reads of an index."""

    def __init__(self, passages):
        self.passages = passages

    def passages_at(self, rows):
        return [self.passages[r] for r in rows]


def test_merging_keeps_the_same_passages_and_never_overlaps_another():
    from chat.retrieve import _disjoint

    a, b, c = _window(0, 0, 20, None, []), _window(1, 15, 40, None, []), _window(2, 35, 55, None, [])
    d = _window(3, 60, 80, None, [])
    rows = _Rows([a, b, c, d])
    # b joins a when their union overlaps nothing else kept
    assert _disjoint(rows, [(0, 0.9), (1, 0.8), (3, 0.7)], 5, 2) == ([(0, 0.9), (3, 0.7)], {0: [0, 1]})
    assert _disjoint(rows, [(0, 0.9), (1, 0.8), (3, 0.7)], 5, 1) == ([(0, 0.9), (3, 0.7)], {})
    # c is kept as without merging, so b (overlapping both a and c) joins neither
    ranked = [(0, 0.9), (1, 0.8), (2, 0.7)]
    assert _disjoint(rows, ranked, 5, 2) == _disjoint(rows, ranked, 5, 1) == ([(0, 0.9), (2, 0.7)], {})
    # a window joins only while the hit holds fewer than ``merge``
    e = _window(4, 5, 18, None, [])
    assert _disjoint(_Rows([a, b, c, d, e]), [(0, 0.9), (1, 0.8), (4, 0.7)], 5, 2)[1] == {0: [0, 1]}
    assert _disjoint(_Rows([a, b, c, d, e]), [(0, 0.9), (1, 0.8), (4, 0.7)], 5, 3)[1] == {0: [0, 1, 4]}
    # only a window itself among the first k joins
    assert _disjoint(rows, [(0, 0.9), (3, 0.8), (1, 0.7)], 2, 2) == ([(0, 0.9), (3, 0.8)], {})
