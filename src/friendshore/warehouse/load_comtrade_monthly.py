"""Loaders: UN Comtrade records (API v1 layout) and China's monthly export tables -> ``trade_monthly``.

``comtrade-monthly`` (``COMTRADE_LOADER``) reads API v1 records (``friendshore.sources.comtrade_monthly``):
one file, the API's JSON answer, or a folder of them. Only the totals are kept: all modes of transport
(``motCode`` 0), all customs procedures (``customsCode`` C00) and no second partner (``partner2Code``
0); the breakdowns by mode or procedure are parts of those totals and are left out (logged). Records
repeated across files (the same key and the same numbers, e.g. one pull saved under two labels) are
kept once; the same key with different numbers stops the load. Countries: the record's ISO3 code
where the API gave one, else Comtrade's numeric area code read through the country crosswalk (BACI's
country codes are Comtrade's; 0 is the world). ``qtyUnitCode`` 8 is kilograms, -1 no quantity.

``china-monthly`` (``CHINA_LOADER``) reads ``deep_dive_hs6_monthly.csv`` of
qennis/ChinaCriticalMineralComtrade: reporter China, flow X, monthly, partner names mapped to ISO3
with the crosswalk. A quantity of 0 beside a positive value is a quantity not given, stored as null.

Partitions are (source, reporter, HS code): a load replaces what it brings for each of them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa

from friendshore.console import get_logger
from friendshore.errors import SchemaError, UnknownCodeError
from friendshore.nomenclature.countries import CROSSWALK_PATH, country_names, to_iso3_strict
from friendshore.sources.comtrade_monthly import (
    CHINA_MONTHLY_FILE,
    api_files,
    read_china_monthly,
    read_comtrade_api,
)
from friendshore.warehouse.loading import Loaded, SourceLoader
from friendshore.warehouse.tables import TABLES

__all__ = ["CAVEATS", "CHINA_LOADER", "COMTRADE_LOADER"]

log = get_logger(__name__)

#: What people must know of each source's rows, beside its catalogue entry (``friendshore.sources.catalogue``).
CAVEATS: Mapping[str, str] = {
    "comtrade-monthly": "records as the reporter declared them; values in current US dollars",
    "china-monthly": "author-aggregated extracts of UN Comtrade (data_output/tables/deep_dive_hs6_monthly.csv; "
    "reporter China, flow X, pulled for about 40 named partners, so the destinations are those partners, "
    "not the world), not Comtrade's own files; values in current US dollars",
}

_UNITS = {8: "kg", -1: None}
_CODE_NOTE = re.compile(r"^BACI V\d+ code (\d+)\b")
_KEY = ("reporter", "hs_code", "freq", "year", "month", "partner", "flow")
_NUMBERS = ("value_usd", "qty", "qty_unit", "net_weight_kg")


@lru_cache(maxsize=1)
def _area_codes() -> Mapping[int, str]:
    """Comtrade's numeric area code -> ISO3, from the crosswalk rows that record a BACI code."""
    out: dict[int, str] = {}
    for entry in country_names().values():
        found = _CODE_NOTE.match(entry.note)
        if found:
            out[int(found.group(1))] = entry.iso3
    return out


def _iso3(code: int | None, iso: str | None, *, file: str, line: int, field: str) -> str | None:
    """The ISO3 code of a record's country; ``None`` for the world (code 0)."""
    if code == 0:
        return None
    if iso and re.fullmatch(r"[A-Z]{3}", iso) and not iso.startswith(("W0", "_")):
        return iso
    found = _area_codes().get(code) if code is not None else None
    if found is None:
        raise UnknownCodeError(
            f"{file}: line {line}, field '{field}': Comtrade area code {code} has no ISO3 code in "
            f"{CROSSWALK_PATH} (add the country with its note 'BACI V202601 code {code}')"
        )
    return found


def _partitions(rows: list[dict[str, Any]], source: str) -> list[Loaded]:
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[(row["reporter"], row["hs_code"])].append(row)
    schema = TABLES["trade_monthly"].schema
    return [
        Loaded(
            "trade_monthly",
            {"source": source, "reporter": reporter, "hs_code": code},
            pa.Table.from_pylist([{**r, "source": source} for r in part], schema=schema),
        )
        for (reporter, code), part in sorted(groups.items())
    ]


