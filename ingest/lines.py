"""Lines of a paragraph joined back into one text (pure; no I/O).

A line that ends "gov-" and the next that opens "ernment" are one word when
the document writes that word whole elsewhere; a compound it never writes
whole ("peace-keepers") keeps its hyphen. The document's own words decide, in
any language, rather than a dictionary.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_BROKEN = re.compile(r"([^\W\d_]+)-$")
_WORD = re.compile(r"[^\W\d_]+")


def words_of(texts: Sequence[str]) -> frozenset[str]:
    """The words a document writes, lower-cased: what tells a hyphenated line break from a compound."""
    return frozenset(w.lower() for text in texts for w in _WORD.findall(text))


def joined(left: str, right: str, vocabulary: frozenset[str] = frozenset()) -> str:
    """Two lines of a paragraph as one: ``left`` ending "gov-" and ``right`` opening "ernment" are one
    word, the hyphen dropped, when the document writes that word whole elsewhere ("government"); a broken
    compound ("peace-" + "keepers", never written "peacekeepers"; "Anglo-" + "Irish") keeps its hyphen."""
    broken = _BROKEN.search(left)
    if not broken or not right[:1].isalpha():
        return f"{left} {right}"
    head = _WORD.match(right)
    if right[:1].islower() and head and (broken.group(1) + head.group(0)).lower() in vocabulary:
        return left[:-1] + right
    return left + right


def join_lines(lines: Sequence[str], vocabulary: frozenset[str] = frozenset()) -> str:
    text = lines[0]
    for line in lines[1:]:
        text = joined(text, line, vocabulary)
    return text
