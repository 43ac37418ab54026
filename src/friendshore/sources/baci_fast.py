"""The fast path for BACI yearly files: DuckDB's CSV reader, one checking SQL pass, Parquet out.

``iter_baci_trade`` (``sources/baci.py``) is the reference reader: Arrow, field by field, every check
naming the first bad line and field; it parses each field several times. ``copy_baci_trade`` reads
a yearly file once: a feeding loop reads it (from disk or from a zip member), hashes it for
provenance, checks its bytes, counts its lines and reports progress; DuckDB's CSV reader parses it
with declared types, and one ``COPY (SELECT ...) TO 'x.parquet'`` checks every row, maps the
country codes to ISO3 and writes the ``trade`` schema (Snappy) under a memory limit. A zip member
reaches DuckDB through a named pipe the feeding loop writes to; a file on disk DuckDB reads itself,
in parallel, while the loop reads the same bytes beside it (from the page cache: no copy through a
pipe), and a file whose size or modification time changes during the read is declined. ``scan_trade_file`` then reads the key columns of
the file written, by their dictionary indices: every code known and every HS6 code six digits, the
distinct countries and products (coverage), and whether the flows are in CEPII's order, in which
case no flow repeats and the caller skips its grouping pass.

Its contract with the reference reader:

* It accepts a *subset* of what the reference accepts, and for that subset writes the rows the
  reference would yield: same values, same order. For anything else it declines (``Declined``)
  and the caller runs the reference reader, which loads the file or names the first bad line and
  field. Every error message is therefore the reference reader's, word for word.
* The subset is the plain form CEPII ships: the header exactly ``t,i,j,k,v,q``; data made only of
  the bytes ``0-9 . , N A`` and line ends (``\\n``, or ``\\r\\n`` throughout); six fields on every
  line and no empty line; every ``t`` equal to the file's year; country codes whole numbers in the
  release's dictionary (``156``, ``0156`` and ``156.0`` are all 156, as the reference reads them);
  HS6 codes of 5 or 6 digits; finite non-negative ``v``; ``q`` the same or ``NA``.
* Why that is enough: the byte alphabet keeps DuckDB's number parser inside what Arrow's accepts
  (DuckDB alone takes ``1_000``, ``+-0``, ``inf`` and spaces: none of them can be spelt here); the
  ``NAN`` it can still spell is refused by a finiteness check; the number of rows DuckDB writes must
  equal the number of lines counted while feeding the pipe, and the number of commas five a line,
  so that no row is dropped or added unseen (DuckDB skips empty lines and takes a trailing comma as
  an empty seventh field); codes and HS6 codes are checked on the distinct values written.
  ``tests/test_baci_fast.py`` holds both readers to this on every kind of file and on random ones.

POSIX only (a named pipe for zip members; the same code path for files); elsewhere
``copy_baci_trade`` declines and callers use the reference reader.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import itertools
import os
import tempfile
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

__all__ = [
    "AVAILABLE",
    "MEMORY_LIMIT",
    "Declined",
    "FastCopy",
    "TradeScan",
    "copy_baci_trade",
    "scan_trade_file",
]

#: The fast path needs a named pipe (POSIX).
AVAILABLE = hasattr(os, "mkfifo")
#: DuckDB's memory limit for the copy (it spills to a temporary folder beyond it).
MEMORY_LIMIT = "256MB"
#: DuckDB's CSV buffer (bytes). Its default (32 MB) lets the resident memory of a copy from a pipe
#: grow with the file up to about 350 MiB; 2 MB keeps it flat (about 250 MiB with the interpreter
#: and libraries, from 1 M to 11 M rows) at the same speed.
_CSV_BUFFER = 2 << 20
HEADER = b"t,i,j,k,v,q"
#: Snappy, DuckDB's and Spark's default (as DuckDB's own COPY writes): on a full BACI year it costs
#: about 1 s of CPU less than zstd at level 1 for a file about 5% larger (the values and quantities,
#: most of the bytes, compress little either way); dictionaries for at most 10,000 values per row
#: group: enough for every HS6 code of a revision (about 5,400), and DuckDB stops trying one for the
#: values and quantities early (a third of the write's time).
_PARQUET = "FORMAT parquet, COMPRESSION snappy, DICTIONARY_SIZE_LIMIT 10000"
_DATA_BYTES = b"0123456789.,NA\n\r"
_BLOCK = 1 << 20
_PIPE_SIZE = 1 << 20


@dataclass(frozen=True)
class TradeScan:
    """What one pass over a written ``trade`` file found (``scan_trade_file``)."""

    #: Flows strictly increasing in (exporter, importer, product) by the release's numeric codes, as
    #: CEPII sorts its files: then no flow repeats.
    ordered: bool
    #: No key is missing and every ``hs6`` is six digits.
    valid: bool
    exporters: frozenset[str] = field(repr=False)
    importers: frozenset[str] = field(repr=False)
    products: frozenset[str] = field(repr=False)


@dataclass(frozen=True)
class FastCopy:
    """What the fast path wrote: ``rows`` rows of ``year``; ``sha256`` of the bytes it read; the
    scan of the file written."""

    rows: int
    year: int
    sha256: str
    scan: TradeScan


@dataclass(frozen=True)
class Declined:
    """The file is outside the fast path's subset (or DuckDB stopped): use the reference reader."""

    reason: str


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class _Scan:
    """Checks and counts over the data bytes (after the header), block by block.

    Counting is enough where a search would be slow: DuckDB skips empty lines (the rows it
    writes would then fall short of the lines counted), and a line with a trailing comma, the one
    extra field DuckDB tolerates, leaves the file with more than five commas a line unless another
    line lacks one, which DuckDB refuses."""

    def __init__(self) -> None:
        self.tail = b""
        self.lf = self.cr = self.crlf = self.commas = 0
        self.size = 0
        self.reason = ""

    def take(self, block: bytes) -> None:
        if not block:
            return
        if block.translate(None, _DATA_BYTES):
            self.reason = "bytes outside the plain form (signs, exponents, spaces, quotes, letters)"
        data = np.frombuffer(block, dtype=np.uint8)  # counting with numpy: four times faster
        self.lf += int(np.count_nonzero(data == ord("\n")))
        self.commas += int(np.count_nonzero(data == ord(",")))
        if self.tail == b"\r" or b"\r" in block:
            self.cr += block.count(b"\r")
            self.crlf += (self.tail + block).count(b"\r\n")
        self.size += len(block)
        self.tail = block[-1:]

    def data_lines(self) -> int:
        """Data lines (an empty one included: DuckDB would skip it, and the counts then differ)."""
        if self.size == 0:
            return 0
        return self.lf + (0 if self.tail == b"\n" else 1)

    def finish(self) -> str:
        if not self.reason and self.cr != self.crlf:
            self.reason = "a carriage return not followed by a line feed"
        if not self.reason and self.commas != 5 * self.data_lines():
            self.reason = f"{self.commas} commas in {self.data_lines()} data lines (6 fields each expected)"
        return self.reason


