"""What each column name means: one catalogue of labels and units for every analysis.

Analyses name their key columns (what people see first) and ``describe`` fills in label and unit
from this catalogue, so a column such as ``top_share`` reads the same ("top supplier's share", %)
wherever it appears. A column that is not in the catalogue gets a unit from its type and the
analysis may describe it itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import pyarrow as pa

from friendshore.analyses.result import Column, Unit, guess_unit

__all__ = ["CATALOGUE", "describe", "with_product"]

_ENTRIES: list[tuple[str, str, Unit]] = [
    # who, what, when
    ("importer", "importer", "code"),
    ("exporter", "exporter", "code"),
    ("country", "country", "code"),
    ("candidate", "candidate", "code"),
    ("supplier", "supplier", "code"),
    ("partner", "partner", "code"),
    ("member", "member", "code"),
    ("iso3", "ISO3", "code"),
    ("hs6", "HS6", "code"),
    ("description", "product", "text"),
    ("product", "product", "text"),
    ("technology", "technology", "text"),
    ("stage", "stage", "text"),
    ("material", "material", "text"),
    ("year", "year", "year"),
    ("prev_year", "previous year", "year"),
    ("next_year", "next year", "year"),
    ("note", "note", "text"),
    # trade values
    ("value_kusd", "value", "kusd"),
    ("import_value_kusd", "imports", "kusd"),
    ("total_import_kusd", "all imports", "kusd"),
    ("export_kusd", "exports", "kusd"),
    ("world_export_kusd", "world exports", "kusd"),
    ("qty_t", "quantity", "t"),
    # concentration
    ("n_suppliers", "suppliers", "count"),
    ("n_exporters", "exporters", "count"),
    ("top_supplier", "top supplier", "code"),
    ("top_exporter", "top exporter", "code"),
    ("top_share", "top share", "share"),
    ("top3_share", "top-3 share", "share"),
    ("hhi", "HHI", "index"),
    ("world_hhi", "world HHI", "index"),
    ("on_share", "share from concern", "share"),
    ("share_from_top_exporter", "share from top exporter", "share"),
    ("chokepoint", "chokepoint", "flag"),
    # EC screen
    ("ec_flag", "EC flag", "flag"),
    ("extra_import_ratio", "extra-group share", "share"),
    ("import_export_ratio", "imports/exports", "index"),
    ("ec_concentration", "EC 1: HHI", "flag"),
    ("ec_importance", "EC 2: extra-group", "flag"),
    ("ec_substitutability", "EC 3: imports > exports", "flag"),
    # trends and churn
    ("d_top_share", "change in top share", "share"),
    ("d_hhi", "change in HHI", "index"),
    ("d_on_share", "change in share from concern", "share"),
    ("flagged", "flagged", "count"),
    ("flagged_next_year", "still flagged next year", "count"),
    ("persistence", "persistence", "share"),
    ("n_products", "products", "count"),
    ("max_hhi", "highest HHI", "index"),
    ("n_flagged", "flagged products", "count"),
    # supply risk
    ("supply_risk", "SR", "index"),
    ("hhi_wgi_global", "HHI-WGI supply", "index"),
    ("hhi_wgi_sourcing", "HHI-WGI sourcing", "index"),
    ("import_reliance", "IR", "share"),
    ("eol_rir", "EoL-RIR", "share"),
    ("si_sr", "SI(SR)", "index"),
    ("top_producer", "top producer", "code"),
    ("top_producer_share", "its share", "share"),
    ("critical", "critical", "flag"),
    ("economic_importance", "economic importance", "index"),
    ("share", "share", "share"),
    # partners
    ("rank", "rank", "count"),
    ("in_coalition", "in coalition", "flag"),
    ("share_ex_concern", "share of non-concern exports", "share"),
    ("rca", "RCA", "index"),
    ("density", "density", "index"),
    ("wgi_mean", "WGI (mean)", "index"),
    ("ideal_point_distance", "UNGA distance", "index"),
    ("distw_km", "distance", "km"),
    ("score", "score", "index"),
    ("rank_median", "median rank", "index"),
    ("rank_p05", "rank p5", "index"),
    ("rank_p95", "rank p95", "index"),
    ("missing", "missing", "text"),
    ("imports_from_concern_kusd", "imports from concern", "kusd"),
    ("home_capacity_kusd", "home capacity", "kusd"),
    ("coalition_capacity_kusd", "coalition capacity", "kusd"),
    ("others_capacity_kusd", "others' capacity", "kusd"),
    ("home_cover", "home cover", "share"),
    ("coalition_cover", "coalition cover", "share"),
    ("others_cover", "others' cover", "share"),
    ("home_share", "filled at home", "share"),
    ("coalition_share", "filled by coalition", "share"),
    ("others_share", "filled by others", "share"),
    ("uncovered_share", "not covered", "share"),
    # complexity
    ("eci", "ECI", "index"),
    ("pci", "PCI", "index"),
    ("diversity", "diversity", "count"),
    ("ubiquity", "ubiquity", "count"),
    ("present", "present (RCA >= 1)", "flag"),
    ("cog", "outlook gain", "index"),
    # chips
    ("input_id", "input", "code"),
    ("input_name", "input name", "text"),
    ("provider_name", "provider", "text"),
    ("provider_type", "provider type", "text"),
    ("listed", "listed", "flag"),
    ("top_country", "top country", "code"),
    ("second_country", "second country", "code"),
    ("second_share", "second share", "share"),
    ("market_size_usd", "market size", "usd"),
    ("n_countries", "countries", "count"),
    ("n_firms", "firms", "count"),
    ("firms", "firms", "text"),
    # leverage
    ("holder", "holder", "code"),
    ("holder_value_kusd", "from holders", "kusd"),
    ("holder_share", "holders' share", "share"),
    ("n_holders", "holders", "count"),
    ("top_holder", "top holder", "code"),
    ("top_holder_share", "its share", "share"),
    ("holder_hhi", "holders' HHI", "index"),
    ("others_third_kusd", "others' third-country exports", "kusd"),
    ("replace_cover", "others' exports / holders' supply", "index"),
    ("replaceable_share", "replaceable", "share"),
    ("leverage", "leverage", "share"),
    ("share_in_group", "share within holders", "share"),
    ("third_kusd", "everyone else's third-country exports", "kusd"),
    ("unilateral_leverage", "unilateral leverage", "share"),
    # before and after a measure
    ("value_before_kusd", "a year before", "kusd"),
    ("value_after_kusd", "a year after", "kusd"),
    ("share_before", "share before", "share"),
    ("share_after", "share after", "share"),
    ("d_share", "change in share", "share"),
    ("d_value_kusd", "change a year", "kusd"),
    ("value_change_pct", "change in value", "pct"),
    ("of_before_kusd", "from imposing a year before", "kusd"),
    ("of_after_kusd", "from imposing a year after", "kusd"),
    ("imposing", "imposed the measure", "flag"),
    ("asked", "asked", "flag"),
    ("period", "period", "text"),
    # chips beside trade
    ("fit", "HS6 fit", "text"),
    ("export_share", "share of world exports", "share"),
    ("top_exporter_share", "top exporter's share", "share"),
    ("top_supplier_share", "top supplier's share", "share"),
    ("import_hhi", "import HHI", "index"),
    ("trade_basis", "why these codes", "text"),
]

CATALOGUE: Mapping[str, Column] = {name: Column(name, label, unit) for name, label, unit in _ENTRIES}


def describe(
    table: pa.Table,
    *,
    key: Sequence[str] = (),
    extra: Sequence[Column] = (),
) -> tuple[Column, ...]:
    """Describe every column of ``table``: ``extra`` first, then the catalogue, then its type.

    ``key`` names the columns people see by default, in the order given; it may name columns the
    table lacks (optional ones), which are skipped.
    """
    own = {c.name: c for c in extra}
    keys = [k for k in key if k in table.column_names]
    out = []
    for name in table.column_names:
        base = own.get(name) or CATALOGUE.get(name)
        if base is None:
            base = Column(name, unit=guess_unit(table.schema.field(name).type))
        out.append(replace(base, key=name in keys))
    # key columns first, in the order asked; the rest in table order
    order = {name: i for i, name in enumerate(keys)}
    out.sort(key=lambda c: (0, order[c.name]) if c.name in order else (1, 0))
    return tuple(out)


def with_product(table: pa.Table, keys: Sequence[str]) -> tuple[pa.Table, list[str]]:
    """``table`` with a ``product`` column (the plain label of each ``hs6``: "Permanent magnets
    (850511)", a basket marked as one), appended so that CSV columns keep their order; in ``keys``
    the label takes the place of the bare code, for people."""
    from friendshore.nomenclature.labels import short_label

    if "hs6" not in table.column_names:
        return table, list(keys)
    labels = [short_label(c) if c is not None and c != "all" else c for c in table.column("hs6").to_pylist()]
    table = table.append_column("product", pa.array(labels, pa.string()))
    return table, ["product" if k == "hs6" else k for k in keys]
