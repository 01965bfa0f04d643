"""Footnotes of extracted text: definitions pulled out of the body, body markers linked to them.

Extraction leaves definitions where page bottoms were and markers in several
shapes: superscripts (``Nis,¹²``), plain digits (``coup attempt, 3738 and``),
LaTeX remnants (``$^{^{22}}$ This ban``). Footnotes are numbered in order
through a document, and that order is what tells ``¹²`` = 12 from ``¹²`` =
1, 2, or a marker ``39`` from a quantity ``39``. Pure functions; no I/O.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from ingest.records import Marker

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


def _join_wrapped(definition: str, line: str) -> str:
    return definition + line if _ends_with_url(definition) else f"{definition} {line}"


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


# --- markers -----------------------------------------------------------------------------------

_MARKISH = re.compile(
    r"\$\^\{?\^?\{?(?P<tex>[\d, ]+?)\}?\}?(?:\\,)?\$|\^\{\^?\{?(?P<tex2>[\d, ]+?)\}\}?"
    rf"|(?P<sup>[{SUPERSCRIPTS}]+)|(?<!\d)(?P<num>\d{{1,8}})(?!\d)"
)
# A plain-digit marker may skip a few numbers whose markers were lost, no more: it must
# fit the sequence, because quantities ("in 2016", "47 personnel") look the same.
_PLAIN_SKIP = 3
_NEXT_CHAR = re.compile(r"[^\S\n]*(\S?)")


def split_run(digits: str, known: Collection[int], expect: int) -> list[int] | None:
    """The numbers a run of marker digits stands for, read as the sequence expects.

    "12" is [1, 2] where footnote 1 is next and [12] where 12 is; each number
    must be a known footnote when any are known.
    """
    if not digits or len(digits) > 8:
        return None
    best: tuple[float, list[int]] | None = None

    def walk(i: int, acc: list[int]) -> None:
        nonlocal best
        if i == len(digits):
            cost = abs(acc[0] - expect) + 0.1 * len(acc)
            cost += sum(2 * abs(b - a - 1) for a, b in zip(acc, acc[1:], strict=False))
            if best is None or cost < best[0]:
                best = (cost, acc)
            return
        for width in (1, 2, 3):
            piece = digits[i:i + width]
            if len(piece) < width or piece[0] == "0":
                break
            if known and int(piece) not in known:
                continue
            walk(i + width, [*acc, int(piece)])

    walk(0, [])
    return best[1] if best else None


def _follower(text: str, j: int) -> str:
    nxt = _NEXT_CHAR.match(text, j).group(1)  # the next character that is not a space, on this line
    if not nxt:
        return "end"
    ch = text[j]
    if ch in _PUNCT:
        after = text[j + 1:j + 3]
        if ch in ".)" and after[:1] == " " and after[1:2].islower():
            return "enumerator"  # "1. adopt", "2) adopt": a list, not a marker
        if ch in ".," and after[:1].isdigit():
            return "number"  # "3.5", "3,000"
        return "punct"
    if ch.isspace():
        return "lower" if nxt.islower() else "upper"
    return "glued"


def _plain_shape(text: str, i: int) -> str | None:
    """How a digit run at ``i`` is attached to the text before it, if like a marker at all."""
    a = text[i - 1] if i >= 1 else ""
    b = text[i - 2] if i >= 2 else ""
    if a in _PUNCT and (b.isalpha() or b in _CLOSERS):
        return "glued"  # "invasion.26"
    if a.islower() and b.islower():
        return "glued"  # "intelligence56" as PDFs extract superscripts
    if a == " " and b in _PUNCT and b != ":":  # after a colon comes a list or a count
        return "after_punct"  # "country. 4041", 'tenable." 16'
    if a == " " and b.isalpha():
        return "after_word"  # "Montenegro 39,"
    return None


def _plain_numbers(text: str, m: re.Match[str], known: Collection[int], expect: int) -> list[int] | None:
    shape = _plain_shape(text, m.start())  # m: a digit run
    follower = _follower(text, m.end())
    if shape is None or not known or follower in ("glued", "number", "enumerator"):
        return None
    nums = split_run(m.group(0), known, expect)
    if not nums or not expect <= nums[0] <= expect + _PLAIN_SKIP:
        return None
    if any(b != a + 1 for a, b in zip(nums, nums[1:], strict=False)):
        return None
    if shape == "after_word":  # "Montenegro 39," but also "Article 5.": only the very next number
        return nums if follower in ("end", "punct") and nums[0] == expect else None
    if shape == "after_punct" and len(nums) == 1 and follower == "lower":
        return None  # "in 2019. 20 people died": a count starting a sentence
    return nums


def _strip_end(parts: list[str]) -> int:
    """Strip spaces off the end of the joined parts, in place; how many went."""
    gone = 0
    while parts:
        kept = parts[-1].rstrip(" \t")
        gone += len(parts[-1]) - len(kept)
        if kept:
            parts[-1] = kept
            break
        parts.pop()
    return gone


def _trailing_space(parts: list[str]) -> int:
    count = 0
    for part in reversed(parts):
        kept = part.rstrip()
        count += len(part) - len(kept)
        if kept:
            break
    return count


def link_markers_from(body: str, known: Collection[int], expect: int) -> tuple[str, list[Marker], int]:
    """``link_markers`` for one paragraph of many: ``expect`` is the next footnote number due."""
    known = set(known)
    parts: list[str] = []
    length = 0
    markers: list[Marker] = []
    cursor = 0
    for m in _MARKISH.finditer(body):
        start, end = m.span()
        if raw := m.group("tex") or m.group("tex2"):
            nums = [int(x) for x in re.findall(r"\d+", raw)]
            if "," not in raw and len(nums) == 1:
                nums = split_run(raw.strip(), known, expect) or nums
            nums = [n for n in nums if n in known]  # the remnant goes either way
        elif m.group("sup"):
            if start > 0 and body[start - 1].isdigit() or not known:
                continue  # "10²" is a power, and without definitions there is nothing to link
            nums = split_run(m.group("sup").translate(_TO_DIGITS), known, expect) or []
            if not nums:
                continue
        else:
            nums = _plain_numbers(body, m, known, expect) or []
            if not nums:
                continue
        parts.append(body[cursor:start])
        length += start - cursor
        right = body[end:end + 1]
        if not right or right.isspace() or right in ",.;:!?)]":
            length -= _strip_end(parts)  # "Lammy, ³ and" -> "Lammy, and"; "Montenegro 39," -> "Montenegro,"
        # The marker belongs to the words before it, not to the space after them.
        markers.extend(Marker(length - _trailing_space(parts), n) for n in nums)
        if nums:
            expect = max(expect, max(nums) + 1)
        cursor = end
    parts.append(body[cursor:])
    return "".join(parts), markers, expect


def link_markers(body: str, known: Collection[int]) -> tuple[str, list[Marker]]:
    """The body with its footnote markers removed, and each marker's place and number.

    ``pos`` is the offset in the returned text just after the words the marker
    was attached to ("aggression.¹² This" gives "aggression. This" and two
    markers at the offset after the full stop).
    """
    known = set(known)
    text, markers, _ = link_markers_from(body, known, min(known, default=1))
    return text, markers
