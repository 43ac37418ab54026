"""ETO Advanced Semiconductor Supply Chain dataset (Emerging Technology Observatory, CSET Georgetown).

The ``data/`` folder of ``georgetown-cset/eto-chip-explorer`` holds five CSV files (licence
CC BY-NC 4.0), mostly from CSET (2021) "The Semiconductor Supply Chain: Assessing National
Competitiveness", updated with SIA, WSTS and TechInsights data:

* ``inputs.csv``: supply-chain nodes (``input_id`` N0, N1, ...; tools, materials, processes,
  design resources) with ``type``, ``stage_id``/``stage_name`` (for processes), a ``description``
  (quoted text spanning several lines), ``year`` and the global market size as text
  (``market_share_chart_global_market_size_info``, e.g. ``$574.1 billion (2022)``).
* ``stages.csv``: the three stages S1 Design, S2 Fabrication, S3 Assembly, testing and packaging
  (ATP). They are nodes too (market shares are given for whole stages), so ``chip_inputs`` holds
  them with ``type = "stage"`` and the year read from their market-size text.
* ``providers.csv``: countries (``provider_type = country``, ``provider_name`` an ISO3 code) and
  firms (``organization``, with their ``country``).
* ``provision.csv``: ``share_provided`` in percent of an input's world market by a provider in a
  ``year`` (missing where ETO gives none), with the ``source`` text. ``chip_provision.share`` is
  that percentage / 100. ETO rounds shares between 0 and 1% up to 1%, so shares of one input may
  sum to more than 1.
* ``sequence.csv``: graph edges, an input ``goes_into`` or ``is_type_of`` another node.

``chip_provision.country`` is the provider's own code for a country provider and the firm's
``country`` for a firm, when that is a three-letter code. ETO's "EUR" (Europe as a whole) is such
a code but not an ISO3 country; "Various countries" (and firms listed under it) get a null country.

A file cut short at a line boundary is refused on a first load too (issue 30), by what the other
files and ETO's own rules say must be there: every input but the final output has an edge in
``sequence.csv``; in ``provision.csv`` every year ``inputs.csv`` gives a market for has rows, the
countries' shares of an input in a year cover its whole market (when all are given), and each
firm's country has a share of what the firm provides. ``provision.csv`` runs by year, then provider
name: a cut that loses only the firms after the last country of the last year (the final 16 of its
1,300 rows in the 2026-08-14 snapshot) leaves nothing to compare with; a load over an earlier one
catches it as a smaller replacement.

ETO publishes no version number; ``ETO_RELEASE`` names the snapshot read here by its repository
commit date (``46e0106``, 2026-08-14).
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from friendshore.errors import DataSourceError, SchemaError
from friendshore.sources.checks import NUMBER_RE, require_columns, require_finite, require_nonempty

__all__ = ["ETO_FILES", "ETO_RELEASE", "read_eto", "read_market_size_usd"]

ETO_RELEASE = "eto-2026-08-14"
ETO_FILES = ("inputs.csv", "stages.csv", "providers.csv", "provision.csv", "sequence.csv")

_MARKET_RE = re.compile(
    r"^\$\s*(?P<amount>\d[\d,]*(?:\.\d+)?)\s*(?P<scale>thousand|million|billion|trillion)?\b", re.I
)
_SCALE = {None: 1.0, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_YEAR_RE = re.compile(r"\((\d{4})\)\s*$")
_CODE_RE = re.compile(r"^[A-Z]{3}$")
#: ``inputs.csv`` type of the supply chain's end (N99, the finished chip): the one input that leads
#: to no other node.
_FINAL_OUTPUT = "ultimate_output"


@dataclass(frozen=True)
class _Rows:
    """A small CSV read with the file line on which each record starts."""

    file: Path
    columns: dict[str, list[str]]
    lines: list[int]

    def get(self, name: str) -> list[str]:
        return self.columns[name]

    def fail(self, index: int, field: str, message: str, hint: str = "") -> SchemaError:
        return SchemaError(message, file=self.file, line=self.lines[index], field=field, hint=hint)


def _read_rows(path: Path, required: list[str]) -> _Rows:
    require_nonempty(path)
    hint = "is this the data/ folder of georgetown-cset/eto-chip-explorer?"
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            # strict: a file cut inside a quoted field is an error, not a shorter last record
            reader = csv.reader(fh, strict=True)
            header = [h.strip() for h in next(reader, [])]
            require_columns(header, required, file=path, hint=hint)
            columns: dict[str, list[str]] = {h: [] for h in header}
            lines: list[int] = []
            while True:
                start = reader.line_num + 1
                try:
                    row = next(reader)
                except StopIteration:
                    break
                if not row or not any(c.strip() for c in row):
                    continue
                if len(row) != len(header):
                    raise SchemaError(
                        f"record has {len(row)} fields, the header has {len(header)}",
                        file=path,
                        line=start,
                        hint="a quote may be unbalanced; download the file again",
                    )
                for name, value in zip(header, row, strict=True):
                    columns[name].append(value.strip())
                lines.append(start)
    except csv.Error as exc:
        hint = "the file may be cut short: download it again" if "end of data" in str(exc) else ""
        raise SchemaError(
            f"not a readable CSV file ({exc})", file=path, line=reader.line_num, hint=hint
        ) from None
    except UnicodeDecodeError as exc:
        raise DataSourceError(
            f"not UTF-8 text ({exc.reason})", file=path, hint="download the file again"
        ) from None
    if not lines:
        raise SchemaError(
            "the file has a header but no rows", file=path, line=1, hint="download the file again"
        )
    return _Rows(path, columns, lines)


def _numbers(rows: _Rows, name: str, *, allow_missing: bool = True) -> list[float | None]:
    out: list[float | None] = []
    for i, text in enumerate(rows.get(name)):
        if text in ("", "NA", "NaN", "nan"):
            if not allow_missing:
                raise rows.fail(i, name, "value is missing", "fill it in or remove the row")
            out.append(None)
        elif re.match(NUMBER_RE, text):
            out.append(require_finite(float(text), file=rows.file, line=rows.lines[i], field=name, text=text))
        else:
            raise rows.fail(i, name, f"'{text}' is not a number", "fix or remove that row")
    return out


def _years(rows: _Rows, name: str) -> list[int | None]:
    years = _numbers(rows, name)
    for i, y in enumerate(years):
        if y is not None and not (1900 <= y <= 2200 and y == int(y)):
            raise rows.fail(i, name, f"{y} is not a year")
    return [int(y) if y is not None else None for y in years]


def read_market_size_usd(text: str) -> float | None:
    """``'$574.1 billion (2022)'`` -> 5.741e11; ``''`` -> None. Raises ``ValueError`` on other ``$`` text."""
    text = text.strip()
    if not text.startswith("$"):
        return None
    m = _MARKET_RE.match(text)
    if not m:
        raise ValueError(f"'{text}' is not a market size such as '$574.1 billion (2022)'")
    scale = m["scale"].lower() if m["scale"] else None
    value = float(m["amount"].replace(",", "")) * _SCALE[scale]
    if not math.isfinite(value):
        raise ValueError(f"'{text}' is out of range (too large for a number)")
    return value


def _market_sizes(rows: _Rows, name: str) -> list[float | None]:
    out = []
    for i, text in enumerate(rows.get(name)):
        try:
            out.append(read_market_size_usd(text))
        except ValueError as exc:
            raise rows.fail(i, name, str(exc), "fix that text or download the file again") from None
    return out


def _nulls(values: list[str]) -> list[str | None]:
    return [v or None for v in values]


def _unique_ids(rows: _Rows, name: str) -> None:
    seen: set[str] = set()
    for i, value in enumerate(rows.get(name)):
        if not value:
            raise rows.fail(i, name, "id is missing")
        if value in seen:
            raise rows.fail(i, name, f"id '{value}' appears twice")
        seen.add(value)


def _unique_keys(rows: _Rows, keys: list[str], last: list[str] | None = None) -> None:
    """Refuse a record whose ``keys`` repeat an earlier record's (named at the later line); ``last``:
    the last key's values as parsed (a year ``2025.0`` is the year ``2025``)."""
    seen: dict[tuple[str, ...], int] = {}
    columns = [rows.get(k) for k in keys]
    if last is not None:
        columns[-1] = last
    for i, key in enumerate(zip(*columns, strict=True)):
        if key in seen:
            shown = ", ".join(f"{k}={v!r}" for k, v in zip(keys, key, strict=True))
            raise rows.fail(
                i, keys[0], f"{shown} repeats line {rows.lines[seen[key]]}", "each key may appear once"
            )
        seen[key] = i


