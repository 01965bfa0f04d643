"""The offices a transcript's speakers hold, as the transcript itself states them (pure).

A question often names a person by office ("What did the Deputy Minister say
about ...?"), and a record prints the office in two places:

* beside the name, in the speech's heading: ``Right Hon. Justin Trudeau (Prime
  Minister):``, ``The Honourable Patty Hajdu (Minister of Health):``, next to
  headings that give a constituency and party instead (``(Victoria, NDP)``);
* in the chair's welcome: ``I'm very pleased to welcome Julie Morgan AM, Deputy
  Minister for Health and Social Services; Jo-anne Daniels, director of ...``.

An office is a short noun phrase headed by an office noun (minister, secretary,
chair, director, inspector, ...): general English, never names from one
record. A phrase is taken only right after a speaker's own name and a comma,
and only when it reads as a title (the office noun stands
within its first four words, and what follows it is "of/for/at ...", a
capitalised word or nothing), so a sentence that merely goes on after a name
("Julie Morgan, head teachers are ...") gives nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

OFFICE_NOUNS = frozenset(
    """minister secretary chair chairman chairwoman chairperson president premier chancellor speaker commissioner
    director inspector governor mayor leader chief head officer ambassador envoy attorney solicitor advocate
    ombudsman auditor registrar treasurer clerk executive manager adviser advisor spokesperson spokesman
    spokeswoman representative superintendent principal dean rector provost judge coordinator convener convenor
    rapporteur controller administrator commander general""".split()
)
# After the office noun a title goes on with "of/for/at ..." or capitalised words, or stops.
_LINKS = frozenset("of for at to in on and the".split())
_NAME_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
_WELCOME_END = re.compile(r"[;:!?()\n]|\.(?:\s|$)|,\s|\swho\s")
MAX_WORDS = 12


def _words(text: str) -> list[str]:
    return _NAME_WORD.findall(text)


def title_of(phrase: str) -> str | None:
    """``phrase`` when it reads as an office ("Deputy Minister for Health and Social Services", "Her Majesty's
    chief inspector", "strategic director"), else None: an office noun among its first four words, the last
    of a run of them ("chief inspector"), followed by nothing, "of/for/at ..." or a capitalised word."""
    words = _words(phrase)
    if not words or len(words) > MAX_WORDS:
        return None
    heads = [i for i, w in enumerate(words[:4]) if w.lower().rstrip(".") in OFFICE_NOUNS]
    if not heads:
        return None
    head = heads[0]
    while head + 1 < len(words) and words[head + 1].lower().rstrip(".") in OFFICE_NOUNS:
        head += 1
    after = words[head + 1] if head + 1 < len(words) else None
    if after is not None and after.lower() not in _LINKS and not after[0].isupper():
        return None
    return re.sub(r"^(?:the|a|an)\s+", "", " ".join(phrase.split()), flags=re.I)


def office_in_aside(aside: str) -> str | None:
    """The office a speech's heading gives in parentheses: "(Prime Minister)" -> "Prime Minister";
    a constituency and party ("(Brampton North, Lib.)") is none."""
    parts = [p.strip() for p in aside.strip().strip("()").split(",")]
    return next((t for t in map(title_of, parts) if t), None)


def _core_name(name: str) -> str | None:
    """The words of a speaker's name as a text writes it, lower-cased: no title before it ("Hon.", "Mr."), no
    letters after it ("AM"); None for a single word (too easily another word)."""
    words = [w for w in _words(name) if not w.endswith(".") and not (w.isupper() and len(w) <= 3)]
    return " ".join(w.lower() for w in words) if len(words) >= 2 else None


# A run of capitalised words, maybe letters after it, then a comma: where a name may stand before its office.
_NAMED = re.compile(r"(?<![\w'’-])((?:[A-Z][\w'’-]*\s+){1,5}[A-Z][\w'’-]*),\s+(?:who\s+is\s+)?")
_NAME_RUN = re.compile(r"(?<![\w'’-])(?:[A-Z][\w'’-]*\s+){1,5}[A-Z][\w'’-]*")


def offices_in_text(text: str, speakers: Iterable[str]) -> dict[str, str]:
    """Each speaker's office as the text states it right after their name ("welcome Julie Morgan AM, Deputy
    Minister for Health and Social Services; ..."): the first such statement. One pass over the text, whatever
    the number of speakers."""
    by_name = {core: s for s in dict.fromkeys(speakers) if (core := _core_name(s))}
    found: dict[str, str] = {}

    def speaker_in(run: str) -> str | None:  # "Welcome Julie Morgan" -> "Julie Morgan AM": the run's last words
        words = run.split()
        if len(words) > 2 and words[-1].isupper() and len(words[-1]) <= 3:  # "Julie Morgan AM"
            words = words[:-1]
        words = [w.lower() for w in words]
        return next((by_name[n] for k in range(2, len(words) + 1) if (n := " ".join(words[-k:])) in by_name), None)

    for m in _NAMED.finditer(text):
        speaker = speaker_in(m[1])
        if speaker is None or speaker in found:
            continue
        rest = text[m.end() : m.end() + 200]
        end = _WELCOME_END.search(rest)
        phrase = rest[: end.start()] if end else rest
        # a list of guests goes on with the next one's name ("... Social Services and Jo-anne Daniels")
        cut = next((r.start() for r in _NAME_RUN.finditer(phrase) if speaker_in(r[0])), len(phrase))
        phrase = re.sub(r"\s+(?:and|&)\s*$", "", phrase[:cut].rstrip())
        # "chair of X and is here representing Y": the title is what stands before an "and"
        shorter = [phrase[: a.start()] for a in reversed(list(re.finditer(r"\s(?:and|&)\s", phrase)))]
        title = next((t for t in map(title_of, [phrase, *shorter]) if t), None)
        if title:
            found[speaker] = title.rstrip(".")
    return found