def _header(first: bytes) -> tuple[int, str] | str:
    """Length of the header line with its line end, and the first data line's ``t`` as text; a
    reason to decline otherwise."""
    end = first.find(b"\n")
    if end < 0:
        return "no complete header line in the first block"
    line = first[:end]
    if line != HEADER and line != HEADER + b"\r":
        return "header is not exactly t,i,j,k,v,q"
    rest = first[end + 1 : end + 64]
    t_text = rest.split(b",", 1)[0] if b"," in rest else b""
    return end + 1, t_text.decode("ascii", "replace")


def _year_of(t_text: str, year: int | None) -> int | str:
    if year is not None:
        return year if 1900 <= year <= 2100 else "year outside 1900-2100"
    if len(t_text) == 4 and t_text.isdigit() and 1900 <= int(t_text) <= 2100:
        return int(t_text)
    return "the first row's year is not four digits from 1900 to 2100"


def _prepare(con: duckdb.DuckDBPyConnection, countries: Mapping[int, str], hs: str, rel: str) -> str:
    """Create the ENUM types; return the SQL list whose item ``code + 1`` is that code's ISO3.

    DuckDB writes ENUM columns to Parquet as plain strings with their dictionary, without hashing
    every value (about as fast as writing integers). Codes map by a list lookup, not a join: the
    build side of a join DuckDB may flip (it cannot size a pipe) and so lose the file's order."""
    smallest: dict[str, int] = {}
    for code, iso3 in sorted(countries.items()):
        smallest.setdefault(iso3, code)
    # in code order, so that ``scan_trade_file`` can order rows by dictionary position
    con.execute(f"CREATE TYPE iso3_t AS ENUM ({', '.join(map(_quote, smallest))})")
    con.execute(f"CREATE TYPE hs_t AS ENUM ({_quote(hs)})")
    con.execute(f"CREATE TYPE release_t AS ENUM ({_quote(rel)})")
    by_code = [_quote(countries[c]) if c in countries else "NULL" for c in range(max(countries) + 1)]
    return f"[{', '.join(by_code)}]::iso3_t[]"