def _inputs(folder: Path, release: str) -> pa.Table:
    size = "market_share_chart_global_market_size_info"
    inputs = _read_rows(
        folder / "inputs.csv",
        ["input_id", "input_name", "type", "stage_name", "stage_id", "description", "year", size],
    )
    stages = _read_rows(folder / "stages.csv", ["stage_id", "stage_name", "description", size])
    _unique_ids(inputs, "input_id")
    _unique_ids(stages, "stage_id")
    stage_names = dict(zip(stages.get("stage_id"), stages.get("stage_name"), strict=True))
    for i, iid in enumerate(inputs.get("input_id")):
        if iid in stage_names:
            raise inputs.fail(i, "input_id", f"id '{iid}' is also a stage id in stages.csv")
    for i, sid in enumerate(inputs.get("stage_id")):
        if sid and sid not in stage_names:
            raise inputs.fail(i, "stage_id", f"stage '{sid}' is not in stages.csv")
    n_stages = len(stages.lines)
    stage_years = [int(m[1]) if (m := _YEAR_RE.search(t)) else None for t in stages.get(size)]
    return pa.table(
        {
            "release": [release] * (len(inputs.lines) + n_stages),
            "input_id": inputs.get("input_id") + stages.get("stage_id"),
            "input_name": inputs.get("input_name") + stages.get("stage_name"),
            "type": inputs.get("type") + ["stage"] * n_stages,
            "stage_id": _nulls(inputs.get("stage_id")) + stages.get("stage_id"),
            "stage_name": _nulls(inputs.get("stage_name")) + stages.get("stage_name"),
            "description": _nulls(inputs.get("description")) + _nulls(stages.get("description")),
            "year": pa.array(_years(inputs, "year") + stage_years, pa.int16()),
            "market_size_usd": pa.array(
                _market_sizes(inputs, size) + _market_sizes(stages, size), pa.float64()
            ),
        }
    )


