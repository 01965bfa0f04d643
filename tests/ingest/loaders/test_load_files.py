import os

import pytest

from ingest.errors import IngestError
from ingest.loaders import SUPPORTED_SUFFIXES, load, read_text
from ingest.loaders.decode import looks_binary


def test_unknown_type_names_the_file_and_the_supported_types(tmp_path):
    path = tmp_path / "memo.docx"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(IngestError) as info:
        load(path)
    assert info.value.path == str(path)
    assert "unsupported file type .docx" in info.value.reason
    assert all(suffix in info.value.reason for suffix in SUPPORTED_SUFFIXES)


@pytest.mark.parametrize("content", [b"", b"  \n\n\t "], ids=["zero-bytes", "blank"])
def test_empty_file_is_refused(tmp_path, content):
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(IngestError, match="empty file"):
        load(path)


@pytest.mark.parametrize("name", ["junk.txt", "junk.md", "junk.html", "junk.vtt"])
def test_binary_content_in_a_text_file_is_refused(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(4096))
    with pytest.raises(IngestError, match="binary content"):
        load(path)


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("A sentence of text. " * 100)
    with pytest.raises(IngestError, match=r"file is 2 kB, over the 100 bytes limit; raise it with --max-mb"):
        load(path, max_bytes=100)
    with pytest.raises(IngestError, match=r"file is 2 kB, over the 1.5 kB limit"):
        load(path, max_bytes=1500)
    assert load(path, max_bytes=5000).text.startswith("A sentence of text.")


def test_missing_file_and_directory_are_ingest_errors(tmp_path):
    with pytest.raises(IngestError, match="cannot read"):
        load(tmp_path / "gone.txt")
    folder = tmp_path / "folder.md"
    folder.mkdir()
    with pytest.raises(IngestError, match="cannot read"):
        load(folder)


def test_cp1252_text_file_is_decoded(tmp_path):
    path = tmp_path / "legacy.txt"
    text = "Le café coûte 3 € à Paris.\n\nThe naïve résumé was “quoted” in full."
    path.write_bytes(text.encode("cp1252"))
    doc = load(path)
    assert "café coûte 3 €" in doc.text and "naïve résumé was “quoted”" in doc.text


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Le café coûte 3 € à Paris.", "cp1252"),
        ("Prices rose by 5 € in the café.\n" * 20, "cp1252"),
        ("Zürich Straße café", "latin-1"),
        ("Привет, как дела? Это тест на кириллице.", "cp1251"),
        ("Zażółć gęślą jaźń. Państwo polskie ma się dobrze.", "cp1250"),
        ("UTF-8 with a BOM: café", "utf-8-sig"),
        ("UTF-16 with a BOM: café €", "utf-16"),
    ],
)
def test_read_text_decodes_legacy_encodings(text, encoding):
    assert read_text(text.encode(encoding)) == text


def test_read_text_never_refuses():
    assert read_text(bytes(range(256)))  # every byte value; latin-1 at worst


def test_utf16_text_is_not_binary_but_nul_bytes_are():
    assert not looks_binary("Some text, café.".encode("utf-16"))
    assert looks_binary(b"text\x00\x00\x01\x02 more")
    assert not looks_binary("plain text ünïcode".encode())
