"""Capabilities from trade: RCA, world market shares, diversity and ubiquity, ECI and PCI (method
of reflections, eigenvector form), proximity, density and complexity outlook.

Definitions, sign and scale conventions and sources: docs/methods/partners.md ("Capabilities from
trade"). Relational steps are Ibis (DuckDB and Spark alike); ``complexity`` materialises the small
country x product presence matrix to numpy for ECI, PCI, COI and COG.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import ibis
import ibis.expr.types as ir
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from friendshore.errors import ConvergenceError, UserError
from friendshore.metrics.rules import in_years, years_of

__all__ = [
    "SAMPLE_NOTE",
    "Complexity",
    "PciScale",
    "calc_density",
    "calc_eci_pci",
    "calc_outlook",
    "calc_proximity",
    "complexity",
    "density",
    "diversity",
    "exact_sum",
    "exports",
    "market_shares",
    "proximity",
    "revealed_advantage",
    "ubiquity",
]

log = logging.getLogger("friendshore.metrics.complexity")

PciScale = Literal["eci", "own"]

#: Printed with complexity output computed on a basket of a few products.
SAMPLE_NOTE = (
    "complexity is computed over the HS6 codes loaded in the warehouse; on a subset (the BACI "
    "critical-materials sample holds 31 codes) RCA is relative to that basket and ECI/PCI are a "
    "technical check, not a measure of an economy's complexity"
)

FloatArray = npt.NDArray[np.float64]


def exports(trade: ir.Table, *, year: int | Sequence[int] | None = None) -> ir.Table:
    """Exports to all destinations: ``year, country, hs6, export_kusd`` (positive values only)."""
    trade = in_years(trade, year)
    x = trade.group_by(["year", "exporter", "hs6"]).aggregate(export_kusd=exact_sum(trade.value_kusd))
    x = x.filter(x.export_kusd > 0)
    return x.select(year=x.year, country=x.exporter, hs6=x.hs6, export_kusd=x.export_kusd)


def revealed_advantage(
    trade: ir.Table, *, year: int | Sequence[int] | None = None, threshold: float = 1.0
) -> ir.Table:
    """Balassa RCA and presence for every exporter and product with positive exports.

    Returns ``year, country, hs6, export_kusd, world_share, rca, present``:
    ``world_share = x_cp / sum_c x_cp``, ``rca = (x_cp / x_c) / (x_p / x)``,
    ``present = rca >= threshold``. Pairs with no exports are absent (RCA 0, not present).
    """
    if threshold <= 0:
        raise UserError(f"the RCA threshold must be positive, got {threshold}")
    x = exports(trade, year=year)
    by_country = ibis.window(group_by=[x.year, x.country])
    by_product = ibis.window(group_by=[x.year, x.hs6])
    by_year = ibis.window(group_by=[x.year])
    fixed = x.export_kusd.cast("decimal(38, 18)")  # fixed-point sums: the same every run (exact_sum)
    x = x.mutate(
        country_kusd=fixed.sum().over(by_country).cast("float64"),
        product_kusd=fixed.sum().over(by_product).cast("float64"),
        world_kusd=fixed.sum().over(by_year).cast("float64"),
    )
    rca = (x.export_kusd / x.country_kusd) / (x.product_kusd / x.world_kusd)
    return x.select(
        "year",
        "country",
        "hs6",
        "export_kusd",
        world_share=x.export_kusd / x.product_kusd,
        rca=rca,
        present=rca >= threshold,
    )


def market_shares(trade: ir.Table, *, year: int | Sequence[int] | None = None) -> ir.Table:
    """World market shares and their change from the previous calendar year.

    Returns ``year, country, hs6, export_kusd, world_share, prev_year, share_change,
    export_growth``. ``prev_year`` is ``year - 1`` when that year is in the ``trade`` table, else
    null (and so are the changes). A country that did not export the product in the previous
    year has a previous share of 0 (``share_change`` = its share) and a null ``export_growth``.
    Pass the years to compare (``year=[2023, 2024]``), or none for all loaded years.
    """
    years = years_of(year)
    if years is not None:
        wanted = sorted(set(years) | {y - 1 for y in years})
        trade = trade.filter(trade.year.isin(wanted))
    x = exports(trade)
    x = x.mutate(world_share=x.export_kusd / x.export_kusd.sum().over(group_by=[x.year, x.hs6]))
    loaded = x.select(prev_year=x.year).distinct()
    prev = x.select(
        pyear=x.year, country=x.country, hs6=x.hs6, prev_kusd=x.export_kusd, prev_share=x.world_share
    )
    j = x.left_join(loaded, x.year - 1 == loaded.prev_year)
    j = j.left_join(prev, [j.prev_year == prev.pyear, j.country == prev.country, j.hs6 == prev.hs6])
    has_prev = j.prev_year.notnull()
    out = j.select(
        year=j.year,
        country=j.country,
        hs6=j.hs6,
        export_kusd=j.export_kusd,
        world_share=j.world_share,
        prev_year=j.prev_year,
        share_change=ibis.ifelse(has_prev, j.world_share - j.prev_share.fill_null(0.0), ibis.null("float64")),
        export_growth=ibis.ifelse(
            has_prev & (j.prev_kusd > 0), j.export_kusd / j.prev_kusd - 1.0, ibis.null("float64")
        ),
    )
    if years is not None:
        out = out.filter(out.year.isin(years))
    return out


def diversity(rca: ir.Table) -> ir.Table:
    """``year, country, diversity`` (number of products with presence) from ``revealed_advantage``."""
    return rca.group_by(["year", "country"]).aggregate(diversity=rca.present.cast("int64").sum())


def ubiquity(rca: ir.Table) -> ir.Table:
    """``year, hs6, ubiquity`` (number of countries with presence) from ``revealed_advantage``."""
    return rca.group_by(["year", "hs6"]).aggregate(ubiquity=rca.present.cast("int64").sum())


def proximity(rca: ir.Table, *, hs6: Sequence[str] | None = None) -> ir.Table:
    """Product proximity ``phi`` from a ``revealed_advantage`` table.

    Returns ``year, hs6_1, hs6_2, proximity`` for every pair of products exported with presence
    by at least one common country (the others have proximity 0), diagonal included. With
    ``hs6`` only pairs whose ``hs6_2`` is in that list are computed (what ``density`` needs).
    """
    present = rca.filter(rca.present).select("year", "country", "hs6")
    ubiq = present.group_by(["year", "hs6"]).aggregate(n=present.count())
    a = present.select(year=present.year, country=present.country, hs6_1=present.hs6)
    b = present.select(year=present.year, country=present.country, hs6_2=present.hs6)
    if hs6 is not None:
        b = b.filter(b.hs6_2.isin(list(hs6)))
    pairs = a.join(b, ["year", "country"])
    co = pairs.group_by(["year", "hs6_1", "hs6_2"]).aggregate(both=pairs.count())
    u1 = ubiq.select(year=ubiq.year, hs6_1=ubiq.hs6, u1=ubiq.n)
    u2 = ubiq.select(year=ubiq.year, hs6_2=ubiq.hs6, u2=ubiq.n)
    j = co.join(u1, ["year", "hs6_1"]).join(u2, ["year", "hs6_2"])
    larger = ibis.greatest(j.u1, j.u2).cast("float64")
    return j.select("year", "hs6_1", "hs6_2", proximity=j.both.cast("float64") / larger)


def exact_sum(
    values: ir.NumericColumn, *, decimals: int = 18, where: ir.BooleanValue | None = None
) -> ir.FloatingScalar:
    """``sum(values)`` in fixed point (``decimals`` places, 38 digits), cast back to float64.

    A parallel engine adds floats in whatever order its threads finish, so a plain ``sum`` can
    differ in the last bit from run to run; a fixed-point sum is exact, hence the same every run
    (seeded analyses must give bit-identical output). Each value is rounded to ``decimals`` first
    (values are rounded to 1e-18: far below what BACI records).
    """
    fixed = values.cast(f"decimal(38, {decimals})")
    return fixed.sum(where=where).cast("float64")


def density(rca: ir.Table, *, hs6: Sequence[str] | None = None) -> ir.Table:
    """Density ``w_cp = sum_k M_ck phi_kp / sum_k phi_kp`` for every exporter and product.

    Returns ``year, country, hs6, density`` for every country with exports and every product
    with presence somewhere (0 where the country exports nothing related), optionally only for
    the products in ``hs6``.
    """
    phi = proximity(rca, hs6=hs6)
    present = rca.filter(rca.present).select("year", "country", hs6_1=rca.hs6)
    near = present.join(phi, ["year", "hs6_1"])
    num = near.group_by(["year", "country", "hs6_2"]).aggregate(num=exact_sum(near.proximity))
    den = phi.group_by(["year", "hs6_2"]).aggregate(den=exact_sum(phi.proximity))
    countries = rca.select("year", "country").distinct()
    grid = countries.join(den, "year")
    j = grid.left_join(num, [grid.year == num.year, grid.country == num.country, grid.hs6_2 == num.hs6_2])
    return j.select(
        year=j.year,
        country=j.country,
        hs6=j.hs6_2,
        density=j.num.fill_null(0.0) / j.den,
    )


# --- numpy kernels -----------------------------------------------------------------------------


def calc_eci_pci(
    m: FloatArray, *, pci_scale: PciScale = "eci"
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """ECI and PCI of a 0/1 presence matrix ``m`` (countries x products), eigenvector method.

    Solves ``(D_p^-1/2 M' D_c^-1 M D_p^-1/2) v = lambda v`` (symmetric, the same eigenvalues as
    ``Mt = D_p^-1 M' D_c^-1 M``), takes the eigenvector of the second largest eigenvalue,
    ``kp = D_p^-1/2 v``, ``kc = D_c^-1 M kp``, sign ``s = sign(corr(diversity, kc))``, and
    returns ``(eci, pci, pci_tilde, eigenvalues)`` with ``eci = (s kc - mean) / sd(kc)``,
    ``pci = (s kp - mean(s kc)) / sd(kc)`` (``pci_scale="eci"``) or PCI standardised by its own
    moments (``"own"``), ``pci_tilde = s kp / sd(kc)`` and the eigenvalues (of the product
    matrix) in decreasing order. Rows or columns with no presence get NaN.

    With fewer countries than products (full BACI: about 230 x 5,000) the same eigenvector comes
    from the small country matrix: ``(D_c^-1/2 M D_p^-1 M' D_c^-1/2) u = lambda u`` has the same
    non-zero eigenvalues, ``kp = D_p^-1 M' D_c^-1/2 u / lambda`` is the product eigenvector (up to
    scale, which the standardisation removes) and the product matrix's other eigenvalues are 0.
    """
    m = np.asarray(m, dtype=np.float64)
    if m.ndim != 2 or m.size == 0:
        raise UserError("the presence matrix is empty: no country has a comparative advantage")
    div = m.sum(axis=1)
    ubi = m.sum(axis=0)
    rows, cols = div > 0, ubi > 0
    mv = m[rows][:, cols]
    if mv.shape[0] < 2 or mv.shape[1] < 2:
        raise UserError(
            f"ECI needs at least two countries and two products with presence, got {mv.shape[0]} "
            f"and {mv.shape[1]}"
        )
    d, u = div[rows], ubi[cols]
    by_country = mv.shape[0] < mv.shape[1]
    if by_country:  # the small side: O(countries^3), not O(products^3)
        root = 1.0 / np.sqrt(d)
        scaled = mv * root[:, None]
        sym = (scaled / u[None, :]) @ scaled.T
    else:
        root = 1.0 / np.sqrt(u)
        sym = (mv * root[None, :]).T @ (mv * root[None, :] / d[:, None])
    sym = (sym + sym.T) / 2.0
    values, vectors = np.linalg.eigh(sym)
    order = np.argsort(values)[::-1]
    values, vectors = values[order], vectors[:, order]
    if by_country:  # the product matrix has the same non-zero eigenvalues and zeros for the rest
        values = np.concatenate([values, np.zeros(mv.shape[1] - mv.shape[0])])
    if values[1] > 1.0 - 1e-9:
        parts = int(np.sum(values > 1.0 - 1e-9))
        raise ConvergenceError(
            f"ECI is not defined: the country-product network splits into {parts} disconnected "
            "parts (its second eigenvalue equals the first); analyse the parts separately or "
            "load more products"
        )
    if len(values) > 2 and values[1] - values[2] < 1e-9:
        raise ConvergenceError(
            f"ECI is not unique: the second and third eigenvalues are equal ({values[1]:.12f}); "
            "the presence matrix is too symmetric to rank countries"
        )
    # the product eigenvector: read off directly, or from the country one (kp = D_p^-1 M' kc / lambda)
    kp = (mv.T @ (vectors[:, 1] * root)) / u / values[1] if by_country else vectors[:, 1] * root
    kc = (mv @ kp) / d
    corr = float(np.corrcoef(d, kc)[0, 1]) if np.std(d) > 0 and np.std(kc) > 0 else 0.0
    if abs(corr) < 1e-9:
        # The convention cannot fix the sign (ECI uncorrelated with diversity, e.g. a symmetric
        # matrix): fall back to making the largest entry of |kp| positive, and say so.
        sign = 1.0 if kp[np.argmax(np.abs(kp))] > 0 else -1.0
        log.warning(
            "ECI is uncorrelated with diversity (r = %.1e): its sign is not fixed by the Atlas "
            "convention; the largest entry of the product eigenvector was made positive instead",
            corr,
        )
    else:
        sign = -1.0 if corr < 0 else 1.0
    kc, kp = sign * kc, sign * kp
    mean, sd = kc.mean(), kc.std()
    eci_v = (kc - mean) / sd
    if pci_scale == "eci":
        pci_v = (kp - mean) / sd
    elif pci_scale == "own":
        pci_v = (kp - kp.mean()) / kp.std()
    else:
        raise UserError(f"unknown pci_scale '{pci_scale}' (use eci or own)")
    eci = np.full(m.shape[0], np.nan)
    pci = np.full(m.shape[1], np.nan)
    tilde = np.full(m.shape[1], np.nan)
    eci[rows], pci[cols], tilde[cols] = eci_v, pci_v, kp / sd
    return eci, pci, tilde, values


def calc_proximity(m: FloatArray) -> FloatArray:
    """``phi_pp' = sum_c M_cp M_cp' / max(k_p0, k_p'0)`` (0 where a product has no presence).

    The co-occurrence counts ``M'M`` are whole numbers below 2**24, so they are computed exactly in
    single precision (twice as fast on a 5,000-product matrix) before the division in double."""
    m = np.asarray(m, dtype=np.float64)
    m32 = m.astype(np.float32)
    co = (m32.T @ m32).astype(np.float64) if m.shape[0] < 2**24 else m.T @ m
    ubi = m.sum(axis=0)
    larger = np.maximum(ubi[:, None], ubi[None, :])
    np.maximum(larger, 1.0, out=larger)  # a product with no presence co-occurs with nothing: 0 / 1
    co /= larger
    return np.asarray(co, dtype=np.float64)


def calc_density(m: FloatArray, phi: FloatArray) -> FloatArray:
    """``w_cp = sum_k M_ck phi_kp / sum_k phi_kp`` (NaN for a product related to nothing)."""
    den = phi.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray((m @ phi) / den[None, :], dtype=np.float64)


def calc_outlook(
    m: FloatArray, phi: FloatArray, dens: FloatArray, pci_tilde: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Complexity outlook index and gain (Growth Lab convention, see the module docstring).

    ``COI_c = standardise(sum_p w_cp (1 - M_cp) PCI~_p)``;
    ``COG_cp = (1 - M_cp) sum_k (1 - M_ck) phi_kp / (sum_j phi_kj) PCI~_k``.
    """
    absent = 1.0 - m
    tilde = np.nan_to_num(pci_tilde)
    raw = (np.nan_to_num(dens) * absent * tilde[None, :]).sum(axis=1)
    coi = (raw - raw.mean()) / raw.std() if raw.std() > 0 else np.zeros_like(raw)
    rowsum = phi.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(rowsum > 0, tilde / np.where(rowsum > 0, rowsum, 1.0), 0.0)
    cog = absent * (absent @ (phi * weight[:, None]))
    return np.asarray(coi, dtype=np.float64), np.asarray(cog, dtype=np.float64)


# --- the whole calculation -------------------------------------------------------------------


@dataclass(frozen=True)
class Complexity:
    """Complexity of one year: per country, per product and per country-product cell.

    ``countries``: ``country, diversity, eci, coi``; ``products``: ``hs6, ubiquity, pci``;
    ``cells``: ``country, hs6, export_kusd, rca, present, density, cog`` (every country with
    exports x every product). ``eigenvalues`` are those of the product matrix, largest first.
    """

    year: int
    countries: pa.Table
    products: pa.Table
    cells: pa.Table
    eigenvalues: tuple[float, ...]
    meta: dict[str, Any] = field(default_factory=dict)

    def to_frame(self, level: Literal["country", "product", "cell"] = "country") -> pd.DataFrame:
        """The ``countries``, ``products`` or ``cells`` table as pandas."""
        table = {"country": self.countries, "product": self.products, "cell": self.cells}[level]
        frame: pd.DataFrame = table.to_pandas()
        return frame


def complexity(
    trade: ir.Table,
    *,
    year: int,
    threshold: float = 1.0,
    pci_scale: PciScale = "eci",
) -> Complexity:
    """RCA, presence, diversity, ubiquity, ECI, PCI, density, COI and COG for ``year``.

    RCA and presence are computed by the engine (Ibis); the presence matrix is then
    materialised to numpy for the eigenvector (see the module docstring for every formula).
    """
    import pyarrow.compute as pc

    rca_t = revealed_advantage(trade, year=year, threshold=threshold)
    frame = rca_t.select("country", "hs6", "export_kusd", "rca").to_pyarrow()
    if frame.num_rows == 0:
        raise UserError(f"no exports in {year}: load that year's trade first")
    country_set = pc.unique(frame["country"]).sort()
    product_set = pc.unique(frame["hs6"]).sort()
    countries = np.array(country_set.to_pylist(), dtype=object)
    products = np.array(product_set.to_pylist(), dtype=object)
    ci = pc.index_in(frame["country"], value_set=country_set).to_numpy()
    pi = pc.index_in(frame["hs6"], value_set=product_set).to_numpy()
    x = np.zeros((len(countries), len(products)))
    r = np.zeros_like(x)
    x[ci, pi] = frame["export_kusd"].to_numpy().astype(np.float64)
    r[ci, pi] = frame["rca"].to_numpy().astype(np.float64)
    m = (r >= threshold).astype(np.float64)
    eci, pci, tilde, values = calc_eci_pci(m, pci_scale=pci_scale)
    phi = calc_proximity(m)
    dens = calc_density(m, phi)
    coi, cog = calc_outlook(m, phi, dens, tilde)
    n_c, n_p = m.shape
    cells = pa.table(
        {
            "country": np.repeat(countries, n_p).astype(str),
            "hs6": np.tile(products, n_c).astype(str),
            "export_kusd": x.ravel(),
            "rca": r.ravel(),
            "present": m.ravel().astype(bool),
            "density": dens.ravel(),
            "cog": cog.ravel(),
        }
    )
    meta = {
        "year": year,
        "threshold": threshold,
        "pci_scale": pci_scale,
        "n_countries": n_c,
        "n_products": n_p,
        "method": "eigenvector (Hidalgo & Hausmann 2009; Atlas 2014 Technical Box 2.1)",
        "note": SAMPLE_NOTE,
    }
    return Complexity(
        year=year,
        countries=pa.table(
            {
                "country": countries.astype(str),
                "diversity": m.sum(axis=1).astype(np.int64),
                "eci": eci,
                "coi": coi,
            }
        ),
        products=pa.table(
            {"hs6": products.astype(str), "ubiquity": m.sum(axis=0).astype(np.int64), "pci": pci}
        ),
        cells=cells,
        eigenvalues=tuple(float(v) for v in values),
        meta=meta,
    )
