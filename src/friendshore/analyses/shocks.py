"""What does an export restriction, a tariff or decoupling do: directly, and through supply chains?

Two depths (methods: docs/methods/shocks.md):

* ``restriction`` and ``tariff`` -- product level (``friendshore.analyses.shocks_product``, re-exported
  here): an export restriction first order or in the partial equilibrium, for one importer at a
  time or for the world at once; a tariff in the partial equilibrium (BACI trade, ProTEE elasticities);
* ``simulate`` -- general equilibrium with input-output links: a scenario file of tariff, export
  tax, trade-cost or decoupling changes solved in the Caliendo & Parro (2015) model on the paper's
  NAFTA data (``cp2015``) or KITE's WIOD-2014 baseline (``wiod-kite``, from the warehouse):
  welfare, real wages, sectoral output and prices, bilateral sectoral trade (diversion).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pyarrow as pa

from friendshore.analyses.columns import describe
from friendshore.analyses.context import Context, open_context
from friendshore.analyses.result import Column, Result
from friendshore.analyses.shocks_product import (
    RestrictionModel,
    RestrictionOutput,
    Scope,
    TariffOutput,
    restriction,
    tariff,
)
from friendshore.errors import NotLoadedError, UnknownCodeError, UserError
from friendshore.settings import Settings

if TYPE_CHECKING:
    import pandas as pd

    from friendshore.models.multisector import Change, MultiSectorBaseline
    from friendshore.models.multisector.scenario import ChangeSpec, Scenario

__all__ = [
    "RestrictionModel",
    "RestrictionOutput",
    "Scope",
    "SimulationOutput",
    "TariffOutput",
    "restriction",
    "simulate",
    "tariff",
]

SimulationOutput = Literal["countries", "sectors", "trade", "diversion", "diagnostics", "history"]

#: Calibrated baselines kept in this process: (source, identity, deficits, solver settings) -> baseline.
_CACHE: dict[tuple[Any, ...], MultiSectorBaseline] = {}
_CACHE_SIZE = 4

_SIM_COLUMNS = (
    Column("welfare_pct", "welfare (CP decomposition, %)", "pct", True),
    Column("tot_pct", "terms of trade (%)", "pct", True),
    Column("vot_pct", "volume of trade (%)", "pct", True),
    Column("technology_pct", "trade costs (%)", "pct", False),
    Column("real_income_pct", "welfare: real income (%)", "pct", True),
    Column("real_wage_pct", "real wage (%)", "pct", True),
    Column("wage_change_pct", "nominal wage (%)", "pct", False),
    Column("consumer_price_change_pct", "consumer prices (%)", "pct", False),
    Column("exports_change_pct", "exports (%)", "pct", True),
    Column("imports_change_pct", "imports (%)", "pct", True),
    Column("income_baseline", "income (baseline)", "number", False),
    Column("sector", "sector", "code", True),
    Column("sector_name", "sector name", "text", True),
    Column("output_baseline", "gross output (baseline)", "number", False),
    Column("output_change_pct", "gross output (%)", "pct", True),
    Column("price_change_pct", "price index (%)", "pct", True),
    Column("input_cost_change_pct", "input cost (%)", "pct", False),
    Column("exports_baseline", "exports (baseline)", "number", False),
    Column("trade_baseline", "trade (baseline)", "number", True),
    Column("trade_counterfactual", "trade (counterfactual)", "number", True),
    Column("trade_change", "trade change", "number", True),
    Column("trade_change_pct", "trade change (%)", "pct", True),
    Column("stage", "stage", "text", True),
    Column("method", "method", "text", True),
    Column("iteration", "iteration", "count", True),
    Column("iterations", "iterations", "count", True),
    Column("residual", "residual", "number", True),
    Column("tolerance", "tolerance", "number", True),
    Column("converged", "converged", "flag", True),
    Column("seconds", "seconds", "number", True),
    Column("wage_gap", "largest labour-market gap", "number", True),
    Column("damping", "damping", "number", True),
    Column("price_iterations", "price iterations", "count", False),
    Column("expenditure_iterations", "spending iterations", "count", False),
)

_UNITS = {"usd": "US dollars", "musd": "million US dollars"}


def _table(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)


# -- baselines -----------------------------------------------------------------------------------


def _kite_from_warehouse(ctx: Context) -> tuple[dict[str, pa.Table], str]:
    """The warehouse's ``mrio_*`` tables reshaped to KITE's components (``read_kite``'s form)."""
    try:
        trade = ctx.table("mrio_trade_share")
    except NotLoadedError:
        raise NotLoadedError(
            "the WIOD-2014 baseline is not loaded: run 'friendshore ingest wiod-kite FOLDER' "
            "(or 'friendshore ingest sample')"
        ) from None
    releases = sorted(set(trade.select("release").distinct().to_pyarrow().column("release").to_pylist()))
    if len(releases) != 1:
        raise UserError(f"the warehouse holds {len(releases)} KITE releases ({releases}); keep one")
    release = releases[0]

    def part(name: str, columns: list[str], renames: dict[str, str] | None = None) -> pa.Table:
        table = ctx.table(name)
        table = table.filter(table.release == release).select(*columns).to_pyarrow()
        return table.rename_columns([(renames or {}).get(c, c) for c in columns])

    def stacked(name: str, variable: str, columns: list[str]) -> pa.Table:
        table = ctx.table(name)
        table = table.filter((table.release == release) & (table.variable == variable))
        return table.select(*columns).to_pyarrow()

    tables = {
        "trade_share": part("mrio_trade_share", ["origin", "destination", "sector", "value"]),
        "tariff": part("mrio_tariff", ["origin", "destination", "sector", "value"]),
        "intermediate_share": part(
            "mrio_io_share",
            ["input_sector", "output_sector", "country", "value"],
            {"input_sector": "input", "output_sector": "output"},
        ),
    }
    for variable in ("expenditure", "consumption_share", "factor_share"):
        tables[variable] = stacked("mrio_country_sector", variable, ["country", "sector", "value"])
    for variable in ("value_added", "trade_balance"):
        tables[variable] = stacked("mrio_country", variable, ["country", "value"])
    tables["trade_elasticity"] = stacked("mrio_sector", "trade_elasticity", ["sector", "value"])
    return tables, release


def _baseline(
    settings: Settings, spec: Scenario, scenario_path: Path, ctx: Context | None
) -> tuple[MultiSectorBaseline, list[str]]:
    """The calibrated baseline of a scenario (cached in-process) and the files read directly."""
    from friendshore.models.multisector import baseline_from_caliendo_parro, baseline_from_kite, calibrate
    from friendshore.sources.caliendo_parro import read_caliendo_parro
    from friendshore.sources.user_files import resolve_user_path
    from friendshore.sources.wiod_kite import kite_files, read_kite

    source = spec.baseline.source
    sources: list[str] = []
    if source == "cp2015":
        folder = Path(settings.sample_data) / "caliendo_parro_2015"
        identity: tuple[Any, ...] = (str(folder.resolve()),)
        sources.append(f"{folder} (Caliendo & Parro 2015 replication data)")
    elif source == "kite-files":
        folder = resolve_user_path(
            str(spec.baseline.path),
            base=scenario_path.resolve().parent,
            sample_data=settings.sample_data,
            file=scenario_path,
            field="baseline.path",
        )
        files = kite_files(folder)
        identity = tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)
        sources.append(str(folder))
    else:
        assert ctx is not None
        identity = tuple(
            (name, part.file, tuple(f.sha256 for f in part.files))
            for name in (
                "mrio_trade_share",
                "mrio_tariff",
                "mrio_io_share",
                "mrio_country_sector",
                "mrio_country",
                "mrio_sector",
            )
            for part in ctx.snapshot.manifest.partitions(name)
        )
    solver = spec.solver
    key: tuple[Any, ...] = (
        source,
        identity,
        spec.baseline.deficits,
        solver.damping,
        solver.tolerance,
        solver.max_iterations,
    )
    if source == "wiod-kite":
        assert ctx is not None
        tables, release = _kite_from_warehouse(ctx)  # recorded for provenance even when cached
        key = (*key, release)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached, sources
    if source == "cp2015":
        raw = baseline_from_caliendo_parro(read_caliendo_parro(folder))
    elif source == "kite-files":
        raw = baseline_from_kite(read_kite(folder))
    else:
        raw = baseline_from_kite(tables, release=release)
    calibrated = calibrate(
        raw,
        deficits=spec.baseline.deficits,
        damping=None if spec.baseline.deficits == "data" else solver.damping,
        tol=solver.tolerance,
        max_iter=solver.max_iterations,
    )
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = calibrated
    return calibrated, sources


