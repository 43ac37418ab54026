"""Multi-sector baselines: the data a Caliendo & Parro (2015) counterfactual starts from.

A ``MultiSectorBaseline`` holds, for ``N`` countries and ``J`` sectors (axes as in ``kernels``):
trade shares ``shares[n, i, j]``, tariffs ``tariff[n, i, j]`` (ad valorem, levied by the importer
``n``), export taxes ``export_tax[n, i, j]`` (levied by the exporter ``i``), trade elasticities
``theta[j]``, value-added shares ``va_share[n, j]``, input-output shares ``io_share[n, k, j]``,
final-demand shares ``alpha[n, j]``, value added ``value_added[n]`` (``w_n L_n``), deficits
``deficit[n]`` (imports minus exports, in the baseline's money unit) and spending
``expenditure[n, j]``.

Two builders read real data:

* ``baseline_from_caliendo_parro`` -- the paper's 1993 data (31 economies, 40 sectors): flows and
  tariffs from ``xbilat1993``/``tariffs1993``, gross output raised to exports where the data have
  exports above output, domestic sales as output minus exports, value added from ``B`` times
  output, deficits from the flows, final-demand shares as spending minus intermediate demand over
  income with negative values set to zero and renormalised -- the construction of the paper's
  replication code;
* ``baseline_from_kite`` -- KITE's WIOD-2014 initial conditions (44 economies, 50 sectors), read as
  they are (trade balance ``= exports - imports``, so ``deficit = -trade_balance``; trade
  elasticities are stored as ``1/theta``).

Neither raw dataset is an exact equilibrium of the model; ``solve.calibrate`` turns one into one
(see there) and every counterfactual starts from a calibrated baseline, so that a zero shock
reproduces the baseline exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from friendshore.errors import SchemaError, UnknownCodeError, UserError
from friendshore.models.multisector.kernels import (
    Array,
    calc_flows,
    calc_output,
    calc_tariff_revenue,
    calc_wedge,
)

__all__ = [
    "IO_SUM_TOL",
    "MultiSectorBaseline",
    "baseline_from_caliendo_parro",
    "baseline_from_kite",
]

#: How far the input-output shares of a sector may sum from 1 before a baseline refuses them; the
#: shares are then rescaled to sum to 1 exactly (CP 2015's IO.txt columns differ by up to 1e-5),
#: or the sector gets a value-added share of 1 when it buys no inputs at all.
IO_SUM_TOL = 1e-3
#: The trade elasticity CP 2015 assume for their non-tradable sectors (no trade: it plays no role).
CP_NONTRADABLE_THETA = 8.22


@dataclass(frozen=True)
class MultiSectorBaseline:
    """A multi-sector baseline (arrays as in ``kernels``; see the module docstring).

    ``equilibrium`` is true once ``calibrate`` has made the arrays an exact equilibrium of the
    model; ``meta`` says where the data came from and how the calibration moved them.
    """

    countries: tuple[str, ...]
    sectors: tuple[str, ...]
    theta: Array
    shares: Array
    tariff: Array
    export_tax: Array
    va_share: Array
    io_share: Array
    alpha: Array
    value_added: Array
    deficit: Array
    expenditure: Array
    source: str
    unit: str
    sector_names: Mapping[str, str] = field(default_factory=dict)
    equilibrium: bool = False
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n, j = len(self.countries), len(self.sectors)
        expected = {
            "theta": (j,),
            "shares": (n, n, j),
            "tariff": (n, n, j),
            "export_tax": (n, n, j),
            "va_share": (n, j),
            "io_share": (n, j, j),
            "alpha": (n, j),
            "value_added": (n,),
            "deficit": (n,),
            "expenditure": (n, j),
        }
        for name, shape in expected.items():
            value = getattr(self, name)
            if value.shape != shape:
                raise SchemaError(f"baseline array '{name}' has shape {value.shape}, expected {shape}")
            if not np.all(np.isfinite(value)):
                raise SchemaError(f"baseline array '{name}' has missing or infinite values", field=name)
        if len(set(self.countries)) != n or len(set(self.sectors)) != j:
            raise SchemaError("a country or sector code appears twice in the baseline")
        if np.any(self.theta <= 0):
            raise SchemaError("every trade elasticity must be positive", field="theta")
        if np.any(self.tariff < 0) or np.any(self.export_tax < 0):
            raise SchemaError("tariffs and export taxes must be >= 0", field="tariff")
        if np.any(self.shares < 0) or not np.allclose(self.shares.sum(axis=1), 1.0, atol=1e-9):
            raise SchemaError("trade shares must be >= 0 and sum to 1 over exporters", field="shares")
        if np.any(self.va_share <= 0) or np.any(self.va_share > 1):
            raise SchemaError("value-added shares must lie in (0, 1]", field="va_share")
        costs = self.va_share + self.io_share.sum(axis=1)
        if not np.allclose(costs, 1.0, atol=1e-9):
            raise SchemaError("value-added and input shares of a sector must sum to 1", field="io_share")
        if np.any(self.alpha < 0) or not np.allclose(self.alpha.sum(axis=1), 1.0, atol=1e-9):
            raise SchemaError("final-demand shares must be >= 0 and sum to 1", field="alpha")
        if np.any(self.value_added <= 0):
            raise SchemaError("every country needs positive value added", field="value_added")

    # -- derived quantities ----------------------------------------------------------------

    @property
    def wedge(self) -> Array:
        """``(1 + tariff)(1 + export tax)`` per flow."""
        return calc_wedge(self.tariff, self.export_tax)

    @property
    def flows(self) -> Array:
        """Imports ``M[n, i, j]`` of ``n`` from ``i`` at producer prices (before tariffs and export taxes)."""
        return calc_flows(self.shares, self.expenditure, self.wedge)

    @property
    def output(self) -> Array:
        """Gross output ``Y[i, j]`` at producer prices."""
        return calc_output(self.shares, self.wedge, self.expenditure)

    @property
    def tariff_revenue(self) -> Array:
        return calc_tariff_revenue(self.shares, self.tariff, self.wedge, self.expenditure)

    @property
    def export_tax_revenue(self) -> Array:
        return np.asarray(
            np.einsum("nij,nj->i", self.shares * self.export_tax / self.wedge, self.expenditure),
            dtype=np.float64,
        )

    @property
    def income(self) -> Array:
        """``I_n = w_n L_n + R_n + T_n + D_n``: value added, tariff and export-tax revenue, deficit."""
        return np.asarray(
            self.value_added + self.tariff_revenue + self.export_tax_revenue + self.deficit, dtype=np.float64
        )

    def index(self, code: str) -> int:
        try:
            return self.countries.index(code)
        except ValueError:
            raise UnknownCodeError(
                f"'{code}' is not an economy of the {self.source} baseline ({', '.join(self.countries)})"
            ) from None

    def sector_index(self, code: str) -> int:
        try:
            return self.sectors.index(code)
        except ValueError:
            raise UnknownCodeError(
                f"'{code}' is not a sector of the {self.source} baseline "
                f"({self.sectors[0]}..{self.sectors[-1]})"
            ) from None

    def sector_name(self, code: str) -> str:
        return self.sector_names.get(code, code)


def _normalise_costs(va_share: Array, io_intermediate: Array, where: str) -> tuple[Array, Array]:
    """Input-output shares of intermediate costs (columns summing to 1, or to 0 for a sector buying
    nothing) -> ``(va_share, io_share)`` with ``va + sum_k io = 1`` exactly."""
    sums = io_intermediate.sum(axis=1)  # [n, j]
    used = sums > 0
    off = np.abs(sums[used] - 1.0)
    if off.size and off.max() > IO_SUM_TOL:
        raise SchemaError(
            f"{where}: input-output shares of a sector sum to {sums[used][np.argmax(off)]:.6f}, not 1",
            field="io_share",
        )
    intermediate = np.where(used[:, None, :], io_intermediate / np.where(used, sums, 1.0)[:, None, :], 0.0)
    va = np.where(used, va_share, 1.0)
    return np.asarray(va, dtype=np.float64), np.asarray(
        intermediate * (1.0 - va)[:, None, :], dtype=np.float64
    )


def _raw(
    countries: tuple[str, ...], sectors: tuple[str, ...], deficit: Array, **fields: Any
) -> MultiSectorBaseline:
    """A raw baseline as both builders make it: no export taxes, and the deficits shifted by one
    amount so that they sum to zero over countries."""
    n, j = len(countries), len(sectors)
    return MultiSectorBaseline(
        countries=countries,
        sectors=sectors,
        export_tax=np.zeros((n, n, j)),
        deficit=deficit - deficit.sum() / n,
        **fields,
    )


def _shares_from_spending(spending: Array, countries: tuple[str, ...]) -> tuple[Array, Array]:
    """Spending ``[n, i, j]`` -> ``(shares, totals)``; a country-sector with no spending at all gets
    a domestic share of 1 (it buys nothing, so its price index follows its own cost)."""
    totals = spending.sum(axis=1)
    empty = totals <= 0
    shares = spending / np.where(empty, 1.0, totals)[:, None, :]
    n_idx, j_idx = np.nonzero(empty)
    shares[n_idx, :, j_idx] = 0.0
    shares[n_idx, n_idx, j_idx] = 1.0
    return shares, totals


def baseline_from_caliendo_parro(
    data: Any, *, nontradable_theta: float = CP_NONTRADABLE_THETA
) -> MultiSectorBaseline:
    """The CP 2015 baseline (1993) from ``read_caliendo_parro``'s arrays, as the paper builds it.

    Units: US dollars (the trade files' thousands are multiplied by 1,000 to match gross output).
    Returns a raw baseline (``equilibrium=False``); the NAFTA experiment of the paper calibrates it
    with zero deficits (``calibrate(..., deficits="zero")``).
    """
    from friendshore.sources.caliendo_parro import CP_COUNTRIES, CP_SECTORS, N_TRADABLE

    n, j = len(CP_COUNTRIES), len(CP_SECTORS)
    flows = np.zeros((n, n, j))
    tariff = np.zeros((n, n, j))
    flows[:, :, :N_TRADABLE] = np.transpose(data.trade_1993, (1, 2, 0)) * 1000.0
    tariff[:, :, :N_TRADABLE] = np.transpose(data.tariffs_1993, (1, 2, 0)) / 100.0
    exports = flows.sum(axis=0)  # [i, j]
    gross = np.maximum(data.gross_output.T, exports)
    idx = np.arange(n)
    flows[idx, idx, :] = gross - exports
    spending = flows * (1.0 + tariff)
    shares, expenditure = _shares_from_spending(spending, CP_COUNTRIES)
    va_share, io_share = _normalise_costs(data.va_share.T.copy(), data.io.copy(), "CP 2015 IO.txt")
    output = flows.sum(axis=0)
    value_added = (va_share * output).sum(axis=1)
    deficit = flows.sum(axis=(1, 2)) - output.sum(axis=1)
    revenue = (flows * tariff).sum(axis=(1, 2))
    income = value_added + revenue + deficit
    final = expenditure - np.einsum("njk,nk->nj", io_share, output)
    alpha = np.maximum(final / income[:, None], 0.0)
    negative = int((final < 0).sum())
    alpha = alpha / alpha.sum(axis=1, keepdims=True)
    theta = np.concatenate([np.asarray(data.theta, dtype=float), np.full(j - N_TRADABLE, nontradable_theta)])
    tariff_2005 = np.zeros((n, n, j))
    tariff_2005[:, :, :N_TRADABLE] = np.transpose(data.tariffs_2005, (1, 2, 0)) / 100.0
    return _raw(
        CP_COUNTRIES,
        tuple(code for code, _ in CP_SECTORS),
        deficit,
        theta=theta,
        shares=shares,
        tariff=tariff,
        va_share=va_share,
        io_share=io_share,
        alpha=alpha,
        value_added=value_added,
        expenditure=expenditure,
        source="cp2015",
        unit="usd",
        sector_names=dict(CP_SECTORS),
        meta={
            "year": 1993,
            "tariff_2005": tariff_2005,
            "tradable_sectors": N_TRADABLE,
            "final_demand_set_to_zero": negative,
            "citation": "Caliendo & Parro (2015), Review of Economic Studies 82(1): replication data",
        },
    )


def _array(table: pa.Table, keys: list[str], index: list[dict[str, int]], shape: tuple[int, ...]) -> Array:
    out = np.zeros(shape)
    positions = []
    for key, lookup in zip(keys, index, strict=True):
        codes = table.column(key).to_pylist()
        try:
            positions.append(np.fromiter((lookup[c] for c in codes), dtype=np.int64, count=len(codes)))
        except KeyError as exc:
            raise SchemaError(
                f"code {exc} of column '{key}' is not in the baseline's list", field=key
            ) from None
    values = table.column("value").to_numpy(zero_copy_only=False).astype(float)
    out[tuple(positions)] = values
    return out


def baseline_from_kite(tables: Mapping[str, pa.Table], *, release: str = "WIOD2014") -> MultiSectorBaseline:
    """KITE's initial conditions (``read_kite``'s tables, or the warehouse's ``mrio_*`` reshaped to
    them) -> a raw baseline in million US dollars (WIOD's unit)."""
    from friendshore.sources.wiod_kite import KITE_SECTOR_NAMES

    shares_t = tables["trade_share"]
    countries = tuple(
        sorted(set(shares_t.column("origin").to_pylist()) | set(shares_t.column("destination").to_pylist()))
    )
    sectors = tuple(sorted(set(shares_t.column("sector").to_pylist())))
    n, j = len(countries), len(sectors)
    if n < 2 or j < 1:
        raise UserError("the KITE tables hold no countries or sectors")
    ci = {c: k for k, c in enumerate(countries)}
    si = {s: k for k, s in enumerate(sectors)}
    shares = _array(shares_t, ["destination", "origin", "sector"], [ci, ci, si], (n, n, j))
    tariff = _array(tables["tariff"], ["destination", "origin", "sector"], [ci, ci, si], (n, n, j)) - 1.0
    if np.any(tariff < -1e-12):
        raise SchemaError("a KITE tariff factor is below 1 (tariff below 0)", field="tariff")
    tariff = np.maximum(tariff, 0.0)
    io = _array(tables["intermediate_share"], ["country", "input", "output"], [ci, si, si], (n, j, j))
    beta = _array(tables["factor_share"], ["country", "sector"], [ci, si], (n, j))
    alpha = _array(tables["consumption_share"], ["country", "sector"], [ci, si], (n, j))
    expenditure = _array(tables["expenditure"], ["country", "sector"], [ci, si], (n, j))
    value_added = _array(tables["value_added"], ["country"], [ci], (n,))
    balance = _array(tables["trade_balance"], ["country"], [ci], (n,))
    inverse = _array(tables["trade_elasticity"], ["sector"], [si], (j,))
    if np.any(inverse <= 0):
        raise SchemaError("a KITE trade elasticity (1/theta) is not positive", field="trade_elasticity")
    va_share, io_share = _normalise_costs(beta, io, "KITE intermediate_share")
    sums = shares.sum(axis=1)
    if not np.allclose(sums, 1.0, atol=1e-6):
        raise SchemaError("KITE trade shares do not sum to 1 over origins", field="trade_share")
    shares = shares / sums[:, None, :]
    alpha = alpha / alpha.sum(axis=1, keepdims=True)
    deficit = -balance
    return _raw(
        countries,
        sectors,
        deficit,
        theta=1.0 / inverse,
        shares=shares,
        tariff=tariff,
        va_share=va_share,
        io_share=io_share,
        alpha=alpha,
        value_added=value_added,
        expenditure=expenditure,
        source="wiod-kite",
        unit="musd",
        sector_names=dict(KITE_SECTOR_NAMES),
        meta={
            "year": 2014,
            "release": release,
            "world_deficit_gap": float(deficit.sum()),
            "citation": "KITE initial conditions from WIOD 2016 release, 2014 (Timmer et al. 2015)",
        },
    )
