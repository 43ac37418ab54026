"""The read-only SQL gate: reads pass, anything that could change state is refused."""

from __future__ import annotations

import pytest

from friendshore.errors import ReadOnlyQueryError, UserError
from friendshore.warehouse.query import check_read_only


@pytest.mark.parametrize(
    "sql",
    [
        "select 1 as x",
        "SELECT count(*) FROM trade WHERE year = 2024",
        "with t as (select 1 as a) select a from t",
        "select 1 union all select 2",
        "select * from trade order by value_kusd desc limit 5",
    ],
)
def test_reads_pass(sql: str) -> None:
    assert check_read_only(sql) is not None


@pytest.mark.parametrize(
    "sql",
    [
        "drop table t",
        "delete from trade",
        "insert into trade values (1)",
        "update trade set value_kusd = 0",
        "create table x as select 1",
        "copy trade to 'x.csv'",
        "attach 'other.db'",
        "select 1; drop table trade",
        "pragma version",
        "set threads = 1",
        "select 1 into t2",
    ],
)
def test_writes_refused(sql: str) -> None:
    with pytest.raises(ReadOnlyQueryError):
        check_read_only(sql)


def test_unparsable_sql_is_a_user_error() -> None:
    with pytest.raises(UserError, match="does not parse"):
        check_read_only("selec from where")
