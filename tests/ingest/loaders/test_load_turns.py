import re
from pathlib import Path

import pytest

from ingest.errors import IngestError
from ingest.loaders import load
from ingest.loaders.turns import looks_like_turns, parse_head, parse_transcript, seconds, strip_editorial

CORPUS = Path(__file__).resolve().parents[3] / "corpus"
DEBATE = CORPUS / "lords-debate-western-balkans-dayton-2023-10-17.txt"
QUESTION = CORPUS / "lords-question-kosovo-2023-06-06.txt"
REPORT = CORPUS / "restoring-british-leadership-in-the-western-balkans.txt"
NEWS = CORPUS / "truss-meets-western-balkans-foreign-ministers.txt"
TIMED_HEAD = re.compile(r"^\[\d{1,2}:\d{2}(?::\d{2})?\] ", re.M)


def turns(doc):
    return [b for b in doc.blocks if b.kind == "turn"]


def speech(doc, block):
    return doc.text[block.char_start : block.char_end]


@pytest.mark.parametrize("path", [DEBATE, QUESTION], ids=["debate", "question"])
def test_corpus_transcript_turns_have_speakers_and_no_editorial_text(path):
    doc = load(path)
    assert doc.kind == "transcript"
    assert doc.doc_id == path.stem and doc.source == str(path)
    blocks = turns(doc)
    assert len(blocks) >= 8
    assert blocks == list(doc.blocks)
    for block in blocks:
        # a bare name, or a name and the office the record gives the person ("Lord X (Minister of State)")
        assert block.speaker and re.fullmatch(r"[^()\[\]:]+(?: \([^()\[\]:]+\))?", block.speaker)
        assert speech(doc, block) == speech(doc, block).strip() != ""
    # Turns are the whole text, a blank line apart; nothing else is in it.
    assert doc.text == "\n\n".join(speech(doc, b) for b in blocks)
    for editorial in ("[", "]", "speech continues", "GAP", "FRAGMENT", "COMPLETE", "speaker inferred", "#"):
        assert editorial not in doc.text
    assert "Open Parliament Licence" not in doc.text
    assert "Open Parliament Licence v3.0" in doc.meta["licence"]


@pytest.mark.parametrize("path", [DEBATE, QUESTION], ids=["debate", "question"])
def test_a_turn_has_a_time_exactly_where_the_source_shows_one(path):
    doc = load(path)
    timed = [b for b in turns(doc) if b.start_s is not None]
    assert len(timed) == len(TIMED_HEAD.findall(path.read_text(encoding="utf-8")))
    assert all(b.end_s is None for b in turns(doc))


def test_debate_speakers_times_and_header():
    doc = load(DEBATE)
    assert doc.title == "Western Balkans: Dayton Peace Agreement (Question for Short Debate)"
    assert doc.meta["date"] == "2023-10-17"
    assert doc.meta["header"].startswith("Western Balkans: Dayton")
    by_speaker = {b.speaker: b for b in turns(doc)}
    assert by_speaker["Lord Alderdice"].start_s == 18 * 3600 + 47 * 60
    assert speech(doc, by_speaker["Lord Alderdice"]).startswith("My Lords, during a meeting")
    assert by_speaker["The Earl of Sandwich"].start_s is None
    minister = by_speaker["Lord Ahmad of Wimbledon"]
    assert minister.start_s is None and speech(doc, minister).startswith("My Lords, first, I join")
    assert "Lord Alderdice (Liberal Democrat)" in doc.meta["speakers"].split("; ")
    assert "Minister replying; time not shown" in doc.meta["turn_notes"]


def test_a_speech_over_several_lines_stays_one_turn():
    doc = load(DEBATE)
    opening = turns(doc)[1]
    text = speech(doc, opening)
    assert opening.speaker == "Baroness Helic"
    assert text.startswith("My Lords, I declare my interest")
    assert "\nFor two decades, our policy" in text
    assert text.endswith("will change over the long term.")


