"""SQLite side of the index: documents, passages, footnotes, country mentions, FTS5.

One file per generation. Passages keep their vector row (``row``), so FAISS
ids map straight back to records. Nothing here is pickled: lists are JSON.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

from ingest.errors import CorruptIndex, rebuild_command
from ingest.records import Document, Passage, Sentence

SCHEMA = """
CREATE TABLE documents (doc_id TEXT PRIMARY KEY, title TEXT, kind TEXT, source TEXT, text TEXT,
                        meta TEXT, sha256 TEXT);
CREATE TABLE footnotes (doc_id TEXT, n INTEGER, text TEXT, PRIMARY KEY (doc_id, n));
CREATE TABLE passages (row INTEGER PRIMARY KEY, passage_id TEXT UNIQUE, doc_id TEXT, text TEXT,
                       char_start INTEGER, char_end INTEGER, section TEXT, page INTEGER, page_label TEXT,
                       speaker TEXT, start_s REAL, end_s REAL, footnotes TEXT, countries TEXT,
                       sentences TEXT, sentence_row INTEGER);
CREATE INDEX passages_doc ON passages (doc_id, char_start);
CREATE TABLE mentions (row INTEGER, country TEXT, char_start INTEGER, char_end INTEGER, surface TEXT);
CREATE INDEX mentions_country ON mentions (country, row);
CREATE TABLE footnote_mentions (doc_id TEXT, n INTEGER, country TEXT);
CREATE INDEX footnote_mentions_country ON footnote_mentions (country);
CREATE TABLE speakers (speaker TEXT PRIMARY KEY, passages INTEGER);
CREATE VIRTUAL TABLE passages_fts USING fts5 (text, section, title, speaker,
    tokenize = 'porter unicode61 remove_diacritics 2');
"""
FTS_COLUMNS = ("text", "section", "title", "speaker")


def passage_from_row(r: sqlite3.Row) -> Passage:
    return Passage(
        passage_id=r["passage_id"],
        doc_id=r["doc_id"],
        text=r["text"],
        char_start=r["char_start"],
        char_end=r["char_end"],
        section=r["section"],
        page=r["page"],
        page_label=r["page_label"],
        speaker=r["speaker"],
        start_s=r["start_s"],
        end_s=r["end_s"],
        footnotes=tuple(json.loads(r["footnotes"])),
        countries=tuple(json.loads(r["countries"])),
        sentences=tuple(_sentence(item) for item in json.loads(r["sentences"])),
    )


def _sentence(item: list) -> Sentence:
    """[start, end, footnotes] or, in a transcript, [start, end, footnotes, speaker, start_s]."""
    s, e, f, *turn = item
    return Sentence(s, e, tuple(f), *turn)


def _sentence_json(s: Sentence) -> list:
    item = [s.char_start, s.char_end, list(s.footnotes)]
    return [*item, s.speaker, s.start_s] if s.speaker is not None or s.start_s is not None else item


def write_store(
    path: Path,
    documents: Sequence[tuple[Document, str]],
    passages: Sequence[Passage],
    mentions: Iterable[tuple[int, str, int, int, str]],
    footnote_mentions: Iterable[tuple[str, int, str]],
) -> None:
    """Write a fresh store; passages in vector-row order (row i == FAISS id i)."""
    con = sqlite3.connect(path)
    try:
        con.executescript(SCHEMA)
        titles = {doc.doc_id: doc.title for doc, _ in documents}
        con.executemany(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?)",
            [(d.doc_id, d.title, d.kind, d.source, d.text, json.dumps(dict(d.meta)), sha) for d, sha in documents],
        )
        con.executemany(
            "INSERT INTO footnotes VALUES (?,?,?)",
            [(d.doc_id, n, text) for d, _ in documents for n, text in sorted(d.footnotes.items())],
        )
        sentence_row = 0
        rows = []
        for row, p in enumerate(passages):
            rows.append((row, p.passage_id, p.doc_id, p.text, p.char_start, p.char_end, p.section, p.page,
                         p.page_label, p.speaker, p.start_s, p.end_s, json.dumps(p.footnotes),
                         json.dumps(p.countries),
                         json.dumps([_sentence_json(s) for s in p.sentences]), sentence_row))
            sentence_row += len(p.sentences)
        con.executemany(f"INSERT INTO passages VALUES ({','.join('?' * 16)})", rows)
        con.executemany(
            "INSERT INTO passages_fts (rowid, text, section, title, speaker) VALUES (?,?,?,?,?)",
            [(row, p.text, p.section or "", titles.get(p.doc_id, ""), "; ".join(p.speakers))
             for row, p in enumerate(passages)],
        )
        counts: dict[str, int] = {}
        for p in passages:
            for name in p.speakers:
                counts[name] = counts.get(name, 0) + 1
        con.executemany("INSERT INTO speakers VALUES (?,?)", sorted(counts.items()))
        con.executemany("INSERT INTO mentions VALUES (?,?,?,?,?)", mentions)
        con.executemany("INSERT INTO footnote_mentions VALUES (?,?,?)", footnote_mentions)
        con.commit()
    finally:
        con.close()


def open_store(path: Path) -> sqlite3.Connection:
    """Read-only connection; usable from the web server's worker threads."""
    if not path.exists():
        raise CorruptIndex(f"index file {path} is missing; run `{rebuild_command(path.parent)}`")
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        con.row_factory = sqlite3.Row
        con.execute("SELECT count(*) FROM passages").fetchone()
    except sqlite3.DatabaseError as err:
        raise CorruptIndex(f"index file {path} is corrupt ({err}); run `{rebuild_command(path.parent)}`") from err
    return con


_TOKEN = re.compile(r"\w+", re.UNICODE)


def _term(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def fts_query(text: str, stopwords: Iterable[str] = ()) -> str | None:
    """An FTS5 MATCH expression that treats every user word as a plain term.

    Each token is double-quoted, so ``"``, ``*``, ``NEAR(``, ``AND``/``OR``/
    ``NOT`` and ``-`` in a question are words, never query syntax. Words in
    ``stopwords`` (lower-case) are left out, unless nothing else is left: an
    OR of "the", "what" and "did" matches every passage and ranks by noise.
    """
    tokens = list(dict.fromkeys(t for t in _TOKEN.findall(text) if t))
    if not tokens:
        return None
    drop = frozenset(stopwords)
    kept = [t for t in tokens if t.lower() not in drop] or tokens
    return " OR ".join(_term(t) for t in kept)


def speaker_match(label: str) -> str | None:
    """An FTS5 MATCH expression for the passages in which the speaker ``label`` speaks (its words as a phrase)."""
    tokens = _TOKEN.findall(label)
    return f"speaker : {_term(' '.join(tokens))}" if tokens else None
