"""Hostile and odd questions get an answer, an abstention or one clear error: never a traceback.

Through every door a question comes in: the engine itself (a property-based
test with random text), ``python -m chat.ask`` with a question, its batch
mode, and the web API.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SMALL_REPORT, SMALL_TRANSCRIPT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.errors import UsageError

# Strict UTF-8 stdio, as under a laptop's en_US.UTF-8 locale (the C.UTF-8 of CI escapes bad bytes instead).
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONIOENCODING": "utf-8"}

# (question, what must happen): "usage" = exit 2 / an error object; "reply" = an answer or an abstention.
BAD_QUESTIONS = [
    ("", "usage"),
    ("   \t  ", "usage"),
    ("x" * 100_000, "usage"),
    ("?!.,;:", "reply"),
    ('"', "reply"),
    ('"bridge', "reply"),
    ("NEAR(", "reply"),
    ("NEAR(bridge levy, 2)", "reply"),
    ("*", "reply"),
    ("bridge*", "reply"),
    ("a AND OR", "reply"),
    ("NOT -bridge ^levy", "reply"),
    ("'; DROP TABLE passages; --", "reply"),
    ("bridge\x00built", "reply"),
    ("🌉 Who built the 🏗️ oldest bridge? 🤔", "reply"),
    ("مَن بنى أقدم جسر؟", "reply"),  # Arabic, right to left
    ("\u202eWho built the oldest bridge?\u202c", "reply"),  # right-to-left override
    ("Who\u200b built\u200d the\ufeff oldest\u200c bridge?", "reply"),  # zero-width characters
    ("谁建造了最古老的桥？", "reply"),
    ("Кто построил самый старый мост?", "reply"),
    ("Wer hat die älteste Brücke gebaut?", "reply"),
    ("\x1b[31mWho built the bridge?\x1b[0m", "reply"),
    ("%s %d {0} ${HOME} $(id) `id`", "reply"),
    ("<script>alert(1)</script> bridge", "reply"),
]


def ids(cases) -> list[str]:
    return [f"{BAD_QUESTIONS.index(case)}-{case[0][:12]!r}" for case in cases]



def document_texts(index_dir: Path) -> dict[str, str]:
    from index.reader import Index

    index = Index.open(index_dir, with_vectors=False)
    try:
        return dict(index.con.execute("SELECT doc_id, text FROM documents").fetchall())
    finally:
        index.close()


def check_reply(result: dict, texts: dict[str, str]) -> None:
    """A contract answer (or abstention) whose quotes are the documents' own words, where it says."""
    assert {"question", "answer", "abstained", "citations", "passages"} <= set(result), result
    assert isinstance(result["answer"], str) and result["answer"]
    for c in result["citations"]:
        if "char_start" in c:
            assert texts[c["doc_id"]][c["char_start"] : c["char_end"]] == c["quote"]
        assert c["quote"] in texts[c["doc_id"]]


def ask(args: list[str], stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "chat.ask", *args], cwd=REPO, env=ENV, input=stdin,
                          stdin=None if stdin is not None else subprocess.DEVNULL, capture_output=True, timeout=120)


# --- the engine, with random text ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hashing_engine(tmp_path_factory):
    from chat.engine import Engine
    from index.build import IngestConfig, ingest_paths
    from index.embed import HashingEmbedder

    root = tmp_path_factory.mktemp("bad-questions")
    (root / "docs").mkdir()
    (root / "docs" / "bridges.txt").write_text(SMALL_REPORT, encoding="utf-8")
    (root / "docs" / "hearing.txt").write_text(SMALL_TRANSCRIPT, encoding="utf-8")
    embedder = HashingEmbedder(256)
    ingest_paths([root / "docs"], root / "index", IngestConfig(model=embedder.name), embedder=embedder,
                 progress=False)
    return Engine.open(root / "index", embedder=embedder)


# Every code point (surrogates included: invalid UTF-8 in argv or stdin becomes one), plus the
# words and operators that mean something to FTS5 or SQL, mixed into the text.
SYNTAX = st.sampled_from(['"', "*", "NEAR(", ")", "AND", "OR", "NOT", "-", "^", ":", "'", ";", "--", "\x00",
                          "bridge", "levy", "Serbia", "\u202e", "\u200b"])
