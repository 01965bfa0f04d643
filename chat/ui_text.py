"""What the web chat shows, as Markdown or HTML strings (pure: a result dict in, text out).

Every piece of document text (quotes, titles, sections, speakers, footnotes,
passages) goes through ``md_text`` (Markdown contexts: the chat) or
``html_text`` (HTML contexts: the source viewer), so a document that contains
``<script>`` or ``<img onerror=...>`` shows those characters and runs nothing.
Only ``http://`` and ``https://`` URLs become links.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from urllib.parse import quote as url_quote

from chat.formatting import format_page, format_time, is_turn, one_line, passage_place, place, quoted

ABSTAIN_HEADING = "Closest passages (not an answer)"
_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?'\""
# The punctuation Markdown (with GFM autolinks, tables, lists) gives meaning to; a backslash makes it
# literal. & < > are written as HTML entities instead, which also keeps raw HTML from being parsed.
_MD_PUNCT = re.compile(r"([!#$()*+\-.:=@\[\\\]_`{|}~])")
_SNIPPET = 220
_LINK_LABEL = 48


def md_text(text: str | None) -> str:
    """``text`` as literal Markdown: no emphasis, links, HTML, headings or lists come out of it."""
    if not text:
        return ""
    return html.escape(_MD_PUNCT.sub(r"\\\1", text), quote=False)


def html_text(text: str | None) -> str:
    return html.escape(text or "", quote=True)


def split_urls(text: str) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, is_url) runs; trailing sentence punctuation stays outside a URL."""
    out: list[tuple[str, bool]] = []
    at = 0
    for m in _URL.finditer(text):
        url = m.group(0).rstrip(_TRAILING)
        if url.endswith(")") and url.count("(") < url.count(")"):
            url = url[:-1]
        if len(url) <= len("https://"):
            continue
        if m.start() > at:
            out.append((text[at : m.start()], False))
        out.append((url, True))
        at = m.start() + len(url)
    if at < len(text):
        out.append((text[at:], False))
    return out


def _safe_href(url: str) -> str:
    # Percent-encode whatever could end a Markdown link target or an HTML attribute.
    return url_quote(url, safe="/:?#@!$&*+,;=%~-._[]")


def link_label(url: str, limit: int = _LINK_LABEL) -> str:
    """A long URL shortened for reading ("example.org/a/long-pa…"); the link itself keeps the full URL."""
    label = re.sub(r"^https?://(www\.)?", "", url, flags=re.IGNORECASE)
    return label if len(label) <= limit else label[: limit - 1] + "…"


def md_linked(text: str | None, *, short: bool = False) -> str:
    """Literal Markdown of ``text`` in which each http(s) URL is a clickable link (``short``: abbreviated label)."""
    parts = []
    for piece, is_url in split_urls(text or ""):
        if is_url:
            parts.append(f"[{md_text(link_label(piece) if short else piece)}]({_safe_href(piece)})")
        else:
            parts.append(md_text(piece))
    return "".join(parts)


def html_linked(text: str | None) -> str:
    parts = []
    for piece, is_url in split_urls(text or ""):
        if is_url:
            parts.append(f'<a href="{html_text(_safe_href(piece))}" target="_blank" rel="noopener noreferrer">'
                         f"{html_text(piece)}</a>")
        else:
            parts.append(html_text(piece))
    return "".join(parts)


def _md_lines(text: str) -> str:
    # Leading spaces would make an indented code block; each line stays a line (the chat keeps line breaks).
    return "\n".join(md_linked(line.strip()) for line in text.split("\n"))


def snippet(text: str, limit: int = _SNIPPET) -> str:
    text = one_line(text or "")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def citation_place(citation: Mapping) -> str:
    """Where a citation stands, in plain text: "Title, Section, p. 7" or "Title — Speaker, 18:47"."""
    return place(citation)


def where_text(citation: Mapping) -> str:
    """The place without the title: "Section, p. 7" or "Speaker, 18:47"."""
    if is_turn(citation):
        parts = (citation.get("speaker"), format_time(citation.get("start_s")))
    else:
        parts = (citation.get("section"), format_page(citation.get("page"), citation.get("page_label")))
    return ", ".join(x for x in parts if x)


def footnote_line(citation: Mapping) -> str:
    """``[1] *Title*, Section, p. 7 — Source: [12] <link>`` as literal Markdown."""
    title = citation.get("title") or citation.get("doc_id") or ""
    head = f"*{md_text(title)}*" if title else ""
    where = md_text(where_text(citation))
    joiner = " — " if is_turn(citation) else ", "
    line = f"\\[{citation['n']}\\] " + joiner.join(x for x in (head, where) if x)
    sources = citation.get("sources") or []
    if sources:
        label = "Source" if len(sources) == 1 else "Sources"
        line += f" — {label}: " + "; ".join(f"\\[{s['n']}\\] {md_linked(one_line(s['text']), short=True)}"
                                                  for s in sources)
    return line


def answer_markdown(result: Mapping) -> str:
    """The chat message for a result: the quotes with [n] markers, then the numbered footnotes.

    An abstention says so and lists the closest passages under a heading that
    says they are not an answer; an error shows its message.
    """
    if result.get("error"):
        return f"**Error:** {md_text(result['error'])}"
    parts = []
    resolved = result.get("resolved_question")
    if resolved and resolved != result.get("question"):
        parts.append(f"*Read as:* {md_text(resolved)}")
    if result.get("brief") and result.get("citations"):
        parts.append(brief_body(result))
    else:
        parts.append("\n\n".join(_md_lines(p) for p in (result.get("answer") or "").split("\n\n") if p.strip()))
    if result.get("abstained"):
        if result.get("refusal"):
            parts.append(f"*{md_text(result['refusal'])}*")
        passages = result.get("passages") or []
        if passages:
            rows = [f"({p.get('rank', i)}) **{md_text(passage_place(p))}**: “{md_text(snippet(p.get('text', '')))}”"
                    for i, p in enumerate(passages, start=1)]
            parts.append(f"**{ABSTAIN_HEADING}**\n\n" + "\n\n".join(rows))
        return "\n\n".join(x for x in parts if x)
    citations = result.get("citations") or []
    if citations:
        parts.append("---\n\n**Footnotes**\n\n" + "\n\n".join(footnote_line(c) for c in citations))
    return "\n\n".join(x for x in parts if x)


