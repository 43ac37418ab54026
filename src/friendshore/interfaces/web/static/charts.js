// Vega-Lite specs for the dashboard's charts, fed by the API's rows. One encoding per meaning: a
// bar's length is the one number the title names, in one colour (no categorical palette to repeat
// or to tell apart); values are written at the bars' ends; thresholds are drawn as labelled rules;
// shares are percentages; every title carries its year (the caller writes it).
"use strict";

const Charts = (() => {
  const INK = "#1d2a33";
  const BAR = "#2b6a8c"; // 5.9:1 on white
  const RULE = "#b3261e";
  const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

  function format(unit) {
    if (unit === "share") return ".1%";
    if (unit === "kusd" || unit === "usd" || unit === "t") return "~s";
    return ".3~r";
  }

  function axisFormat(unit) {
    if (unit === "share") return ".0%";
    if (unit === "kusd" || unit === "usd" || unit === "t") return "~s";
    return "~r";
  }

  // A Vega expression writing the number `v` as people read it: shares as %, thousands of US
  // dollars as k / m / bn (the axis title says "US dollars"), others to three significant digits.
  function expr(unit, v, axis = false) {
    if (unit === "share") return `format(${v}, '${axis ? ".0%" : ".1%"}')`;
    if (unit === "kusd") {
      return `${v} === 0 ? '0' : abs(${v}) >= 1e6 ? format(${v} / 1e6, '.3~r') + ' bn' : abs(${v}) >= 1e3 ? format(${v} / 1e3, '.3~r') + ' m' : format(${v}, '.3~r') + ' k'`;
    }
    return `format(${v}, '.3~r')`;
  }

  const CONFIG = {
    aria: false, // the chart's text alternative is its wrapper's (Core.chart); marks stay out of the tree
    font: "DejaVu Sans, sans-serif",
    title: { anchor: "start", fontSize: 13, color: INK, subtitleColor: "#4a5964", limit: 0 },
    axis: { labelColor: INK, titleColor: INK, labelFontSize: 11, titleFontSize: 11, gridColor: "#e3e8ec" },
    legend: { labelColor: INK, titleColor: INK },
    view: { stroke: null },
  };

  // Horizontal bars, rows in the given order: `x` numeric (null: written "no value" at 0), `y` the
  // category's label. `rule`: {value, label} drawn as a vertical line (a threshold).
  // A title in lines that fit `px` pixels (Vega does not wrap titles).
  function lines(text, px) {
    const max = Math.max(28, Math.floor(px / 7.6));
    const out = [""];
    for (const word of String(text || "").split(" ")) {
      const last = out.length - 1;
      if (out[last] && `${out[last]} ${word}`.length > max) out.push(word);
      else out[last] = out[last] ? `${out[last]} ${word}` : word;
    }
    return out;
  }

  // Fit a spec to the width of the element it is drawn in: titles wrapped, category labels cut at
  // 40 % of the width (the full label is in the tooltip and the table).
  function fit(spec, px) {
    const join = (t) => [].concat(t || []).join(" ");
    spec.title = { ...spec.title, text: lines(join(spec.title.text), px), subtitle: lines(join(spec.title.subtitle), px) };
    spec.config = { ...spec.config, axisY: { labelLimit: Math.round(Math.min(340, Math.max(90, px * 0.4))) } };
    if (spec.projection) spec.height = Math.round(Math.min(300, Math.max(160, px * 0.5)));
    return spec;
  }

  function bars(rows, { x, y, unit, title, subtitle, xTitle, rule }) {
    const values = rows.map((r) => ({ y: r[y], x: r[x], shown: r[x] === null || r[x] === undefined ? null : r[x] }));
    const yEnc = { field: "y", type: "nominal", sort: null, title: null };
    const layers = [
      {
        mark: { type: "bar", color: BAR, tooltip: true },
        encoding: {
          y: yEnc,
          x: {
            field: "shown",
            type: "quantitative",
            title: unit === "kusd" ? `${xTitle}, US dollars` : xTitle,
            axis: { labelExpr: expr(unit, "datum.value", true), tickCount: 5 },
            // room left of the most negative bar for its value (not over the category labels)
            scale: values.some((v) => v.shown < 0) ? { padding: 44 } : {},
          },
          tooltip: [
            { field: "y", type: "nominal", title: "item" },
            { field: "text", type: "nominal", title: xTitle },
          ],
        },
      },
      // the value at the bar's end: right of a positive bar, left of a negative one; a missing value
      // is written as such (layers only for what the rows hold: an empty layer has no extent)
      ...(values.some((v) => v.shown !== null && v.shown >= 0) ? [{
        transform: [{ filter: "datum.shown !== null && datum.shown >= 0" }],
        mark: { type: "text", align: "left", dx: 3, fontSize: 10, color: INK },
        encoding: { y: yEnc, x: { field: "shown", type: "quantitative" }, text: { field: "text" } },
      }] : []),
      ...(values.some((v) => v.shown !== null && v.shown < 0) ? [{
        transform: [{ filter: "datum.shown !== null && datum.shown < 0" }],
        mark: { type: "text", align: "right", dx: -3, fontSize: 10, color: INK },
        encoding: { y: yEnc, x: { field: "shown", type: "quantitative" }, text: { field: "text" } },
      }] : []),
      ...(values.some((v) => v.shown === null) ? [{
        transform: [{ filter: "datum.shown === null" }],
        mark: { type: "text", align: "left", dx: 3, fontSize: 10, color: "#4a5964", fontStyle: "italic" },
        encoding: { y: yEnc, x: { datum: 0, type: "quantitative" }, text: { value: "no value (see the table's note)" } },
      }] : []),
    ];
    if (rule) {
      // a threshold: a dashed line (the subtitle says what it marks; a label inside would cover bars)
      layers.push({
        data: { values: [{ rule: rule.value }] },
        mark: { type: "rule", color: RULE, strokeWidth: 2, strokeDash: [5, 3] },
        encoding: { x: { field: "rule", type: "quantitative" } },
      });
    }
    return {
      $schema: SCHEMA,
      title: { text: title, subtitle: subtitle || "" },
      width: "container",
      height: Math.max(80, values.length * 20),
      autosize: { type: "fit-x", contains: "padding" },
      padding: { left: 5, top: 5, bottom: 5, right: 40 }, // room for the value written after the longest bar
      data: { values },
      transform: [{ calculate: `datum.shown === null ? 'no value' : ${expr(unit, "datum.shown")}`, as: "text" }],
      layer: layers,
      config: CONFIG,
    };
  }

  // A world map: countries filled by `value` of the row whose `key` is their ISO3 code (one
  // sequential blue scale: readable with any colour vision); grey where the row has no value.
  function choropleth(rows, { key, value, unit, title, subtitle, legendTitle, names = {} }) {
    const lookup = rows
      .filter((r) => r[key] !== null && r[value] !== null && r[value] !== undefined)
      .map((r) => ({ iso3: r[key], value: r[value], name: names[r[key]] || r[key] }));
    const map = { url: "/static/vendor/world-110m.json", format: { type: "topojson", feature: "countries" } };
    return {
      $schema: SCHEMA,
      title: { text: title, subtitle: subtitle || "" },
      width: "container",
      height: 300,
      autosize: { type: "fit-x", contains: "padding" },
      projection: { type: "equalEarth" },
      layer: [
        { data: map, mark: { type: "geoshape", fill: "#e4e7ea", stroke: "#ffffff", strokeWidth: 0.5 } },
        {
          data: map,
          transform: [
            { calculate: "datum.properties.iso3", as: "iso3" },
            { lookup: "iso3", from: { data: { values: lookup }, key: "iso3", fields: ["value", "name"] } },
            { filter: "datum.value != null" },
          ],
          mark: { type: "geoshape", stroke: "#ffffff", strokeWidth: 0.5, tooltip: true },
          encoding: {
            color: {
              field: "value",
              type: "quantitative",
              title: legendTitle,
              scale: { scheme: "blues" },
              legend: { format: axisFormat(unit), orient: "bottom", direction: "horizontal", gradientLength: 160 },
            },
            tooltip: [
              { field: "name", type: "nominal", title: "country" },
              { field: "value", type: "quantitative", title: legendTitle, format: format(unit) },
            ],
          },
        },
      ],
      config: CONFIG,
    };
  }

  return { bars, choropleth, format, fit };
})();
