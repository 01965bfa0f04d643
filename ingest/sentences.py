"""Sentence boundaries as char spans (pure; no NLTK data, nothing downloaded).

Quotes are whole sentences, so a split inside "Dr. Smith" or "$1.1 billion"
would cut a quote in half: abbreviations, initials and decimals don't end a
sentence. A sentence ends at a stop followed by a space and a sentence's
opening: a capital, a digit, or a letter of a script without case (Korean,
Arabic, Hebrew, Devanagari...); a lower-case word goes on ("3.5 million").
Chinese and Japanese full stops end a sentence with no space after them.
"""

from __future__ import annotations

import re

# Lower-cased tokens that end with a dot without ending a sentence.
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st rt hon gen col lt sgt capt cmdr adm gov sen rep pres
    vs etc e.g i.e cf al approx no nos vol fig figs p pp ed eds dept univ inc ltd co corp
    jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.u""".split()
)
# a stop (Latin, Arabic "؟" and "۔", Devanagari "।") and its closing quotes before a space; or an ideographic
# stop ("。", "！", "？"), which needs none
_END = re.compile(r"""[.!?…؟۔।॥]+["'”’)\]]*(?=\s+|$)|[。！？]+["'”’)\]」』]*""")
_IDEOGRAPHIC_STOP = frozenset("。！？")
_ENUMERATOR = re.compile(r"\(?(?:\d{1,3}|[A-Za-z]|[ivxlcdmIVXLCDM]{1,5})[.)]")
_NEXT_START = re.compile(r"""\s+["'“‘(\[«]?(\w|[¡¿])""")


def _opens_sentence(char: str) -> bool:
    """A character a sentence may open with: not a lower-case letter (nor an underscore)."""
    return char != "_" and not char.islower()


def _is_abbreviation(text: str, dot: int) -> bool:
    start = dot
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in "(\"'“‘":
        start -= 1
    token = text[start:dot].lower()
    if token in ABBREVIATIONS:
        return True
    # Single capital initials ("J. Smith") and dotted acronyms ("U.S.").
    return bool(re.fullmatch(r"[a-z]|(?:[a-z]\.)+[a-z]", token))


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans ``(s, e)`` of the sentences of ``text[start:end]``, in absolute offsets.

    Spans are trimmed of surrounding whitespace, cover every non-space
    character of the range, and never overlap. Newlines between paragraphs
    always end a sentence.
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for para in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", text[start:end]):
        p0 = start + para.start()
        _split_paragraph(text, p0, start + para.end(), spans)
    return spans


def _split_paragraph(text: str, p0: int, p1: int, spans: list[tuple[int, int]]) -> None:
    cursor = p0
    for m in _END.finditer(text, p0, p1):
        stop = m.end()
        if text[m.start()] == "." and m.end() - m.start() == 1 and _is_abbreviation(text, m.start()):
            continue
        if text[m.start()] not in _IDEOGRAPHIC_STOP:
            nxt = _NEXT_START.match(text, stop, p1)
            if stop < p1 and (nxt is None or not _opens_sentence(nxt.group(1))):
                continue  # "... 3.5 million" or a lower-case continuation: not a boundary
        if _ENUMERATOR.fullmatch(text[cursor:stop].strip()):
            continue  # "1. Britain Must ...", "b. concrete guarantees": a list item's number opens it
        _add(text, cursor, stop, spans)
        cursor = stop
    _add(text, cursor, p1, spans)


def _add(text: str, s: int, e: int, spans: list[tuple[int, int]]) -> None:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if s < e:
        spans.append((s, e))