def _provision(folder: Path, release: str, names: dict[str, str], dated: dict[int, list[str]]) -> pa.Table:
    providers = _read_rows(
        folder / "providers.csv", ["provider_name", "provider_id", "provider_type", "country"]
    )
    # One row per alias: a provider id may repeat, with the same name, type and country.
    known: dict[str, tuple[str, str | None]] = {}
    seen: dict[str, tuple[str, str, str]] = {}
    for i, (pid, name, kind, home) in enumerate(
        zip(
            providers.get("provider_id"),
            providers.get("provider_name"),
            providers.get("provider_type"),
            providers.get("country"),
            strict=True,
        )
    ):
        if not pid:
            raise providers.fail(i, "provider_id", "id is missing")
        if kind not in ("country", "organization"):
            raise providers.fail(i, "provider_type", f"'{kind}' is not 'country' or 'organization'")
        if seen.setdefault(pid, (name, kind, home)) != (name, kind, home):
            raise providers.fail(
                i, "provider_id", f"id '{pid}' repeats with another name, type or country than {seen[pid]}"
            )
        code = name if kind == "country" else home
        known[pid] = (kind, code if _CODE_RE.match(code) else None)
    rows = _read_rows(
        folder / "provision.csv",
        ["provider_name", "provider_id", "provided_id", "share_provided", "year", "source"],
    )
    for i, (pid, iid) in enumerate(zip(rows.get("provider_id"), rows.get("provided_id"), strict=True)):
        if pid not in known:
            raise rows.fail(i, "provider_id", f"provider '{pid}' is not in providers.csv")
        if iid not in names:
            raise rows.fail(i, "provided_id", f"input '{iid}' is not in inputs.csv or stages.csv")
    years = _years(rows, "year")
    _unique_keys(rows, ["provider_id", "provided_id", "year"], [str(y) for y in years])
    for i, text in enumerate(rows.get("share_provided")):
        if text.lower() == "nan":
            raise rows.fail(
                i, "share_provided", f"'{text}' is not a share", "leave the cell empty where ETO gives none"
            )
    percent = _numbers(rows, "share_provided")
    for i, p in enumerate(percent):
        if p is not None and not 0 <= p <= 100:
            raise rows.fail(i, "share_provided", f"{p} is not a percentage in 0..100")
    _shares_add_up(rows, percent, years, {p: known[p][0] for p in known})
    _provision_complete(rows, percent, years, known, dated)
    return pa.table(
        {
            "release": [release] * len(rows.lines),
            "input_id": rows.get("provided_id"),
            "input_name": [names[i] for i in rows.get("provided_id")],
            "provider_id": rows.get("provider_id"),
            "provider_name": rows.get("provider_name"),
            "provider_type": [known[p][0] for p in rows.get("provider_id")],
            "country": pa.array([known[p][1] for p in rows.get("provider_id")], pa.string()),
            "share": pa.array([p / 100 if p is not None else None for p in percent], pa.float64()),
            "year": pa.array(years, pa.int16()),
            "source_text": _nulls(rows.get("source")),
        }
    )


