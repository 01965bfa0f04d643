"""What SECURITY.md promises, checked: localhost by default, --auth on page and API, uploads confined,
no eval/exec/pickle in the product, pinned dependencies, and no network use at run time.
"""

from __future__ import annotations

import inspect
import io
import json
import os
import re
import socket
import subprocess
import sys
import tokenize
import tomllib
from pathlib import Path

import pytest
from conftest import REPO, SMALL_REPORT

PRODUCT = ["ingest", "index", "chat"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def serve(small_index: Path, hashing_embedder, tmp_path: Path):
    """Start the real app on a free port; yields a function (launch keyword arguments) -> (engine, base URL)."""
    from chat.app import build_app, launch
    from chat.engine import Engine

    apps = []

    def start(**launch_args):
        engine = Engine.open(small_index, embedder=hashing_embedder)
        app = build_app(engine, uploads_dir=tmp_path / "uploads")
        port = _free_port()
        launch(app, port=port, prevent_thread_lock=True, quiet=True, **launch_args)
        apps.append(app)
        return engine, f"http://127.0.0.1:{port}"

    yield start
    for app in apps:
        app.close()


# --- listening address -------------------------------------------------------------------------------------

def test_web_chat_listens_on_this_machine_only_by_default():
    from chat.__main__ import parse_args
    from chat.app import launch

    assert parse_args([]).host == "127.0.0.1"
    assert inspect.signature(launch).parameters["host"].default == "127.0.0.1"
    assert re.search(r"^HOST \?= 127\.0\.0\.1$", (REPO / "Makefile").read_text(), re.M)


def _other_address() -> str | None:
    import psutil

    for addresses in psutil.net_if_addrs().values():
        for a in addresses:
            if a.family == socket.AF_INET and not a.address.startswith("127."):
                return a.address
    return None


@pytest.mark.slow
def test_default_server_cannot_be_reached_from_another_address(serve):
    other = _other_address()
    if other is None:
        pytest.skip("this machine has no network address other than loopback")
    _, base = serve()
    port = int(base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        pass
    with pytest.raises(OSError), socket.create_connection((other, port), timeout=5):
        pass


# --- authentication ------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_auth_keeps_the_page_and_every_api_route_closed(serve):
    import httpx

    _, base = serve(auth=("ann", "s3cret"))
    page = httpx.get(f"{base}/", timeout=30)
    # The login form only: not the app, its components, or anything from the documents.
    assert "Quotable" not in page.text and "q-question" not in page.text and "Bridges" not in page.text
    for path in ["/config", "/gradio_api/info", "/gradio_api/file=/etc/passwd"]:
        assert httpx.get(f"{base}{path}", timeout=30).status_code == 401, path
    answer = httpx.post(f"{base}/gradio_api/call/answer", json={"data": ["Who built the oldest bridge?", "", ""]})
    assert answer.status_code == 401
    upload = httpx.post(f"{base}/gradio_api/upload", files={"files": ("a.txt", b"text")})
    assert upload.status_code == 401
    with httpx.Client(base_url=base, timeout=30) as client:
        assert client.post("/login", data={"username": "ann", "password": "wrong"}).status_code >= 400
        assert "Quotable" not in client.get("/").text
        assert client.post("/login", data={"username": "ann", "password": "s3cret"}).status_code == 200
        assert "Quotable" in client.get("/").text


# --- uploads -------------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_upload_with_a_traversal_name_lands_in_the_uploads_folder_under_a_safe_name(serve, tmp_path: Path):
    import httpx

    from chat.ui_uploads import stage_uploads

    engine, base = serve(max_upload_bytes=10_000)
    body = b"Harbour Memo\n\nThe harbour master of Eastford inspects the ferry ramp every Tuesday.\n"
    sent = httpx.post(f"{base}/gradio_api/upload", files={"files": ("../../harbour memo.txt", body)}, timeout=30)
    assert sent.status_code == 200
    (received,) = sent.json()
    assert ".." not in Path(received).parts and Path(received).read_bytes() == body
    staged = stage_uploads([received], tmp_path / "uploads")
    assert staged.files == [tmp_path / "uploads" / "harbour_memo.txt"]
    report = engine.add_documents(staged.files)
    assert report.failed == []
    result = engine.answer("When does the harbour master inspect the ferry ramp?", doc_id="harbour_memo")
    assert "every Tuesday" in " ".join(c["quote"] for c in result["citations"])


@pytest.mark.slow
def test_upload_over_the_size_limit_is_refused_by_the_server(serve):
    import httpx

    _, base = serve(max_upload_bytes=10_000)
    sent = httpx.post(f"{base}/gradio_api/upload", files={"files": ("big.txt", b"x" * 20_000)}, timeout=30)
    assert sent.status_code == 413


# --- code: no eval, exec or pickle ----------------------------------------------------------------------------

# Names that run or unpickle data. Found as code tokens, so a comment or docstring that says
# "nothing is pickled" does not count, and a method such as ``model.eval()`` is not the builtin.
BANNED_NAMES = {"eval", "exec", "compile", "__import__", "pickle", "cPickle", "_pickle", "dill", "cloudpickle",
                "marshal", "shelve", "joblib"}


def _banned_uses(source: str) -> list[str]:
    found = []
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline)
              if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)]
    for i, tok in enumerate(tokens):
        before = tokens[i - 1].string if i else ""
        if tok.type == tokenize.NAME and tok.string in BANNED_NAMES and before != ".":
            found.append(f"line {tok.start[0]}: {tok.string}")
        # allow_pickle=True, or torch.load without weights_only: both unpickle what a file holds
        if tok.string == "allow_pickle" and tokens[i + 1].string == "=" and tokens[i + 2].string != "False":
            found.append(f"line {tok.start[0]}: allow_pickle={tokens[i + 2].string}")
        if tok.string == "load" and before == "." and tokens[i - 2].string == "torch":
            found.append(f"line {tok.start[0]}: torch.load")
    return found