# -- scenario changes ----------------------------------------------------------------------------


def _codes(
    codes: Sequence[str] | None,
    baseline: MultiSectorBaseline,
    *,
    at: date,
    settings: Settings,
    notes: list[str],
) -> tuple[str, ...] | None:
    """Country codes or group names -> the baseline's economies (group members outside it dropped)."""
    from friendshore.nomenclature.groups import load_groups, resolve

    if codes is None:
        return None
    out: list[str] = []
    groups = load_groups(settings.home)
    for code in codes:
        text = code.strip()
        if text.upper() in baseline.countries:
            out.append(text.upper())
            continue
        if text.lower() not in groups:
            baseline.index(text.upper())  # raises, naming the baseline's economies
        members = resolve(text, at, home=settings.home)
        inside = [m for m in members if m in baseline.countries]
        outside = sorted(set(members) - set(inside))
        if not inside:
            raise UnknownCodeError(
                f"no member of '{text}' on {at.isoformat()} is an economy of the {baseline.source} baseline"
            )
        if outside:
            notes.append(
                f"{text} on {at.isoformat()}: {', '.join(inside)} (not in the {baseline.source} baseline, "
                f"so not modelled separately: {', '.join(outside)})"
            )
        out.extend(inside)
    return tuple(dict.fromkeys(out))


