"""Footnote markers in a body linked to their numbers, and removed from the text.

Markers come as superscripts (``Nis,¹²``), plain digits (``coup attempt,
3738 and``) or LaTeX remnants. Footnotes are numbered in order through a
document, and that order is what tells ``¹²`` = 12 from ``¹²`` = 1, 2, or a
marker ``39`` from a quantity ``39``. Pure functions; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from ingest.footnotes import _CLOSERS, _PUNCT, _TO_DIGITS, SUPERSCRIPTS
from ingest.records import Marker

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
    if i == 0:
        return None  # a number opening a paragraph or heading ("2. Unified system") follows no word
    a = text[i - 1]
    b = text[i - 2] if i >= 2 else " "
    if a in _PUNCT and (b.isalpha() or b in _CLOSERS):
        return "glued"  # "invasion.26"
    if a.islower() and b.islower():
        return "glued"  # "intelligence56" as PDFs extract superscripts
    if a == " " and b in _PUNCT and b != ":":  # after a colon comes a list or a count
        return "after_punct"  # "country. 4041", 'tenable." 16'
    if a == " " and b.isalpha():
        return "after_word"  # "Montenegro 39,"
    return None


def _plain_numbers(text: str, m: re.Match[str], known: Collection[int], expect: int,
                   spaced: bool = True) -> list[int] | None:
    shape = _plain_shape(text, m.start())  # m: a digit run
    follower = _follower(text, m.end())
    if shape is None or not known or follower in ("glued", "number", "enumerator"):
        return None
    if not spaced and shape != "glued":
        return None  # where markers are set raised, a number after a space is text ("in phase 1.")
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


def link_markers_from(body: str, known: Collection[int], expect: int,
                      spaced: bool = True) -> tuple[str, list[Marker], int]:
    """``link_markers`` for one paragraph of many: ``expect`` is the next footnote number due.

    ``spaced``: may a plain number standing apart after a word be a marker ("Montenegro 39,")? Text
    converted with its superscripts flattened needs it; a document whose markers were read as
    raised (a PDF's layout) does not, and there "in phase 1." is a number.
    """
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
            nums = _plain_numbers(body, m, known, expect, spaced) or []
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
