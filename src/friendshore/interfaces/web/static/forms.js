// The scenario form (writes the API request for the reader and runs it), the register as analysts
// read it, and the link to the brief.
"use strict";

const Forms = (() => {
  const { $ } = Core;

  // -- scenario ----------------------------------------------------------------------------------------
  // The models the server offers for each policy, best first: the product-level partial-equilibrium
  // model where the API has it, else the first-order restriction and the one-sector gravity model.
  function models(policy, year) {
    const out = [];
    if (policy === "restriction") {
      if (Core.param("shock", "model")) out.push(["pe", `product-level model (partial equilibrium), world, ${year} trade`]);
      out.push(["first-order", `first order: other suppliers' exports today, ${year} trade`]);
    } else {
      if (Core.has("tariff")) out.push(["pe", `product-level model (partial equilibrium), ${year} trade`]);
      out.push(["gravity", `general equilibrium, ${gravityYear()} teaching data (illustrative)`]);
    }
    return out;
  }

  let gravityExample = "";

  function gravityToml(exporter, importer, rate) {
    const head = gravityExample.split("[[changes]]")[0].trimEnd();
    const list = (text) => JSON.stringify(text.split(/[,\s]+/).filter(Boolean));
    return `${head}\n\n[[changes]]\ntariff = ${rate}\nexporters = ${list(exporter)}\nimporters = ${list(importer)}\n`;
  }

  function gravityYear() {
    const match = gravityExample.match(/^year\s*=\s*(\d{4})/m);
    return match ? match[1] : "";
  }

  // The request the form stands for: {method, path, params, body} and its text for people.
  function request(form) {
    const rate = Number(form.rate) / 100;
    if (form.model === "gravity") {
      const body = gravityToml(form.exporter, form.importer || "USA", rate);
      return { method: "POST", path: "/api/gravity/simulate", params: { output: "countries", limit: 500 }, body, second: { output: "diversion", importer: form.importer } };
    }
    if (form.policy === "tariff") {
      const params = {
        [Core.param("tariff", "importer", "for")]: form.importer,
        [Core.param("tariff", "exporter", "concern")]: form.exporter,
        [Core.param("tariff", "products", "product")]: form.products,
        [Core.param("tariff", "rate", "tariff")]: rate,
        year: form.year,
      };
      return { method: "GET", path: "/api/tariff", params, second: Core.param("tariff", "output") ? { output: "flows" } : null };
    }
    const params = { exporter: form.exporter, [Core.param("shock", "product", "products")]: form.products, share: rate, year: form.year, importer: form.importer };
    let second = Core.param("shock", "output") ? { output: "suppliers", importer: "" } : null;
    if (form.model === "pe") {
      params.model = "pe";
      if (Core.param("shock", "scope")) {
        params.scope = "world";
        second = { output: "world", importer: "" }; // every importer cut off at once: the world's gap
      }
    }
    return { method: "GET", path: "/api/shock", params, second, world: second && second.output === "world" };
  }

  function describe(req) {
    const url = Core.apiUrl(req.path, req.params);
    const line = `${req.method} ${url.pathname}${url.search}`;
    return req.body ? `${line}\nContent-Type: application/toml\n\n${req.body}` : line;
  }

  function baseline(form) {
    if (form.model === "gravity") {
      return `Baseline: the ${gravityYear()} data of Yotov et al. (2016), An Advanced Guide to Trade Policy Analysis ` +
        "(69 countries, manufacturing as one sector): illustrative, not today's trade; products do not apply.";
    }
    return `Baseline: CEPII BACI trade of ${form.year} (HS 2017), the products loaded in this warehouse.`;
  }

  function refresh(form) {
    const policy = form.policy;
    const options = models(policy, form.year);
    const select = $("scenario-model");
    const keep = select.value;
    Core.fillSelect(select, options.map(([v, t]) => [v, t]));
    select.value = options.some(([v]) => v === keep) ? keep : options[0][0];
    form.model = select.value;
    $("scenario-rate-label").textContent = policy === "tariff" ? "Tariff rate (%)" : "Share withheld (%)";
    const products = $("scenario-products");
    products.disabled = form.model === "gravity";
    products.title = products.disabled ? "The one-sector model has no products: it treats manufacturing as one good." : "";
    $("scenario-year").disabled = form.model === "gravity";
    $("scenario-year").title = form.model === "gravity" ? `The one-sector model runs on its own data of ${gravityYear()}.` : "";
    $("scenario-baseline").textContent = baseline(form);
    $("scenario-request").textContent = describe(request(form));
  }

  async function send(req, extra = {}) {
    const headers = {};
    const token = $("scenario-token").value.trim();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (req.body) headers["Content-Type"] = "application/toml";
    const options = req.method === "POST" ? { method: "POST", headers, body: req.body } : { headers };
    return Core.api(req.path, { ...req.params, ...extra }, options);
  }

  // A one-row answer is drawn as its values side by side: what was at stake and what became of it.
  const AT_RISK = ["world_imports_kusd", "import_value_kusd", "value_at_risk_kusd", "filled_kusd", "unmet_kusd", "unmet_if_all_redirected_kusd"];
  const TRADE = ["trade_before_kusd", "trade_after_kusd", "tariff_revenue_kusd", "consumer_surplus_change_kusd"];
  const VALUE_COLUMNS = ["unmet_kusd", "value_at_risk_kusd", "trade_after_kusd", "change_pct", "real_gdp_change_pct", "extra_demand_kusd", "trade_change_pct"];
  const NAME_COLUMNS = ["importer", "supplier", "exporter", "country"];

  function pick(page, names) {
    return names.find((n) => page.meta.columns.some((c) => c.name === n && (page.rows[0] || {})[n] !== undefined));
  }

  async function drawResult(prefix, page, title) {
    $(`${prefix}-title`).textContent = title;
    Core.setMeta(prefix, page);
    $(`${prefix}-table`).dataset.caption = title;
    Core.table($(`${prefix}-table`), page, { maxRows: 15 });
    Core.loading(prefix, false);
    const columns = page.meta.columns.map((c) => Glossary.column(c));
    let rows;
    let col;
    if (page.rows.length === 1) {
      // one row: its values side by side (all in the same unit), e.g. imports, at risk, fillable, unmet
      const row = page.rows[0];
      const wanted = "value_at_risk_kusd" in row ? AT_RISK : TRADE;
      const money = wanted.map((n) => columns.find((c) => c.name === n)).filter((c) => c && row[c.name] !== null && row[c.name] !== undefined);
      if (!money.length) return;
      rows = money.map((c) => ({ label: c.label, value: row[c.name] }));
      col = { label: "value", unit: "kusd" };
    } else {
      const x = pick(page, VALUE_COLUMNS);
      const y = pick(page, NAME_COLUMNS);
      if (!x || !y) return;
      col = columns.find((c) => c.name === x);
      const products = new Set(page.rows.map((r) => r.hs6)).size > 1;
      rows = page.rows
        .filter((r) => r[x] !== null)
        .sort((a, b) => Math.abs(b[x]) - Math.abs(a[x]))
        .slice(0, 15)
        .map((r) => ({ label: Core.place(r[y]) + (products ? `, ${Core.product(r.hs6)}` : ""), value: r[x] }));
    }
    const text = `${title}: ${col.label}. ` + rows.slice(0, 5).map((r) => `${r.label} ${Number(r.value).toPrecision(3)}`).join("; ") + ".";
    const subtitle = page.rows.length === 1 ? "" : `the ${rows.length} largest`;
    await Core.chart($(`${prefix}-chart`), Charts.bars(rows, { x: "value", y: "label", unit: col.unit, title, subtitle, xTitle: col.label }), text, prefix);
  }

  // Titles in words: what the form asked, in the reader's terms.
  function titles(form, year, world) {
    const rate = `${form.rate} %`;
    const products = form.model === "gravity" ? "manufactures" : Core.product(form.products);
    if (form.policy === "tariff") {
      const what = `A ${rate} tariff by ${Core.place(form.importer)} on ${products} from ${Core.place(form.exporter)}, ${year}`;
      if (form.model === "gravity") return [`${what}: effect by country`, `${what}: trade diverted`];
      return [`${what}: effect on its imports`, `${what}: imports by supplier`];
    }
    const what = `If ${Core.place(form.exporter)} withholds ${rate} of its exports of ${products}, ${year}`;
    const second = world ? "the world's gap (every importer cut off at once)" : "extra demand on other suppliers";
    return [`${what}: imports at risk${form.importer ? ` for ${Core.place(form.importer)}` : ""}`, `${what}: ${second}`];
  }

  async function scenario(form) {
    const req = request(form);
    $("scenario-request").textContent = describe(req);
    const status = $("scenario-status");
    status.className = "status";
    status.textContent = "Running…";
    ["scenario", "diversion"].forEach((c) => {
      Core.clear(c, null);
      Core.loading(c, true);
    });
    try {
      const page = await send(req);
      const year = form.model === "gravity" ? `${gravityYear()} data (illustrative)` : Views.yearOf(page);
      const [first, other] = titles(form, year, req.world);
      await drawResult("scenario", page, first);
      if (req.second) {
        try {
          const second = await send(req, req.second);
          await drawResult("diversion", second, other);
        } catch (e) {
          Core.fail("diversion", e, "Who fills the gap");
        }
      } else {
        Core.clear("diversion", "Who fills the gap");
        Core.loading("diversion", false);
        $("diversion-table").textContent = "This model's answer has no second table.";
      }
      status.textContent = `Done: ${first}.`;
    } catch (e) {
      status.className = "status error";
      status.textContent = e.message;
      Core.fail("scenario", e, "Result");
      Core.clear("diversion", "Who fills the gap");
      Core.loading("diversion", false);
    }
  }

  // -- register ----------------------------------------------------------------------------------------
  function linked(text) {
    const fragment = document.createDocumentFragment();
    let last = 0;
    for (const match of String(text).matchAll(/https?:\/\/\S+/g)) {
      const url = match[0].replace(/[.,;)]+$/, "");
      fragment.append(text.slice(last, match.index));
      const a = document.createElement("a");
      a.href = url;
      a.textContent = url.replace(/^https?:\/\/(www\.)?/, "").split("/")[0];
      a.title = url;
      a.rel = "noopener";
      a.target = "_blank";
      fragment.appendChild(a);
      last = match.index + url.length;
    }
    fragment.append(String(text).slice(last));
    return fragment;
  }

  const ENTRY = {
    measures: {
      title: (r) => r.title || r.id,
      facts: (r, d) => [
        ["by", Core.places(r.who)], ["on", Core.places(r.on)], ["exempt", r.exempt ? Core.places(r.exempt) : ""],
        ["announced", d.announced], ["in force from", d.effective], ["until", d.end],
        ["products", r.products ? Core.product(r.products) : ""], ["technologies", (r.technologies || "").split(/,\s*/).map(Views.plainTech).join(", ")],
        ["legal reference", d.legal_reference],
      ],
      paragraphs: ["summary", "products_note", "note"],
    },
    investments: {
      title: (r) => `${r.company}: ${r.facility ? r.facility.toUpperCase() === "OSAT" ? "assembly and test (OSAT)" : r.facility : ""}${r.site ? ` in ${r.site}` : ""}, ${Core.place(r.country)}`,
      facts: (r, d) => [
        ["status", d.status], ["announced", d.announced], ["construction from", d.construction_start], ["operating from", d.operation_start],
        ["cancelled", d.cancelled], ["amount", r.amount_musd ?? r.amount_million ? `${d.amount_musd || d.amount_million} million ${r.currency || ""}` : ""],
        ["capacity per year", r.capacity_per_year ? `${d.capacity_per_year} ${r.capacity_unit || ""}` : ""],
        ["products", r.products ? Core.product(r.products) : ""], ["technology", Views.plainTech(r.technology)],
      ],
      paragraphs: ["amount_note", "note"],
    },
    initiatives: {
      title: (r) => r.name,
      facts: (r, d) => [
        ["kind", d.kind], ["launched", d.launched], ["ended", d.ended], ["led by", r.lead ? Core.places(r.lead) : ""],
        ["members", d.members], ["technologies", (r.technologies || "").split(/,\s*/).map(Views.plainTech).join(", ")],
      ],
      paragraphs: ["aims", "note"],
    },
    members: {
      title: (r) => `${r.country_name || Core.place(r.iso3)} (${r.iso3})`,
      facts: (r, d) => [["initiative", Core.who(r.initiative)], ["role", d.role], ["from", d.from], ["to", d.to]],
      paragraphs: ["note"],
    },
  };

  function entry(kind, row, display, columns) {
    const spec = ENTRY[kind];
    const article = document.createElement("article");
    article.className = "entry";
    const h = document.createElement("h3");
    h.textContent = spec.title(row);
    const badge = document.createElement("span");
    badge.className = row.verified ? "badge ok" : "badge warn";
    badge.textContent = row.verified ? "confirmed by its sources" : "not confirmed: read the note";
    h.append(" ", badge);
    article.appendChild(h);
    const facts = document.createElement("dl");
    for (const [label, value] of spec.facts(row, display)) {
      if (!value) continue;
      const dt = document.createElement("dt");
      dt.textContent = label;
      const dd = document.createElement("dd");
      dd.textContent = value;
      facts.append(dt, dd);
    }
    article.appendChild(facts);
    for (const name of spec.paragraphs) {
      if (!row[name]) continue;
      const p = document.createElement("p");
      const strong = document.createElement("strong");
      const col = columns.find((c) => c.name === name);
      strong.textContent = `${name === "note" ? "Note" : col ? col.label[0].toUpperCase() + col.label.slice(1) : name}: `;
      p.append(strong, row[name]);
      article.appendChild(p);
    }
    if (row.source) {
      const p = document.createElement("p");
      p.className = "source";
      const strong = document.createElement("strong");
      strong.textContent = "Sources: ";
      p.append(strong, linked(row.source));
      article.appendChild(p);
    }
    return article;
  }

  async function register(form) {
    const kind = ENTRY[form.kind] ? form.kind : "measures";
    $("register-initiative-label").hidden = kind !== "members";
    Core.clearErrors("register");
    Core.loading("register", true);
    const params = { country: form.country, active_at: form.date, limit: 100000 };
    if (kind === "members") params.initiative = form.initiative;
    try {
      const page = await Core.api(`/api/register/${kind}`, params);
      const names = { measures: "Export controls and other measures", investments: "Investments", initiatives: "Initiatives", members: "Members" };
      const where = form.country ? ` involving ${Core.place(form.country)}` : "";
      const of = kind === "members" ? ` of ${Core.who(form.initiative)}` : "";
      const when = form.date ? `, in force on ${form.date}` : "";
      $("register-title").textContent = `${names[kind]}${of}${where}${when}: ${page.rows.length}`;
      Core.setMeta("register", page);
      const list = $("register-list");
      list.replaceChildren();
      page.rows.forEach((row, i) => list.appendChild(entry(kind, row, page.display[i], page.meta.columns.map((c) => Glossary.column(c)))));
      if (!page.rows.length) list.textContent = "No entries for this choice.";
      const foot = document.createElement("p");
      foot.className = "table-foot";
      const url = new URL(page.url);
      url.searchParams.set("format", "csv");
      const a = document.createElement("a");
      a.href = url.pathname + url.search;
      a.download = `register-${kind}.csv`;
      a.textContent = "Download CSV";
      foot.appendChild(a);
      list.appendChild(foot);
    } catch (e) {
      Core.fail("register", e, "Register");
    } finally {
      Core.loading("register", false);
    }
  }

  // -- brief -------------------------------------------------------------------------------------------
  function brief(form) {
    const url = Core.apiUrl("/api/brief", { for: form.for, partner: form.partner, coalition: form.coalition, members_at: form.members_at, sector: form.sector });
    const link = $("brief-link");
    link.href = url.pathname + url.search;
    const coalition = form.coalition ? `, with ${Core.who(form.coalition)}` : "";
    link.textContent = `Open the brief for ${Core.place(form.for)}${form.partner ? ` and partner ${Core.place(form.partner)}` : ""}${coalition}`;
  }

  return {
    scenario, refresh, register, brief, request, describe,
    setExample: (text) => { gravityExample = text; },
  };
})();