def _sectors(codes: Sequence[str] | None, baseline: MultiSectorBaseline) -> tuple[str, ...] | None:
    if codes is None:
        return None
    for code in codes:
        baseline.sector_index(code)
    return tuple(codes)


def _changes(
    spec: Scenario, baseline: MultiSectorBaseline, settings: Settings, notes: list[str], path: Path
) -> tuple[list[Change], list[dict[str, Any]]]:
    at = spec.members_at or date.today()
    changes: list[Change] = []
    described: list[dict[str, Any]] = []

    def who(codes: Sequence[str] | None) -> tuple[str, ...] | None:
        return _codes(codes, baseline, at=at, settings=settings, notes=notes)

    for number, item in enumerate(spec.changes):
        try:
            change = _change(item, who, _sectors(item.sectors, baseline))
        except (UnknownCodeError, UserError) as exc:  # say where in the scenario file
            raise type(exc)(f"{path}: field 'changes.{number}': {exc}") from None
        changes.append(change)
        described.append({"kind": item.kind, **{k: v for k, v in change.__dict__.items() if v is not None}})
    return changes, described


def _change(item: ChangeSpec, who: Any, sectors: tuple[str, ...] | None) -> Change:
    from friendshore.models.multisector import Decouple, ExportTax, Tariff, TradeCost

    if item.kind == "decouple":
        return Decouple(who(item.group_a), who(item.group_b), item.cost or 0.0, item.prohibitive, sectors)
    selection = {
        "exporters": who(item.exporters),
        "importers": who(item.importers),
        "sectors": sectors,
        "symmetric": item.symmetric,
    }
    if item.kind == "tariff":
        return Tariff(rate=item.rate, add=item.add, scale=item.scale, to=item.to, **selection)
    if item.kind == "export_tax":
        assert item.rate is not None
        return ExportTax(rate=item.rate, **selection)
    return TradeCost(
        factor=item.factor if item.factor is not None else 1.0, prohibitive=item.prohibitive, **selection
    )


# -- simulate ------------------------------------------------------------------------------------


