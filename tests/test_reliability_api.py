"""Issue 30, item 5: the server cannot be starved.

The server's limits are bounded numbers; a request past the time limit has its DuckDB queries
interrupted and its numerical loops stopped (``friendshore.deadline``), so the worker is free for the
next request; one client address may have at most PER_CLIENT anonymous API requests in progress; a
connection whose request headers do not arrive within the header timeout is closed (the body has
its own timeout, ``test_api_fuzz.py``).
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

import httpx2
import pytest

from friendshore.interfaces.api import Limits, create_app
from friendshore.interfaces.api.server import header_timeout_protocol
from friendshore.interfaces.cli import run
from friendshore.settings import load_settings
from live_server import live_server


@pytest.mark.parametrize(
    "args",
    [
        ["--time-limit", "inf"],
        ["--time-limit", "nan"],
        ["--time-limit", "1e9"],
        ["--max-body", "100000000000000000000000"],
        ["--max-body", "1e23"],
    ],
)
def test_30_5_serve_refuses_unbounded_limits(
    tmp_path: Path, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--home", str(tmp_path / "w"), "serve", "--port", "1", *args]) == 2
    err = capsys.readouterr().err
    assert args[0] in err
    assert "Traceback" not in err


def test_30_5_time_limit_interrupts_the_duckdb_query(tmp_path: Path) -> None:
    """A request past the time limit gets 503 and its query is stopped: the worker is free again."""
    import asyncio
    import time

    from friendshore.interfaces.api.errors import ApiError
    from friendshore.interfaces.api.routes import Runner
    from friendshore.settings import load_settings
    from friendshore.warehouse.connect import connect

    settings = load_settings(home=tmp_path / "w")
    connect(settings)  # the imports done: the time limit counts the query only
    finished: list[float] = []

    def slow() -> Any:
        con = connect(settings)
        try:
            con.raw_sql("select count(*) from range(1000000000000) t(a) where a % 7 = 3").fetchall()
        finally:
            finished.append(time.monotonic())
        return None

    runner = Runner(workers=1, time_limit=1.0, queue=4)
    start = time.monotonic()
    with pytest.raises(ApiError) as caught:
        asyncio.run(runner.run(slow))
    assert caught.value.status == 503
    deadline = time.monotonic() + 20
    while not finished and time.monotonic() < deadline:
        time.sleep(0.1)
    runner.close()
    assert finished, "the query still runs after the time limit"
    assert finished[0] - start < 15


def test_30_5_one_client_cannot_hold_every_worker() -> None:
    """Anonymous API reads beyond ``PER_CLIENT`` at once from one address get 429; others still pass."""
    import asyncio

    from friendshore.interfaces.api.security import PER_CLIENT, LimitMiddleware

    release = asyncio.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def request(middleware: LimitMiddleware, client: str, headers: list[Any]) -> int:
        statuses: list[int] = []

        async def send(message: Any) -> None:
            if message["type"] == "http.response.start":
                statuses.append(message["status"])

        async def receive() -> Any:
            return {"type": "http.request", "body": b"", "more_body": False}

        scope = {"type": "http", "path": "/api/partners", "headers": headers, "client": (client, 1)}
        await middleware(scope, receive, send)
        return statuses[0]

    async def main() -> list[int]:
        middleware = LimitMiddleware(app)
        busy = [asyncio.create_task(request(middleware, "10.0.0.1", [])) for _ in range(PER_CLIENT)]
        await asyncio.sleep(0.05)
        refused = await request(middleware, "10.0.0.1", [])
        other = asyncio.create_task(request(middleware, "10.0.0.2", []))
        token = asyncio.create_task(request(middleware, "10.0.0.1", [(b"authorization", b"Bearer x")]))
        await asyncio.sleep(0.05)
        release.set()
        return [refused, *(await asyncio.gather(*busy, other, token))]

    statuses = asyncio.run(main())
    assert statuses[0] == 429
    assert statuses[1:] == [200] * (PER_CLIENT + 2)


@pytest.mark.parametrize(
    "args", [["--header-timeout", "nan"], ["--header-timeout", "0"], ["--header-timeout", "1e9"]]
)
def test_30_5_serve_refuses_unbounded_header_timeout(
    tmp_path: Path, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--home", str(tmp_path / "w"), "serve", "--port", "1", *args]) == 2
    err = capsys.readouterr().err
    assert "--header-timeout" in err
    assert "Traceback" not in err


def _closed_by_server(sock: socket.socket) -> bool:
    """Whether the server closed ``sock`` (EOF or reset) before the socket's own timeout."""
    try:
        return sock.recv(1024) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_30_5_partial_headers_are_dropped_after_the_header_timeout(tmp_path: Path, reliability: Any) -> None:
    """20 connections sending part of their headers are closed within the header timeout (plus
    slack), while a normal request still answers; a whole request is not cut by it."""
    timeout = 1.0
    app = create_app(load_settings(home=tmp_path / "w"))
    with live_server(app, http=header_timeout_protocol(timeout)) as url:
        port = int(url.rsplit(":", 1)[1])
        socks = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(20)]
        try:
            started = time.monotonic()
            for i, sock in enumerate(socks):
                sock.sendall(b"GET /api HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * i)
            assert httpx2.get(f"{url}/api", timeout=5).status_code == 200  # others still answered
            time.sleep(timeout / 2)
            for sock in socks:  # a byte now and then does not extend the limit
                sock.sendall(b"b")
            closed = [_closed_by_server(sock) for sock in socks]
            elapsed = time.monotonic() - started
            reliability(
                "api", "30-5-20-partial-header-connections", clean=all(closed) and elapsed < timeout + 5
            )
            assert all(closed), f"{closed.count(False)} of 20 partial-header connections still open"
            assert elapsed < timeout + 5
            # a request whose headers arrived in time is answered even when its answer takes longer
            with socket.create_connection(("127.0.0.1", port), timeout=10) as ok:
                ok.sendall(b"GET /api HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                assert ok.recv(64).startswith(b"HTTP/1.1 200")
                time.sleep(timeout + 0.5)  # idle after a response: keep-alive ends it, not an error
        finally:
            for sock in socks:
                sock.close()


def test_30_5_the_time_limit_stops_python_work() -> None:
    """Numerical work past the time limit stops at its next ``deadline.check()``: the worker is free."""
    import asyncio

    from friendshore.deadline import check
    from friendshore.interfaces.api.errors import ApiError
    from friendshore.interfaces.api.routes import Runner

    stopped: list[float] = []

    def draws() -> Any:
        try:
            while True:  # a Monte Carlo loop that would never end on its own
                check()
                sum(range(1000))
        finally:
            stopped.append(time.monotonic())

    runner = Runner(workers=1, time_limit=1.0, queue=4)
    start = time.monotonic()
    with pytest.raises(ApiError) as caught:
        asyncio.run(runner.run(draws))
    runner.close()
    assert caught.value.status == 503
    deadline = time.monotonic() + 5
    while not stopped and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stopped, "the loop still runs after the time limit"
    assert stopped[0] - start < 3
    check()  # outside the request there is no deadline


def test_30_5_partners_draws_past_the_time_limit_do_not_hold_the_server(
    sample_home: Path, sample_data: Path, reliability: Any
) -> None:
    """The issue's case, `serve --time-limit 2 --workers 1`, with a limit of 1 s: 5 x partners with
    20,000 draws -> all 503, and the next request answers promptly (the draws were stopped, not
    left running)."""
    from friendshore.analyses.partners import partners

    settings = load_settings(home=sample_home, sample_data=sample_data)
    partners(settings, importer="USA", product="850511", draws=2)  # imports and the DuckDB cache warm
    app = create_app(settings, limits=Limits(time_limit=1, workers=1))
    with live_server(app, http=header_timeout_protocol(10)) as url:
        statuses: list[int] = []

        def heavy(i: int) -> None:
            query = f"for=USA&product=850511&draws=20000&seed={i}"
            statuses.append(httpx2.get(f"{url}/api/partners?{query}", timeout=120).status_code)

        threads = [threading.Thread(target=heavy, args=(i,)) for i in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert statuses == [503] * 5
        started = time.monotonic()
        answer = httpx2.get(f"{url}/api/countries", timeout=60)
        took = time.monotonic() - started
        reliability(
            "api",
            "30-5-partners-draws-past-the-time-limit",
            clean=statuses == [503] * 5 and answer.status_code == 200 and took < 5,
            internal=any(s >= 500 and s != 503 for s in [*statuses, answer.status_code]),
        )
        assert answer.status_code == 200
        assert took < 5, f"the next request waited {took:.1f} s behind stopped work"


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("partners", {"draws": 100}),  # Monte Carlo draws (metrics/partners.py)
        ("shock", {"model": "pe"}),  # the PE model's solver (models/pe/armington.py)
        ("gravity/simulate", {}),  # GE gravity iterations (models/gravity/solvers.py)
        ("simulate", {}),  # the multi-sector model's iterations (models/multisector/)
        ("plan", {"draws": 5}),  # the planner's cost draws (planning/compare.py)
    ],
)
def test_30_5_model_loops_stop_at_the_deadline(
    sample_home: Path, sample_data: Path, name: str, extra: dict[str, object]
) -> None:
    """Each model that can run long checks the deadline in its loop: past it, it stops with
    ``DeadlineExceeded`` (the API's 503) instead of running to the end."""
    from friendshore.deadline import DeadlineExceeded, until
    from test_api import CASES

    settings = load_settings(home=sample_home, sample_data=sample_data)
    analysis, keywords = CASES[name][3], {**CASES[name][4], **extra}
    analysis(settings, **keywords)  # runs to the end without a deadline
    with until(time.monotonic() - 1), pytest.raises(DeadlineExceeded):
        analysis(settings, **keywords)


def test_30_5_serve_runs_uvicorn_with_the_header_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``friendshore serve --header-timeout 3`` hands uvicorn the protocol that drops late headers."""
    import uvicorn

    configs: list[uvicorn.Config] = []

    class FakeServer:
        started = True

        def __init__(self, config: uvicorn.Config) -> None:
            configs.append(config)

        def run(self) -> None:
            return None

    monkeypatch.setattr(uvicorn, "Server", FakeServer)
    assert run(["--home", str(tmp_path / "w"), "serve", "--port", "8999", "--header-timeout", "3"]) == 130
    protocol = configs[0].http
    assert isinstance(protocol, type)
    assert protocol.__name__ == "HeaderTimeoutProtocol"
    assert protocol.header_timeout == 3  # type: ignore[attr-defined]
