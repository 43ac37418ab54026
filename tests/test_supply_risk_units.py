"""Supply risk adds quantities only on one basis (issue 11, item 3): production converted from its unit
to tonnes, traded tonnes by a published content factor, and null with the reason where they cannot be."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest

from friendshore.analyses.supply_risk import supply_risk as supply_risk_analysis
from friendshore.errors import SchemaError
from friendshore.metrics.supply_risk import supply_risk
from friendshore.nomenclature import datafiles
from friendshore.nomenclature import materials as catalogue
from friendshore.nomenclature.materials import MATERIALS_SCHEMA, load_materials, material_units
from friendshore.settings import load_settings
from friendshore.warehouse import connect


def _catalogue(content: str | None, basis: str | None = "Ex content") -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                "material": "examplium",
                "stage": "refining",
                "priority": 1,
                "source": "usgs-mcs",
                "commodity": "Examplium",
                "source_stage": "refinery",
                "hs6": "999999",
                "eol_rir": 0.0,
                "si_sr": 1.0,
                "citation": "hand-made",
                "basis": basis,
                "content": content,
                "unit_note": "hand-made",
            }
        ],
        schema=MATERIALS_SCHEMA,
    )


def _tables(producer: bool) -> tuple[ibis.Table, ibis.Table, ibis.Table]:
    # DDD imports 50 t from BBB and 30 t from AAA and exports 10 t; it refines 20,000 kg itself
    trade = [("BBB", "DDD", 50.0), ("AAA", "DDD", 30.0), ("DDD", "CCC", 10.0), ("AAA", "CCC", 100.0)]
    trade_t = ibis.memtable(
        {
            "year": [2024] * 4,
            "exporter": [r[0] for r in trade],
            "importer": [r[1] for r in trade],
            "hs6": ["999999"] * 4,
            "value_kusd": [1.0] * 4,
            "qty_t": [r[2] for r in trade],
        }
    )
    prod = [("AAA", "country", 600_000.0), ("BBB", "country", 300_000.0), ("CCC", "country", 80_000.0)]
    if producer:
        prod.append(("DDD", "country", 20_000.0))
    prod_t = ibis.memtable(
        {
            "source": ["usgs-mcs"] * len(prod),
            "release": ["MCS2026"] * len(prod),
            "commodity": ["Examplium"] * len(prod),
            "statistic": ["production"] * len(prod),
            "stage": ["refinery"] * len(prod),
            "country": [r[0] for r in prod],
            "row_kind": [r[1] for r in prod],
            "year": [2024] * len(prod),
            "value": [r[2] for r in prod],
            "unit": ["kilograms (Ex content)"] * len(prod),
        }
    )
    means = {"AAA": -0.5, "BBB": 1.5, "CCC": 0.5, "DDD": 2.0}  # scores 6, 2, 4, 1
    gov_t = ibis.memtable(
        {
            "release": ["2023-update"] * 4,
            "country": list(means),
            "year": [2022] * 4,
            "indicator": ["VA"] * 4,
            "estimate": list(means.values()),
        }
    )
    return trade_t, prod_t, gov_t


def _row(content: str | None, *, producer: bool = True) -> dict[str, Any]:
    trade, prod, gov = _tables(producer)
    rows = supply_risk(
        trade, prod, gov, importer=["DDD"], year=2024, materials=_catalogue(content)
    ).to_pyarrow()
    (row,) = rows.to_pylist()
    return row  # type: ignore[no-any-return]


def test_tonnes_are_converted_before_they_are_added() -> None:
    row = _row("999999=0.5")
    # imports 25 t (BBB) + 15 t (AAA) of content, exports 5 t, production 20,000 kg = 20 t
    assert (row["imports_t"], row["exports_t"], row["importer_production"]) == (40.0, 5.0, 20.0)
    assert row["import_reliance"] == pytest.approx(35 / 55, abs=1e-12)
    sourcing = (25 / 60) ** 2 * 2 + (15 / 60) ** 2 * 6 + (20 / 60) ** 2 * 1
    assert row["hhi_wgi_sourcing"] == pytest.approx(sourcing, abs=1e-12)
    assert row["quantity_basis"] == "Ex content"
    assert row["units_ok"] is True
    assert row["supply_risk"] is not None
    assert "units cannot be reconciled" not in row["note"]


def test_without_a_published_factor_a_producer_has_no_score() -> None:
    row = _row("999999=-")
    assert row["units_ok"] is False
    assert row["supply_risk"] is None
    assert row["import_reliance"] is None
    assert row["hhi_wgi_sourcing"] is None
    assert "units cannot be reconciled: trade in tonnes of gross weight of 999999" in row["note"]
    assert "production in tonnes of Ex content" in row["note"]
    # an importer that does not produce adds only the code's own tonnes: one basis, a score
    other = _row("999999=-", producer=False)
    assert other["units_ok"] is True
    assert other["import_reliance"] == 1.0
    assert other["hhi_wgi_sourcing"] == pytest.approx((50 / 80) ** 2 * 2 + (30 / 80) ** 2 * 6, abs=1e-12)


@pytest.fixture(scope="module")
def by_importer(sample_home: Path) -> dict[str, dict[tuple[str, str], dict[str, Any]]]:
    settings = load_settings(home=sample_home)
    return {
        who: {
            (r["material"], r["stage"]): r
            for r in supply_risk_analysis(settings, importer=who, year=2024).rows()
        }
        for who in ("USA", "JPN", "CHN")
    }


def test_gallium_for_producers_is_null_with_the_reason(by_importer: dict[str, Any]) -> None:
    # USGS gallium is in kilograms: Japan's 3,000 kg and China's 839,000 kg are 3 t and 839 t
    assert by_importer["JPN"][("gallium", "refining")]["importer_production"] == pytest.approx(3.0)
    assert by_importer["CHN"][("gallium", "refining")]["importer_production"] == pytest.approx(839.0)
    for who in ("JPN", "CHN"):
        row = by_importer[who][("gallium", "refining")]
        assert row["supply_risk"] is None, who
        assert row["import_reliance"] is None, who
        assert "units cannot be reconciled" in row["note"], who
        assert "811292" in row["quantity_basis"], who
    usa = by_importer["USA"][("gallium", "refining")]  # no US primary gallium: imports only
    assert usa["import_reliance"] == 1.0
    assert usa["supply_risk"] is not None


def test_copper_cathodes_count_as_copper(
    by_importer: dict[str, Any], sample_data: Path, sample_home: Path
) -> None:
    """Japan's copper import reliance, recomputed from the raw BACI file and the USGS series (MCS 2024
    data release: refinery production 2023, thousand metric tons)."""
    prod = connect(load_settings(home=sample_home)).table("mineral_production")
    jpn = prod.filter(
        (prod.source == "usgs-mcs")
        & (prod.release == "MCS2024")
        & (prod.commodity == "Copper")
        & (prod.stage == "refinery")
        & (prod.country == "JPN")
        & (prod.year == 2023)
    )
    assert jpn.unit.max().to_pyarrow().as_py() == "thousand metric tons"
    p = 1000 * float(jpn.value.sum().to_pyarrow().as_py())  # converted to tonnes before it is added
    m = x = 0.0
    with open(sample_data / "baci_critical_materials" / "BACI_HS17_Y2024_V202601_critical.csv") as fh:
        for r in csv.DictReader(fh):
            if r["k"] != "740311" or r["q"] == "NA" or r["i"] == r["j"]:
                continue
            if r["j"] == "392":
                m += float(r["q"])
            elif r["i"] == "392":
                x += float(r["q"])
    row = by_importer["JPN"][("copper", "refining")]
    assert row["units_ok"] is True
    assert row["quantity_basis"] == "Cu content"
    assert row["importer_production"] == pytest.approx(p)
    assert (row["imports_t"], row["exports_t"]) == (pytest.approx(m), pytest.approx(x))
    assert row["import_reliance"] == pytest.approx(min(max((m - x) / (p + m - x), 0.0), 1.0), abs=1e-12)
    assert row["supply_risk"] is not None


def test_lithium_has_no_catch_all_code() -> None:
    units = material_units().to_pylist()
    assert not [u for u in units if u["hs6"] == "253090"]
    lithium = [r for r in load_materials().to_pylist() if r["material"] == "lithium"]
    assert lithium
    assert all(r["hs6"] is None for r in lithium)
    # every code of the catalogue states its factor or that none is published
    assert all(u["declared"] for u in units)
    assert {u["hs6"]: u["factor"] for u in units if u["factor"] is not None} == {
        "740311": 1.0,
        "750210": 1.0,
        "250410": 1.0,
        "250490": 1.0,
        "260200": 1.0,
    }


def test_catalogue_content_must_name_every_code(monkeypatch: pytest.MonkeyPatch) -> None:
    header = ",".join(MATERIALS_SCHEMA.names)
    row = "x,mining,1,bgs,copper mine,mine,260300,0.5,0.5,cite,,Cu content,{content},why"
    for content, message in (("", "no factor for"), ("260300=2", "outside"), ("999999=1", "not HS6=FACTOR")):
        text = header + "\n" + row.format(content=content) + "\n"
        monkeypatch.setattr(datafiles, "files", lambda _pkg, t=text: _Text(t))
        catalogue._rows.cache_clear()
        with pytest.raises(SchemaError, match=message):
            catalogue._rows()
    catalogue._rows.cache_clear()


class _Text:
    """Stands in for the package's data folder in ``importlib.resources.files``."""

    def __init__(self, text: str) -> None:
        self.text = text

    def joinpath(self, *_: str) -> _Text:
        return self

    def read_text(self, _encoding: str) -> str:
        return self.text


def test_unit_rules_give_the_same_rows_on_both_engines(con: Any, sample_home: Path) -> None:
    """Japan and China, whose gallium and cobalt rows are null for their units, on DuckDB and Spark."""

    def compute(c: Any) -> list[dict[str, Any]]:
        expr = supply_risk(
            c.table("trade"),
            c.table("mineral_production"),
            c.table("governance"),
            importer=["JPN", "CHN"],
            year=2024,
        )
        return expr.to_pyarrow().to_pylist()  # type: ignore[no-any-return]

    ours = compute(con)
    reference = compute(connect(load_settings(home=sample_home, backend="duckdb")))
    assert [r["units_ok"] for r in ours] == [r["units_ok"] for r in reference]
    assert sum(r["units_ok"] is False for r in ours) >= 2  # gallium and cobalt refining
    for a, b in zip(ours, reference, strict=True):
        for key, value in b.items():
            if isinstance(value, float):
                assert a[key] == pytest.approx(value, rel=1e-12, abs=1e-12), key
            else:
                assert a[key] == value, key
