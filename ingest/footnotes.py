"""Footnote definitions pulled out of extracted text (markers: see ingest.markers).

Extraction leaves definitions where page bottoms were and markers in several
shapes: superscripts (``Nis,¹²``), plain digits (``coup attempt, 3738 and``),
LaTeX remnants (``$^{^{22}}$ This ban``). Footnotes are numbered in order
through a document, and that order is what tells ``¹²`` = 12 from ``¹²`` =
1, 2, or a marker ``39`` from a quantity ``39``. Pure functions; no I/O.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ingest.lines import joined

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_TO_DIGITS = str.maketrans(SUPERSCRIPTS, "0123456789")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"']+")
_TEX_DEF = re.compile(r"\$\s*\^\s*(?:\{\s*)?(?:\^\s*)?(?:\{\s*)?(\d{1,4})(?:[{}$\s]|\\[^\w$])*")
_SUP_DEF = re.compile(rf"([{SUPERSCRIPTS}]{{1,4}})\s*(?=\S)")
_PLAIN_DEF = re.compile(r"(\d{1,4})([.)])?(?:\s+|(?=https?://|www\.))(?=\S)")
_TEX_JUNK = re.compile(r"\\[,;:! ]|(?<!\\)\$")
_CLOSERS = "\"'”’)]*»"
_PUNCT = ".,;:!?\"'”’)]"
# A plain definition may skip a few numbers (a lost line) but not jump ahead.
_MAX_SKIP = 5


@dataclass(frozen=True, slots=True)
class _Candidate:
    n: int
    text: str
    tex: bool  # LaTeX remnant lead: only a definition is written that way
    sup: bool  # superscript lead
    dotted: bool  # "1." or "1)": also how list items and numbered headings start

    @property
    def has_url(self) -> bool:
        return _URL.search(self.text) is not None


def ends_sentence(text: str) -> bool:
    body = text.rstrip().rstrip(_CLOSERS)
    return body[-1:] in (".", "!", "?", "…")


def tidy_url(url: str) -> str:
    """The first sensible URL of one that repeats itself (an extraction loop) and the URL otherwise."""
    m = re.match(r"((?:[a-z]+://)?[^/]+)(/.*)?$", url)
    if not m or not m.group(2):
        return url
    segments = m.group(2).split("/")
    counts = Counter(s for s in segments if len(s) >= 4)
    for i, seg in enumerate(segments):
        if counts[seg] >= 3:
            return m.group(1) + "/".join(segments[:i]) + "/"
    if len(url) > 300:  # no real URL is this long unless something repeats
        loop = re.search(r"(.{8,}?)\1\1", url[:1000])
        if loop:
            return url[: loop.start() + len(loop.group(1))]
    return url


def _clean_definition(text: str, tex: bool) -> str:
    if tex:
        text = _TEX_JUNK.sub(" ", text)
    text = _URL.sub(lambda m: tidy_url(m.group(0)), text)
    return " ".join(text.split())


def _parse(line: str) -> _Candidate | None:
    s = line.strip()
    if m := _TEX_DEF.match(s):
        return _Candidate(int(m.group(1)), _clean_definition(s[m.end():], True), True, False, False)
    if m := _SUP_DEF.match(s):
        n = int(m.group(1).translate(_TO_DIGITS))
        return _Candidate(n, _clean_definition(s[m.end():], False), False, True, False)
    if m := _PLAIN_DEF.match(s):
        return _Candidate(int(m.group(1)), _clean_definition(s[m.end():], False), False, False,
                          m.group(2) is not None)
    return None


def _marker_hint(text: str, n: int, skip: int) -> bool:
    """Whether the text outside line ``skip`` has a marker-shaped run holding ``n``."""
    lines = text.split("\n")
    rest = "\n".join(lines[:skip] + lines[skip + 1:])
    sup = str(n).translate(str.maketrans("0123456789", SUPERSCRIPTS))
    if any(sup in run for run in re.findall(rf"[{SUPERSCRIPTS}]+", rest)):
        return True
    runs = re.findall(r"(?:[^\W\d_]|[.,;:!?\"”’)\]])\s?(\d{1,8})(?![\d%])", rest)
    return any(str(n) in run for run in runs)


class _Splitter:
    """One pass over a text's lines; ``last`` is the last definition number before the text."""

    def __init__(self, text: str, last: int) -> None:
        self.text = text
        self.lines = text.split("\n")
        self.cands = [_parse(line) for line in self.lines]
        self.last = last
        self.certain = {c.n for c in self.cands if c and (c.tex or c.has_url)}

    def _rest_is_notes(self, i: int) -> bool:
        """Page-bottom test: everything after line ``i`` reads as definitions and their wrapped lines."""
        open_ = not ends_sentence(self.cands[i].text)
        blank = False
        for line, cand in zip(self.lines[i + 1:], self.cands[i + 1:], strict=True):
            if not line.strip():
                blank = True
            elif cand is not None:
                open_, blank = not ends_sentence(cand.text), False
            elif open_ and not blank:
                open_ = not ends_sentence(line)
            else:
                return False
        return True

    def _next_number(self, i: int) -> int | None:
        for line, cand in zip(self.lines[i + 1:], self.cands[i + 1:], strict=True):
            if line.strip():
                return cand.n if cand else None
        return None

    def accept(self, i: int, after_definition: bool, defs: dict[int, str]) -> bool:
        c = self.cands[i]
        if c is None or not c.text or c.n in defs or c.n == 0:
            return False
        if c.tex or (c.sup and c.has_url):
            return True
        if c.has_url:
            return self.last < c.n <= self.last + _MAX_SKIP or c.n == 1
        # Prose: body paragraphs and numbered headings start with numbers too.
        if c.n in self.certain or (c.dotted and not ends_sentence(c.text)):
            return False
        if c.sup:
            in_order = self.last < c.n <= self.last + _MAX_SKIP
        else:
            in_order = c.n == self.last + 1 and _marker_hint(self.text, c.n, i)
        in_zone = after_definition or self._next_number(i) == c.n + 1 or self._rest_is_notes(i)
        return in_order and in_zone

    def run(self) -> tuple[str, dict[int, str]]:
        defs: dict[int, str] = {}
        body: list[str] = []
        current: int | None = None  # the definition a wrapped line would continue
        after_definition = False
        for i, line in enumerate(self.lines):
            s = line.strip()
            if not s:
                body.append("")
                current = None
                continue
            if self.accept(i, after_definition, defs):
                cand = self.cands[i]
                defs[cand.n] = cand.text
                self.last = max(self.last, cand.n)
                current, after_definition = cand.n, True
                body.append("")
            elif current is not None and _continues(defs[current], s):
                defs[current] = _join_wrapped(defs[current], s)
                body.append("")
            else:
                current, after_definition = None, False
                body.append(line)
        return "\n".join(body), defs


