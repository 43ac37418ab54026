"""The warehouse's tables: their columns, types, partition keys and meaning.

This is the single contract between the source readers and the analyses. A load replaces whole
partitions (the values of ``partition_by``); every row of a partition carries those values.
Units are in column names (``value_kusd`` = thousand US dollars, ``qty_t`` = metric tonnes).
Countries are ISO3 codes; HS codes are 6-character strings.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from friendshore.errors import unknown

__all__ = ["TABLES", "TableSpec", "table_spec"]

s, i16, i32, f64, b = pa.string(), pa.int16(), pa.int32(), pa.float64(), pa.bool_()


@dataclass(frozen=True)
class TableSpec:
    name: str
    schema: pa.Schema
    partition_by: tuple[str, ...]
    description: str
    unique: tuple[str, ...] = ()


def _spec(
    name: str,
    cols: list[tuple[str, pa.DataType]],
    partition_by: tuple[str, ...],
    description: str,
    unique: tuple[str, ...] = (),
) -> TableSpec:
    return TableSpec(name, pa.schema(cols), partition_by, description, unique)


_SPECS = [
    _spec(
        "trade",
        [
            ("year", i16),
            ("exporter", s),
            ("importer", s),
            ("hs6", s),
            ("value_kusd", f64),
            ("qty_t", f64),
            ("hs_revision", s),
            ("release", s),
        ],
        ("hs_revision", "release", "year"),
        "Bilateral HS6 trade (CEPII BACI): FOB value in thousand USD, quantity in tonnes.",
        ("hs_revision", "release", "year", "exporter", "importer", "hs6"),
    ),
    _spec(
        "trade_monthly",
        [
            ("source", s),
            ("reporter", s),
            ("hs_code", s),
            ("freq", s),
            ("year", i16),
            ("month", i16),
            ("partner", s),
            ("partner_kind", s),
            ("flow", s),
            ("classification", s),
            ("value_usd", f64),
            ("qty", f64),
            ("qty_unit", s),
            ("net_weight_kg", f64),
        ],
        ("source", "reporter", "hs_code"),
        "Reporter-declared trade by month (freq 'M'; annual records of the same feeds: freq 'A', month "
        "null) from UN Comtrade records: value in USD, qty in qty_unit (null when not given), "
        "partner_kind 'country' or 'world' (partner null); flow X exports, M imports, as the reporter "
        "declares them. hs_code is the code as given (6 digits, or 4 for a heading).",
        ("source", "reporter", "hs_code", "freq", "year", "month", "partner", "flow"),
    ),
    _spec(
        "countries",
        [("release", s), ("code", i32), ("iso3", s), ("iso2", s), ("name", s)],
        ("release",),
        "BACI country dictionary of a release: numeric code -> ISO3 (490 -> TWN).",
        ("release", "code"),
    ),
    _spec(
        "products",
        [("hs_revision", s), ("release", s), ("hs6", s), ("description", s)],
        ("hs_revision", "release"),
        "BACI product dictionary of a release and HS revision.",
        ("hs_revision", "release", "hs6"),
    ),
    _spec(
        "mineral_production",
        [
            ("source", s),
            ("release", s),
            ("commodity", s),
            ("statistic", s),
            ("stage", s),
            ("country", s),
            ("country_name", s),
            ("row_kind", s),
            ("year", i16),
            ("value", f64),
            ("value_flag", s),
            ("unit", s),
        ],
        ("source", "release"),
        "Mine/refinery production (and reserves, capacity) by country: USGS MCS, BGS WMS. "
        "row_kind is 'country', 'other' (rest of world as published) or 'world' (world total); "
        "value is null where the publisher withholds it (value_flag keeps the marker).",
    ),
    _spec(
        "net_import_reliance",
        [
            ("source", s),
            ("release", s),
            ("commodity", s),
            ("country", s),
            ("year", i16),
            ("year_note", s),
            ("reliance_pct_low", f64),
            ("reliance_pct_high", f64),
            ("reliance_as_published", s),
            ("primary_import_source", s),
            ("leading_producer", s),
            ("leading_producer_share_pct", f64),
            ("world_production", f64),
            ("unit", s),
        ],
        ("source", "release"),
        "Net import reliance (% of apparent consumption) as published, with bounds for '>75'-style values.",
    ),
    _spec(
        "governance",
        [
            ("release", s),
            ("country", s),
            ("year", i16),
            ("indicator", s),
            ("estimate", f64),
            ("stderr", f64),
            ("n_sources", f64),
            ("pct_rank", f64),
            ("pct_rank_lower", f64),
            ("pct_rank_upper", f64),
        ],
        ("release",),
        "World Bank Worldwide Governance Indicators (VA, PV, GE, RQ, RL, CC); estimate in about -2.5..2.5.",
        ("release", "country", "year", "indicator"),
    ),
    _spec(
        "alignment",
        [
            ("release", s),
            ("country", s),
            ("cow_code", i32),
            ("year", i16),
            ("session", i16),
            ("ideal_point", f64),
            ("n_votes", f64),
            ("agree_usa", f64),
            ("agree_chn", f64),
            ("agree_ind", f64),
            ("agree_rus", f64),
        ],
        ("release",),
        "UN General Assembly ideal points (Bailey, Strezhnev & Voeten); year = session + 1945.",
    ),
    _spec(
        "geography",
        [
            ("release", s),
            ("origin", s),
            ("destination", s),
            ("contig", i16),
            ("comlang_off", i16),
            ("comlang_ethno", i16),
            ("colony", i16),
            ("comcol", i16),
            ("curcol", i16),
            ("col45", i16),
            ("smctry", i16),
            ("dist_km", f64),
            ("distcap_km", f64),
            ("distw_km", f64),
            ("distwces_km", f64),
        ],
        ("release",),
        "CEPII GeoDist dyadic variables (distances in km).",
        ("release", "origin", "destination"),
    ),
    _spec(
        "geography_countries",
        [
            ("release", s),
            ("country", s),
            ("name", s),
            ("area_km2", f64),
            ("landlocked", i16),
            ("continent", s),
            ("lat", f64),
            ("lon", f64),
        ],
        ("release",),
        "CEPII GeoDist country file.",
    ),
    _spec(
        "gdp",
        [("release", s), ("country", s), ("year", i16), ("gdp_usd", f64)],
        ("release",),
        "GDP in current US dollars (World Bank WDI NY.GDP.MKTP.CD).",
        ("release", "country", "year"),
    ),
    _spec(
        "chip_inputs",
        [
            ("release", s),
            ("input_id", s),
            ("input_name", s),
            ("type", s),
            ("stage_id", s),
            ("stage_name", s),
            ("description", s),
            ("year", i16),
            ("market_size_usd", f64),
        ],
        ("release",),
        "ETO semiconductor supply-chain nodes (tools, materials, processes, design resources).",
    ),
    _spec(
        "chip_provision",
        [
            ("release", s),
            ("input_id", s),
            ("input_name", s),
            ("provider_id", s),
            ("provider_name", s),
            ("provider_type", s),
            ("country", s),
            ("share", f64),
            ("year", i16),
            ("source_text", s),
        ],
        ("release",),
        "ETO market shares: provider (country or firm, with its country) -> input; share in [0, 1].",
    ),
    _spec(
        "chip_sequence",
        [("release", s), ("input_id", s), ("related_id", s), ("relation", s)],
        ("release",),
        "ETO supply-chain graph edges: input goes_into / is_type_of related node.",
    ),
    _spec(
        "mrio_trade_share",
        [("source", s), ("release", s), ("origin", s), ("destination", s), ("sector", s), ("value", f64)],
        ("source", "release"),
        "Multi-sector baseline: origin's share of destination's absorption of a sector (sums to 1).",
    ),
    _spec(
        "mrio_tariff",
        [("source", s), ("release", s), ("origin", s), ("destination", s), ("sector", s), ("value", f64)],
        ("source", "release"),
        "Multi-sector baseline: tariff factor 1 + ad-valorem rate.",
    ),
    _spec(
        "mrio_io_share",
        [
            ("source", s),
            ("release", s),
            ("input_sector", s),
            ("output_sector", s),
            ("country", s),
            ("value", f64),
        ],
        ("source", "release"),
        "Multi-sector baseline: input-output cost shares.",
    ),
    _spec(
        "mrio_country_sector",
        [("source", s), ("release", s), ("variable", s), ("country", s), ("sector", s), ("value", f64)],
        ("source", "release"),
        "Multi-sector baseline, country x sector variables: expenditure, consumption_share, factor_share.",
    ),
    _spec(
        "mrio_country",
        [("source", s), ("release", s), ("variable", s), ("country", s), ("value", f64)],
        ("source", "release"),
        "Multi-sector baseline, country variables: value_added, trade_balance, ...",
    ),
    _spec(
        "mrio_sector",
        [("source", s), ("release", s), ("variable", s), ("sector", s), ("value", f64)],
        ("source", "release"),
        "Multi-sector baseline, sector variables: trade_elasticity.",
    ),
    _spec(
        "hs_concordance",
        [("from_revision", s), ("to_revision", s), ("from_hs6", s), ("to_hs6", s), ("relationship", s)],
        ("from_revision", "to_revision"),
        "HS revision concordance (UNSD conversion/correlation table): from_hs6 of from_revision -> "
        "to_hs6 of to_revision; relationship 1:1, 1:n, n:1 or n:n where the table gives it.",
        ("from_revision", "to_revision", "from_hs6", "to_hs6"),
    ),
]

TABLES: dict[str, TableSpec] = {spec.name: spec for spec in _SPECS}


def table_spec(name: str) -> TableSpec:
    try:
        return TABLES[name]
    except KeyError:
        raise unknown("warehouse table", name, sorted(TABLES)) from None