def _load_api(path: Path) -> list[Loaded]:
    table = read_comtrade_api(path)
    kept: dict[tuple[Any, ...], dict[str, Any]] = {}
    where: dict[tuple[Any, ...], str] = {}
    parts = 0
    for r in table.to_pylist():
        if r["motCode"] != 0 or r["customsCode"] != "C00" or r["partner2Code"] != 0:
            parts += 1
            continue
        at = f"{r['file']} line {r['line']}"
        partner = _iso3(
            r["partnerCode"], r["partnerISO"], file=r["file"], line=r["line"], field="partnerCode"
        )
        unit_code = r["qtyUnitCode"]
        unit = r["qtyUnitAbbr"] or (
            _UNITS.get(unit_code, f"Comtrade quantity unit {unit_code}") if unit_code is not None else None
        )
        row = {
            "reporter": _iso3(
                r["reporterCode"], r["reporterISO"], file=r["file"], line=r["line"], field="reporterCode"
            ),
            "hs_code": r["cmdCode"],
            "freq": r["freqCode"],
            "year": r["refYear"],
            "month": r["refMonth"],
            "partner": partner,
            "partner_kind": "world" if partner is None else "country",
            "flow": r["flowCode"],
            "classification": r["classificationCode"],
            "value_usd": r["primaryValue"],
            "qty": r["qty"] if unit is not None else None,
            "qty_unit": unit,
            "net_weight_kg": r["netWgt"],
        }
        key = tuple(row[k] for k in _KEY)
        earlier = kept.get(key)
        if earlier is None:
            kept[key] = row
            where[key] = at
        elif any(earlier[k] != row[k] for k in _NUMBERS):
            shown = ", ".join(f"{k}={v}" for k, v in zip(_KEY, key, strict=True))
            raise SchemaError(
                f"the record {shown} is given twice with different numbers (first at {where[key]})",
                file=r["file"],
                line=r["line"],
                field="primaryValue",
                hint="load one pull of each record",
            )
    if parts:
        log.info("%s: left out %d breakdown records (by mode of transport, customs procedure or second "
                 "partner); their totals are kept", path, parts)  # fmt: skip
    return _partitions(list(kept.values()), "comtrade-monthly")


def _load_china(path: Path) -> list[Loaded]:
    table = read_china_monthly(path)
    file = Path(path) / CHINA_MONTHLY_FILE if Path(path).is_dir() else Path(path)
    names = table.column("partner_name").to_pylist()
    partners = to_iso3_strict(names, file=file, lines=table.column("line").to_pylist(), field="partner_name")
    rows = []
    seen: dict[tuple[Any, ...], int] = {}
    for r, partner in zip(table.to_pylist(), partners, strict=True):
        key = (r["period_dt"], partner, r["hs6"])
        if key in seen:
            raise SchemaError(
                f"'{r['partner_name']}' repeats the row of line {seen[key]} ({partner}, {r['hs6']}, {r['period_dt']})",
                file=file,
                line=r["line"],
                field="partner_name",
                hint="two spellings map to one ISO3 code in the crosswalk",
            )
        seen[key] = r["line"]
        qty = r["qty"] if not (r["qty"] == 0 and r["val"] > 0) else None
        rows.append(
            {
                "reporter": "CHN",
                "hs_code": r["hs6"],
                "freq": "M",
                "year": r["period_dt"].year,
                "month": r["period_dt"].month,
                "partner": partner,
                "partner_kind": "country",
                "flow": "X",
                "classification": "HS",
                "value_usd": r["val"],
                "qty": qty,
                "qty_unit": "kg",
                "net_weight_kg": qty,
            }
        )
    return _partitions(rows, "china-monthly")


def _china_inputs(path: Path) -> list[Path]:
    return [Path(path) / CHINA_MONTHLY_FILE if Path(path).is_dir() else Path(path)]


COMTRADE_LOADER = SourceLoader(
    name="comtrade-monthly",
    description="UN Comtrade records in the API v1 layout (monthly or annual; CSV or the API's JSON answer)",
    expects="a UN Comtrade API v1 records file (CSV or JSON), or a folder of them",
    load=_load_api,
    sample=("comtrade_api_v1_usa_chn_critical_2020_2024",),
    inputs=api_files,
)

CHINA_LOADER = SourceLoader(
    name="china-monthly",
    description="China's monthly exports by partner and HS6 (qennis/ChinaCriticalMineralComtrade tables)",
    expects=f"{CHINA_MONTHLY_FILE} of qennis/ChinaCriticalMineralComtrade, or the folder holding it",
    load=_load_china,
    sample=("china_monthly_exports_comtrade_critical",),
    inputs=_china_inputs,
)
