"""Plain-text speaker-turn transcripts -> a Document with one "turn" block per speech.

The format (Hansard excerpts, interview and podcast transcripts)::

    # Title
    # other header lines: house, date, source, licence
    [18:47] Lord Alderdice (Liberal Democrat): My Lords, ...
    a second paragraph of the same speech
    [... speech continues; rest not included ...]

    Lord Ahmad of Wimbledon (Con) [Minister replying; time not shown]: My Lords, ...

Header lines are metadata, and square-bracketed editorial notes are not
speech: neither reaches the clean text, so no quote can contain them. The
speaker is the bare name, for citations ("Lord Alderdice, 18:47"), with the
office the record gives the person where it gives one ("Julie Morgan AM
(Deputy Minister for Health and Social Services)", ``ingest.offices``); party
and constituency go to ``meta["speakers"]``. Everything but ``transcript_document`` is pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest.errors import IngestError
from ingest.loaders.common import find_date, humanise
from ingest.offices import office_in_aside, offices_in_text, title_of
from ingest.records import Block, Document
from ingest.titles import PERSON_TITLES

_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_HEAD = re.compile(
    rf"""^[ \t]*(?:\[(?P<time>{_TIME})\][ \t]*)?
    (?P<name>[^\W\d_][^\s:()\[\],;]*(?:[ \t]+[^\s:()\[\],;]+){{0,7}}?)
    (?P<parens>(?:[ \t]*\([^()\n]*\))*)
    (?P<tags>(?:[ \t]*\[[^\[\]\n]*\])*)
    [ \t]*:(?=\s|$)[ \t]*""",
    re.X,
)
# The office first, its holder in parentheses, as the UK Commons record heads a minister's speech: "The
# Minister of State, Foreign, Commonwealth and Development Office (Stephen Doughty):".
_OFFICE_HEAD = re.compile(
    rf"""^[ \t]*(?:\[(?P<time>{_TIME})\][ \t]*)?
    (?P<office>The[ \t]+[^():\n\[\]]{{2,160}}?)[ \t]*\((?P<person>[^()\n]+)\)
    (?P<parens>(?:[ \t]*\([^()\n]*\))*)
    (?P<tags>(?:[ \t]*\[[^\[\]\n]*\])*)
    [ \t]*:(?=\s|$)[ \t]*""",
    re.X,
)
_PAREN = re.compile(r"\(([^()\n]*)\)")
_TAG = re.compile(r"\[([^\[\]\n]*)\]")
# Lower-case words that occur inside personal names and titles ("Lord Ahmad of Wimbledon").
_PARTICLES = frozenset(
    "of the de da das do dos del della di van von der den ten ter la le les du al el bin ibn bint y and".split()
)
_WHOLE_LINE_NOTE = re.compile(r"^[ \t]*\[([^\[\]]*)\][ \t]*$", re.M)
# Inline notes: "[... continues ...]", "[GAP: ...]", "[APPLAUSE]". Short all-caps brackets
# ("[EU]") are usually a word an editor put into a quote, so they stay.
_INLINE_NOTE = re.compile(r"\[((?:\.\.\.|…)[^\[\]]*|[A-Z][A-Z'\- ]*[:;][^\[\]]*|[A-Z][A-Z'\- ]{4,})\]")
_LICENCE = re.compile(r"\blicen[cs]e", re.I)
_SOURCE = re.compile(r"^source\s*:\s*", re.I)
# "# title: ..." header lines: one lower-case word, a colon, the value.
_KEY_VALUE = re.compile(r"^(?P<key>[a-z][a-z_-]{1,19})\s*:\s+(?P<value>\S.*)$")
# Honorifics that open a person's name in a parliamentary record ("Hon. Anthony Rota", "Mr. Bruce Stanton").
_HONORIFIC = re.compile(
    r"^(?:(?:Right|Rt\.?)\s+)?(?:"
    + "|".join(t.capitalize() for t in sorted(PERSON_TITLES | {"hon"}, key=lambda t: (-len(t), t)))
    + r")\.?\s+(?=[A-Z])"
)


@dataclass(frozen=True, slots=True)
class Head:
    """The opening of a turn: who speaks, when, and the editorial tags around the name."""

    speaker: str
    affiliation: str | None
    start_s: float | None
    notes: tuple[str, ...]
    rest: str  # the speech on the same line, after the colon
    office: str | None = None  # an office the heading names before the person ("The Minister for Europe (X):")


@dataclass(slots=True)
class _Turn:
    speaker: str | None
    affiliation: str | None = None
    start_s: float | None = None
    notes: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    office: str | None = None  # as the record gives it, for the label: "Julie Morgan AM (Deputy Minister ...)"


def seconds(stamp: str) -> float | None:
    """ "18:47" -> 67620.0 (HH:MM), "00:01:02.5" -> 62.5 (HH:MM:SS); None if it is not a time."""
    if not re.fullmatch(_TIME, stamp.strip()):
        return None
    parts = stamp.strip().replace(",", ".").split(":")
    hours, minutes = int(parts[0]), int(parts[1])
    secs = float(parts[2]) if len(parts) == 3 else 0.0
    if minutes > 59 or secs >= 60:
        return None
    return hours * 3600.0 + minutes * 60.0 + secs


def _name_like(name: str) -> bool:
    words = name.split()
    if not words or len(name) > 80 or not words[0][0].isupper():
        return False
    for word in words[1:]:
        core = word.strip(".'’-")
        if not core or not (core[0].isupper() or core.isdigit() or core.lower() in _PARTICLES):
            return False
    return words[-1].lower() not in _PARTICLES


def parse_head(line: str) -> Head | None:
    """The speaker and time that open ``line``, or None if it does not open a turn."""
    match = _HEAD.match(line)
    office = None
    if match and _name_like(match["name"]):
        speaker = match["name"].strip()
    else:
        # "The Secretary of State for Foreign, Commonwealth and Development Affairs (Mr David Lammy):": the
        # person speaks, holding the office; a short role with its holder ("The Chair (Hon. X):") reads above
        match = _OFFICE_HEAD.match(line)
        if not match:
            return None
        person = match["person"].split(",")[0].strip()
        office = title_of(match["office"])
        if office is None or not _name_like(person) or len(person.split()) < 2:
            return None
        speaker = person
    start = seconds(match["time"]) if match["time"] else None
    affiliation: list[str] = []
    notes: list[str] = []
    for group, pattern, keep in (("parens", _PAREN, affiliation), ("tags", _TAG, notes)):
        for inner in pattern.findall(match[group]):
            stamp = seconds(inner)
            if stamp is not None and start is None:
                start = stamp
            elif stamp is None and inner.strip():
                keep.append(inner.strip())
    return Head(
        speaker=speaker,
        affiliation=" ".join(f"({a})" for a in affiliation) or None,
        start_s=start,
        notes=tuple(notes),
        rest=line[match.end() :].strip(),
        office=office,
    )


def _is_role(speaker: str) -> bool:
    """ "The Chair", "The Acting Chair", "The Deputy Speaker": an office, not a person's name."""
    return speaker.startswith("The ") and len(speaker.split()) <= 4


