"""Bytes -> text for text-type files: UTF-8 first, a careful guess otherwise, binary refused.

Pure: no file access. ``read_text`` never refuses a text file in a legacy
encoding; ``looks_binary`` is what tells a text file from an executable or an
image that was given a ``.txt`` name.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

# Longest BOM first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# windows-1252 is what browsers assume for undeclared legacy text (WHATWG maps
# latin-1 to it), so it wins a tie between equally plausible decodings.
_DEFAULT_LEGACY = "cp1252"
_MAX_CANDIDATES = 8
_WORD = re.compile(r"[^\W\d_]+")
_TEXT_CONTROLS = frozenset("\t\n\r\f\v")


def _bom(data: bytes) -> tuple[str, int] | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return None


def _script(ch: str) -> str:
    # The first word of a Unicode name is its script for letters ("LATIN", "CYRILLIC", ...).
    try:
        return unicodedata.name(ch).split(" ", 1)[0]
    except ValueError:
        return "?"


def _is_junk(ch: str) -> bool:
    if ch in _TEXT_CONTROLS:
        return False
    return ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Cn", "Co", "Cs")


def implausibility(text: str) -> float:
    """How unlike natural text a decoding is: 0 for clean text, higher for mojibake.

    Counts control and unassigned characters, words that mix scripts
    ("cafщ" is cp1252 read as a Cyrillic code page) and Latin words without a
    single ASCII letter (Cyrillic read as cp1252 gives "Ïðèâåò").
    """
    score = 10.0 * sum(1 for ch in text if _is_junk(ch))
    for word in _WORD.findall(text):
        scripts = {_script(ch) for ch in word}
        if len(scripts) > 1:
            score += 1
        elif len(word) > 1 and scripts == {"LATIN"} and not any(ch.isascii() for ch in word):
            score += 1
    return score


def _candidates(data: bytes) -> list[str]:
    from charset_normalizer import from_bytes

    found = [match.encoding for match in from_bytes(data)][:_MAX_CANDIDATES]
    return list(dict.fromkeys([_DEFAULT_LEGACY, *found]))


def _utf8_prefix(data: bytes) -> str | None:
    # A sample may end inside a multi-byte character: decode it as an unfinished stream.
    try:
        return codecs.getincrementaldecoder("utf-8")().decode(data, final=False)
    except UnicodeDecodeError:
        return None


def read_text(data: bytes, sample: int = 262144) -> str:
    """Decode a text file: BOM, then UTF-8, then the most plausible legacy encoding.

    Candidates are ranked on the first ``sample`` bytes (scoring every
    character of a large file would be slow). Never raises: a file no
    candidate decodes is read as latin-1, which maps every byte.
    """
    bom = _bom(data)
    if bom:
        encoding, skip = bom
        return data[skip:].decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    head = data[:sample]
    ranked = sorted(
        (implausibility(head.decode(encoding, errors="replace")), order, encoding)
        for order, encoding in enumerate(_candidates(head))
        if _known(encoding)
    )
    for _, _, encoding in ranked:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _known(encoding: str) -> bool:
    try:
        codecs.lookup(encoding)
    except LookupError:
        return False
    return True


def looks_binary(data: bytes, sample: int = 65536) -> bool:
    """True for data that is not text in any encoding: NUL bytes, or mostly control characters."""
    head = data[:sample]
    bom = _bom(head)
    if bom:
        # UTF-16/32 text is full of NUL bytes; judge it by its decoded characters.
        encoding, skip = bom
        text = head[skip:].decode(encoding, errors="ignore")
    elif b"\x00" in head:
        return True
    else:
        text = _utf8_prefix(head)
        if text is None:
            text = read_text(head)
    if not text:
        return False
    junk = sum(1 for ch in text if _is_junk(ch))
    return junk / len(text) > 0.05