def _copy_sql(source: Path, dest: Path, year: int, hs: str, rel: str, iso3: str) -> str:
    """The one statement that reads, checks, maps and writes. Checked per row: the year, finite
    non-negative numbers. Checked after, from the file written (``scan_trade_file``, on the
    distinct values only): codes in the dictionary (a code that is not, or not a whole number,
    maps to NULL; ``156.0`` is 156, as the reference reads it) and HS6 codes of six digits
    (five-digit ones get their leading zero back; any other stays as read, to be refused there)."""
    columns = "{'t': 'DOUBLE', 'i': 'DOUBLE', 'j': 'DOUBLE', 'k': 'VARCHAR', 'v': 'DOUBLE', 'q': 'DOUBLE'}"
    return f"""
        COPY (
            SELECT
                CASE WHEN t = {year} AND isfinite(value_kusd) AND value_kusd >= 0
                      AND (qty_t IS NULL OR (isfinite(qty_t) AND qty_t >= 0))
                     THEN CAST({year} AS SMALLINT)
                     ELSE error('row outside the fast path') END AS year,
                exporter, importer,
                CASE WHEN strlen(k) = 5 THEN '0' || k ELSE k END AS hs6,
                value_kusd, qty_t,
                CAST({_quote(hs)} AS hs_t) AS hs_revision,
                CAST({_quote(rel)} AS release_t) AS "release"
            FROM (
                SELECT t, k, v AS value_kusd, q AS qty_t,
                       CASE WHEN i = floor(i) THEN ({iso3})[TRY_CAST(i AS INTEGER) + 1] END AS exporter,
                       CASE WHEN j = floor(j) THEN ({iso3})[TRY_CAST(j AS INTEGER) + 1] END AS importer
                FROM read_csv({_quote(str(source))}, columns = {columns}, header = true, delim = ',',
                              quote = '', escape = '', nullstr = 'NA', strict_mode = true, compression = 'none',
                              auto_detect = false, buffer_size = {_CSV_BUFFER})
            )
        ) TO {_quote(str(dest))} ({_PARQUET})"""


def _run(con: duckdb.DuckDBPyConnection, sql: str, out: dict[str, Any]) -> None:
    try:
        row = con.execute(sql).fetchone()
        out["rows"] = int(row[0]) if row else 0
    except BaseException as exc:  # handed to the feeding thread, which decides
        out["error"] = exc


def _open_writer(fifo: Path, worker: threading.Thread) -> int | None:
    """The pipe's write end, once DuckDB has opened the read end; ``None`` if DuckDB stopped first."""
    while True:
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno != errno.ENXIO:  # ENXIO: no reader yet
                raise
        else:
            os.set_blocking(fd, True)
            if hasattr(fcntl, "F_SETPIPE_SZ"):  # Linux: fewer, larger reads for DuckDB
                with contextlib.suppress(OSError):
                    fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, _PIPE_SIZE)
            return fd
        worker.join(0.002)
        if not worker.is_alive():
            return None


