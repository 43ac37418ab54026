"""The datasets and published results of Yotov, Piermartini, Monteiro & Larch (2016).

*An Advanced Guide to Trade Policy Analysis: The Structural Gravity Model*, WTO/UNCTAD, as
distributed with the R package ``tradepolicy`` (pachadotdev/tradepolicy, CC BY 4.0).

Readers return pandas DataFrames (the gravity models work on pandas) with snake_case columns:

* ``read_yotov_panel`` — a Stata dataset (``Chapter1Application1.dta`` ... ``1_TradeWithoutBorder.dta``):
  ``exporter, importer, pair_id, year, trade`` and the cost variables (``dist, cntg, lang, clny, rta,
  ln_dist, intl_brdr`` ...). ``Y`` becomes ``output`` and ``E`` becomes ``expenditure``. The guide's
  ~140 fixed-effect dummy columns (``EXPORTER_FE1`` ...) and its helper columns ``E_R``/``E_R_BLN``
  are dropped (estimation builds its own fixed effects).
* ``read_yotov_applications`` — ``agtpa_applications.rda`` (the R version with ``rta`` lags and lead).
* ``read_yotov_ge_results`` — the published general-equilibrium results of chapter 2
  (``results/1_TradeWithoutBorder_FULL.xls``, ``_FULL_PROD.dta``, ``_FULL_CONS.dta``, ``data-figure-7.dta``).
* ``read_reference_estimates`` — ``results/reference_estimates_tradepolicy_R.csv`` (chapter 1 tables) and
  ``results/reference_estimates_stata_logs.csv`` (chapter 2, from the Stata logs), as one tidy shape.

Country codes: the guide recodes Germany as ``ZZZ`` in its chapter 2 files (so that its fixed
effects come last); the readers turn it back into ``DEU`` when ``DEU`` is absent. The guide's
``ROM`` (Romania) becomes the ISO 3166-1 code ``ROU`` everywhere, results included.
"""

from __future__ import annotations

import re
import struct
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from friendshore.errors import DataSourceError, SchemaError
from friendshore.sources.checks import require_nonempty

__all__ = [
    "YOTOV_TO_ISO3",
    "read_reference_estimates",
    "read_yotov_applications",
    "read_yotov_ge_results",
    "read_yotov_panel",
]

#: The guide's country codes that are not ISO 3166-1 alpha-3.
YOTOV_TO_ISO3: dict[str, str] = {"ROM": "ROU"}

_RENAME = {"Y": "output", "E": "expenditure", "ln_DIST": "ln_dist", "INTL_BRDR": "intl_brdr"}
_DROP = re.compile(r"^(EXPORTER_FE\d+|IMPORTER_FE\d+|E_R|E_R_BLN)$")
_PANEL_REQUIRED = ("exporter", "importer", "trade")


def _snake(name: str) -> str:
    name = _RENAME.get(name, name)
    return re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower()