def _quote_line(citation: Mapping, quote: str) -> str:
    who = where_text(citation) if is_turn(citation) else ""
    intro = f"{md_text(who)}: " if who else ""
    return f"{intro}{md_linked(quoted(one_line(quote)))} \\[{citation['n']}\\]"


def brief_body(result: Mapping) -> str:
    """A country brief from its citations (not its answer string, which carries unescaped Markdown):
    each document's title, its sections, the quotes, then the footnotes that mention the country."""
    parts: list[str] = []
    titles: dict[str, str] = {}
    heading: tuple | None = None
    for c in result.get("citations") or []:
        title = c.get("title") or c["doc_id"]
        titles[c["doc_id"]] = title
        if heading is None or heading[0] != c["doc_id"]:
            parts.append(f"**{md_text(title)}**")
        section = None if is_turn(c) else c.get("section")
        if section and (heading is None or heading != (c["doc_id"], section)):
            parts.append(f"*{md_text(section)}*")
        heading = (c["doc_id"], section)
        for span in c.get("spans") or [{"quote": c["quote"]}]:
            parts.append(_quote_line(c, span["quote"]))
    notes = [x for x in result.get("footnote_mentions") or [] if x.get("text")]
    if notes:
        country = (result.get("brief") or {}).get("country") or ""
        parts.append(f"**Footnotes that mention {md_text(country)}**")
        parts.append("\n".join(f"{md_text(titles.get(x['doc_id'], x['doc_id']))}, footnote {int(x['n'])}: "
                               f"{md_linked(one_line(x['text']))}" for x in notes))
    return "\n\n".join(parts)


def citation_choices(result: Mapping | None) -> list[tuple[str, str]]:
    """(label, value) pairs for the citation picker: "[1] Title, p. 7 — “quote…”" -> "1"."""
    if not result:
        return []
    return [(f"[{c['n']}] {citation_place(c)} — “{snippet(c.get('quote', ''), 90)}”", str(c["n"]))
            for c in result.get("citations") or []]


def references_text(result: Mapping | None) -> str:
    """One paste-ready reference line per citation."""
    if not result:
        return ""
    return "\n".join(f"[{c['n']}] {c.get('reference') or one_line(c.get('quote', ''))}"
                     for c in result.get("citations") or [])


def highlight_html(text: str, offset: int, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` (which starts at document offset ``offset``) escaped, with each span inside it in <mark>."""
    marks = sorted((max(s, offset) - offset, min(e, offset + len(text)) - offset) for s, e in spans
                   if e > offset and s < offset + len(text))
    out, at = [], 0
    for start, end in marks:
        if start < at:
            start = at
        if end <= start:
            continue
        out.append(html_text(text[at:start]))
        out.append(f"<mark>{html_text(text[start:end])}</mark>")
        at = end
    out.append(html_text(text[at:]))
    return "".join(out)


def source_html(context: Mapping, citation: Mapping) -> str:
    """The source viewer: where the quote stands, the text around it with the quote marked, its sources."""
    before, quote, after = context.get("before", ""), context.get("quote", ""), context.get("after", "")
    start = context.get("char_start", citation.get("char_start", 0))  # where ``quote`` starts in the document
    offset = start - len(before)
    spans = [(s["char_start"], s["char_end"]) for s in citation.get("spans") or []] or [(start, start + len(quote))]
    where = {**citation, **{k: v for k, v in context.items() if k in ("section", "page", "page_label",
                                                                      "speaker", "start_s") and v is not None}}
    title = context.get("title") or citation.get("title") or citation.get("doc_id") or ""
    details = where_text(where)
    rows = [
        f'<div class="q-title" style="font-weight:600;font-size:1.05em">{html_text(title)}</div>',
        f'<div class="q-where" style="opacity:.8;margin-bottom:.5em">[{int(citation["n"])}] '
        f"{html_text(details)}</div>" if details else "",
        '<div class="q-context" style="white-space:pre-wrap;line-height:1.5;max-height:36em;overflow:auto">'
        f"{highlight_html(before + quote + after, offset, spans)}</div>",
    ]
    sources = citation.get("sources") or []
    if sources:
        items = "".join(f"<li>[{int(s['n'])}] {html_linked(one_line(s['text']))}</li>" for s in sources)
        rows.append(f'<div class="q-sources" style="margin-top:.5em">The document’s own sources:<ul>{items}</ul></div>')
    return '<div class="q-source">' + "".join(r for r in rows if r) + "</div>"


def status_markdown(indexed: int, failed: Sequence[tuple[str, str]], refused: Sequence[tuple[str, str]]) -> str:
    """What an upload did: "Indexed N documents" and one line per file that was not added."""
    lines = []
    if indexed:
        lines.append(f"Indexed {indexed} document{'s' if indexed != 1 else ''}.")
    for name, reason in [*refused, *failed]:
        lines.append(f"- **{md_text(name)}**: {md_text(reason)}")
    return "\n".join(lines) if lines else "No files to add."
