"""Which of the index's speakers a question names (pure).

Speakers are labels as transcripts print them: "Kirsty Williams AM", "Hon.
Ahmed Hussen", "Lord Ahmad of Wimbledon", "The Chair (Hon. Anthony Rota)".
A question names one by the words of the person's name (first and last, also
run together as one word, or the surname when no other speaker shares it) or
by the office in the label ("the Chair"; "the Deputy Minister" of "Julie Morgan
AM (Deputy Minister for Health and Social Services)", which ``ingest.offices``
read from the record). The lists here are general English honorifics,
post-nominal letters and office nouns, never names from one transcript.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from ingest.offices import OFFICE_NOUNS
from ingest.titles import PERSON_TITLES

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
HONORIFICS = PERSON_TITLES | frozenset(
    """professor hon honourable right rt marquess duchess count countess rev reverend father cllr councillor
    senator sen rep the""".split()
)
# Letters after a name: members of parliaments and assemblies, honours, degrees.
POST_NOMINALS = frozenset("am mp ms msp mla mlc mep td qc kc obe mbe cbe kbe frs phd mpp mna".split())
# Words that make the person named just before them (or after "by"/"from" following them) the one who put a
# question: "How did the Minister respond when Scheer asked ...", "a question from Helen Mary Jones".
ASKING = frozenset("asked asks asking questioned questioning pressed pressing queried raised raising put putting "
                   "question questions challenged".split())
# ... or before them: "in answering Lord Collins", "replying to Ms Jones" (the one answered asked).
ANSWERING = frozenset("answering answered answer replying replied reply responding responded respond response "
                      "rebutting".split())
PARTICLES = frozenset("of de da das do dos del della di van von der den ten ter la le les du al el bin ibn".split())


def _words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


@dataclass(frozen=True, slots=True)
class Speaker:
    label: str  # as the index stores it
    name: tuple[str, ...]  # the words of the person's name, lower-case, no honorifics
    surname: str | None  # the word a person is called by alone ("Williams", "Ahmad" of "Lord Ahmad of X")
    office: tuple[str, ...]  # "The Acting Chair (...)" -> ("acting", "chair")


@lru_cache(maxsize=1 << 16)  # pure, and a Speaker is frozen: each label of an index is parsed once
def parse_speaker(label: str) -> Speaker:
    office: tuple[str, ...] = ()
    person = label
    role = re.match(r"^The\s+([^()]+?)\s*(?:\((.*)\))?\s*$", label)
    held = re.match(r"^([^()]+?)\s*\(([^()]*)\)\s*$", label)  # "Julie Morgan AM (Deputy Minister for ...)"
    if role:
        office = tuple(_words(role[1]))
        person = role[2] or ""
    elif held:
        person, office = held[1], tuple(_words(held[2]))
    raw = _words(person)
    name = tuple(w for w in raw if w not in HONORIFICS and w not in POST_NOMINALS and w not in PARTICLES)
    surname = None
    if name:
        # "Lord Ahmad of Wimbledon": a peer is called by the word before "of"
        before_of = [raw[i - 1] for i in range(1, len(raw)) if raw[i] == "of" and raw[i - 1] in name]
        surname = before_of[0] if before_of else name[-1]
    return Speaker(label, name, surname, office)


@dataclass(frozen=True, slots=True)
class Mention:
    labels: tuple[str, ...]  # every speaker label the mention fits (one person may have several)
    at: int  # word position in the question
    possessive: bool  # "X's question", "when X asked": the question is about someone else's words


def _find(seq: list[str], part: tuple[str, ...]) -> int | None:
    n = len(part)
    return next((i for i in range(len(seq) - n + 1) if tuple(seq[i : i + n]) == part), None)


@dataclass(frozen=True, slots=True)
class _Directory:
    """An index's speakers, looked up by the words of their names and offices (built once per label set)."""

    by_word: dict[str, tuple[int, ...]]  # a word of a name or office (or a name run together) -> speakers
    speakers: tuple[Speaker, ...]
    by_surname: dict[str, frozenset[tuple[str, ...]]]  # surname -> the names of the people who have it
    same_person: dict[tuple[str, ...], tuple[str, ...]]  # a person's name -> every label they speak under


