"""The USGS MCS 2023 and 2024 data releases (``sources.usgs_mcs_release``): world production by country
for 76 commodities, read as USGS ships it, loaded by ``ingest usgs-mcs``, used by supply risk with
the year of each figure; a cut file is refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import ibis
import pandas as pd
import pyarrow.compute as pc
import pytest

from friendshore.errors import SchemaError
from friendshore.metrics.supply_risk import global_supply
from friendshore.metrics.supply_risk.sourcing import tonnes_per_unit
from friendshore.settings import load_settings
from friendshore.sources.usgs_mcs import usgs_stage
from friendshore.sources.usgs_mcs_release import (
    is_world_release_file,
    read_usgs_world_release,
    release_commodity,
    release_country,
)
from friendshore.warehouse import connect
from friendshore.warehouse.ingest import ingest_source
from friendshore.warehouse.load_usgs_mcs import known_country


@pytest.fixture
def release(sample_data: Path) -> Path:
    return sample_data / "usgs_mcs2023_2024_data_release"


def _value(table: object, country: str, year: int) -> float:
    import pyarrow as pa

    assert isinstance(table, pa.Table)
    rows = table.filter(
        pc.and_(pc.equal(table.column("country_name"), country), pc.equal(table.column("year"), year))
    ).to_pylist()
    assert len(rows) == 1, rows
    return float(rows[0]["value"])


def test_rare_earths_2023_as_published(release: Path) -> None:
    """MCS 2024: China 240,000 t of a world 350,000 t REO in 2023 (69 %), 210,000 of 300,000 in 2022."""
    table = read_usgs_world_release(
        is_country=known_country, path=release / "MCS2024" / "world" / "mcs2024-raree_world.csv"
    )
    assert set(table.column("commodity").to_pylist()) == {"Rare Earths"}  # the MCS2026 spelling
    assert set(table.column("stage").to_pylist()) == {"mine"}
    assert set(table.column("release").to_pylist()) == {"MCS2024"}
    assert set(table.column("unit").to_pylist()) == {"metric tons"}
    assert _value(table, "China", 2023) == 240_000
    assert _value(table, "World total (rounded)", 2023) == 350_000
    assert _value(table, "World total (rounded)", 2022) == 300_000


def test_gallium_in_kilograms_and_glued_estimate_marks(release: Path) -> None:
    table = read_usgs_world_release(
        is_country=known_country, path=release / "MCS2024" / "world" / "mcs2024-galli_world.csv"
    )
    assert set(table.column("unit").to_pylist()) == {"kilograms"}
    assert _value(table, "China", 2023) == 600_000
    assert _value(table, "Japan", 2023) == 3_000  # published as "Japane" (e: estimated)
    assert _value(table, "World total (rounded)", 2023) == 610_000


def test_two_series_of_one_stage_keep_their_names(release: Path) -> None:
    """Platinum-group metals: palladium and platinum mine production, each closed by its World row."""
    table = read_usgs_world_release(
        is_country=known_country, path=release / "MCS2024" / "world" / "mcs2024-plati_world.csv"
    )
    stages = sorted(set(table.column("stage").to_pylist()))
    assert stages == ["mine production: palladium", "mine production: platinum"]
    world = table.filter(pc.equal(table.column("row_kind"), "world"))
    assert sorted(
        set(zip(world.column("stage").to_pylist(), world.column("year").to_pylist(), strict=True))
    ) == [
        ("mine production: palladium", 2022),
        ("mine production: palladium", 2023),
        ("mine production: platinum", 2022),
        ("mine production: platinum", 2023),
    ]


@pytest.mark.parametrize(
    ("published", "name", "kind"),
    [
        ("Japane", "Japan", "country"),
        ("Korea, Republic ofe", "Korea, Republic of", "country"),
        ("Brazil (beneficiated)", "Brazil", "country"),
        ("Peru, crude borates", "Peru", "country"),
        ("United\u00a0States1", "United States", "country"),
        ("World total (rounded)10", "World total (rounded)", "world"),
        ("Other countries4", "Other countries", "other"),
        ("Zimbabwe", "Zimbabwe", "country"),  # a name that ends in e keeps it
    ],
)
def test_country_names_as_usgs_glues_them(published: str, name: str, kind: str) -> None:
    assert release_country(published, known_country) == (name, kind)


def test_stage_and_commodity(release: Path) -> None:
    assert usgs_stage("Rare earths, mine production, rare-earth-oxide equivalent, metric tons") == "mine"
    assert usgs_stage("Refinery production") == "refinery"
    assert usgs_stage("Primary production") == "primary production"
    world = release / "MCS2024" / "world"
    assert release_commodity(world / "mcs2024-graph_world.csv") == "Graphite (natural)"
    assert release_commodity(world / "MCS2024-bismu_world.csv") == "Bismuth"  # upper-case file name
    assert not is_world_release_file(world / "mcs2024-abras_world.csv")  # capacity only


def test_a_cut_file_is_refused(release: Path, tmp_path: Path) -> None:
    """Cut before the World total row: the series has no world total, so it is refused."""
    text = (release / "MCS2024" / "world" / "mcs2024-raree_world.csv").read_text("utf-8-sig")
    cut = tmp_path / "mcs2024-raree_world.csv"
    cut.write_text("\n".join(text.splitlines()[:8]) + "\n", "utf-8")
    with pytest.raises(SchemaError, match="World total"):
        read_usgs_world_release(cut, is_country=known_country)
    # two series, the second cut short: refused too
    text = (release / "MCS2024" / "world" / "mcs2024-plati_world.csv").read_text("utf-8-sig")
    lines = [line for line in text.splitlines() if line.strip(",")]
    cut = tmp_path / "mcs2024-plati_world.csv"
    cut.write_text("\n".join(lines[:-1]) + "\n", "utf-8")
    with pytest.raises(SchemaError, match="after the last World total"):
        read_usgs_world_release(cut, is_country=known_country)


def test_cut_inside_a_quoted_field_is_refused(release: Path, tmp_path: Path) -> None:
    from friendshore.errors import DataSourceError

    text = (release / "MCS2024" / "world" / "mcs2024-graph_world.csv").read_text("utf-8-sig")
    cut = tmp_path / "mcs2024-graph_world.csv"
    cut.write_text(text[: text.index('"Mine production') + 5], "utf-8")
    with pytest.raises((DataSourceError, SchemaError)):
        read_usgs_world_release(cut, is_country=known_country)


def test_ingest_and_global_supply_say_which_year(release: Path, tmp_path: Path, sample_data: Path) -> None:
    """Loaded with ``ingest usgs-mcs FOLDER``: graphite has a 2023 production share (USGS MCS 2024:
    China 1,230,000 t of a world 1,600,000 t), where BGS stops at 2021."""
    folder = tmp_path / "release" / "MCS2024" / "world"
    folder.mkdir(parents=True)
    for name in ("mcs2024-graph_world.csv", "mcs2024-graph_meta.xml"):
        shutil.copy(release / "MCS2024" / "world" / name, folder / name)
    home = tmp_path / "home"
    ingest_source(home, "usgs-mcs", tmp_path / "release")
    production = connect(load_settings(home=home, sample_data=sample_data)).table("mineral_production")
    supply = global_supply(production, year=2024, material=["graphite"]).to_pyarrow().to_pylist()
    china = next(r for r in supply if r["country"] == "CHN")
    assert china["production_year"] == 2023
    assert china["production_source"] == "usgs-mcs"
    assert china["world_basis"] == "world total"
    assert china["share"] == pytest.approx(1_230_000 / 1_600_000)


def test_thousand_metric_tons_are_converted() -> None:
    con = ibis.duckdb.connect()
    assert con.execute(tonnes_per_unit(ibis.literal("thousand metric tons"))) == 1000.0
    assert con.execute(tonnes_per_unit(ibis.literal("kilograms"))) == 0.001
    assert pd.isna(con.execute(tonnes_per_unit(ibis.literal("million carats"))))  # not a mass
