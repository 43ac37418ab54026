"""The crosswalk from ETO semiconductor supply-chain inputs to the HS6 codes (HS 2017) that carry them.

Package data ``data/eto_hs6.csv``, one row per (input, code), columns:

- ``input_id``, ``input_name``: the ETO node (``inputs.csv`` / ``stages.csv`` of the ETO chip
  explorer: N20 EUV lithography tools, S2 Fabrication, ...);
- ``hs6``: an HS 2017 subheading that carries the input, empty when none does;
- ``fit``: ``broader`` (the code also holds other goods: 848620 holds every front-end tool),
  ``part`` (the code holds only part of the input: hydrogen fluoride for wet chemicals) or
  ``none`` (no HS6 code carries the input: design, EDA, IP are services and licences, not goods;
  some materials are classified by what they are made of, with every other use);
- ``basis``: why, in words; ``source``: what the row rests on (the HS 2017 subheading text, the
  friendshore taxonomy, or project judgement, said as such).

Trade in a code therefore measures something related to, not the same as, ETO's market share of
the input: ETO's shares are of sales, capacity or design by firm location; trade is where goods
ship from. ``tests/test_eto_hs6.py`` checks every code against the HS 2017 nomenclature and every id
against the ETO data.
"""

from __future__ import annotations

import csv
import io
import re
from functools import lru_cache
from importlib.resources import files
from typing import Literal

import pyarrow as pa

from friendshore.errors import SchemaError

__all__ = ["CROSSWALK_PATH", "FITS", "Fit", "load_eto_hs6", "parse_eto_hs6"]

CROSSWALK_PATH = "src/friendshore/nomenclature/data/eto_hs6.csv"
Fit = Literal["broader", "part", "none"]
FITS: tuple[str, ...] = Fit.__args__  # type: ignore[attr-defined]

_COLUMNS = ["input_id", "input_name", "hs6", "fit", "basis", "source"]
_ID_RE = re.compile(r"^[NS]\d+$")
_HS6_RE = re.compile(r"^\d{6}$")


def parse_eto_hs6(text: str, origin: str = CROSSWALK_PATH) -> pa.Table:
    """The crosswalk's rows as a table (``hs6`` null where no code carries the input); a
    ``SchemaError`` naming the line and field otherwise."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != _COLUMNS:
        raise SchemaError(f"the header must be {','.join(_COLUMNS)}", file=origin, line=1)
    out: dict[str, list[str | None]] = {c: [] for c in _COLUMNS}
    seen: set[tuple[str, str]] = set()
    for line, row in enumerate(reader, start=2):
        for name in ("input_id", "input_name", "fit", "basis", "source"):
            if not (row[name] or "").strip():
                raise SchemaError("is empty", file=origin, line=line, field=name)
        if not _ID_RE.match(row["input_id"]):
            raise SchemaError(
                f"'{row['input_id']}' is not an ETO id (N20, S2)", file=origin, line=line, field="input_id"
            )
        if row["fit"] not in FITS:
            raise SchemaError(
                f"'{row['fit']}' is not one of {', '.join(FITS)}", file=origin, line=line, field="fit"
            )
        code = (row["hs6"] or "").strip()
        if code and not _HS6_RE.match(code):
            raise SchemaError(f"'{code}' is not an HS6 code (6 digits)", file=origin, line=line, field="hs6")
        if (row["fit"] == "none") != (code == ""):
            raise SchemaError("fit is 'none' exactly when hs6 is empty", file=origin, line=line, field="fit")
        key = (row["input_id"], code)
        if key in seen:
            raise SchemaError(f"{row['input_id']} -> '{code}' is listed twice", file=origin, line=line)
        seen.add(key)
        for name in _COLUMNS:
            value = (row[name] or "").strip()
            out[name].append(value or None if name == "hs6" else value)
    return pa.table({c: pa.array(v, pa.string()) for c, v in out.items()})


@lru_cache(maxsize=1)
def load_eto_hs6() -> pa.Table:
    """The shipped crosswalk (``data/eto_hs6.csv``), validated."""
    text = files("friendshore.nomenclature").joinpath("data", "eto_hs6.csv").read_text("utf-8")
    return parse_eto_hs6(text)
