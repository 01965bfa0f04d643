"""Concurrent clients against the real web app's /answer endpoint, on 127.0.0.1 only.

The server runs in its own process (``python -m bench.load --serve``) so its
memory is measured apart from the clients'; it is the app ``python -m chat``
serves: ``chat.app.build_app`` launched by ``chat.app.launch``.
"""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.speed import REPO, percentile

START_TIMEOUT_S = 180


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(index_dir: str, port: int) -> None:
    """Child process: serve the app until stdin closes."""
    from chat.app import build_app, launch
    from chat.engine import Engine

    app = build_app(Engine.open(index_dir))
    launch(app, host="127.0.0.1", port=port, prevent_thread_lock=True, quiet=True)
    print("READY", flush=True)
    sys.stdin.read()
    app.close()


def _start_server(index_dir: Path, port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1"}
    with open(log, "w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "bench.load", "--serve", str(index_dir), str(port)], cwd=REPO,
                                env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True)
    ready = threading.Event()
    threading.Thread(target=lambda: proc.stdout.readline().strip() == "READY" and ready.set(), daemon=True).start()
    if not ready.wait(START_TIMEOUT_S):
        _stop_server(proc)
        raise RuntimeError(f"the web app did not start within {START_TIMEOUT_S} s: {log.read_text()[-1500:]}")
    return proc


def _stop_server(proc: subprocess.Popen) -> None:
    try:
        proc.stdin.close()
        proc.wait(timeout=30)
    except (subprocess.TimeoutExpired, OSError):
        proc.kill()
        proc.wait(timeout=30)


def _rss(pid: int) -> int | None:
    try:
        import psutil
    except ImportError:
        return None
    return psutil.Process(pid).memory_info().rss


def _client_loop(url: str, jobs: queue.Queue, deadline: float, latencies: list, errors: list, lock) -> None:
    from gradio_client import Client

    try:
        client = Client(url, verbose=False, analytics_enabled=False, download_files=False)
    except Exception as err:  # a client that cannot connect is an error to report, not a crash
        with lock:
            errors.append(f"connect: {err!r}"[:200])
        return
    try:
        while time.monotonic() < deadline:
            try:
                question = jobs.get_nowait()
            except queue.Empty:
                return
            start = time.perf_counter()
            try:
                result = client.predict(question, "", "", api_name="/answer")
                problem = None if isinstance(result, dict) and "answer" in result else f"bad result: {result!r}"
            except Exception as err:  # every failure mode of a request counts the same: an error
                problem = f"{type(err).__name__}: {err}"
            with lock:
                latencies.append(time.perf_counter() - start)
                if problem:
                    errors.append(problem[:200])
    finally:
        client.close()


def run(index_dir: Path, questions: list[str], n_clients: int = 20, n_requests: int = 200,
        time_limit_s: float = 240.0) -> dict:
    """``n_requests`` questions (cycled from ``questions``) spread over ``n_clients`` concurrent clients."""
    port = free_port()
    proc = _start_server(Path(index_dir), port, Path(tempfile.mkdtemp(prefix="quotable-load-")) / "server.log")
    try:
        rss_before = _rss(proc.pid)
        jobs: queue.Queue = queue.Queue()
        for i in range(n_requests):
            jobs.put(questions[i % len(questions)])
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        deadline = time.monotonic() + time_limit_s
        start = time.perf_counter()
        threads = [threading.Thread(target=_client_loop, daemon=True,
                                    args=(f"http://127.0.0.1:{port}/", jobs, deadline, latencies, errors, lock))
                   for _ in range(n_clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=max(0.0, deadline - time.monotonic()) + 60)
        wall = time.perf_counter() - start
        rss_after = _rss(proc.pid)
    finally:
        _stop_server(proc)
    done = len(latencies)
    return {
        "clients": n_clients,
        "requested": n_requests,
        "completed": done,
        "not_sent": jobs.qsize(),  # left when the time limit ran out
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "wall_s": wall,
        "throughput_per_s": done / wall if wall else None,
        "p50_s": percentile(latencies, 50),
        "p95_s": percentile(latencies, 95),
        "server_rss_before_bytes": rss_before,
        "server_rss_after_bytes": rss_after,
    }


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--serve":
        _serve(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit("usage: python -m bench.load --serve INDEX_DIR PORT (started by bench.load.run)")
