"""Rewrite a short follow-up against the previous question, so retrieval has its context (pure).

The rule is general, not fitted to any question set:

* A question is a follow-up when it opens with a continuation cue ("and",
  "what about", ...) and is short, or has no content words of its own
  ("why?"), or is short and refers back with a pronoun ("who said that?").
  Anything else is self-contained and comes back unchanged.
* "and what about Kosovo?" names a new subject: it takes the place of the
  previous question's subject of the same kind (a name for a name, a person
  with a title for a person, a year for a year): "What weapons has Serbia
  bought?" -> "What weapons has Kosovo bought?". Whatever finds no slot is
  added at the end ("and in 2021?" -> "... bought in 2021?").
* Any other follow-up ("why?", "who said that?", "did Kosovo buy them?")
  is appended to the previous question, which supplies what it points back to.

The rewrite is for retrieval; its grammar is best effort.
"""

from __future__ import annotations

import re

from chat.terms import STOPWORDS, content_words
from ingest.titles import PERSON_TITLES

MAX_CUED_WORDS = 10  # "and what about X?" style follow-ups are short
MAX_REFERRING_WORDS = 6  # "who said that?", "is it true?"

_TOKEN = re.compile(r"[\w’'.-]*\w")
# A follow-up's opening that says "same question, new subject".
_CUE = re.compile(
    r"^\s*(?:(?:and|but|or|so|also|then|plus)\b[\s,]*)*(?:(?:what|how)\s+about|what\s+of|as\s+for)?\s*",
    re.IGNORECASE,
)
_TRAILING = re.compile(r"[\s?!.,]*(?:\b(?:too|also|as\s+well|then|instead)\b)?[\s?!.,]*$", re.IGNORECASE)
_REFERRING = frozenset("it its that this these those they them their he him his she her there such".split())
# Words before a name that make it a person ("Lord Robertson", "Dr Smith"): general English titles.
_TITLES = PERSON_TITLES | frozenset(
    """king queen prince princess president minister secretary ambassador envoy general admiral senator governor
    mayor chancellor""".split()
)
# Adjectives of nationality ("Chinese", "Russian", "British"): an adjective replaces an adjective.
_DEMONYM = re.compile(r"(?:ese|ish|ian|ean|ican|ch)$", re.IGNORECASE)
_JOINERS = frozenset({"of", "and", "de", "the"})
_QUESTION_OPENERS = frozenset(
    """what which who whom whose why how when where did does do is are was were has have had can could
    will would should shall may might must""".split()
)


def resolve_followup(question: str, previous: str | None) -> str:
    """``question`` made self-contained using ``previous``; unchanged when it already is."""
    if not previous or not previous.strip() or not is_followup(question):
        return question
    previous = previous.strip()
    cue = _CUE.match(question.strip())
    new = _TRAILING.sub("", question.strip()[cue.end() if cue else 0 :])
    if not content_words(new) or not _elliptical(question):
        # "why?", "is it true?", "did Kosovo buy them?": a question of its own pointing back.
        return f"{previous} {question.strip()}"
    names = _runs(new, skip_first=False)
    rewritten, used = previous, []
    for start, end, kind in names:
        slot = _slot(rewritten, kind)
        if slot is None:
            continue
        rewritten = _replace(rewritten, slot, new[start:end])
        used.append((start, end))
    rest = new
    for start, end in sorted(used, reverse=True):
        rest = rest[:start] + rest[end:]
    rest = " ".join(rest.split())
    if content_words(rest) or not used:
        swapped = _swap_noun_phrase(rewritten, rest or new)
        rewritten = swapped or f"{rewritten.rstrip('?.! ')} {rest or new}?"
    return rewritten


_DETERMINERS = frozenset("the a an this that these those its their his her our".split())


