"""Caliendo & Parro (2015) replication data: the NAFTA multi-sector model's inputs.

Caliendo, L. and Parro, F. (2015), "Estimates of the Trade and Welfare Effects of NAFTA",
*Review of Economic Studies* 82(1), 1-44. The replication package ships tab-delimited numeric
matrices without headers, for 31 economies (the last is the rest of the world) and 40 sectors,
the first 20 of them tradable:

| file | shape | read as |
|---|---|---|
| ``IO.txt`` | 1240 x 40 | ``io[n, k, j]``: share of input sector k in sector j's intermediate costs in country n (31 stacked 40 x 40 blocks; each used column sums to 1; a few entries are tiny negatives, kept as shipped) |
| ``B.txt`` | 40 x 31 | ``va_share[j, n]``: value added over gross output |
| ``GO.txt`` | 40 x 31 | ``gross_output[j, n]``: gross output, 1993, US dollars |
| ``T.txt`` | 20 x 1 | ``theta[j]``: trade elasticity of tradable sector j |
| ``tariffs1993.txt``, ``tariffs2005.txt`` | 620 x 31 | ``tariffs_*[j, n, i]``: applied tariff in percent on sector j imported by n from i (20 stacked 31 x 31 blocks, columns = exporters) |
| ``xbilat1993.txt`` | 620 x 31 | ``trade_1993[j, n, i]``: imports of n from i in sector j, thousand US dollars |

Economies and sectors (``CP_COUNTRIES``, ``CP_SECTORS``) follow the paper's order (section 4.1 and
its appendix table of sectors): the 30 countries in alphabetical order of their English names, then
the rest of the world (``ROW``, not an ISO3 code); the 20 tradable ISIC rev. 3 manufacturing and
primary sectors, then 20 services and other non-tradables. The country order is also the one of
the public Python port of the replication code (powell001/Caliendo_Parro_2015_Python) and is
checked against the trade data in the tests (the US has the largest gross output; Canada's and
Mexico's largest supplier is the US; Japan has the largest surplus).

The layout follows the package's readme as restated in the sample data's MANIFEST; the column
sums of the IO blocks (1 for every sector in use) and the zero diagonals of the tariff and trade
blocks (no tariff or import from oneself) are checked on reading, which is what pins the
orientation down.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from friendshore.errors import DataSourceError, SchemaError
from friendshore.sources.checks import require_nonempty

__all__ = [
    "CP_COUNTRIES",
    "CP_SECTORS",
    "N_COUNTRIES",
    "N_SECTORS",
    "N_TRADABLE",
    "CaliendoParroData",
    "read_caliendo_parro",
]

N_COUNTRIES = 31
N_SECTORS = 40
N_TRADABLE = 20

#: The economies of the replication data, in the files' order (``ROW``: the rest of the world).
CP_COUNTRIES: tuple[str, ...] = (
    "ARG", "AUS", "AUT", "BRA", "CAN", "CHL", "CHN", "DNK", "FIN", "FRA", "DEU", "GRC", "HUN", "IND",
    "IDN", "IRL", "ITA", "JPN", "KOR", "MEX", "NLD", "NZL", "NOR", "PRT", "ZAF", "ESP", "SWE", "TUR",
    "GBR", "USA", "ROW",
)  # fmt: skip
#: The sectors in the files' order: (code, name); the first ``N_TRADABLE`` are traded.
CP_SECTORS: tuple[tuple[str, str], ...] = (
    ("CP01", "agriculture"), ("CP02", "mining"), ("CP03", "food"), ("CP04", "textiles"),
    ("CP05", "wood"), ("CP06", "paper"), ("CP07", "petroleum"), ("CP08", "chemicals"),
    ("CP09", "plastic"), ("CP10", "minerals"), ("CP11", "basic metals"), ("CP12", "metal products"),
    ("CP13", "machinery n.e.c."), ("CP14", "office"), ("CP15", "electrical"),
    ("CP16", "communication"), ("CP17", "medical"), ("CP18", "auto"), ("CP19", "other transport"),
    ("CP20", "other"), ("CP21", "electricity"), ("CP22", "construction"), ("CP23", "retail"),
    ("CP24", "hotels"), ("CP25", "land transport"), ("CP26", "water transport"),
    ("CP27", "air transport"), ("CP28", "auxiliary transport"), ("CP29", "post"), ("CP30", "finance"),
    ("CP31", "real estate"), ("CP32", "renting machinery"), ("CP33", "computer"), ("CP34", "R&D"),
    ("CP35", "other business"), ("CP36", "public"), ("CP37", "education"), ("CP38", "health"),
    ("CP39", "other services"), ("CP40", "private households"),
)  # fmt: skip

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class CaliendoParroData:
    """The CP2015 inputs as arrays (axes named in the module docstring)."""

    io: Array
    va_share: Array
    gross_output: Array
    theta: Array
    tariffs_1993: Array
    tariffs_2005: Array
    trade_1993: Array


def _matrix(path: Path, shape: tuple[int, int], *, minimum: float = 0.0) -> Array:
    """Read a headerless tab-delimited matrix, checking every value (>= ``minimum``) and the shape."""
    require_nonempty(path)
    rows: list[list[float]] = []
    with open(path, encoding="ascii", errors="strict") as fh:
        try:
            for line_no, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                fields = line.rstrip("\n").split("\t")
                if len(fields) != shape[1]:
                    raise SchemaError(
                        f"{len(fields)} columns, expected {shape[1]}",
                        file=path,
                        line=line_no,
                        hint="is this the file from the Caliendo & Parro replication package?",
                    )
                values = []
                for col, text in enumerate(fields, start=1):
                    try:
                        values.append(float(text))
                    except ValueError:
                        raise SchemaError(
                            f"'{text.strip()}' is not a number",
                            file=path,
                            line=line_no,
                            field=f"column {col}",
                        ) from None
                rows.append(values)
        except UnicodeDecodeError as exc:
            raise DataSourceError(f"not a plain-text matrix ({exc})", file=path) from None
    if len(rows) != shape[0]:
        raise SchemaError(f"{len(rows)} rows, expected {shape[0]}", file=path)
    matrix = np.asarray(rows, dtype=np.float64)
    bad = ~np.isfinite(matrix) | (matrix < minimum)
    if bad.any():
        row, col = (int(i) for i in np.argwhere(bad)[0])
        raise SchemaError(
            f"value {matrix[row, col]} is below {minimum} or not finite",
            file=path,
            line=row + 1,
            field=f"column {col + 1}",
        )
    return matrix


def _blocks(matrix: Array, n_blocks: int, size: int) -> Array:
    return matrix.reshape(n_blocks, size, matrix.shape[1])


def read_caliendo_parro(folder: str | Path) -> CaliendoParroData:
    """Read the seven CP2015 matrices from ``folder`` and check their layout."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataSourceError("not a folder", file=folder, hint="pass the folder holding IO.txt, B.txt, ...")
    bilateral = (N_TRADABLE * N_COUNTRIES, N_COUNTRIES)
    # The package's IO shares hold a few tiny negative entries (down to about -0.001): kept as shipped.
    io_matrix = _matrix(folder / "IO.txt", (N_SECTORS * N_COUNTRIES, N_SECTORS), minimum=-0.01)
    io = _blocks(io_matrix, N_COUNTRIES, N_SECTORS)
    column_sums = io.sum(axis=1)
    used = column_sums > 0
    if not np.allclose(column_sums[used], 1.0, atol=1e-5):
        raise SchemaError("input-output shares of a sector do not sum to 1", file=folder / "IO.txt")
    data = CaliendoParroData(
        io=io,
        va_share=_matrix(folder / "B.txt", (N_SECTORS, N_COUNTRIES)),
        gross_output=_matrix(folder / "GO.txt", (N_SECTORS, N_COUNTRIES)),
        theta=_matrix(folder / "T.txt", (N_TRADABLE, 1))[:, 0],
        tariffs_1993=_blocks(_matrix(folder / "tariffs1993.txt", bilateral), N_TRADABLE, N_COUNTRIES),
        tariffs_2005=_blocks(_matrix(folder / "tariffs2005.txt", bilateral), N_TRADABLE, N_COUNTRIES),
        trade_1993=_blocks(_matrix(folder / "xbilat1993.txt", bilateral), N_TRADABLE, N_COUNTRIES),
    )
    if (data.va_share > 1).any():
        raise SchemaError("a value-added share exceeds 1", file=folder / "B.txt")
    for name in ("tariffs_1993", "tariffs_2005", "trade_1993"):
        blocks = getattr(data, name)
        if np.abs(np.diagonal(blocks, axis1=1, axis2=2)).max() > 0:
            raise SchemaError(f"{name}: a country trades with itself; is the layout transposed?", file=folder)
    return data
