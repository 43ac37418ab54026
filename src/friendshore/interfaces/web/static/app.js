// The dashboard: asks the API, shows its rows as tables and charts. No analysis happens here:
// every number comes from /api/ (the same analyses as the command line), in the order it gives.
"use strict";

const state = { token: "", tokenRequired: false };

function $(id) {
  return document.getElementById(id);
}

// -- talking to the API ---------------------------------------------------------------------
async function api(path, params = {}, options = {}) {
  const url = new URL(path, window.location.origin);
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "" || value === false) continue;
    url.searchParams.set(key, value);
  }
  const response = await fetch(url, options);
  const body = await response.json();
  if (!response.ok) {
    const error = new Error(body.error ? body.error.message : `HTTP ${response.status}`);
    error.code = body.error ? body.error.code : "error";
    throw error;
  }
  return body;
}

// Values are shown as the API formats them (page.display: the same rule as the command line and
// the brief, friendshore.reporting.format); charts use the raw numbers (page.rows).

function renderTable(element, page, { maxRows = 15, columns = null } = {}) {
  element.replaceChildren();
  const meta = page.meta;
  const shown = (meta.columns || []).filter((c) => (columns ? columns.includes(c.name) : c.key));
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const col of shown) {
    const th = document.createElement("th");
    th.textContent = col.label;
    th.title = col.description || col.name;
    if (isNumeric(col.unit)) th.className = "num";
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const row of (page.display || []).slice(0, maxRows)) {
    const tr = body.insertRow();
    for (const col of shown) {
      const td = tr.insertCell();
      td.textContent = row[col.name] ?? "";
      if (isNumeric(col.unit)) td.className = "num";
    }
  }
  element.appendChild(table);
  const foot = document.createElement("p");
  foot.className = "meta";
  const total = meta.page ? meta.page.total : page.rows.length;
  const sources = (meta.provenance || []).map((p) => `${p.source} ${p.release}`);
  const unique = [...new Set(sources)];
  foot.textContent =
    `${Math.min(maxRows, page.rows.length)} of ${total} rows` +
    (unique.length ? ` · data: ${unique.join(", ")}` : "") +
    ((meta.notes || []).length ? ` · note: ${meta.notes[0]}` : "");
  element.appendChild(foot);
}

function isNumeric(unit) {
  return ["share", "kusd", "usd", "pct", "t", "km", "index", "number", "count"].includes(unit);
}

function showError(element, error) {
  element.replaceChildren();
  const p = document.createElement("p");
  p.className = "error";
  p.textContent = error.message;
  element.appendChild(p);
}

async function chart(element, spec, rows) {
  element.replaceChildren();
  if (!rows.length) {
    element.textContent = "No rows to chart.";
    return;
  }
  await vegaEmbed(element, spec, { actions: false, renderer: "svg" });
}

function busy(button, on) {
  button.disabled = on;
  button.classList.toggle("busy", on);
}

// -- country or coalition view ---------------------------------------------------------------------
async function showCountry(event) {
  if (event) event.preventDefault();
  const button = $("country-go");
  busy(button, true);
  const importer = $("country-importer").value.trim();
  const year = $("country-year").value;
  const sector = $("country-sector").value;
  const on = $("country-on").value.trim();
  try {
    const deps = await api("/api/dependencies", {
      importer, on, year, sector, flagged_only: $("country-flagged").checked, limit: 200,
    });
    renderTable($("dep-table"), deps);
    const top = deps.rows.slice(0, 15);
    const x = on ? "on_share" : "top_share";
    await chart($("dep-chart"), Charts.bars(top, deps.meta, { x, y: "hs6", color: "top_supplier",
      title: on ? `Share of imports from ${on}` : "Share of the top supplier" }), top);
    const first = deps.rows.find((r) => r.ec_flag) || deps.rows[0];
    await Promise.all([showRisk(importer, year), showPartners(importer, year, first ? first.hs6 : null)]);
  } catch (error) {
    showError($("dep-table"), error);
    $("dep-chart").replaceChildren();
  } finally {
    busy(button, false);
  }
}

async function showRisk(importer, year) {
  try {
    const risk = await api("/api/supply-risk", { for: importer, year });
    renderTable($("risk-table"), risk);
    const rows = risk.rows.filter((r) => r.supply_risk !== null).map((r) => ({ ...r, label: `${r.material} (${r.stage})` }));
    const meta = { ...risk.meta, columns: [...risk.meta.columns, { name: "label", label: "material", unit: "text" }] };
    await chart($("risk-chart"), Charts.bars(rows, meta, { x: "supply_risk", y: "label", color: "stage", title: "Supply risk (EU scale)" }), rows);
  } catch (error) {
    showError($("risk-table"), error);
    $("risk-chart").replaceChildren();
  }
}

