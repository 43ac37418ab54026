// Plain words for the API's columns, with a definition one hover or click away: the API's labels
// are short and sometimes command-line terms ("share from --on"); the page shows these instead,
// and the API's own description wherever it gives one. `{concern}` and `{hhi}`-style
// placeholders are filled from the answer's parameters (the concern's name, the EC thresholds).
"use strict";

const Glossary = (() => {
  const ENTRIES = {
    // who and what
    importer: ["importer", "The importing country or group (a group's imports from outside it)."],
    exporter: ["exporter", "The exporting country."],
    country: ["country", ""],
    candidate: ["country", "A country that exports the product and is not among the countries of concern."],
    hs6: ["product", "The product by its six-digit Harmonized System code (HS 2017) and a short name."],
    description: ["product", ""],
    technology: ["technology", ""],
    material: ["material", ""],
    stage: ["stage", "Stage of the value chain: ore or mining, refining, products."],
    year: ["year", "The year of the trade data."],
    note: ["note", ""],
    // trade values and concentration
    import_value_kusd: ["imports (value)", "The importer's imports of this product in the year, by value (CEPII BACI, US dollars)."],
    total_import_kusd: ["all imports (incl. within the group)", "Imports by value including trade between a group's members."],
    export_kusd: ["exports (value)", "Exports of this product in the year, by value (US dollars)."],
    world_export_kusd: ["world exports (value)", "All countries' exports of this product in the year, by value."],
    n_suppliers: ["suppliers", "How many countries the importer bought this product from."],
    n_exporters: ["exporters", "How many countries exported this product."],
    top_supplier: ["largest supplier", "The country the importer bought most of this product from, by value."],
    top_exporter: ["largest exporter", "The country with the largest share of world exports, by value."],
    top_share: ["largest supplier's share", "Share of the imports (by value) that come from the largest supplier."],
    top3_share: ["three largest exporters' share", "Share of world exports (by value) of the three largest exporters."],
    hhi: ["concentration (HHI)", "Herfindahl-Hirschman index of the importer's suppliers: the sum of the squared supplier shares (by value), from near 0 (many small suppliers) to 1 (a single supplier). The EC screen counts a product as concentrated above {hhi}."],
    world_hhi: ["world concentration (HHI)", "Herfindahl-Hirschman index of world exports: the sum of the squared exporter shares (by value), 0 to 1. A chokepoint is above 0.4."],
    on_share: ["share from {concern}", "Share of the importer's imports of this product (by value) that come from {concern}."],
    chokepoint: ["world chokepoint", "Yes when world exports are concentrated (world HHI above 0.4)."],
    // the EC screen
    ec_flag: ["EC flag", "Yes when the product passes all three tests of the European Commission's strategic-dependency screen (2021): imports concentrated on few suppliers (HHI above {hhi}), mostly from outside the group (above {extra_ratio}), and larger than the importer's own exports (ratio above {cover})."],
    extra_import_ratio: ["share from outside the group", "Share of the imports (by value) from countries outside the importing group (100 % for a single country)."],
    import_export_ratio: ["imports ÷ exports", "The importer's imports of the product divided by its exports of it."],
    ec_concentration: ["EC test 1: concentrated", "The HHI of suppliers is above {hhi}."],
    ec_importance: ["EC test 2: from outside", "Imports from outside the group are above {extra_ratio} of all imports."],
    ec_substitutability: ["EC test 3: imports exceed exports", "Imports are more than {cover} times the importer's exports."],
    // supply risk (EU CRM method)
    supply_risk: ["supply risk (SR)", "The EU critical raw materials method's supply risk: concentration of supply weighted by the suppliers' governance (HHI-WGI), for world production and for the importer's own sourcing, weighted by import reliance and lowered by end-of-life recycling and substitution. The EU counts 1 or more as high."],
    hhi_wgi_global: ["world supply risk (HHI-WGI)", "Concentration of world production weighted by the producers' governance (WGI, rescaled 0-10)."],
    hhi_wgi_sourcing: ["sourcing risk (HHI-WGI)", "Concentration of the importer's own sourcing weighted by the suppliers' governance."],
    import_reliance: ["import reliance (IR)", "Net imports as a share of the importer's apparent consumption (production + imports - exports), by quantity."],
    eol_rir: ["recycled input (EoL-RIR)", "End-of-life recycling input rate: the share of demand met by recycled scrap (EU study)."],
    si_sr: ["substitution index (SI)", "The EU's substitution index for supply risk: 1 means no substitute."],
    top_producer: ["largest producer", "The country with the largest share of world production."],
    top_producer_share: ["its share of world production", "The largest producer's share of world production, by quantity."],
    economic_importance: ["economic importance (EI)", "The EU method's economic importance of the material."],
    high_supply_risk: ["SR at or above 1", "Yes when the supply risk is at or above the EU threshold of 1."],
    critical: ["critical", "Yes when both supply risk and economic importance pass the EU thresholds."],
    production_year: ["production data year", "The year of the production shares (USGS or BGS); may differ from the trade year."],
    trade_year: ["trade data year", ""],
    wgi_year: ["governance data year", "The year of the Worldwide Governance Indicators used."],
    // partners
    rank: ["rank", "Position among all candidates by score (1 = best)."],
    n_candidates: ["of", "How many candidates the rank is among: every exporter of the product that qualifies."],
    name: ["name", ""],
    in_coalition: ["in the coalition", "Yes when the country belongs to the coalition asked for."],
    world_share: ["share of world exports", "The country's share of world exports of this product, by value.", "share"],
    share_ex_concern: ["share of exports outside the concern", "The country's share of world exports of this product, counting only exporters outside the countries of concern (by value)."],
    rca: ["revealed comparative advantage (RCA)", "The product's share in the country's exports divided by its share in world exports (above 1: specialised)."],
    density: ["relatedness (density)", "How close the country's other exports are to this product (product space density, 0-1)."],
    wgi_mean: ["governance (WGI)", "Mean of the World Bank's six Worldwide Governance Indicators, from about -2.5 (weak) to +2.5 (strong)."],
    ideal_point_distance: ["UN voting distance", "Distance between the country's and the importer's positions in UN General Assembly votes (ideal points); smaller is closer."],
    distw_km: ["distance", "Population-weighted distance between the two countries (CEPII GeoDist)."],
    score: ["score", "Weighted sum of the candidate's normalised indicators (capacity, governance, alignment, distance and the rest), 0 to 1; higher is a better partner."],
    rank_median: ["median rank", "Median rank over Monte Carlo draws of the weights."],
    rank_p05: ["best likely rank", "5th percentile of the rank over Monte Carlo draws of the weights and normalisations."],
    rank_p95: ["worst likely rank", "95th percentile of the rank over Monte Carlo draws of the weights and normalisations."],
    missing: ["missing indicators", "Indicators without data for this country; the others are re-weighted."],
    // shocks and scenarios
    restricting: ["restricting", "The supplier (or group acting together) that withholds its exports."],
    value_at_risk_kusd: ["at risk (value)", "Imports that the restriction withholds, by value."],
    capacity_kusd: ["others' capacity (value)", "What the other suppliers export of this product to third countries today."],
    filled_kusd: ["filled by others (value)", "The part of the value at risk that other suppliers fill: first order, with what they export today; in the partial equilibrium, at the new prices."],
    trade_before_kusd: ["trade before (value)", "Imports at today's prices and quantities (the loaded year)."],
    trade_after_kusd: ["trade after (value)", "Imports in the model's new equilibrium."],
    change_pct: ["change in value", "Change in the value of trade, %."],
    price_change_pct: ["price change", "Change in the price the importer pays, %."],
    consumer_surplus_change_kusd: ["consumer surplus change (value)", "The importer's gain or loss as a buyer (partial equilibrium)."],
    tariff_revenue_kusd: ["tariff revenue (value)", "What the importer's government collects from the tariff."],
    world_imports_kusd: ["world imports (value)", "Every importer's imports of the product, by value."],
    unmet_if_all_redirected_kusd: ["unmet even if all redirected (value)", "What no other exporter could supply even if it redirected everything it exports today."],
    unmet_kusd: ["unmet (value)", "The part of the value at risk no other supplier could fill."],
    at_risk_share: ["at risk (share of imports)", "Value at risk as a share of the importer's imports of the product."],
    unmet_share: ["unmet (share of imports)", "Unmet value as a share of the importer's imports of the product."],
    real_gdp_change_pct: ["real GDP change", "Change in real GDP in the model's new equilibrium, %."],
    exports_change_pct: ["exports change", "Change in the country's exports, %."],
    imports_change_pct: ["imports change", "Change in the country's imports, %."],
    trade_baseline: ["trade before", "Trade in the model's baseline year."],
    trade_change: ["change in trade", ""],
    trade_change_pct: ["change in trade", "Change in the exporter's sales to the importer, %."],
    // register
    id: ["identifier", ""],
    verified: ["confirmed by its sources", "No means the entry is not confirmed by the sources cited: read its note before relying on it."],
    source: ["sources", ""],
    legal_reference: ["legal reference", ""],
    // warehouse
    coverage: ["coverage", "What the loaded file covers (for example only some products)."],
  };

  function fill(text, vars) {
    return text.replace(/\{(\w+)\}/g, (all, key) => (vars[key] !== undefined ? vars[key] : all));
  }

  // A column in plain words: the glossary's label where it has one (written for this page), else
  // the API's; the API's description where it gives one, else the glossary's definition.
  function column(col, vars = {}) {
    const entry = ENTRIES[col.name];
    let label = entry ? entry[0] : (col.label || col.name).replaceAll("_", " ");
    let definition = col.description || (entry ? entry[1] : "");
    if (col.basis) definition += ` Base: ${col.basis}.`;
    if (col.year) definition += ` Data of ${col.year}.`;
    const unit = entry && entry[2] ? entry[2] : col.unit;
    if (unit === "pct" && !label.includes("%")) label += " (%)";
    return { name: col.name, unit, apiUnit: col.unit, label: fill(label, vars), definition: fill(definition.trim(), vars) };
  }

  return { column, fill, ENTRIES };
})();
