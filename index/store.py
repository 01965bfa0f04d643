"""SQLite side of the index: documents, passages, footnotes, country mentions, FTS5.

One file per generation. Passages keep their vector row (``row``), so FAISS
ids map straight back to records. Nothing here is pickled: lists are JSON.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from contextlib import closing
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
CREATE TABLE doc_freq (term TEXT PRIMARY KEY, n INTEGER) WITHOUT ROWID;
CREATE TABLE country_counts (country TEXT PRIMARY KEY, passages INTEGER);
"""
# doc_freq: passages holding each word (chat.terms.words), for IDF without scanning passages at open.
# country_counts: passages mentioning each country. Both are written at ingest; an index without
# them (built before they existed) is still read, by counting at open.
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
        sentences=tuple(_sentence(item, r["page"], r["page_label"]) for item in json.loads(r["sentences"])),
    )


def _sentence(item: list, page: int | None = None, page_label: str | None = None) -> Sentence:
    """[start, end, footnotes], then [speaker, start_s] in a transcript, then [page, page_label] for a
    sentence on another page than its passage's first; a sentence without its own is on the passage's."""
    s, e, f, *rest = item
    speaker, start_s, *own = [*rest, None, None][:2] + rest[2:]
    if own:
        page, page_label = own
    return Sentence(s, e, tuple(f), speaker, start_s, page, page_label)


def _sentence_json(s: Sentence, passage: Passage) -> list:
    item = [s.char_start, s.char_end, list(s.footnotes)]
    if (s.page, s.page_label) != (passage.page, passage.page_label):
        return [*item, s.speaker, s.start_s, s.page, s.page_label]
    return [*item, s.speaker, s.start_s] if s.speaker is not None or s.start_s is not None else item


def write_store(
    path: Path,
    documents: Sequence[tuple[Document, str]],
    passages: Sequence[Passage],
    mentions: Iterable[tuple[int, str, int, int, str]],
    footnote_mentions: Iterable[tuple[str, int, str]],
    doc_freq: Mapping[str, int] | None = None,
) -> None:
    """Write a fresh store; passages in vector-row order (row i == FAISS id i)."""
    con = create_store(path)
    try:
        append_rows(con, documents, passages, 0, 0, mentions, footnote_mentions)
        add_doc_freq(con, doc_freq or {})
        finish_store(con)
    finally:
        con.close()


def create_store(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path)
    con.executescript(SCHEMA)
    return con


def append_rows(
    con: sqlite3.Connection,
    documents: Sequence[tuple[Document, str]],
    passages: Sequence[Passage],
    first_row: int,
    first_sentence_row: int,
    mentions: Iterable[tuple[int, str, int, int, str]],
    footnote_mentions: Iterable[tuple[str, int, str]],
) -> None:
    """Add documents and their passages as rows ``first_row...`` (sentence rows from ``first_sentence_row``)."""
    titles = dict(con.execute("SELECT doc_id, title FROM documents"))
    titles.update((doc.doc_id, doc.title) for doc, _ in documents)
    con.executemany(
        "INSERT INTO documents VALUES (?,?,?,?,?,?,?)",
        [(d.doc_id, d.title, d.kind, d.source, d.text, json.dumps(dict(d.meta)), sha) for d, sha in documents],
    )
    con.executemany(
        "INSERT INTO footnotes VALUES (?,?,?)",
        [(d.doc_id, n, text) for d, _ in documents for n, text in sorted(d.footnotes.items())],
    )
    sentence_row = first_sentence_row
    rows = []
    for row, p in enumerate(passages, start=first_row):
        rows.append((row, p.passage_id, p.doc_id, p.text, p.char_start, p.char_end, p.section, p.page,
                     p.page_label, p.speaker, p.start_s, p.end_s, json.dumps(p.footnotes),
                     json.dumps(p.countries),
                     json.dumps([_sentence_json(s, p) for s in p.sentences]), sentence_row))
        sentence_row += len(p.sentences)
    con.executemany(f"INSERT INTO passages VALUES ({','.join('?' * 16)})", rows)
    con.executemany(
        "INSERT INTO passages_fts (rowid, text, section, title, speaker) VALUES (?,?,?,?,?)",
        [(row, p.text, p.section or "", titles.get(p.doc_id, ""), "; ".join(p.speakers))
         for row, p in enumerate(passages, start=first_row)],
    )
    con.executemany("INSERT INTO mentions VALUES (?,?,?,?,?)", mentions)
    con.executemany("INSERT INTO footnote_mentions VALUES (?,?,?)", footnote_mentions)


