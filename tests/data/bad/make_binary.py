"""Write the binary cases of the bad-input corpus (zips, workbooks, gzip, Parquet) from small
hand-written content. The outputs are committed; run this only to change them:

    .venv/bin/python tests/data/bad/make_binary.py
"""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).parent
FIXED = (2024, 1, 1, 0, 0, 0)  # zip member dates: the same bytes every run


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, FIXED), data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _write(path: str, data: bytes) -> None:
    target = HERE / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def baci_zips() -> None:
    countries = (HERE / "baci" / "country_codes_V202601.csv").read_bytes()
    rows = "".join(f"2024,156,842,{850500 + i:06d},{i + 1}.5,0.2\n" for i in range(400))
    release = _zip(
        {
            "BACI_HS17_Y2024_V202601.csv": ("t,i,j,k,v,q\n" + rows).encode(),
            "country_codes_V202601.csv": countries,
        }
    )
    _write("baci/zip-truncated/BACI_HS17_V202601.zip", release[: len(release) // 2])
    # central directory intact, the yearly member's compressed bytes damaged: the CRC check fails
    start = release.index(b"BACI_HS17_Y2024_V202601.csv") + 60
    damaged = release[:start] + bytes(b ^ 0x55 for b in release[start : start + 40]) + release[start + 40 :]
    _write("baci/zip-corrupt-member/BACI_HS17_V202601.zip", damaged)


def _workbook(sheet_xml: bytes) -> bytes:
    return _zip(
        {
            "[Content_Types].xml": b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            b'<Default Extension="xml" ContentType="application/xml"/>'
            b'<Override PartName="/xl/workbook.xml" '
            b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            b'<Override PartName="/xl/worksheets/sheet1.xml" '
            b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            b"</Types>",
            "_rels/.rels": b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" '
            b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            b'Target="xl/workbook.xml"/></Relationships>',
            "xl/workbook.xml": b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            b'<sheets><sheet name="GovernmentEffectiveness" sheetId="1" r:id="rId1"/></sheets></workbook>',
            "xl/_rels/workbook.xml.rels": b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" '
            b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            b'Target="worksheets/sheet1.xml"/></Relationships>',
            "xl/worksheets/sheet1.xml": sheet_xml,
        }
    )


def workbooks() -> None:
    broken = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>The Worldwide Governance Indicators, 2023 Update'
        b"</t></is></c></row><row r=<<<"
    )
    _write("wgi/broken-sheet-xml/wgidataset.xlsx", _workbook(broken))
    _write(
        "hs-concordance/broken-sheet-xml/HS2022toHS2017ConversionAndCorrelationTables.xlsx", _workbook(broken)
    )


def compressed() -> None:
    wdi = (HERE / "wdi" / "good" / "WDI_NY.GDP.MKTP.CD_2025-03-24.csv").read_bytes()
    _write("wdi/gzip-not-csv/WDI_NY.GDP.MKTP.CD_2025-03-24.csv", gzip.compress(wdi, mtime=0))
    bgs = (HERE / "bgs" / "good" / "bgs_wms_production.csv").read_bytes() * 20
    whole = gzip.compress(bgs, mtime=0)
    _write("bgs/truncated-gzip/bgs_wms_production.csv.gz", whole[: len(whole) // 2])


def kite() -> None:
    """A two-economy, one-sector KITE baseline as ten Parquet files; the tariff repeats a key."""
    c, s = ["CHN", "USA"], "C17"
    pairs = [(o, d) for o in c for d in c]
    tables = {
        "trade_share": {"origin": [o for o, _ in pairs], "destination": [d for _, d in pairs]}
        | {"sector": [s] * 4, "value": [0.8, 0.3, 0.2, 0.7]},
        "tariff": {
            "origin": ["CHN", "CHN", "USA", "USA", "CHN"],
            "destination": ["CHN", "USA", "CHN", "USA", "USA"],
        }
        | {"sector": [s] * 5, "value": [1.0, 1.1, 1.05, 1.0, 1.25]},
        "intermediate_share": {"input": [s, s], "output": [s, s], "country": c, "value": [0.4, 0.3]},
        "expenditure": {"country": c, "sector": [s, s], "value": [100.0, 120.0]},
        "consumption_share": {"sector": [s, s], "country": c, "value": [1.0, 1.0]},
        "factor_share": {"sector": [s, s], "country": c, "value": [0.6, 0.7]},
        "value_added": {"country": c, "value": [60.0, 84.0]},
        "trade_balance": {"country": c, "value": [5.0, -5.0]},
        "trade_balance_with_inventory": {"country": c, "value": [5.0, -5.0]},
        "trade_elasticity": {"sector": [s], "value": [0.2]},
    }
    for name, columns in tables.items():
        buffer = io.BytesIO()
        pq.write_table(pa.table(columns), buffer)
        _write(f"kite/duplicate-tariff/{name}.parquet", buffer.getvalue())


if __name__ == "__main__":
    baci_zips()
    workbooks()
    compressed()
    kite()
