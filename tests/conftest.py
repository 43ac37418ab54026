"""Shared fixtures: the real sample data, fresh warehouses, and a backend-parametrised connection."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

from friendshore.settings import Settings, load_settings, project_root

# CI explores the same examples every run (a red CI must be reproducible); locally they vary.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

BACKENDS = ["duckdb", pytest.param("pyspark", marks=[pytest.mark.spark, pytest.mark.xdist_group("spark")])]


@pytest.fixture(scope="session")
def sample_data() -> Path:
    """The real data folder (``FRIENDSHORE_SAMPLE_DATA``, default ``../shared/data``)."""
    path = Path(
        os.environ.get("FRIENDSHORE_SAMPLE_DATA", project_root() / ".." / "shared" / "data")
    ).resolve()
    assert (path / "MANIFEST.md").exists(), f"sample data not found at {path}: set FRIENDSHORE_SAMPLE_DATA"
    return path


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty warehouse folder."""
    return tmp_path / "warehouse"


@pytest.fixture(scope="session")
def sample_home(tmp_path_factory: pytest.TempPathFactory, sample_data: Path) -> Path:
    """A warehouse with the whole sample loaded once per test session (treat as read-only)."""
    from friendshore.warehouse.ingest import ingest_sample

    path = tmp_path_factory.mktemp("sample") / "warehouse"
    ingest_sample(path, sample_data)
    return path


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each test using this runs once on DuckDB and once on Spark local mode."""
    return str(request.param)


@pytest.fixture
def sample_settings(sample_home: Path, backend: str, sample_data: Path) -> Settings:
    return load_settings(home=sample_home, backend=backend, sample_data=sample_data)


@pytest.fixture
def con(sample_settings: Settings) -> object:
    """An Ibis connection to the sample warehouse on the parametrised backend."""
    from friendshore.warehouse import connect

    return connect(sample_settings)


@pytest.fixture(scope="session")
def brief_files(tmp_path_factory: pytest.TempPathFactory, sample_home: Path, sample_data: Path) -> Any:
    """The brief of the demo (USA, India as partner, Pax Silica at 2026-03-01), written once per
    session from the sample data (tests that use it share one xdist worker: ``xdist_group("brief")``)."""
    from datetime import date

    from friendshore.reporting.brief import build_brief
    from friendshore.settings import project_root

    settings = load_settings(home=sample_home, sample_data=sample_data)
    return build_brief(
        settings,
        importer="USA",
        partner="IND",
        coalition="pax-silica",
        members_at=date(2026, 3, 1),
        sector="critical-minerals",
        tariff_scenario=project_root() / "examples" / "gravity" / "us_china_tariff.toml",
        out=tmp_path_factory.mktemp("brief"),
    )