def test_question_gives_the_minister_his_office_and_keeps_the_party_out_of_the_speaker():
    doc = load(QUESTION)
    assert doc.meta["date"] == "2023-06-06"
    assert doc.title == "Kosovo and the Western Balkans Region (Oral Question)"
    first, second = turns(doc)[:2]
    assert (first.speaker, first.start_s) == ("Baroness Helic", 15 * 3600 + 9 * 60)
    # the first heading's office (its first comma part) stays with every later turn of his
    assert second.speaker == "Lord Ahmad of Wimbledon (Minister of State)"
    assert (
        "Lord Ahmad of Wimbledon (The Minister of State, Foreign, Commonwealth and Development Office) (Con)"
        in (doc.meta["speakers"])
    )
    assert "speaker inferred" in doc.meta["turn_notes"]
    assert "FRAGMENT A" in doc.meta["editorial"]
    cut = next(b for b in turns(doc) if speech(doc, b).endswith("paying tribute to the"))
    assert cut.speaker == "Lord Ahmad of Wimbledon (Minister of State)"


@pytest.mark.parametrize("path", [REPORT, NEWS], ids=["report", "news"])
def test_prose_documents_are_not_taken_for_transcripts(path):
    assert not looks_like_turns(path.read_text(encoding="utf-8"))


def test_a_report_with_labelled_paragraphs_is_not_a_transcript():
    text = (
        "Energy Outlook\n\nDemand grew by 3% in 2023, led by industry.\n\n"
        "Note: figures are provisional.\n\nPrices fell in the second half of the year.\n\n"
        "Source: national statistics office.\n\nThe outlook for 2024 is uncertain."
    )
    assert not looks_like_turns(text)


@pytest.mark.parametrize(
    "text",
    [
        "HOST: Welcome back.\nGUEST: Thanks.\nHOST: Let us start.",
        "[00:00:05] Alice Smith: Hello there.\n\n[00:01:02] Bob Jones: Hi.\n\n[00:02:00] Alice Smith: So.",
        "Q: What happened?\n\nA: A lot.\n\nQ: And then?\n\nA: Nothing.",
    ],
    ids=["line-per-turn", "podcast", "interview"],
)
def test_common_transcript_forms_are_detected(text):
    assert looks_like_turns(text)


def test_podcast_timestamps_are_seconds_and_speakers_bare_names():
    text = "[00:00:05] Alice Smith: Hello there.\n\n[00:01:02] Bob Jones (guest): Hi.\nGood to be here."
    parsed = parse_transcript(text)
    blocks = parsed.blocks
    assert [(b.speaker, b.start_s) for b in blocks] == [("Alice Smith", 5.0), ("Bob Jones", 62.0)]
    assert parsed.text[blocks[1].char_start : blocks[1].char_end] == "Hi.\nGood to be here."
    assert parsed.meta["speakers"] == "Alice Smith; Bob Jones (guest)"
    assert parsed.title is None


def test_turns_without_blank_lines_split_at_each_speaker():
    parsed = parse_transcript("HOST: Welcome back.\nGUEST: Thanks.\nHOST: Let us start.")
    assert [(b.speaker, parsed.text[b.char_start : b.char_end]) for b in parsed.blocks] == [
        ("HOST", "Welcome back."),
        ("GUEST", "Thanks."),
        ("HOST", "Let us start."),
    ]


def test_text_after_a_gap_note_is_not_given_to_the_previous_speaker():
    text = "Alice: One.\n\nBob: Two.\n\n[GAP: a page is missing\nfrom the source]\n\nand so we agreed.\n\nAlice: Three."
    parsed = parse_transcript(text)
    assert [b.speaker for b in parsed.blocks] == ["Alice", "Bob", None, "Alice"]
    assert parsed.blocks[2].kind == "para"
    assert "a page is missing from the source" in parsed.meta["editorial"]
    assert "GAP" not in parsed.text


