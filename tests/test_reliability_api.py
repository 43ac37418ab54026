"""Issue 30, item 5 (what is done of it): the server's limits are bounded numbers.

Done: a request past the time limit has its DuckDB queries interrupted. Not done yet: stopping
model work in Python (a process pool), per-client limits for anonymous reads, header and body
read timeouts.
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