@lru_cache(maxsize=8)  # one per index: the reader hands out the same tuple of labels until the store changes
def _index_directory(labels: tuple[str, ...]) -> _Directory:
    return _directory(labels)


def _directory(labels: Iterable[str]) -> _Directory:
    speakers = tuple(parse_speaker(label) for label in dict.fromkeys(labels) if label)
    by_word: dict[str, list[int]] = {}
    by_surname: dict[str, set[tuple[str, ...]]] = {}
    same_person: dict[tuple[str, ...], list[str]] = {}
    for i, sp in enumerate(speakers):
        for word in {*sp.name, *sp.office, "".join(sp.name[-2:])}:
            by_word.setdefault(word, []).append(i)
        if sp.surname:
            by_surname.setdefault(sp.surname, set()).add(sp.name)
        if sp.name:
            same_person.setdefault(sp.name, []).append(sp.label)
    return _Directory({w: tuple(v) for w, v in by_word.items()}, speakers,
                      {k: frozenset(v) for k, v in by_surname.items()}, {k: tuple(v) for k, v in same_person.items()})


def mentions(question: str, labels: Iterable[str]) -> list[Mention]:
    """The speakers the question names, in the order it names them."""
    typed = _WORD.findall(question)
    asked = [w.lower().replace("’", "'") for w in typed]
    bare = [w[:-2] if w.endswith("'s") else w for w in asked]
    # A surname alone is a name only where it is written as one ("Young", not "young people"), unless the
    # question is typed all in lower case.
    lower_case = not any(w[:1].isupper() for w in typed[1:])
    present = set(bare)
    # an index's labels (a tuple) are looked up in its directory, built once; a few passages' labels directly
    directory = _index_directory(labels) if isinstance(labels, tuple) else _directory(labels)
    # only the speakers the question shares a word with can be named by it, found through the words
    speakers = [directory.speakers[i] for i in sorted({i for w in present for i in directory.by_word.get(w, ())})]
    by_surname = directory.by_surname
    same_person = directory.same_person
    found: dict[tuple[str, ...], tuple[dict[str, None], int, bool]] = {}  # key -> labels, where, possessive
    offices: list[tuple[tuple[int, int, int], Speaker]] = []  # (where, words skipped), speaker

    def asks_here(at: int, end: int) -> bool:
        """ "when Scheer asked", "a question from Helen Mary Jones", "in answering Lord Collins": the one who
        asks, not the one asked about"""
        while at > 0 and bare[at - 1] in HONORIFICS and bare[at - 1] != "the":  # "Lord Collins", "Mr Chong"
            at -= 1
        return (end < len(bare) and bare[end] in ASKING) or (at > 0 and bare[at - 1] in ANSWERING) or (
            at > 1 and bare[at - 1] in ("by", "from") and bare[at - 2] in ASKING) or (
            at > 1 and bare[at - 1] == "to" and bare[at - 2] in ANSWERING)

    def office_run(office: tuple[str, ...]) -> tuple[int, int, int] | None:
        """Where the question says "the <words of the office>" ("the Deputy Minister" of "Deputy Minister for
        Health and Social Services", "the chief inspector"): the longest run after a "the" that stands in
        the office in order and holds an office noun, with the office words it skips at the start."""
        best = None
        for at in (i for i, w in enumerate(bare) if w == "the"):
            for start in (j for j, w in enumerate(office) if at + 1 < len(bare) and w == bare[at + 1]):
                n = 0
                while start + n < len(office) and at + 1 + n < len(bare) and office[start + n] == bare[at + 1 + n]:
                    n += 1
                if not OFFICE_NOUNS.isdisjoint(office[start : start + n]) and (
                        best is None or (n, -start) > (best[1] - best[0] - 1, -best[2])):
                    best = (at, at + 1 + n, start)
        return best

    def find(part: tuple[str, ...]) -> int | None:  # most labels share no word with the question
        return _find(bare, part) if part[0] in present else None

    def as_name(word: str) -> int | None:  # "Young", not "young people"
        if word not in present:
            return None
        return next((i for i, w in enumerate(bare) if w == word and (lower_case or typed[i][:1].isupper())), None)

    def add(key: tuple[str, ...], label: str, at: int, end: int) -> None:
        possessive = asked[end - 1].endswith("'s") or asks_here(at, end)
        old = found.get(key)
        if old is None:
            found[key] = ({label: None}, at, possessive)  # labels in order, as a dict: one lookup to add one
        else:
            old[0][label] = None
            found[key] = (old[0], min(old[1], at), old[2] and possessive)

    for s in speakers:
        if len(s.name) >= 2 and (at := find(s.name[-2:])) is not None:
            add(s.name, s.label, at, at + 2)  # first and last name
        elif len(s.name) >= 2 and (at := find(("".join(s.name[-2:]),))) is not None:
            add(s.name, s.label, at, at + 1)  # the two run together ("JustinTrudeau")
        elif s.surname and len(by_surname[s.surname]) == 1 and (at := as_name(s.surname)) is not None:
            add(s.name, s.label, at, at + 1)  # the surname alone, when nobody else has it
        if s.office and (run := office_run(s.office)) is not None:
            offices.append((run, s))
    # "the Chair" is the chair rather than the acting chair, "the Minister" a minister before a deputy one:
    # of the offices a title fits, those it fits for the most words, and of them those it names from their
    # first word
    closest = min(((at - end, skip) for (at, end, skip), _ in offices), default=None)
    for (at, end, skip), s in offices:
        if (at - end, skip) == closest:
            for label in (s.label, *same_person.get(s.name, ())):  # the person's other labels too
                add(("office", *bare[at + 1 : end]), label, at, end)
    return sorted((Mention(tuple(labels), at, possessive) for labels, at, possessive in found.values()),
                  key=lambda m: (m.possessive, m.at))


