"""Settings, read from the environment (``FRIENDSHORE_*``) and overridable per call.

| variable | meaning | default |
|---|---|---|
| ``FRIENDSHORE_HOME`` | warehouse folder | the platform's user data folder for ``friendshore`` |
| ``FRIENDSHORE_BACKEND`` | ``duckdb`` or ``pyspark`` | ``duckdb`` |
| ``FRIENDSHORE_SPARK_REMOTE`` | Spark Connect URL (``sc://host:port``) | unset: Spark local mode |
| ``FRIENDSHORE_SPARK_DATA`` | where Spark reads the warehouse's Parquet files (a URI such as ``s3a://bucket/friendshore`` holding the same ``data/`` folder) | unset: the warehouse folder |
| ``FRIENDSHORE_SAMPLE_DATA`` | folder of the real sample data (the one holding ``MANIFEST.md``) | ``sample-data`` in the platform's user data folder for ``friendshore`` (the Makefile points it at ``../shared/data``) |
| ``FRIENDSHORE_API_TOKEN`` | token the API asks for before it runs a model or changes data | unset (then ``friendshore serve`` listens on loopback only) |
| ``FRIENDSHORE_MEMORY_LIMIT`` | DuckDB's memory limit for every connection the analyses open (the warehouse and the build of its native copy), e.g. ``8GB``; beyond it DuckDB spills to ``cache/spill`` in the warehouse folder | unset: DuckDB's own default, 80% of the machine's RAM |
| ``FRIENDSHORE_THREADS`` | how many threads each of those DuckDB connections uses, e.g. ``1`` where several processes share the cores (``make test-fast`` runs two test workers on two cores) | unset: DuckDB's own default, one per core |
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from friendshore.errors import SettingsError

__all__ = ["Backend", "Settings", "load_settings", "project_root"]

Backend = Literal["duckdb", "pyspark"]
#: A memory size as DuckDB reads it: a number and a unit (``8GB``, ``512MiB``, ``1.5 GB``).
_SIZE = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)$", re.IGNORECASE)


def project_root() -> Path:
    """The source checkout's root (the folder holding ``pyproject.toml``): for tests and tools run
    in a checkout only. Run-time data ships in the package (``importlib.resources``) or lives in the
    folders these settings name; an installed wheel has no checkout."""
    return Path(__file__).resolve().parents[2]


def _default_home() -> Path:
    return Path(platformdirs.user_data_dir("friendshore", appauthor=False))


def _default_sample_data() -> Path:
    return Path(platformdirs.user_data_dir("friendshore", appauthor=False)) / "sample-data"


class Settings(BaseSettings):
    """friendshore's settings; each field maps to ``FRIENDSHORE_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="FRIENDSHORE_", frozen=True, extra="ignore")

    home: Path = Field(default_factory=_default_home, description="Warehouse folder.")
    backend: Backend = Field(default="duckdb", description="Query engine.")
    spark_remote: str | None = Field(default=None, description="Spark Connect URL.")
    spark_data: str | None = Field(
        default=None,
        description="Where Spark reads the warehouse's Parquet files (a URI with the same data/ folder).",
    )
    sample_data: Path = Field(default_factory=_default_sample_data, description="Sample data folder.")
    api_token: SecretStr | None = Field(default=None, description="API token for model runs and writes.")
    memory_limit: str | None = Field(
        default=None,
        description="DuckDB's memory limit for the analyses (e.g. 8GB); unset: DuckDB's default (80% of RAM).",
    )

    threads: int | None = Field(
        default=None,
        ge=1,
        description="DuckDB threads per connection of the analyses; unset: DuckDB's default (one per core).",
    )

    @field_validator("memory_limit")
    @classmethod
    def _size(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not _SIZE.match(value.strip()):
            raise ValueError(f"'{value}' is not a memory size such as 8GB or 512MB")
        return value.strip().replace(" ", "")

    def duckdb_config(self) -> dict[str, str]:
        """The settings every DuckDB connection of the analyses opens with: the memory limit and
        the number of threads (when set) and a folder to spill to inside the warehouse
        (``cache/spill``; DuckDB creates it only when it spills), never the working folder (DuckDB's
        own default)."""
        config = {"temp_directory": str(Path(self.home) / "cache" / "spill")}
        if self.memory_limit is not None:
            config["memory_limit"] = self.memory_limit
        if self.threads is not None:
            config["threads"] = str(self.threads)
        return config


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment, then apply the non-``None`` ``overrides``."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        settings = Settings(**clean)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "settings"
        raise SettingsError(f"setting '{field}' (FRIENDSHORE_{field.upper()}): {first['msg']}") from None
    if settings.home.exists() and not settings.home.is_dir():
        raise SettingsError(
            f"the warehouse folder {settings.home} is a file: point --home (FRIENDSHORE_HOME) at a folder"
        )
    return settings
