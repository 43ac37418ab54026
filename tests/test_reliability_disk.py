"""Issue 30, item 8: a full disk, for real. Each command runs in a child process whose file-size limit
(``RLIMIT_FSIZE``, with ``SIGXFSZ`` ignored) makes every write past it fail with ``EFBIG`` at the
operating system, for Python and DuckDB alike, the way a full disk fails them with ``ENOSPC``. The
limit needs no privilege (a ``tmpfs`` mount would need root and ``CAP_SYS_ADMIN``, which a CI
container may lack), so these tests run everywhere; ``test_the_limit_really_fails_writes`` fails
loudly if the mechanism did not work.

Each case: exit 2 with one line saying the disk is full and what to do, no traceback, no ``*.tmp``
(or staging folder) left behind, and the warehouse still passes ``data verify`` afterwards.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

BAD = Path(__file__).parent / "data" / "bad"
#: Bytes a child may write to one file: small enough for each command below to hit it.
LIMIT = 64 * 1024


def _limited(limit: int) -> Callable[[], None]:
    def apply() -> None:  # runs in the child, between fork and exec
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG), no signal
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def friendshore(
    home: Path, sample_data: Path, *args: str, limit: int | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """``friendshore --home HOME ARGS`` in a child process, under a file-size limit when given."""
    env = {**os.environ, "FRIENDSHORE_SAMPLE_DATA": str(sample_data), "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("FRIENDSHORE_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "friendshore", "--home", str(home), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        preexec_fn=_limited(limit) if limit is not None else None,
        check=False,
    )


def leftovers(*folders: Path) -> list[str]:
    """Temporary files and staging folders a failed write may have left."""
    found = []
    for folder in folders:
        if folder.exists():
            for p in folder.rglob("*"):
                if p.name.endswith((".tmp", ".wal")) or ".writing-" in p.name or ".previous-" in p.name:
                    found.append(str(p))
    return found


@pytest.fixture
def home(sample_home: Path, tmp_path: Path) -> Path:
    """A copy of the sample warehouse (with its DuckDB cache) this test may fill the disk under."""
    copy = tmp_path / "warehouse"
    shutil.copytree(sample_home, copy)
    return copy


def _assert_disk_full(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr[-2000:]
    err = proc.stderr
    assert "Traceback" not in err, err
    assert "internal error" not in err, err
    assert "disk is full" in err or "No space left" in err or "free some space" in err, err
    assert "free some space" in err, err  # and what to do


def _assert_verifies(home: Path, sample_data: Path) -> None:
    verify = friendshore(home, sample_data, "data", "verify")
    assert verify.returncode == 0, verify.stdout[-2000:] + verify.stderr[-2000:]


def test_the_limit_really_fails_writes(tmp_path: Path) -> None:
    """The mechanism itself: in a child under the limit, a write past it fails with EFBIG."""
    target = tmp_path / "big.bin"
    code = (
        "import errno, sys\n"
        "try:\n"
        f"    open({str(target)!r}, 'wb').write(b'x' * {LIMIT * 2})\n"
        "except OSError as exc:\n"
        "    sys.exit(0 if exc.errno == errno.EFBIG else 3)\n"
        "sys.exit(4)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], preexec_fn=_limited(LIMIT), check=False, timeout=60)
    assert proc.returncode == 0, (
        "RLIMIT_FSIZE did not make a write fail with EFBIG on this machine: the disk-full tests below "
        "would not test anything"
    )
    assert target.stat().st_size == LIMIT


def test_30_8_disk_full_while_building_the_cache(home: Path, sample_data: Path, reliability: Any) -> None:
    shutil.rmtree(home / "cache", ignore_errors=True)
    proc = friendshore(home, sample_data, "sql", "select count(*) as n from trade", limit=LIMIT)
    left = leftovers(home)
    reliability("input", "30-disk-full-cache-build", kind="disk-full", clean=proc.returncode == 2 and not left,
                internal=proc.returncode not in (0, 2), data_lost=False)  # fmt: skip
    _assert_disk_full(proc)
    assert not left
    assert not list((home / "cache").glob("*.duckdb")) if (home / "cache").exists() else True
    _assert_verifies(home, sample_data)
    again = friendshore(home, sample_data, "sql", "select count(*) as n from trade")  # room again: it builds
    assert again.returncode == 0, again.stderr


def test_30_8_disk_full_during_ingest(home: Path, sample_data: Path, reliability: Any) -> None:
    manifest = (home / "manifest.json").read_bytes()
    good = BAD / "wdi" / "good" / "WDI_NY.GDP.MKTP.CD_2025-03-24.csv"
    proc = friendshore(home, sample_data, "ingest", "wdi-gdp", str(good), "--replace", limit=1024)
    left = leftovers(home)
    unchanged = (home / "manifest.json").read_bytes() == manifest
    reliability("input", "30-disk-full-ingest", kind="disk-full", clean=proc.returncode == 2 and not left,
                internal=proc.returncode not in (0, 2), data_lost=not unchanged)  # fmt: skip
    _assert_disk_full(proc)
    assert not left
    assert unchanged
    _assert_verifies(home, sample_data)


@pytest.mark.parametrize("command", ["register", "groups"])
def test_30_8_disk_full_during_register_add(
    home: Path, sample_data: Path, tmp_path: Path, command: str, reliability: Any
) -> None:
    """``register add`` (the issue: a ``*.toml.tmp`` left behind) and ``groups add``."""
    import test_groups
    import test_register

    text = test_register.VALID if command == "register" else test_groups.VALID
    path = tmp_path / "mine.toml"
    path.write_text(text, "utf-8")
    proc = friendshore(home, sample_data, command, "add", str(path), limit=0)
    folder = home / command
    left = leftovers(folder)
    installed = (folder / "mine.toml").exists()
    reliability("input", f"30-disk-full-{command}-add", kind="disk-full",
                clean=proc.returncode == 2 and not left and not installed,
                internal=proc.returncode not in (0, 2), data_lost=False)  # fmt: skip
    _assert_disk_full(proc)
    assert "nothing was changed" in proc.stderr
    assert not left
    assert not installed
    _assert_verifies(home, sample_data)
    again = friendshore(home, sample_data, command, "add", str(path))  # room again: it installs
    assert again.returncode == 0, again.stderr
    assert (folder / "mine.toml").read_text("utf-8") == text


def test_30_8_disk_full_during_brief(home: Path, sample_data: Path, tmp_path: Path, reliability: Any) -> None:
    """A brief that cannot be written whole leaves neither its folder nor a staging folder (that a
    previous brief is then left as it was is ``staged``'s rule, tested in tests/test_brief*.py)."""
    built = friendshore(home, sample_data, "sql", "select count(*) as n from trade")  # the cache, with room
    assert built.returncode == 0, built.stderr
    out = tmp_path / "brief"
    proc = friendshore(home, sample_data, "brief", "--for", "USA", "--out", str(out), "--no-pdf", limit=LIMIT)
    left = leftovers(tmp_path)
    reliability("input", "30-disk-full-brief", kind="disk-full",
                clean=proc.returncode == 2 and not left and not out.exists(),
                internal=proc.returncode not in (0, 2), data_lost=False)  # fmt: skip
    _assert_disk_full(proc)
    assert str(out) in proc.stderr
    assert not left
    assert not out.exists()
    _assert_verifies(home, sample_data)