#: ETO rounds shares between 0 and 1 % up to 1 % and others to whole percent or tenths: the shares
#: of one input, year and kind of provider may sum to a little over 100 % (up to 102 % in 2026).
_ROUNDING_POINTS = 2.0


def _shares_add_up(
    rows: _Rows, percent: list[float | None], years: list[int | None], kinds: dict[str, str]
) -> None:
    """The countries' shares of one input in one year sum to at most 100 % (the firms' too), give
    or take ETO's rounding: one more point for each share of 1 % or less."""
    totals: dict[tuple[str, int | None, str], float] = {}
    allowed: dict[tuple[str, int | None, str], float] = {}
    for i, (iid, pid) in enumerate(zip(rows.get("provided_id"), rows.get("provider_id"), strict=True)):
        share = percent[i]
        if share is None:
            continue
        key = (iid, years[i], kinds[pid])
        totals[key] = totals.get(key, 0.0) + share
        allowed[key] = allowed.get(key, 100.0 + _ROUNDING_POINTS) + (1.0 if share <= 1 else 0.0)
        if totals[key] > allowed[key]:
            raise rows.fail(
                i,
                "share_provided",
                f"the {kinds[pid]} shares of input {iid} in {years[i]} sum to {totals[key]:.1f} %, "
                "more than 100 % of its market",
                "one of the shares of that input is wrong: fix it or download the file again",
            )


_CUT_HINT = "the file looks cut short: download it again (friendshore fetch eto --refresh)"


def _provision_complete(
    rows: _Rows,
    percent: list[float | None],
    years: list[int | None],
    known: dict[str, tuple[str, str | None]],
    dated: dict[int, list[str]],
) -> None:
    """A ``provision.csv`` cut short loses rows that the rest of the dataset says must be there
    (issue 30): every year ``inputs.csv`` dates a market size to has rows; the countries' shares of
    an input in a year, where all are given, cover its whole market (100 %, less at most half a point
    per share for ETO's rounding); a firm's country has a share of each input the firm provides."""
    present = {y for y in years if y is not None}
    for year, inputs in sorted(dated.items()):
        if year not in present:
            shown = ", ".join(inputs[:5]) + (f" and {len(inputs) - 5} more" if len(inputs) > 5 else "")
            raise SchemaError(
                f"no row for {year}, the year inputs.csv gives the market of {len(inputs)} inputs for "
                f"({shown})",
                file=rows.file,
                field="year",
                hint=_CUT_HINT,
            )
    countries: dict[tuple[str, int | None], list[int]] = {}
    for i, pid in enumerate(rows.get("provider_id")):
        if known[pid][0] == "country":
            countries.setdefault((rows.get("provided_id")[i], years[i]), []).append(i)
    for (iid, when), where in countries.items():
        shares = [percent[i] for i in where]
        given = [p for p in shares if p is not None]
        if len(given) == len(shares) and sum(given) < 100 - 0.5 * len(given):
            raise rows.fail(
                where[0],
                "share_provided",
                f"the country shares of input {iid} in {when} sum to {sum(given):.1f} %: ETO's country "
                "shares of an input cover its whole market (100 %, give or take rounding), so rows "
                "are missing",
                _CUT_HINT,
            )
    has_share = {
        (rows.get("provided_id")[i], years[i], known[rows.get("provider_id")[i]][1])
        for where in countries.values()
        for i in where
    }
    for i, pid in enumerate(rows.get("provider_id")):
        kind, country = known[pid]
        key = (rows.get("provided_id")[i], years[i], country)
        if kind == "organization" and country is not None and key not in has_share:
            raise rows.fail(
                i,
                "provider_id",
                f"{rows.get('provider_name')[i]} ({pid}, a firm of {country}) provides input {key[0]} in "
                f"{key[1]}, but {country} has no row for that input and year: ETO lists the country of "
                "every firm it lists, so rows are missing",
                _CUT_HINT,
            )