TEXT = st.lists(st.one_of(st.text(alphabet=st.characters(), max_size=30), SYNTAX), max_size=12).map(" ".join)


def _answers_or_refuses(engine, question: str, **filters) -> None:
    try:
        result = engine.answer(question, **filters)
    except UsageError as err:
        assert str(err)  # a one-line reason the CLI prints with exit 2
        return
    check_reply(result, dict(engine.index.con.execute("SELECT doc_id, text FROM documents").fetchall()))
    json.dumps(result, ensure_ascii=False).encode("utf-8")  # the JSON the CLI and the API print is valid UTF-8


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=TEXT, previous=st.one_of(st.none(), TEXT),
       country=st.sampled_from([None, "", "Serbia", "kosovo", "Atlantis"]),
       doc_id=st.sampled_from([None, "", "bridges", "nope"]))
def test_random_text_gets_an_answer_an_abstention_or_a_usage_error(hashing_engine, question, previous, country,
                                                                    doc_id):
    _answers_or_refuses(hashing_engine, question, previous=previous, country=country, doc_id=doc_id)


@pytest.mark.parametrize(("question", "expected"), BAD_QUESTIONS, ids=ids(BAD_QUESTIONS))
def test_each_bad_question_gets_what_it_should_from_the_engine(hashing_engine, question, expected):
    if expected == "usage":
        with pytest.raises(UsageError):
            hashing_engine.answer(question)
    else:
        texts = dict(hashing_engine.index.con.execute("SELECT doc_id, text FROM documents").fetchall())
        check_reply(hashing_engine.answer(question), texts)


def test_operator_words_are_searched_as_words(hashing_engine):
    # "levy" after FTS5 operators still finds the levy passage: the operators are not syntax.
    result = hashing_engine.answer('NEAR( "levy" AND OR * -', retriever="bm25")
    assert any("levy" in p["text"] for p in result["passages"])


def test_sql_in_a_question_changes_nothing(hashing_engine):
    before = hashing_engine.index.con.execute("SELECT count(*) FROM passages").fetchone()[0]
    hashing_engine.answer("'); DROP TABLE passages; --")
    hashing_engine.answer('" OR 1=1 --')
    assert hashing_engine.index.con.execute("SELECT count(*) FROM passages").fetchone()[0] == before


@pytest.mark.slow
def test_random_text_through_the_real_model(tmp_path):
    """The shipped model's tokenizer is stricter than the test embedder (it rejects lone surrogates)."""
    from chat.engine import Engine
    from index.build import IngestConfig, ingest_paths

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "bridges.txt").write_text(SMALL_REPORT, encoding="utf-8")
    (tmp_path / "docs" / "hearing.txt").write_text(SMALL_TRANSCRIPT, encoding="utf-8")
    ingest_paths([tmp_path / "docs"], tmp_path / "index", IngestConfig(), progress=False)
    engine = Engine.open(tmp_path / "index")
    for question, _ in BAD_QUESTIONS:
        _answers_or_refuses(engine, question)
    _answers_or_refuses(engine, "Who built the \udcff\udcfe oldest bridge?")

    @settings(max_examples=40, deadline=None)
    @given(question=TEXT)
    def run(question):
        _answers_or_refuses(engine, question)

    run()


# --- python -m chat.ask -------------------------------------------------------------------------------------

ARGV_QUESTIONS = [(q, e) for q, e in BAD_QUESTIONS if "\x00" not in q]  # argv cannot hold a NUL byte


@pytest.mark.parametrize(("question", "expected"), ARGV_QUESTIONS, ids=ids(ARGV_QUESTIONS))
def test_cli_answers_each_bad_question_or_exits_2_with_one_line(small_index, question, expected):
    done = ask([question, "--json", "--index-dir", str(small_index)])
    err = done.stderr.decode("utf-8")
    assert "Traceback" not in err
    if expected == "usage":
        assert done.returncode == 2
        assert err.startswith("error: ") and err.count("\n") == 1
        assert done.stdout == b""
    else:
        assert done.returncode == 0, err
        check_reply(json.loads(done.stdout.decode("utf-8")), document_texts(small_index))


