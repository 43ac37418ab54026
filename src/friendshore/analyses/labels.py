"""The names people read beside codes: products (HS6), countries (ISO3) and groups, in one table.

A renderer that shows a code (the dashboard, a spreadsheet of the API's CSV) looks its plain name
up here instead of keeping its own list: the labels are ``friendshore.nomenclature.labels``'s, the
same the brief prints ("Permanent magnets (850511)", "Gallium, germanium and other metals (811292,
basket)", "India", "European Union").
"""

from __future__ import annotations

import pyarrow as pa

from friendshore.analyses.result import Column, Result
from friendshore.settings import Settings

__all__ = ["labels"]


def labels(settings: Settings) -> Result:
    """Every labelled code with its plain name: HS6 products (baskets marked), countries and groups
    (the user's own groups included)."""
    from friendshore.nomenclature.groups import iso3_codes
    from friendshore.nomenclature.labels import (
        LABELS_PATH,
        group_labels,
        is_basket,
        product_labels,
        short_label,
    )

    rows: list[dict[str, object]] = []
    for hs6 in sorted(product_labels()):
        rows.append({"code": hs6, "kind": "product", "label": short_label(hs6), "basket": is_basket(hs6)})
    for iso3, name in sorted(iso3_codes().items()):
        rows.append({"code": iso3, "kind": "country", "label": name, "basket": None})
    for slug, name in sorted(group_labels(settings.home).items()):
        rows.append({"code": slug, "kind": "group", "label": name, "basket": None})
    schema = pa.schema(
        [("code", pa.string()), ("kind", pa.string()), ("label", pa.string()), ("basket", pa.bool_())]
    )
    described = (
        Column("code", "code", "code", True, "HS6 code, ISO3 code or group name"),
        Column("kind", "kind", "text", True, "product, country or group"),
        Column("label", "name", "text", True, "the plain name people read (a product's with its code)"),
        Column("basket", "basket", "flag", True, "a product code that bundles several materials"),
    )
    return Result(
        "labels",
        "Plain names of products, countries and groups",
        pa.Table.from_pylist(rows, schema=schema),
        {},
        (),
        (),
        described,
        sources=(LABELS_PATH,),
    )
