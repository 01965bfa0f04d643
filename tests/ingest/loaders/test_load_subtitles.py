import pytest

from ingest.errors import IngestError
from ingest.loaders import load
from ingest.loaders.subtitles import MAX_WORDS, Cue, merge_cues

VTT = """WEBVTT - Panel on the Western Balkans

NOTE recorded in London

1
00:00:01.000 --> 00:00:04.500
<v Roger Bingham>We are in London
and it's cold &amp; wet.

00:00:04.500 --> 00:00:07.250
<v Roger Bingham>We're at the <i>conference</i> centre.

00:01:07.250 --> 00:01:09.000 align:start
<v.loud Neil Tyson>Yes. [LAUGHTER]

00:01:09.000 --> 00:01:10.000
[MUSIC]
"""

SRT = """1
00:00:01,000 --> 00:00:04,000
HOST: Welcome to the show.

2
00:00:04,500 --> 00:00:06,000
<i>Today we talk about Kosovo.</i>

3
01:02:03,250 --> 01:02:05,000
GUEST: Thanks for having me.
"""


def spans(doc):
    return [(b.speaker, b.start_s, b.end_s, doc.text[b.char_start : b.char_end]) for b in doc.blocks]


def test_vtt_voice_tags_give_speakers_and_cue_times_in_seconds(tmp_path):
    path = tmp_path / "panel.vtt"
    path.write_text(VTT, encoding="utf-8")
    doc = load(path)
    assert doc.kind == "transcript" and doc.title == "Panel on the Western Balkans"
    assert spans(doc) == [
        ("Roger Bingham", 1.0, 7.25, "We are in London and it's cold & wet. We're at the conference centre."),
        ("Neil Tyson", 67.25, 69.0, "Yes."),
    ]
    assert all(b.kind == "turn" for b in doc.blocks)
    assert "<" not in doc.text and "LAUGHTER" not in doc.text and "MUSIC" not in doc.text
    assert doc.meta["speakers"] == "Roger Bingham; Neil Tyson"


def test_srt_name_labels_carry_over_to_unlabelled_cues(tmp_path):
    path = tmp_path / "show.SRT"  # suffix case does not matter
    path.write_text(SRT, encoding="utf-8")
    doc = load(path)
    assert spans(doc) == [
        ("HOST", 1.0, 6.0, "Welcome to the show. Today we talk about Kosovo."),
        ("GUEST", 3723.25, 3725.0, "Thanks for having me."),
    ]
    assert doc.title == "Show"


def test_cues_without_speakers_merge_into_passage_sized_blocks():
    sentence = "This is one short sentence of eight words."
    cues = [Cue(float(i), i + 1.0, sentence) for i in range(100)]
    blocks = merge_cues(cues)
    assert 1 < len(blocks) < 100
    assert blocks[0].start_s == 0.0 and blocks[-1].end_s == 100.0
    assert all(len(b.text.split()) <= MAX_WORDS for b in blocks)
    assert all(b.text.endswith(".") for b in blocks)
    assert " ".join(b.text for b in blocks) == " ".join([sentence] * 100)
    for before, after in zip(blocks, blocks[1:], strict=False):
        assert before.end_s == after.start_s


def test_a_change_of_speaker_always_starts_a_new_block():
    cues = [Cue(0, 1, "Hi.", "A"), Cue(1, 2, "Hello.", "B"), Cue(2, 3, "Bye.", "A")]
    assert [b.speaker for b in merge_cues(cues)] == ["A", "B", "A"]


def test_malformed_subtitles_are_an_ingest_error(tmp_path):
    path = tmp_path / "broken.srt"
    path.write_text("this is not\na subtitle file\n", encoding="utf-8")
    with pytest.raises(IngestError, match="broken.srt"):
        load(path)


def test_vtt_without_cues_is_refused(tmp_path):
    path = tmp_path / "nothing.vtt"
    path.write_text("WEBVTT\n\nNOTE only a comment\n", encoding="utf-8")
    with pytest.raises(IngestError, match="no subtitle cues"):
        load(path)
