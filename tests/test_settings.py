"""Settings come from FRIENDSHORE_* variables and can be overridden per call."""

from __future__ import annotations

from pathlib import Path

import pytest

from friendshore.errors import SettingsError
from friendshore.settings import load_settings, project_root


def test_environment_and_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FRIENDSHORE_HOME", str(tmp_path / "env-home"))
    monkeypatch.setenv("FRIENDSHORE_BACKEND", "pyspark")
    settings = load_settings()
    assert settings.home == tmp_path / "env-home"
    assert settings.backend == "pyspark"
    override = load_settings(home=tmp_path / "cli-home", backend="duckdb")
    assert (override.home, override.backend) == (tmp_path / "cli-home", "duckdb")


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "FRIENDSHORE_HOME",
        "FRIENDSHORE_BACKEND",
        "FRIENDSHORE_SAMPLE_DATA",
        "FRIENDSHORE_SPARK_REMOTE",
    ):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.backend == "duckdb"
    assert settings.spark_remote is None
    assert "friendshore" in str(settings.home)
    # no default tied to a source checkout: the user's data folder (the Makefile sets ../shared/data)
    assert settings.sample_data.name == "sample-data"
    assert settings.sample_data.parent == settings.home
    assert project_root() not in settings.sample_data.parents


def test_bad_backend_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRIENDSHORE_BACKEND", "oracle")
    with pytest.raises(SettingsError, match="FRIENDSHORE_BACKEND"):
        load_settings()


def test_the_sample_data_folder_is_a_setting_named_in_the_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from friendshore.interfaces.cli import run

    monkeypatch.delenv("FRIENDSHORE_SAMPLE_DATA", raising=False)
    missing = tmp_path / "no-such-folder"
    assert run(["--home", str(tmp_path / "home"), "--sample-data", str(missing), "ingest", "sample"]) != 0
    err = capsys.readouterr().err
    assert str(missing) in err
    assert "FRIENDSHORE_SAMPLE_DATA" in err


def test_memory_limit_is_a_setting_applied_to_the_analyses_connection(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from friendshore.warehouse.connect import open_snapshot

    monkeypatch.delenv("FRIENDSHORE_MEMORY_LIMIT", raising=False)
    default = load_settings(home=tmp_path / "home")
    assert default.memory_limit is None  # DuckDB's own default (80% of the RAM)
    assert "memory_limit" not in default.duckdb_config()
    monkeypatch.setenv("FRIENDSHORE_MEMORY_LIMIT", "1 GB")
    settings = load_settings(home=tmp_path / "home")
    assert settings.memory_limit == "1GB"
    snapshot = open_snapshot(settings)
    got = snapshot.con.raw_sql(
        "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
    ).fetchone()
    assert got[0] == "953.6 MiB"  # DuckDB shows 1 GB (10^9 bytes) in MiB
    assert got[1] == str(tmp_path / "home" / "cache" / "spill")  # spills inside the warehouse


def test_threads_is_a_setting_applied_to_the_analyses_connection(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from friendshore.warehouse.connect import open_snapshot

    monkeypatch.delenv("FRIENDSHORE_THREADS", raising=False)
    assert "threads" not in load_settings(home=tmp_path / "home").duckdb_config()  # DuckDB's default
    monkeypatch.setenv("FRIENDSHORE_THREADS", "1")
    snapshot = open_snapshot(load_settings(home=tmp_path / "home"))
    assert snapshot.con.raw_sql("SELECT current_setting('threads')").fetchone() == (1,)
    monkeypatch.setenv("FRIENDSHORE_THREADS", "0")
    with pytest.raises(SettingsError, match="FRIENDSHORE_THREADS"):
        load_settings()


def test_bad_memory_limit_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRIENDSHORE_MEMORY_LIMIT", "lots")
    with pytest.raises(SettingsError, match="FRIENDSHORE_MEMORY_LIMIT"):
        load_settings()


def test_the_sql_command_connection_takes_the_memory_limit() -> None:
    from friendshore.warehouse.query import query_connection

    with query_connection(None, "1GB") as db:
        assert db.execute("SELECT current_setting('memory_limit')").fetchone() == ("953.6 MiB",)
