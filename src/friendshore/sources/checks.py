"""Shared checks for source readers: headers, numbers, codes, with file/line/field in every error.

Readers parse text columns with these helpers so that a bad value is reported where it is
(``line`` counts from 1 at the header, as a text editor shows it).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from friendshore.errors import DataSourceError, SchemaError

__all__ = [
    "NUMBER_RE",
    "CutShortError",
    "first_duplicate",
    "first_false",
    "parse_integers",
    "parse_numbers",
    "read_text_csv",
    "recoded",
    "require_balanced_quotes",
    "require_columns",
    "require_country_codes",
    "require_finite",
    "require_frame_columns",
    "require_nonempty",
    "require_rows",
    "require_unique",
]

#: A plain decimal number, optionally signed, optionally with an exponent.
NUMBER_RE = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"


def first_false(mask: pa.Array | pa.ChunkedArray) -> int | None:
    """Index of the first false (or null) entry of a boolean array, or ``None`` if all true."""
    filled = pc.fill_null(mask, False)
    if pc.all(filled).as_py():
        return None
    return int(pc.index(filled, False).as_py())


def require_columns(
    found: Sequence[str], expected: Iterable[str], *, file: str | Path, hint: str = ""
) -> None:
    """Fail unless every ``expected`` column is in the header ``found``."""
    names = [c.strip() for c in found]
    missing = [c for c in expected if c not in names]
    if missing:
        raise SchemaError(
            f"header lacks column(s) {missing}; found {names}",
            file=file,
            line=1,
            hint=hint or "is this the right file for this source?",
        )


def require_frame_columns(
    columns: Iterable[str], needed: Iterable[str], *, what: str, hint: str, list_columns: bool = True
) -> None:
    """Fail on the first of ``needed`` that is not among a data frame's ``columns`` ("the <what> has
    no column ..."), naming it as the field; ``list_columns`` adds the columns the frame has."""
    have = list(columns)
    missing = [c for c in needed if c not in have]
    if missing:
        listed = f" (columns: {have})" if list_columns else ""
        raise SchemaError(f"the {what} has no column '{missing[0]}'{listed}", field=missing[0], hint=hint)


def require_nonempty(path: Path) -> None:
    if not path.exists():
        raise DataSourceError("file not found", file=path, hint="check the path")
    if path.is_dir():
        raise DataSourceError("is a folder, not a file", file=path)
    if path.stat().st_size == 0:
        raise DataSourceError("file is empty", file=path, hint="download it again")


def read_text_csv(
    path: Path,
    columns: Iterable[str],
    *,
    delimiter: str = ",",
    hint: str = "",
    skip_rows: int = 0,
    what: str = "CSV file",
) -> pa.Table:
    """A CSV file with ``columns`` read as text (the checks here parse them; any other column is
    inferred), after checking that its quotes are balanced; the header is on line ``skip_rows + 1``.
    A file Arrow cannot read is a ``DataSourceError`` naming it ("not a readable <what>")."""
    require_balanced_quotes(path)
    try:
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(skip_rows=skip_rows),
            parse_options=pacsv.ParseOptions(delimiter=delimiter),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in columns},
                strings_can_be_null=False,
                auto_dict_encode=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise DataSourceError(f"not a readable {what} ({exc})", file=path, hint=hint) from None


def recoded(
    values: pa.Array | pa.ChunkedArray,
    mapping: Mapping[Any, str],
    *,
    key_type: pa.DataType | None = None,
    otherwise: pa.Array | pa.ChunkedArray | None = None,
) -> pa.Array | pa.ChunkedArray:
    """``mapping[value]`` where ``values`` holds one of its keys (of ``key_type``, text by default),
    else ``otherwise`` (by default the value itself): a source's own codes made the standard ones."""
    keys = pa.array(list(mapping), key_type or pa.string())
    new = pa.array(list(mapping.values()), pa.string())
    return pc.coalesce(
        pc.take(new, pc.index_in(values, value_set=keys)), values if otherwise is None else otherwise
    )


