"""Country mentions in text, and country names typed by a user.

Names come from pycountry (every country and territory, plus Kosovo, which
pycountry lacks) and from a compact hand table of short forms, demonyms and
capitals. Rules, each tested in tests/ingest/test_countries.py:

- Matching is case-sensitive on whole words: an alias matches as written, in
  ALL CAPS or in Title Case, so "UK", "US" and "BiH" match but "us" does not,
  and "turkey" or "china" in lower case is never a country. Possessives
  ("Serbia's", "Kosovo’s") match; the span stops before the apostrophe.
- The longest alias wins ("North Macedonia", "Bosnia and Herzegovina",
  "Great Britain", "Republika Srpska" are one mention each). Phrases that
  contain a country word without naming the country ("Latin America",
  "New Mexico", "Indian Ocean", ...) are consumed and dropped. Regions
  ("Europe", "EU", "Western Balkans") are not countries.
- Mentions inside URLs and e-mail addresses do not count.
- "Macedonia" and "Macedonian" mean North Macedonia; "Bosnia", "Herzegovina",
  "Bosniak" and "Republika Srpska" (an entity of the country) mean Bosnia and
  Herzegovina. "Serb", "Serbs" and "Serbian" mean Serbia ("Croat" Croatia),
  except that an ethnic-group word right after a place word names a
  community of that place: "Bosnian Serbs" is one mention of Bosnia and
  Herzegovina, "Kosovo Serb" and "Kosovo Albanians" are Kosovo.
- Words that are also people's names (Georgia, Jordan, Chad, Washington,
  Paris, Sofia) count only when not followed by a capitalised surname-like
  word ("Georgia Smith", "Paris Hilton") and not preceded by an honorific or
  by a capitalised given name inside a sentence ("George Washington"). "state
  of Georgia" is the US state. Headings in Title Case can lose such a mention.
- "Washington", "the White House" and "the Pentagon" mean the United States;
  "London", "Westminster", "Downing Street", England, Scotland, Wales and
  Northern Ireland mean the United Kingdom ("English" is left out: it is
  mostly the language). A capital in the name of a treaty, process, meeting
  or institution ("Berlin Process", "Paris Agreement", "Treaty of Rome",
  "King's College London") is not a mention of its country. Brussels and The
  Hague are left out: they stand for the EU and the international courts.
  Jerusalem is left out as contested.
- Turkey is named "Turkey" (Türkiye resolves to it); bare "Congo" and
  "Korea" are ambiguous and match nothing in text.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from ingest.country_table import CANONICAL, NOT_COUNTRIES, TABLE
from ingest.errors import UnknownCountry
from ingest.titles import PERSON_TITLES

_NAME_LIKE = frozenset({"Georgia", "Jordan", "Chad", "Washington", "Paris", "Sofia"})
# A capital names its country, but not inside the name of a treaty, meeting or institution.
_EVENT_AFTER = re.compile(
    r"\s+(?:Process|Agreements?|Accords?|Conference|Summit|Declaration|Treaty|Conventions?|Protocol|Format"
    r"|Consensus|Initiative|Charter|Club|Pact|Statute|Framework|Communiqu[eé]|University|College|School)\b")
_EVENT_BEFORE = re.compile(
    r"\b(?:(?:Treaty|Convention|Congress|Declaration|Conference|Summit|Peace|Protocol|Charter|Statute"
    r"|University|School)\s+of|College)\s+$")
_URL = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b(?:[\w-]+\.)+[a-z]{2,}\b(?:/\S*)?")
_NEXT_WORD = re.compile(r"[ \t]+([A-Z][a-z]+(?:-[A-Z][a-z]+)?)(?![\w'’])")
_PREV_WORD = re.compile(r"([A-Z][a-z]+)\.?[ \t]+$")
_STATE_OF = re.compile(r"\bstate\s+of\s+$", re.I)
_WORD = re.compile(r"[^\W_]+")
# Capitalised in Title Case headings, but never a given name or a surname.
_FUNCTION_WORDS = frozenset("""
a about across after against among an and as at before between both but by during for from if in
into its near nor of on or over since than that the their these this those through to towards under
until upon versus via what when where which while who why with within without
""".split())
# Words that frame a general question ("what does the report say about X?") without narrowing it.
_FRAMING = frozenset("""
a about all an and any anything are as at be by can could did do docs document documents does doc
everything for from give has have how i in info information is it its let me mention mentioned mentions
of on or overview paper papers please re regarding concerning report reports s say said saying says
show source sources summarise summarize summary tell text texts that the their them there these they
this those to transcript transcripts us we what whats with write writes written you your corpus
describe describes described discuss discusses discussed cover covers covered brief material passages
quotes debate debates article articles know want find out
""".split())


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    country: str
    surface: str


@dataclass(frozen=True, slots=True)
class _Alias:
    country: str
    kind: str  # "name", "abbr", "demonym", "place"
    ethnic: bool = False


@dataclass(frozen=True, slots=True)
class _Tables:
    names: tuple[str, ...]
    surfaces: Mapping[str, _Alias | None]  # text form -> alias; None for a dropped phrase
    keys: Mapping[str, str]  # casefolded user input -> canonical name
    ambiguous: Mapping[str, tuple[str, ...]]


def _variants(alias: str) -> set[str]:
    titled = " ".join(w[:1].upper() + w[1:] for w in alias.split(" "))
    forms = {alias, alias.upper(), titled}
    return forms | {f.replace("'", "’") for f in forms}


def _pycountry_forms(c) -> tuple[str, list[str]]:
    """A pycountry record's canonical name and the forms of its name usable in running text."""
    plain = re.sub(r"\s*\(.*?\)", "", c.name)
    forms = [plain]
    if "," in plain:
        # "Congo, The Democratic Republic of the" -> "Democratic Republic of the Congo"
        head, tail = (s.strip() for s in plain.split(",", 1))
        inverted = tail.endswith((" of", " of the")) or " " not in tail
        forms = [re.sub(r"^The ", "", f"{tail} {head}"), head] if inverted else [head]
    common = getattr(c, "common_name", "")
    canonical = CANONICAL.get(c.alpha_2) or common or forms[0]
    official = re.sub(r"^the ", "", getattr(c, "official_name", ""))
    return canonical, forms + [f for f in (common, official, c.name) if f and "," not in f and "(" not in f]


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    import pycountry

    generated: dict[str, set[str]] = {}
    codes: dict[str, str] = {"xk": "Kosovo", "xkx": "Kosovo"}
    names = ["Kosovo"]
    for c in pycountry.countries:
        canonical, forms = _pycountry_forms(c)
        names.append(canonical)
        codes[c.alpha_2.casefold()] = codes[c.alpha_3.casefold()] = canonical
        for form in [canonical, *forms]:
            generated.setdefault(form, set()).add(canonical)
    surfaces: dict[str, _Alias | None] = {}
    # a generated form shared by two countries ("Congo", "Korea") names neither
    for form, owners in generated.items():
        if len(owners) == 1:
            for v in _variants(form):
                surfaces[v] = _Alias(next(iter(owners)), "name")
    for line in filter(None, TABLE.replace("\\\n", "").splitlines()):
        country, others, demonyms, places = (f.split(",") if f else [] for f in line.split("|"))
        country = country[0]
        for alias in [country, *others]:
            kind = "abbr" if len(alias) <= 6 and sum(ch.isupper() for ch in alias) >= 2 else "name"
            for v in _variants(alias) if kind == "name" else {alias, alias.upper()}:
                surfaces[v] = _Alias(country, kind)
        for word in demonyms:
            word, ethnic = word.rstrip("*"), word.endswith("*")
            plural = [] if word.endswith(("s", "sh", "nch", "tch", "ese")) else [word + "s"]
            for form in [word, *plural]:
                for v in _variants(form):
                    surfaces[v] = _Alias(country, "demonym", ethnic)
        for place in places:
            for v in _variants(place):
                surfaces[v] = _Alias(country, "place")
    for phrase in NOT_COUNTRIES:
        for v in _variants(phrase):
            surfaces[v] = None
    keys = dict(codes)
    ambiguous = {f.casefold(): tuple(sorted(o)) for f, o in generated.items() if len(o) > 1}
    keys.update((s.casefold(), a.country) for s, a in surfaces.items() if a is not None)
    keys.update((n.casefold(), n) for n in names)
    return _Tables(tuple(sorted(set(names))), MappingProxyType(surfaces), MappingProxyType(keys),
                   MappingProxyType(ambiguous))


