// The dashboard's views: country or coalition, product, scenario, register, brief. Each reads its
// form, asks the API, and fills its cards (Core); the order people read first is the API's, or a
// sort the reader chooses.
"use strict";

const Views = (() => {
  const { $ } = Core;

  function plainTech(slug) {
    return slug ? slug.replaceAll("-", " ") : "";
  }

  function percent(value) {
    return `${Math.round(value * 1000) / 10} %`;
  }

  function yearOf(page) {
    const p = page.meta.parameters || {};
    return p.year ?? (page.rows[0] ? page.rows[0].year : "");
  }

  function partial(page) {
    const gaps = (page.meta.provenance || []).map((p) => p.coverage).filter((c) => c && c !== "complete");
    return gaps.length ? ` (loaded: ${[...new Set(gaps)].join(", ")})` : "";
  }

  // -- country or coalition ----------------------------------------------------------------------------
  const ORDERS = {
    concern_value: ["imports from the concern", (r) => (r.on_share ?? r.concern_share ?? null) === null || r.import_value_kusd === null ? null : (r.on_share ?? r.concern_share) * r.import_value_kusd],
    on_share: ["share from the concern", (r) => r.on_share ?? r.concern_share ?? null],
    import_value_kusd: ["imports (value)", (r) => r.import_value_kusd],
    hhi: ["concentration (HHI)", (r) => r.hhi],
  };

  function ordered(sort) {
    const key = (ORDERS[sort] || ORDERS.concern_value)[1];
    return (items) =>
      [...items].sort((a, b) => {
        const x = key(a.row);
        const y = key(b.row);
        if (x === null || x === undefined) return 1;
        if (y === null || y === undefined) return -1;
        return y - x;
      });
  }

  const COUNTRY_CARDS = ["dep", "risk", "partners"];

  async function country(form) {
    const { importer, concern, year, sector, flagged, sort } = form;
    const error = $("country-error");
    error.hidden = true;
    COUNTRY_CARDS.forEach((c) => {
      Core.clearErrors(c);
      Core.loading(c, true);
    });
    const concernParam = Core.param("dependencies", "concern", "on");
    let deps;
    try {
      deps = await Core.api("/api/dependencies", {
        importer, [concernParam]: concern, year, sector, flagged_only: flagged, limit: 100000,
      });
    } catch (e) {
      // nothing stale stays on screen: every card of this view is emptied
      error.textContent = e.message;
      error.hidden = false;
      $("findings").hidden = true;
      Core.clear("dep", "Import dependence");
      Core.clear("risk", "Critical-material supply risk");
      Core.clear("partners", "Partners");
      COUNTRY_CARDS.forEach((c) => {
        Core.loading(c, false);
        $(`${c}-meta`).textContent = "No answer to show: see the message above.";
      });
      return;
    }
    const params = deps.meta.parameters || {};
    const concernWho = params.concern || params.on;
    const theirs = Core.who(params.importer);
    const year_ = yearOf(deps);
    const concernName = concernWho ? Core.who(concernWho) : "";
    const sectorText = sector ? `, ${plainTech(sector)}` : "";
    $("dep-title").textContent =
      `Import dependence of ${theirs}${concernName ? ` on ${concernName}` : ""}, ${year_}${sectorText}${partial(deps)}`;
    Core.setMeta("dep", deps);
    const thresholds = params.ec_thresholds || {};
    const vars = {
      concern: concernName || "the concern",
      hhi: thresholds.hhi ?? "the threshold",
      extra_ratio: thresholds.extra_ratio !== undefined ? percent(thresholds.extra_ratio) : "the threshold",
      cover: thresholds.cover ?? "the threshold",
    };
    const hasConcern = deps.rows.some((r) => "on_share" in r || "concern_share" in r);
    for (const option of $("dep-sort").options) {
      const needs = option.value === "concern_value" || option.value === "on_share";
      option.disabled = needs && !hasConcern;
      option.textContent = ORDERS[option.value][0].replace("the concern", concernName || "the concern") +
        (option.value === "concern_value" ? " (share × value)" : "") + (option.disabled ? " (choose whom to reduce dependence on)" : "");
    }
    const sortBy = hasConcern ? sort : sort === "concern_value" || sort === "on_share" ? "import_value_kusd" : sort;
    $("dep-sort").value = sortBy;
    const order = ordered(sortBy);
    const shareCol = hasConcern ? (deps.rows[0] && "concern_share" in deps.rows[0] ? "concern_share" : "on_share") : "top_share";
    $("dep-table").dataset.caption = $("dep-title").textContent;
    Core.table($("dep-table"), deps, {
      columns: ["hs6", "import_value_kusd", shareCol, "top_supplier", "top_share", "hhi", "n_suppliers", "ec_flag"],
      vars,
      order,
    });
    const top = order(deps.rows.map((row) => ({ row }))).slice(0, 15).map((i) => ({ ...i.row, label: Core.product(i.row.hs6) }));
    const what = hasConcern ? `from ${concernName}` : "from the largest supplier";
    const title = `Share of imports of ${theirs} ${what}, ${year_} (by value)`;
    const sortName = $("dep-sort").selectedOptions[0].textContent;
    const subtitle = `${top.length} of ${deps.rows.length} products, largest first by ${sortName}`;
    Core.loading("dep", false);
    if (top.length) {
      const text = `${title}. ${subtitle}: ` + top.slice(0, 5).map((r) => `${r.label} ${r[shareCol] === null ? "no value" : percent(r[shareCol])}`).join("; ") + ".";
      await Core.chart($("dep-chart"), Charts.bars(top, { x: shareCol, y: "label", unit: "share", title, subtitle, xTitle: `share ${what}` }), text, "dependence");
    } else {
      $("dep-chart").textContent = "No products to chart: see the table's notes.";
    }
    const first = top[0];
    $("findings").hidden = true;
    await Promise.all([risk(importer, year), partners(importer, concern, year, first ? first.hs6 : null)]);
    findings(importer, concern, year, sector);
  }

  // The brief's bottom line and top findings for this importer and concern (the brief analysis; it
  // solves a plan, so it comes after the cards, with its own loading state).
  let findingsRun = 0;

  async function findings(importer, concern, year, sector) {
    const run = ++findingsRun; // a later question's findings win over a slower earlier one
    const strip = $("findings");
    const body = $("findings-body");
    strip.hidden = false;
    strip.dataset.state = "loading";
    strip.setAttribute("aria-busy", "true");
    strip.classList.add("loading");
    body.replaceChildren();
    $("findings-title").textContent = `Key findings for ${Core.place(importer)} (from the brief; it takes a few seconds)`;
    try {
      const page = await Core.api("/api/brief/findings", { for: importer, concern, year, sector });
      if (run !== findingsRun) return;
      const p = page.meta.parameters || {};
      $("findings-title").textContent = `Key findings for ${Core.place(importer)}, ${p.year || year} (from the brief)`;
      if (page.bottom_line) {
        const lead = document.createElement("p");
        lead.className = "lead";
        const label = document.createElement("strong");
        label.textContent = "Bottom line: ";
        lead.append(label, page.bottom_line);
        body.appendChild(lead);
      }
      const list = document.createElement("ol");
      for (const row of page.rows.slice(0, 5)) {
        const li = document.createElement("li");
        li.textContent = row.text;
        list.appendChild(li);
      }
      body.appendChild(list);
      strip.dataset.state = "done";
    } catch (e) {
      if (run !== findingsRun) return;
      // the findings are an extra: without them (no token, data missing) the cards still answer
      strip.hidden = true;
      strip.dataset.state = "failed";
    } finally {
      strip.setAttribute("aria-busy", "false");
      strip.classList.remove("loading");
    }
  }

  async function risk(importer, year) {
    try {
      const page = await Core.api("/api/supply-risk", { for: importer, year, limit: 100000 });
      const year_ = yearOf(page);
      const theirs = Core.who((page.meta.parameters || {}).importer || importer);
      $("risk-title").textContent = `Critical-material supply risk for ${theirs}, ${year_} (EU method)${partial(page)}`;
      Core.setMeta("risk", page);
      $("risk-table").dataset.caption = $("risk-title").textContent;
      Core.table($("risk-table"), page, {
        columns: ["material", "stage", "supply_risk", "import_reliance", "hhi_wgi_global", "top_producer", "top_producer_share", "production_year", "note"],
      });
      const rows = page.rows.map((r) => ({ ...r, label: `${plainTech(r.material)} (${r.stage})` }));
      const scored = rows.filter((r) => r.supply_risk !== null).length;
      const title = `Supply risk of ${rows.length} materials for ${theirs}, ${year_}`;
      const subtitle = `EU scale; ${scored} of ${rows.length} scored; dashed red line: the EU's high-risk threshold (1)`;
      const text = `${title}. ${subtitle}. ` + rows.map((r) => `${r.label}: ${r.supply_risk === null ? "not scored" : r.supply_risk.toFixed(2)}`).join("; ") + ".";
      Core.loading("risk", false);
      await Core.chart($("risk-chart"), Charts.bars(rows, { x: "supply_risk", y: "label", unit: "index", title, subtitle, xTitle: "supply risk (SR)", rule: { value: 1 } }), text, "supply-risk");
    } catch (e) {
      Core.fail("risk", e, "Critical-material supply risk");
    }
  }

  async function partners(importer, concern, year, hs6) {
    if (!hs6) {
      Core.clear("partners", "Partners");
      Core.loading("partners", false);
      $("partners-table").textContent = "No dependency to find partners for.";
      return;
    }
    const excludeParam = Core.param("partners", "concern", "exclude");
    try {
      const page = await Core.api("/api/partners", { for: importer, product: hs6, year, top: 25, draws: 200, [excludeParam]: concern });
      const p = page.meta.parameters || {};
      const year_ = yearOf(page);
      const product = Core.product(hs6);
      const without = Core.who(p.concern || p.exclude || concern);
      $("partners-title").textContent = `Partners for ${product}: suppliers for ${Core.who(p.importer || importer)} other than ${without}, ${year_}${partial(page)}`;
      Core.setMeta("partners", page, "The table's top product");
      $("partners-table").dataset.caption = $("partners-title").textContent;
      Core.table($("partners-table"), page, {
        columns: ["rank", "n_candidates", "candidate", "export_kusd", "share_ex_concern", "wgi_mean", "score", "rank_p05", "rank_p95"],
        maxRows: 10,
      });
      const title = `Partner score for ${product}, ${year_}`;
      const subtitle = "0 to 1, higher is better; grey: not a candidate";
      const text = `${title}. ` + page.rows.slice(0, 5).map((r) => `${Core.place(r.candidate)} ${r.score === null ? "" : r.score.toFixed(2)}`).join("; ") + ".";
      Core.loading("partners", false);
      await Core.chart($("partners-map"), Charts.choropleth(page.rows, { key: "candidate", value: "score", unit: "index", title, subtitle, legendTitle: "score", names: Core.names.countries }), text, "partners");
    } catch (e) {
      Core.fail("partners", e, "Partners");
    }
  }

  // -- product -----------------------------------------------------------------------------------------
  const PRODUCT_CARDS = ["choke", "flows", "candidates"];

  async function product(form) {
    const { product: hs6, for: importer, year } = form;
    const error = $("product-error");
    error.hidden = true;
    PRODUCT_CARDS.forEach((c) => {
      Core.clearErrors(c);
      Core.loading(c, true);
    });
    const label = Core.product(hs6);
    try {
      const [choke, world, candidates] = await Promise.all([
        Core.api("/api/chokepoints", { year, limit: 100000 }),
        // an empty concern: every exporter, countries of concern included, for the world picture
        Core.api(`/api/partners?${Core.param("partners", "concern", "exclude")}=`, { for: importer, product: hs6, year, top: 0, draws: 1, concentration: 0, limit: 100000 }),
        Core.api("/api/partners", { for: importer, product: hs6, year, top: 20, draws: 200 }),
      ]);
      const year_ = yearOf(choke);
      const at = choke.rows.findIndex((r) => r.hs6 === hs6);
      $("choke-title").textContent = `Is ${label} a world chokepoint? ${year_}${partial(choke)}`;
      Core.setMeta("choke", choke);
      const summary = $("choke-summary");
      if (at >= 0) {
        const row = choke.rows[at];
        const shown = choke.display[at];
        const top = Core.place(row.top_exporter);
        summary.textContent = row.chokepoint
          ? `Yes: ${top} ships ${shown.top_share} of world exports (world concentration, HHI, ${shown.world_hhi}).`
          : `No: the largest exporter, ${top}, ships ${shown.top_share} of world exports (world concentration, HHI, ${shown.world_hhi}).`;
        Core.table($("choke-table"), { ...choke, rows: [row], display: [shown] }, { columns: ["world_export_kusd", "top_exporter", "top_share", "top3_share", "world_hhi", "n_exporters", "chokepoint"] });
      } else {
        summary.textContent = `No world exports of ${label} in the loaded data for ${year_}.`;
      }
      Core.loading("choke", false);
      const worldRows = [...world.rows].sort((a, b) => (b.world_share ?? -1) - (a.world_share ?? -1));
      const worldOrder = (items) => [...items].sort((a, b) => (b.row.world_share ?? -1) - (a.row.world_share ?? -1));
      $("flows-title").textContent = `Who exports ${label}: share of world exports, ${year_}${partial(world)}`;
      Core.setMeta("flows", world);
      Core.table($("flows-table"), world, { columns: ["candidate", "world_share", "export_kusd"], order: worldOrder, maxRows: 10 });
      const flowsTitle = `Share of world exports of ${label}, ${year_} (by value)`;
      const flowsText = `${flowsTitle}. ` + worldRows.slice(0, 5).map((r) => `${Core.place(r.candidate)} ${percent(r.world_share)}`).join("; ") + ".";
      Core.loading("flows", false);
      await Core.chart($("flows-map"), Charts.choropleth(world.rows, { key: "candidate", value: "world_share", unit: "share", title: flowsTitle, subtitle: "grey: no exports recorded", legendTitle: "share of world exports", names: Core.names.countries }), flowsText, "world-exports");
      const p = candidates.meta.parameters || {};
      $("candidates-title").textContent = `Friend-shoring candidates for ${Core.who(p.importer || importer)}: ${label}, ${year_}${partial(candidates)}`;
      Core.setMeta("candidates", candidates);
      Core.table($("candidates-table"), candidates, {
        columns: ["rank", "n_candidates", "candidate", "in_coalition", "export_kusd", "share_ex_concern", "rca", "wgi_mean", "score", "rank_p05", "rank_p95"],
      });
      const top = candidates.rows.slice(0, 15).map((r) => ({ ...r, label: Core.place(r.candidate) }));
      const title = `Partner score of the ${top.length} best candidates for ${label}, ${year_}`;
      const text = `${title}. ` + top.slice(0, 5).map((r) => `${r.label} ${r.score === null ? "" : r.score.toFixed(2)}`).join("; ") + ".";
      Core.loading("candidates", false);
      await Core.chart($("candidates-chart"), Charts.bars(top, { x: "score", y: "label", unit: "index", title, subtitle: "0 to 1, higher is better; ranked by the analysis", xTitle: "score" }), text, "candidates");
    } catch (e) {
      error.textContent = e.message;
      error.hidden = false;
      const titles = { choke: "World chokepoint?", flows: "World exports", candidates: "Friend-shoring candidates" };
      PRODUCT_CARDS.forEach((c) => {
        Core.clear(c, titles[c]);
        Core.loading(c, false);
        $(`${c}-meta`).textContent = "No answer to show: see the message above.";
      });
    }
  }

  return { country, product, plainTech, percent, yearOf, partial };
})();