def copy_documents(con: sqlite3.Connection, old: Path, kept: Sequence[tuple[str, int, int]]) -> None:
    """Copy documents ``(doc_id, row_shift, sentence_shift)`` from the store at ``old``, rows moved down by the shifts.

    SQL copies the rows (FTS included) without turning them into Python objects; the
    word counts come along and are corrected by the caller for what was dropped.
    """
    con.execute("ATTACH DATABASE ? AS old", (f"file:{old}?mode=ro",))
    try:
        con.execute("CREATE TEMP TABLE kept (doc_id TEXT PRIMARY KEY, row_shift INTEGER, sentence_shift INTEGER)")
        con.executemany("INSERT INTO kept VALUES (?,?,?)", kept)
        con.execute("INSERT INTO documents SELECT d.* FROM old.documents d JOIN kept USING (doc_id)")
        con.execute("INSERT INTO footnotes SELECT f.* FROM old.footnotes f JOIN kept USING (doc_id)")
        con.execute("INSERT INTO footnote_mentions SELECT f.* FROM old.footnote_mentions f JOIN kept USING (doc_id)")
        con.execute(
            "INSERT INTO passages SELECT p.row - k.row_shift, p.passage_id, p.doc_id, p.text, p.char_start, "
            "p.char_end, p.section, p.page, p.page_label, p.speaker, p.start_s, p.end_s, p.footnotes, p.countries, "
            "p.sentences, p.sentence_row - k.sentence_shift FROM old.passages p JOIN kept k USING (doc_id) "
            "ORDER BY p.row")
        con.execute(
            "INSERT INTO passages_fts (rowid, text, section, title, speaker) SELECT p.row - k.row_shift, f.text, "
            "f.section, f.title, f.speaker FROM old.passages p JOIN kept k USING (doc_id) "
            "JOIN old.passages_fts f ON f.rowid = p.row ORDER BY p.row")
        con.execute(
            "INSERT INTO mentions SELECT m.row - k.row_shift, m.country, m.char_start, m.char_end, m.surface "
            "FROM old.mentions m JOIN old.passages p ON p.row = m.row JOIN kept k ON k.doc_id = p.doc_id")
        if con.execute("SELECT 1 FROM old.sqlite_master WHERE name = 'doc_freq'").fetchone():
            con.execute("INSERT INTO doc_freq SELECT * FROM old.doc_freq")
        con.commit()
    finally:
        con.execute("DETACH DATABASE old")


def add_doc_freq(con: sqlite3.Connection, counts: Mapping[str, int], sign: int = 1) -> None:
    """Add (sign 1) or take away (sign -1) passage counts of words; a word counted in no passage goes."""
    con.executemany("INSERT INTO doc_freq VALUES (?, ?) ON CONFLICT (term) DO UPDATE SET n = n + excluded.n",
                    [(term, sign * n) for term, n in counts.items()])
    if sign < 0:
        con.execute("DELETE FROM doc_freq WHERE n <= 0")


def add_counts(con: sqlite3.Connection, since: int = 0) -> None:
    """Add the passages from row ``since`` on to the per-country and per-speaker counts (from the stored rows:
    ``finish_store`` counts them all, an update in place the rows it appended)."""
    countries = con.execute("SELECT country, count(DISTINCT row) FROM mentions WHERE row >= ? GROUP BY country",
                            (since,)).fetchall()
    speakers = _speaker_counts(con.execute("SELECT speaker FROM passages_fts WHERE speaker != '' AND rowid >= ?",
                                           (since,)))
    _change_counts(con, countries, speakers, 1)


