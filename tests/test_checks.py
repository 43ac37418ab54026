"""parse_numbers: the fast Arrow path and the line-finding fallback agree on what a number is."""

from __future__ import annotations

import pyarrow as pa
import pytest

from friendshore.errors import SchemaError
from friendshore.sources.checks import parse_numbers


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "NaN", "1,5", "0x10", "abc", "1 2"])
def test_non_numbers_are_refused_with_their_line(text: str) -> None:
    values = pa.array(["1.5", "2", text, "3"])
    with pytest.raises(SchemaError) as caught:
        parse_numbers(values, field="v", file="f.csv", first_line=10)
    assert caught.value.line == 12
    assert caught.value.field == "v"


def test_numbers_and_missing_values() -> None:
    values = pa.array([" 1.5", "+2", ".5", "5.", "1e3", "NA", ""])
    out = parse_numbers(values, field="q", file="f.csv", first_line=2, missing=("NA",), allow_missing=True)
    assert out.to_pylist() == [1.5, 2.0, 0.5, 5.0, 1000.0, None, None]
    with pytest.raises(SchemaError, match="'NA' is not a number") as caught:
        parse_numbers(values, field="q", file="f.csv", first_line=2)
    assert caught.value.line == 7
    with pytest.raises(SchemaError, match="value is missing"):
        parse_numbers(pa.array(["1", ""]), field="q", file="f.csv", first_line=2)


def test_negative_values_are_refused_when_asked() -> None:
    with pytest.raises(SchemaError, match="negative") as caught:
        parse_numbers(pa.array(["1", "-0.5"]), field="v", file="f.csv", first_line=2, nonnegative=True)
    assert caught.value.line == 3
