"""The product-level partial equilibrium on the warehouse's trade: one product's matrix from BACI,
its elasticities (ProTEE or the defaults), the solve (``friendshore.models.pe.solve_pe``) and the
tables people read (flows, importers, suppliers, the world's totals, the solver).

Used by ``friendshore.analyses.shocks_product`` (``restriction(model="pe")`` and ``tariff``); the
rows are plain dicts, the tables Arrow, in one deterministic order whatever engine read the trade.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from friendshore.analyses.context import Context
from friendshore.errors import DataSourceError
from friendshore.models.pe import Elasticities, PESolution, elasticities_for, solve_pe
from friendshore.settings import Settings
from friendshore.sources.protee import PROTEE_FILE, read_protee

__all__ = [
    "PRODUCT_SCHEMA",
    "SCHEMAS",
    "Market",
    "Solved",
    "elasticity_notes",
    "flow_rows",
    "for_tariff",
    "importer_rows",
    "importer_totals",
    "load_elasticities",
    "markets",
    "solve_market",
    "solver_row",
    "supplier_rows",
    "table_of",
    "unknown_importer_row",
    "world_row",
]

Array = npt.NDArray[np.float64]
Row = dict[str, Any]


@dataclass(frozen=True)
class Market:
    """One product's bilateral trade of one year: ``values[i, v]`` from ``exporters[i]`` to
    ``importers[v]`` (thousand USD, BACI)."""

    year: int
    hs6: str
    exporters: tuple[str, ...]
    importers: tuple[str, ...]
    values: Array

    def mask(self, exporters: Sequence[str], importers: Sequence[str] | None = None) -> npt.NDArray[np.bool_]:
        """Pairs from ``exporters`` to ``importers`` (default: every importer outside ``exporters``)."""
        rows = np.isin(np.array(self.exporters), list(exporters))
        if importers is None:
            cols = ~np.isin(np.array(self.importers), list(exporters))
        else:
            cols = np.isin(np.array(self.importers), list(importers))
        return rows[:, None] & cols[None, :] & (self.values > 0)


@dataclass(frozen=True)
class Solved:
    """A market, the policy applied (cut shares and new tariffs) and the solution."""

    market: Market
    cut: Array
    tariff: Array
    solution: PESolution
    elasticities: Elasticities


def markets(ctx: Context, *, year: int, codes: Sequence[str]) -> tuple[dict[str, Market], list[str]]:
    """Every product's matrix from the trade that holds every country (a product without it is left
    out, with the coverage note)."""
    world, note = ctx.world_trade()
    t = world.filter(
        (world.year == year)
        & world.hs6.isin(list(codes))
        & (world.value_kusd > 0)
        & (world.exporter != world.importer)
    )
    frame = t.group_by(["hs6", "exporter", "importer"]).aggregate(value_kusd=t.value_kusd.sum()).to_pandas()
    out: dict[str, Market] = {}
    for code, part in sorted(frame.groupby("hs6"), key=lambda kv: str(kv[0])):
        wide = part.pivot_table(index="exporter", columns="importer", values="value_kusd", aggfunc="sum")
        wide = wide.sort_index().sort_index(axis=1).fillna(0.0)
        out[str(code)] = Market(
            year,
            str(code),
            tuple(str(e) for e in wide.index),
            tuple(str(i) for i in wide.columns),
            wide.to_numpy(dtype=float),
        )
    return out, [note] if note else []


def load_elasticities(
    settings: Settings,
    codes: Sequence[str],
    *,
    substitution: float | None,
    import_demand: float | None,
    export_supply: float | None,
) -> tuple[dict[str, Elasticities], list[str], list[str]]:
    """The elasticities of ``codes``, the files read, and a note when ProTEE is not there."""
    path = Path(settings.sample_data) / PROTEE_FILE
    notes: list[str] = []
    sources: list[str] = []
    protee = None
    if substitution is None:
        try:
            protee = read_protee(path)
            sources.append(
                f"{path} (CEPII ProTEE 0.1, Fontagné, Guimbard & Orefice 2022: elasticities estimated on "
                "2001-2016 tariffs and trade)"
            )
        except DataSourceError:
            notes.append(
                f"ProTEE elasticities not found at {path}: substitution elasticity {5.0:g} for every "
                "product (an assumption)"
            )
    values = elasticities_for(
        codes,
        protee,
        substitution=substitution,
        import_demand=import_demand,
        export_supply=export_supply,
    )
    return values, notes, sources


def elasticity_notes(values: dict[str, Elasticities]) -> list[str]:
    """One note per product on its elasticities and where each came from."""
    from friendshore.nomenclature.labels import short_label

    out = []
    for code, e in sorted(values.items()):
        out.append(
            f"{short_label(code)}: substitution between suppliers {e.substitution:.3g} ({e.substitution_source}), "
            f"import demand {e.import_demand:.3g} ({e.import_demand_source}), export supply "
            f"{e.export_supply:.3g} ({e.export_supply_source})"
        )
    return out


def solve_market(
    market: Market, e: Elasticities, *, cut: Array | None = None, tariff: Array | None = None
) -> Solved:
    """Solve one market with ``cut`` shares and new ``tariff`` rates (no tariff before: the
    warehouse holds no applied tariffs, so the baseline is duty-free, an assumption the notes state)."""
    shape = market.values.shape
    c = np.zeros(shape) if cut is None else cut
    t = np.zeros(shape) if tariff is None else tariff
    solution = solve_pe(
        market.values,
        sigma=e.substitution,
        eta=e.import_demand,
        epsilon=e.export_supply,
        tariff_after=t,
        cut=c,
    )
    return Solved(market, c, t, solution, e)


def _pct(after: float, before: float) -> float | None:
    return None if before == 0 or not np.isfinite(after) else 100.0 * (after / before - 1.0)


def _num(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def flow_rows(s: Solved, label: str, importers: Sequence[str] | None = None) -> list[Row]:
    """Per importer and supplier: trade before and after, change, the internal price change."""
    m, sol = s.market, s.solution
    rows = []
    for v, importer in enumerate(m.importers):
        if importers is not None and importer not in importers:
            continue
        for i, supplier in enumerate(m.exporters):
            before = float(m.values[i, v])
            if before <= 0:
                continue
            after = float(sol.value_after[i, v])
            rows.append(
                {
                    "year": m.year,
                    "hs6": m.hs6,
                    "restricting": label,
                    "importer": importer,
                    "supplier": supplier,
                    "trade_before_kusd": before,
                    "trade_after_kusd": after,
                    "change_pct": _pct(after, before),
                    "price_change_pct": _pct(float(sol.price[i, v]), 1.0),
                    "tariff_rate": float(s.tariff[i, v]),
                    "withheld_share": float(s.cut[i, v]),
                }
            )
    return rows


def importer_rows(s: Solved, label: str, importers: Sequence[str] | None = None) -> list[Row]:
    """Per importer: value at risk, filled by other suppliers (quantities at baseline prices),
    unmet, trade before and after, the price index change, consumer surplus and tariff revenue."""
    m, sol = s.market, s.solution
    rows = []
    for v, importer in enumerate(m.importers):
        if importers is not None and importer not in importers:
            continue
        col = m.values[:, v]
        before = float(col.sum())
        at_risk = float((s.cut[:, v] * col).sum())
        free = s.cut[:, v] == 0
        filled = float((col[free] * (sol.quantity[free, v] - 1.0)).sum())
        after = float(sol.value_after[:, v].sum())
        rows.append(
            {
                "year": m.year,
                "hs6": m.hs6,
                "restricting": label,
                "importer": importer,
                "import_value_kusd": before,
                "value_at_risk_kusd": at_risk,
                "filled_kusd": filled,
                "unmet_kusd": at_risk - filled,
                "unmet_share": (at_risk - filled) / before if before > 0 else None,
                "trade_before_kusd": before,
                "trade_after_kusd": after,
                "change_pct": _pct(after, before),
                "price_change_pct": _pct(float(sol.composite[v]), 1.0),
                "consumer_surplus_change_kusd": _num(float(sol.consumer_surplus[v])),
                "tariff_revenue_kusd": float(sol.tariff_revenue[v]),
            }
        )
    return rows


def supplier_rows(s: Solved, label: str) -> list[Row]:
    """Per supplier: exports before and after, the world price change, producer surplus, quota rent."""
    m, sol = s.market, s.solution
    rows = []
    for i, supplier in enumerate(m.exporters):
        before = float(m.values[i].sum())
        after = float(sol.value_after[i].sum())
        rows.append(
            {
                "year": m.year,
                "hs6": m.hs6,
                "restricting": label,
                "supplier": supplier,
                "trade_before_kusd": before,
                "trade_after_kusd": after,
                "change_pct": _pct(after, before),
                "price_change_pct": _pct(float(sol.world_price[i]), 1.0),
                "producer_surplus_change_kusd": float(sol.producer_surplus[i]),
                "quota_rent_kusd": float(sol.quota_rent[i]),
            }
        )
    return rows


def world_row(s: Solved, label: str, restricting: Sequence[str]) -> Row:
    """The world's totals of one product: value at risk, filled, unmet (the fall in the world's
    imports at baseline prices), the spending-weighted price index change over the importers that
    still have a supplier (``n_without_supplier`` have none: their price is unbounded), and the
    capacity bound."""
    m, sol = s.market, s.solution
    rows = importer_rows(s, label)
    at_risk = sum(r["value_at_risk_kusd"] for r in rows)
    filled = sum(r["filled_kusd"] for r in rows)
    spending = m.values.sum(axis=0)
    members = np.isin(np.array(m.exporters), list(restricting))
    others = float(m.values[~members].sum())
    finite = np.isfinite(sol.composite) & (spending > 0)
    price = float((spending[finite] * (sol.composite[finite] - 1.0)).sum() / spending[finite].sum()) * 100.0
    return {
        "year": m.year,
        "hs6": m.hs6,
        "restricting": label,
        "n_importers": int(sum(1 for r in rows if r["value_at_risk_kusd"] > 0)),
        "n_without_supplier": int((~np.isfinite(sol.composite) & (spending > 0)).sum()),
        "world_imports_kusd": float(m.values.sum()),
        "value_at_risk_kusd": at_risk,
        "filled_kusd": filled,
        "unmet_kusd": at_risk - filled,
        "price_change_pct": price,
        "others_exports_kusd": others,
        "unmet_if_all_redirected_kusd": max(at_risk - others, 0.0),
    }


def unknown_importer_row(year: int, hs6: str, label: str, importer: str) -> Row:
    """An importer of a product whose flows are not loaded: every number unknown (null), not zero."""
    row: Row = dict.fromkeys(SCHEMAS["importers"].names)
    row.update({"year": year, "hs6": hs6, "restricting": label, "importer": importer})
    return row


def importer_totals(rows: list[Row]) -> list[Row]:
    """Per product: the sums of the importers' rows (importer scope: a sum of single views)."""
    out: dict[tuple[int, str, str], Row] = {}
    for r in rows:
        key = (r["year"], r["hs6"], r["restricting"])
        t = out.setdefault(
            key,
            {"year": key[0], "hs6": key[1], "restricting": key[2], "n_importers": 0,
             "value_at_risk_kusd": 0.0, "filled_kusd": 0.0, "unmet_kusd": 0.0},
        )  # fmt: skip
        t["n_importers"] += 1
        for name in ("value_at_risk_kusd", "filled_kusd", "unmet_kusd"):
            t[name] += r[name]
    return list(out.values())


