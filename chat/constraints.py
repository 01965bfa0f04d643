"""The specific things a question pins its answer to, and whether a quote keeps to them (pure).

A question such as "How many troops does Turkey contribute to KFOR?" is
answered only by words about Turkey; a sentence about Hungary's troops in
KFOR is on the topic, similar in meaning, and no answer. The constraints are
what a question names rather than what it asks about in general:

* countries, by any name, demonym or capital (``ingest.countries``), so
  "American" keeps to "the United States";
* other names: words capitalised inside the question ("Bayraktar",
  "Prime Minister", "KFOR", "Mr Chong"), the question's first word excepted;
* numbers and years ("in 2024", "the 1990s", "400%").

A constraint is kept when the text around a quote holds it: the quoted
sentences, their passage's section, speaker and document title. The rules
are English orthography, general to any corpus; which share of missing
constraints makes an answer a refusal is calibrated in ``bench`` on several
corpora (``AnswerConfig``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from chat.terms import STOPWORDS, stem, words

_CAPITALISED = re.compile(r"(?<![\w'’])[A-Z][\w'’.-]*")
_RUN_TOGETHER = re.compile(r"[a-z]{2}[A-Z][a-z]{2}")
_CAMEL_PART = re.compile(r"[A-Z][a-z]+")
_JOINED = re.compile(r"\w+_\w+")
_ACRONYM_PLURAL = re.compile(r"[A-Z]{2,}s")
_ACRONYM_PLURAL_IN_TEXT = re.compile(r"\b([A-Z]{2,})s\b")
_NUMBER = re.compile(r"(?<![\w.])\d[\d,.]*(?:s\b)?")
# a date written as one dotted number ("2020.3.30.", "30.03.2020"): its day, month and year count on their own
_DOTTED_DATE = re.compile(r"\d{1,4}(?:\.\d{1,4}){2}\.?")
# A capitalised word at these positions is capitalised by grammar, not because it names something.
_CLAUSE_START = re.compile(r"(?:^|[.?!:;]\s+|[\"“(]\s*)$")
# Honorifics and the pronoun "I" are capitalised without narrowing anything on their own.
_UNSPECIFIC = frozenset({"i", "mr", "mrs", "ms", "dr", "sir", "dame", "lord", "lady", "hon"}
                        # a continent's adjective is a region too broad to pin an answer to
                        # ("Which European states ..." is answered by naming states)
                        | {"european", "african", "asian", "oceanian", "antarctic", "continental"})


@dataclass(frozen=True, slots=True)
class Constraint:
    kind: str  # "country", "name" or "number"
    text: str  # as the question writes it
    key: str  # canonical country, stemmed lower-case word, or the digits
    # a name run together where a source lost its space ("JustinTrudeau") is held by its parts too
    parts: tuple[str, ...] = ()

    def held_by(self, text_stems: set[str], countries: Iterable[str], numbers: set[str]) -> bool:
        if self.kind == "country":
            return self.key in countries
        if self.kind == "number":
            if self.key.endswith("s") and len(self.key) == 5:  # "1990s": any year of the decade
                return any(n[:3] == self.key[:3] and len(n) == 4 for n in numbers) or self.key in numbers
            return self.key in numbers
        return self.key in text_stems or bool(self.parts) and all(p in text_stems for p in self.parts)


def _digits(token: str) -> str:
    """A written number as a constraint key: "2,000" -> "2000", "3.5" and the decade "1990s" as written."""
    token = token.rstrip(".,")
    if re.fullmatch(r"\d{4}s", token):
        return token
    return re.sub(r"[,.]", "", token.split(".")[0]) if "," in token else token.rstrip("s")


def numbers_in(text: str) -> set[str]:
    """The numbers written in ``text``, normalised as constraint keys ("2,000" -> "2000", "1990s")."""
    out = set()
    for m in _NUMBER.finditer(text):
        key = _digits(m.group())
        out.add(key)
        out.add(key.rstrip("s"))
        if _DOTTED_DATE.fullmatch(m.group()):
            for part in m.group().rstrip(".").split("."):
                out.update((part, part.lstrip("0") or "0"))
    return out


@lru_cache(maxsize=256)  # pure, and Constraints are frozen: the scoring and every quote's continuation ask it
def question_constraints(question: str) -> tuple[Constraint, ...]:
    """The countries, names and numbers ``question`` names, in order, without repeats."""
    from ingest.countries import find_mentions

    mentions = find_mentions(question)
    found: list[Constraint] = [Constraint("country", m.surface, m.country) for m in mentions]
    spans = [(m.start, m.end) for m in mentions]
    for m in _CAPITALISED.finditer(question):
        start = m.start()
        if any(s <= start < e for s, e in spans) or _CLAUSE_START.search(question[:start]):
            continue
        word = m.group().rstrip(".'’-")
        for token in words(word):
            if token in STOPWORDS or token in _UNSPECIFIC or token.isdigit() or len(token) < 2:
                continue
            parts = tuple(stem(p.lower()) for p in _CAMEL_PART.findall(word)) if _RUN_TOGETHER.search(word) else ()
            # an acronym's plural ("IDs", "MPs", "NGOs") names what its singular does
            key = token[:-1] if _ACRONYM_PLURAL.fullmatch(word) else token
            found.append(Constraint("name", word, stem(key), parts if len(parts) > 1 else ()))
    for m in _NUMBER.finditer(question):
        found.append(Constraint("number", m.group(), _digits(m.group())))
    unique: dict[tuple[str, str], Constraint] = {}
    for c in found:
        unique.setdefault((c.kind, c.key), c)
    return tuple(unique.values())


YEAR = re.compile(r"(?:1[5-9]|20)\d\d")  # a year as a question writes it (fullmatch)
# a year as text writes it: four digits, no thousands comma, not counting the noun after it ("2000 troops")
_YEAR_IN_TEXT = re.compile(r"(?<![\d,.$£€])((?:1[89]|20)\d\d)s?(?![\d%]|[.,]\d|\s+(?!(?:the|and|to|of|in|on|when|while"
                           r"|as|at|for|after|before|with|was|were|is|had|has|it|they|he|she|we)\b)[a-z]+)")


def years_in(text: str) -> frozenset[int]:
    """The years ``text`` names ("In 2015, ...", "from 2019 to 2022"), not counts ("2000 complaints")."""
    years: set[int] = set()
    for m in _YEAR_IN_TEXT.finditer(text):
        year = int(m.group(1))
        years.update((year, year + 9) if m.group().endswith("s") else (year,))  # "the 1990s": 1990 to 1999
    return frozenset(years)


def other_year(constraint: Constraint, years: Iterable[int]) -> bool:
    """Whether a sentence naming ``years`` is about another year than the one ``constraint`` asks about ("In
    2015, the office counted ..." for a question about 2021): it names years, none of them that one, and no
    two of them bracket it (a period "from 2019 to 2022" holds 2021)."""
    if constraint.kind != "number" or not YEAR.fullmatch(constraint.key):
        return False
    asked, named = int(constraint.key), sorted(years)
    return bool(named) and asked not in named and not (named[0] < asked < named[-1])


@dataclass(frozen=True, slots=True)
class Facts:
    """What a stretch of text holds that constraints are checked against."""

    stems: frozenset[str]
    countries: frozenset[str]
    numbers: frozenset[str]
    years: frozenset[int] = frozenset()  # the years the text itself names (not counts that look like one)

    def missing(self, constraints: Iterable[Constraint]) -> list[Constraint]:
        return [c for c in constraints if not c.held_by(self.stems, self.countries, self.numbers)]


def facts_of(text: str, *, countries: Iterable[str] | None = None, stems: Iterable[str] | None = None) -> Facts:
    """The facts of ``text``; ``countries`` and ``stems`` when the caller has them already."""
    if countries is None:
        from ingest.countries import countries_in

        countries = countries_in(text)
    held = set(stems) if stems is not None else {stem(w) for w in words(text)}
    # an identifier joined by underscores ("TAX_ID", "CLIENT_APPLNAME") holds each of its parts too
    held.update(stem(part) for token in _JOINED.findall(text.lower()) for part in token.split("_") if part)
    held.update(stem(m[1].lower()) for m in _ACRONYM_PLURAL_IN_TEXT.finditer(text))  # "MPs" holds "MP"
    return Facts(frozenset(held), frozenset(countries), frozenset(numbers_in(text)), years_in(text))


def missing_constraints(constraints: Iterable[Constraint], text: str) -> list[Constraint]:
    """The constraints that ``text`` (a quote and the words that frame it) does not hold."""
    constraints = list(constraints)
    return facts_of(text).missing(constraints) if constraints else []