async function showPartners(importer, year, hs6) {
  if (!hs6) {
    $("partners-table").textContent = "No dependency to find partners for.";
    $("partners-map").replaceChildren();
    return;
  }
  $("partners-product").textContent = `HS ${hs6}`;
  try {
    const partners = await api("/api/partners", { for: importer, product: hs6, year, top: 25, draws: 200 });
    renderTable($("partners-table"), partners, {
      columns: ["rank", "candidate", "export_kusd", "share_ex_concern", "wgi_mean", "score", "rank_p05", "rank_p95"],
    });
    await chart($("partners-map"), Charts.choropleth(partners.rows, partners.meta, { key: "candidate", value: "score", title: "Candidate score" }), partners.rows);
  } catch (error) {
    showError($("partners-table"), error);
    $("partners-map").replaceChildren();
  }
}

// -- product view ------------------------------------------------------------------------------------
async function showProduct(event) {
  if (event) event.preventDefault();
  const button = $("product-go");
  busy(button, true);
  const hs6 = $("product-hs6").value;
  const importer = $("product-importer").value.trim();
  const year = $("product-year").value;
  try {
    const [choke, world, candidates] = await Promise.all([
      api("/api/chokepoints", { year, limit: 100000 }),
      // exclude= (empty): every exporter, countries of concern included, for the world picture
      api("/api/partners?exclude=", { for: importer, product: hs6, year, top: 0, draws: 1, concentration: 0 }),
      api("/api/partners", { for: importer, product: hs6, year, top: 20, draws: 200 }),
    ]);
    const at = choke.rows.findIndex((r) => r.hs6 === hs6);
    const summary = $("choke-summary");
    if (at >= 0) {
      const row = choke.rows[at];
      const shown = choke.display[at];
      summary.textContent = row.chokepoint
        ? `Yes: ${row.top_exporter} ships ${shown.top_share} of world exports (HHI ${shown.world_hhi}).`
        : `No: world HHI ${shown.world_hhi}; top exporter ${row.top_exporter} with ${shown.top_share}.`;
      renderTable($("choke-table"), { rows: [row], display: [shown], meta: choke.meta });
    } else {
      summary.textContent = `No world exports of ${hs6} in the loaded year.`;
      $("choke-table").replaceChildren();
    }
    await chart($("flows-map"), Charts.choropleth(world.rows, world.meta, { key: "candidate", value: "world_share", title: `Share of world exports of ${hs6}` }), world.rows);
    renderTable($("candidates-table"), candidates, {
      columns: ["rank", "candidate", "in_coalition", "export_kusd", "share_ex_concern", "rca", "wgi_mean", "score", "rank_p05", "rank_p95"],
    });
    const top = candidates.rows.slice(0, 15);
    await chart($("candidates-chart"), Charts.bars(top, candidates.meta, { x: "score", y: "candidate", title: `Candidates for ${importer}` }), top);
  } catch (error) {
    showError($("choke-table"), error);
    $("choke-summary").textContent = "";
  } finally {
    busy(button, false);
  }
}

// -- scenario runner ------------------------------------------------------------------------------------
async function loadExample() {
  const name = $("scenario-example").value;
  if (!name) return;
  const response = await fetch(`/api/examples/${encodeURIComponent(name)}`);
  $("scenario-text").value = await response.text();
}

async function runScenario(event) {
  if (event) event.preventDefault();
  const button = $("scenario-run");
  const status = $("scenario-status");
  busy(button, true);
  status.className = "status";
  status.textContent = "Solving…";
  const headers = { "Content-Type": "application/toml" };
  const token = $("scenario-token").value.trim();
  if (token) headers.Authorization = `Bearer ${token}`;
  const body = $("scenario-text").value;
  try {
    const countries = await api("/api/gravity/simulate", { output: "countries", limit: 500 }, { method: "POST", headers, body });
    renderTable($("scenario-table"), countries, { columns: ["country", "real_gdp_change_pct", "exports_change_pct", "imports_change_pct"] });
    const gdp = countries.rows.filter((r) => r.real_gdp_change_pct !== null);
    await chart($("scenario-chart"), Charts.bars(gdp, countries.meta, { x: "real_gdp_change_pct", y: "country", title: "Real GDP change" }), gdp);
    const importer = $("scenario-importer").value.trim();
    let diversion = null;
    try {
      diversion = await api("/api/gravity/simulate", { output: "diversion", importer, limit: 500 }, { method: "POST", headers, body });
    } catch (error) {
      showError($("diversion-table"), error);
      $("diversion-chart").replaceChildren();
    }
    if (diversion) {
      $("diversion-into").textContent = `exports into ${diversion.meta.parameters.importer}, % change`;
      renderTable($("diversion-table"), diversion, { columns: ["exporter", "trade_baseline", "trade_change", "trade_change_pct"] });
      const rows = diversion.rows.slice(0, 20);
      await chart($("diversion-chart"), Charts.bars(rows, diversion.meta, { x: "trade_change_pct", y: "exporter", title: "Change in sales" }), rows);
    }
    status.textContent = `${countries.meta.title}: ${(countries.meta.notes || [])[0] || "solved"}`;
  } catch (error) {
    status.className = "status error";
    status.textContent = error.message;
  } finally {
    busy(button, false);
  }
}

