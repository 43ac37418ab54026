"""Loader: a UNSD HS conversion or correlation table -> ``hs_concordance``.

One partition per pair of revisions (``from_revision``, ``to_revision``): loading the HS 2022 ->
HS 2017 table again replaces that pair only. The sample is UNSD's three workbooks between HS 2017
and HS 2007, HS 2012 and HS 2022 (``hs_concordance_unsd/``).

From a UNSD workbook the conversion sheet is read (one target per source code, so a table from
HS 2022 to HS 2017 maps every HS 2022 code). A conversion table from HS 2017 to an older revision does not reach every code of that revision (65 HS 2007
codes are the target of no HS 2017 code: their scope went to codes that convert elsewhere), so the
correlation sheet's links are added for exactly those codes, with their relationship: every code of
both revisions then has a counterpart, and trade in any of them can be mapped
(``friendshore.nomenclature.hs.hs17_crosswalk``).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from friendshore.nomenclature.hs import REFERENCE_REVISION, read_hs_concordance
from friendshore.warehouse.loading import Loaded, SourceLoader

__all__ = ["LOADER"]

_WORKBOOKS = (".xlsx", ".xls", ".xlsm", ".xlsb", ".ods")


def _correlation_sheet(path: Path) -> str | None:
    from python_calamine import CalamineWorkbook

    names = CalamineWorkbook.from_path(str(path)).sheet_names
    return next((n for n in names if "correlation" in n.lower()), None)


def _load(path: Path) -> list[Loaded]:
    table = read_hs_concordance(path)
    towards_other = table.column("to_revision")[0].as_py() != REFERENCE_REVISION
    workbook = path.suffix.lower() in _WORKBOOKS
    sheet = _correlation_sheet(path) if workbook and towards_other else None
    if sheet is not None:
        links = read_hs_concordance(path, sheet=sheet)
        same = pc.and_(
            pc.equal(links.column("from_revision"), table.column("from_revision")[0]),
            pc.equal(links.column("to_revision"), table.column("to_revision")[0]),
        )
        reached = pc.unique(table.column("to_hs6"))
        missing = links.filter(pc.and_(same, pc.invert(pc.is_in(links.column("to_hs6"), reached))))
        if missing.num_rows:
            table = pa.concat_tables([table, missing.cast(table.schema)])
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
        "sheet is read, plus the correlation links of codes it does not reach) or a CSV of one "
        "sheet with columns like 'From HS 2022','To HS 2017'"
    ),
    load=_load,
    sample=(
        "hs_concordance_unsd/HS2017toHS2007ConversionAndCorrelationTables.xlsx",
        "hs_concordance_unsd/HS2017toHS2012ConversionAndCorrelationTables.xlsx",
        "hs_concordance_unsd/HS2022toHS2017ConversionAndCorrelationTables.xlsx",
    ),
)