def solver_row(s: Solved, label: str) -> Row:
    sol, e = s.solution, s.elasticities
    return {
        "hs6": s.market.hs6,
        "restricting": label,
        "exporters": len(s.market.exporters),
        "importers": len(s.market.importers),
        "substitution": e.substitution,
        "import_demand": e.import_demand,
        "export_supply": e.export_supply,
        "evaluations": sol.iterations,
        "residual": sol.residual,
        "seconds": sol.seconds,
    }


def for_tariff(table: pa.Table) -> pa.Table:
    """A table of the tariff: the taxed exporter named as such, no restriction columns."""
    drop = {"value_at_risk_kusd", "filled_kusd", "unmet_kusd", "unmet_share", "withheld_share"}
    keep = [c for c in table.column_names if c not in drop]
    out = table.select(keep)
    return out.rename_columns(["taxed" if c == "restricting" else c for c in keep])


def table_of(rows: list[Row], schema: pa.Schema, order: Callable[[Row], Any] | None = None) -> pa.Table:
    """Rows as an Arrow table of ``schema`` (sorted by ``order`` when given)."""
    if order is not None:
        rows = sorted(rows, key=order)
    return pa.Table.from_pylist(rows, schema=schema)


def _schema(*fields: tuple[str, pa.DataType]) -> pa.Schema:
    return pa.schema(list(fields))