def _swap_noun_phrase(previous: str, phrase: str) -> str | None:
    """ "the middle bridge" after "Who built the oldest bridge in Eastford?" takes the place of
    "the oldest bridge": a noun phrase replaces the previous one with the same head noun."""
    words = phrase.split()
    if not words or len(words) > 4:
        return None
    head = words[-1].lower()
    tokens = list(re.finditer(r"[\w’'-]+", previous))
    at = next((i for i in range(len(tokens) - 1, -1, -1) if tokens[i].group().lower() == head), None)
    if at is None:
        return None
    start = at
    while start > 0 and at - start < 3:
        word = tokens[start - 1].group()
        if word.lower() in _DETERMINERS:
            start -= 1
            break
        if word[0].isupper() or word.lower() in STOPWORDS:
            break
        start -= 1
    return previous[: tokens[start].start()] + phrase + previous[tokens[at].end() :]


def is_followup(question: str) -> bool:
    """Short and elliptical after a cue, empty of content, or short and pointing back."""
    tokens = [t.lower() for t in _TOKEN.findall(question)]
    if not tokens:
        return False
    own = [w for w in content_words(question) if w not in _REFERRING]
    referring = any(t in _REFERRING for t in tokens)
    return (
        (_elliptical(question) and len(tokens) <= MAX_CUED_WORDS)
        or not own
        or (referring and len(tokens) <= MAX_REFERRING_WORDS)
    )


def _elliptical(question: str) -> bool:
    """A cue and then no question of its own: "and Kosovo?", but not "and what did Serbia buy?"."""
    cue = _CUE.match(question.strip())
    if not cue or not cue.group(0).strip():
        return False
    rest = [t.lower() for t in _TOKEN.findall(question.strip()[cue.end() :])]
    return bool(rest) and rest[0] not in _QUESTION_OPENERS


def _kind(words: list[str]) -> str:
    if words[0].isdigit():
        return "number"
    if words[0].lower() in _TITLES:
        return "person"
    if len(words) == 1 and _DEMONYM.search(words[0]):
        return "demonym"
    return "name"


def _runs(text: str, skip_first: bool) -> list[tuple[int, int, str]]:
    """Spans of proper names (capitalised runs, "Bosnia and Herzegovina") and numbers, with their kind."""
    tokens = list(_TOKEN.finditer(text))
    out: list[tuple[int, int, str]] = []
    i = 1 if skip_first else 0
    while i < len(tokens):
        word = tokens[i].group(0)
        if word.isdigit():
            out.append((tokens[i].start(), tokens[i].end(), "number"))
            i += 1
            continue
        if not word[0].isupper() or word == "I" or (word.lower() in STOPWORDS and word.lower() not in _TITLES):
            i += 1
            continue
        j = i + 1
        while j < len(tokens):
            w = tokens[j].group(0)
            if w[0].isupper():
                j += 1
            elif w in _JOINERS and j + 1 < len(tokens) and tokens[j + 1].group(0)[0].isupper():
                j += 2
            else:
                break
        run = [t.group(0) for t in tokens[i:j]]
        out.append((tokens[i].start(), tokens[j - 1].end(), _kind(run)))
        i = j
    return out


def _slot(text: str, kind: str) -> tuple[int, int] | None:
    """The previous question's name of the same kind, preferring one not after "the" (the subject)."""
    slots = [(s, e) for s, e, k in _runs(text, skip_first=True) if k == kind]
    if not slots:
        return None
    bare = [(s, e) for s, e in slots if not re.search(r"\bthe\s+$", text[:s], re.IGNORECASE)]
    return (bare or slots)[0]


def _replace(text: str, slot: tuple[int, int], name: str) -> str:
    start, end = slot
    old = text[start:end]
    possessive = re.search(r"[’']s$", old)
    name = re.sub(r"[’']s$", "", name) + (possessive.group(0) if possessive else "")
    before = text[:start]
    if re.search(r"\bthe\s+$", before, re.IGNORECASE) and not name.lower().startswith("the "):
        before = re.sub(r"\bthe\s+$", "", before, flags=re.IGNORECASE)
    return before + name + text[end:]