def _join(worker: threading.Thread, fifo: Path) -> None:
    """Wait for DuckDB; should it open the pipe again after the write end was closed, give it an
    end of file rather than wait forever."""
    while True:
        worker.join(0.05)
        if not worker.is_alive():
            return
        with contextlib.suppress(OSError):
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def copy_baci_trade(
    stream: IO[bytes],
    dest: Path,
    *,
    countries: Mapping[int, str],
    year: int | None,
    hs_revision: str,
    release: str,
    advance: Callable[[int], None] | None = None,
    digest: bool = True,
    memory_limit: str | None = None,
    spill: Path | None = None,
    path: Path | None = None,
) -> FastCopy | Declined:
    """Read the BACI yearly CSV ``stream`` once and write it to ``dest`` in the ``trade`` schema.

    Returns ``FastCopy`` (rows, year, sha256 of the bytes read, '' unless ``digest``) or ``Declined``
    with the reason, in which case ``dest`` may hold a partial file and the caller must read the
    file again with the reference reader. ``year`` is the file name's year (``None``: the first
    row's). ``advance`` is called with the number of bytes read, for a progress bar. ``path``: the
    file on disk ``stream`` reads (opened at its start), which DuckDB then reads itself, in
    parallel, instead of a pipe; declined if its size or modification time changes meanwhile.
    Interrupts propagate.
    """
    if not AVAILABLE:
        return Declined("no named pipes on this platform")
    hasher: Any = hashlib.sha256() if digest else None
    try:
        first = stream.read(_BLOCK)
    except Exception as exc:  # a corrupt zip member, an I/O error: the reference reports it
        return Declined(f"reading the file failed ({exc})")
    if hasher is not None:
        hasher.update(first)
    head = _header(first)
    if isinstance(head, str):
        return Declined(head)
    header_len, t_text = head
    year_or_reason = _year_of(t_text, year)
    if isinstance(year_or_reason, str):
        return Declined(year_or_reason)
    the_year = year_or_reason
    spill = spill or Path(tempfile.gettempdir()) / "friendshore-spill"
    scan = _Scan()
    out: dict[str, Any] = {}
    before = _stamp(path) if path is not None else None
    with tempfile.TemporaryDirectory(prefix="friendshore-baci-") as tmp:
        fifo = Path(tmp) / "trade.csv"
        if path is None:
            os.mkfifo(fifo, 0o600)
        config: dict[str, str | bool | int | float | list[str]] = {
            "memory_limit": memory_limit or MEMORY_LIMIT,
            "temp_directory": str(spill),
        }
        with duckdb.connect(config=config) as con:
            iso3 = _prepare(con, countries, hs_revision, release)
            sql = _copy_sql(path or fifo, dest, the_year, hs_revision, release, iso3)
            worker = threading.Thread(target=_run, args=(con, sql, out), daemon=True, name="baci-copy")
            worker.start()
            try:
                fd = _open_writer(fifo, worker) if path is None else _NO_PIPE
                if fd is None:
                    reason = "DuckDB stopped before reading"
                else:
                    reason = _feed(fd, stream, first, header_len, scan, hasher, advance)
                if reason:
                    con.interrupt()
            except BaseException:
                con.interrupt()
                raise
            finally:
                if path is None:
                    _join(worker, fifo)
                else:
                    worker.join()
    if not reason and path is not None and _stamp(path) != before:
        reason = "the file changed while it was read"
    if reason:
        return Declined(reason)
    if "error" in out:
        return Declined(f"DuckDB stopped: {str(out['error']).splitlines()[0][:200]}")
    rows = int(out.get("rows", -1))
    if rows <= 0 or rows != scan.data_lines():
        return Declined(f"DuckDB wrote {rows} rows for {scan.data_lines()} data lines")
    written = scan_trade_file(dest, countries)
    if not written.valid:
        return Declined("a country code not in the dictionary, or an HS6 code not of 5 or 6 digits")
    return FastCopy(rows, the_year, hasher.hexdigest() if hasher is not None else "", written)


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


#: ``_feed``'s pipe where DuckDB reads the file itself.
_NO_PIPE = -1


def _feed(
    fd: int,
    stream: IO[bytes],
    first: bytes,
    header_len: int,
    scan: _Scan,
    hasher: Any,
    advance: Callable[[int], None] | None,
) -> str:
    """Read the stream while checking it, writing it into the pipe ``fd`` (``_NO_PIPE``: DuckDB
    reads the file itself); returns a reason to decline ('' if none)."""
    try:
        block = first
        scan.take(block[header_len:])
        while block:
            if scan.reason:
                return scan.reason
            if fd != _NO_PIPE:
                _write_all(fd, block)
            if advance is not None:
                advance(len(block))
            try:
                block = stream.read(_BLOCK)
            except Exception as exc:  # a corrupt zip member, an I/O error: the reference reports it
                return f"reading the file failed ({exc})"
            if hasher is not None:
                hasher.update(block)
            scan.take(block)
        return scan.finish()
    except BrokenPipeError:
        return "DuckDB stopped reading"
    finally:
        if fd != _NO_PIPE:
            with contextlib.suppress(OSError):
                os.close(fd)


def _numbers(dictionary: pa.Array, canon: Mapping[str, int] | None) -> np.ndarray[Any, np.dtype[np.int64]]:
    """A dictionary's values as numbers: a country's smallest code (``canon``), or the HS6 code
    itself; -1 where there is none (an unknown country, an HS6 code not of six digits)."""
    if canon is not None:
        return np.asarray([canon.get(v, -1) for v in dictionary.to_pylist()], dtype=np.int64)
    digits = pc.match_substring_regex(dictionary, r"^\d{6}$")
    numbers = pc.cast(pc.if_else(digits, dictionary, "-1"), pa.int64())
    return np.asarray(numbers.to_numpy(zero_copy_only=False), dtype=np.int64)


