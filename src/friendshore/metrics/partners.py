"""Friend-shoring candidates: who could supply a product instead of a country of concern.

Candidates are described by capacity, capability (RCA, density), governance (WGI), alignment (UNGA
ideal points) and distance (CEPII), ranked by a weighted composite (OECD/JRC Handbook) with Monte
Carlo rank intervals; ``reshoring_comparison`` sets home, coalition and others against the imports
from a country of concern. Definitions, weights and sources: docs/methods/partners.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from friendshore.deadline import check as check_deadline
from friendshore.errors import UserError
from friendshore.metrics.complexity import density as density_table
from friendshore.metrics.complexity import exact_sum, revealed_advantage
from friendshore.metrics.parameters import (
    DEFAULT_UNCERTAINTY,
    DEFAULT_WEIGHTS,
    INDICATOR_MAX_LAG,
    INDICATORS,
    NORMALISATIONS,
    Normalisation,
    Uncertainty,
    Weights,
    load_weights,
)
from friendshore.metrics.rules import governance_means, ideal_points
from friendshore.nomenclature.groups import iso3_codes

__all__ = [
    "DEFAULT_UNCERTAINTY",
    "DEFAULT_WEIGHTS",
    "INDICATORS",
    "NORMALISATIONS",
    "Normalisation",
    "PartnerCandidates",
    "Uncertainty",
    "Weights",
    "alignment_distance",
    "calc_composite",
    "calc_normalise",
    "calc_rank_uncertainty",
    "calc_ranks",
    "candidate_capacity",
    "candidate_density",
    "distance_to",
    "governance_index",
    "load_weights",
    "partner_candidates",
    "reshoring_comparison",
]

#: +1 when more is better, -1 when less is better.
_DIRECTION = np.array([1.0, 1.0, 1.0, 1.0, -1.0, -1.0])
#: The candidate-table column each indicator is computed from.
_SOURCE_COLUMN = {
    "capacity": "export_kusd",
    "rca": "rca",
    "density": "density",
    "governance": "wgi_mean",
    "alignment": "ideal_point_distance",
    "distance": "distw_km",
}

FloatArray = npt.NDArray[np.float64]


# --- Ibis: the candidates' attributes ----------------------------------------------------------


def _in(column: ir.Column, values: Sequence[str]) -> ir.BooleanValue:
    return column.isin(list(values)) if values else ibis.literal(False)


def candidate_capacity(
    trade: ir.Table,
    *,
    hs6: Sequence[str],
    year: int,
    importer: Sequence[str],
    exclude: Sequence[str] = (),
    coalition: Sequence[str] = (),
) -> ir.Table:
    """Every exporter of the product(s) outside ``importer`` and ``exclude``, with its capacity.

    Returns ``candidate, export_kusd, world_share, share_ex_concern, exports_to_importer_kusd,
    imports_from_concern_kusd, cover_ratio, rca, in_coalition`` (unordered, like every metric
    here: sort at the edge that shows it).
    ``imports_from_concern_kusd`` (the same on every row) is what ``importer`` imports of the
    product(s) from ``exclude``; ``cover_ratio = export_kusd / imports_from_concern_kusd``.
    ``rca`` is the Balassa RCA of the product set against all products loaded for the year.
    """
    codes, members = sorted(set(hs6)), sorted(set(importer))
    if not codes:
        raise UserError("no product given")
    if not members:
        raise UserError("the importer has no members")
    year_t = trade.filter(trade.year == year)
    # fixed-point sums (exact_sum): seeded rankings print the same bytes every run
    totals = year_t.group_by("exporter").aggregate(country_total=exact_sum(year_t.value_kusd))
    world_total = year_t.aggregate(world_total=exact_sum(year_t.value_kusd))
    t = year_t.filter(year_t.hs6.isin(codes))
    x = t.group_by("exporter").aggregate(
        export_kusd=exact_sum(t.value_kusd),
        to_importer=exact_sum(t.value_kusd, where=t.importer.isin(members)),
    )
    x = x.filter(x.export_kusd > 0)
    concern = _in(t.exporter, exclude)
    dependency = t.aggregate(
        group_kusd=exact_sum(t.value_kusd),
        ex_concern_kusd=exact_sum(t.value_kusd, where=~concern),
        from_concern=exact_sum(t.value_kusd, where=t.importer.isin(members) & concern),
    )
    j = x.join(totals, "exporter").cross_join(world_total).cross_join(dependency)
    j = j.filter(~j.exporter.isin(members) & ~_in(j.exporter, exclude))
    d = j.from_concern.fill_null(0.0)
    out = j.select(
        candidate=j.exporter,
        export_kusd=j.export_kusd,
        world_share=j.export_kusd / j.group_kusd,
        share_ex_concern=j.export_kusd / j.ex_concern_kusd,
        exports_to_importer_kusd=j.to_importer.fill_null(0.0),
        imports_from_concern_kusd=d,
        cover_ratio=ibis.ifelse(d > 0, j.export_kusd / d, ibis.null("float64")),
        rca=(j.export_kusd / j.country_total) / (j.group_kusd / j.world_total),
        in_coalition=_in(j.exporter, coalition),
    )
    return out


def candidate_density(trade: ir.Table, *, hs6: Sequence[str], year: int, threshold: float = 1.0) -> ir.Table:
    """Relatedness of every exporter to the product set: ``country, density``.

    Density per product as in ``complexity.density`` (proximities over all products loaded for
    the year), averaged over the set with each product's world exports as weight.
    """
    codes = sorted(set(hs6))
    rca = revealed_advantage(trade, year=year, threshold=threshold)
    dens = density_table(rca, hs6=codes)
    # fixed-point sums: the same data give bit-identical densities every run (see exact_sum)
    world = rca.filter(rca.hs6.isin(codes))
    world = world.group_by("hs6").aggregate(w=exact_sum(world.export_kusd))
    j = dens.join(world, "hs6")
    out = j.group_by("country").aggregate(num=exact_sum(j.density * j.w), den=exact_sum(j.w))
    return out.select("country", density=out.num / out.den)


def governance_index(governance: ir.Table, *, year: int, max_lag: int | None = INDICATOR_MAX_LAG) -> ir.Table:
    """``country, wgi_year, wgi_mean, wgi_n``: the mean of the WGI estimates of each country's
    latest year up to ``year``, no older than ``year - max_lag`` (``wgi_n`` = how many of the six
    indicators it averages). The rule is ``metrics.rules.governance_means``, shared with supply risk."""
    return governance_means(governance, year=year, max_lag=max_lag)


def alignment_distance(
    alignment: ir.Table, *, year: int, importer: Sequence[str], max_lag: int | None = INDICATOR_MAX_LAG
) -> ir.Table:
    """``country, un_year, ideal_point, importer_ideal_point, ideal_point_distance``.

    Ideal points of each country's latest year up to ``year``, no older than ``year - max_lag``
    (Taiwan's last ideal point is from 1971: ``metrics.rules.ideal_points``, shared with supply
    risk); ``importer_ideal_point`` is the mean over the importer's members (null when none has one,
    and so is the distance).
    """
    points = ideal_points(alignment, year=year, max_lag=max_lag)
    ref = points.filter(points.country.isin(sorted(set(importer)))).aggregate(
        importer_ideal_point=points.ideal_point.mean()
    )
    k = points.cross_join(ref)
    return k.select(
        "country",
        "un_year",
        "ideal_point",
        "importer_ideal_point",
        ideal_point_distance=(k.ideal_point - k.importer_ideal_point).abs(),
    )


def distance_to(
    geography: ir.Table,
    trade: ir.Table,
    *,
    importer: Sequence[str],
    hs6: Sequence[str],
    year: int,
) -> ir.Table:
    """``country, distw_km``: CEPII weighted distance from each origin to the importer.

    For several members: the mean of the distances to each member, weighted by the member's
    imports of ``hs6`` in ``year`` (unweighted when the members import none of it).
    """
    members = sorted(set(importer))
    g = geography.filter(geography.destination.isin(members) & geography.distw_km.notnull())
    t = trade.filter((trade.year == year) & trade.hs6.isin(sorted(set(hs6))) & trade.importer.isin(members))
    w = t.group_by("importer").aggregate(w=t.value_kusd.sum())
    j = g.left_join(w, g.destination == w.importer)
    weight = j.w.fill_null(0.0)
    out = j.group_by(j.origin).aggregate(
        sw=weight.sum(), swd=(weight * j.distw_km).sum(), md=j.distw_km.mean()
    )
    return out.select(country=out.origin, distw_km=ibis.ifelse(out.sw > 0, out.swd / out.sw, out.md))


def reshoring_comparison(
    trade: ir.Table,
    *,
    hs6: Sequence[str],
    year: int,
    importer: Sequence[str],
    concern: Sequence[str],
    coalition: Sequence[str] = (),
) -> ir.Table:
    """Reshoring versus friend-shoring per product (see the module docstring).

    Returns ``hs6, imports_from_concern_kusd, home_capacity_kusd, coalition_capacity_kusd,
    others_capacity_kusd, home_cover, coalition_cover, others_cover, home_share,
    coalition_share, others_share, uncovered_share``; ``*_cover`` = capacity / imports from the
    country of concern (null when there are none), ``*_share`` the sequential fill.
    """
    members = sorted(set(importer))
    bad = sorted(set(concern) & set(members))
    if bad:
        raise UserError(f"{', '.join(bad)} cannot be both the importer and the country of concern")
    partners = sorted(set(coalition) - set(members) - set(concern))
    t = trade.filter((trade.year == year) & trade.hs6.isin(sorted(set(hs6))))
    is_home = t.exporter.isin(members)
    is_concern = _in(t.exporter, concern)
    is_partner = _in(t.exporter, partners)
    agg = t.group_by("hs6").aggregate(
        d=t.value_kusd.sum(where=t.importer.isin(members) & is_concern),
        home=t.value_kusd.sum(where=is_home),
        partner=t.value_kusd.sum(where=is_partner),
        others=t.value_kusd.sum(where=~is_home & ~is_concern & ~is_partner),
    )
    d = agg.d.fill_null(0.0)
    home, partner, others = agg.home.fill_null(0.0), agg.partner.fill_null(0.0), agg.others.fill_null(0.0)
    h = ibis.least(home, d)
    c = ibis.least(partner, d - h)
    o = ibis.least(others, d - h - c)
    none = ibis.null("float64")

    def ratio(v: ir.NumericValue) -> ir.NumericValue:
        return ibis.ifelse(d > 0, v / d, none)

    out = agg.select(
        hs6=agg.hs6,
        imports_from_concern_kusd=d,
        home_capacity_kusd=home,
        coalition_capacity_kusd=partner,
        others_capacity_kusd=others,
        home_cover=ratio(home),
        coalition_cover=ratio(partner),
        others_cover=ratio(others),
        home_share=ratio(h),
        coalition_share=ratio(c),
        others_share=ratio(o),
        uncovered_share=ratio(d - h - c - o),
    )
    return out


# --- numpy kernels: the composite and its uncertainty -------------------------------------------


def calc_normalise(x: FloatArray, method: Normalisation) -> FloatArray:
    """Normalise each column of ``x`` (candidates x indicators) across candidates; NaN stays NaN.

    ``minmax``: ``(x - min) / (max - min)``; ``zscore``: ``(x - mean) / sd`` (``ddof=0``);
    ``rank``: ``(rank - 1) / (n - 1)``, ties averaged. A constant column becomes 0.
    """
    x = np.asarray(x, dtype=np.float64)
    out = np.full_like(x, np.nan)
    for j in range(x.shape[1]):
        col = x[:, j]
        ok = ~np.isnan(col)
        v = col[ok]
        if v.size == 0:
            continue
        spread = v.max() - v.min()
        if spread == 0:
            out[ok, j] = 0.0
        elif method == "minmax":
            out[ok, j] = (v - v.min()) / spread
        elif method == "zscore":
            sd = v.std()  # can underflow to 0 for a spread of a few subnormal numbers
            out[ok, j] = (v - v.mean()) / sd if sd > 0 else 0.0
        elif method == "rank":
            from scipy.stats import rankdata  # here: scipy.stats is slow to import (CLI start-up)

            out[ok, j] = (rankdata(v, method="average") - 1.0) / (v.size - 1)
        else:
            raise UserError(f"unknown normalisation '{method}' (known: {', '.join(NORMALISATIONS)})")
    return out


def calc_composite(
    x: FloatArray, weights: FloatArray, direction: FloatArray, method: Normalisation
) -> FloatArray:
    """``S_c = sum_j w_j N_cj / sum_j w_j`` over the indicators available for ``c``.

    ``x``: candidates x indicators (raw, already transformed); ``direction``: +1 or -1 per
    indicator (-1 flips the sign before normalising). NaN where no weighted indicator is known.
    """
    n = calc_normalise(np.asarray(x, dtype=np.float64) * direction[None, :], method)
    w = np.broadcast_to(np.asarray(weights, dtype=np.float64), n.shape)
    known = ~np.isnan(n) & (w > 0)
    num = np.where(known, w * np.nan_to_num(n), 0.0).sum(axis=1)
    den = np.where(known, w, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def calc_ranks(scores: FloatArray) -> npt.NDArray[np.int64]:
    """Ranks 1..n, highest score first; NaN scores come last.

    Scores equal to 12 decimals are ties (so that rounding noise, e.g. from weights written on
    another scale, cannot reorder candidates); ties keep the input order.
    """
    s = np.asarray(scores, dtype=np.float64)
    key = np.where(np.isnan(s), np.inf, -np.round(s, 12))
    order = np.lexsort((np.arange(s.size), key))
    ranks = np.empty(s.size, dtype=np.int64)
    ranks[order] = np.arange(1, s.size + 1)
    return ranks


def calc_rank_uncertainty(
    x: FloatArray,
    weights: FloatArray,
    direction: FloatArray,
    uncertainty: Uncertainty,
) -> npt.NDArray[np.int64]:
    """Ranks of the candidates under ``uncertainty.draws`` random weights and normalisations.

    Returns a ``draws x candidates`` array. Draw ``d`` uses ``w ~ Dirichlet(kappa * w0)`` over
    the indicators with a positive weight (``w0`` itself when ``concentration`` is None) and a
    normalisation chosen uniformly from ``uncertainty.normalisations``.
    """
    rng = np.random.default_rng(uncertainty.seed)
    w0 = np.asarray(weights, dtype=np.float64)
    w0 = w0 / w0.sum()
    positive = w0 > 0
    out = np.empty((uncertainty.draws, x.shape[0]), dtype=np.int64)
    methods = list(uncertainty.normalisations)
    for d in range(uncertainty.draws):
        check_deadline()
        w = w0.copy()
        if uncertainty.concentration is not None:
            w[positive] = rng.dirichlet(uncertainty.concentration * w0[positive])
        method = methods[int(rng.integers(len(methods)))]
        out[d] = calc_ranks(calc_composite(x, w, direction, method))
    return out


# --- the candidate table -----------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerCandidates:
    """Ranked friend-shoring candidates and how the ranking was made.

    ``table``: one row per candidate, best base rank first (see ``partner_candidates``);
    ``meta``: the parameters, weights, sources and notes.
    """

    table: pa.Table
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(self.meta.get("notes", ()))

    def to_frame(self) -> pd.DataFrame:
        frame: pd.DataFrame = self.table.to_pandas()
        return frame


def _indicator_matrix(frame: pd.DataFrame) -> FloatArray:
    def col(name: str) -> FloatArray:
        return np.asarray(frame[name].astype("float64").to_numpy(na_value=np.nan), dtype=np.float64)

    with np.errstate(divide="ignore", invalid="ignore"):
        capacity = np.log(col("export_kusd"))
        rca = col("rca")
        srca = (rca - 1.0) / (rca + 1.0)
        dist = np.log(col("distw_km"))
    x = np.column_stack([capacity, srca, col("density"), col("wgi_mean"), col("ideal_point_distance"), dist])
    x[~np.isfinite(x)] = np.nan
    return _significant(x, 9)


def _significant(x: FloatArray, digits: int) -> FloatArray:
    """Round to ``digits`` significant digits: engines sum in parallel, so inputs can differ in the
    last bit from run to run; rounding them keeps the scores and the Monte Carlo ranks identical."""
    with np.errstate(divide="ignore", invalid="ignore"):
        magnitude = np.floor(np.log10(np.abs(x)))
    magnitude[~np.isfinite(magnitude)] = 0
    with np.errstate(over="ignore", invalid="ignore"):
        scale = 10.0 ** (digits - 1 - magnitude)
        rounded = np.round(x * scale) / scale
    return np.where(np.isfinite(rounded), rounded, x)


def partner_candidates(
    trade: ir.Table,
    *,
    hs6: Sequence[str],
    year: int,
    importer: Sequence[str],
    exclude: Sequence[str] = (),
    coalition: Sequence[str] = (),
    governance: ir.Table | None = None,
    alignment: ir.Table | None = None,
    geography: ir.Table | None = None,
    top: int | None = 25,
    include: Sequence[str] = (),
    weights: Weights = DEFAULT_WEIGHTS,
    normalisation: Normalisation = "minmax",
    uncertainty: Uncertainty = DEFAULT_UNCERTAINTY,
    threshold: float = 1.0,
    max_lag: int = INDICATOR_MAX_LAG,
) -> PartnerCandidates:
    """Rank the alternative suppliers of ``hs6`` for ``importer``, without ``exclude``.

    The candidates are every exporter of the product(s) outside the importer and the excluded
    countries: all of them are scored and ranked, and the Monte Carlo ranks run over all of them,
    so a rank is a rank among ``n_candidates``. ``top`` only chooses the rows shown: the ``top``
    best-ranked candidates (all with ``top=None``) plus any exporter named in ``include``, with its
    true rank wherever it falls. Governance
    and alignment use each country's latest year up to ``year`` and no older than
    ``year - max_lag`` (else missing). Their
    attributes come from the engine (Ibis: ``candidate_capacity``, ``candidate_density``,
    ``governance_index``, ``alignment_distance``, ``distance_to``); the composite and the Monte
    Carlo run in numpy on the small candidate table. A table not given (``None``) leaves its
    indicator missing for everyone, which re-weights the others (a note says so).

    Columns: ``rank, n_candidates, candidate, name, in_coalition, export_kusd, world_share, share_ex_concern,
    exports_to_importer_kusd, cover_ratio, rca, density, wgi_mean, wgi_year, ideal_point,
    ideal_point_distance, un_year, distw_km, score, rank_median, rank_p05, rank_p95, missing``.
    ``score`` and ``rank`` use ``weights`` and ``normalisation``; the ``rank_*`` columns come
    from the uncertainty analysis.
    """
    if top is not None and top < 1:
        raise UserError(f"top must be at least 1, got {top}")
    codes = sorted(set(hs6))
    members = sorted(set(importer))
    notes: list[str] = []
    cap = candidate_capacity(
        trade, hs6=codes, year=year, importer=members, exclude=exclude, coalition=coalition
    ).to_pandas()
    cap = cap.sort_values(["export_kusd", "candidate"], ascending=[False, True], kind="stable")
    cap = cap.reset_index(drop=True)
    if cap.empty:
        raise UserError(
            f"no exporter of {', '.join(codes)} in {year} outside the importer and the excluded countries"
        )
    wanted = {c.upper() for c in include}
    missing_include = sorted(wanted - set(cap["candidate"]))
    if missing_include:
        notes.append(
            f"{', '.join(missing_include)} exported none of {', '.join(codes)} in {year} (or is the "
            "importer or excluded), so it is not a candidate"
        )
    frame = cap
    names = list(frame["candidate"])
    dens = candidate_density(trade, hs6=codes, year=year, threshold=threshold).to_pandas()
    frame = frame.merge(dens.rename(columns={"country": "candidate"}), on="candidate", how="left")
    if governance is not None:
        gov = governance_index(governance, year=year, max_lag=max_lag).to_pandas()
        gov = gov[gov["country"].isin(names)].rename(columns={"country": "candidate"})
        frame = frame.merge(gov[["candidate", "wgi_mean", "wgi_year"]], on="candidate", how="left")
    else:
        frame["wgi_mean"], frame["wgi_year"] = np.nan, pd.NA
        notes.append("the governance table is not loaded: the governance indicator is left out")
    if alignment is not None:
        ali = alignment_distance(alignment, year=year, importer=members, max_lag=max_lag).to_pandas()
        if ali.empty or ali["importer_ideal_point"].isna().all():
            notes.append("no UNGA ideal point for the importer: the alignment indicator is left out")
        ali = ali[ali["country"].isin(names)].rename(columns={"country": "candidate"})
        frame = frame.merge(
            ali[["candidate", "ideal_point", "ideal_point_distance", "un_year"]], on="candidate", how="left"
        )
    else:
        frame["ideal_point"], frame["ideal_point_distance"], frame["un_year"] = np.nan, np.nan, pd.NA
        notes.append("the alignment table is not loaded: the alignment indicator is left out")
    if geography is not None:
        dist = distance_to(geography, trade, importer=members, hs6=codes, year=year).to_pandas()
        dist = dist[dist["country"].isin(names)].rename(columns={"country": "candidate"})
        frame = frame.merge(dist, on="candidate", how="left")
    else:
        frame["distw_km"] = np.nan
        notes.append("the geography table is not loaded: the distance indicator is left out")
    frame = frame.sort_values("candidate", kind="stable").reset_index(drop=True)
    if np.allclose(frame["rca"].to_numpy(dtype=np.float64), 1.0, rtol=0, atol=1e-9):
        notes.append(
            "RCA is 1 for every candidate: the products asked are every product loaded for the year, "
            "so RCA cannot tell the candidates apart (it does not move the ranking)"
        )
    x = _indicator_matrix(frame)
    w = weights.vector()
    score = calc_composite(x, w, _DIRECTION, normalisation)
    rank = calc_ranks(score)
    draws = calc_rank_uncertainty(x, w, _DIRECTION, uncertainty)
    p05, p50, p95 = np.percentile(draws, [5, 50, 95], axis=0, method="nearest")
    known_names = iso3_codes()
    missing = [
        ",".join(INDICATORS[j] for j in range(len(INDICATORS)) if np.isnan(x[i, j]) and w[j] > 0)
        for i in range(len(frame))
    ]
    frame = frame.assign(
        rank=rank,
        n_candidates=len(frame),
        name=[known_names.get(c, c) for c in frame["candidate"]],
        score=score,
        rank_median=p50,
        rank_p05=p05,
        rank_p95=p95,
        missing=missing,
    )
    frame["wgi_year"] = frame["wgi_year"].astype("Int64")
    frame["un_year"] = frame["un_year"].astype("Int64")
    columns = [
        "rank",
        "n_candidates",
        "candidate",
        "name",
        "in_coalition",
        "export_kusd",
        "world_share",
        "share_ex_concern",
        "exports_to_importer_kusd",
        "cover_ratio",
        "rca",
        "density",
        "wgi_mean",
        "wgi_year",
        "ideal_point",
        "ideal_point_distance",
        "un_year",
        "distw_km",
        "score",
        "rank_median",
        "rank_p05",
        "rank_p95",
        "missing",
    ]
    frame = frame.sort_values("rank").reset_index(drop=True)[columns]
    shown = (frame["rank"] <= (top if top is not None else len(frame))) | frame["candidate"].isin(wanted)
    frame = frame[shown].reset_index(drop=True)
    lacking: dict[str, list[str]] = {}
    for code, row in zip(frame["candidate"], frame["missing"], strict=True):
        for name in filter(None, row.split(",")):
            lacking.setdefault(name, []).append(code)
    if lacking:
        notes.append(
            "missing indicators re-weight the others for that candidate (column 'missing'): "
            + "; ".join(f"{name} for {', '.join(codes_)}" for name, codes_ in lacking.items())
        )
    imports_from_concern = float(cap["imports_from_concern_kusd"].iloc[0])
    meta: dict[str, Any] = {
        "hs6": codes,
        "year": year,
        "importer": members,
        "exclude": sorted(set(exclude)),
        "coalition": sorted(set(coalition)),
        "imports_from_concern_kusd": imports_from_concern,
        "n_exporters": len(cap),
        "top": top,
        "weights": weights.as_dict(),
        "normalisation": normalisation,
        "max_lag": max_lag,
        "uncertainty": {
            "draws": uncertainty.draws,
            "seed": uncertainty.seed,
            "concentration": uncertainty.concentration,
            "normalisations": list(uncertainty.normalisations),
        },
        "sources": {
            "capacity, rca, density": "CEPII BACI (trade table)",
            "governance": "World Bank WGI (governance table)",
            "alignment": "UNGA ideal points, Bailey, Strezhnev & Voeten (alignment table)",
            "distance": "CEPII GeoDist distw (geography table)",
        },
        "notes": notes,
    }
    return PartnerCandidates(table=pa.Table.from_pandas(frame, preserve_index=False), meta=meta)
