"""Readers of the Yotov et al. (2016) files and of gegravity's sample: shapes, codes, schema errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from friendshore.errors import DataSourceError, SchemaError
from friendshore.sources.gegravity_sample import read_gegravity_sample
from friendshore.sources.yotov import (
    read_reference_estimates,
    read_yotov_applications,
    read_yotov_ge_results,
    read_yotov_panel,
)


@pytest.fixture(scope="module")
def yotov(sample_data: Path) -> Path:
    return sample_data / "yotov_agtpa"


def test_panel_is_tidy_with_iso3_codes(yotov: Path) -> None:
    frame = read_yotov_panel(yotov / "1_TradeWithoutBorder.dta")
    assert frame.shape == (4761, 13)
    assert list(frame.columns[:5]) == ["exporter", "importer", "pair_id", "year", "trade"]
    assert {"ln_dist", "intl_brdr", "output", "expenditure", "cntg"} <= set(frame.columns)
    assert not any(c.startswith(("exporter_fe", "importer_fe")) for c in frame.columns)
    countries = set(frame["exporter"])
    assert len(countries) == 69
    assert {"DEU", "ROU"} <= countries  # the guide's ZZZ (Germany) and ROM (Romania)
    assert not {"ZZZ", "ROM"} & countries
    domestic = frame.loc[frame["exporter"] == frame["importer"]]
    assert len(domestic) == 69
    assert (domestic["intl_brdr"] == 0).all()
    # Y is the exporter's total sales, E the importer's total purchases (domestic included)
    sums = frame.groupby("exporter")["trade"].sum()
    np.testing.assert_allclose(frame.groupby("exporter")["output"].first().loc[sums.index], sums, rtol=1e-9)
    assert frame["year"].dtype == np.int64


def test_panel_years(yotov: Path) -> None:
    frame = read_yotov_panel(yotov / "Chapter1Application1.dta")
    assert frame["year"].min() == 1986
    assert frame["year"].max() == 2006
    assert len(frame) == 99_981


def test_applications_have_rta_lags_and_lead(yotov: Path) -> None:
    frame = read_yotov_applications(yotov / "agtpa_applications.rda")
    assert {"rta", "rta_lag4", "rta_lag8", "rta_lag12", "rta_lead4"} <= set(frame.columns)
    assert len(frame) == 99_981
    assert "ROU" in set(frame["exporter"])


def test_missing_column_is_a_schema_error_naming_the_file(tmp_path: Path, yotov: Path) -> None:
    frame = pd.read_stata(yotov / "data-figure-7.dta")
    bad = tmp_path / "no_trade.dta"
    frame.to_stata(bad, write_index=False)
    with pytest.raises(SchemaError, match="missing") as caught:
        read_yotov_panel(bad)
    assert caught.value.field == "exporter"
    assert caught.value.file == str(bad)


def test_unreadable_files(tmp_path: Path) -> None:
    junk = tmp_path / "junk.dta"
    junk.write_text("not stata")
    with pytest.raises(DataSourceError, match="not a readable Stata"):
        read_yotov_panel(junk)
    with pytest.raises(DataSourceError, match="file not found"):
        read_yotov_panel(tmp_path / "absent.dta")
    with pytest.raises(DataSourceError, match="unknown results format"):
        read_yotov_ge_results(tmp_path / "x.csv")


def test_published_results_agree_across_formats(yotov: Path) -> None:
    xls = read_yotov_ge_results(yotov / "results" / "1_TradeWithoutBorder_FULL.xls").set_index("country")
    prod = read_yotov_ge_results(yotov / "results" / "1_TradeWithoutBorder_FULL_PROD.dta").set_index(
        "country"
    )
    cons = read_yotov_ge_results(yotov / "results" / "1_TradeWithoutBorder_FULL_CONS.dta").set_index(
        "country"
    )
    assert len(xls) == 69
    assert "ROU" in xls.index
    np.testing.assert_allclose(xls["change_price_full"], prod.loc[xls.index, "change_price_full"], rtol=1e-6)
    np.testing.assert_allclose(xls["change_imr_full"], cons.loc[xls.index, "change_imr_full"], rtol=1e-6)
    assert xls.at["CAN", "change_rgdp_full"] == pytest.approx(54.363290, abs=1e-6)


def test_reference_estimates_in_both_layouts(yotov: Path) -> None:
    r = read_reference_estimates(yotov / "results" / "reference_estimates_tradepolicy_R.csv")
    row = r.loc[(r["model"] == "fit_endg_rta") & (r["term"] == "rta")].iloc[0]
    assert (row["estimate"], row["std_error"]) == (0.5572, 0.1022)
    stata = read_reference_estimates(yotov / "results" / "reference_estimates_stata_logs.csv")
    assert {"model", "term", "estimate", "std_error", "statistic", "p_value"} <= set(stata.columns)
    border = stata.loc[stata["term"] == "INTL_BRDR"].iloc[0]
    assert border["model"] == "TradeWithoutBorder"
    assert border["estimate"] == pytest.approx(-2.47445)


def test_reference_estimates_bad_header_and_number(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b\n1,2\n")
    with pytest.raises(SchemaError, match="neither the R nor the Stata-log layout"):
        read_reference_estimates(wrong)
    bad = tmp_path / "bad.csv"
    bad.write_text("model,term,estimate,std_error\nm,x,0.5,0.1\nm,y,abc,0.1\n")
    with pytest.raises(SchemaError, match="'abc' is not a number") as caught:
        read_reference_estimates(bad)
    assert (caught.value.line, caught.value.field) == (3, "estimate")


def test_gegravity_sample(sample_data: Path) -> None:
    frame = read_gegravity_sample(sample_data / "gegravity_sample" / "sample_data_set.dlm")
    assert frame.shape == (900, 11)
    assert list(frame.columns) == [
        "exporter",
        "importer",
        "year",
        "trade",
        "output",
        "expenditure",
        "pta",
        "contiguity",
        "common_language",
        "ln_dist",
        "international",
    ]
    assert frame["exporter"].nunique() == 30
    assert (frame.loc[frame["exporter"] == frame["importer"], "international"] == 0).all()
    first = frame.iloc[0]
    assert (first["exporter"], first["importer"], first["trade"], first["ln_dist"]) == (
        "GBR",
        "AUS",
        4310.0,
        9.7126,
    )


def test_gegravity_sample_errors_name_line_and_field(tmp_path: Path, sample_data: Path) -> None:
    lines = (sample_data / "gegravity_sample" / "sample_data_set.dlm").read_text().splitlines()
    broken = tmp_path / "broken.dlm"
    cells = lines[5].split(",")
    cells[3] = "12x"
    broken.write_text("\n".join([*lines[:5], ",".join(cells), *lines[6:]]) + "\n")
    with pytest.raises(SchemaError, match="'12x' is not a number") as caught:
        read_gegravity_sample(broken)
    assert (caught.value.line, caught.value.field) == (6, "trade")
    short = tmp_path / "short.dlm"
    short.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n")
    with pytest.raises(SchemaError, match="international"):
        read_gegravity_sample(short)