def _compile(forms: Collection[str], flags: int = 0) -> re.Pattern[str]:
    """One alternation, longest first; the first-letter lookahead skips most positions at C speed."""
    firsts = "".join(sorted({re.escape(f[0]) for f in forms}))
    alternation = "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in sorted(forms, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?=[{firsts}])(?:{alternation})(?!\w)", flags)


@lru_cache(maxsize=1)
def _text_pattern() -> re.Pattern[str]:
    return _compile(_tables().surfaces)


@lru_cache(maxsize=1)
def _question_index() -> tuple[re.Pattern[str], Mapping[str, _Alias]]:
    """Names and short forms only, any case: people type "serbia" or "bih" in a question."""
    surfaces = _tables().surfaces.items()
    forms = {s.casefold(): a for s, a in surfaces if a is not None and a.kind in ("name", "abbr")}
    return _compile(forms, re.I), MappingProxyType(forms)


def _lookup(surface: str) -> _Alias | None:
    return _tables().surfaces.get(re.sub(r"\s+", " ", surface))


def _is_function_or_country(word: str) -> bool:
    return word.casefold() in _FUNCTION_WORDS or _lookup(word) is not None


def _is_persons_name(text: str, start: int, end: int) -> bool:
    following = _NEXT_WORD.match(text, end)
    if following and not _is_function_or_country(following.group(1)):
        return True
    before = text[max(0, start - 80) : start]
    if _STATE_OF.search(before):
        return True
    preceding = _PREV_WORD.search(before)
    if not preceding:
        return False
    word = preceding.group(1)
    if word.casefold() in PERSON_TITLES:
        return True
    rest = before[: preceding.start()].rstrip(" \t")
    sentence_initial = not rest or rest[-1] in "\n.!?:;\"“‘(["
    return not sentence_initial and not _is_function_or_country(word)