def test_the_checker_finds_what_it_looks_for():
    source = ("import pickle\nx = eval('1')\nexec('y = 2')\nnp.load(p, allow_pickle=True)\ntorch.load(f)\n"
              "# pickle in a comment\n'''eval in a docstring'''\nmodel.eval()\nnp.load(p, allow_pickle=False)\n")
    assert _banned_uses(source) == ["line 1: pickle", "line 2: eval", "line 3: exec", "line 4: allow_pickle=True",
                                    "line 5: torch.load"]


def test_product_code_never_evaluates_or_unpickles_data():
    files = sorted(p for package in PRODUCT for p in (REPO / package).rglob("*.py"))
    assert len(files) > 20
    found = {str(p.relative_to(REPO)): uses for p in files if (uses := _banned_uses(p.read_text(encoding="utf-8")))}
    assert found == {}


SQL_CALLS = {"execute", "executemany", "executescript"}
# What SQL text may be built from: runs of "?" placeholders and the retriever's configured BM25 weights
# (floats). Anything else interpolated into SQL must be reviewed, and added here, first.
ALLOWED_IN_SQL = {"marks", "','.join('?' * 16)", "','.join('?' * len(allowed))",
                  "weights[0]", "weights[1]", "weights[2]", "weights[3]"}


def _sql_built_from_values(source: str) -> list[str]:
    """Where SQL text handed to execute() interpolates something other than ALLOWED_IN_SQL."""
    import ast

    tree = ast.parse(source)
    assigned: dict[str, list] = {}  # every value a name is given anywhere in the module (conservative)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(node.value)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            assigned.setdefault(node.target.id, []).append(node.value)

    def problems(sql, line: int, seen: frozenset = frozenset()) -> list[str]:
        if isinstance(sql, ast.Constant) and isinstance(sql.value, str):
            return []
        if isinstance(sql, ast.JoinedStr):
            return [f"line {line}: {{{ast.unparse(v.value)}}}" for v in sql.values
                    if isinstance(v, ast.FormattedValue) and ast.unparse(v.value) not in ALLOWED_IN_SQL]
        if isinstance(sql, ast.BinOp) and isinstance(sql.op, ast.Add):
            return problems(sql.left, line, seen) + problems(sql.right, line, seen)
        if isinstance(sql, ast.Name) and sql.id.isupper():
            return []  # a module constant such as SCHEMA
        if isinstance(sql, ast.Name) and sql.id in assigned and sql.id not in seen:
            return [p for value in assigned[sql.id] for p in problems(value, line, seen | {sql.id})]
        return [f"line {line}: {ast.unparse(sql)}"]  # .format(), a call, a parameter: text from anywhere

    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SQL_CALLS
                and node.args):
            found += problems(node.args[0], node.lineno)
    return found


