"""Materials traded under a basket code: the plain label of each material's trade codes, and the
notes that say a basket's trade stands in for the material (811292 bundles gallium with germanium
and other metals). Shared by the two supply-risk methods (``supply_risk``, ``geopolrisk``)."""

from __future__ import annotations

import pyarrow as pa

__all__ = ["basket_notes", "with_traded_as"]


def with_traded_as(table: pa.Table) -> pa.Table:
    """Add ``traded_as`` (the plain labels of the ``hs6`` codes) and ``basket``; where a code is a basket
    (811292 bundles gallium with germanium and other metals) the ``note`` says that the imports are
    the basket's, never the material's alone."""
    from friendshore.nomenclature.labels import basket_members, is_basket, short_label

    labels, baskets, notes = [], [], []
    for codes, material, note in zip(
        table.column("hs6").to_pylist(),
        table.column("material").to_pylist(),
        table.column("note").to_pylist(),
        strict=True,
    ):
        hs6 = [c for c in (codes or "").split(";") if c]
        labels.append("; ".join(short_label(c) for c in hs6) or None)
        bundled = [c for c in hs6 if is_basket(c)]
        baskets.append(bool(bundled))
        said = [
            f"imports are of {short_label(c)}, which bundles {', '.join(basket_members(c))}: "
            f"shares and import figures are the basket's, not {material}'s alone"
            for c in bundled
        ]
        notes.append("; ".join([n for n in [note, *said] if n]) or None)
    table = table.append_column("traded_as", pa.array(labels, pa.string()))
    table = table.append_column("basket", pa.array(baskets, pa.bool_()))
    return table.set_column(table.schema.get_field_index("note"), "note", pa.array(notes, pa.string()))


def basket_notes(table: pa.Table) -> list[str]:
    """One sentence per material whose trade side is a basket code (after ``with_traded_as``)."""
    out = []
    for row in table.select(["material", "stage", "traded_as", "basket"]).to_pylist():
        if row["basket"]:
            out.append(
                f"{row['material']} ({row['stage']}): imports, exports and import figures are of "
                f"{row['traded_as']}, not of {row['material']} alone; the basket's trade stands in for it"
            )
    return out
