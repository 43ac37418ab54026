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


class _Shares:
    """Country -> share per material, plus the series used (``_source``, ``_commodity``,
    ``_year``), from one global-supply query per (stage, year) for every catalogue material (each
    material's shares are computed on its own series, so asking for all at once gives the same)."""

    def __init__(self, production: ir.Table) -> None:
        self.production = production
        self.asked: dict[tuple[str, int], dict[str, dict[str, object]]] = {}

    def __call__(self, material: str, stage: str, year: int) -> dict[str, object]:
        if (stage, year) not in self.asked:
            rows = global_supply(self.production, year=year, stage=stage).to_pyarrow().to_pylist()  # type: ignore[arg-type]
            by_material: dict[str, dict[str, object]] = {}
            for r in rows:
                out = by_material.setdefault(
                    str(r["material"]),
                    {
                        "_source": r["production_source"],
                        "_commodity": r["production_commodity"],
                        "_year": r["production_year"],
                    },
                )
                if r["share"] is not None:
                    out[str(r["country"])] = r["share"]
            self.asked[(stage, year)] = by_material
        return self.asked[(stage, year)].get(material, {})


def _top(shares: dict[str, object]) -> tuple[str | None, float]:
    """The top producer by the one rule of ``metrics.rules.top_of`` (a tie to the later ISO3)."""
    from friendshore.metrics.rules import top_of

    countries = {k: float(v) for k, v in shares.items() if not k.startswith("_")}  # type: ignore[arg-type]
    return top_of(countries) or (None, float("nan"))


def _run(settings: Settings, body: Callable[[_Shares], list[Check]]) -> list[Check]:
    with _production(settings) as production:
        return body(_Shares(production))


def crm_main_suppliers(settings: Settings) -> list[Check]:
    def body(shares_of: _Shares) -> list[Check]:
        ours: dict[str, float] = {}
        notes: dict[str, str] = {}
        for p in published_values("crm-main-suppliers"):
            years = range(int(p.keys["first_year"]), int(p.keys["last_year"]) + 1)
            yearly = [shares_of(p.keys["material"], p.keys["stage"], y) for y in years]
            values = [s.get(p.keys["iso3"]) for s in yearly if s.get("_year") in years]
            if len(values) == len(years) and all(isinstance(v, float) for v in values):
                ours[p.quantity] = round(sum(values) / len(values), 6)  # type: ignore[arg-type]
                notes[p.quantity] = f"ours: mean of {years[0]}-{years[-1]} from {yearly[-1].get('_source')}"
        return compare("crm-main-suppliers", ours, note=notes)

    return _run(settings, body)


def mineral_production_shares(settings: Settings) -> list[Check]:
    def body(shares_of: _Shares) -> list[Check]:
        ours: dict[str, float] = {}
        notes: dict[str, str] = {}
        for p in published_values("mineral-production-shares"):
            year = int(p.keys["year"])
            shares = shares_of(p.keys["material"], p.keys["stage"], year)
            value = shares.get(p.keys["iso3"])
            if isinstance(value, float) and shares.get("_year") == year:
                ours[p.quantity] = round(value, 6)
            notes[p.quantity] = f"ours from {shares.get('_source')} '{shares.get('_commodity')}'"
        return compare("mineral-production-shares", ours, note=notes)

    return _run(settings, body)
