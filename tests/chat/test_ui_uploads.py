"""Uploads are copied under safe names into the uploads folder; bad ones are refused with a reason."""

from __future__ import annotations

from pathlib import Path

from chat.ui_uploads import safe_name, stage_uploads


def test_safe_name_keeps_only_the_basename_and_safe_characters():
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("..\\..\\Windows\\evil.TXT") == "evil.txt"
    assert safe_name("my report (final).pdf") == "my_report_final.pdf"
    assert safe_name(".hidden.md") == "hidden.md"
    assert safe_name("..") == "upload"
    assert safe_name("") == "upload"
    assert safe_name("../.txt") == "txt"


def _file(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def test_stage_copies_supported_files_into_the_folder(tmp_path: Path):
    src = tmp_path / "browser"
    a = _file(src, "notes on Serbia.txt", b"Serbia text")
    b = _file(src, "talk.vtt", b"WEBVTT\n")
    staged = stage_uploads([a, b], tmp_path / "uploads")
    assert [p.name for p in staged.files] == ["notes_on_Serbia.txt", "talk.vtt"]
    assert all(p.parent == tmp_path / "uploads" for p in staged.files)
    assert staged.files[0].read_bytes() == b"Serbia text"
    assert staged.refused == []


def test_stage_refuses_oversized_unsupported_and_duplicate_names(tmp_path: Path):
    src = tmp_path / "browser"
    big = _file(src, "big.txt", b"x" * 2000)
    exe = _file(src, "tool.exe", b"MZ")
    one = _file(src / "a", "same.md", b"a")
    two = _file(src / "b", "same.md", b"b")
    staged = stage_uploads([big, exe, one, two], tmp_path / "uploads", max_bytes=1000)
    assert [p.name for p in staged.files] == ["same.md"]
    reasons = dict(staged.refused)
    assert "upload limit" in reasons["big.txt"]
    assert "unsupported file type .exe" in reasons["tool.exe"]
    assert "same name" in reasons["same.md"]
    assert not (tmp_path / "uploads" / "big.txt").exists()
