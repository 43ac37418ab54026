"""``friendshore partners``, ``complexity`` and ``chips`` through the real CLI on the sample warehouse."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from friendshore.interfaces.cli import run


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def cli(home: Path, *args: str) -> list[str]:
    return ["--home", str(home), *args]


def test_partners_csv_for_magnets(sample_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(
        cli(
            sample_home,
            "partners",
            "--product",
            "850511",
            "--for",
            "USA",
            "--year",
            "2024",
            "--concern",
            "CHN",
            "--draws",
            "200",
            "--seed",
            "5",
            "--top",
            "0",
            "--format",
            "csv",
        )
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    table = {r["candidate"]: r for r in rows(captured.out)}
    assert "CHN" not in table
    assert "USA" not in table
    assert "HKG" in table  # only China is excluded here
    assert float(table["JPN"]["export_kusd"]) == pytest.approx(428329.896)
    assert float(table["IND"]["export_kusd"]) == pytest.approx(14599.309)
    n = len(table)
    assert [r["rank"] for r in rows(captured.out)] == [str(i) for i in range(1, n + 1)]
    assert {r["n_candidates"] for r in table.values()} == {str(n)}
    for r in table.values():
        assert float(r["rank_p05"]) <= float(r["rank_median"]) <= float(r["rank_p95"]) <= n
    assert "Monte Carlo" in captured.err  # notes go to stderr, not into the CSV
    # the old name of --concern still works for one release, with a warning, and gives the same table
    old = cli(sample_home, "partners", "--product", "850511", "--for", "USA", "--year", "2024", "--exclude", "CHN",
              "--draws", "200", "--seed", "5", "--top", "0", "--format", "csv")  # fmt: skip
    assert run(old) == 0
    again = capsys.readouterr()
    assert "--exclude is deprecated" in again.err
    assert [r["rank"] + r["candidate"] for r in rows(again.out)] == [
        r["rank"] + r["candidate"] for r in rows(captured.out)
    ]


def test_partners_same_seed_same_output(sample_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = cli(
        sample_home, "partners", "--product", "850511", "--for", "USA", "--draws", "100", "--format", "json"
    )
    assert run(args) == 0
    first = json.loads(capsys.readouterr().out)
    assert run(args) == 0
    second = json.loads(capsys.readouterr().out)
    # ranks are identical; values may differ in the last bit (the engine sums in parallel)
    rank_columns = ("rank", "candidate", "rank_median", "rank_p05", "rank_p95", "missing")
    assert [[r[k] for k in rank_columns] for r in second] == [[r[k] for k in rank_columns] for r in first]
    assert [r["score"] for r in second] == pytest.approx([r["score"] for r in first], rel=1e-12)
    assert {"candidate", "score", "rank_median", "rank_p05", "rank_p95", "wgi_mean", "distw_km"} <= set(
        first[0]
    )


def test_partners_with_weights_file_and_fixed_weights(
    sample_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    weights = tmp_path / "capacity-only.toml"
    weights.write_text("[weights]\ncapacity = 1\n", "utf-8")
    code = run(
        cli(
            sample_home,
            "partners",
            "--product",
            "850511",
            "--for",
            "USA",
            "--weights",
            str(weights),
            "--concentration",
            "0",
            "--draw-normalisation",
            "rank",
            "--draws",
            "20",
            "--format",
            "csv",
        )
    )
    out = rows(capsys.readouterr().out)
    assert code == 0
    # capacity alone: the ranking is the export ranking, and the interval has zero width
    assert [r["candidate"] for r in out[:3]] == ["JPN", "VNM", "PHL"]
    assert all(r["rank_p05"] == r["rank_p95"] for r in out)


def test_partners_reshoring_for_the_quad(sample_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(
        cli(
            sample_home,
            "partners",
            "--sector",
            "magnets-motors",
            "--for",
            "USA",
            "--coalition",
            "quad",
            "--members-at",
            "2026-03-01",
            "--show",
            "reshoring",
            "--format",
            "csv",
        )
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    table = {r["hs6"]: r for r in rows(captured.out)}
    magnets = table["850511"]
    assert float(magnets["home_capacity_kusd"]) == pytest.approx(93824.681)  # US exports of magnets
    shares = [float(magnets[k]) for k in ("home_share", "coalition_share", "others_share", "uncovered_share")]
    assert sum(shares) == pytest.approx(1.0)
    assert float(magnets["home_share"]) == pytest.approx(
        93824.681 / float(magnets["imports_from_concern_kusd"])
    )
    assert "upper bound" in captured.err


def test_complexity_levels(sample_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(cli(sample_home, "complexity", "--year", "2024", "--format", "csv")) == 0
    captured = capsys.readouterr()
    countries = rows(captured.out)
    assert list(countries[0]) == ["country", "eci", "diversity"]
    assert len(countries) == 182
    assert float(countries[0]["eci"]) >= float(countries[-1]["eci"])
    assert "technical check" in captured.err
    assert run(cli(sample_home, "complexity", "--level", "product", "--format", "csv")) == 0
    products = rows(capsys.readouterr().out)
    assert list(products[0]) == ["hs6", "pci", "ubiquity"]
    assert len(products) == 30
    assert run(cli(sample_home, "complexity", "--level", "rca", "--format", "csv")) == 0
    rca = rows(capsys.readouterr().out)
    assert list(rca[0]) == ["country", "hs6", "rca"]
    assert len(rca) == 1991
    india = {r["hs6"]: float(r["rca"]) for r in rca if r["country"] == "IND"}
    assert india["850511"] > 1


def test_chips_views(sample_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(cli(sample_home, "chips", "--chokepoints-only", "--format", "csv")) == 0
    chokepoints = {r["input_id"]: r for r in rows(capsys.readouterr().out)}
    assert chokepoints["N20"]["top_country"] == "NLD"
    assert chokepoints["N20"]["stage"] == "Fabrication"
    assert all(r["chokepoint"] == "True" for r in chokepoints.values())
    assert "S2" not in chokepoints
    assert run(cli(sample_home, "chips", "--threshold", "0.2", "--format", "csv")) == 0
    everything = {r["input_id"]: r for r in rows(capsys.readouterr().out)}
    assert everything["S2"]["chokepoint"] == "True"  # CHN's 24% of fabrication is above 20%
    assert run(cli(sample_home, "chips", "--country", "IND", "--format", "csv")) == 0
    captured = capsys.readouterr()
    india = rows(captured.out)
    assert len(india) == 111
    assert all(r["listed"] == "False" for r in india)
    assert "no measured share at any stage" in captured.err
    assert run(cli(sample_home, "chips", "--input", "EUV", "--format", "json")) == 0
    providers = json.loads(capsys.readouterr().out)
    assert {p["provider_name"] for p in providers} == {"NLD", "ASML"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["partners", "--product", "85051", "--for", "USA"], "not an HS6 code"),
        (["partners", "--product", "850511", "--sector", "batteries", "--for", "USA"], "either --product"),
        (
            ["partners", "--product", "854231", "--for", "USA"],
            "exports of Processors and controllers (854231) in 2024 are not loaded",
        ),
        (["partners", "--product", "850511", "--for", "ATLANTIS"], "neither an ISO3"),
        (["partners", "--product", "850511", "--for", "USA", "--coalition", "pax-silica"], "--members-at"),
        (["partners", "--product", "850511", "--for", "USA", "--draws", "0"], "draws"),
        (["chips", "--input", "flux capacitor"], "no chip supply-chain input"),
        (["chips", "--threshold", "1.5"], "threshold"),
    ],
)
def test_user_errors_exit_2(
    sample_home: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert run(cli(sample_home, *args)) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert "Traceback" not in captured.err