def topic_of(question: str, labels: Iterable[str]) -> str:
    """The question without the name of the person it asks about ("What did Kirsty Williams think of the
    funding?" -> "What did think of the funding?"): what the meaning-based search looks for, while that
    person is found by who speaks (``asked_speakers``). A name is mostly said by others (the chair calling
    the witness), so in the question's vector it pulls toward the wrong speeches."""
    found = mentions(question, labels)
    if not found:
        return question
    names = {w for label in found[0].labels for w in parse_speaker(label).name}
    tokens = question.split()
    named = [bool(_words(w)) and all(x.removesuffix("'s") in names for x in _words(w)) for w in tokens]
    # with the title said before the name ("Baroness Helic", "Mr Chong")
    titled = [named[i] or (i + 1 < len(tokens) and named[i + 1] and bool(_words(w))
                           and all(x in HONORIFICS for x in _words(w))) for i, w in enumerate(tokens)]
    kept = [w for w, drop in zip(tokens, titled, strict=True) if not drop]
    return " ".join(kept) if kept else question


def asked_speakers(question: str, labels: Iterable[str]) -> tuple[str, ...]:
    """Labels of the person the question asks about: the first named, unless only as "X's"."""
    found = mentions(question, labels)
    return found[0].labels if found else ()


def asker_labels(question: str, labels: Iterable[str]) -> tuple[str, ...]:
    """Labels of the people a question names only as the ones who asked ("when Helen Mary Jones asked",
    "Scheer's question"), the asked-about person aside."""
    found = mentions(question, labels)
    asked = set(found[0].labels) if found else set()
    return tuple(dict.fromkeys(label for m in found[1:] if m.possessive and asked.isdisjoint(m.labels)
                               for label in m.labels))


def askers(question: str, labels: Iterable[str]) -> frozenset[str]:
    """The name words of those who asked (``asker_labels``): the reply quoted need not name them."""
    return frozenset(w for label in asker_labels(question, labels) for w in parse_speaker(label).name)