@pytest.mark.parametrize(
    ("line", "speaker", "start", "notes"),
    [
        ("[18:47] Lord Alderdice (Liberal Democrat): My Lords", "Lord Alderdice", 67620.0, ()),
        ("Baroness Helic (Con) [Question]: To ask", "Baroness Helic", None, ("Question",)),
        ("The Earl of Sandwich (Crossbench): My Lords", "The Earl of Sandwich", None, ()),
        ("SPEAKER_01: yes", "SPEAKER_01", None, ()),
        ("Speaker 2 [00:10:00]: yes", "Speaker 2", 600.0, ()),
        ("Dr. Jane O'Neil: Right.", "Dr. Jane O'Neil", None, ()),
    ],
)
def test_turn_heads(line, speaker, start, notes):
    head = parse_head(line)
    assert head is not None
    assert (head.speaker, head.start_s, head.notes) == (speaker, start, notes)


@pytest.mark.parametrize(
    "line",
    [
        "He said: this is not a turn.",
        "The UK thinks: maybe.",
        "See https://example.org/x for details",
        "Briefly in my remarks today, I will touch on three aspects: how reform of Dayton",
        "At 18:47 the House sat.",
        "The answer to that (as I said before): is no.",
        "The report (published in May): says more.",
    ],
)
def test_prose_lines_are_not_turn_heads(line):
    assert parse_head(line) is None


@pytest.mark.parametrize(
    ("line", "speaker", "office", "start"),
    [
        ("The Minister for Europe (Stephen Doughty): I thank the hon. Member.", "Stephen Doughty",
         "Minister for Europe", None),
        ("The Minister of State, Foreign, Commonwealth and Development Office (Stephen Doughty): Thank you.",
         "Stephen Doughty", "Minister of State, Foreign, Commonwealth and Development Office", None),
        ("[14:02] The Secretary of State for Foreign, Commonwealth and Development Affairs (Mr David Lammy): Yes.",
         "Mr David Lammy", "Secretary of State for Foreign, Commonwealth and Development Affairs", 50520.0),
    ],
)
def test_an_office_before_its_holder_heads_the_holders_turn(line, speaker, office, start):
    head = parse_head(line)
    assert head is not None
    assert (head.speaker, head.office, head.start_s) == (speaker, office, start)


def test_a_role_with_its_holders_bare_name_keeps_the_holder():
    parsed = parse_transcript("The Prime Minister (Keir Starmer): I thank my hon. Friend.\n\n"
                              "Priti Patel (Witham) (Con): Will he answer?\n\n"
                              "The Prime Minister: I have answered.\n")
    assert [b.speaker for b in parsed.blocks] == [
        "The Prime Minister (Keir Starmer)", "Priti Patel", "The Prime Minister (Keir Starmer)"]
    # an office in the parentheses is not who holds the role
    assert parse_transcript("The Honourable Patty Hajdu (Minister of Health): Yes.\n\n"
                            "The Honourable Patty Hajdu: No.\n").blocks[0].speaker == "The Honourable Patty Hajdu"


def test_a_commons_minister_keeps_one_label_with_the_office_over_every_turn():
    parsed = parse_transcript(
        "Mr Speaker: Order. Questions to the Foreign Secretary.\n\n"
        "Priti Patel (Witham) (Con): What steps is the Government taking on Kosovo?\n\n"
        "The Minister for Europe, North America and Overseas Territories (Stephen Doughty): We are working with "
        "partners in Kosovo.\n\n"
        "Priti Patel: Will he go further?\n\n"
        "Stephen Doughty: I will.\n")
    said = [(b.speaker, parsed.text[b.char_start : b.char_end]) for b in parsed.blocks]
    minister = "Stephen Doughty (Minister for Europe, North America and Overseas Territories)"
    assert said == [
        ("Mr Speaker", "Order. Questions to the Foreign Secretary."),
        ("Priti Patel", "What steps is the Government taking on Kosovo?"),
        (minister, "We are working with partners in Kosovo."),
        ("Priti Patel", "Will he go further?"),
        (minister, "I will."),
    ]