def _countries(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    present = [c for c in columns if c in frame.columns]
    codes = set().union(*(set(frame[c].astype(str)) for c in present)) if present else set()
    mapping = dict(YOTOV_TO_ISO3)
    if "ZZZ" in codes and "DEU" not in codes:
        mapping["ZZZ"] = "DEU"
    for col in present:
        frame[col] = frame[col].astype(str).str.strip().replace(mapping)
    return frame


def _read_dta(path: Path) -> pd.DataFrame:
    require_nonempty(path)
    try:
        return pd.read_stata(path)
    except (ValueError, OSError, UnicodeDecodeError, EOFError, struct.error) as exc:
        raise DataSourceError(f"not a readable Stata .dta file ({exc})", file=path) from None


def _require(frame: pd.DataFrame, columns: tuple[str, ...], *, file: Path, hint: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"column(s) {missing} missing; found {list(frame.columns)[:20]}",
            file=file,
            field=missing[0],
            hint=hint,
        )


def _integers(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    for col in columns:
        if col in frame.columns and frame[col].notna().all():
            frame[col] = frame[col].astype("int64")
    return frame


def read_yotov_panel(path: Path) -> pd.DataFrame:
    """A Yotov et al. (2016) Stata dataset -> one row per exporter, importer (and year).

    Columns: ``exporter, importer`` (ISO3), ``pair_id``, ``year`` (integers where present),
    ``trade`` (nominal, domestic trade included, as in the source) and the cost variables in snake case.
    """
    path = Path(path)
    raw = _read_dta(path)
    keep = [c for c in raw.columns if not _DROP.match(str(c))]
    frame = raw[keep].rename(columns=_snake)
    _require(frame, _PANEL_REQUIRED, file=path, hint="is this one of the guide's gravity datasets?")
    frame = _countries(frame, ("exporter", "importer"))
    return _integers(frame, ("pair_id", "year")).reset_index(drop=True)


def read_yotov_applications(path: Path) -> pd.DataFrame:
    """``agtpa_applications.rda`` (tradepolicy's single dataset) -> the panel with ``rta`` lags and lead."""
    import pyreadr

    path = Path(path)
    require_nonempty(path)
    try:
        frames = pyreadr.read_r(str(path))
    except (pyreadr.custom_errors.PyreadrError, OSError, ValueError) as exc:
        raise DataSourceError(f"not a readable R data file ({exc})", file=path) from None
    if not frames:
        raise DataSourceError("the R data file holds no data frame", file=path)
    frame = next(iter(frames.values())).rename(columns=_snake)
    _require(frame, _PANEL_REQUIRED, file=path, hint="is this tradepolicy's agtpa_applications.rda?")
    frame = _countries(frame, ("exporter", "importer"))
    return _integers(frame, ("pair_id", "year")).reset_index(drop=True)


def read_yotov_ge_results(path: Path) -> pd.DataFrame:
    """Published GE results (``.xls`` or ``.dta``) -> one row per ``country`` with snake_case columns.

    E.g. ``change_rgdp_full`` (% change in real GDP, full endowment GE), ``change_price_full``
    (factory-gate price), ``change_imr_full``, ``change_xi_cdl``, ``change_xi_full`` (exports).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".dta":
        raw = _read_dta(path)
    elif suffix in (".xls", ".xlsx"):
        require_nonempty(path)
        try:
            raw = pd.read_excel(path, engine="calamine")
        except (ValueError, OSError) as exc:
            raise DataSourceError(f"not a readable Excel workbook ({exc})", file=path) from None
    else:
        raise DataSourceError(
            f"unknown results format '{suffix}'", file=path, hint="expected a .dta or .xls file"
        )
    frame = raw.rename(columns=_snake)
    _require(frame, ("country",), file=path, hint="is this a results file of the guide's chapter 2?")
    frame = _countries(frame, ("country",))
    return frame.sort_values("country").reset_index(drop=True)


def read_reference_estimates(path: Path) -> pd.DataFrame:
    """Reference coefficient tables -> ``model, term, estimate, std_error, statistic, p_value`` (+ context).

    Reads both layouts in ``yotov_agtpa/results``: the tradepolicy R tables (``chapter, section, model,
    term, estimate, std_error, stat, p_value``) and the Stata-log extract (``application, log_line,
    estimation_command, term, coef, std_err, z, p``; ``model`` is then the application name).
    """
    path = Path(path)
    require_nonempty(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise DataSourceError(f"not a readable CSV file ({exc})", file=path) from None
    cols = set(raw.columns)
    if {"model", "term", "estimate", "std_error"} <= cols:
        frame = raw.rename(columns={"stat": "statistic"})
    elif {"application", "term", "coef", "std_err"} <= cols:
        frame = raw.rename(
            columns={
                "application": "model",
                "coef": "estimate",
                "std_err": "std_error",
                "z": "statistic",
                "p": "p_value",
            }
        )
    else:
        raise SchemaError(
            f"header {list(raw.columns)} is neither the R nor the Stata-log layout",
            file=path,
            line=1,
            field="term",
            hint="expected columns model, term, estimate, std_error (or application, term, coef, std_err)",
        )
    for col in ("estimate", "std_error", "statistic", "p_value"):
        if col not in frame.columns:
            continue
        values = pd.to_numeric(frame[col].str.strip(), errors="coerce")
        bad = (values.isna() & (frame[col].str.strip() != "")) | values.isin([np.inf, -np.inf])
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise SchemaError(f"'{frame[col].iloc[row]}' is not a number", file=path, line=row + 2, field=col)
        frame[col] = values
    return frame.reset_index(drop=True)
