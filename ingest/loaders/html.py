"""HTML -> an article (or report) Document: the readable text, block by block, no code.

Parsed with the standard library's parser through BeautifulSoup; scripts,
styles and other non-content elements are dropped before any text is taken,
and attributes (``onerror=...``) never become text. Headings become heading
lines, paragraphs, list items and quotes become paragraphs, a table's rows
become lines of cells ("North | 700"), and ``<sup>`` footnote numbers become
superscript digits, the form ``ingest.clean`` links to footnotes. Only the
page's main part is read (``<main>``, its one ``<article>``, else the page
without the site's header and footer), with any footnote list kept outside it.
"""

from __future__ import annotations

import re
from pathlib import Path

from ingest.errors import IngestError
from ingest.loaders.common import document_from_cleaned, find_date
from ingest.records import Document

_DROP = frozenset(
    "script style noscript template head svg math iframe object embed canvas nav button select textarea".split()
)
_HEADINGS = frozenset(f"h{n}" for n in range(1, 7))
_BLOCKS = frozenset(
    """p li blockquote td th dd dt pre figcaption caption address summary details div section article
    main header footer aside body html ul ol dl table thead tbody tfoot tr figure fieldset form hr center""".split()
)
# a table whose cells hold paragraphs, headings or tables lays out a page; it is read as blocks, not rows
_LAYOUT = ["p", "div", "table", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol"]
_NOTES = re.compile(r"foot-?notes?|end-?notes?", re.IGNORECASE)
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_BACKLINKS = str.maketrans("", "", "↩↑\ufe0e\ufe0f")  # "return to text" links after a footnote
_NO_MARKERS = str.maketrans("", "", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_MARKER = re.compile(r"\[?(\d{1,3}(?:\s*,\s*\d{1,3})*)\]?")


def _superscript(text: str) -> str | None:
    match = _MARKER.fullmatch(text.strip())
    return re.sub(r"\D", "", match[1]).translate(_SUPERSCRIPT) if match else None


def html_blocks(soup) -> list[tuple[str, str]]:
    """("heading" | "para", text) in document order, whitespace collapsed; ``<br>`` kept as a newline."""
    from bs4 import NavigableString, Tag
    from bs4.element import PreformattedString  # comments, doctype, CDATA: not text

    out: list[tuple[str, str]] = []
    buf: list[str] = []
    number: list[str] = []  # an <ol> item's number, shown as a browser shows it, before its text

    def flush(kind: str = "para") -> None:
        lines = (" ".join(line.split()) for line in "".join(buf).translate(_BACKLINKS).split("\n"))
        text = "\n".join(line for line in lines if line)
        buf.clear()
        if text:
            out.append((kind, "".join(number) + text))
            number.clear()

    def visit_list(node: Tag) -> None:
        start = node.get("start")
        n = int(start) if isinstance(start, str) and start.strip().isdigit() else 1
        for item in node.find_all("li", recursive=False):
            flush()
            number[:] = [f"{n}. "]
            visit(item)
            flush()
            number.clear()
            n += 1

    def visit(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, PreformattedString):
                    buf.append(str(child))
            elif not isinstance(child, Tag) or child.name in _DROP:
                continue
            elif child.name in _HEADINGS:
                flush()
                visit(child)
                flush("heading")
            elif child.name == "ol":
                flush()
                visit_list(child)
            elif child.name == "table" and not child.find(_LAYOUT):
                flush()
                rows = (" | ".join(c for c in (" ".join(cell.get_text(" ").split())
                                              for cell in tr.find_all(["td", "th"], recursive=False)) if c)
                        for tr in child.find_all("tr"))
                out.extend(("para", row) for row in rows if row)  # a row a line, its cells side by side
            elif child.name in _BLOCKS:
                flush()
                visit(child)
                flush()
            elif child.name == "br":
                buf.append("\n")
            elif child.name == "sup" and (marker := _superscript(child.get_text())):
                buf.append(marker)
            else:
                visit(child)

    visit(soup)
    flush()
    return out


def content_of(soup):
    """The part of the page that is the document: its ``<main>`` (or ``role="main"``), or its one
    ``<article>``; else the page without the site's own header and footer. Site chrome ("Cookies on
    GOV.UK", "© Crown copyright") is not the document's text."""
    root = soup.find("main") or soup.find(attrs={"role": "main"})
    if root is None:
        articles = soup.find_all("article")
        root = articles[0] if len(articles) == 1 else None
    if root is None:
        for chrome in soup.find_all(["header", "footer"]):
            if not chrome.find_parent(["article", "section", "main"]):
                chrome.decompose()
        return soup
    return root


def notes_outside(soup, root) -> list:
    """Footnote lists the page keeps outside its main part (they are the document's sources)."""
    if root is soup:
        return []
    found = [tag for tag in soup.find_all(attrs={"class": _NOTES}) + soup.find_all(attrs={"id": _NOTES})
             if tag is not root and not any(parent is root for parent in tag.parents)]
    outer = []
    for tag in found:  # each list once: the outermost element that names it
        if not any(other is not tag and any(parent is other for parent in tag.parents) for other in found) \
                and all(tag is not kept for kept in outer):
            outer.append(tag)
    return outer


def _meta_content(soup, *names: str) -> str | None:
    for name in names:
        tag = soup.find("meta", attrs={"name": name}) or soup.find("meta", attrs={"property": name})
        content = tag.get("content") if tag else None
        if isinstance(content, str) and content.strip():
            return " ".join(content.split())
    return None


def _meta(soup) -> dict[str, str]:
    meta: dict[str, str] = {}
    author = _meta_content(soup, "author", "article:author", "dc.creator")
    if author:
        meta["author"] = author
    published = _meta_content(soup, "article:published_time", "date", "dc.date", "citation_publication_date")
    time_tag = soup.find("time", attrs={"datetime": True})
    for candidate in (published, time_tag.get("datetime") if time_tag else None):
        if isinstance(candidate, str) and (date := find_date(candidate)):
            meta["date"] = date
            break
    lang = soup.html.get("lang") if soup.html else None
    if isinstance(lang, str) and lang.strip():
        meta["lang"] = lang.strip()
    return meta


def html_document(path: Path, text: str) -> Document:
    from bs4 import BeautifulSoup

    from ingest.clean import Page, clean_pages, fix_noise, guess_title

    soup = BeautifulSoup(text, "html.parser")
    title_tag = soup.find("title")
    title = " ".join(title_tag.get_text().split()) if title_tag else ""
    meta = _meta(soup)
    first_h1 = next((" ".join(h.get_text().split()) for h in soup.find_all("h1")), "")
    root = content_of(soup)
    blocks = html_blocks(root) + [block for notes in notes_outside(soup, root) for block in html_blocks(notes)]
    if not blocks:
        raise IngestError(str(path), "no readable text in this HTML file")
    # As the cleaned text will have them: noise fixed, footnote markers taken out.
    shown = [(kind, " ".join(fix_noise(text).translate(_NO_MARKERS).split())) for kind, text in blocks]
    headings = {text for kind, text in shown if kind == "heading"}
    joins = {(h, f"{h} {nxt[:40]}") for (k, h), (_, nxt) in zip(shown, shown[1:], strict=False) if k == "heading"}
    cleaned = clean_pages([Page("\n\n".join(text for _, text in blocks))])
    if not cleaned.text.strip():
        raise IngestError(str(path), "no readable text in this HTML file")
    cleaned = _mark_headings(cleaned, headings, joins)
    kind = "report" if cleaned.footnotes else "article"
    # "Rural water: a briefing - GOV.UK": the page's own heading, without the site's name after it
    if first_h1 and title.startswith(first_h1) and len(first_h1) >= 8:
        title = first_h1
    return document_from_cleaned(path, cleaned, kind=kind, title=title or first_h1 or guess_title(cleaned), meta=meta)


def _mark_headings(cleaned, headings: set[str], joins: set[tuple[str, str]]):
    """Block kinds from the markup: a heading is what the page marks as one, nothing else.

    ``clean_pages`` guesses headings from the text, and may join a heading
    it took for a paragraph to the paragraph after it ("Why it matters The
    ..."). ``joins`` holds (heading, heading + " " + start of the next
    block) for each heading in the markup; a block that starts so is split
    back at the heading's end.
    """
    from dataclasses import replace

    blocks = []
    for block in cleaned.blocks:
        text = cleaned.text[block.char_start : block.char_end]
        lead = next((h for h, joined in joins if text.startswith(joined) and len(text) > len(h)), None)
        if text in headings:
            blocks.append(replace(block, kind="heading"))
        elif lead:
            cut = block.char_start + len(lead)
            blocks.append(replace(block, kind="heading", char_end=cut))
            blocks.append(replace(block, kind="para", char_start=cut + 1))
        else:
            blocks.append(replace(block, kind="para"))
    return replace(cleaned, blocks=tuple(blocks))
