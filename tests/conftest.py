"""Shared fixtures: the real sample data, fresh warehouses, and a backend-parametrised connection."""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

from friendshore.settings import Settings, load_settings, project_root

# CI explores the same examples every run (a red CI must be reproducible); locally they vary.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")
# The developer's loop (`make test-fast`: --hypothesis-profile=fast) tries at most 10 examples per
# property; `make test` tries what each test asks (helpers.examples caps a test's own count by this).
hypothesis_settings.register_profile("fast", max_examples=10)

BACKENDS = ["duckdb", pytest.param("pyspark", marks=[pytest.mark.spark, pytest.mark.xdist_group("spark")])]


@pytest.fixture(autouse=True)
def _spark_connect_mode_per_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """PySpark marks a whole process as Spark Connect (``SPARK_CONNECT_MODE_ENABLED``) when a Connect
    session is made, and then refuses local sessions and routes every function to Connect. A user's
    process uses one or the other; a test process uses both, so each test starts unmarked and the
    mark a Connect test leaves is undone after it (monkeypatch restores the variable)."""
    monkeypatch.delenv("SPARK_CONNECT_MODE_ENABLED", raising=False)


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


def warehouse_digest(home: Path) -> dict[str, str]:
    """sha256 of every file of the warehouse ``home`` (lock files left out): the manifest, the Parquet
    files and the DuckDB cache, which the load builds and a reader only opens."""
    return {
        str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(home.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


def _built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """The warehouse ``name``, loaded by ``build`` once per test run with its DuckDB cache, under the
    run's base folder, which the xdist workers of one run share (each worker's own folder is in it):
    the first worker to take the lock builds it, the others wait and then read it (the cache is
    attached read-only). A run without xdist builds it in its own base folder."""
    from friendshore.warehouse import connect

    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    folder, done = base / f"shared-{name}", base / f"shared-{name}.built"
    with open(base / f"shared-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        if not done.exists():
            import shutil

            shutil.rmtree(folder, ignore_errors=True)  # what a failed build in this run left
            home = folder / "warehouse"
            build(home)
            connect(load_settings(home=home, backend="duckdb")).disconnect()  # builds the DuckDB cache
            done.touch()
    return folder / "warehouse"


def _shared(home: Path) -> Iterator[Path]:
    """Hand out a session warehouse that many tests read, and fail the last test that used it if any
    test changed a file of it (a test that writes loads its own warehouse or copies this one with
    ``shutil.copytree``, as ``test_harmonise.copies_home`` does). File modes would not stop a test
    run as root, so the digest is the guard. The DuckDB cache, which the first query would build, is
    built here, before the digest is taken."""
    from friendshore.warehouse import connect

    connect(load_settings(home=home, backend="duckdb")).disconnect()
    before = warehouse_digest(home)
    yield home
    after = warehouse_digest(home)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"a test changed the shared warehouse {home}: {changed[:10]}"


@pytest.fixture(scope="session")
def sample_home(tmp_path_factory: pytest.TempPathFactory, sample_data: Path) -> Iterator[Path]:
    """A warehouse with the whole sample loaded once per test run (shared by the xdist workers);
    read-only: its files are checked unchanged at the end of each worker's session."""
    from friendshore.warehouse.ingest import ingest_sample

    yield from _shared(_built_once(tmp_path_factory, "sample", lambda path: ingest_sample(path, sample_data)))


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
def chips_home(tmp_path_factory: pytest.TempPathFactory, sample_data: Path) -> Iterator[Path]:
    """A warehouse with the real China semiconductor imports (BACI HS07 V202601, 2008-2024: China's
    imports only) and the ETO chip tables, loaded once per test run; read-only like ``sample_home``."""
    from friendshore.warehouse.ingest import ingest_source
    from friendshore.warehouse.ingest_baci import ingest_baci

    def build(path: Path) -> None:
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

    yield from _shared(_built_once(tmp_path_factory, "chips", build))


# --- RELIABILITY.md ------------------------------------------------------------------------------
# Tests of issue 20 record each input they try through the ``reliability`` fixture; every pytest
# process (xdist workers included) appends to one JSON-lines file per process, and the controlling
# process writes RELIABILITY.md at the end of a run that tried the whole bad-input corpus.


def _reliability_dir(config: pytest.Config) -> Path:
    # one folder per run (xdist workers inherit the controller's name): runs started side by side
    # never remove or add to each other's records
    run = os.environ.get("FRIENDSHORE_RELIABILITY_RUN", "main")
    return Path(config.rootpath) / ".pytest_cache" / "reliability" / run


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # the controller: before the workers start
        import uuid

        os.environ["FRIENDSHORE_RELIABILITY_RUN"] = uuid.uuid4().hex


def pytest_sessionstart(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):  # the controller (or a run without xdist)
        import shutil

        shutil.rmtree(_reliability_dir(session.config), ignore_errors=True)


@pytest.fixture
def reliability(request: pytest.FixtureRequest) -> object:
    """``reliability(category, case, **outcome)`` records one input tried, for RELIABILITY.md."""
    import json

    folder = _reliability_dir(request.config)
    folder.mkdir(parents=True, exist_ok=True)
    worker = getattr(request.config, "workerinput", {}).get("workerid", "main")

    def record(category: str, case: str, **outcome: object) -> None:
        folder.mkdir(parents=True, exist_ok=True)  # a run started beside this one may have removed it
        with open(folder / f"{worker}.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"category": category, "case": case, **outcome}) + "\n")

    return record


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if hasattr(session.config, "workerinput"):
        return
    import shutil

    from reliability_report import write_report

    folder = _reliability_dir(session.config)
    write_report(folder, project_root() / "RELIABILITY.md")
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def brief_files(tmp_path_factory: pytest.TempPathFactory, sample_home: Path, sample_data: Path) -> Any:
    """The brief of the demo (USA, India as partner, Pax Silica at 2026-03-01), written once per
    session from the sample data (tests that use it share one xdist worker: ``xdist_group("brief")``)."""
    from datetime import date

    from friendshore.reporting.brief import build_brief

    settings = load_settings(home=sample_home, sample_data=sample_data)
    return build_brief(
        settings,
        importer="USA",
        partner="IND",
        coalition="pax-silica",
        members_at=date(2026, 3, 1),
        sector="critical-minerals",
        out=tmp_path_factory.mktemp("brief"),
    )
