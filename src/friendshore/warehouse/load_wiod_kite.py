"""Loader: KITE initial conditions (WIOD 2014) -> the ``mrio_*`` tables."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from friendshore.sources.wiod_kite import kite_files, kite_release, read_kite
from friendshore.warehouse.loading import Loaded, SourceLoader

__all__ = ["LOADER", "SOURCE"]

SOURCE = "wiod-kite"

#: ``mrio_*`` table -> the KITE components it stacks (with a ``variable`` column when several).
_STACKED = {
    "mrio_country_sector": ("expenditure", "consumption_share", "factor_share"),
    "mrio_country": ("value_added", "trade_balance", "trade_balance_with_inventory"),
    "mrio_sector": ("trade_elasticity",),
}


def _with_key(table: pa.Table, release: str) -> pa.Table:
    n = table.num_rows
    table = table.append_column("source", pa.array([SOURCE] * n, pa.string()))
    return table.append_column("release", pa.array([release] * n, pa.string()))


def _load(path: Path) -> list[Loaded]:
    files = kite_files(path)
    # The release is in the .rds name (initial_conditions_WIOD_2014.rds) or the folder's name.
    release = kite_release(files[0] if files[0].suffix.lower() == ".rds" else Path(path))
    parts = read_kite(path)
    key = {"source": SOURCE, "release": release}
    io = parts["intermediate_share"].rename_columns(["input_sector", "output_sector", "country", "value"])
    out = [
        Loaded("mrio_trade_share", key, _with_key(parts["trade_share"], release)),
        Loaded("mrio_tariff", key, _with_key(parts["tariff"], release)),
        Loaded("mrio_io_share", key, _with_key(io, release)),
    ]
    for table, components in _STACKED.items():
        stacked = []
        for name in components:
            part = parts[name].select(
                [c for c in ("country", "sector", "value") if c in parts[name].column_names]
            )
            stacked.append(part.append_column("variable", pa.array([name] * part.num_rows, pa.string())))
        out.append(Loaded(table, key, _with_key(pa.concat_tables(stacked), release)))
    return out


LOADER = SourceLoader(
    name="wiod-kite",
    description="KITE multi-sector GE baseline from WIOD 2014 (44 economies x 50 sectors)",
    expects="the folder of KITE's <component>.parquet files, or initial_conditions_WIOD_2014.rds",
    load=_load,
    sample=("kite_wiod2014_initial_conditions",),
    inputs=kite_files,
)
