"""Gravity tables from customs trade and geography (BACI aggregated to country pairs + CEPII GeoDist).

``gravity_table`` sums product-level flows (e.g. BACI rows ``exporter, importer, value_kusd``) to
country pairs and joins CEPII GeoDist (``read_geodist_dyadic``): ``ln_dist`` (log of the distance
between the most populated cities, km), ``cntg`` (common border), ``lang`` (common official
language), ``clny`` (colonial relationship) and ``intl_brdr``. Pairs without trade are kept with
zero trade (PPML uses them) when both countries trade at all.

Customs data have no domestic sales, so the table is good for estimation on international pairs
(``exporter != importer``) but a general-equilibrium baseline needs ``domestic``: each country's
sales to itself (gross output minus exports, e.g. from production statistics), in the unit of
the trade values. Without it ``build_baseline`` refuses the table and says so.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa

from friendshore.errors import UserError
from friendshore.sources.checks import require_frame_columns

__all__ = ["gravity_table"]

_GEODIST = {"contig": "cntg", "comlang_off": "lang", "colony": "clny"}


def gravity_table(
    flows: pd.DataFrame,
    geography: pa.Table | pd.DataFrame,
    *,
    value: str = "value_kusd",
    exporter: str = "exporter",
    importer: str = "importer",
    domestic: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Country-pair gravity table: ``exporter, importer, trade, ln_dist, cntg, lang, clny, intl_brdr``.

    ``flows``: product-level or pair-level trade with ISO3 ``exporter``/``importer`` and ``value``.
    ``geography``: GeoDist rows (``origin, destination, dist_km, contig, comlang_off, colony``).
    ``domestic``: optional domestic sales per country, added as ``exporter == importer`` rows (with
    GeoDist's internal distance); countries absent from it get no domestic row.
    """
    require_frame_columns(
        flows.columns, (exporter, importer, value), what="trade table", hint="", list_columns=False
    )
    geo = geography.to_pandas() if isinstance(geography, pa.Table) else geography
    needed = ["origin", "destination", "dist_km", *_GEODIST]
    require_frame_columns(
        geo.columns,
        needed,
        what="geography table",
        hint="read CEPII's dist_cepii file with read_geodist_dyadic",
        list_columns=False,
    )
    international = flows.loc[flows[exporter] != flows[importer]]
    pairs = international.groupby([exporter, importer])[value].sum().reset_index()
    countries = sorted(set(pairs[exporter]) | set(pairs[importer]) | set(domestic or {}))
    if not countries:
        raise UserError("the trade table has no international flows")
    grid = pd.MultiIndex.from_product([countries, countries], names=["exporter", "importer"]).to_frame(
        index=False
    )
    grid = grid.loc[grid["exporter"] != grid["importer"]]
    table = grid.merge(
        pairs.rename(columns={exporter: "exporter", importer: "importer", value: "trade"}),
        on=["exporter", "importer"],
        how="left",
    )
    table["trade"] = table["trade"].fillna(0.0)
    if domestic:
        home = pd.DataFrame(
            {"exporter": list(domestic), "importer": list(domestic), "trade": list(domestic.values())}
        )
        table = pd.concat([table, home], ignore_index=True)
    geo = geo[needed].rename(columns={"origin": "exporter", "destination": "importer", **_GEODIST})
    table = table.merge(geo, on=["exporter", "importer"], how="left")
    lacking = table.loc[table["dist_km"].isna(), ["exporter", "importer"]]
    if not lacking.empty:
        unknown = sorted(set(countries) - set(geo["exporter"]))
        which = (
            f"countries {', '.join(unknown[:8])}" if unknown else f"pairs such as {lacking.iloc[0].tolist()}"
        )
        raise UserError(
            f"GeoDist has no distance for {len(lacking)} pairs ({which}); map those codes to GeoDist's "
            "or drop them before building the gravity table"
        )
    table["ln_dist"] = np.log(table.pop("dist_km").astype(float))
    table["intl_brdr"] = (table["exporter"] != table["importer"]).astype(float)
    for col in _GEODIST.values():
        table[col] = table[col].astype(float)
    columns = ["exporter", "importer", "trade", "ln_dist", "cntg", "lang", "clny", "intl_brdr"]
    return table[columns].sort_values(["exporter", "importer"]).reset_index(drop=True)
