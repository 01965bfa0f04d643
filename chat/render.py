"""The answer object as people read it: plain text (CLI), Markdown to copy, CSV of citations.

Each takes the contract's JSON object (as ``compose_answer`` returns it, or
as read back from JSON) and nothing else.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping

from chat.formatting import format_page, format_time, one_line, passage_place, place, sources_text

CSV_COLUMNS = (
    "n", "quote", "title", "section", "page", "speaker", "time", "sources",
    "doc_id", "passage_id", "char_start", "char_end",
)  # fmt: skip
_SNIPPET = 240


def render_text(result: Mapping) -> str:
    """The answer, a blank line, then one line per citation.

    ``[1] Title, Section, p. vii (PDF p. 7) — sources: [12] https://...`` or, for a
    transcript, ``[2] Title — Lord X, 18:47``. An abstention lists the
    closest passages instead.
    """
    if result.get("error"):
        return f"error: {result['error']}"
    lines = [result.get("answer", "")]
    if result.get("abstained"):
        if result.get("refusal"):
            lines.append(result["refusal"])
        if result.get("passages"):
            lines += ["", "Closest passages:"]
            lines += [f"({p['rank']}) {passage_place(p)}: {_snippet(p['text'])}" for p in result["passages"]]
        return "\n".join(lines)
    if result.get("citations"):
        lines.append("")
        lines += [_footnote(c) for c in result["citations"]]
    return "\n".join(lines)


def _footnote(c: Mapping) -> str:
    line = f"[{c['n']}] {place(c)}"
    if c.get("sources"):
        line += f" — sources: {one_line(sources_text(c['sources']))}"
    return line


def _snippet(text: str) -> str:
    text = one_line(text)
    return text if len(text) <= _SNIPPET else text[: _SNIPPET - 1].rstrip() + "…"


def render_markdown(result: Mapping) -> str:
    """ "Copy as Markdown": each quote as a block quote with its [n], then the footnotes.

    Footnotes are a list, never ``[n]: url`` lines (Markdown would read those
    as hidden link definitions); URLs are autolinks.
    """
    if result.get("error"):
        return f"**Error:** {result['error']}"
    if result.get("abstained") or not result.get("citations"):
        return result.get("answer", "")
    blocks = [f"> {para}" for para in result["answer"].split("\n\n")]
    notes = []
    for c in result["citations"]:
        title = c.get("title") or c["doc_id"]
        line = f"- [{c['n']}] {place({**c, 'title': f'*{title}*'})}"
        if c.get("sources"):
            line += ". " + ("Source" if len(c["sources"]) == 1 else "Sources") + ": "
            line += "; ".join(f"[{s['n']}] {_autolink(one_line(s['text']))}" for s in c["sources"])
        notes.append(line)
    return "\n\n".join(blocks) + "\n\n" + "\n".join(notes) + "\n"


def _autolink(text: str) -> str:
    return re.sub(r"(?<![<(])\bhttps?://[^\s<>]+", lambda m: f"<{m.group(0)}>", text)


def citations_csv(result: Mapping) -> str:
    """The citations as CSV (header row first); quotes with commas, quotes or newlines are escaped."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for c in result.get("citations", []):
        writer.writerow(
            [
                c["n"],
                c["quote"],
                c.get("title") or "",
                c.get("section") or "",
                format_page(c.get("page"), c.get("page_label")) or "",
                c.get("speaker") or "",
                format_time(c.get("start_s")) or "",
                sources_text(c.get("sources", [])),
                c.get("doc_id") or "",
                c.get("passage_id") or "",
                c.get("char_start"),
                c.get("char_end"),
            ]
        )
    return out.getvalue()
