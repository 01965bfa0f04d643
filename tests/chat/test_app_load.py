"""Load: 20 concurrent users, 1,000 questions, against a real server on 127.0.0.1: no errors, stable memory.

The server is the one the benchmark uses (``bench.load``): ``chat.app`` in its
own process, so its resident memory is measured apart from the clients'.
"""

from __future__ import annotations

import queue
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

USERS = 20
REQUESTS = 1000
WARM_UP = 100
# Growth after warm-up. Generous: a few MB were measured (2 cores, hashing embedder); this catches a leak
# of 150 kB or more per request, e.g. a server that keeps every request's state.
MAX_GROWTH_MB = 150
QUESTIONS = [
    "Who built the oldest bridge?",
    "How does the council fund repairs?",
    "What do critics say about the levy?",
    "What does the middle bridge need?",
    "Which countries sent engineers?",
    "What did the engineer say about Kosovo?",
    "Who chaired the hearing?",
]


def _rss_mb(pid: int) -> float:
    import psutil

    return psutil.Process(pid).memory_info().rss / 1e6


def _load(url: str, n: int, offset: int = 0, time_limit_s: float = 150.0) -> tuple[int, list[str]]:
    """``n`` questions over USERS concurrent clients; returns (completed, errors)."""
    from bench.load import _client_loop

    jobs: queue.Queue = queue.Queue()
    for i in range(n):
        jobs.put(QUESTIONS[(offset + i) % len(QUESTIONS)])
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + time_limit_s
    users = [threading.Thread(target=_client_loop, args=(url, jobs, deadline, latencies, errors, lock), daemon=True)
             for _ in range(USERS)]
    for user in users:
        user.start()
    for user in users:
        user.join(timeout=time_limit_s + 30)
    return len(latencies), errors


def test_twenty_users_get_a_thousand_answers_without_errors_or_memory_growth(small_index: Path, tmp_path: Path):
    from bench.load import _start_server, _stop_server, free_port

    port = free_port()
    server = _start_server(small_index, port, tmp_path / "server.log")
    url = f"http://127.0.0.1:{port}/"
    try:
        started_mb = _rss_mb(server.pid)
        done, errors = _load(url, WARM_UP)
        assert (done, errors) == (WARM_UP, [])
        warm_mb = _rss_mb(server.pid)
        began = time.perf_counter()
        done, errors = _load(url, REQUESTS, offset=WARM_UP)
        seconds = time.perf_counter() - began
        end_mb = _rss_mb(server.pid)
    finally:
        _stop_server(server)
    print(f"\n{REQUESTS} requests from {USERS} users in {seconds:.1f} s ({REQUESTS / seconds:.1f}/s); server RSS "
          f"{started_mb:.0f} MB at start, {warm_mb:.0f} MB after warm-up, {end_mb:.0f} MB at the end")
    assert errors == []
    assert done == REQUESTS
    assert end_mb - warm_mb < MAX_GROWTH_MB
