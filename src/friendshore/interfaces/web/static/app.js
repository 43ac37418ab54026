// Start-up and navigation: names and choices from the API, tabs (keyboard too), and each view's
// state in the URL (?tab=country&importer=USA&concern=CHN&year=2024&sort=...) so a view can be
// shared and a reload shows the same.
"use strict";

(() => {
  const { $ } = Core;

  // Each tab's fields: URL key -> form element id (a checkbox holds "1" when ticked).
  const FIELDS = {
    country: { importer: "country-importer", concern: "country-concern", year: "country-year", sector: "country-sector", flagged: "country-flagged", sort: "dep-sort" },
    product: { product: "product-hs6", for: "product-importer", year: "product-year" },
    scenario: { policy: "scenario-policy", model: "scenario-model", exporter: "scenario-exporter", importer: "scenario-importer", rate: "scenario-rate", products: "scenario-products", year: "scenario-year" },
    register: { kind: "register-kind", country: "register-country", initiative: "register-initiative", date: "register-date" },
    brief: { for: "brief-for", partner: "brief-partner", coalition: "brief-coalition", members_at: "brief-date", sector: "brief-sector" },
  };
  const RUN = {
    country: (f) => Views.country(f),
    product: (f) => Views.product(f),
    scenario: (f) => Forms.scenario(f),
    register: (f) => Forms.register(f),
    brief: (f) => Forms.brief(f),
  };
  const shown = new Set();
  let current = "country";
  let pending = 0;

  function read(tab) {
    const out = {};
    for (const [key, id] of Object.entries(FIELDS[tab])) {
      const element = $(id);
      out[key] = element.type === "checkbox" ? (element.checked ? "1" : "") : element.value.trim();
    }
    return out;
  }

  function write(tab, values) {
    for (const [key, id] of Object.entries(FIELDS[tab])) {
      if (!(key in values)) continue;
      const element = $(id);
      if (element.type === "checkbox") element.checked = values[key] === "1" || values[key] === "true";
      else if (element.tagName === "SELECT" && ![...element.options].some((o) => o.value === values[key] && !o.disabled)) continue;
      else element.value = values[key];
      element.dispatchEvent(new Event("input"));
    }
  }

  async function run(tab) {
    const form = read(tab);
    if (tab === "register" && form.kind !== "members") delete form.initiative;
    Core.writeUrl({ tab, ...form });
    shown.add(tab);
    const button = document.querySelector(`#view-${tab} button[type=submit]`);
    if (button) Core.busy(button, true);
    pending += 1;
    document.body.dataset.pending = pending;
    try {
      await RUN[tab](form);
    } finally {
      if (button) Core.busy(button, false);
      pending -= 1;
      document.body.dataset.pending = pending; // 0: every answer asked for is drawn (the tests wait for it)
    }
  }

  function switchTab(tab, focus = false) {
    current = tab;
    for (const button of document.querySelectorAll("[role=tab]")) {
      const on = button.dataset.view === tab;
      button.setAttribute("aria-selected", on ? "true" : "false");
      button.tabIndex = on ? 0 : -1;
      if (on && focus) button.focus();
    }
    for (const view of document.querySelectorAll(".view")) view.hidden = view.id !== `view-${tab}`;
    if (!shown.has(tab)) run(tab);
    else Core.writeUrl({ tab, ...read(tab) });
  }

  function tabKeys(event) {
    const tabs = [...document.querySelectorAll("[role=tab]")];
    const at = tabs.findIndex((t) => t.dataset.view === current);
    const moves = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    switchTab(tabs[(moves[event.key] + tabs.length) % tabs.length].dataset.view, true);
  }

  // The name of the code typed in a field, shown under it ("China (CHN)").
  function resolveNames() {
    for (const input of document.querySelectorAll("input[list=codes]")) {
      const out = document.createElement("span");
      out.className = "resolved";
      out.id = `${input.id}-name`;
      out.setAttribute("aria-live", "polite");
      input.setAttribute("aria-describedby", out.id);
      input.after(out);
      const update = () => {
        const value = input.value.trim();
        const name = value ? Core.place(value) : "";
        out.textContent = !value ? "" : name === value ? "not a known country or group code" : name.replace(` (${value.toUpperCase()})`, "");
      };
      input.addEventListener("input", update);
      update();
    }
  }

  function years(status) {
    const found = status.rows
      .filter((r) => r.table === "trade")
      .map((r) => (String(r.partition).match(/year=(\d{4})/) || [])[1])
      .filter(Boolean);
    return [...new Set(found)].sort().reverse();
  }

  async function start() {
    for (const tab of document.querySelectorAll("[role=tab]")) {
      tab.addEventListener("click", () => switchTab(tab.dataset.view));
      tab.addEventListener("keydown", tabKeys);
    }
    for (const tab of Object.keys(FIELDS)) {
      const form = $(`${tab}-form`);
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        run(tab);
      });
    }
    $("dep-sort").addEventListener("change", () => run("country"));
    for (const id of Object.values(FIELDS.scenario)) $(id).addEventListener("change", () => Forms.refresh(read("scenario")));
    for (const id of Object.values(FIELDS.brief)) $(id).addEventListener("input", () => run("brief"));
    $("register-kind").addEventListener("change", () => { $("register-initiative-label").hidden = $("register-kind").value !== "members"; });
    try {
      const [index, countries, groups, taxonomy, status, examples] = await Promise.all([
        Core.api("/api"),
        Core.api("/api/countries", { limit: 1000 }),
        Core.api("/api/groups", { limit: 1000 }),
        Core.api("/api/taxonomy", { limit: 100000 }),
        Core.api("/api/data/status", { limit: 1000 }),
        Core.api("/api/examples"),
      ]);
      for (const ep of index.endpoints) Core.index.endpoints[ep.path.replace(/^\/api\//, "")] = ep.parameters.map((p) => p.name);
      $("token-label").hidden = !index.token_required;
      const names = Core.names;
      for (const c of countries.rows) names.countries[c.iso3] = c.name;
      for (const g of groups.rows) names.groups[g.name] = g.title;
      if (Core.has("labels")) {
        const labels = await Core.api("/api/labels", { limit: 100000 });
        for (const r of labels.rows) {
          if (r.kind === "product") names.products[r.code] = r.label;
          else if (r.kind === "group") names.groups[r.code] = r.label;
          else if (r.kind === "country") names.countries[r.code] = r.label;
        }
      }
      if (Core.has("data/sources")) {
        const catalogue = await Core.api("/api/data/sources", { limit: 1000 });
        for (const r of catalogue.rows) {
          names.sources[r.id] = { name: `${r.publisher || ""} ${String(r.title || r.id).split(":")[0]}`.trim(), url: r.landing_page || "" };
        }
      }
      for (const r of taxonomy.rows) if (!names.products[r.hs6]) names.products[r.hs6] = `${r.description} (${r.hs6})`;
      const codes = $("codes");
      for (const [slug, title] of Object.entries(names.groups)) codes.appendChild(new Option(title, slug));
      for (const [iso3, name] of Object.entries(names.countries)) codes.appendChild(new Option(name, iso3));

      const loadedYears = years(status);
      for (const id of ["country-year", "product-year", "scenario-year"]) Core.fillSelect($(id), loadedYears.map((y) => [y, y]));
      const hasTrade = loadedYears.length > 0;
      if (hasTrade) {
        const choke = await Core.api("/api/chokepoints", { year: loadedYears[0], limit: 100000 });
        for (const r of choke.rows) names.loaded.add(r.hs6);
      }
      // choices limited to what is loaded: the others are shown, disabled, with the reason
      const sectors = [...new Set(taxonomy.rows.map((r) => r.technology))].sort();
      const loadedSector = (s) => taxonomy.rows.some((r) => r.technology === s && names.loaded.has(r.hs6));
      const sectorOptions = sectors.map((s) => [s, Views.plainTech(s) + (loadedSector(s) ? "" : " (none of its products loaded)"), !loadedSector(s)]);
      Core.fillSelect($("country-sector"), sectorOptions, true);
      Core.fillSelect($("brief-sector"), sectorOptions, true);
      const products = [...new Set(taxonomy.rows.filter((r) => r.primary).map((r) => r.hs6))].sort((a, b) =>
        Number(names.loaded.has(b)) - Number(names.loaded.has(a)) || names.products[a].localeCompare(names.products[b]));
      Core.fillSelect($("product-hs6"), products.map((h) => [h, names.products[h] + (names.loaded.has(h) ? "" : " (not loaded)"), !names.loaded.has(h)]));
      const loadedProducts = products.filter((h) => names.loaded.has(h));
      Core.fillSelect($("scenario-products"), loadedProducts.map((h) => [h, names.products[h]]));
      for (const id of ["product-hs6", "scenario-products"]) if (names.loaded.has("850511")) $(id).value = "850511";
      const coalitions = Object.entries(names.groups).filter(([slug]) => slug !== "countries-of-concern");
      Core.fillSelect($("brief-coalition"), coalitions.map(([slug, title]) => [slug, title]), true);
      if (names.groups["pax-silica"]) $("brief-coalition").value = "pax-silica";
      try {
        const initiatives = await Core.api("/api/register/initiatives", { limit: 1000 });
        Core.fillSelect($("register-initiative"), initiatives.rows.map((r) => [r.group || r.id, r.name]));
      } catch (e) {
        Core.fillSelect($("register-initiative"), []);
      }
      if (examples.examples.includes("us_china_tariff")) {
        const response = await fetch("/api/examples/us_china_tariff");
        Forms.setExample(await response.text());
      }
      Forms.refresh(read("scenario"));
      resolveNames();
      const tables = new Set(status.rows.map((r) => r.table));
      $("status").textContent = `friendshore ${index.friendshore} · warehouse version ${index.version} · ${tables.size} tables loaded`;

      // the view the URL names, with its fields (a shared link or a reload)
      const url = Core.readUrl();
      const tab = FIELDS[url.tab] ? url.tab : "country";
      write(tab, url);
      if (tab === "scenario") {
        Forms.refresh(read("scenario"));
        write(tab, url);
        Forms.refresh(read("scenario"));
      }
      if (!hasTrade) {
        Core.fail("dep", new Error("This warehouse holds no trade data yet: whoever runs this server has to load it first."), "Import dependence");
        shown.add("country");
      }
      switchTab(tab);
    } catch (error) {
      $("status").textContent = `The API did not answer: ${error.message}`;
    } finally {
      document.body.dataset.started = "1";
      document.body.dataset.pending = pending;
    }
  }

  window.addEventListener("DOMContentLoaded", start);
})();