def test_the_sql_checker_finds_text_built_from_values():
    source = ('con.execute(f"SELECT * FROM t WHERE a IN ({marks})", rows)\ncon.execute("SELECT 1")\n'
              'con.executescript(SCHEMA)\ncon.execute(f"SELECT * FROM t WHERE a = \'{name}\'")\n'
              'con.execute("SELECT " + column)\ncon.execute(query)\n'
              'sql = "SELECT 1"\nsql += f" LIMIT {n}"\ncon.execute(sql)\ncon.execute("SELECT {}".format(x))\n')
    assert _sql_built_from_values(source) == ["line 4: {name}", "line 5: column", "line 6: query",
                                              "line 9: {n}", "line 10: 'SELECT {}'.format(x)"]


def test_sql_text_is_never_built_from_values():
    files = sorted(p for package in PRODUCT for p in (REPO / package).rglob("*.py"))
    found = {str(p.relative_to(REPO)): uses for p in files
             if (uses := _sql_built_from_values(p.read_text(encoding="utf-8")))}
    assert found == {}


# --- dependencies ----------------------------------------------------------------------------------------------

PINNED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9,._-]+\])?==[A-Za-z0-9.+!-]+$")


def test_every_dependency_is_pinned_except_numpys_range():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    requirements = [*project["dependencies"], *(r for extra in project["optional-dependencies"].values() for r in extra)]
    unpinned = [r for r in requirements if not PINNED.match(r.replace(" ", ""))]
    assert unpinned == ["numpy>=1.26,<3"]


# --- the network ---------------------------------------------------------------------------------------------

# Runs in a child process with an audit hook that records every name lookup and connection that is not
# to this machine; the default model is used, and the offline variables are unset, so the product must
# keep itself offline.
_OFFLINE_SCRIPT = r"""
import json, socket, sys
LOCAL = {"127.0.0.1", "::1", "localhost", "0.0.0.0", None}
attempts = []
def hook(event, args):
    if event == "socket.getaddrinfo" and args[0] not in LOCAL:
        attempts.append(f"lookup {args[0]}")
    if event == "socket.connect" and isinstance(args[1], tuple) and args[1][0] not in LOCAL:
        attempts.append(f"connect {args[1]}")
sys.addaudithook(hook)
corpus, index_dir, uploads = sys.argv[1:4]
from ingest.cli import main as ingest
assert ingest([corpus, "--index-dir", index_dir, "-q"]) == 0
from chat.ask import main as ask
assert ask(["Who built the oldest bridge?", "--index-dir", index_dir, "--json"]) == 0
from chat.app import build_app, launch
from chat.engine import Engine
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
app = build_app(Engine.open(index_dir), uploads_dir=uploads)
launch(app, port=port, prevent_thread_lock=True, quiet=True)
import httpx
call = f"http://127.0.0.1:{port}/gradio_api/call/answer"
event = httpx.post(call, json={"data": ["Who built the oldest bridge?", "", ""]}).json()["event_id"]
assert "1820" in httpx.get(f"{call}/{event}", timeout=120).text
assert "Quotable" in httpx.get(f"http://127.0.0.1:{port}/").text
app.close()
print("ATTEMPTS " + json.dumps(attempts))
"""


@pytest.mark.slow
def test_ingest_ask_and_the_web_chat_never_touch_the_network(tmp_path: Path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "bridges.txt").write_text(SMALL_REPORT, encoding="utf-8")
    env = {k: v for k, v in os.environ.items()
           if k not in {"HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "GRADIO_ANALYTICS_ENABLED"}}
    done = subprocess.run([sys.executable, "-c", _OFFLINE_SCRIPT, str(tmp_path / "docs"), str(tmp_path / "index"),
                           str(tmp_path / "uploads")], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("ATTEMPTS "))
    assert json.loads(line.removeprefix("ATTEMPTS ")) == []
