"""Issue 30, item 5 (what is done of it): the server's limits are bounded numbers.

Done: a request past the time limit has its DuckDB queries interrupted; one client address may have at
most PER_CLIENT anonymous API requests in progress. Not done yet: stopping
model work in Python (a process pool) and a timeout for reading request headers (the body has one).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from friendshore.interfaces.cli import run


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

    def slow() -> object:
        con = connect(settings)
        try:
            con.raw_sql("select count(*) from range(1000000000000) t(a) where a % 7 = 3").fetchall()
        finally:
            finished.append(time.monotonic())
        return None

    runner = Runner(workers=1, time_limit=2.0, queue=4)
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
    from typing import Any

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