def test_cli_question_with_invalid_utf8_bytes_is_answered_as_valid_utf8(small_index):
    done = subprocess.run([os.fsencode(sys.executable), b"-m", b"chat.ask", b"Who built the \xff\xfe oldest bridge?",
                           b"--json", b"--index-dir", os.fsencode(small_index)],
                          cwd=REPO, env=ENV, stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    result = json.loads(done.stdout.decode("utf-8"))  # strict: no raw invalid bytes echoed back
    assert "\ufffd" in result["question"]
    check_reply(result, document_texts(small_index))


def test_batch_answers_every_bad_line_in_order_and_exits_0(small_index):
    lines = [q for q, _ in BAD_QUESTIONS if "\n" not in q]
    stdin = b"\n".join(q.encode("utf-8") for q in lines) + b"\nWho built the \xff oldest bridge?\n"
    done = ask(["--index-dir", str(small_index)], stdin=stdin)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert "Traceback" not in done.stderr.decode("utf-8", "replace")
    out = [json.loads(line) for line in done.stdout.decode("utf-8").split("\n") if line]
    assert len(out) == len(lines) + 1
    expected = dict(BAD_QUESTIONS)
    texts = document_texts(small_index)
    for question, result in zip(lines, out, strict=False):
        if expected[question] == "usage":
            assert set(result) == {"question", "error"} and result["error"]
        else:
            check_reply(result, texts)
    check_reply(out[-1], texts)


# --- the web API --------------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def api_url(hashing_engine, tmp_path_factory):
    from chat.app import build_app, launch

    app = build_app(hashing_engine, uploads_dir=tmp_path_factory.mktemp("uploads"))
    port = _free_port()
    launch(app, host="127.0.0.1", port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    app.close()


@pytest.mark.slow
def test_api_answers_each_bad_question_or_returns_an_error_object(api_url, hashing_engine):
    from gradio_client import Client

    client = Client(api_url, verbose=False)
    texts = document_texts(hashing_engine.index.index_dir)
    for question, expected in BAD_QUESTIONS:
        result = client.predict(question=question, country="", doc_id="", api_name="/answer")
        if expected == "usage":
            assert set(result) == {"question", "error"} and result["error"], question[:40]
        else:
            check_reply(result, texts)
    for country, doc_id in [("'; DROP TABLE mentions; --", ""), ("", "../../etc/passwd"), ("NEAR(", "*")]:
        result = client.predict(question="Who built the oldest bridge?", country=country, doc_id=doc_id,
                                api_name="/answer")
        assert result["error"] and "Traceback" not in result["error"]


@pytest.mark.slow
@pytest.mark.parametrize("body", [
    b'["Who built the \\ud800 oldest bridge?", "", ""]',  # a lone surrogate, legal in JSON
    b'["Who built the oldest bridge?", "\\udcff", null]',
    b'[12345, "", ""]',
    b'[["a", "list"], {"an": "object"}, 5]',
    b'[null, null, null]',
], ids=["surrogate-question", "surrogate-country", "number", "list-and-object", "nulls"])
def test_api_survives_raw_json_that_no_client_library_would_send(api_url, body):
    import httpx

    call = f"{api_url}gradio_api/call/answer"
    started = httpx.post(call, content=b'{"data": ' + body + b"}", headers={"content-type": "application/json"},
                         timeout=30)
    assert started.status_code == 200
    events = httpx.get(f"{call}/{started.json()['event_id']}", timeout=60).text
    assert "event: complete" in events, events[:500]
    data = json.loads(events.split("event: complete\ndata:", 1)[1].split("\n", 1)[0])
    result = data[0]
    assert "answer" in result or result.get("error")


def test_a_lone_surrogate_in_the_previous_question_is_replaced_too(hashing_engine):
    # found by hypothesis: a follow-up carries the previous question into the query
    _answers_or_refuses(hashing_engine, "0", previous="\ud800")
    _answers_or_refuses(hashing_engine, "and what about the bridge?", previous="Who\ud800 funds\x00 the levy?")
