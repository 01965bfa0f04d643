"""python -m ingest names each PDF's pages that have no text layer, and still indexes the file."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import REPO

ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def mixed_pdf() -> bytes:
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (600, 800), "white")
    ImageDraw.Draw(picture).rectangle((100, 100, 500, 300), outline="black", width=8)
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "The granary at Millbrook holds four hundred sacks of barley through the winter.")
    pdf.add_page()
    pdf.image(picture, 0, 0, 210, 297)  # a page that is only a picture: no text layer
    return bytes(pdf.output())


def test_ingest_warns_about_pages_without_text_and_indexes_the_rest(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "granary.pdf").write_bytes(mixed_pdf())
    out = subprocess.run([sys.executable, "-m", "ingest", str(folder), "--index-dir", str(tmp_path / "index"),
                          "--model", "hashing-256", "-q"], cwd=REPO, env=ENV, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    warnings = [line for line in out.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1
    assert "granary.pdf: page 2 had no text layer" in warnings[0]
    assert "indexed 1 documents" in out.stdout