_S, _F, _I = pa.string(), pa.float64(), pa.int64()
SCHEMAS = {
    "flows": _schema(
        ("year", _I), ("hs6", _S), ("restricting", _S), ("importer", _S), ("supplier", _S),
        ("trade_before_kusd", _F), ("trade_after_kusd", _F), ("change_pct", _F), ("price_change_pct", _F),
        ("tariff_rate", _F), ("withheld_share", _F),
    ),
    "importers": _schema(
        ("year", _I), ("hs6", _S), ("restricting", _S), ("importer", _S), ("import_value_kusd", _F),
        ("value_at_risk_kusd", _F), ("filled_kusd", _F), ("unmet_kusd", _F), ("unmet_share", _F),
        ("trade_before_kusd", _F), ("trade_after_kusd", _F), ("change_pct", _F), ("price_change_pct", _F),
        ("consumer_surplus_change_kusd", _F), ("tariff_revenue_kusd", _F),
    ),
    "suppliers": _schema(
        ("year", _I), ("hs6", _S), ("restricting", _S), ("supplier", _S), ("trade_before_kusd", _F),
        ("trade_after_kusd", _F), ("change_pct", _F), ("price_change_pct", _F),
        ("producer_surplus_change_kusd", _F), ("quota_rent_kusd", _F),
    ),
    "world": _schema(
        ("year", _I), ("hs6", _S), ("restricting", _S), ("n_importers", _I), ("n_without_supplier", _I),
        ("world_imports_kusd", _F),
        ("value_at_risk_kusd", _F), ("filled_kusd", _F), ("unmet_kusd", _F), ("price_change_pct", _F),
        ("others_exports_kusd", _F), ("unmet_if_all_redirected_kusd", _F),
    ),
    "solver": _schema(
        ("hs6", _S), ("restricting", _S), ("exporters", _I), ("importers", _I), ("substitution", _F),
        ("import_demand", _F), ("export_supply", _F), ("evaluations", _I), ("residual", _F), ("seconds", _F),
    ),
}  # fmt: skip
PRODUCT_SCHEMA = _schema(
    ("year", _I), ("hs6", _S), ("restricting", _S), ("n_importers", _I), ("value_at_risk_kusd", _F),
    ("filled_kusd", _F), ("unmet_kusd", _F),
)  # fmt: skip