def _names_an_event(text: str, start: int, end: int) -> bool:
    return bool(_EVENT_AFTER.match(text, end) or _EVENT_BEFORE.search(text[max(0, start - 40) : start]))


def _merge_communities(found: list[tuple[Mention, _Alias]], text: str) -> list[Mention]:
    """'Bosnian Serbs', 'Kosovo Albanian': a place word and an ethnic-group word make one mention."""
    merged: list[Mention] = []
    i = 0
    while i < len(found):
        mention, alias = found[i]
        if i + 1 < len(found):
            nxt, nxt_alias = found[i + 1]
            gap = text[mention.end : nxt.start]
            if (nxt_alias.ethnic and alias.kind != "place" and nxt.country != mention.country
                    and gap in (" ", "\u00a0")):
                merged.append(Mention(mention.start, nxt.end, mention.country, text[mention.start : nxt.end]))
                i += 2
                continue
        merged.append(mention)
        i += 1
    return merged


def find_mentions(text: str) -> list[Mention]:
    """Every country mention in ``text``, in order, non-overlapping."""
    urls = [m.span() for m in _URL.finditer(text)]
    found: list[tuple[Mention, _Alias]] = []
    for m in _text_pattern().finditer(text):
        alias = _lookup(m.group())
        start, end = m.span()
        if alias is None or any(s <= start < e for s, e in urls):
            continue
        if m.group() in _NAME_LIKE and _is_persons_name(text, start, end):
            continue
        if alias.kind == "place" and _names_an_event(text, start, end):
            continue
        found.append((Mention(start, end, alias.country, m.group()), alias))
    return _merge_communities(found, text)


