"""Faults lose nothing: a damaged index is refused with exit 3 and the rebuild command, a killed ingest
leaves the previous index answering, and two ingests at once take turns.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO

from index.manifest import FORMAT, read_manifest

ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
QUESTION = "Who built the oldest bridge?"


def run(module: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", module, *args], cwd=REPO, env=ENV, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def ingest_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "ingest", *args, "--model", "hashing-256", "-q"]


def answers_the_bridge_question(index_dir: Path) -> set[str]:
    """Open the index as the chat does, check it answers from the small corpus; return its documents."""
    from chat.engine import Engine

    engine = Engine.open(index_dir)
    try:
        result = engine.answer(QUESTION)
        assert not result["abstained"] and "1820" in " ".join(c["quote"] for c in result["citations"])
        return {doc_id for (doc_id,) in engine.index.con.execute("SELECT doc_id FROM documents")}
    finally:
        engine.index.close()


def data_file(index_dir: Path, stem: str) -> Path:
    return index_dir / f"{stem}-{read_manifest(index_dir).generation}{'.sqlite' if stem == 'store' else '.npy'}"


def edit_manifest(**changes) -> Callable[[Path], None]:
    def edit(index_dir: Path) -> None:
        raw = json.loads((index_dir / "manifest.json").read_text())
        raw.update(changes)
        (index_dir / "manifest.json").write_text(json.dumps(raw))

    return edit


def truncate(path_of: Callable[[Path], Path], keep: int) -> Callable[[Path], None]:
    def cut(index_dir: Path) -> None:
        path = path_of(index_dir)
        path.write_bytes(path.read_bytes()[:keep])

    return cut


def _sql(store: Path, statement: str) -> None:
    import sqlite3

    con = sqlite3.connect(store)
    con.execute(statement)
    con.commit()
    con.close()


def vectors_file(index_dir: Path) -> Path:
    return index_dir / f"vectors-{read_manifest(index_dir).generation}.faiss"


DAMAGE = {
    "store-truncated": truncate(lambda d: data_file(d, "store"), 3000),
    "store-garbage": lambda d: data_file(d, "store").write_bytes(b"not a database " * 200),
    "passage-vectors-empty": truncate(lambda d: data_file(d, "passages"), 0),
    "passage-vectors-truncated": truncate(lambda d: data_file(d, "passages"), 200),
    "sentence-vectors-missing": lambda d: data_file(d, "sentences").unlink(),
    "faiss-truncated": truncate(vectors_file, 100),
    "faiss-missing": lambda d: vectors_file(d).unlink(),
    "store-index-dropped": lambda d: _sql(data_file(d, "store"), "DROP INDEX passages_doc"),
    "store-rows-missing": lambda d: _sql(data_file(d, "store"), "DELETE FROM passages WHERE row = 1"),
    "manifest-removed-mismatch": edit_manifest(removed=2),
    "manifest-malformed-stamps": edit_manifest(stamps={"corpus/a.txt": "yesterday"}),
    "manifest-truncated": truncate(lambda d: d / "manifest.json", 40),
    "manifest-not-an-object": lambda d: (d / "manifest.json").write_text("[1, 2, 3]"),
    "manifest-missing-keys": lambda d: (d / "manifest.json").write_text(json.dumps({"format": FORMAT})),
    "manifest-malformed-value": edit_manifest(generation="../../elsewhere"),
    "manifest-count-mismatch": edit_manifest(passages=999),
    "older-format": edit_manifest(format=0),
    "newer-quotable": edit_manifest(format=FORMAT + 1, quotable="9.0.0"),
    "another-model": edit_manifest(model="hashing-128"),
    "unavailable-model": edit_manifest(model="/models/not-on-this-machine"),
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_damaged_index_exits_3_with_one_line_that_says_how_to_rebuild(small_index, damage):
    damage(small_index)
    done = run("chat.ask", QUESTION, "--index-dir", str(small_index))
    assert done.returncode == 3
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
    assert "--rebuild" in done.stderr
    assert done.stdout == ""


def test_index_from_a_newer_quotable_says_so(small_index):
    edit_manifest(format=FORMAT + 1)(small_index)
    assert "newer Quotable" in run("chat.ask", QUESTION, "--index-dir", str(small_index)).stderr


def test_web_chat_refuses_a_damaged_index_before_serving(small_index):
    edit_manifest(format=FORMAT + 1)(small_index)
    done = run("chat", "--index-dir", str(small_index), "--port", "1", timeout=120)
    assert done.returncode == 3
    assert done.stderr.startswith("error: ") and "--rebuild" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("damage", ["store-garbage", "faiss-missing", "manifest-truncated", "newer-quotable",
                                    "unavailable-model"])
def test_the_rebuild_command_repairs_a_damaged_index(small_index, small_corpus, damage):
    DAMAGE[damage](small_index)
    done = subprocess.run(ingest_cmd(str(small_corpus), "--index-dir", str(small_index), "--rebuild"), cwd=REPO,
                          env=ENV, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert answers_the_bridge_question(small_index) == {"bridges", "hearing"}


# --- an ingest that reads nothing -----------------------------------------------------------------------------

@pytest.mark.parametrize("what", ["missing-path", "only-bad-files"])
def test_an_ingest_that_reads_no_file_keeps_the_previous_index(small_index, tmp_path, what):
    if what == "missing-path":
        target = tmp_path / "typo"
    else:
        target = tmp_path / "bad"
        target.mkdir()
        (target / "empty.txt").write_bytes(b"")
    done = subprocess.run(ingest_cmd(str(target), "--index-dir", str(small_index)), cwd=REPO, env=ENV,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert answers_the_bridge_question(small_index) == {"bridges", "hearing"}


# --- killed and concurrent ingests ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory) -> Path:
    """Enough text that an ingest with the hashing embedder takes a few seconds: time to be killed in."""
    folder = tmp_path_factory.mktemp("big")
    rng = random.Random(8)
    vocabulary = ["".join(rng.choice("abcdefghijklmnoprstuvw") for _ in range(rng.randint(3, 9))) for _ in range(2000)]
    for i in range(80):
        paragraphs = [" ".join(" ".join(rng.choice(vocabulary) for _ in range(rng.randint(8, 18))).capitalize() + "."
                               for _ in range(5)) for _ in range(40)]
        (folder / f"filler-{i:03d}.txt").write_text(f"Filler report {i}\n\n" + "\n\n".join(paragraphs))
    return folder


def _files(index_dir: Path) -> set[str]:
    return set(os.listdir(index_dir))


def _manifest_inode(index_dir: Path) -> int:
    return os.stat(index_dir / "manifest.json").st_ino


def _kill_when(proc: subprocess.Popen, index_dir: Path, trigger: float | str) -> bool:
    """SIGKILL the ingest after ``trigger`` seconds, as soon as a new data file named ``trigger...`` appears,
    or (``trigger == "manifest.json"``) as soon as the manifest is replaced: the commit.

    Returns whether it was still running when killed.
    """
    before, inode = _files(index_dir), _manifest_inode(index_dir)
    deadline = time.monotonic() + (trigger if isinstance(trigger, float) else 120)
    while time.monotonic() < deadline and proc.poll() is None:
        if trigger == "manifest.json" and _manifest_inode(index_dir) != inode:
            break
        if isinstance(trigger, str) and any(name.startswith(trigger) for name in _files(index_dir) - before):
            break
        time.sleep(0.001)
    alive = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    return alive


def _data_generations(index_dir: Path) -> set[str]:
    return {name.split(".")[0].rpartition("-")[2] for name in _files(index_dir)
            if name.split("-")[0] in {"store", "passages", "sentences", "vectors"}}


def _live_generations(index_dir: Path) -> set[str]:
    return {str(g) for g in read_manifest(index_dir).data_generations().values()}


@pytest.mark.slow
def test_ingest_killed_at_any_point_leaves_the_previous_index_answering(small_index, small_corpus, big_corpus):
    old_docs = answers_the_bridge_question(small_index)
    new_docs = old_docs | {p.stem for p in big_corpus.iterdir()}
    cmd = ingest_cmd(str(small_corpus), str(big_corpus), "--index-dir", str(small_index))
    # --rebuild: every run embeds everything, so there is always work to kill, even after one run got through.
    killable = [*cmd, "--rebuild"]
    delays = [round(random.Random(seed).uniform(0.2, 2.0), 2) for seed in range(4)]
    # Random moments, then the moments each data file of the new generation starts to be written, then the commit.
    triggers: list[float | str] = [*delays, "store-", "passages-", "sentences-", "vectors-", "manifest.json"]
    killed = 0
    for trigger in triggers:
        proc = subprocess.Popen(killable, cwd=REPO, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        killed += _kill_when(proc, small_index, trigger)
        # Either the old index or, if the kill came after the commit, the complete new one: never a mix.
        assert answers_the_bridge_question(small_index) in (old_docs, new_docs), trigger
    assert killed >= len(triggers) // 2  # most kills landed mid-ingest, or the corpus is too small to test this
    done = subprocess.run(cmd, cwd=REPO, env=ENV, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert answers_the_bridge_question(small_index) == new_docs


def _kill_then_complete(built: Path, index_dir: Path, sources: list[Path], trigger: float | str,
                        old_docs: set[str], new_docs: set[str]) -> bool:
    """On a copy of ``built``: an ingest of ``sources`` killed at ``trigger`` leaves the old index or the new one,
    and the next ingest completes it, leaving no other generation's files. Returns whether the kill landed."""
    import shutil

    shutil.copytree(built, index_dir)
    cmd = ingest_cmd(*map(str, sources), "--index-dir", str(index_dir))
    proc = subprocess.Popen(cmd, cwd=REPO, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    killed = _kill_when(proc, index_dir, trigger)
    assert answers_the_bridge_question(index_dir) in (old_docs, new_docs), trigger
    done = subprocess.run(cmd, cwd=REPO, env=ENV, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert answers_the_bridge_question(index_dir) == new_docs, trigger
    assert _data_generations(index_dir) == _live_generations(index_dir), trigger
    return killed


@pytest.mark.slow
def test_an_update_in_place_killed_at_any_point_leaves_the_previous_index_and_the_next_one_completes_it(
        small_index, small_corpus, big_corpus, tmp_path):
    """Files only added: the update appends to the live generation's store and vector files (no copy of
    them to kill it in), so every kill must leave those files readable as they were, or committed."""

    old_docs = answers_the_bridge_question(small_index)
    new_docs = old_docs | {p.stem for p in big_corpus.iterdir()}
    delays = [round(random.Random(seed).uniform(0.3, 2.5), 2) for seed in range(4)]
    # random moments (most while the new rows are being embedded and appended), the new FAISS file (the
    # vectors are appended, the store not yet), the manifest (the store committed)
    triggers: list[float | str] = [*delays, "vectors-", "manifest.json"]
    killed = 0
    for i, trigger in enumerate(triggers):
        index_dir = tmp_path / f"index-{i}"
        killed += _kill_then_complete(small_index, index_dir, [small_corpus, big_corpus], trigger, old_docs, new_docs)
        assert read_manifest(index_dir).data["store"] == read_manifest(small_index).generation  # in place
    assert killed >= len(triggers) // 2


@pytest.mark.slow
def test_a_change_in_place_killed_at_any_point_leaves_the_previous_index_and_the_next_one_completes_it(
        small_index, small_corpus, big_corpus, tmp_path):
    """Files changed and removed: their rows are marked removed inside the store's transaction, the new rows
    appended to the live files, so a kill anywhere leaves the index as it was, or committed."""
    import shutil

    library = tmp_path / "library"
    shutil.copytree(big_corpus, library)
    for name in ("bridges.txt", "hearing.txt"):
        shutil.copy(small_corpus / name, library / name)
    built = tmp_path / "built"
    cmd = ingest_cmd(str(library), "--index-dir", str(built))
    assert subprocess.run(cmd, cwd=REPO, env=ENV, capture_output=True, timeout=300).returncode == 0
    old_docs = answers_the_bridge_question(built)
    fillers = sorted(library.glob("filler-*.txt"))
    for path in fillers[:3]:  # changed: a few percent of the rows, so the update is made in place
        path.write_text(path.read_text() + "\n\nA closing paragraph added in the second edition.\n")
    fillers[3].unlink()
    new_docs = old_docs - {fillers[3].stem}
    delays = [round(random.Random(seed).uniform(0.2, 1.5), 2) for seed in range(3)]
    triggers: list[float | str] = [*delays, "vectors-", "manifest.json"]
    killed = 0
    for i, trigger in enumerate(triggers):
        index_dir = tmp_path / f"index-{i}"
        killed += _kill_then_complete(built, index_dir, [library], trigger, old_docs, new_docs)
        manifest = read_manifest(index_dir)
        assert manifest.removed > 0 and manifest.data["store"] == read_manifest(built).generation  # in place
    assert killed >= len(triggers) // 2


@pytest.mark.slow
def test_the_next_ingest_removes_what_a_killed_one_left(small_index, small_corpus, big_corpus):
    cmd = ingest_cmd(str(small_corpus), str(big_corpus), "--index-dir", str(small_index))
    assert subprocess.run(cmd, cwd=REPO, env=ENV, capture_output=True, timeout=300).returncode == 0
    proc = subprocess.Popen([*cmd, "--rebuild"], cwd=REPO, env=ENV, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    live = _live_generations(small_index)  # an update that added files kept the store of the one before
    assert _kill_when(proc, small_index, "store-")
    assert len(_data_generations(small_index) - live) == 1  # the killed run's
    assert subprocess.run(cmd, cwd=REPO, env=ENV, capture_output=True, timeout=300).returncode == 0
    assert _data_generations(small_index) == _live_generations(small_index)


@pytest.mark.slow
def test_two_ingests_at_once_take_turns_and_leave_one_consistent_index(tmp_path, small_corpus, big_corpus):
    index_dir = tmp_path / "index"
    cmd = ingest_cmd(str(small_corpus), str(big_corpus), "--index-dir", str(index_dir))
    first = subprocess.Popen(cmd, cwd=REPO, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (index_dir / ".lock").exists() and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    second = subprocess.Popen(cmd, cwd=REPO, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out1, err1 = first.communicate(timeout=300)
    out2, err2 = second.communicate(timeout=300)
    assert (first.returncode, second.returncode) == (0, 0), err1 + err2
    assert "waiting for another ingest" in err2
    n = 2 + len(list(big_corpus.iterdir()))
    assert f"({n} embedded, 0 unchanged)" in out1
    assert f"(0 embedded, {n} unchanged)" in out2  # the second ran after the first had committed
    assert len(answers_the_bridge_question(index_dir)) == n
    assert _data_generations(index_dir) == {str(read_manifest(index_dir).generation)}


def test_a_store_left_with_a_hot_journal_by_a_killed_update_is_rolled_back_and_read(small_index):
    """An update killed inside its store transaction, after SQLite spilled changed pages into the file,
    leaves a hot journal; the next reader rolls it back (a read-only connection alone cannot) and reads
    the index as it was."""
    old_docs = answers_the_bridge_question(small_index)
    store = data_file(small_index, "store")
    killed = subprocess.run([sys.executable, "-c", (
        "import os, sqlite3, sys\n"
        "con = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "con.execute('PRAGMA cache_size=1')\n"
        "con.execute('BEGIN')\n"
        "con.execute('DELETE FROM documents')\n"
        "con.execute('CREATE TABLE junk(x)')\n"
        "con.executemany('INSERT INTO junk VALUES (randomblob(2000))', [()] * 3000)\n"
        "os._exit(1)\n"), str(store)], timeout=60)
    assert killed.returncode == 1
    assert Path(f"{store}-journal").stat().st_size > 0  # the journal is hot
    assert answers_the_bridge_question(small_index) == old_docs
    assert not Path(f"{store}-journal").exists() or Path(f"{store}-journal").stat().st_size == 0
