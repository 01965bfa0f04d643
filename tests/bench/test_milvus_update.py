"""bench.milvus_update on a small library: every update lands in the index's own collection."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("pymilvus", reason="the milvus store's tests need the test extra (pymilvus, milvus-lite)")

from bench.milvus_update import main  # noqa: E402


def test_add_change_and_remove_are_made_in_place_and_timed(tmp_path):
    out = tmp_path / "milvus_update.json"
    assert main(["--passages", "3000", "--out", str(out)]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["store"] == "milvus" and result["same_collection"] is True
    assert result["passages"] >= 3000 and result["rows_added"] > 0
    assert result["removed_rows_kept"] > 0  # the changed and the removed file's rows, marked, not rewritten
    assert all(result[k] > 0 for k in ("add_one_file_s", "change_one_file_s", "remove_one_file_s"))
