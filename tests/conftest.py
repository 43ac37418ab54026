"""Shared fixtures: the real sample data, fresh warehouses, and a backend-parametrised connection."""

from __future__ import annotations

import os
from pathlib import Path

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
def chips_home(tmp_path_factory: pytest.TempPathFactory, sample_data: Path) -> Path:
    """A warehouse with the real China semiconductor imports (BACI HS07 V202601, 2008-2024: China's
    imports only) and the ETO chip tables, loaded once per session (treat as read-only)."""
    from friendshore.warehouse.ingest import ingest_source
    from friendshore.warehouse.ingest_baci import ingest_baci

    path = tmp_path_factory.mktemp("chips") / "warehouse"
    folder = sample_data / "baci_hs07_china_semiconductor_imports"
    ingest_baci(
        path,
        sorted(folder.glob("BACI_HS07_Y*_V202601_chn-semis.csv")),
        countries_file=sample_data / "baci_critical_materials" / "country_codes_V202601.csv",
    )
    ingest_source(path, "eto", sample_data / "eto_chip_explorer")
    # HS 2007 is read in HS 2017 through the UNSD table (one revision per analysis)
    ingest_source(
        path,
        "hs-concordance",
        sample_data / "hs_concordance_unsd" / "HS2017toHS2007ConversionAndCorrelationTables.xlsx",
    )
    return path
