"""A BACI-shaped panel of many years, with year-to-year persistence, for the scale benchmarks (issue 19).

It mimics the shape of CEPII's BACI (one row per year, exporter, importer and HS6 product; values in
thousand USD, quantities in tonnes, some quantities missing) and the way it moves from one year to
the next; it says nothing about real trade flows. Country codes are the ISO3 codes of the real BACI
V202601 dictionary and products the real HS 2017 list, so that every analysis (groups, sectors,
partner attributes) runs on it as on real data.

The model, all of it seeded:

- each country has a size (log-normal) and a capability; each product a complexity and a market
  size. A country exports a product more often the larger both are and the more its capability
  exceeds the product's complexity (a nested country x product structure, as in real trade, which
  gives ECI and PCI a clear leading eigenvector); an importer is drawn in proportion to its size;
- the first year draws ``rows_first`` distinct flows from that model;
- each later year: a flow survives with a probability that rises with its value (large flows
  persist, small ones blink in and out; ``survival`` on average), and its log value moves with
  both countries' growth plus noise (``sigma``); new flows enter (smaller, on average, than
  established ones) until the year has its planned number of rows, which grows linearly from
  ``first_share * rows_last`` to ``rows_last``. Capabilities follow random walks with a drift of
  their own, so that shares trend: some suppliers rise, others fade.

``write_panel`` stores the years as warehouse ``trade`` partitions (HS17, release ``BENCH``) in one
transaction; ``subset_home`` makes a warehouse that holds the last N of them (hard links: no copy).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

__all__ = ["PanelSpec", "dictionaries", "generate_years", "subset_home", "write_panel"]

COUNTRIES = "baci_critical_materials/country_codes_V202601.csv"
PRODUCTS = "baci_dictionaries/product_codes_HS17_V202301.csv"
RELEASE = "BENCH"
NA_SHARE = 0.05
#: Attribute sources loaded beside the trade (real files of the sample data), for partner scores.
ATTRIBUTES = ("wgi", "unga", "geodist")


@dataclass(frozen=True)
class PanelSpec:
    """What to generate: ``years`` years ending in ``last_year``, ``rows_last`` flows in the last."""

    years: int = 30
    rows_last: int = 1_000_000
    last_year: int = 2024
    first_share: float = 0.8
    survival: float = 0.8
    sigma: float = 0.5
    entry_discount: float = 1.0
    seed: int = 2024
    #: Use only this many HS 2017 codes (evenly spread over the list; ``None``: all), for quick runs.
    products: int | None = None

    @property
    def first_year(self) -> int:
        return self.last_year - self.years + 1

    def rows_of(self, year: int) -> int:
        """The planned rows of ``year`` (linear from ``first_share * rows_last`` to ``rows_last``)."""
        if self.years == 1:
            return self.rows_last
        step = (year - self.first_year) / (self.years - 1)
        return round(self.rows_last * (self.first_share + (1 - self.first_share) * step))

    @property
    def total_rows(self) -> int:
        return sum(self.rows_of(y) for y in range(self.first_year, self.last_year + 1))


def dictionaries(sample: Path) -> tuple[np.ndarray, np.ndarray]:
    """The ISO3 codes of the BACI V202601 dictionary and the HS 2017 six-digit codes (sorted)."""
    countries = pacsv.read_csv(
        sample / COUNTRIES, convert_options=pacsv.ConvertOptions(column_types={"country_iso3": pa.string()})
    )
    iso3 = sorted({str(c) for c in countries["country_iso3"].to_pylist() if c and len(str(c)) == 3})
    products = pacsv.read_csv(
        sample / PRODUCTS, convert_options=pacsv.ConvertOptions(column_types={"code": pa.string()})
    )
    hs6 = sorted({str(c).zfill(6) for c in products["code"].to_pylist()})
    return np.array(iso3, dtype=object), np.array(hs6, dtype=object)


class _Model:
    """The latent country and product attributes, and how they move from year to year."""

    def __init__(self, n_c: int, n_k: int, rng: np.random.Generator) -> None:
        self.n_c, self.n_k, self.rng = n_c, n_k, rng
        self.size = rng.normal(0.0, 1.6, n_c)  # log size (GDP-like)
        z = (self.size - self.size.mean()) / self.size.std()
        self.capability = 0.6 * z + 0.8 * rng.normal(0.0, 1.0, n_c)
        self.trend = rng.normal(0.0, 0.04, n_c)  # each country's own drift of capability
        self.complexity = rng.normal(0.0, 1.0, n_k)
        self.market = rng.normal(0.0, 1.2, n_k)  # log market size
        self.affinity = rng.normal(0.0, 1.0, (n_c, n_k)).astype(np.float32)
        self.price = rng.normal(0.0, 1.5, n_k)  # log kUSD per tonne

    def step(self) -> None:
        """One year on: capabilities walk (with each country's drift), economies grow."""
        self.capability += self.trend + self.rng.normal(0.0, 0.05, self.n_c)
        self.size += self.rng.normal(0.03, 0.02, self.n_c)

    def _cell_cdf(self) -> np.ndarray:
        gap = self.complexity[None, :] - self.capability[:, None]
        score = (
            0.7 * self.size[:, None]
            + 0.5 * self.market[None, :]
            - 1.5 * np.logaddexp(0.0, gap)  # softplus: capabilities below the product's cost most
            + 0.8 * self.affinity
        )
        weight = np.exp(score - score.max()).ravel()
        cdf = np.cumsum(weight)
        return cdf / cdf[-1]

    def draw(self, n: int, exclude: np.ndarray) -> np.ndarray:
        """``n`` distinct flow keys ``(i * n_c + j) * n_k + k`` (i != j) not in sorted ``exclude``."""
        rng, n_c, n_k = self.rng, self.n_c, self.n_k
        cells_cdf = self._cell_cdf()
        importer_cdf = np.cumsum(np.exp(0.8 * self.size))
        importer_cdf /= importer_cdf[-1]
        found = np.empty(0, dtype=np.int64)
        for _ in range(50):
            want = n - len(found)
            if want <= 0:
                break
            size = int(want * 1.3) + 64
            cell = np.minimum(np.searchsorted(cells_cdf, rng.random(size)), n_c * n_k - 1)
            i, k = np.divmod(cell, n_k)
            j = np.minimum(np.searchsorted(importer_cdf, rng.random(size)), n_c - 1)
            keys = (i * n_c + j) * n_k + k
            keys = keys[i != j]
            if len(exclude):
                pos = np.minimum(np.searchsorted(exclude, keys), len(exclude) - 1)
                keys = keys[exclude[pos] != keys]
            found = np.unique(np.concatenate([found, keys]))
        if len(found) < n:
            raise RuntimeError(f"could draw only {len(found)} of {n} distinct flows")
        if len(found) > n:
            found = np.sort(rng.choice(found, size=n, replace=False))
        return found

    def log_value(self, keys: np.ndarray) -> np.ndarray:
        """Log value (kUSD) of new flows: both sizes, the market and the affinity, plus noise."""
        ij, k = np.divmod(keys, self.n_k)
        i, j = np.divmod(ij, self.n_c)
        return (
            1.0
            + 0.6 * self.size[i]
            + 0.6 * self.size[j]
            + 0.7 * self.market[k]
            + 0.5 * self.affinity[i, k]
            + self.rng.normal(0.0, 1.8, len(keys))
        )


def _survival(log_value: np.ndarray, mean: float) -> np.ndarray:
    """P(a flow persists) = logistic(a + 0.6 (log v - median)), with ``a`` set so that its mean is ``mean``."""
    centred = 0.6 * (log_value - np.median(log_value))
    a = math.log(mean / (1 - mean))
    for _ in range(30):  # Newton on the mean survival
        p = 1.0 / (1.0 + np.exp(-(a + centred)))
        gap = p.mean() - mean
        if abs(gap) < 1e-6:
            break
        a -= gap / max(float((p * (1 - p)).mean()), 1e-9)
    return p


def generate_years(
    spec: PanelSpec, countries: np.ndarray, products: np.ndarray
) -> Iterator[tuple[int, pa.Table]]:
    """Yield ``(year, table)`` for each year of the panel, oldest first (trade schema columns)."""
    rng = np.random.default_rng(spec.seed)
    n_c, n_k = len(countries), len(products)
    if spec.rows_last > n_c * (n_c - 1) * n_k // 4:
        raise ValueError(f"{spec.rows_last} rows is more than a quarter of the possible flows")
    model = _Model(n_c, n_k, rng)
    country_codes, product_codes = pa.array(list(countries)), pa.array(list(products))
    keys = model.draw(spec.rows_of(spec.first_year), np.empty(0, dtype=np.int64))
    log_v = model.log_value(keys)
    for year in range(spec.first_year, spec.last_year + 1):
        if year > spec.first_year:
            old_size, old_cap = model.size.copy(), model.capability.copy()
            model.step()
            keep = rng.random(len(keys)) < _survival(log_v, spec.survival)
            keys, log_v = keys[keep], log_v[keep]
            i, j = np.divmod(keys // n_k, n_c)
            growth = 0.6 * (model.size - old_size)
            log_v = (
                log_v
                + growth[i]
                + growth[j]
                + 0.4 * (model.capability - old_cap)[i]
                + rng.normal(0.0, spec.sigma, len(keys))
            )
            new = model.draw(max(spec.rows_of(year) - len(keys), 0), keys)
            new_v = model.log_value(new) - spec.entry_discount
            keys = np.concatenate([keys, new])
            log_v = np.concatenate([log_v, new_v])
            order = np.argsort(keys, kind="stable")
            keys, log_v = keys[order], log_v[order]
        yield year, _table(year, keys, log_v, model, country_codes, product_codes, rng)


def _table(
    year: int,
    keys: np.ndarray,
    log_v: np.ndarray,
    model: _Model,
    countries: pa.Array,
    products: pa.Array,
    rng: np.random.Generator,
) -> pa.Table:
    n = len(keys)
    ij, k = np.divmod(keys, model.n_k)
    i, j = np.divmod(ij, model.n_c)
    value = np.round(np.exp(log_v), 3)
    value = np.maximum(value, 0.001)  # BACI's smallest value is 1 USD
    qty = np.round(np.exp(log_v - model.price[k] + rng.normal(0.0, 0.5, n)), 3)
    qty_arr = pa.array(qty, mask=rng.random(n) < NA_SHARE)
    return pa.table(
        {
            "year": pa.array(np.full(n, year, dtype=np.int16)),
            "exporter": pc.take(countries, pa.array(i)),
            "importer": pc.take(countries, pa.array(j)),
            "hs6": pc.take(products, pa.array(k)),
            "value_kusd": pa.array(value),
            "qty_t": qty_arr,
            "hs_revision": pa.array(np.full(n, "HS17", dtype=object)),
            "release": pa.array(np.full(n, RELEASE, dtype=object)),
        }
    )


def write_panel(home: Path, spec: PanelSpec, *, sample: Path, attributes: Sequence[str] = ATTRIBUTES) -> int:
    """Generate the panel into the warehouse ``home`` (one transaction); return the rows written.

    ``attributes`` names sources whose real sample files are loaded beside the trade (partner
    scores read governance, alignment and distance)."""
    from friendshore.warehouse import transaction
    from friendshore.warehouse.ingest import source_loader, stage_source
    from friendshore.warehouse.store import SourceFile

    countries, products = dictionaries(sample)
    if spec.products is not None:
        products = products[np.linspace(0, len(products) - 1, spec.products).round().astype(int)]
    rows = 0
    with transaction(home) as tx:
        for year, table in generate_years(spec, countries, products):
            tx.replace(
                "trade",
                {"hs_revision": "HS17", "release": RELEASE, "year": year},
                table,
                source="bench-panel",
                release=RELEASE,
                files=(SourceFile(f"generated panel seed {spec.seed}", "-"),),
            )
            rows += table.num_rows
        for name in attributes:
            stage_source(tx, name, sample / source_loader(name).sample[0])
    return rows


def subset_home(master: Path, home: Path, years: int) -> int:
    """A warehouse at ``home`` holding the last ``years`` trade years of ``master`` and all its other
    tables (files hard-linked, not copied); return its trade rows."""
    from friendshore.warehouse import read_manifest, transaction

    manifest = read_manifest(master)
    trade = sorted(manifest.partitions("trade"), key=lambda p: int(p.key["year"]))[-years:]
    keep = [p for name, parts in manifest.tables.items() if name != "trade" for p in parts] + trade
    with transaction(home) as tx:
        for part in keep:
            target = home / part.file
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                os.link(master / part.file, target)
            tx.adopt(
                part.table,
                part.key,
                part.file,
                part.rows,
                source=part.source,
                release=part.release,
                files=part.files,
                coverage=part.coverage,
            )
    return sum(p.rows for p in trade)