def _ends_with_url(definition: str) -> bool:
    return _URL.search(definition.rsplit(" ", 1)[-1]) is not None


def _continues(definition: str, line: str) -> bool:
    if _ends_with_url(definition):
        return " " not in line  # the tail of a wrapped URL
    return not ends_sentence(definition)


def _join_wrapped(definition: str, line: str, vocabulary: frozenset[str] = frozenset()) -> str:
    return definition + line if _ends_with_url(definition) else joined(definition, line, vocabulary)


def split_footnotes_after(text: str, last: int) -> tuple[str, dict[int, str], int]:
    """``split_footnotes`` for one page of many: ``last`` is the highest definition number so far."""
    splitter = _Splitter(text, last)
    body, defs = splitter.run()
    return body, defs, splitter.last


def split_footnotes(text: str) -> tuple[str, dict[int, str]]:
    """The body without its footnote definitions, and ``{number: definition}``.

    Definition lines are blanked, not deleted, so the paragraphs around a
    definition block stay apart and line numbers stay put.
    """
    body, defs, _ = split_footnotes_after(text, 0)
    return body, defs


def is_prose_note(text: str) -> bool:
    """A footnote that says something (who, why) rather than only pointing at a URL."""
    return len(re.findall(r"[^\W\d_]{2,}", _URL.sub(" ", text))) >= 4


def split_note_lines(lines: list[str], last: int,
                     vocabulary: frozenset[str] = frozenset()) -> tuple[dict[int, str], int]:
    """Definitions in the lines of a page's footnote block (its layout says they are notes).

    A line that opens with a number starts a note when the number comes
    after ``last`` (a few may be skipped) or restarts at 1 (notes numbered per
    chapter or page); any other line carries on the note above it.
    """
    defs: dict[int, str] = {}
    current: int | None = None
    for line in lines:
        if not line.strip():
            continue
        cand = _parse(line)
        fresh = cand is not None and cand.text and cand.n not in defs and cand.n != 0
        if fresh and (current is None or last < cand.n <= last + 2 * _MAX_SKIP or cand.n == 1):
            defs[cand.n] = cand.text
            current = cand.n
            last = 1 if cand.n == 1 else max(last, cand.n)
        elif current is not None:
            defs[current] = _join_wrapped(defs[current], line.strip(), vocabulary)
    return defs, last
