"""bench engine-scale end to end on a small N: the real ingest, engine and update, in a fresh process."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO

from bench.engine_scale import COMMON, write_corpus
from ingest.chunk import ChunkConfig, chunk
from ingest.loaders import load

KEYS = {"passages", "build_s", "open_s", "rss_mb", "warm_p50_ms", "warm_p95_ms", "country_filter_p95_ms",
        "doc_filter_p95_ms", "brief_s", "update_one_file_s", "errors", "peak_rss_mb", "build_peak_rss_mb",
        "change_one_file_s", "remove_one_file_s"}


def test_synthetic_documents_are_reports_and_transcripts_the_loaders_understand(tmp_path):
    files = write_corpus(tmp_path, 240)
    report, hearing = (load(f) for f in files)
    assert (report.kind, hearing.kind) == ("report", "transcript") and report.footnotes
    passages = [p for doc in (report, hearing) for p in chunk(doc, ChunkConfig())]
    assert any(p.section for p in passages) and any(p.speakers for p in passages)
    common = sum(COMMON in p.countries for p in passages) / len(passages)
    assert common > 0.5 and len({c for p in passages for c in p.countries}) > 10
    assert write_corpus(tmp_path / "again", 240)[0].read_text() == files[0].read_text()  # deterministic


def test_engine_scale_writes_every_figure_with_no_errors(tmp_path):
    out = tmp_path / "scale.json"
    proc = subprocess.run([sys.executable, "-m", "bench", "engine-scale", "--passages", "400", "--out", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(out.read_text())
    assert KEYS <= result.keys()
    assert result["errors"] == 0 and result["passages"] >= 400
    assert result["update_embedded_files"] == 1 and result["passages_after_update"] > result["passages"]
    assert result["change_embedded_files"] == 1  # the changed file alone is read and embedded again
    assert result["passages_after_removal"] < result["passages_after_update"]
