"""bench.library_ingest on a small library: sized by word pieces, ingested by the real command line."""

from __future__ import annotations

import json

from bench.library_ingest import main, write_library


def test_a_library_holds_the_word_pieces_asked_for_spread_over_its_documents(tmp_path):
    written = write_library(tmp_path / "lib", docs=12, tokens=3000)
    files = sorted((tmp_path / "lib").iterdir())
    assert len(files) == 12 and all(f.read_text(encoding="utf-8").strip() for f in files)
    assert 3000 <= written < 3000 + 100  # a document stops at the sentence that reaches its share of what is left
    assert write_library(tmp_path / "again", docs=12, tokens=3000) == written  # deterministic


def test_the_command_line_ingests_the_library_and_the_figures_are_written(tmp_path):
    out = tmp_path / "library.json"
    assert main(["--docs", "6", "--tokens", "1500", "--out", str(out)]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["documents"] == 6 and result["passages"] >= 6 and result["word_pieces"] >= 1500
    assert result["ingest_s"] > 0 and result["peak_rss_mb"] > 100
