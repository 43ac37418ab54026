"""Consistency checks of the chip trade against an independent record: Taiwan's own customs data.

BACI's flows from Taiwan (code 490, "Other Asia, nes") are built from the partners' declarations:
here China's customs record of its imports from Taiwan, reconciled and put on an FOB basis by
CEPII. Taiwan's customs record is the exporter's side. The two differ for known reasons: China
records imports by country of origin and Taiwan records exports by destination (chips routed
through Hong Kong count as from Taiwan in China's record and as to Hong Kong in Taiwan's), CIF
against FOB valuation, timing, and Taiwan's exports include re-exports. The check records the gap;
it does not force the two equal. Its tolerance is Taiwan's recorded exports of 8542 to Hong Kong
in the same year: a gap larger than all of the Hong Kong route would need another explanation.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from pathlib import Path

from friendshore.analyses.reproductions.compare import Check
from friendshore.metrics.leverage import leverage
from friendshore.settings import Settings, load_settings
from friendshore.sources.taiwan_customs import FULL_YEAR, read_taiwan_ic_exports
from friendshore.warehouse import connect
from friendshore.warehouse.ingest_baci import ingest_baci

__all__ = ["customs_8542_exports", "taiwan_ic_exports"]

_CUSTOMS = Path("taiwan_customs_ic_exports") / "taiwan_8542_exports_by_destination_tidy.csv.gz"
_BACI = Path("baci_hs07_china_semiconductor_imports")
_COUNTRIES = Path("baci_critical_materials") / "country_codes_V202601.csv"
_SOURCE = (
    "Taiwan Customs Administration (Ministry of Finance) trade statistics, exports of CCC 8542 to "
    "mainland China, full year (taiwan_customs_ic_exports); ours: BACI HS07 V202601, China's imports "
    "of 8542 from code 490; tolerance: Taiwan's exports of 8542 to Hong Kong that year"
)


def customs_8542_exports(settings: Settings) -> dict[tuple[int, str], float]:
    """``{(year, destination): kUSD}`` of Taiwan's full-year exports of heading 8542."""
    table = read_taiwan_ic_exports(Path(settings.sample_data) / _CUSTOMS)
    out: dict[tuple[int, str], float] = defaultdict(float)
    for row in table.to_pylist():
        if row["period"] == FULL_YEAR and str(row["ccc11"]).startswith("8542"):
            out[(int(row["year"]), str(row["destination"]))] += float(row["value_usd"]) / 1000.0
    return dict(out)


def taiwan_ic_exports(settings: Settings) -> list[Check]:
    """Per year both sources hold: Taiwan's exports of 8542 to China, Taiwan's record beside BACI's."""
    customs = customs_8542_exports(settings)
    years = sorted({y for y, dest in customs if dest == "China"})
    folder = Path(settings.sample_data) / _BACI
    files = [folder / f"BACI_HS07_Y{y}_V202601_chn-semis.csv" for y in years]
    files = [f for f in files if f.exists()]
    checks = []
    with tempfile.TemporaryDirectory() as tmp:
        ingest_baci(Path(tmp), files, countries_file=Path(settings.sample_data) / _COUNTRIES)
        trade = connect(load_settings(home=tmp, sample_data=settings.sample_data)).table("trade")
        codes = trade.filter(trade.hs6.startswith("8542")).select("hs6").distinct().to_pyarrow().column(0)
        for year in sorted({int(f.name.split("_Y")[1][:4]) for f in files}):
            expr = leverage(
                trade, target=["CHN"], holders=["TWN"], year=year, hs6=codes.to_pylist(), world_known=False
            )
            ours = float(expr.holder_value_kusd.sum().to_pyarrow().as_py() or 0.0)
            published = customs[(year, "China")]
            checks.append(
                Check(
                    f"twn_8542_exports_to_chn_kusd.{year}",
                    round(published, 3),
                    round(ours, 3),
                    round(customs.get((year, "Hong Kong"), 0.0), 3),
                    f"{_SOURCE}; gap (ours / published - 1): {ours / published - 1:+.1%}",
                )
            )
    return checks