// -- register browser ------------------------------------------------------------------------------------
async function showRegister(event) {
  if (event) event.preventDefault();
  const button = $("register-go");
  busy(button, true);
  const kind = $("register-kind").value;
  const params = { country: $("register-country").value.trim(), active_at: $("register-date").value, limit: 500 };
  if (kind === "members") params.initiative = $("register-initiative").value.trim();
  try {
    const page = await api(`/api/register/${kind}`, params);
    renderTable($("register-table"), page, { maxRows: 500 });
  } catch (error) {
    showError($("register-table"), error);
  } finally {
    busy(button, false);
  }
}

// -- the brief -----------------------------------------------------------------------------------------------
function briefLink(event) {
  if (event) event.preventDefault();
  const url = new URL("/api/brief", window.location.origin);
  const fields = { for: "brief-for", partner: "brief-partner", coalition: "brief-coalition",
    members_at: "brief-date", sector: "brief-sector" };
  for (const [key, id] of Object.entries(fields)) {
    const value = $(id).value.trim();
    if (value) url.searchParams.set(key, value);
  }
  const link = $("brief-link");
  link.href = url.pathname + url.search;
  link.hidden = false;
  link.textContent = `Open the brief for ${$("brief-for").value.trim()} (one HTML page; about 15 s to write)`;
}

// -- start-up ------------------------------------------------------------------------------------------
function switchView(name) {
  for (const tab of document.querySelectorAll(".tab")) tab.classList.toggle("active", tab.dataset.view === name);
  for (const view of document.querySelectorAll(".view")) view.hidden = view.id !== `view-${name}`;
}

function fillSelect(select, options, keep = true) {
  const first = keep ? [...select.options].slice(0, 1) : [];
  select.replaceChildren(...first);
  for (const [value, text] of options) {
    const option = document.createElement("option");
    option.value = value;
    option.textContent = text;
    select.appendChild(option);
  }
}

async function start() {
  for (const tab of document.querySelectorAll(".tab")) tab.addEventListener("click", () => switchView(tab.dataset.view));
  $("country-form").addEventListener("submit", showCountry);
  $("product-form").addEventListener("submit", showProduct);
  $("scenario-form").addEventListener("submit", runScenario);
  $("scenario-example").addEventListener("change", loadExample);
  $("register-form").addEventListener("submit", showRegister);
  $("brief-form").addEventListener("submit", briefLink);
  try {
    const [index, countries, groups, taxonomy, status, examples] = await Promise.all([
      api("/api"),
      api("/api/countries", { limit: 1000 }),
      api("/api/groups", { limit: 1000 }),
      api("/api/taxonomy", { primary_only: true, limit: 10000 }),
      api("/api/data/status", { limit: 1000 }),
      api("/api/examples"),
    ]);
    state.tokenRequired = index.token_required;
    $("token-label").hidden = !index.token_required;
    const codes = $("codes");
    for (const g of groups.rows) codes.appendChild(new Option(g.title, g.name));
    for (const c of countries.rows) codes.appendChild(new Option(c.name, c.iso3));
    const sectors = [...new Set(taxonomy.rows.map((r) => r.technology))];
    fillSelect($("country-sector"), sectors.map((s) => [s, s]));
    fillSelect($("brief-sector"), sectors.map((s) => [s, s]));
    $("brief-sector").value = "critical-minerals";
    fillSelect($("product-hs6"), taxonomy.rows.map((r) => [r.hs6, `${r.hs6} ${r.material || r.technology}: ${r.description}`]), false);
    $("product-hs6").value = "850511";
    const years = [...new Set(status.rows.filter((r) => r.table === "trade").map((r) => (r.partition.match(/year=(\d+)/) || [])[1]))].filter(Boolean);
    fillSelect($("country-year"), years.map((y) => [y, y]));
    fillSelect($("product-year"), years.map((y) => [y, y]));
    fillSelect($("scenario-example"), examples.examples.map((e) => [e, e.replaceAll("_", " ")]), false);
    if (examples.examples.includes("us_china_tariff")) $("scenario-example").value = "us_china_tariff";
    await loadExample();
    const tables = new Set(status.rows.map((r) => r.table));
    $("status").textContent = `friendshore ${index.friendshore} · warehouse version ${index.version} · ${tables.size} tables loaded`;
    if (tables.has("trade")) await showCountry();
    else $("dep-table").textContent = "The warehouse holds no trade yet: run 'friendshore ingest sample'.";
  } catch (error) {
    $("status").textContent = `The API did not answer: ${error.message}`;
  }
}

window.addEventListener("DOMContentLoaded", start);
