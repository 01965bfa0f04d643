"""Subtitles (.srt, .vtt) -> a transcript Document of timed "turn" blocks.

A cue is a line or two of one sentence, too short to be a passage on its
own, and the chunker never joins two turn blocks. So consecutive cues of the
same speaker are merged into one block (start of the first cue, end of the
last) until it holds about a passage's worth of words, ending at a sentence
end where it can: each passage then carries the time its words were said.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import IngestError
from ingest.loaders.common import humanise
from ingest.loaders.turns import parse_head, strip_editorial
from ingest.records import Block, Document

TARGET_WORDS = 100  # close a block at the first sentence end past this many words
MAX_WORDS = 180  # close it here even mid-sentence
_SENTENCE_END = re.compile(r"""[.!?…]["'”’)\]]*$""")
_ASS_TAG = re.compile(r"\{\\[^{}]*\}")  # "{\an8}" positioning codes some SRT files carry


@dataclass(frozen=True, slots=True)
class Cue:
    start_s: float
    end_s: float
    text: str
    speaker: str | None = None


def _cue_text(raw: str) -> tuple[str, str | None]:
    """Plain text of a cue (tags removed, entities resolved, one line) and its "NAME:" speaker."""
    lines = [html.unescape(_ASS_TAG.sub("", line)).strip() for line in raw.split("\n")]
    text, _ = strip_editorial("\n".join(line for line in lines if line))
    speaker = None
    head = parse_head(text.split("\n", 1)[0]) if text else None
    if head and head.rest:
        speaker = head.speaker
        text = "\n".join([head.rest, *text.split("\n")[1:]])
    return " ".join(text.split()), speaker


def parse_cues(text: str, fmt: str) -> tuple[list[Cue], str]:
    """Cues of an SRT ("srt") or WebVTT ("vtt") file's text, empty ones dropped, and its header title."""
    import webvtt

    parsed = webvtt.from_buffer(io.StringIO(text), format=fmt)
    cues: list[Cue] = []
    speaker: str | None = None
    for caption in parsed.captions:
        body, named = _cue_text(caption.text)
        # Subtitles name a speaker when the speaker changes: an unnamed cue continues the last one.
        speaker = (caption.voice or "").strip() or named or speaker
        if body:
            cues.append(
                Cue(
                    start_s=caption.start_time.in_milliseconds() / 1000,
                    end_s=caption.end_time.in_milliseconds() / 1000,
                    text=body,
                    speaker=speaker,
                )
            )
    # "WEBVTT - Title": the text after the signature names the file's content.
    return cues, getattr(parsed, "header_text", "").strip(" \t-–—:")


def merge_cues(cues: Iterable[Cue]) -> list[Cue]:
    """Consecutive cues of one speaker as blocks of about ``TARGET_WORDS`` words."""
    merged: list[Cue] = []
    words = 0
    for cue in cues:
        last = merged[-1] if merged else None
        full = words >= MAX_WORDS or (words >= TARGET_WORDS and _SENTENCE_END.search(last.text) is not None)
        if last is None or cue.speaker != last.speaker or full:
            merged.append(cue)
            words = len(cue.text.split())
        else:
            merged[-1] = Cue(last.start_s, cue.end_s, f"{last.text} {cue.text}", last.speaker)
            words += len(cue.text.split())
    return merged


def subtitles_document(path: Path, text: str) -> Document:
    fmt = "srt" if path.suffix.lower() == ".srt" else "vtt"
    cues, title = parse_cues(text, fmt)
    blocks = merge_cues(cues)
    if not blocks:
        raise IngestError(str(path), f"no subtitle cues with text found in this .{fmt} file")
    parts: list[str] = []
    out: list[Block] = []
    pos = 0
    for cue in blocks:
        if parts:
            pos += 2
        out.append(Block("turn", pos, pos + len(cue.text), speaker=cue.speaker, start_s=cue.start_s, end_s=cue.end_s))
        parts.append(cue.text)
        pos += len(cue.text)
    speakers = dict.fromkeys(c.speaker for c in blocks if c.speaker)
    return Document(
        doc_id=path.stem,
        title=title or humanise(path.stem),
        kind="transcript",
        source=str(path),
        text="\n\n".join(parts),
        blocks=tuple(out),
        meta={k: v for k, v in {"format": fmt, "speakers": "; ".join(speakers)}.items() if v},
    )
