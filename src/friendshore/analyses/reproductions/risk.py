"""Reproductions for the critical-material supply-risk method (``friendshore.metrics.supply_risk``).

* ``crm-main-suppliers``: the share of the "major global supplier" of each material in the EU's 2023
  criticality assessment against that country's share in our global-supply term, averaged over the
  years the EU figure covers (our understanding: 2016-2020), for the materials and stages the
  catalogue covers with data in those years (gallium has only a 2024 series here and is left out).
* ``mineral-production-shares``: leading producers' shares of world production as USGS and BGS
  publish them, through the same global-supply code path.

Both load the USGS and BGS sample files into a temporary warehouse, so they do not depend on what
the user's warehouse holds.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import ibis.expr.types as ir

from friendshore.analyses.reproductions.compare import Check, compare, published_values
from friendshore.metrics.supply_risk import global_supply
from friendshore.settings import Settings, load_settings
from friendshore.warehouse import connect
from friendshore.warehouse.ingest import ingest_source

__all__ = ["crm_main_suppliers", "mineral_production_shares"]


@contextmanager
def _production(settings: Settings) -> Iterator[ir.Table]:
    """``mineral_production`` of the USGS and BGS sample files, in a temporary warehouse."""
    sample = Path(settings.sample_data)
    with tempfile.TemporaryDirectory() as tmp:
        ingest_source(Path(tmp), "usgs-mcs", sample / "usgs_mcs2026_subset")
        ingest_source(
            Path(tmp), "bgs", sample / "bgs_world_mineral_statistics" / "bgs_wms_production_1970_2021.csv.gz"
        )
        con = connect(load_settings(home=tmp, sample_data=sample))
        yield con.table("mineral_production")


def _shares(production: ir.Table, material: str, stage: str, year: int) -> dict[str, object]:
    """Country -> share, plus the series used (``_source``, ``_commodity``, ``_year``)."""
    rows = global_supply(production, year=year, material=[material], stage=stage).to_pyarrow().to_pylist()  # type: ignore[arg-type]
    out: dict[str, object] = {str(r["country"]): r["share"] for r in rows if r["share"] is not None}
    if rows:
        out["_source"] = rows[0]["production_source"]
        out["_commodity"] = rows[0]["production_commodity"]
        out["_year"] = rows[0]["production_year"]
    return out


def _top(shares: dict[str, object]) -> tuple[str | None, float]:
    """The top producer by the one rule of ``metrics.rules.top_of`` (a tie to the later ISO3)."""
    from friendshore.metrics.rules import top_of

    countries = {k: float(v) for k, v in shares.items() if not k.startswith("_")}  # type: ignore[arg-type]
    return top_of(countries) or (None, float("nan"))


def _run(settings: Settings, body: Callable[[ir.Table], list[Check]]) -> list[Check]:
    with _production(settings) as production:
        return body(production)


def crm_main_suppliers(settings: Settings) -> list[Check]:
    def body(production: ir.Table) -> list[Check]:
        ours: dict[str, float] = {}
        notes: dict[str, str] = {}
        for p in published_values("crm-main-suppliers"):
            years = range(int(p.keys["first_year"]), int(p.keys["last_year"]) + 1)
            yearly = [_shares(production, p.keys["material"], p.keys["stage"], y) for y in years]
            values = [s.get(p.keys["iso3"]) for s in yearly if s.get("_year") in years]
            if len(values) == len(years) and all(isinstance(v, float) for v in values):
                ours[p.quantity] = round(sum(values) / len(values), 6)  # type: ignore[arg-type]
                notes[p.quantity] = f"ours: mean of {years[0]}-{years[-1]} from {yearly[-1].get('_source')}"
        return compare("crm-main-suppliers", ours, note=notes)

    return _run(settings, body)


def mineral_production_shares(settings: Settings) -> list[Check]:
    def body(production: ir.Table) -> list[Check]:
        ours: dict[str, float] = {}
        notes: dict[str, str] = {}
        for p in published_values("mineral-production-shares"):
            year = int(p.keys["year"])
            shares = _shares(production, p.keys["material"], p.keys["stage"], year)
            value = shares.get(p.keys["iso3"])
            if isinstance(value, float) and shares.get("_year") == year:
                ours[p.quantity] = round(value, 6)
            notes[p.quantity] = f"ours from {shares.get('_source')} '{shares.get('_commodity')}'"
        return compare("mineral-production-shares", ours, note=notes)

    return _run(settings, body)
