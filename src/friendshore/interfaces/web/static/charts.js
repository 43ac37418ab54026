// Generic Vega-Lite spec templates fed by the API's rows (meta.columns gives labels and units).
// Kept small on purpose: reporting/charts.py (Altair) can later produce these specs instead.
"use strict";

const Charts = (() => {
  const WIDTH = "container";

  function axisFormat(unit) {
    if (unit === "share") return { format: ".0%" };
    if (unit === "kusd" || unit === "usd" || unit === "t") return { format: "~s" };
    if (unit === "pct") return { format: ".2~f" };
    return {};
  }

  function label(meta, name) {
    const col = (meta.columns || []).find((c) => c.name === name);
    if (!col) return name;
    const units = { kusd: " (thousand USD)", pct: " (%)", t: " (t)", km: " (km)" };
    return col.label.includes("(") ? col.label : col.label + (units[col.unit] || "");
  }

  function unit(meta, name) {
    const col = (meta.columns || []).find((c) => c.name === name);
    return col ? col.unit : "index";
  }

  // Horizontal bars: one bar per row (rows in the analysis's order), `x` numeric, `y` a category.
  function bars(rows, meta, { x, y, color, title, height }) {
    const encoding = {
      y: { field: y, type: "nominal", sort: null, title: label(meta, y) },
      x: { field: x, type: "quantitative", title: label(meta, x), axis: axisFormat(unit(meta, x)) },
      tooltip: [
        { field: y, type: "nominal", title: label(meta, y) },
        { field: x, type: "quantitative", title: label(meta, x), format: axisFormat(unit(meta, x)).format || ".3~g" },
      ],
    };
    if (color) {
      encoding.color = { field: color, type: "nominal", title: label(meta, color), scale: { scheme: "tableau10" } };
    } else {
      encoding.color = { value: "#2f6f8f" };
    }
    return {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: title || "",
      width: WIDTH,
      height: height || Math.max(120, rows.length * 18),
      data: { values: rows },
      mark: { type: "bar", tooltip: true },
      encoding,
    };
  }

  // A world map: countries filled by `value` of the row whose `key` is their ISO3 code.
  function choropleth(rows, meta, { key, value, title }) {
    const lookup = rows
      .filter((r) => r[key] !== null && r[value] !== null && r[value] !== undefined)
      .map((r) => ({ iso3: r[key], value: r[value] }));
    return {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: title || "",
      width: WIDTH,
      height: 300,
      projection: { type: "equalEarth" },
      layer: [
        {
          data: { url: "/static/vendor/world-110m.json", format: { type: "topojson", feature: "countries" } },
          mark: { type: "geoshape", fill: "#e8e8e8", stroke: "#ffffff", strokeWidth: 0.5 },
        },
        {
          data: { url: "/static/vendor/world-110m.json", format: { type: "topojson", feature: "countries" } },
          transform: [
            { calculate: "datum.properties.iso3", as: "iso3" },
            { lookup: "iso3", from: { data: { values: lookup }, key: "iso3", fields: ["value"] } },
            { filter: "datum.value != null" },
          ],
          mark: { type: "geoshape", stroke: "#ffffff", strokeWidth: 0.5, tooltip: true },
          encoding: {
            color: {
              field: "value",
              type: "quantitative",
              title: label(meta, value),
              scale: { scheme: "blues" },
              legend: { format: axisFormat(unit(meta, value)).format || ".2~g" },
            },
            tooltip: [
              { field: "properties.name", type: "nominal", title: "country" },
              { field: "value", type: "quantitative", title: label(meta, value), format: axisFormat(unit(meta, value)).format || ".3~g" },
            ],
          },
        },
      ],
    };
  }

  return { bars, choropleth };
})();
