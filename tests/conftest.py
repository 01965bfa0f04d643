"""Shared fixtures: a small corpus written by the test, and a real index built from it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"

SMALL_REPORT = """Small Report On Bridges

Introduction

The river town of Eastford has three bridges. The oldest bridge was built in 1820 by local masons.¹ It still carries foot traffic every day.

Funding

The council funds repairs from a maintenance levy.² Serbia and Albania sent engineers to study the levy in 2019. Critics say the levy is too small to keep the bridges safe.

¹ https://example.org/bridges/history

² https://example.org/council/levy
"""

SMALL_TRANSCRIPT = """# Bridge Committee Hearing
# Contains public sector information licensed under the Open Government Licence v3.0.

[10:05] Jane Doe (Chair): Welcome to the hearing on the bridges of Eastford. We will hear from the engineer first.

[10:07] John Roe (Engineer): The middle bridge needs new bearings within two years. Kosovo has faced a similar problem.
"""


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "bridges.txt").write_text(SMALL_REPORT, encoding="utf-8")
    (folder / "hearing.txt").write_text(SMALL_TRANSCRIPT, encoding="utf-8")
    return folder


@pytest.fixture
def hashing_embedder():
    from index.embed import HashingEmbedder

    return HashingEmbedder(256)


@pytest.fixture
def small_index(tmp_path: Path, small_corpus: Path, hashing_embedder) -> Path:
    from index.build import IngestConfig, ingest_paths

    index_dir = tmp_path / "index"
    report = ingest_paths([small_corpus], index_dir, IngestConfig(model=hashing_embedder.name),
                          embedder=hashing_embedder, progress=False)
    assert report.failed == []
    return index_dir


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory) -> Path:
    """The shipped corpus indexed with the real default model (slow: built once per session)."""
    from index.build import ingest_paths

    index_dir = tmp_path_factory.mktemp("corpus") / "index"
    report = ingest_paths([CORPUS], index_dir, progress=False)
    assert report.failed == []
    return index_dir