def require_country_codes(
    codes: pa.Array | pa.ChunkedArray,
    *,
    file: Path,
    first_line: int,
    field: str,
    hint: str = "fix that row or download the file again",
) -> None:
    """Every one of ``codes`` (``codes[0]`` on line ``first_line``) is three capital letters."""
    bad = first_false(pc.match_substring_regex(codes, r"^[A-Z]{3}$"))
    if bad is not None:
        raise SchemaError(
            f"'{codes[bad].as_py()}' is not a 3-letter country code",
            file=file,
            line=first_line + bad,
            field=field,
            hint=hint,
        )


def parse_numbers(
    values: pa.Array | pa.ChunkedArray,
    *,
    field: str,
    file: str | Path,
    first_line: int,
    missing: Sequence[str] = ("",),
    allow_missing: bool = False,
    nonnegative: bool = False,
) -> pa.Array | pa.ChunkedArray:
    """Parse a string column to float64, failing on the first bad value with its line.

    ``first_line`` is the file line of ``values[0]``. Strings in ``missing`` become null when
    ``allow_missing`` is true, and are an error otherwise.
    """
    text = pc.fill_null(pc.utf8_trim_whitespace(pc.cast(values, pa.string())), "")
    missing = tuple(missing) if "" in missing else (*missing, "")
    is_missing = pc.is_in(text, value_set=pa.array(list(missing), pa.string()))
    has_missing = bool(pc.any(is_missing).as_py())
    numbers = None
    if allow_missing or not has_missing:
        # Fast path: Arrow's own parser; it accepts a few spellings the regex does not (nan, inf),
        # which the finiteness check below rejects, so the two paths agree on what is a number.
        try:
            source = pc.if_else(is_missing, pa.scalar(None, pa.string()), text) if has_missing else text
            numbers = pc.cast(source, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            numbers = None
        if numbers is not None and not pc.all(pc.fill_null(pc.is_finite(numbers), True)).as_py():
            numbers = None
    if numbers is None:  # find and report the first bad value with its line
        is_number = pc.match_substring_regex(text, NUMBER_RE)
        ok = pc.or_(is_number, is_missing) if allow_missing else is_number
        bad = first_false(ok)
        if bad is not None:
            shown = text[bad].as_py()
            raise SchemaError(
                f"'{shown}' is not a number" if shown not in missing else "value is missing",
                file=file,
                line=first_line + bad,
                field=field,
                hint="fix or remove that row, or download the file again",
            )
        numbers = pc.cast(pc.if_else(is_missing, pa.scalar(None, pa.string()), text), pa.float64())
        # A well-formed number too large for a float (1e400) becomes inf: refuse it, never store it.
        bad = first_false(pc.fill_null(pc.is_finite(numbers), True))
        if bad is not None:
            raise SchemaError(
                f"'{text[bad].as_py()}' is out of range (too large for a number)",
                file=file,
                line=first_line + bad,
                field=field,
                hint="fix that value, or download the file again",
            )
    if nonnegative:
        bad = first_false(pc.or_kleene(pc.is_null(numbers), pc.greater_equal(numbers, 0)))
        if bad is not None:
            raise SchemaError(
                f"negative value {numbers[bad].as_py()}",
                file=file,
                line=first_line + bad,
                field=field,
                hint="values here cannot be negative",
            )
    return numbers


def first_duplicate(
    table: pa.Table, keys: Sequence[str], *, line_column: str | None = None
) -> dict[str, object] | None:
    """The first key of ``keys`` that repeats in ``table``, or ``None``.

    Returns the key's values plus ``count`` (how many rows share it) and, when ``line_column`` is
    given, ``line`` (the last of those rows' lines), so that readers can name it in a SchemaError.
    """
    aggregations: list[tuple[str | list[str], str]] = [([], "count_all")]
    if line_column is not None:
        aggregations.append((line_column, "max"))
    counts = table.group_by(list(keys)).aggregate(aggregations)
    repeated = counts.filter(pc.greater(counts.column("count_all"), 1))
    if not repeated.num_rows:
        return None
    row = repeated.slice(0, 1).to_pylist()[0]
    found: dict[str, object] = {key: row[key] for key in keys}
    found["count"] = row["count_all"]
    if line_column is not None:
        found["line"] = row[f"{line_column}_max"]
    return found


def require_unique(
    table: pa.Table,
    keys: Sequence[str],
    message: str,
    *,
    file: str | Path,
    hint: str,
    field: str | None = None,
    line_column: str | None = None,
) -> None:
    """Fail on the first key of ``keys`` that repeats in ``table`` (see ``first_duplicate``):
    ``message`` is formatted with the key's values and ``count``; with ``line_column`` the error
    names the line."""
    dup = first_duplicate(table, keys, line_column=line_column)
    if dup is not None:
        line = cast("int", dup["line"]) if line_column is not None else None
        raise SchemaError(message.format(**dup), file=file, line=line, field=field, hint=hint)


def require_finite(value: float, *, file: str | Path, line: int | None, field: str, text: str) -> float:
    """``value`` (parsed from ``text``) if it is finite; a ``SchemaError`` naming where otherwise.

    Python's ``float`` turns ``'1e400'`` into ``inf`` without complaint: every reader that parses
    numbers one at a time passes them through here."""
    if not math.isfinite(value):
        raise SchemaError(
            f"'{text}' is out of range (too large for a number)",
            file=file,
            line=line,
            field=field,
            hint="fix that value, or download the file again",
        )
    return value


def parse_integers(
    values: pa.Array | pa.ChunkedArray,
    *,
    field: str,
    file: str | Path,
    first_line: int,
    minimum: int,
    maximum: int,
    what: str = "a whole number",
) -> pa.Array | pa.ChunkedArray:
    """Parse a text column of whole numbers within ``[minimum, maximum]`` to int64.

    ``2024.5``, ``-3`` for a year or ``99999`` for an int16 column are refused with their line,
    instead of failing later in a cast (``2024.0`` is accepted: spreadsheets write whole numbers so).
    """
    numbers = parse_numbers(values, field=field, file=file, first_line=first_line)
    whole = pc.equal(pc.floor(numbers), numbers)
    ok = pc.and_(whole, pc.and_(pc.greater_equal(numbers, minimum), pc.less_equal(numbers, maximum)))
    bad = first_false(ok)
    if bad is not None:
        raise SchemaError(
            f"{numbers[bad].as_py():g} is not {what} from {minimum} to {maximum}",
            file=file,
            line=first_line + bad,
            field=field,
            hint="fix or remove that row, or download the file again",
        )
    return pc.cast(numbers, pa.int64())


def require_rows(table: pa.Table, *, file: str | Path, line: int = 1) -> pa.Table:
    """``table`` if it has rows; a header-only file is refused (it is never a whole release)."""
    if table.num_rows == 0:
        raise SchemaError(
            "the file has a header but no rows",
            file=file,
            line=line,
            hint="the download may be cut short: fetch the file again",
        )
    return table


class CutShortError(DataSourceError):
    """A text file that ends inside a quoted field: it was cut short."""

    def __init__(self, file: str | Path) -> None:
        super().__init__(
            "the file ends inside a quoted field: it is cut short or a quote is unbalanced",
            file=file,
            hint="download the file again",
        )


def require_balanced_quotes(path: Path, *, chunk: int = 1 << 22) -> None:
    """Refuse a CSV with an odd number of ``"``: a well-formed CSV doubles quotes inside quoted
    fields, so an odd count means the file ends inside a quoted field (cut mid-file). Arrow's CSV
    reader would take the rest of the file as that field's value without a word."""
    import gzip

    opener = gzip.open if path.suffix.lower() == ".gz" else open
    count = 0
    try:
        with opener(path, "rb") as fh:
            while block := fh.read(chunk):
                count += block.count(b'"')
    except (OSError, EOFError) as exc:
        raise DataSourceError(
            f"cannot read the file ({exc})", file=path, hint="the download may be truncated: fetch it again"
        ) from None
    if count % 2:
        raise CutShortError(path)
