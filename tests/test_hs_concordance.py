"""HS revisions: reading UNSD correlation/conversion tables (hand-made here) and mapping to HS 2017."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pyarrow.parquet as pq
import pytest

from friendshore.errors import DataSourceError, SchemaError, UnknownCodeError, UserError
from friendshore.interfaces.cli import run
from friendshore.nomenclature.hs import (
    concordance_table,
    hs17_candidates,
    hs_revision,
    normalise_hs6,
    read_hs_concordance,
    to_hs17,
)
from friendshore.nomenclature.taxonomy import sector_codes
from friendshore.warehouse.ingest import SOURCES, ingest_source
from friendshore.warehouse.store import read_manifest

# The layout of UNSD's conversion sheet: a title line, then "From HS 2022" / "To HS 2017";
# codes lose their leading zero when the workbook is saved as CSV.
CONVERSION_22_17 = """\
"Conversion table: HS 2022 to HS 2017",
"From HS 2022","To HS 2017"
10121,10121
854141,854140
854142,854140
854143,854140
811231,811292
811239,811299
"""

# The correlation sheet: no From/To, a Relationship column, an apostrophe before n:1 codes.
CORRELATION_22_17 = """\
HS 2022\tHS 2017\tRelationship
010121\t010121\t1:1
854141\t854140\t'n:1
854142\t854140\t'n:1
851762\t851762\t1:n
851762\t851769\t1:n
"""

# A table from HS 2017 back to HS 2012: read backwards for HS 2012 codes.
CONVERSION_17_12 = """\
From HS 2017,To HS 2012
854231,854231
854232,854232
847330,847330
854239,854239
852351,852351
852352,852351
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _xlsx(path: Path, sheets: dict[str, list[list[str]]]) -> Path:
    """A minimal .xlsx (inline strings) with the given sheets."""

    def cell(ref: str, value: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'

    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                for i in range(1, len(sheets) + 1)
            )
            + "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            + "".join(
                f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
                for i, name in enumerate(sheets, start=1)
            )
            + "</sheets></workbook>",
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, len(sheets) + 1)
            )
            + "</Relationships>",
        )
        for i, rows in enumerate(sheets.values(), start=1):
            body = "".join(
                f'<row r="{r}">' + "".join(cell(f"{'ABC'[c]}{r}", v) for c, v in enumerate(row)) + "</row>"
                for r, row in enumerate(rows, start=1)
            )
            z.writestr(
                f"xl/worksheets/sheet{i}.xml",
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                f"<sheetData>{body}</sheetData></worksheet>",
            )
    return path


def test_read_unsd_conversion_csv(tmp_path: Path) -> None:
    table = read_hs_concordance(_write(tmp_path, "HS2022toHS2017.csv", CONVERSION_22_17))
    assert table.num_rows == 6
    assert set(table.column("from_revision").to_pylist()) == {"HS22"}
    assert set(table.column("to_revision").to_pylist()) == {"HS17"}
    assert table.column("from_hs6").to_pylist()[0] == "010121"  # leading zero restored
    assert table.column("relationship").null_count == 6  # conversion sheets have none


def test_read_unsd_correlation_with_relationship(tmp_path: Path) -> None:
    table = read_hs_concordance(_write(tmp_path, "corr.txt", CORRELATION_22_17))
    assert table.column("relationship").to_pylist() == ["1:1", "n:1", "n:1", "1:n", "1:n"]
    assert table.column("from_revision")[0].as_py() == "HS22"


def test_to_hs17_maps_hs22_codes(tmp_path: Path) -> None:
    table = read_hs_concordance(_write(tmp_path, "conv.csv", CONVERSION_22_17))
    mapped = to_hs17(["854141", "854142", "811231", "10121"], "HS 2022", table)
    assert mapped == {"854141": "854140", "854142": "854140", "811231": "811292", "010121": "010121"}
    # The HS 2022 solar codes land on the taxonomy's HS 2017 solar code.
    assert set(mapped.values()) & set(sector_codes("solar-pv")) == {"854140"}


def test_unmappable_codes_are_named(tmp_path: Path) -> None:
    table = read_hs_concordance(_write(tmp_path, "conv.csv", CONVERSION_22_17))
    with pytest.raises(UnknownCodeError, match=r"2 HS22 code\(s\) cannot be mapped to HS17: 123456, 999999"):
        to_hs17(["854141", "999999", "123456"], "HS22", table)
    with pytest.raises(UnknownCodeError, match="no rows between HS96 and HS17"):
        to_hs17(["010121"], "HS96", table)
    with pytest.raises(UnknownCodeError, match="'8541' is not an HS6 code"):
        to_hs17(["8541"], "HS22", table)


def test_hs17_codes_map_to_themselves() -> None:
    empty = concordance_table([])
    assert to_hs17(["854231", "10121"], "HS17", empty) == {"854231": "854231", "010121": "010121"}