_KEYS = ("exporter", "importer", "hs6")


@dataclass
class _Part:
    """What scanning a run of consecutive row groups found."""

    valid: bool = True
    ordered: bool = True
    first: int = -1  # the first and last key seen (-1: none)
    last: int = -1
    present: dict[str, list[pa.Array]] = field(default_factory=lambda: {name: [] for name in _KEYS})


def _scan_groups(path: Path, groups: range, canon: Mapping[str, int]) -> _Part:
    part = _Part()
    parquet = pq.ParquetFile(path, read_dictionary=list(_KEYS), pre_buffer=False)
    for group in groups:
        table = parquet.read_row_group(group, columns=list(_KEYS))
        if not table.num_rows:
            continue
        if any(column.num_chunks != 1 for column in table.columns):
            table = table.unify_dictionaries().combine_chunks()
        ranks, edges = [], []
        for name, chunks in zip(_KEYS, table.columns, strict=True):
            column = chunks.chunk(0)
            if not isinstance(column, pa.DictionaryArray):
                column = column.dictionary_encode()
            if column.null_count:
                part.valid = False
                indices = pc.drop_null(column.indices).to_numpy(zero_copy_only=False)
            else:
                indices = column.indices.to_numpy()  # no copy
            used = np.zeros(len(column.dictionary), dtype=bool)
            used[indices] = True
            part.present[name].append(column.dictionary.filter(pa.array(used)))
            numbers = _numbers(column.dictionary, canon if name != "hs6" else None)
            if (numbers[used] < 0).any():
                part.valid = False
            if part.valid and part.ordered:
                edges.append((int(numbers[indices[0]]), int(numbers[indices[-1]])))
                if name != "hs6" and bool((numbers[1:] > numbers[:-1]).all()):
                    # a dictionary in code order (DuckDB writes the ENUM's, which is): positions
                    # order rows as codes do, without looking each one up
                    ranks.append((indices.astype(np.int64), len(numbers)))
                else:
                    ranks.append((numbers[indices], 1_000_000 if name == "hs6" else 100_000))
        if part.valid and part.ordered:
            (key, _), (importer, radix), (hs6, _) = ranks
            key *= radix  # (exporter * radix + importer) * 1,000,000 + hs6, in place
            key += importer
            key *= 1_000_000
            key += hs6
            (e0, e1), (i0, i1), (h0, h1) = edges
            first, last = (e0 * 100_000 + i0) * 1_000_000 + h0, (e1 * 100_000 + i1) * 1_000_000 + h1
            part.ordered = bool(first > part.last and (key[1:] > key[:-1]).all())
            part.first = first if part.first < 0 else part.first
            part.last = last
    return part


def scan_trade_file(path: Path, countries: Mapping[int, str]) -> TradeScan:
    """One pass over a written ``trade`` file's key columns, by their dictionary indices, row
    group by row group (memory stays flat; runs of row groups on several threads): the distinct
    exporters, importers and products, whether every key is present and every HS6 code six
    digits, and whether the flows are strictly increasing in (exporter, importer, product) by the
    release's numeric codes, as CEPII sorts its files. A country whose ISO3 several codes share
    (276 and 280 are both DEU) counts as its smallest code, so that two codes of one country never
    hide a repeated flow."""
    canon: dict[str, int] = {}
    for code, iso3 in countries.items():
        canon[iso3] = min(code, canon.get(iso3, code))
    groups = pq.ParquetFile(path).num_row_groups
    workers = max(1, min(groups, os.cpu_count() or 1, 4))
    bounds = [groups * w // workers for w in range(workers + 1)]
    runs = [range(bounds[w], bounds[w + 1]) for w in range(workers)]
    if workers == 1:
        parts = [_scan_groups(path, runs[0], canon)]
    else:
        with ThreadPoolExecutor(workers, thread_name_prefix="baci-scan") as pool:
            parts = list(pool.map(lambda run: _scan_groups(path, run, canon), runs))
    valid = all(part.valid for part in parts)
    ordered = valid and all(part.ordered for part in parts)
    seen = [part for part in parts if part.first >= 0]
    ordered = ordered and all(a.last < b.first for a, b in itertools.pairwise(seen))
    found = {
        name: frozenset(
            pc.unique(
                pa.chunked_array([a for part in parts for a in part.present[name]], pa.string())
            ).to_pylist()
        )
        for name in _KEYS
    }
    return TradeScan(ordered, valid, found["exporter"], found["importer"], found["hs6"])
