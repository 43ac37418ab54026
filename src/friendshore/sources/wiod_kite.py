"""KITE initial conditions from WIOD 2014: a ready-to-solve multi-sector GE / input-output baseline.

The Kiel Institute's KITE model (R package ``julianhinz/KITE``, a Caliendo-Parro-type multi-sector
gravity model) ships its calibration as one R list, ``initial_conditions_WIOD_2014.rds``, built from
the WIOD 2016 release for 2014 (Timmer et al. 2015): 43 economies plus ``ROW`` (rest of the world,
kept as is: it is not an ISO3 code) and 50 sectors ``C01``..``C50`` in WIOD order (C17 = computer,
electronic and optical products). Its ten components, also available one per Parquet file:

=============================  ==================================  ===================================
component                      columns                             meaning
=============================  ==================================  ===================================
trade_share                    origin, destination, sector, value  pi_ij^k: origin i's share of
                                                                   destination j's absorption of k
                                                                   (sums to 1 over origins)
tariff                         origin, destination, sector, value  1 + ad-valorem tariff
intermediate_share             input, output, country, value       gamma^{k,l}_j: IO cost shares
expenditure                    country, sector, value              X_j^k (WIOD: million USD)
consumption_share              sector, country, value              alpha_j^k, final-demand shares
factor_share                   sector, country, value              gamma_j^k, value-added share
value_added                    country, value                      w_j L_j (million USD)
trade_balance                  country, value                      D_j, without inventory change
trade_balance_with_inventory   country, value                      D_j, with inventory change
trade_elasticity               sector, value                       1/theta^k
=============================  ==================================  ===================================

Sector names (``KITE_SECTOR_NAMES``): KITE's codes ``C01``..``C50`` follow the order of the WIOD 2016
release's 56 industries (Timmer et al. 2015); the first 22 are the goods sectors of that list, and
their names here are the WIOD industry names in that order (the sample data's MANIFEST inferred the
mapping from China's import shares: C06 textiles, C17 computer, electronic and optical products,
C18 electrical equipment). The remaining 28 codes (trade elasticity 4.96, the services value) are
services and utilities whose one-to-one mapping to WIOD's was not verified: they are named
``services and utilities (C23..C50)`` until it is.

``read_kite`` reads either form and checks every component: columns, codes, finite values, and
that trade shares sum to 1 over origins for every destination and sector (within ``SHARE_TOL``).
"""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from friendshore.errors import DataSourceError, SchemaError
from friendshore.sources.checks import first_duplicate, first_false, require_columns, require_nonempty

__all__ = [
    "KITE_COMPONENTS",
    "KITE_RELEASE",
    "KITE_SECTOR_NAMES",
    "SHARE_TOL",
    "kite_files",
    "kite_release",
    "read_kite",
]

#: Release label: the WIOD year the calibration is built on.
KITE_RELEASE = "WIOD2014"
#: How far trade shares may sum from 1 per destination and sector (the file is within 2e-15).
SHARE_TOL = 1e-6

#: WIOD 2016 industry names of KITE's goods sectors C01..C22 (WIOD order; see the module docstring).
KITE_SECTOR_NAMES: dict[str, str] = {
    "C01": "crop and animal production",
    "C02": "forestry and logging",
    "C03": "fishing and aquaculture",
    "C04": "mining and quarrying",
    "C05": "food, beverages and tobacco",
    "C06": "textiles, apparel and leather",
    "C07": "wood and cork products",
    "C08": "paper products",
    "C09": "printing and recorded media",
    "C10": "coke and refined petroleum",
    "C11": "chemicals",
    "C12": "pharmaceuticals",
    "C13": "rubber and plastics",
    "C14": "other non-metallic minerals",
    "C15": "basic metals",
    "C16": "fabricated metal products",
    "C17": "computer, electronic and optical products",
    "C18": "electrical equipment",
    "C19": "machinery and equipment n.e.c.",
    "C20": "motor vehicles",
    "C21": "other transport equipment",
    "C22": "furniture and other manufacturing",
}

#: Component -> its key columns (all text), in the order KITE writes them; every one has ``value``.
KITE_COMPONENTS: dict[str, tuple[str, ...]] = {
    "trade_share": ("origin", "destination", "sector"),
    "tariff": ("origin", "destination", "sector"),
    "intermediate_share": ("input", "output", "country"),
    "expenditure": ("country", "sector"),
    "consumption_share": ("sector", "country"),
    "factor_share": ("sector", "country"),
    "value_added": ("country",),
    "trade_balance": ("country",),
    "trade_balance_with_inventory": ("country",),
    "trade_elasticity": ("sector",),
}
_CODE = {
    "origin": r"^[A-Z]{3}$",
    "destination": r"^[A-Z]{3}$",
    "country": r"^[A-Z]{3}$",
    "sector": r"^C\d{2}$",
    "input": r"^C\d{2}$",
    "output": r"^C\d{2}$",
}
_NONNEGATIVE = {"trade_share", "tariff", "intermediate_share", "expenditure", "consumption_share"}
_NONNEGATIVE |= {"factor_share", "trade_elasticity"}
_RDS_RE = re.compile(r"WIOD_?(\d{4})", re.I)


