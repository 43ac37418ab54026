"""HS revisions: read UNSD correlation and conversion tables, and map any revision's codes to HS 2017.

HS 2017 (``HS17``) is friendshore's reference revision (the taxonomy and BACI HS17 use it). The
UN Statistics Division publishes, for each pair of revisions, a workbook
``HS<year>toHS<year>ConversionAndCorrelationTables.xlsx`` with two kinds of sheet:

* a **conversion** table: one target per source code (a function), headed ``From HS 2022`` /
  ``To HS 2017``;
* a **correlation** table: every overlap of scope, headed ``HS 2022`` / ``HS 2017`` (or
  ``HS2022`` / ``HS2017``) and a ``Relationship`` column (``1:1``, ``1:n``, ``n:1``, ``n:n``).

Title lines may precede the header; codes may have lost their leading zero (``10121``) or carry
an apostrophe. ``read_hs_concordance`` accepts such a workbook (``.xlsx``/``.xls``, the
conversion sheet by default) or a CSV/TSV export of one sheet, and returns the table
``hs_concordance`` (``from_revision, to_revision, from_hs6, to_hs6, relationship``). The first
revision column is the source unless the headers say ``From``/``To``.

``hs17_crosswalk`` turns such a table into the rule that maps trade data: one HS 2017 code per code
of the other revision (see its docstring for the rule on splits and merges).

``to_hs17`` maps codes of any revision (HS92, HS96, HS02, HS07, HS12, HS17, HS22) to HS 2017
with such a table, in either direction (an ``HS 2017 -> HS 2012`` table is read backwards for
HS12 codes); codes that cannot be mapped raise ``UnknownCodeError`` naming them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from friendshore.errors import DataSourceError, SchemaError, UnknownCodeError, UserError

__all__ = [
    "CONCORDANCE_SCHEMA",
    "CROSSWALK_SCHEMA",
    "HS_REVISIONS",
    "REFERENCE_REVISION",
    "concordance_table",
    "hs17_candidates",
    "hs17_crosswalk",
    "hs_revision",
    "normalise_hs6",
    "read_hs_concordance",
    "to_hs17",
]

#: Revisions friendshore knows, oldest first (BACI's H0..H6).
HS_REVISIONS: tuple[str, ...] = ("HS92", "HS96", "HS02", "HS07", "HS12", "HS17", "HS22")
#: The revision the taxonomy and the warehouse's analyses use.
REFERENCE_REVISION = "HS17"

CONCORDANCE_SCHEMA = pa.schema(
    [
        ("from_revision", pa.string()),
        ("to_revision", pa.string()),
        ("from_hs6", pa.string()),
        ("to_hs6", pa.string()),
        ("relationship", pa.string()),
    ]
)

_YEARS = {"1992": "HS92", "1996": "HS96", "2002": "HS02", "2007": "HS07", "2012": "HS12"}
_YEARS |= {"2017": "HS17", "2022": "HS22"}
_LABEL_RE = re.compile(r"^(?:(from|to)\s+)?h(?:s)?\s*-?\s*(\d{4}|\d{2})$", re.IGNORECASE)
_BACI_RE = re.compile(r"^(?:(from|to)\s+)?h([0-6])$", re.IGNORECASE)
_RELATIONSHIPS = {"1:1", "1:n", "n:1", "n:n"}
_HEADER_SCAN = 30


def _label(text: str) -> tuple[str, str | None] | None:
    """``'From HS 2022'`` -> ``('HS22', 'from')``; ``'H5'`` -> ``('HS17', None)``; else ``None``."""
    cell = " ".join(str(text).split())
    found = _LABEL_RE.match(cell)
    if found:
        digits = found.group(2)
        year = digits if len(digits) == 4 else ("19" if digits in ("92", "96") else "20") + digits
        rev = _YEARS.get(year)
        return (rev, found.group(1).lower() if found.group(1) else None) if rev else None
    found = _BACI_RE.match(cell)
    if found:
        rev = HS_REVISIONS[int(found.group(2))]
        return rev, found.group(1).lower() if found.group(1) else None
    return None


def hs_revision(label: str) -> str:
    """Normalise a revision name: ``'HS 2022'``, ``'HS2022'``, ``'hs22'``, ``'H6'``, ``'2022'`` -> ``'HS22'``."""
    text = str(label).strip()
    if text in _YEARS:
        return _YEARS[text]
    found = _label(text)
    if found is None:
        raise UnknownCodeError(
            f"unknown HS revision '{label}' (known: {', '.join(HS_REVISIONS)}; "
            "also written 'HS 2017', 'HS2017' or BACI's 'H5')"
        )
    return found[0]


def normalise_hs6(value: Any) -> str | None:
    """A cell as a 6-character HS code: ``10121`` -> ``'010121'``, ``"'0101.21"`` -> ``'010121'``.

    Returns ``None`` for an empty cell and ``''`` for a value that is not an HS6 code.
    """
    if value is None:
        return None
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        value = int(value) if value.is_integer() else value
    text = str(value).strip().lstrip("'").strip()
    if not text:
        return None
    text = text.replace(".", "").replace(" ", "") if re.fullmatch(r"[\d. ]+", text) else text
    if not text.isdigit() or len(text) > 6 or len(text) < 5:
        return ""
    return text.zfill(6)


def _relationship(value: Any) -> str | None:
    text = str(value or "").strip().lstrip("'").strip().lower().replace(" to ", ":").replace(" ", "")
    if not text:
        return None
    return text if text in _RELATIONSHIPS else ""


def _read_text_rows(path: Path) -> list[list[Any]]:
    try:
        text = path.read_text("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = path.read_text("cp1252")
        except UnicodeDecodeError:
            raise DataSourceError("is neither UTF-8 nor Windows-1252 text", file=path) from None
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    return [list(row) for row in csv.reader(io.StringIO(text), dialect)]


def _read_workbook_rows(path: Path, sheet: str | None) -> tuple[list[list[Any]], str]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several error types for unreadable files
        raise DataSourceError(f"cannot be read as a workbook ({exc})", file=path) from None
    names = list(book.sheet_names)
    if sheet is None:
        for kind in ("conversion", "correlation"):
            matches = [n for n in names if kind in n.lower()]
            if matches:
                sheet = matches[0]
                break
        else:
            sheet = names[0] if names else None
    if sheet is None or sheet not in names:
        raise DataSourceError(
            f"sheet '{sheet}' not found (sheets: {names})",
            file=path,
            hint="name a sheet that holds the conversion or correlation table",
        )
    return [list(row) for row in book.get_sheet_by_name(sheet).to_python()], sheet


def _header(rows: Sequence[Sequence[Any]], origin: str) -> tuple[int, int, int, int | None, str, str]:
    """Find the header: (row index, from column, to column, relationship column, from rev, to rev)."""
    for index, row in enumerate(rows[:_HEADER_SCAN]):
        labels = [(col, _label(str(cell))) for col, cell in enumerate(row) if cell is not None]
        found = [(col, lab) for col, lab in labels if lab is not None]
        if len(found) < 2:
            continue
        if len(found) > 2:
            raise SchemaError(
                f"header names more than two HS revisions: {[str(row[c]) for c, _ in found]}",
                file=origin,
                line=index + 1,
                hint="keep one source and one target column",
            )
        (col_a, (rev_a, dir_a)), (col_b, (rev_b, dir_b)) = found
        if dir_a == "to" or dir_b == "from":
            col_a, rev_a, col_b, rev_b = col_b, rev_b, col_a, rev_a
        if rev_a == rev_b:
            raise SchemaError(f"both columns are {rev_a}", file=origin, line=index + 1)
        rel = next((c for c, cell in enumerate(row) if str(cell).strip().lower() == "relationship"), None)
        return index, col_a, col_b, rel, rev_a, rev_b
    raise SchemaError(
        "no header with two HS revision columns (such as 'From HS 2022' and 'To HS 2017', or "
        "'HS 2022' and 'HS 2017') in the first lines",
        file=origin,
        hint="is this a UNSD HS correlation or conversion table?",
    )


def read_hs_concordance(path: str | Path, *, sheet: str | None = None) -> pa.Table:
    """Read a UNSD HS conversion or correlation table (workbook sheet or CSV) -> ``CONCORDANCE_SCHEMA``.

    Rows whose target is empty (codes with no counterpart) are skipped; a code that is not an
    HS6 code is an error naming its line and column. Duplicate pairs are dropped.
    """
    path = Path(path)
    if not path.is_file():
        raise DataSourceError("file not found", file=path, hint="give the UNSD table's path")
    origin = str(path)
    if path.suffix.lower() in (".xlsx", ".xls", ".xlsm", ".xlsb", ".ods"):
        rows, used = _read_workbook_rows(path, sheet)
        origin = f"{path} [sheet {used}]"
    else:
        rows = _read_text_rows(path)
    head, col_from, col_to, col_rel, rev_from, rev_to = _header(rows, origin)
    names = [str(c) for c in rows[head]]
    seen: set[tuple[str, str]] = set()
    out: dict[str, list[str | None]] = {name: [] for name in CONCORDANCE_SCHEMA.names}
    for index, row in enumerate(rows[head + 1 :], start=head + 2):
        cells = list(row) + [None] * (max(col_from, col_to, col_rel or 0) + 1 - len(row))
        source, target = normalise_hs6(cells[col_from]), normalise_hs6(cells[col_to])
        if source is None and target is None:
            continue
        for code, col in ((source, col_from), (target, col_to)):
            if code == "":
                raise SchemaError(
                    f"'{cells[col]}' is not an HS6 code",
                    file=origin,
                    line=index,
                    field=names[col],
                    hint="HS6 codes have six digits (a lost leading zero is fine)",
                )
        if source is None:
            raise SchemaError("source code is missing", file=origin, line=index, field=names[col_from])
        if target is None:
            continue
        relationship = None
        if col_rel is not None:
            relationship = _relationship(cells[col_rel])
            if relationship == "":
                raise SchemaError(
                    f"'{cells[col_rel]}' is not a relationship (1:1, 1:n, n:1, n:n)",
                    file=origin,
                    line=index,
                    field=names[col_rel],
                )
        if (source, target) in seen:
            continue
        seen.add((source, target))
        out["from_revision"].append(rev_from)
        out["to_revision"].append(rev_to)
        out["from_hs6"].append(source)
        out["to_hs6"].append(target)
        out["relationship"].append(relationship)
    if not seen:
        raise DataSourceError("no code pairs below the header", file=origin)
    return pa.table(out, schema=CONCORDANCE_SCHEMA)


def _pairs(concordance: pa.Table, revision: str) -> dict[str, set[str]]:
    """Source code of ``revision`` -> HS17 codes, from rows in either direction."""
    cols = {c: concordance.column(c) for c in ("from_revision", "to_revision", "from_hs6", "to_hs6")}
    forward = pc.and_(pc.equal(cols["from_revision"], revision), pc.equal(cols["to_revision"], "HS17"))
    backward = pc.and_(pc.equal(cols["from_revision"], "HS17"), pc.equal(cols["to_revision"], revision))
    found: dict[str, set[str]] = {}
    for mask, key, value in ((forward, "from_hs6", "to_hs6"), (backward, "to_hs6", "from_hs6")):
        part = concordance.filter(mask)
        for code, target in zip(part.column(key).to_pylist(), part.column(value).to_pylist(), strict=True):
            found.setdefault(code, set()).add(target)
    return found


def _codes(codes: Iterable[str]) -> list[str]:
    out = []
    for code in codes:
        norm = normalise_hs6(code)
        if not norm:
            raise UnknownCodeError(f"'{code}' is not an HS6 code (six digits, e.g. 854231)")
        out.append(norm)
    return out


def hs17_candidates(codes: Iterable[str], revision: str, concordance: pa.Table) -> dict[str, list[str]]:
    """Every HS 2017 code each of ``codes`` (in ``revision``) overlaps with, sorted.

    A correlation table can give several (a ``1:n`` split); a conversion table gives one.
    Codes with no counterpart raise ``UnknownCodeError`` naming them.
    """
    rev = hs_revision(revision)
    wanted = _codes(codes)
    if rev == REFERENCE_REVISION:
        return {code: [code] for code in wanted}
    pairs = _pairs(concordance, rev)
    if not pairs:
        raise UnknownCodeError(
            f"the concordance has no rows between {rev} and HS17; load the UNSD table for that pair "
            "(friendshore ingest hs-concordance FILE)"
        )
    missing = sorted({code for code in wanted if code not in pairs})
    if missing:
        shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
        raise UnknownCodeError(
            f"{len(missing)} {rev} code(s) cannot be mapped to HS17: {shown} "
            "(not in the concordance: check the revision, or the code is not a valid subheading)"
        )
    return {code: sorted(pairs[code]) for code in wanted}


def to_hs17(codes: Iterable[str], revision: str, concordance: pa.Table) -> dict[str, str]:
    """Map each of ``codes`` (in ``revision``) to one HS 2017 code.

    Use a UNSD *conversion* table from ``revision`` to HS 2017 (one target per code). A code that
    overlaps several HS 2017 codes (a split, as in a correlation table) is an error naming it:
    use ``hs17_candidates`` to see them all. Unmappable codes raise ``UnknownCodeError``.
    """
    candidates = hs17_candidates(codes, revision, concordance)
    split = {code: found for code, found in candidates.items() if len(found) > 1}
    if split:
        shown = "; ".join(f"{code} -> {', '.join(found)}" for code, found in sorted(split.items())[:5])
        raise UserError(
            f"{len(split)} code(s) map to several HS17 codes: {shown}. Use a UNSD conversion table "
            f"from {hs_revision(revision)} to HS17 (one target per code), or hs17_candidates"
        )
    return {code: found[0] for code, found in candidates.items()}


#: The schema of ``hs17_crosswalk``: a source code, its HS 2017 code, and how many HS 2017 codes
#: the table offered for it (1: a 1:1 or n:1 link; more: a split, resolved by the rule).
CROSSWALK_SCHEMA = pa.schema([("from_hs6", pa.string()), ("hs6", pa.string()), ("n_candidates", pa.int32())])


def hs17_crosswalk(concordance: pa.Table, revision: str) -> pa.Table:
    """One HS 2017 code for every code of ``revision`` the concordance names: the mapping of trade data.

    The rule (the same for every link, so that value is moved, never created or lost):

    * every row of a source code goes, whole, to **one** HS 2017 code. A flow is never split
      between codes, so no flow is invented, each flow keeps its one supplier and its quantity, and
      a product's total is the sum of the source codes mapped to it (the totals before and after
      mapping are equal);
    * 1:1 and n:1 links (a code unchanged, or several codes merged into one HS 2017 code) have one
      candidate: it is taken;
    * 1:n and n:n links (a code whose scope HS 2017 splits between several codes) take the candidate
      with the **same six digits** when there is one (the heading kept its number: its residual
      scope stays there), else the **lowest** candidate code (a fixed, documented choice; the
      table says nothing about the split of value). ``n_candidates`` > 1 marks these codes.

    Candidates come from the table in either direction: a conversion table from ``revision`` to
    HS 2017 (UNSD's HS 2022 -> HS 2017) names one target per code; a table from HS 2017 to
    ``revision`` (UNSD's HS 2017 -> HS 2007 and -> HS 2012) is read backwards, so the candidates of
    a code are the HS 2017 codes that convert to it. Returns ``CROSSWALK_SCHEMA`` sorted by code;
    HS 2017 itself maps every code to itself (an empty table).
    """
    rev = hs_revision(revision)
    if rev == REFERENCE_REVISION:
        return CROSSWALK_SCHEMA.empty_table()
    pairs = _pairs(concordance, rev)
    rows = []
    for code in sorted(pairs):
        found = sorted(pairs[code])
        pick = code if code in found else found[0]
        rows.append({"from_hs6": code, "hs6": pick, "n_candidates": len(found)})
    return pa.Table.from_pylist(rows, schema=CROSSWALK_SCHEMA)


def concordance_table(rows: Sequence[tuple[str, str, str, str, str | None]]) -> pa.Table:
    """Build a concordance table from ``(from_rev, to_rev, from_hs6, to_hs6, relationship)`` rows."""
    return pa.Table.from_pylist(
        [dict(zip(CONCORDANCE_SCHEMA.names, row, strict=True)) for row in rows], schema=CONCORDANCE_SCHEMA
    )
