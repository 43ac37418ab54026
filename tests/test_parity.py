"""Backend parity: the same warehouse, the same Ibis expressions, identical results on DuckDB and Spark."""

from __future__ import annotations

import pyarrow as pa
import pytest

from friendshore.errors import NotLoadedError, UserError
from friendshore.warehouse import run_query
from friendshore.warehouse.connect import require_table


def test_ibis_expression_on_the_trade_table(con: object) -> None:
    trade = require_table(con, "trade")  # type: ignore[arg-type]
    magnets = trade.filter(trade.hs6 == "850511")
    per_exporter = magnets.group_by("exporter").aggregate(
        value_kusd=magnets.value_kusd.sum(), n_flows=magnets.count()
    )
    result = per_exporter.to_pyarrow().sort_by([("value_kusd", "descending")])
    assert result.column("exporter")[0].as_py() == "CHN"
    total = pa.compute.sum(result.column("value_kusd")).as_py()
    assert result.column("value_kusd")[0].as_py() / total == pytest.approx(0.627, abs=0.0005)
    assert pa.compute.sum(result.column("n_flows")).as_py() > 1000


def test_sql_on_duckdb_and_refused_on_spark(con: object) -> None:
    """Raw SQL runs on DuckDB's locked query connection; Spark SQL could call Java, so it is refused."""
    sql = "select count(*) as n, round(sum(value_kusd), 3) as v from trade where year = 2024"
    if con.name == "pyspark":  # type: ignore[attr-defined]
        with pytest.raises(UserError, match="refused on --backend pyspark"):
            run_query(con, sql)  # type: ignore[arg-type]
        return
    assert run_query(con, sql).to_pylist() == [{"n": 21723, "v": 297628363.051}]  # type: ignore[arg-type]


def test_missing_table_is_explained(con: object) -> None:
    with pytest.raises(NotLoadedError, match="friendshore ingest"):
        require_table(con, "no_such_table")  # type: ignore[arg-type]
