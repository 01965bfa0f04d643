"""The web chat's /answer endpoint, called over HTTP with gradio_client against a real server."""

from __future__ import annotations

import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import SMALL_REPORT, SMALL_TRANSCRIPT

pytestmark = pytest.mark.slow

CONTRACT_KEYS = {"question", "answer", "abstained", "citations", "passages"}
CITATION_KEYS = {"n", "doc_id", "title", "section", "page", "page_label", "start_s", "speaker", "quote",
                 "passage_id", "char_start", "char_end", "sources"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def engine(small_index: Path, hashing_embedder):
    from chat.engine import Engine

    return Engine.open(small_index, embedder=hashing_embedder)


def _serve(engine, tmp_path: Path, auth=None):
    from chat.app import build_app, launch

    app = build_app(engine, uploads_dir=tmp_path / "uploads")
    port = free_port()
    launch(app, host="127.0.0.1", port=port, auth=auth, prevent_thread_lock=True, quiet=True)
    return app, f"http://127.0.0.1:{port}/"


@pytest.fixture
def url(engine, tmp_path: Path):
    app, address = _serve(engine, tmp_path)
    yield address
    app.close()


@pytest.fixture
def client(url: str):
    from gradio_client import Client

    return Client(url, verbose=False)


def ask(client, question: str, country: str = "", doc_id: str = "") -> dict:
    return client.predict(question=question, country=country, doc_id=doc_id, api_name="/answer")


def test_answer_returns_contract_json_with_verbatim_quotes(client, engine):
    result = ask(client, "Who built the oldest bridge?")
    assert CONTRACT_KEYS <= set(result)
    assert result["question"] == "Who built the oldest bridge?"
    assert not result["abstained"] and result["citations"]
    for c in result["citations"]:
        assert CITATION_KEYS <= set(c)
        shown = engine.source_context(c["doc_id"], c["char_start"], c["char_end"])
        assert shown["quote"] == c["quote"]  # the quote is the document's text at those offsets
        assert c["quote"] in SMALL_REPORT + SMALL_TRANSCRIPT  # ... and the words of the file itself
    assert "1820" in " ".join(c["quote"] for c in result["citations"])
    assert result["passages"][0]["rank"] == 1


def test_country_filter_keeps_only_passages_that_mention_it(client):
    result = ask(client, "What problem did the bridge have?", country="Kosovo")
    assert result["passages"]
    assert all("Kosovo" in p["text"] for p in result["passages"])


def test_document_filter_keeps_only_that_document(client):
    result = ask(client, "bridges", doc_id="hearing")
    assert result["passages"] and {p["doc_id"] for p in result["passages"]} == {"hearing"}


def test_unknown_country_is_an_error_object_not_an_exception(client):
    result = ask(client, "What about bridges?", country="Atlantis")
    assert result["question"] == "What about bridges?"
    assert "Atlantis" in result["error"]
    assert "citations" not in result


def test_empty_question_and_unknown_document_are_errors(client):
    assert "empty question" in ask(client, "   ")["error"]
    assert "unknown document" in ask(client, "bridges", doc_id="nope")["error"]


def test_twenty_concurrent_clients_all_get_answers(url):
    from gradio_client import Client

    def one(i: int) -> dict:
        return ask(Client(url, verbose=False), f"Who funds the repairs of bridge {i}?")

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(one, range(20)))
    assert all(CONTRACT_KEYS <= set(r) for r in results)
    assert [r["question"] for r in results] == [f"Who funds the repairs of bridge {i}?" for i in range(20)]


def test_auth_protects_the_api(engine, tmp_path: Path):
    from gradio_client import Client

    app, address = _serve(engine, tmp_path, auth=("u", "p"))
    try:
        with pytest.raises(ValueError, match="(?i)login|auth|credentials"):
            ask(Client(address, verbose=False), "Who built the oldest bridge?")
        with pytest.raises(ValueError):
            Client(address, auth=("u", "wrong"), verbose=False)
        result = ask(Client(address, auth=("u", "p"), verbose=False), "Who built the oldest bridge?")
        assert CONTRACT_KEYS <= set(result)
    finally:
        app.close()


def test_a_running_server_answers_from_what_an_ingest_beside_it_added(client, engine, small_corpus, small_index):
    """A teammate runs `python -m ingest` on the folder the chat serves: the next question sees it."""
    from index.build import IngestConfig, ingest_paths

    question = "How many tonnes of cider apples do the orchards produce?"
    assert all(c["doc_id"] != "orchards" for c in ask(client, question)["citations"])
    (small_corpus / "orchards.txt").write_text(
        "Orchard Survey\n\nThe county's orchards produce nine tonnes of cider apples a year. "
        "Most of the harvest goes to two presses near the river.\n", encoding="utf-8")
    ingest_paths([small_corpus], small_index, IngestConfig(model=engine.embedder.name),
                 embedder=engine.embedder, progress=False)
    result = ask(client, question)
    assert result["citations"][0]["doc_id"] == "orchards"
    assert "nine tonnes of cider apples" in result["citations"][0]["quote"]