def test_editorial_brackets_are_removed_but_inserted_words_stay():
    text, notes = strip_editorial("It was [APPLAUSE] agreed by the [EU] council.\n[... speech continues ...]")
    assert text == "It was agreed by the [EU] council."
    assert sorted(notes) == ["... speech continues ...", "APPLAUSE"]


def test_clock_times_are_seconds_since_midnight():
    assert seconds("18:47") == 67620.0
    assert seconds("1:02:03,5") == 3723.5
    assert seconds("18:75") is None
    assert seconds("Question") is None


def test_a_markdown_transcript_is_recognised_from_its_content(tmp_path):
    path = tmp_path / "interview.md"
    path.write_text("# An interview\n\nHOST: Welcome.\n\nGUEST: Thank you.\n\nHOST: First question.\n")
    doc = load(path)
    assert doc.kind == "transcript" and doc.title == "An interview"
    assert [b.speaker for b in doc.blocks] == ["HOST", "GUEST", "HOST"]


def test_a_transcript_with_only_editorial_notes_is_refused(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("[10:00] Alice: [... not included ...]\n\n[10:05] Bob: [INAUDIBLE]\n")
    with pytest.raises(IngestError, match="no speech"):
        load(path)


HEARING = """# title: Special Committee on the Pandemic (meeting 14)
# source: the committee's published record
# licence: Open Parliament Licence

The Chair (Hon. Anthony Rota, NipissingTimiskaming, Lib.): I call this meeting to order.

Hon. Ahmed Hussen: Thank you, Mr. Chair. The summer jobs program helps students.

The Chair: Thank you, Minister. We now go to Mr. Epp.

The Acting Chair (Mr. Bruce Stanton): Order. Mr. Epp has the floor.

Mr. Dave Epp (ChathamKent, CPC): My question is for the minister.

The Chair: Time is up.
"""


def test_key_value_header_lines_are_metadata_and_give_the_title(tmp_path):
    path = tmp_path / "covid_14.txt"
    path.write_text(HEARING, encoding="utf-8")
    doc = load(path)
    assert doc.kind == "transcript"
    assert doc.title == "Special Committee on the Pandemic (meeting 14)"
    assert doc.meta["source"] == "the committee's published record"
    assert doc.meta["licence"] == "Open Parliament Licence"
    assert "title:" not in doc.text and "#" not in doc.text


def test_an_office_named_with_its_holder_keeps_the_holder_on_later_turns(tmp_path):
    path = tmp_path / "covid_14.txt"
    path.write_text(HEARING, encoding="utf-8")
    doc = load(path)
    assert [b.speaker for b in turns(doc)] == [
        "The Chair (Hon. Anthony Rota)", "Hon. Ahmed Hussen", "The Chair (Hon. Anthony Rota)",
        "The Acting Chair (Mr. Bruce Stanton)", "Mr. Dave Epp", "The Chair (Hon. Anthony Rota)"]
    assert speech(doc, turns(doc)[0]) == "I call this meeting to order."
    # a party in parentheses is an affiliation, not an office holder
    assert parse_transcript("Lord Alderdice (Liberal Democrat): Yes.\n\nLord Alderdice (Liberal Democrat): No.\n"
                            ).blocks[0].speaker == "Lord Alderdice"


QMSUM = Path(__file__).resolve().parents[3] / ".." / "shared" / "eval" / "qmsum-dev" / "docs"


def test_the_committee_meetings_of_the_development_set_read_as_transcripts():
    if not QMSUM.is_dir():
        pytest.skip(f"SKIPPED LOUDLY: development set not found at {QMSUM}")
    for path in sorted(QMSUM.glob("*.txt")):
        doc = load(path)
        assert doc.kind == "transcript" and not doc.title.startswith("title:")
        blocks = turns(doc)
        assert len(blocks) >= 100 and all(b.speaker for b in blocks)
        assert not any(b.speaker == "The Chair" for b in blocks)