def _no_cycles(rows: _Rows, sources: list[str], targets: list[str], row_of: list[int]) -> None:
    """The supply chain is a graph without cycles: an input cannot go into (or be a type of) itself,
    directly or through others."""
    after: dict[str, list[tuple[str, int]]] = {}
    for k, (source, target) in enumerate(zip(sources, targets, strict=True)):
        after.setdefault(source, []).append((target, row_of[k]))
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done
    for start in sorted(after):
        if start in state:
            continue
        path: list[tuple[str, int]] = [(start, -1)]
        stack = [iter(after.get(start, []))]
        state[start] = 1
        while stack:
            step = next(stack[-1], None)
            if step is None:
                state[path.pop()[0]] = 2
                stack.pop()
                continue
            node, edge = step
            if state.get(node) == 1:
                cycle = [n for n, _ in path[[n for n, _ in path].index(node) :]] + [node]
                raise rows.fail(
                    edge,
                    "input_id",
                    f"the sequence has a cycle: {' -> '.join(cycle)}",
                    "an input cannot lead back to itself: fix the edge or download the file again",
                )
            if node not in state:
                state[node] = 1
                path.append((node, edge))
                stack.append(iter(after.get(node, [])))


def _sequence(folder: Path, release: str, names: dict[str, str], inputs: list[str]) -> pa.Table:
    """``sequence.csv`` -> ``chip_sequence``; ``inputs``: the ids that must lead to another node."""
    rows = _read_rows(folder / "sequence.csv", ["input_id", "goes_into_id", "is_type_of_id"])
    _unique_keys(rows, ["input_id", "goes_into_id", "is_type_of_id"])
    edges: dict[str, list[str]] = {"input_id": [], "related_id": [], "relation": []}
    rows_of: list[int] = []
    for i, source in enumerate(rows.get("input_id")):
        if source not in names:
            raise rows.fail(i, "input_id", f"input '{source}' is not in inputs.csv or stages.csv")
        for relation in ("goes_into", "is_type_of"):
            target = rows.get(f"{relation}_id")[i]
            if not target:
                continue
            if target not in names:
                raise rows.fail(i, f"{relation}_id", f"node '{target}' is not in inputs.csv or stages.csv")
            edges["input_id"].append(source)
            edges["related_id"].append(target)
            edges["relation"].append(relation)
            rows_of.append(i)
    _no_cycles(rows, edges["input_id"], edges["related_id"], rows_of)
    # Cut short (issue 30): every input but the final output goes into or is a type of another node.
    leading = set(edges["input_id"])
    missing = [i for i in inputs if i not in leading]
    if missing:
        shown = ", ".join(f"{i} ({names[i]})" for i in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise SchemaError(
            f"{len(missing)} input{'s' if len(missing) > 1 else ''} of inputs.csv "
            f"{'go' if len(missing) > 1 else 'goes'} into nothing: {shown}{more}; every input but the "
            "final output goes into or is a type of another node, so rows are missing",
            file=rows.file,
            field="input_id",
            hint=_CUT_HINT,
        )
    return pa.table({"release": [release] * len(edges["input_id"]), **edges})


def read_eto(folder: Path, *, release: str = ETO_RELEASE) -> dict[str, pa.Table]:
    """The ETO ``data/`` folder -> ``{"chip_inputs", "chip_provision", "chip_sequence"}`` tables."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataSourceError(
            "not a folder", file=folder, hint=f"give the folder holding {', '.join(ETO_FILES)}"
        )
    inputs = _inputs(folder, release)
    names = dict(
        zip(inputs.column("input_id").to_pylist(), inputs.column("input_name").to_pylist(), strict=True)
    )
    # What inputs.csv declares, for the checks that a file was not cut short (issue 30): the years
    # its inputs' markets are given for, and the inputs that lead on (all but stages and final outputs).
    dated: dict[int, list[str]] = {}
    leading: list[str] = []
    for row in inputs.select(["input_id", "type", "year", "market_size_usd"]).to_pylist():
        if row["type"] == "stage":
            continue
        if row["year"] is not None and row["market_size_usd"] is not None:
            dated.setdefault(row["year"], []).append(row["input_id"])
        if row["type"] != _FINAL_OUTPUT:
            leading.append(row["input_id"])
    return {
        "chip_inputs": inputs,
        "chip_provision": _provision(folder, release, names, dated),
        "chip_sequence": _sequence(folder, release, names, leading),
    }
