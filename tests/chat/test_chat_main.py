"""python -m chat: bad setups fail with one line and an exit code before any server starts."""

from __future__ import annotations

from pathlib import Path

from chat.__main__ import main, parse_auth


def test_missing_index_exits_3_with_one_line(tmp_path: Path, capsys):
    assert main(["--index-dir", str(tmp_path / "nowhere"), "--port", "1"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


def test_malformed_auth_is_a_usage_error(small_index: Path, capsys):
    assert main(["--index-dir", str(small_index), "--auth", "justauser"]) == 2
    assert "USER:PASS" in capsys.readouterr().err


def test_auth_splits_at_the_first_colon():
    assert parse_auth("ann:pa:ss") == ("ann", "pa:ss")
    assert parse_auth(None) is None