def role_holder(speaker: str, affiliation: str | None) -> str | None:
    """The person who holds the office ``speaker`` names, when the record says who it is.

    ``The Chair (Hon. Anthony Rota, NipissingTimiskaming, Lib.)`` -> ``Hon. Anthony Rota``: the
    first comma part of the parentheses, when it is a name opened by an honorific; ``The Prime Minister
    (Keir Starmer)`` -> ``Keir Starmer``: parentheses that hold only a name of two to four words.
    """
    if not affiliation or not _is_role(speaker):
        return None
    for inner in _PAREN.findall(affiliation):
        parts = inner.split(",")
        person = parts[0].strip()
        if not _name_like(person) or len(person.split()) < 2:
            continue
        if _HONORIFIC.match(person) or (len(parts) == 1 and len(person.split()) <= 4 and title_of(person) is None):
            return person
    return None


def strip_editorial(text: str) -> tuple[str, list[str]]:
    """Speech without its editorial brackets, and the notes that were taken out."""
    notes: list[str] = []

    def take(match: re.Match[str]) -> str:
        notes.append(" ".join(match[1].split()))
        return ""

    text = _WHOLE_LINE_NOTE.sub(take, text)
    text = _INLINE_NOTE.sub(take, text)
    lines = (re.sub(r"[ \t]{2,}", " ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line), [n for n in notes if n]


def split_header(text: str) -> tuple[list[str], str]:
    """The leading "#" lines (without the "#") and the rest of the text."""
    lines = text.split("\n")
    header: list[str] = []
    i = 0
    while i < len(lines) and (not lines[i].strip() or lines[i].lstrip().startswith("#")):
        if lines[i].strip():
            header.append(lines[i].strip().lstrip("#").strip())
        i += 1
    return header, "\n".join(lines[i:])


def _paragraphs(body: str) -> list[str]:
    return [p.strip("\n") for p in re.split(r"\n[ \t]*\n", body) if p.strip()]


def _is_note(paragraph: str) -> bool:
    match = _WHOLE_LINE_NOTE.fullmatch(paragraph.strip())
    return bool(match) and seconds(match[1]) is None


def looks_like_turns(text: str) -> bool:
    """Whether ``text`` is a speaker-turn transcript, judged from its content.

    At least two turns; at least half of the paragraphs (editorial notes
    aside) open with a speaker; and a speaker who speaks twice or a
    timestamp, which a report's "Note: ..." paragraphs lack.
    """
    _, body = split_header(text.replace("\r\n", "\n").replace("\r", "\n"))
    paragraphs = [p for p in _paragraphs(body) if not _is_note(p)]
    if not paragraphs:
        return False
    opening = 0
    heads: list[Head] = []
    for paragraph in paragraphs:
        found = [h for h in map(parse_head, paragraph.split("\n")) if h]
        heads.extend(found)
        opening += parse_head(paragraph.split("\n", 1)[0]) is not None
    speakers = [h.speaker for h in heads]
    recurring = len(set(speakers)) < len(speakers) or any(h.start_s is not None for h in heads)
    return len(heads) >= 2 and opening * 2 >= len(paragraphs) and recurring


def _turns(body: str) -> tuple[list[_Turn], list[str]]:
    """Speeches in order. An office ("The Chair") named once with its holder keeps that holder
    on its later turns, until the record names another: the speaker reads "The Chair (Hon. X)"."""
    turns: list[_Turn] = []
    editorial: list[str] = []
    current: _Turn | None = None
    holders: dict[str, str] = {}
    for paragraph in _paragraphs(body):
        if _is_note(paragraph):
            editorial.append(" ".join(paragraph.strip()[1:-1].split()))
            current = None  # after a gap, unattributed text is not the previous speaker's
            continue
        for line in paragraph.split("\n"):
            head = parse_head(line)
            if head:
                speaker = head.speaker
                holder = role_holder(speaker, head.affiliation)
                if holder:
                    holders[speaker] = holder
                if speaker in holders:
                    speaker = f"{speaker} ({holders[speaker]})"
                current = _Turn(speaker, head.affiliation, head.start_s, list(head.notes), [head.rest], head.office)
                turns.append(current)
            elif current is None:
                current = _Turn(None, lines=[line])
                turns.append(current)
            else:
                current.lines.append(line)
    return turns, editorial


def _with_offices(turns: list[_Turn]) -> list[_Turn]:
    """Each person's turns with the office the record gives them, their label reading "Julie Morgan AM
    (Deputy Minister for Health and Social Services)": from a heading's parentheses ("(Prime Minister)"),
    else from the words right after their name in a speech (a chair's welcome). A question that names
    the office finds them, and a citation says who they are."""
    people = dict.fromkeys(t.speaker for t in turns if t.speaker and not _is_role(t.speaker) and "(" not in t.speaker)
    if not people:
        return turns
    offices: dict[str, str] = {}
    for t in turns:
        if t.speaker in people and t.speaker not in offices and (t.office or t.affiliation):
            office = t.office or next(filter(None, map(office_in_aside, _PAREN.findall(t.affiliation or ""))), None)
            if office:
                offices[t.speaker] = office
    spoken = "\n\n".join(" ".join(t.lines) for t in turns)
    for who, office in offices_in_text(spoken, [p for p in people if p not in offices]).items():
        offices[who] = office
    for t in turns:
        t.office = offices.get(t.speaker or "")
    return turns


def _header_meta(header: list[str]) -> dict[str, str]:
    meta = {"header": "\n".join(header)}
    for line in header:
        pair = _KEY_VALUE.match(line)
        if pair and pair["key"] not in meta:
            meta[pair["key"]] = pair["value"].strip()
        if "date" not in meta and (date := find_date(line)):
            meta["date"] = date
        if "licence" not in meta and _LICENCE.search(line):
            meta["licence"] = line
        if "source" not in meta and _SOURCE.match(line):
            meta["source"] = _SOURCE.sub("", line)
    return meta


@dataclass(frozen=True, slots=True)
class Transcript:
    """A parsed transcript: ``text[b.char_start:b.char_end]`` is exactly one speech.

    Turns are joined by a blank line and no editorial bracket is left in
    ``text``. ``meta``: "header" (the "#" lines), "date", "licence",
    "source", "speakers" ("Name (Party); ..."), "turn_notes" (one line per
    block with tags or cut notes, "turn N (Name): ...", N counting
    ``blocks`` from 1) and "editorial" (the notes between turns).
    """

    text: str
    blocks: tuple[Block, ...]
    meta: dict[str, str]
    title: str | None


def parse_transcript(text: str) -> Transcript:
    """The speeches, turn blocks, metadata and title of a transcript's text. Pure."""
    header, body = split_header(text.replace("\r\n", "\n").replace("\r", "\n"))
    turns, editorial = _turns(body)
    turns = _with_offices(turns)
    meta = _header_meta(header)
    parts: list[str] = []
    blocks: list[Block] = []
    labels: dict[str, str] = {}
    notes: list[str] = []
    pos = 0
    for turn in turns:
        speech, removed = strip_editorial("\n".join(turn.lines))
        if turn.speaker:
            label = f"{turn.speaker} {turn.affiliation}" if turn.affiliation else turn.speaker
            if len(label) > len(labels.get(turn.speaker, "")):
                labels[turn.speaker] = label
        if not speech:
            editorial.extend(removed)
            continue
        if parts:
            pos += 2
        kind = "turn" if turn.speaker else "para"
        speaker = f"{turn.speaker} ({turn.office})" if turn.office else turn.speaker
        blocks.append(Block(kind, pos, pos + len(speech), speaker=speaker, start_s=turn.start_s))
        parts.append(speech)
        pos += len(speech)
        if turn.notes or removed:
            notes.append(f"turn {len(blocks)} ({speaker}): " + "; ".join(turn.notes + removed))
    meta.update(
        speakers="; ".join(labels.values()),
        turn_notes="\n".join(notes),
        editorial="\n".join(editorial),
    )
    return Transcript(
        text="\n\n".join(parts),
        blocks=tuple(blocks),
        meta={k: v for k, v in meta.items() if v},
        title=meta.get("title") or (header[0] if header else None),
    )


def transcript_document(path: Path, text: str) -> Document:
    parsed = parse_transcript(text)
    if not parsed.text:
        raise IngestError(str(path), "no speech left in this transcript once editorial notes are removed")
    return Document(
        doc_id=path.stem,
        title=parsed.title or humanise(path.stem),
        kind="transcript",
        source=str(path),
        text=parsed.text,
        blocks=parsed.blocks,
        meta=parsed.meta,
    )