def simulate(
    settings: Settings,
    *,
    scenario: Path,
    output: SimulationOutput = "countries",
    importer: str | None = None,
    exporter: str | None = None,
    sector: str | None = None,
) -> Result:
    """Solve a multi-sector scenario file in general equilibrium (Caliendo & Parro 2015).

    ``output``: ``countries`` (welfare, real wage, trade), ``sectors`` (output and prices by country
    and sector), ``trade`` (bilateral sectoral trade), ``diversion`` (the change in sales to
    ``importer`` and/or from ``exporter``, in ``sector``; defaults from the scenario's
    ``[report]``), ``diagnostics`` (solver stages) or ``history`` (every iteration). Every table
    is also in ``Result.tables``.

    Parameters
    ----------
    scenario
        Scenario file (TOML): [baseline], [solver], [report], [[changes]].
    output
        countries, sectors, trade, diversion (into --importer / from --exporter, in --sector), diagnostics or
        history (solver).
    importer
        For diversion: the importer (default: the scenario's [report]).
    exporter
        For diversion: the exporter (default: the scenario's [report]).
    sector
        For diversion: the sector, e.g. C17 (default: all sectors).
    """
    from friendshore.models.multisector import simulate as solve
    from friendshore.models.multisector.scenario import load_scenario

    path = Path(scenario)
    spec = load_scenario(path)
    ctx = open_context(settings) if spec.baseline.source == "wiod-kite" else None
    baseline, sources = _baseline(settings, spec, path, ctx)
    notes: list[str] = []
    changes, described = _changes(spec, baseline, settings, notes, path)
    sim = solve(
        baseline,
        changes,
        damping=spec.solver.damping,
        tol=spec.solver.tolerance,
        max_iter=spec.solver.max_iterations,
    )
    report = spec.report
    importer = importer or report.importer
    exporter = exporter or report.exporter
    sector = sector or report.sector
    for code in (importer, exporter):
        if code is not None:
            baseline.index(code)
    if sector is not None:
        baseline.sector_index(sector)
    countries = sim.countries
    if report.countries:
        wanted = [c.upper() for c in report.countries]
        for code in wanted:
            baseline.index(code)
        countries = countries.set_index("country").loc[wanted].reset_index()
    tables = {
        "countries": _table(countries),
        "all_countries": _table(sim.countries),
        "sectors": _table(sim.sectors),
        "trade": _table(sim.trade),
        "diagnostics": _table(sim.diagnostics),
        "history": _table(sim.history),
    }
    if importer is not None or exporter is not None:
        tables["diversion"] = _table(sim.diversion(importer=importer, exporter=exporter, sector=sector))
    elif output == "diversion":
        raise UserError("the diversion table needs an importer or an exporter (e.g. --importer USA)")
    table = tables[output]
    unit = _UNITS.get(baseline.unit, baseline.unit)
    calibration = baseline.meta.get("calibration", {})
    notes += [
        f"Caliendo & Parro (2015) model in changes, {len(baseline.countries)} economies x "
        f"{len(baseline.sectors)} sectors ({baseline.source}, {baseline.meta.get('year')}); solved in "
        f"{sim.meta['iterations']} iterations (largest labour-market gap {sim.meta['residual']:.2g}, "
        f"damping {spec.solver.damping:g}; time of each stage in the diagnostics table)",
        f"baseline calibrated with deficits '{spec.baseline.deficits}': value added moved by up to "
        f"{calibration.get('largest_value_added_change_pct', 0.0):.2f} %, trade shares by up to "
        f"{calibration.get('largest_trade_share_change', 0.0):.3g}",
        "changes are percent changes from the baseline; values in " + unit,
    ]
    if sim.meta["prohibitive"]:
        notes.append(
            "a prohibitive cost stops flows entirely: CP's first-order welfare decomposition is "
            "undefined, so welfare is the exact change in real income (real_income_pct)"
        )
    else:
        notes.append(
            "welfare_pct is CP's first-order decomposition (terms of trade + volume of trade + trade "
            "costs) as the paper reports it; real_income_pct is the model's exact real-income change"
        )
    title = spec.name or path.name
    if output == "diversion":
        what = " and ".join(
            x for x in (f"into {importer}" if importer else "", f"from {exporter}" if exporter else "") if x
        )
        title = f"{title}: trade {what}" + (f", sector {sector}" if sector else "")
    parameters = {
        "scenario": str(path),
        "name": spec.name,
        "output": output,
        "importer": importer,
        "exporter": exporter,
        "sector": sector,
        "baseline": {
            "source": baseline.source,
            "deficits": spec.baseline.deficits,
            "year": baseline.meta.get("year"),
        },
        "members_at": (spec.members_at or date.today()).isoformat(),
        "solver": spec.solver.model_dump(),
        "changes": described,
    }
    key = {
        "countries": ["country", "welfare_pct", "tot_pct", "vot_pct", "real_income_pct", "real_wage_pct",
                      "exports_change_pct", "imports_change_pct"],
        "all_countries": ["country"],
        "sectors": ["country", "sector", "sector_name", "output_change_pct", "price_change_pct", "exports_change_pct"],
        "trade": ["importer", "exporter", "sector", "trade_baseline", "trade_counterfactual", "trade_change_pct"],
        "diversion": ["importer", "exporter", "sector", "trade_baseline", "trade_counterfactual", "trade_change",
                      "trade_change_pct"],
        "diagnostics": ["stage", "method", "iterations", "residual", "tolerance", "converged", "seconds"],
        "history": ["stage", "iteration", "wage_gap", "damping"],
    }[output]  # fmt: skip
    return Result(
        "simulate",
        title,
        table,
        parameters,
        ctx.provenance() if ctx is not None else (),
        tuple(notes),
        describe(table, key=key, extra=_SIM_COLUMNS),
        tables=tables,
        sources=tuple(sources),
    )
