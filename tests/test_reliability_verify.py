"""Issue 30, items 8 and 9 (the warehouse's own files): a damaged manifest, partition file or cache
is an error that says to run ``friendshore data verify``, never an internal error; ``data verify``
checks the cache and which partition each file of the manifest holds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from friendshore.interfaces.cli import run
from friendshore.warehouse.duckdb_cache import cache_path

BAD = Path(__file__).parent / "data" / "bad"
WDI = BAD / "wdi" / "good" / "WDI_NY.GDP.MKTP.CD_2025-03-24.csv"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A warehouse with two partitions of ``gdp`` (two releases) and its cache built."""
    home = tmp_path / "warehouse"
    other = tmp_path / "WDI_NY.GDP.MKTP.CD_2025-07-01.csv"
    text = WDI.read_text("utf-8-sig").replace("2025-03-24", "2025-07-01").replace("2.5e13", "2.6e13")
    other.write_text(text.replace('"IND","GDP', '"IND","GDP').replace("3.3e12", "3.4e12"), "utf-8")
    assert run(["--home", str(home), "ingest", "wdi-gdp", str(WDI)]) == 0
    assert run(["--home", str(home), "ingest", "wdi-gdp", str(other)]) == 0
    assert run(["--home", str(home), "sql", "select count(*) from gdp"]) == 0
    assert run(["--home", str(home), "data", "verify"]) == 0
    return home


def _manifest(home: Path) -> dict[str, Any]:
    return json.loads((home / "manifest.json").read_text("utf-8"))  # type: ignore[no-any-return]


def _write(home: Path, manifest: dict[str, Any]) -> None:
    (home / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    shutil.rmtree(home / "cache", ignore_errors=True)


def _verify(home: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = run(["--home", str(home), "data", "verify", "--format", "json"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_30_9_verify_finds_an_edited_cache(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = cache_path(home)
    assert cache is not None
    data = bytearray(cache.read_bytes())
    data[-100] ^= 0xFF
    cache.write_bytes(bytes(data))
    code, out = _verify(home, capsys)
    assert code == 1
    assert "differs from the file built from the manifest" in out


def test_30_9_verify_finds_swapped_partitions(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = _manifest(home)
    a, b = manifest["tables"]["gdp"]
    for field in ("file", "sha256", "rows"):
        a[field], b[field] = b[field], a[field]
    _write(home, manifest)
    code, out = _verify(home, capsys)
    assert code == 1
    assert "the manifest says 2025-" in out
    assert "Traceback" not in out


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rows", "abc"),
        ("key", {}),
        ("file", "../../etc/passwd"),
        ("file", "/etc/passwd"),
        ("table", "nosuch"),
    ],
)
def test_30_8_damaged_manifest_says_run_data_verify(
    home: Path, field: str, value: Any, capsys: pytest.CaptureFixture[str], reliability: Any
) -> None:
    manifest = _manifest(home)
    manifest["tables"]["gdp"][0][field] = value
    _write(home, manifest)
    capsys.readouterr()
    code = run(["--home", str(home), "sql", "select count(*) from gdp"])
    err = capsys.readouterr().err
    reliability(
        "input",
        f"manifest-{field}-{value!r}",
        kind="corrupt",
        clean=code == 2 and "data verify" in err and "Traceback" not in err,
        internal=code not in (0, 2) or "internal error" in err,
    )
    assert code == 2, err
    assert "data verify" in err
    code, out = _verify(home, capsys)
    assert code == 1
    assert "internal error" not in out


def test_30_8_truncated_parquet_says_run_data_verify(
    home: Path, capsys: pytest.CaptureFixture[str], reliability: Any
) -> None:
    part = home / _manifest(home)["tables"]["gdp"][0]["file"]
    part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])
    shutil.rmtree(home / "cache")
    capsys.readouterr()
    code = run(["--home", str(home), "sql", "select count(*) from gdp"])
    err = capsys.readouterr().err
    reliability(
        "input",
        "truncated-partition-file",
        kind="corrupt",
        clean=code == 2 and "data verify" in err,
        internal=code not in (0, 2) or "internal error" in err,
    )
    assert code == 2, err
    assert "data verify" in err
    code, out = _verify(home, capsys)
    assert "Traceback" not in out
    assert code == 1
