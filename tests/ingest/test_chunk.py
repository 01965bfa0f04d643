from ingest.chunk import ChunkConfig, chunk, word_count
from ingest.records import Block, Document, Marker


def _doc(text: str, blocks, markers=()) -> Document:
    return Document("d", "T", "report", "d.txt", text, blocks=tuple(blocks), markers=tuple(markers))


def _paragraphs(*parts: tuple[str, str]) -> tuple[str, list[Block]]:
    text, blocks = "", []
    for kind, body in parts:
        if text:
            text += "\n\n"
        blocks.append(Block(kind, len(text), len(text) + len(body)))
        text += body
    return text, blocks


def no_countries(text: str) -> tuple[str, ...]:
    return ()


def test_passages_are_exact_slices_and_never_cross_a_heading():
    text, blocks = _paragraphs(
        ("heading", "First Part"),
        ("para", "One sentence here. Another sentence there."),
        ("heading", "Second Part"),
        ("para", "A third sentence. A fourth one."),
    )
    passages = chunk(_doc(text, blocks), countries=no_countries)
    assert [p.section for p in passages] == ["First Part", "Second Part"]
    for p in passages:
        assert text[p.char_start : p.char_end] == p.text
    assert passages[0].text.startswith("First Part\n\nOne sentence") and "Second" not in passages[0].text
    assert passages[1].text.startswith("Second Part\n\nA third")


def test_long_paragraph_is_split_on_sentences_within_the_word_limit():
    sentence = "This sentence has exactly eight words in it. "
    body = (sentence * 60).strip()
    text, blocks = _paragraphs(("para", body))
    passages = chunk(_doc(text, blocks), ChunkConfig(target_words=120, max_words=200), countries=no_countries)
    assert len(passages) > 1
    assert all(word_count(p.text) <= 200 for p in passages)
    assert all(p.text.endswith(".") for p in passages)
    assert " ".join(p.text for p in passages) == body


def test_an_exchange_shares_a_passage_and_every_sentence_keeps_its_speaker():
    text = "Hello there. Short.\n\nReply here."
    blocks = [Block("turn", 0, 19, speaker="A", start_s=60.0), Block("turn", 21, 32, speaker="B", start_s=75.0)]
    [passage] = chunk(_doc(text, blocks), countries=no_countries)
    assert passage.text == text and passage.speaker is None and passage.start_s == 60.0
    assert [(passage.sentence_text(s), s.speaker, s.start_s) for s in passage.sentences] == [
        ("Hello there.", "A", 60.0), ("Short.", "A", 60.0), ("Reply here.", "B", 75.0)]
    assert passage.speakers == ("A", "B")


def test_one_speakers_passage_names_them_and_long_exchanges_split_at_the_word_target():
    turn = "This is a sentence of exactly nine words here. " * 10  # 90 words a turn
    parts = [turn.strip()] * 4
    text = "\n\n".join(parts)
    blocks, pos = [], 0
    for i, part in enumerate(parts):
        blocks.append(Block("turn", pos, pos + len(part), speaker="A" if i < 2 else "B"))
        pos += len(part) + 2
    sizes = ChunkConfig(exchange_target_words=120, exchange_max_words=200, exchange_overlap=False)
    passages = chunk(_doc(text, blocks), sizes, countries=no_countries)
    assert all(word_count(p.text) <= 200 for p in passages)
    # 90 + 90 words fill a passage; the next turn starts the next one
    assert [(p.speaker, p.speakers, word_count(p.text)) for p in passages] == [("A", ("A",), 180), ("B", ("B",), 180)]


def test_a_turn_run_stops_at_a_heading():
    text = "Opening words.\n\nAgenda\n\nA speaks now."
    blocks = [Block("turn", 0, 14, speaker="A"), Block("heading", 16, 22), Block("turn", 24, 37, speaker="A")]
    passages = chunk(_doc(text, blocks), countries=no_countries)
    assert [p.text for p in passages] == ["Opening words.", "Agenda", "A speaks now."]


def test_markers_attach_to_the_sentence_they_follow():
    text = "Russia is active. Serbia buys arms from China. Nothing here."
    # markers stood right after "active." and after "arms"
    markers = [Marker(17, 1), Marker(27, 2)]
    blocks = [Block("para", 0, len(text))]
    (p,) = chunk(_doc(text, blocks, markers), countries=no_countries)
    assert [s.footnotes for s in p.sentences] == [(1,), (2,), ()]
    assert p.footnotes == (1, 2)
    assert [p.sentence_text(s) for s in p.sentences][1] == "Serbia buys arms from China."


