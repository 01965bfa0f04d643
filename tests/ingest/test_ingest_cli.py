"""python -m ingest on a folder of good and bad files: each bad one named once, the good ones answerable.

The loaders' own tests (tests/ingest/loaders) check each refusal's reason;
this checks the whole command: exit 1, one stderr line per bad file, and an
index that holds every good file and answers from it.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}

LIGHTHOUSE = """Coastal Lights Review

The lighthouse on Gull Point is kept by Marta Olsen, who has trimmed its lamp since 1994.

The keeper's cottage was rebuilt after the storm of 2011.
"""
FERRY = """<!DOCTYPE html><html><head><title>Harbour Notes</title>
<script>var token = "zebracode"; document.write("zebracode");</script></head>
<body><h1>Harbour Notes</h1><p>The harbour ferry to Skerry Island leaves at dawn every weekday.</p>
<script>alert("zebracode")</script><p onclick="steal()">Tickets are sold on the quay.</p></body></html>
"""
CAFE = "Café Report\n\nLe café du port ferme à minuit, dit la propriétaire Hélène Brun.\n"
GRANARY = "The granary at Millbrook holds four hundred sacks of barley through the winter."


def pdf_bytes(text: str = GRANARY, pages: int = 1) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    for _ in range(pages):
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def bomb_pdf() -> bytes:
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject

    writer = PdfWriter()
    page = writer.add_blank_page(100, 100)
    content = DecodedStreamObject()
    content.set_data(b"q Q\n" * 25_000_000)  # 100 MB of no-ops, about 100 kB compressed
    page.replace_contents(content.flate_encode(level=9))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def thick_pdf(pages: int) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(100, 100)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 16

# name -> (content, a word the refusal must contain)
BAD = {
    "empty.txt": (b"", "empty"),
    "blank.md": (b" \n\t\n  ", "empty"),
    "picture.pdf": (PNG, "not a PDF"),
    "picture.txt": (PNG, "binary"),
    "truncated.pdf": (pdf_bytes()[:600], "truncated"),
    "locked.pdf": (encrypted_pdf(), "encrypted"),
    "bomb.pdf": (bomb_pdf(), "safety limit"),
    "thick.pdf": (thick_pdf(2001), "2001 pages"),
    "huge.txt": (b"A sentence that repeats. " * 50_000, "--max-mb"),  # 1.25 MB, over --max-mb 1
    "memo.docx": (b"PK\x03\x04 a zip", "unsupported"),
    "ferry.txt": (b"A second file whose id is ferry.", "already used"),  # ferry.html comes first
}
GOOD = {
    "lighthouse.txt": LIGHTHOUSE.encode("utf-8"),
    "ferry.html": FERRY.encode("utf-8"),
    "cafe.txt": CAFE.encode("cp1252"),  # not UTF-8: é is a lone 0xE9 byte
    "nested/deeper/granary.pdf": pdf_bytes(),
}


def ingest(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ingest", *args, "--model", "hashing-256", "-q"], cwd=REPO,
                          env=ENV, capture_output=True, text=True, timeout=300)


def ask(index_dir: Path, question: str, *extra: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "chat.ask", question, "--json", "--index-dir", str(index_dir), *extra],
                          cwd=REPO, env=ENV, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("inbox")
    for name, data in [*((n, d) for n, (d, _) in BAD.items()), *GOOD.items()]:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    (folder / ".hidden.txt").write_text("A hidden file is skipped, not refused.")
    return folder


@pytest.fixture(scope="module")
def run(inbox: Path, tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("index")
    done = ingest(str(inbox), str(inbox / "missing.txt"), "--index-dir", str(index_dir), "--max-mb", "1")
    return done, index_dir


def test_a_batch_with_bad_files_exits_1_after_indexing_the_good_ones(run):
    done, _ = run
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stdout.startswith(f"indexed {len(GOOD)} documents")


def test_each_bad_file_is_named_on_exactly_one_line_with_its_reason(run, inbox):
    done, _ = run
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    for name, (_, reason) in {**BAD, "missing.txt": (b"", "no such file")}.items():
        lines = [line for line in errors if line.startswith(f"error: {inbox / name}: ")]
        assert len(lines) == 1, (name, errors)
        assert reason in lines[0], lines[0]
    assert len(errors) == len(BAD) + 1  # nothing else refused: not the good files, not the hidden one
    assert f"{len(BAD) + 1} file(s) failed; the others are indexed" in done.stderr


def test_every_good_file_is_indexed_and_answers(run):
    _, index_dir = run
    cases = [("Who keeps the lighthouse on Gull Point?", "lighthouse", "Marta Olsen"),
             ("When does the harbour ferry leave?", "ferry", "leaves at dawn"),
             ("Qui ferme le café du port?", "cafe", "Le café du port ferme à minuit"),
             ("How many sacks of barley does the granary hold?", "granary", "four hundred sacks")]
    for question, doc_id, words in cases:
        result = ask(index_dir, question, "--doc", doc_id)
        assert not result["abstained"], result
        assert words in " ".join(c["quote"] for c in result["citations"])


def test_script_text_is_not_indexed(run):
    _, index_dir = run
    result = ask(index_dir, "zebracode steal alert token", "--retriever", "bm25")
    assert all("zebracode" not in p["text"] and "alert" not in p["text"] for p in result["passages"])


def test_a_second_run_reuses_the_good_files_and_names_the_bad_ones_again(run, inbox):
    _, index_dir = run
    again = ingest(str(inbox), "--index-dir", str(index_dir), "--max-mb", "1")
    assert again.returncode == 1
    assert f"({0} embedded, {len(GOOD)} unchanged)" in again.stdout
    assert len([line for line in again.stderr.splitlines() if line.startswith("error: ")]) == len(BAD)


def test_a_raised_size_limit_admits_the_big_file(inbox, tmp_path):
    done = ingest(str(inbox / "huge.txt"), "--index-dir", str(tmp_path / "index"), "--max-mb", "2")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("indexed 1 documents")


def test_a_file_deleted_and_the_ingest_run_again_without_paths_leaves_the_index(tmp_path):
    """How a user removes a document: delete its file, re-run the ingest, which re-reads what the index holds
    (a file uploaded on its own included)."""
    folder, upload = tmp_path / "docs", tmp_path / "uploads" / "ferry.html"
    folder.mkdir()
    upload.parent.mkdir()
    (folder / "lighthouse.txt").write_text(LIGHTHOUSE, encoding="utf-8")
    (folder / "cafe.txt").write_bytes(CAFE.encode("cp1252"))
    upload.write_text(FERRY, encoding="utf-8")
    index_dir = tmp_path / "index"
    assert ingest(str(folder), str(upload), "--index-dir", str(index_dir)).returncode == 0
    (folder / "cafe.txt").unlink()
    again = ingest("--index-dir", str(index_dir))
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("indexed 2 documents") and "(0 embedded, 2 unchanged)" in again.stdout
    upload.unlink()
    last = ingest("--index-dir", str(index_dir))
    assert last.returncode == 0 and last.stdout.startswith("indexed 1 documents"), last.stderr
    answer = ask(index_dir, "What does the cafe serve?")
    assert all(c["doc_id"] not in ("cafe", "ferry") for c in answer["citations"])
