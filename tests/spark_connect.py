"""A local Spark Connect server for tests (imported as ``spark_connect``; pytest puts tests/ on sys.path).

It is PySpark's own JVM with the Connect plugin (the jar ships in the ``pyspark`` wheel), started in
a child process on a free loopback port, so that the test process stays a pure Connect client (no
JVM of its own) as it would be against a cluster: ``FRIENDSHORE_SPARK_REMOTE=sc://127.0.0.1:PORT``.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["connect_server"]

#: The server: a local-mode Spark session with the Connect plugin; it lives until stdin closes.
SERVER = """
import sys
from pyspark.sql import SparkSession

spark = (
    SparkSession.builder.master("local[2]")
    .appName("friendshore-connect-test")
    .config("spark.plugins", "org.apache.spark.sql.connect.SparkConnectPlugin")
    .config("spark.connect.grpc.binding.address", "127.0.0.1")
    .config("spark.connect.grpc.binding.port", sys.argv[1])
    .config("spark.driver.bindAddress", "127.0.0.1")
    .config("spark.driver.host", "127.0.0.1")
    .config("spark.ui.enabled", "false")
    .config("spark.ui.showConsoleProgress", "false")
    .config("spark.sql.shuffle.partitions", "4")
    .config("spark.sql.session.timeZone", "UTC")
    .config("spark.sql.ansi.enabled", "false")
    .getOrCreate()
)
spark.sparkContext.setLogLevel("ERROR")
print("ready", flush=True)
sys.stdin.read()
spark.stop()
"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def connect_server(timeout: float = 240.0) -> Iterator[str]:
    """Start a Spark Connect server; yield its URL (``sc://127.0.0.1:PORT``); stop it on exit."""
    port = _free_port()
    log = Path(tempfile.mkstemp(prefix="friendshore-connect-", suffix=".log")[1])
    with open(log, "w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + timeout
        line = proc.stdout.readline()  # blocks until the session is up (or the child dies)
        if line.strip() != "ready" or time.monotonic() > deadline:
            raise RuntimeError(f"the Spark Connect server did not start:\n{log.read_text()[-3000:]}")
        yield f"sc://127.0.0.1:{port}"
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.unlink(missing_ok=True)