def kite_files(path: Path) -> list[Path]:
    """The files ``read_kite`` reads from ``path``: the ten Parquet files of a folder, else its .rds."""
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise DataSourceError("not found", file=path, hint="give the KITE folder or its .rds file")
    parquet = [path / f"{name}.parquet" for name in KITE_COMPONENTS]
    if all(p.exists() for p in parquet):
        return parquet
    rds = sorted(path.glob("*.rds"))
    if len(rds) == 1:
        return rds
    missing = [p.name for p in parquet if not p.exists()]
    raise DataSourceError(
        f"no KITE initial conditions here: {missing} missing and {len(rds)} .rds files",
        file=path,
        hint="give a folder with the ten <component>.parquet files, or the initial_conditions_*.rds file",
    )


def _read_rds(path: Path) -> dict[str, pa.Table]:
    import rdata

    require_nonempty(path)
    try:
        with warnings.catch_warnings():
            # rdata has no constructor for R's data.table class and falls back to data.frame.
            warnings.simplefilter("ignore", UserWarning)
            content = rdata.read_rds(path)
    except Exception as exc:  # rdata raises many types on a corrupt file
        raise DataSourceError(
            f"not a readable R .rds file ({type(exc).__name__}: {exc})",
            file=path,
            hint="download the file again",
        ) from None
    if not isinstance(content, dict):
        raise SchemaError(
            f"holds a {type(content).__name__}, not the list of KITE initial conditions", file=path
        )
    out: dict[str, pa.Table] = {}
    for name in KITE_COMPONENTS:
        if name not in content:
            raise SchemaError(
                f"the list has no '{name}' (it has {sorted(content)})",
                file=path,
                hint="is this a KITE initial_conditions_*.rds file?",
            )
        out[name] = pa.Table.from_pandas(content[name], preserve_index=False)
    return out


def _read_parquet(files: list[Path]) -> dict[str, pa.Table]:
    out: dict[str, pa.Table] = {}
    for path in files:
        require_nonempty(path)
        try:
            out[path.stem] = pq.read_table(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise DataSourceError(f"not a readable Parquet file ({exc})", file=path) from None
    return out


def _check(name: str, table: pa.Table, file: Path) -> pa.Table:
    """Keys as text matching their code pattern, ``value`` as finite float64; rows are 1-based."""
    keys = KITE_COMPONENTS[name]
    require_columns(table.column_names, [*keys, "value"], file=file, hint=f"KITE component '{name}'")
    if table.num_rows == 0:
        raise SchemaError(f"component '{name}' has no rows", file=file)
    cols: dict[str, pa.Array | pa.ChunkedArray] = {}
    for key in keys:
        text = pc.cast(table.column(key), pa.string())
        bad = first_false(pc.match_substring_regex(text, _CODE[key]))
        if bad is not None:
            raise SchemaError(
                f"component '{name}', row {bad + 1}: '{text[bad].as_py()}' does not look like "
                f"a {key} code ({_CODE[key]})",
                file=file,
                field=key,
            )
        cols[key] = text
    try:
        value = pc.cast(table.column("value"), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise SchemaError(
            f"component '{name}': value is {table.schema.field('value').type}, not a number",
            file=file,
            field="value",
        ) from None
    ok = pc.is_finite(value)
    if name in _NONNEGATIVE:
        ok = pc.and_kleene(ok, pc.greater_equal(value, 0))
    bad = first_false(ok)
    if bad is not None:
        raise SchemaError(
            f"component '{name}', row {bad + 1}: value {value[bad].as_py()} is "
            + ("missing, infinite or negative" if name in _NONNEGATIVE else "missing or infinite"),
            file=file,
            field="value",
        )
    cols["value"] = value
    out = pa.table(cols)
    dup = first_duplicate(
        out.append_column("row", pa.array(range(1, out.num_rows + 1), pa.int64())),
        list(keys),
        line_column="row",
    )
    if dup is not None:
        shown = ", ".join(f"{k}={dup[k]}" for k in keys)
        raise SchemaError(
            f"component '{name}', row {dup['line']}: {shown} appears {dup['count']} times",
            file=file,
            field=keys[0],
            hint="each key may appear once per component",
        )
    return out


def _check_shares(shares: pa.Table, file: Path) -> None:
    sums = shares.group_by(["destination", "sector"]).aggregate([("value", "sum")])
    gap = pc.abs(pc.subtract(sums.column("value_sum"), 1.0))
    worst = pc.max(gap).as_py()
    if worst is None or not math.isfinite(worst) or worst > SHARE_TOL:
        at = sums.slice(int(pc.index(gap, worst).as_py()) if worst is not None else 0, 1).to_pylist()[0]
        raise SchemaError(
            f"trade shares of destination {at['destination']}, sector {at['sector']} sum to "
            f"{at['value_sum']}, not 1",
            file=file,
            field="value",
            hint="trade_share must hold each origin's share of the destination's absorption",
        )


def read_kite(path: Path) -> dict[str, pa.Table]:
    """KITE initial conditions (folder of Parquet files, or the .rds) -> checked tables by component."""
    path = Path(path)
    files = kite_files(path)
    raw = _read_rds(files[0]) if files[0].suffix.lower() == ".rds" else _read_parquet(files)
    by_name = {p.stem: p for p in files}
    out = {name: _check(name, raw[name], by_name.get(name, files[0])) for name in KITE_COMPONENTS}
    _check_shares(out["trade_share"], by_name.get("trade_share", files[0]))
    return out


def kite_release(path: Path) -> str:
    """``WIOD<year>`` from an .rds name such as ``initial_conditions_WIOD_2014.rds``, else ``KITE_RELEASE``."""
    m = _RDS_RE.search(Path(path).name)
    return f"WIOD{m[1]}" if m else KITE_RELEASE