def test_consecutive_headings_are_kept_as_content():
    text, blocks = _paragraphs(("heading", "Contributors"), ("heading", "Dr Jane Example"),
                               ("heading", "Professor Max Sample"))
    passages = chunk(_doc(text, blocks), countries=no_countries)
    assert passages[0].text == "Contributors\n\nDr Jane Example\n\nProfessor Max Sample"
    assert passages[0].section == "Contributors"


def test_passage_ids_are_stable_ordinals():
    text, blocks = _paragraphs(("para", "A. B."), ("heading", "H"), ("para", "C."))
    ids = [p.passage_id for p in chunk(_doc(text, blocks), countries=no_countries)]
    assert ids == ["d:0", "d:1"]


def test_a_heading_alone_at_the_end_is_still_a_passage():
    text, blocks = _paragraphs(("para", "Body text here."), ("heading", "Appendix"))
    passages = chunk(_doc(text, blocks), countries=no_countries)
    assert [p.text for p in passages] == ["Body text here.", "Appendix"]


def test_a_prose_note_is_its_own_passage_citing_its_footnote():
    text = "Body sentence one.\n\nThis ban was engineered by two parties."
    blocks = [Block("para", 0, 18), Block("note", 20, len(text), page=3)]
    passages = chunk(_doc(text, blocks, [Marker(len(text), 22)]), countries=no_countries)
    assert [(p.text, p.section, p.footnotes, p.page) for p in passages] == [
        ("Body sentence one.", None, (), None),
        ("This ban was engineered by two parties.", "Notes", (22,), 3),
    ]


def test_exchanges_can_be_turned_off_for_one_turn_per_passage():
    text = "Hello there. Short.\n\nReply here."
    blocks = [Block("turn", 0, 19, speaker="A", start_s=60.0), Block("turn", 21, 32, speaker="B")]
    passages = chunk(_doc(text, blocks), ChunkConfig(exchanges=False), countries=no_countries)
    assert [(p.speaker, p.text, p.start_s) for p in passages] == [("A", "Hello there. Short.", 60.0),
                                                                 ("B", "Reply here.", None)]


def _turns(parts: list[str], speakers: list[str]) -> tuple[str, list[Block]]:
    text = "\n\n".join(parts)
    blocks, pos = [], 0
    for part, who in zip(parts, speakers, strict=True):
        blocks.append(Block("turn", pos, pos + len(part), speaker=who))
        pos += len(part) + 2
    return text, blocks


def test_a_window_over_each_boundary_keeps_an_exchange_cut_there_whole():
    turn = ("This is a sentence of exactly nine words here. " * 10).strip()  # 90 words
    text, blocks = _turns([turn] * 4, ["A", "A", "B", "B"])
    sizes = ChunkConfig(exchange_target_words=120, exchange_max_words=200)
    passages = chunk(_doc(text, blocks), sizes, countries=no_countries)
    assert [(p.speakers, word_count(p.text)) for p in passages] == [(("A",), 180), (("A", "B"), 180), (("B",), 180)]
    for p in passages:
        assert text[p.char_start : p.char_end] == p.text
    # the window is A's second turn and B's first, every sentence with its own speaker
    window = passages[1]
    assert window.char_start == blocks[1].char_start and window.char_end == blocks[2].char_end
    assert {s.speaker for s in window.sentences} == {"A", "B"}
    assert [p.passage_id for p in passages] == ["d:0", "d:1", "d:2"]


def test_turns_pack_to_the_exchange_size_and_prose_to_the_prose_size():
    turn = ("This is a sentence of exactly nine words here. " * 8).strip()  # 72 words
    text, blocks = _turns([turn] * 4, ["A", "B", "A", "B"])
    config = ChunkConfig(target_words=60, max_words=100, exchange_target_words=140, exchange_max_words=220,
                         exchange_overlap=False)
    turns = chunk(_doc(text, blocks), config, countries=no_countries)
    assert [word_count(p.text) for p in turns] == [144, 144]
    prose = [Block("para", b.char_start, b.char_end) for b in blocks]
    assert [word_count(p.text) for p in chunk(_doc(text, prose), config, countries=no_countries)] == [72] * 4