def _speaker_counts(found: Iterable[tuple[str]]) -> Counter[str]:
    """Passages per speaker, from the FTS speaker column's "A; B" values."""
    speakers: Counter[str] = Counter()
    for (joined,) in found:
        speakers.update(joined.split("; "))
    return speakers


def _change_counts(con: sqlite3.Connection, countries: Iterable[tuple[str, int]], speakers: Counter[str],
                   sign: int) -> None:
    """Add (sign 1) or take away (sign -1) passages per country and per speaker; a count that reaches 0 goes."""
    con.executemany("INSERT INTO country_counts VALUES (?, ?) "
                    "ON CONFLICT (country) DO UPDATE SET passages = passages + excluded.passages",
                    [(country, sign * n) for country, n in countries])
    con.executemany("INSERT INTO speakers VALUES (?, ?) "
                    "ON CONFLICT (speaker) DO UPDATE SET passages = passages + excluded.passages",
                    [(who, sign * n) for who, n in sorted(speakers.items())])
    if sign < 0:
        con.execute("DELETE FROM country_counts WHERE passages <= 0")
        con.execute("DELETE FROM speakers WHERE passages <= 0")


def remove_documents(con: sqlite3.Connection, doc_ids: Sequence[str], words) -> int:
    """Take documents out of the store in place, in the caller's transaction; the rows they held are listed in
    ``removed`` (with their sentence rows, so the vector files keep their layout) and their passages leave the
    word, country and speaker counts. ``words(text)`` is the set of words a passage counts for in doc_freq.
    Returns how many rows were removed."""
    con.execute("CREATE TABLE IF NOT EXISTS removed (row INTEGER PRIMARY KEY, sentence_row INTEGER, sentences INTEGER)")
    con.execute("CREATE TEMP TABLE IF NOT EXISTS going_docs (doc_id TEXT PRIMARY KEY)")
    con.execute("CREATE TEMP TABLE IF NOT EXISTS going (row INTEGER PRIMARY KEY)")
    con.execute("DELETE FROM going_docs")
    con.execute("DELETE FROM going")
    con.executemany("INSERT OR IGNORE INTO going_docs VALUES (?)", [(d,) for d in doc_ids])
    con.execute("INSERT INTO going SELECT row FROM passages WHERE doc_id IN (SELECT doc_id FROM going_docs)")
    words_gone: Counter[str] = Counter()
    for (text,) in con.execute("SELECT text FROM passages WHERE row IN (SELECT row FROM going)"):
        words_gone.update(words(text))
    add_doc_freq(con, words_gone, sign=-1)
    countries = con.execute("SELECT country, count(DISTINCT row) FROM mentions WHERE row IN (SELECT row FROM going) "
                            "GROUP BY country").fetchall()
    speakers = _speaker_counts(con.execute("SELECT speaker FROM passages_fts WHERE speaker != '' "
                                           "AND rowid IN (SELECT row FROM going)"))
    _change_counts(con, countries, speakers, -1)
    n = con.execute("INSERT INTO removed SELECT row, sentence_row, json_array_length(sentences) FROM passages "
                    "WHERE row IN (SELECT row FROM going)").rowcount
    con.execute("DELETE FROM passages_fts WHERE rowid IN (SELECT row FROM going)")
    con.execute("DELETE FROM mentions WHERE row IN (SELECT row FROM going)")
    con.execute("DELETE FROM passages WHERE row IN (SELECT row FROM going)")
    con.execute("DELETE FROM documents WHERE doc_id IN (SELECT doc_id FROM going_docs)")
    con.execute("DELETE FROM footnotes WHERE doc_id IN (SELECT doc_id FROM going_docs)")
    con.execute("DELETE FROM footnote_mentions WHERE doc_id IN (SELECT doc_id FROM going_docs)")
    con.execute("DELETE FROM going")
    con.execute("DELETE FROM going_docs")
    return n


