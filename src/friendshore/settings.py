"""Settings, read from the environment (``FRIENDSHORE_*``) and overridable per call.

| variable | meaning | default |
|---|---|---|
| ``FRIENDSHORE_HOME`` | warehouse folder | the platform's user data folder for ``friendshore`` |
| ``FRIENDSHORE_BACKEND`` | ``duckdb`` or ``pyspark`` | ``duckdb`` |
| ``FRIENDSHORE_SPARK_REMOTE`` | Spark Connect URL (``sc://host:port``) | unset: Spark local mode |
| ``FRIENDSHORE_SPARK_DATA`` | where Spark reads the warehouse's Parquet files (a URI such as ``s3a://bucket/friendshore`` holding the same ``data/`` folder) | unset: the warehouse folder |
| ``FRIENDSHORE_SAMPLE_DATA`` | folder of the real sample data (the one holding ``MANIFEST.md``) | ``sample-data`` in the platform's user data folder for ``friendshore`` (the Makefile points it at ``../shared/data``) |
| ``FRIENDSHORE_API_TOKEN`` | token the API asks for before it runs a model or changes data | unset (then ``friendshore serve`` listens on loopback only) |
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from friendshore.errors import SettingsError

__all__ = ["Backend", "Settings", "load_settings", "project_root"]

Backend = Literal["duckdb", "pyspark"]


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
