"""Markdown markup -> the plain text a reader sees, in the shapes ``ingest.clean`` understands.

Pure. Quotes must read as the rendered document does, so link targets,
emphasis marks, code fences and list bullets go; headings keep their "#"
(``clean`` reads them as headings) and footnotes become superscript
markers and superscript-led definitions (``clean`` links those).
"""

from __future__ import annotations

import re

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FIELD = re.compile(r"^([A-Za-z][\w-]*)[ \t]*:[ \t]*(.+?)[ \t]*$", re.M)
_FENCE = re.compile(r"^[ \t]*(?:```|~~~).*$", re.M)
_SETEXT = re.compile(r"^(?P<text>[^\n#>\-*|][^\n]*)\n(?P<rule>=+|-+)[ \t]*$", re.M)
_RULE = re.compile(r"^[ \t]*(?:[-*_][ \t]*){3,}$", re.M)
_IMAGE = re.compile(r"!\[([^\]\n]*)\]\([^)\n]*\)")
_LINK = re.compile(r"(?<!!)\[([^\]\n^]+)\]\([^)\n]*\)")
_REF_LINK = re.compile(r"\[([^\]\n^]+)\]\[[^\]\n]*\]")
_LINK_DEF = re.compile(r"^[ \t]{0,3}\[(?!\^)[^\]\n]+\]:[ \t]*\S+.*$", re.M)
_NOTE_DEF = re.compile(r"^[ \t]{0,3}\[\^(\d{1,4})\]:[ \t]*", re.M)
_NOTE_REF = re.compile(r"\[\^(\d{1,4})\]")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_CODE = re.compile(r"`+([^`\n]+)`+")
_UNDERSCORE = re.compile(r"(?<![\w_])(_{1,2})(?![\s_])([^_\n]{1,200}?)(?<![\s_])\1(?![\w_])")
_QUOTE = re.compile(r"^[ \t]{0,3}>[ \t]?", re.M)
_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+(?=\S)", re.M)


def front_matter(text: str) -> tuple[dict[str, str], str]:
    """The "key: value" fields of a leading ``---`` block (YAML front matter) and the text after it."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    fields = {k.lower(): v.strip("\"'") for k, v in _FIELD.findall(match[1])}
    return fields, text[match.end() :]


def _items(match: re.Match[str]) -> str:
    # A list item is a paragraph of its own; a numbered one keeps its number as shown.
    marker = match[0].strip()
    return "\n" + (marker + " " if marker[0].isdigit() else "")


def markdown_to_text(text: str) -> str:
    text = _FENCE.sub("", text)
    text = _SETEXT.sub(lambda m: ("# " if m["rule"][0] == "=" else "## ") + m["text"], text)
    text = _RULE.sub("", text)
    text = _LINK_DEF.sub("", text)
    text = _NOTE_DEF.sub(lambda m: m[1].translate(_SUPERSCRIPT) + " ", text)
    text = _NOTE_REF.sub(lambda m: m[1].translate(_SUPERSCRIPT), text)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _REF_LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _CODE.sub(r"\1", text)
    text = _UNDERSCORE.sub(r"\2", text)
    text = _QUOTE.sub("", text)
    text = _ITEM.sub(_items, text)
    return re.sub(r"\n{3,}", "\n\n", text)
