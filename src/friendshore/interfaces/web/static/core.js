// What every view of the dashboard shares: asking the API, names beside codes, the view's state in
// the URL, cards (title, coverage, loading, errors), sortable tables with a CSV download equal to
// the API's, and charts with a text alternative and PNG/SVG export. No analysis happens here: every
// number comes from /api/ and is shown as the API formats it (`display`).
"use strict";

const Core = (() => {
  const names = { countries: {}, groups: {}, products: {}, sources: {}, loaded: new Set() };
  const index = { endpoints: {} };

  function $(id) {
    return document.getElementById(id);
  }

  // -- the API -----------------------------------------------------------------------------------
  function apiUrl(path, params = {}) {
    const url = new URL(path, window.location.origin);
    for (const [key, value] of Object.entries(params)) {
      if (value === undefined || value === null || value === "" || value === false) continue;
      url.searchParams.set(key, value);
    }
    return url;
  }

  async function api(path, params = {}, options = {}) {
    const url = apiUrl(path, params);
    const response = await fetch(url, options);
    const body = await response.json();
    if (!response.ok) {
      const error = new Error(body.error ? body.error.message : `The server answered ${response.status}.`);
      error.code = body.error ? body.error.code : "error";
      throw error;
    }
    body.url = url;
    return body;
  }

  // The name an endpoint gives a parameter, of several the API has used for one idea.
  function param(path, ...candidates) {
    const known = index.endpoints[path] || [];
    return candidates.find((c) => known.includes(c)) || null;
  }

  function has(path) {
    return path in index.endpoints;
  }

  // -- names beside codes --------------------------------------------------------------------------
  function place(code) {
    if (!code) return "";
    if (names.countries[String(code).toUpperCase()]) code = String(code).toUpperCase();
    if (names.countries[code]) return `${names.countries[code]} (${code})`;
    if (names.groups[code]) return names.groups[code];
    return code;
  }

  // A list of codes as the API writes it ("CHN, RUS" or "CHN;RUS"), each with its name.
  function places(text) {
    return String(text)
      .split(/[;,]\s*/)
      .filter(Boolean)
      .map((c) => (c === "world" ? "every country" : place(c)))
      .join(", ");
  }

  function product(hs6) {
    if (!hs6) return "";
    return String(hs6)
      .split(/[;,]\s*/)
      .map((code) => names.products[code] || `HS ${code}`)
      .join("; ");
  }

  // The label of an importer or concern as an answer's parameters give it ({label, members}).
  function who(value) {
    if (!value) return "";
    if (typeof value === "string") return place(value);
    if (Array.isArray(value)) return value.length === 1 && names.groups[value[0]] ? names.groups[value[0]] : places(value.join(","));
    const label = value.label || "";
    if (names.groups[label]) return names.groups[label];
    return place(label);
  }

  // -- state in the URL ------------------------------------------------------------------------------
  function readUrl() {
    return Object.fromEntries(new URLSearchParams(window.location.search));
  }

  function writeUrl(values) {
    const url = new URL(window.location.href);
    url.search = "";
    for (const [key, value] of Object.entries(values)) {
      if (value !== undefined && value !== null && value !== "" && value !== false) url.searchParams.set(key, value);
    }
    window.history.replaceState(null, "", url.pathname + url.search);
  }

  // -- cards ----------------------------------------------------------------------------------------
  function card(prefix) {
    return $(`${prefix}-card`);
  }

  function loading(prefix, on) {
    const element = card(prefix);
    element.setAttribute("aria-busy", on ? "true" : "false");
    element.classList.toggle("loading", on);
  }

  // Empty a card: no stale chart, table or title from an earlier question.
  function clear(prefix, title) {
    const element = card(prefix);
    for (const part of element.querySelectorAll(".chart, .table, .summary, #register-list")) part.replaceChildren();
    $(`${prefix}-meta`).textContent = "";
    if (title) $(`${prefix}-title`).textContent = title;
  }

  function fail(prefix, error, title) {
    clear(prefix, title);
    loading(prefix, false);
    const body = card(prefix).querySelector(".card-body");
    const p = document.createElement("p");
    p.className = "error";
    p.textContent = error.message;
    body.prepend(p);
  }

  function clearErrors(prefix) {
    card(prefix).querySelectorAll(".card-body > .error").forEach((e) => e.remove());
  }

  // A source identifier of the provenance in words (the API's source catalogue, /api/data/sources:
  // publisher and the title's name, e.g. "CEPII BACI"), with its landing page.
  function source(id) {
    const entry = names.sources[id];
    if (entry) return entry;
    return { name: String(id).replaceAll("-", " ").replaceAll("_", " "), url: "" };
  }

  // The sources and coverage of an answer, as the line under a card's title (links to the publishers).
  function sources(page) {
    const out = [];
    const seen = new Set();
    for (const p of page.meta.provenance || []) {
      const { name, url } = source(p.source);
      const text = `${name} ${p.release}${p.coverage && p.coverage !== "complete" ? ` (${p.coverage})` : ""}`;
      if (seen.has(text)) continue;
      seen.add(text);
      out.push({ text, url });
    }
    return out;
  }

  function setMeta(prefix, page, extra = "") {
    const meta = $(`${prefix}-meta`);
    meta.replaceChildren();
    const total = page.meta.page ? page.meta.page.total : page.rows.length;
    const head = [extra, `${total} rows`].filter(Boolean).join(" · ");
    meta.append(head);
    const found = sources(page);
    if (found.length) {
      meta.append(" · Data: ");
      found.forEach(({ text, url }, i) => {
        if (i) meta.append("; ");
        if (url) {
          const a = document.createElement("a");
          a.href = url;
          a.textContent = text;
          a.rel = "noopener";
          a.target = "_blank";
          meta.append(a);
        } else {
          meta.append(text);
        }
      });
    }
    const notes = (page.meta.notes || []).join(" ");
    if (notes) meta.append(` · ${notes}`);
  }

  // -- tables -----------------------------------------------------------------------------------------
  const WORDS = ["material", "technology", "technologies", "stage"];
  const LONG = ["note", "description", "summary", "aims", "missing"];
  const NUMERIC = ["share", "kusd", "usd", "pct", "t", "km", "index", "number", "count"];

  function cell(col, row, shown) {
    const value = row[col.name];
    if (value === null || value === undefined) return shown ?? "";
    if (col.name === "hs6" || col.name === "products") return product(value);
    if (col.unit === "code" && col.name !== "id" && col.name !== "currency") return places(value);
    if (WORDS.includes(col.name)) return String(value).replaceAll("-", " "); // identifiers in words: "rare earths"
    if (col.unit === "share" && col.apiUnit !== "share" && typeof value === "number") return `${(value * 100).toFixed(1)} %`;
    return shown ?? String(value);
  }

  // A table of the page's rows: `columns` (names, in order) or the API's key columns; headers in plain
  // words with their definitions; sortable by every column (raw values); `maxRows` first, then
  // "show all"; a CSV link to the same API answer.
  function table(element, page, { columns = null, maxRows = 15, vars = {}, order = null, csv = true } = {}) {
    const apiColumns = page.meta.columns || [];
    const shown = (columns ? columns.map((n) => apiColumns.find((c) => c.name === n)).filter(Boolean) : apiColumns.filter((c) => c.key))
      .map((c) => Glossary.column(c, vars));
    let items = page.rows.map((row, i) => ({ row, display: (page.display || [])[i] || {} }));
    if (order) items = order(items);
    const state = { items, sortBy: null, ascending: true, all: items.length <= maxRows };

    function draw() {
      element.replaceChildren();
      const wrap = document.createElement("div");
      wrap.className = "scroll";
      wrap.tabIndex = 0;
      const t = document.createElement("table");
      const caption = t.createCaption();
      caption.className = "visually-hidden";
      caption.textContent = element.dataset.caption || "";
      const head = t.createTHead().insertRow();
      for (const col of shown) {
        const th = document.createElement("th");
        th.scope = "col";
        if (NUMERIC.includes(col.unit)) th.className = "num";
        const button = document.createElement("button");
        button.type = "button";
        button.className = "sort";
        button.textContent = col.label;
        button.title = col.definition ? `${col.definition} (click to sort)` : "Click to sort";
        button.addEventListener("click", () => {
          state.ascending = state.sortBy === col.name ? !state.ascending : !NUMERIC.includes(col.unit);
          state.sortBy = col.name;
          sortItems(state, col.name);
          draw();
        });
        th.appendChild(button);
        if (col.definition) th.appendChild(definition(col));
        th.setAttribute("aria-sort", state.sortBy === col.name ? (state.ascending ? "ascending" : "descending") : "none");
        head.appendChild(th);
      }
      const body = t.createTBody();
      for (const item of state.all ? state.items : state.items.slice(0, maxRows)) {
        const tr = body.insertRow();
        for (const col of shown) {
          const td = tr.insertCell();
          td.textContent = cell(col, item.row, item.display[col.name]);
          if (NUMERIC.includes(col.unit)) td.className = "num";
          else if (LONG.includes(col.name)) td.className = "long";
        }
      }
      wrap.appendChild(t);
      element.appendChild(wrap);
      const foot = document.createElement("p");
      foot.className = "table-foot";
      const count = document.createElement("span");
      count.textContent = `${state.all ? state.items.length : Math.min(maxRows, state.items.length)} of ${state.items.length} rows`;
      foot.appendChild(count);
      if (!state.all) {
        const more = document.createElement("button");
        more.type = "button";
        more.className = "link";
        more.textContent = `Show all ${state.items.length} rows`;
        more.addEventListener("click", () => {
          state.all = true;
          draw();
        });
        foot.append(" · ", more);
      }
      if (csv) foot.append(" · ", csvLink(page));
      const hint = document.createElement("span");
      hint.className = "scroll-hint";
      hint.textContent = " · scroll the table sideways for more columns";
      foot.appendChild(hint);
      element.appendChild(foot);
      requestAnimationFrame(() => element.classList.toggle("overflows", wrap.scrollWidth > wrap.clientWidth + 1));
    }
    draw();
  }

  function sortItems(state, name) {
    const sign = state.ascending ? 1 : -1;
    state.items.sort((a, b) => {
      const x = a.row[name];
      const y = b.row[name];
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      if (typeof x === "number" && typeof y === "number") return sign * (x - y);
      return sign * String(x).localeCompare(String(y));
    });
  }

  // A definition one click (or hover) away: a small button that shows the text below the header.
  function definition(col) {
    const details = document.createElement("details");
    details.className = "define";
    const summary = document.createElement("summary");
    summary.textContent = "?";
    summary.setAttribute("aria-label", `What "${col.label}" means`);
    summary.title = col.definition;
    const p = document.createElement("p");
    p.textContent = col.definition;
    details.append(summary, p);
    return details;
  }

  // The same answer as CSV: the API's URL with format=csv and every row.
  function csvLink(page) {
    const url = new URL(page.url);
    url.searchParams.set("format", "csv");
    url.searchParams.set("limit", "100000");
    url.searchParams.delete("offset");
    const a = document.createElement("a");
    a.href = url.pathname + url.search;
    a.className = "csv";
    a.download = `${page.meta.analysis || "table"}.csv`;
    a.textContent = "Download CSV";
    return a;
  }

  // -- charts -----------------------------------------------------------------------------------------
  // Draw `spec` in `element` with a text alternative (`text`) and PNG/SVG downloads.
  async function chart(element, spec, text, fileName) {
    element.replaceChildren();
    // the text alternative is on a wrapper: vega-embed labels the element it draws in itself
    const figure = document.createElement("div");
    figure.setAttribute("role", "img");
    figure.setAttribute("aria-label", text);
    figure.className = "figure";
    const canvas = document.createElement("div");
    figure.appendChild(canvas);
    element.appendChild(figure);
    const result = await vegaEmbed(canvas, Charts.fit(spec, element.clientWidth || window.innerWidth), { actions: false, renderer: "svg" });
    canvas.setAttribute("aria-hidden", "true"); // screen readers read the wrapper's text, not the marks
    const buttons = document.createElement("p");
    buttons.className = "exports";
    for (const type of ["png", "svg"]) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link";
      button.textContent = `Download chart (${type.toUpperCase()})`;
      button.addEventListener("click", async () => {
        const url = await result.view.toImageURL(type, type === "png" ? 2 : 1);
        const a = document.createElement("a");
        a.href = url;
        a.download = `${fileName}.${type}`;
        document.body.appendChild(a);
        a.click();
        a.remove();
      });
      buttons.append(button, " ");
    }
    element.appendChild(buttons);
    return result;
  }

  function fillSelect(select, options, keepFirst = false) {
    const first = keepFirst ? [...select.options].slice(0, 1) : [];
    select.replaceChildren(...first);
    for (const [value, text, disabled] of options) {
      const option = new Option(text, value);
      option.disabled = Boolean(disabled);
      select.appendChild(option);
    }
  }

  function busy(button, on) {
    button.disabled = on;
    button.setAttribute("aria-busy", on ? "true" : "false");
  }

  return {
    $, api, apiUrl, param, has, names, index, place, places, product, who, readUrl, writeUrl,
    loading, clear, fail, clearErrors, setMeta, table, chart, fillSelect, busy,
  };
})();
