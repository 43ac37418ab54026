"""Loader: a UNSD HS conversion or correlation table -> ``hs_concordance``.

One partition per pair of revisions (``from_revision``, ``to_revision``): loading the HS 2022 ->
HS 2017 table again replaces that pair only. No sample file ships with the real data, so this
source has no ``sample``.
"""

from __future__ import annotations

from pathlib import Path

from friendshore.nomenclature.hs import read_hs_concordance
from friendshore.warehouse.loading import Loaded, SourceLoader

__all__ = ["LOADER"]


def _load(path: Path) -> list[Loaded]:
    table = read_hs_concordance(path)
    key = {
        "from_revision": table.column("from_revision")[0].as_py(),
        "to_revision": table.column("to_revision")[0].as_py(),
    }
    return [Loaded("hs_concordance", key, table)]


LOADER = SourceLoader(
    name="hs-concordance",
    description="a UNSD HS conversion or correlation table (e.g. HS 2022 -> HS 2017)",
    expects=(
        "a UNSD table such as HS2022toHS2017ConversionAndCorrelationTables.xlsx (the conversion "
        "sheet is read) or a CSV of one sheet with columns like 'From HS 2022','To HS 2017'"
    ),
    load=_load,
)
