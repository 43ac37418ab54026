"""Copy the dashboard's JavaScript and map into the package (``make web``; run after ``npm ci``).

Vega, Vega-Lite and vega-embed are copied as published (their minified UMD builds and licences).
The world map is world-atlas's Natural Earth 1:110m countries (public domain), with each country's
ISO 3166-1 alpha-3 code added as ``properties.iso3`` from its numeric code (i18n-iso-countries'
codes table), so that the dashboard joins it to the API's rows by ISO3.

    cd web && npm ci && python build.py
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODULES = HERE / "node_modules"
VENDOR = HERE.parent / "src" / "friendshore" / "interfaces" / "web" / "static" / "vendor"

COPIES = {
    "vega/build/vega.min.js": "vega.min.js",
    "vega-lite/build/vega-lite.min.js": "vega-lite.min.js",
    "vega-embed/build/vega-embed.min.js": "vega-embed.min.js",
    "vega/LICENSE": "LICENSE.vega.txt",
    "vega-lite/LICENSE": "LICENSE.vega-lite.txt",
    "vega-embed/LICENSE": "LICENSE.vega-embed.txt",
    "world-atlas/LICENSE": "LICENSE.world-atlas.txt",
}


def world_map() -> dict[str, object]:
    topo = json.loads((MODULES / "world-atlas" / "countries-110m.json").read_text())
    codes = json.loads((MODULES / "i18n-iso-countries" / "codes.json").read_text())
    numeric = {row[2]: row[1] for row in codes}
    for geometry in topo["objects"]["countries"]["geometries"]:
        props = geometry.setdefault("properties", {})
        props["iso3"] = numeric.get(str(geometry.get("id", "")))
    return topo


def main() -> int:
    if not MODULES.is_dir():
        print("web/node_modules is missing: run 'npm ci' in web/ first", file=sys.stderr)
        return 1
    VENDOR.mkdir(parents=True, exist_ok=True)
    for source, target in COPIES.items():
        shutil.copyfile(MODULES / source, VENDOR / target)
    (VENDOR / "world-110m.json").write_text(json.dumps(world_map(), separators=(",", ":")))
    print(f"wrote {len(COPIES) + 1} files to {VENDOR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