def test_a_table_towards_another_revision_is_read_backwards(tmp_path: Path) -> None:
    table = read_hs_concordance(_write(tmp_path, "HS2017toHS2012.csv", CONVERSION_17_12))
    assert to_hs17(["854231", "847330"], "HS12", table) == {"854231": "854231", "847330": "847330"}
    assert hs17_candidates(["852351"], "HS12", table) == {"852351": ["852351", "852352"]}
    with pytest.raises(UserError, match=r"852351 -> 852351, 852352"):
        to_hs17(["852351"], "HS12", table)


def test_split_in_a_correlation_table(tmp_path: Path) -> None:
    table = read_hs_concordance(_write(tmp_path, "corr.txt", CORRELATION_22_17))
    assert hs17_candidates(["851762"], "HS22", table) == {"851762": ["851762", "851769"]}
    with pytest.raises(UserError, match="several HS17 codes"):
        to_hs17(["851762"], "HS22", table)


@pytest.mark.parametrize(
    ("label", "revision"),
    [
        ("HS 2022", "HS22"),
        ("HS2017", "HS17"),
        ("hs92", "HS92"),
        ("H6", "HS22"),
        ("2007", "HS07"),
        ("HS 1996", "HS96"),
    ],
)
def test_revision_labels(label: str, revision: str) -> None:
    assert hs_revision(label) == revision


def test_unknown_revision() -> None:
    with pytest.raises(UnknownCodeError, match="known: HS92, HS96"):
        hs_revision("HS 2027")


@pytest.mark.parametrize(
    ("cell", "code"),
    [(10121, "010121"), (10121.0, "010121"), ("'010121", "010121"), ("0101.21", "010121"), ("", None)],
)
def test_normalise_hs6(cell: object, code: str | None) -> None:
    assert normalise_hs6(cell) == code


def test_bad_code_names_line_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.csv", CONVERSION_22_17.replace("854142,854140", "854142,ex8541"))
    with pytest.raises(SchemaError, match="'ex8541' is not an HS6 code") as info:
        read_hs_concordance(path)
    assert info.value.line == 5
    assert info.value.field == "To HS 2017"


def test_file_without_revision_header(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="no header with two HS revision columns"):
        read_hs_concordance(_write(tmp_path, "x.csv", "code,other\n010121,010121\n"))
    with pytest.raises(DataSourceError, match="file not found"):
        read_hs_concordance(tmp_path / "absent.csv")


def test_workbook_reads_the_conversion_sheet(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "HS2022toHS2017ConversionAndCorrelationTables.xlsx",
        {
            "Read me": [["Correlation and conversion tables between HS 2022 and HS 2017"]],
            "Correlation Tables": [["HS 2022", "HS 2017", "Relationship"], ["851762", "851762", "1:n"]],
            "Conversion Tables": [["From HS 2022", "To HS 2017"], ["854141", "854140"], ["811231", "811292"]],
        },
    )
    table = read_hs_concordance(path)
    assert table.column("from_hs6").to_pylist() == ["854141", "811231"]
    correlation = read_hs_concordance(path, sheet="Correlation Tables")
    assert correlation.column("relationship").to_pylist() == ["1:n"]
    with pytest.raises(DataSourceError, match="sheet 'Nope' not found"):
        read_hs_concordance(path, sheet="Nope")


def test_ingest_hs_concordance(tmp_path: Path) -> None:
    assert "hs-concordance" in SOURCES
    home = tmp_path / "home"
    parts = ingest_source(home, "hs-concordance", _write(tmp_path, "conv.csv", CONVERSION_22_17))
    assert [(p.table, p.key, p.rows) for p in parts] == [
        ("hs_concordance", {"from_revision": "HS22", "to_revision": "HS17"}, 6)
    ]
    stored = read_manifest(home).partitions("hs_concordance")
    assert len(stored) == 1
    data = pq.read_table(home / stored[0].file)
    assert data.column_names == ["from_revision", "to_revision", "from_hs6", "to_hs6", "relationship"]
    assert to_hs17(["854143"], "HS22", data) == {"854143": "854140"}
    # a second pair of revisions is a second partition; reloading a pair replaces it
    ingest_source(home, "hs-concordance", _write(tmp_path, "back.csv", CONVERSION_17_12))
    ingest_source(home, "hs-concordance", _write(tmp_path, "conv.csv", CONVERSION_22_17))
    assert sorted(p.key["from_revision"] for p in read_manifest(home).partitions("hs_concordance")) == [
        "HS17",
        "HS22",
    ]


def test_cli_ingest_hs_concordance(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, "conv.csv", CONVERSION_22_17)
    assert run(["--home", str(tmp_path / "home"), "ingest", "hs-concordance", str(path)]) == 0
    assert "hs_concordance" in capsys.readouterr().out
    bad = _write(tmp_path, "bad.csv", "a,b\n1,2\n")
    assert run(["--home", str(tmp_path / "home"), "ingest", "hs-concordance", str(bad)]) == 2