def is_city(name: str) -> bool:
    """Whether ``name`` is a place the table knows inside a country (a capital: "London", "Banja Luka")."""
    alias = _lookup(name.strip())
    return alias is not None and alias.kind == "place"


def countries_in(text: str) -> tuple[str, ...]:
    """Distinct canonical names mentioned in ``text``, in order of first mention."""
    return tuple(dict.fromkeys(m.country for m in find_mentions(text)))


def canonical_names() -> tuple[str, ...]:
    """Every known canonical country name, sorted."""
    return _tables().names


def _normalise(name: str) -> str:
    key = re.sub(r"\s+", " ", name.replace("’", "'")).strip(" \t.,;:!?\"'").casefold()
    return re.sub(r"^the ", "", key)


def _suggest(key: str) -> list[str]:
    keys = _tables().keys
    candidates = [k for k in keys if len(k) > 3]
    close = difflib.get_close_matches(key, candidates, n=20, cutoff=0.5)
    return list(dict.fromkeys(keys[k] for k in close))[:4]


def resolve_country(name: str, available: Collection[str] | None = None) -> str:
    """The canonical name for what a user typed: a name, alias, ISO code, demonym or capital.

    Case-insensitive; a close misspelling of one country resolves to it. A known
    country that is not in ``available`` still resolves (the caller reports that
    nothing was found). Raises UnknownCountry with suggestions otherwise.
    """
    key = _normalise(name)
    tables = _tables()
    if not key:
        raise UnknownCountry("empty country name")
    if key in tables.keys:
        return tables.keys[key]
    suggestions = list(tables.ambiguous.get(key, ()))
    if not suggestions and len(key) > 3:
        scored = sorted(((difflib.SequenceMatcher(None, key, k).ratio(), c) for k, c in tables.keys.items()
                         if len(k) > 3), reverse=True)
        best, country = scored[0]
        runner_up = next((r for r, c in scored if c != country), 0.0)
        # a typo is guessed only when it is close to one country and clearly closer than to any other
        if best >= 0.8 and best - runner_up >= 0.05:
            return country
        suggestions = _suggest(key)
    message = f"unknown country {name.strip()!r}."
    if suggestions:
        message += f" Did you mean {', '.join(suggestions)}?"
    if available:
        message += f" Countries in this corpus: {', '.join(sorted(available))}."
    raise UnknownCountry(message)


def general_country_question(question: str) -> str | None:
    """The country a question asks about in general ("What does the report say about Serbia?").

    The country mention and words that only frame the question are removed;
    if nothing else is left, the question is general. Only names and short
    forms count (not "Serbian" or "Belgrade"), and exactly one country.
    """
    text = question.replace("’", "'")
    pattern, aliases = _question_index()
    countries, rest, last = set(), [], 0
    for m in pattern.finditer(text):
        surface = m.group()
        alias = aliases[re.sub(r"\s+", " ", surface).casefold()]
        # "tell us about ..." is not the US: an abbreviation that is also a word must be in capitals
        if alias.kind == "abbr" and surface.casefold() in _FRAMING and surface != surface.upper():
            continue
        countries.add(alias.country)
        rest.append(text[last : m.start()])
        last = m.end()
    rest.append(text[last:])
    leftover = [w for w in _WORD.findall(" ".join(rest)) if w.casefold() not in _FRAMING]
    if len(countries) == 1 and not leftover:
        return countries.pop()
    return None