def record_manifest(con: sqlite3.Connection, manifest) -> None:
    """The manifest of the generation this transaction makes, kept in the store (index/manifest.py newer_in)."""
    from index.manifest import manifest_json

    con.execute("CREATE TABLE IF NOT EXISTS manifest (generation INTEGER PRIMARY KEY, json TEXT)")
    con.execute("DELETE FROM manifest")
    con.execute("INSERT INTO manifest VALUES (?, ?)", (manifest.generation, manifest_json(manifest)))


def finish_store(con: sqlite3.Connection, posting_lists: bool = True) -> None:
    """Recount passages per country and per speaker, write the terms' posting lists (for the local keyword
    search: a search engine's store has no use for them), and commit."""
    from index.postings import write_postings

    con.execute("DELETE FROM country_counts")
    con.execute("DELETE FROM speakers")
    add_counts(con)
    con.commit()  # FTS5 flushes its pending terms and totals at commit; the lists are read from its index
    if posting_lists:
        write_postings(con)
    con.commit()


def open_store(path: Path) -> sqlite3.Connection:
    """Read-only connection; usable from the web server's worker threads."""
    if not path.exists():
        raise CorruptIndex(f"index file {path} is missing; run `{rebuild_command(path.parent)}`")
    try:
        try:
            con = _read_only(path)
        except sqlite3.OperationalError as err:
            if getattr(err, "sqlite_errorname", "") != "SQLITE_READONLY_ROLLBACK":
                raise
            # an update killed inside its transaction left a journal to roll back, which a read-only
            # connection cannot do: a writable one rolls it back (SQLite's own recovery), then read
            with closing(sqlite3.connect(path)) as writer:
                writer.execute("SELECT count(*) FROM sqlite_master").fetchone()
            con = _read_only(path)
    except sqlite3.DatabaseError as err:
        raise CorruptIndex(f"index file {path} is corrupt ({err}); run `{rebuild_command(path.parent)}`") from err
    return con


def _read_only(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    con.row_factory = sqlite3.Row
    try:
        con.execute("SELECT 1 FROM passages LIMIT 1").fetchone()  # a probe: the schema and a first page
    except BaseException:
        con.close()
        raise
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
    phrases = fts_phrases(text, stopwords)
    return " OR ".join(phrases) if phrases else None


def fts_words(text: str, stopwords: Iterable[str] = ()) -> list[str]:
    """The question's words a keyword search looks for, in question order: each once, ``stopwords`` left out
    unless nothing else is left."""
    tokens = list(dict.fromkeys(t for t in _TOKEN.findall(text) if t))
    drop = frozenset(stopwords)
    return [t for t in tokens if t.lower() not in drop] or tokens


def fts_phrases(text: str, stopwords: Iterable[str] = ()) -> list[str]:
    """The quoted terms ``fts_query`` joins with OR (each one FTS5 phrase), in question order."""
    return [_term(t) for t in fts_words(text, stopwords)]


FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"  # passages_fts's and fts_terms's (written out there)


def fts_terms(texts: Sequence[str]) -> list[list[str]]:
    """Each text as the terms FTS5's tokenizer indexes it by (lower-cased, diacritics removed, Porter-stemmed),
    in text order: for a search engine that should match words exactly as ``passages_fts`` does."""
    con = sqlite3.connect(":memory:")
    try:
        con.execute("CREATE VIRTUAL TABLE t USING fts5 (x, tokenize = 'porter unicode61 remove_diacritics 2')")
        con.execute("CREATE VIRTUAL TABLE v USING fts5vocab (t, 'instance')")
        con.executemany("INSERT INTO t (rowid, x) VALUES (?, ?)", enumerate(texts, start=1))
        terms: list[list[str]] = [[] for _ in texts]
        for doc, term in con.execute("SELECT doc, term FROM v ORDER BY doc, offset"):
            terms[doc - 1].append(term)
        return terms
    finally:
        con.close()


def speaker_match(label: str) -> str | None:
    """An FTS5 MATCH expression for the passages in which the speaker ``label`` speaks (its words as a phrase)."""
    tokens = _TOKEN.findall(label)
    return f"speaker : {_term(' '.join(tokens))}" if tokens else None
