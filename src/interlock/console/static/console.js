// The Interlock console: a small single-page app over the admin JSON APIs.
// The admin key lives in sessionStorage (this tab only) and travels in the Authorization header,
// never in a URL. Every page builds its DOM with textContent (no innerHTML of data).
"use strict";

const KEY = "interlock.console.key";
const state = { key: null, me: null };

// ---- small DOM helpers ---------------------------------------------------------------------
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}
const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}
function money(n) {
  // Costs per request are tiny: three significant digits below a dollar, cents above.
  const v = Number(n || 0);
  if (v === 0) return "$0";
  return "$" + v.toLocaleString("en", v < 1 ? { maximumSignificantDigits: 3 }
    : { maximumFractionDigits: 2 });
}
const int = (n) => Number(n || 0).toLocaleString("en");
const has = (...roles) => state.me && roles.some((r) => state.me.roles.includes(r));

// ---- the admin API ---------------------------------------------------------------------------
class ApiError extends Error {
  constructor(status, body) {
    const err = (body && body.error) || {};
    super(err.message || `HTTP ${status}`);
    this.status = status;
    this.code = err.code || "";
  }
}
async function api(path, options = {}) {
  const headers = { authorization: "Bearer " + state.key };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const r = await fetch(path, {
    method: options.method || "GET",
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    credentials: "omit",
    cache: "no-store",
  });
  const body = await r.json().catch(() => null);
  if (r.status === 401) { signOut("Your session ended: sign in again."); }
  if (!r.ok) throw new ApiError(r.status, body);
  return body;
}

// ---- sign-in ---------------------------------------------------------------------------------
async function signIn(key) {
  state.key = key;
  const me = await fetch("/admin/whoami", { headers: { authorization: "Bearer " + key },
    credentials: "omit", cache: "no-store" });
  const body = await me.json().catch(() => null);
  if (!me.ok) { state.key = null; throw new ApiError(me.status, body); }
  state.me = body;
  sessionStorage.setItem(KEY, key);
}
function signOut(message) {
  sessionStorage.removeItem(KEY);
  state.key = null;
  state.me = null;
  document.getElementById("signin-error").textContent = message || "";
  location.hash = "";
  render();
}

// ---- routing ---------------------------------------------------------------------------------
const PAGES = {
  overview: { title: "Overview", roles: null, show: overview },
  audit: { title: "Audit", roles: ["org_admin", "auditor"], show: auditSearch },
  record: { title: "Audit record", roles: ["org_admin", "auditor"], show: auditRecord },
  keys: { title: "Manage keys", roles: ["org_admin", "team_admin"], show: manageKeys },
  teams: { title: "Manage teams", roles: ["org_admin", "team_admin"], show: manageTeams },
  apps: { title: "Manage applications", roles: ["org_admin", "team_admin"], show: manageApps },
  bindings: { title: "Manage bindings", roles: ["org_admin", "team_admin"], show: manageBindings },
  budgets: { title: "Manage budgets", roles: ["org_admin", "team_admin"], show: manageBudgets },
};
function parseHash() {
  const raw = location.hash.replace(/^#\/?/, "");
  const [path, query] = raw.split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { parts, params: new URLSearchParams(query || "") };
}
async function render() {
  const signedIn = !!state.me;
  document.getElementById("signin-view").hidden = signedIn;
  document.getElementById("nav").hidden = !signedIn;
  document.getElementById("signout").hidden = !signedIn;
  const view = document.getElementById("view");
  view.hidden = !signedIn;
  document.getElementById("who").textContent = signedIn
    ? `${state.me.identity_id} · ${state.me.roles.join(", ") || "no role"}` : "";
  if (!signedIn) { view.replaceChildren(); document.getElementById("admin-key").focus(); return; }
  for (const a of document.querySelectorAll("#nav a")) {
    const roles = a.dataset.roles ? a.dataset.roles.split(" ") : null;
    a.hidden = !!roles && !has(...roles);
  }
  const { parts, params } = parseHash();
  let name = parts[0] || "overview";
  if (name === "audit" && parts[1]) name = "record";
  const page = PAGES[name] || PAGES.overview;
  for (const a of document.querySelectorAll("#nav a")) {
    const current = a.dataset.page === name || (name === "record" && a.dataset.page === "audit");
    if (current) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  }
  document.title = `${page.title} · Interlock console`;
  if (page.roles && !has(...page.roles)) {
    view.replaceChildren(el("h1", { text: "Not available" }),
      el("p", { class: "error", role: "alert", id: "forbidden",
        text: `Your role (${state.me.roles.join(", ") || "none"}) cannot open ${page.title}.` }));
    return;
  }
  // Each render fills its own container: a slower, older render (the user moved on before its
  // data came) then writes into a detached node instead of over the current page.
  const container = el("div", { class: "page" },
    el("h1", { text: page.title }), el("p", { class: "hint", text: "Loading…" }));
  view.replaceChildren(container);
  try {
    await page.show(container, parts, params);
  } catch (e) {
    container.append(el("p", { class: "error", role: "alert", text: e.message }));
  }
}

// ---- charts ----------------------------------------------------------------------------------
// Colours for series, distinguishable and dark enough for white gaps between stacked segments.
const PALETTE = ["#2456c9", "#e07b00", "#1e8a5a", "#b3261e", "#7b3fb5", "#00838f", "#8d6e00",
  "#c2185b", "#7a8599"];
const METRICS = { requests: ["Requests", int], tokens: ["Tokens", int], cost_usd: ["Spend", money] };
const isoTime = (s) => new Date(s * 1000).toISOString().replace(".000Z", "Z");
function bucketLabel(s, size) {
  const iso = isoTime(s);
  return size >= 86400 ? iso.slice(0, 10) : `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
}
function niceMax(v) {
  if (v <= 0) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
const canAudit = () => has("org_admin", "auditor");
// The audit search behind a chart point: the bucket's time range and the series' value.
function auditLink(filters) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v !== null && v !== undefined && v !== "") q.set(k, v);
  return "#/audit?" + q.toString();
}

// Stacked columns over time: one column per bucket, one segment per series. Each segment links
// to the audit records of that bucket and series (for roles that may read the audit).
function timeChart(title, id, data, dim, metric) {
  const rows = data.series[dim] || [];
  const n = data.starts.length;
  const [metricName, fmt] = METRICS[metric];
  const W = 640, H = 230, left = 64, right = 8, top = 10, bottom = 30;
  const plotW = W - left - right, plotH = H - top - bottom;
  const totals = data.starts.map((_, i) => rows.reduce((s, r) => s + (r[metric][i] || 0), 0));
  const high = niceMax(Math.max(0, ...totals));
  const colW = plotW / Math.max(1, n);
  const chart = svg("svg", { class: "chart time", viewBox: `0 0 ${W} ${H}`, role: "group",
    "aria-label": title, id });
  chart.append(svg("title", {}, title));
  for (let k = 0; k <= 4; k++) {  // grid and y labels
    const y = top + plotH - (k / 4) * plotH;
    chart.append(svg("line", { class: "gridline", x1: left, x2: W - right, y1: y, y2: y }),
      svg("text", { x: left - 6, y: y + 4, "text-anchor": "end", class: "axis" }, fmt(high * k / 4)));
  }
  const every = Math.max(1, Math.ceil(n / 8));
  data.starts.forEach((start, i) => {
    const x = left + i * colW;
    const cx = x + colW / 2;
    if (i % every === 0 && cx + 34 <= W) {  // a label that would run off the chart is left out
      chart.append(svg("text", { x: cx, y: H - 10, "text-anchor": "middle", class: "axis" },
        bucketLabel(start, data.bucket_s)));
    }
    let y = top + plotH;
    rows.forEach((row, s) => {
      const v = row[metric][i] || 0;
      if (!v) return;
      const h = Math.max(1, (v / high) * plotH);
      y -= h;
      const what = row.other ? row.value : (row.value || "(none)");
      const label = `${what}, ${bucketLabel(start, data.bucket_s)}: ${fmt(v)} ${metricName.toLowerCase()}`;
      const rect = svg("rect", { class: "seg", x: x + 1, y, width: Math.max(1, colW - 2), height: h,
        fill: PALETTE[s % PALETTE.length], "data-series": row.value, "data-bucket": start },
        svg("title", {}, label));
      if (canAudit()) {
        const filters = { since: isoTime(start), until: isoTime(start + data.bucket_s), kind: "exchange" };
        if (!row.other && row.value) filters[dim] = row.value;
        if (data.team) filters.team = data.team;
        const a = svg("a", { href: auditLink(filters), "aria-label": label + ", see records" });
        a.append(rect);
        chart.append(a);
      } else chart.append(rect);
    });
  });
  if (!rows.length) chart.append(svg("text", { x: left + 10, y: top + 20 }, "No records in this period"));
  const legend = el("ul", { class: "legend" }, rows.map((r, s) => el("li", {},
    swatch(PALETTE[s % PALETTE.length]), `${r.other ? r.value : (r.value || "(none)")} `,
    el("span", { class: "hint", text: fmt(r.total[metric === "tokens" ? "tokens" : metric]) }))));
  const dataTable = el("details", {}, el("summary", { text: "Data table" }),
    table(["Bucket (UTC)", ...rows.map((r) => r.value || "(none)")],
      data.starts.map((s, i) => [bucketLabel(s, data.bucket_s), ...rows.map((r) => fmt(r[metric][i]))]),
      rows.map((_, k) => k + 1)));
  return el("figure", { class: "card" }, el("h2", { text: title }), chart, legend, dataTable);
}
function swatch(color) {
  const s = svg("svg", { class: "swatch", viewBox: "0 0 10 10", "aria-hidden": "true" });
  s.append(svg("rect", { width: 10, height: 10, rx: 2, fill: color }));
  return s;
}

// A horizontal bar chart; each bar links to the records behind it (when the role may read the
// audit). `marks` draws reference lines at fractions of `max`.
function barChart(title, rows, { value, label, link, format, max, marks, id }) {
  const top = rows.slice().sort((a, b) => value(b) - value(a)).slice(0, 12);
  const high = max || Math.max(1e-12, ...top.map(value));
  const rowH = 26, labelW = 170, barW = 260, width = labelW + barW + 70;
  const height = Math.max(1, top.length) * rowH + 6;
  // "group", not "img": an image's children (the links) would be hidden from assistive tech.
  const chart = svg("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, role: "group",
    "aria-label": title, id });
  chart.append(svg("title", {}, title));
  top.forEach((row, i) => {
    const y = i * rowH + 3;
    const w = Math.max(1, (value(row) / high) * barW);
    const g = svg("g", {},
      svg("text", { x: labelW - 6, y: y + 15, "text-anchor": "end" }, label(row)),
      svg("rect", { class: "bar-bg", x: labelW, y, width: barW, height: rowH - 6, rx: 3 }),
      svg("rect", { class: "bar", x: labelW, y, width: Math.min(w, barW), height: rowH - 6, rx: 3 },
        svg("title", {}, `${label(row)}: ${format(value(row))}`)),
      svg("text", { x: labelW + barW + 6, y: y + 15 }, format(value(row))));
    const href = link && canAudit() ? link(row) : null;
    if (href) {
      const a = svg("a", { href, "aria-label": `${label(row)}: ${format(value(row))}, see records` });
      a.append(g);
      chart.append(a);
    } else chart.append(g);
  });
  for (const m of marks || []) {
    const x = labelW + m * barW;
    chart.append(svg("line", { class: "mark", x1: x, x2: x, y1: 0, y2: height }));
  }
  if (!top.length) chart.append(svg("text", { x: 10, y: 18 }, "None in this period"));
  return el("figure", { class: "card" }, el("h2", { text: title }), chart);
}

// ---- overview --------------------------------------------------------------------------------
const RANGES = [["24h", "Last 24 hours"], ["7d", "Last 7 days"], ["30d", "Last 30 days"], ["90d", "Last 90 days"]];
async function overview(view, parts, params) {
  const canUsage = has("org_admin", "auditor", "team_admin");
  if (!canUsage) {
    const [teams, apps, keys] = await Promise.all(
      [api("/admin/teams"), api("/admin/apps"), api("/admin/keys")]);
    view.replaceChildren(el("h1", { text: "Overview" }),
      el("p", { class: "hint", text: "Your role reads the organisation; usage, spend and the audit are for admins and auditors." }),
      tiles([["Teams", teams.length], ["Applications", apps.length],
        ["Active keys", keys.filter((k) => k.status === "active").length]]),
      el("div", { class: "card" }, el("h2", { text: "Teams" }),
        table(["Team", "Status"], teams.map((t) => [t.id, tag(t.status)]))));
    return;
  }
  const range = RANGES.some(([r]) => r === params.get("range")) ? params.get("range") : "24h";
  const metric = METRICS[params.get("metric")] ? params.get("metric") : "requests";
  const go = (r, m) => { location.hash = `#/overview?range=${r}&metric=${m}`; };
  const controls = el("form", { class: "card controls", id: "overview-controls" },
    el("div", {}, el("label", { for: "range", text: "Period" }),
      el("select", { id: "range", onchange: (e) => go(e.target.value, metric) },
        RANGES.map(([r, t]) => el("option", { value: r, selected: r === range, text: t })))),
    el("div", {}, el("label", { for: "metric", text: "Measure" }),
      el("select", { id: "metric", onchange: (e) => go(range, e.target.value) },
        Object.entries(METRICS).map(([m, [t]]) => el("option", { value: m, selected: m === metric, text: t })))));
  controls.addEventListener("submit", (e) => e.preventDefault());
  const [data, budgets] = await Promise.all([api("/admin/usage?range=" + range), loadBudgets()]);
  data.team = has("org_admin", "auditor") ? null : state.me.team_id;
  const t = data.totals;
  const span = { since: isoTime(data.since), until: isoTime(data.until), kind: "exchange" };
  const [mName] = METRICS[metric];
  const charts = el("div", { class: "grid wide", id: "time-charts" });
  for (const [dim, name] of [["team", "team"], ["app", "application"], ["model", "model"], ["provider", "provider"]]) {
    charts.append(timeChart(`${mName} over time by ${name}`, `chart-${dim}`, data, dim, metric));
  }
  const top = data.top;
  const decisions = top.decision || [];
  const blocked = decisions.filter((d) => /:(blocked|refused|denied|failed_closed)$/.test(d.value));
  const injection = decisions.filter((d) => d.value.startsWith("injection:"));
  const rangeLink = (extra) => auditLink({ ...span, ...extra, team: data.team });
  const panels = el("div", { class: "grid wide", id: "incidents" },
    barChart("Top DLP finding types", top.dlp || [], { id: "chart-dlp", value: (r) => r.requests,
      label: (r) => r.value, format: int, link: (r) => rangeLink({ dlp_type: r.value }) }),
    barChart("Blocked requests by stage", blocked, { id: "chart-blocked", value: (r) => r.requests,
      label: (r) => r.value, format: int, link: (r) => rangeLink({ decision: r.value }) }),
    barChart("Injection verdicts", injection, { id: "chart-injection", value: (r) => r.requests,
      label: (r) => r.value.slice("injection:".length), format: int,
      link: (r) => rangeLink({ decision: r.value }) }),
    barChart("Upstream errors", top.error || [], { id: "chart-errors", value: (r) => r.requests,
      label: (r) => r.value, format: int, link: (r) => rangeLink({ provider: r.value.split(" ")[0] }) }),
    barChart("Failovers by serving provider", top.failover || [], { id: "chart-failovers",
      value: (r) => r.requests, label: (r) => r.value || "(none)", format: int,
      link: (r) => rangeLink({ provider: r.value }) }));
  const byTeam = el("div", { class: "card" }, el("h2", { text: "By team" }),
    table(["Team", "Requests", "Tokens", "Spend", "Refused", "Failed"],
      (data.series.team || []).map((r) => [r.value || "(none)", int(r.total.requests),
        int(r.total.tokens), money(r.total.cost_usd), int(r.total.refused), int(r.total.failed)]),
      [1, 2, 3, 4, 5], "spend-table"));
  view.replaceChildren(el("h1", { text: "Overview" }), controls,
    tiles([["Requests", int(t.requests)], ["Tokens", int(t.tokens)], ["Spend", money(t.cost_usd)],
      ["Refused", int(t.refused)], ["Failed", int(t.failed)]]),
    data.backlog ? el("p", { class: "hint", role: "status",
      text: `${int(data.backlog)} newer records are still being counted; reload in a moment.` }) : "",
    budgetPanel(budgets), charts, panels, byTeam);
}

// ---- budgets ---------------------------------------------------------------------------------
// GET /admin/budgets: {"data": [{id, name, source, scope, period, timezone, limit_usd, thresholds,
// action, downgrade_to, spent_usd, reserved_usd, period_start, period_end}]}
async function loadBudgets() {
  try {
    const body = await api("/admin/budgets");
    return { list: body.data || [] };
  } catch (e) {
    return { error: e.status === 404 ? "This gateway has no budgets API (GET /admin/budgets)." : e.message };
  }
}
function scopeText(scope) {
  const parts = Object.entries(scope || {}).filter(([, v]) => v).map(([k, v]) => `${k} ${v}`);
  return parts.length ? parts.join(", ") : "whole organisation";
}
const pct = (x) => `${Math.round(x * 100)} %`;
function budgetPanel(budgets) {
  const card = el("div", { class: "card", id: "budget-use" }, el("h2", { text: "Budget use" }));
  if (budgets.error) { card.append(el("p", { class: "hint", text: budgets.error })); return card; }
  if (!budgets.list.length) { card.append(el("p", { class: "hint", text: "No budgets." })); return card; }
  const rowH = 40, labelW = 220, barW = 330, W = labelW + barW + 170;
  const chart = svg("svg", { class: "chart budgets", viewBox: `0 0 ${W} ${budgets.list.length * rowH + 24}`,
    role: "group", "aria-label": "Budget use against each budget, with the 80 % and 100 % marks" });
  const scale = 1.25;  // the track runs to 125 % so an overrun stays visible
  budgets.list.forEach((b, i) => {
    const y = i * rowH + 20;
    const used = b.limit_usd > 0 ? b.spent_usd / b.limit_usd : 0;
    const held = b.limit_usd > 0 ? (b.reserved_usd || 0) / b.limit_usd : 0;
    const marks = [...new Set([...(b.thresholds || []), 1])].sort();
    const level = used >= 1 ? "over" : (used >= Math.min(...marks) ? "warn" : "");
    const label = `${b.name}: ${money(b.spent_usd)} of ${money(b.limit_usd)} (${pct(used)}) this ${b.period}`;
    const g = svg("g", { class: "budget", "data-budget": b.id },
      svg("text", { x: labelW - 8, y: y + 12, "text-anchor": "end" }, b.name),
      svg("text", { x: labelW - 8, y: y + 26, "text-anchor": "end", class: "axis" }, scopeText(b.scope)),
      svg("rect", { class: "bar-bg", x: labelW, y, width: barW, height: 18, rx: 3 }),
      svg("rect", { class: "bar " + level, x: labelW, y, width: Math.min(barW, (used / scale) * barW), height: 18, rx: 3 },
        svg("title", {}, label)),
      svg("rect", { class: "bar held", x: labelW + Math.min(barW, (used / scale) * barW), y,
        width: Math.max(0, Math.min(barW, ((used + held) / scale) * barW) - Math.min(barW, (used / scale) * barW)), height: 18 }),
      svg("text", { x: labelW + barW + 8, y: y + 14 }, `${pct(used)} of ${money(b.limit_usd)}`));
    for (const m of marks) {
      const x = labelW + (m / scale) * barW;
      g.append(svg("line", { class: "mark", x1: x, x2: x, y1: y - 4, y2: y + 22 }));
      if (i === 0) g.append(svg("text", { x, y: 10, "text-anchor": "middle", class: "axis" }, pct(m)));
    }
    const scope = b.scope || {};
    if (canAudit() && !scope.key) {
      const a = svg("a", { href: auditLink({ since: b.period_start, until: b.period_end, kind: "exchange",
        team: scope.team, app: scope.app, model: scope.model }), "aria-label": label + ", see records" });
      a.append(g);
      chart.append(a);
    } else chart.append(g);
  });
  card.append(chart, table(["Budget", "Scope", "Period", "Spent", "Reserved", "Limit", "Used", "Action"],
    budgets.list.map((b) => [b.name, scopeText(b.scope), b.period, money(b.spent_usd), money(b.reserved_usd),
      money(b.limit_usd), pct(b.limit_usd > 0 ? b.spent_usd / b.limit_usd : 0),
      b.action + (b.downgrade_to ? ` → ${b.downgrade_to}` : "")]), [3, 4, 5, 6], "budget-table"));
  return card;
}

function tiles(items) {
  return el("div", { class: "tiles" }, items.map(([l, n]) =>
    el("div", { class: "tile" }, el("div", { class: "n", text: String(n) }), el("div", { class: "l", text: l }))));
}
function tag(text) { return el("span", { class: "tag " + String(text || ""), text: String(text ?? "") }); }
function table(headers, rows, numeric = [], id = null) {
  return el("table", { id },
    el("thead", {}, el("tr", {}, headers.map((h, i) =>
      el("th", { scope: "col", class: numeric.includes(i) ? "num" : null, text: h })))),
    el("tbody", {}, rows.map((r) => el("tr", {}, r.map((c, i) =>
      el("td", { class: numeric.includes(i) ? "num" : null }, c ?? ""))))));
}

// ---- audit -----------------------------------------------------------------------------------
const FILTERS = [["team", "Team"], ["app", "Application"], ["identity", "Identity"],
  ["end_user", "End user"], ["model", "Model"], ["provider", "Provider"], ["policy", "Policy"],
  ["dlp_type", "DLP type"], ["decision", "Decision (stage:outcome)"],
  ["status", "Status (403, 4xx, ok, refused)"], ["kind", "Kind"], ["text", "Text"],
  ["since", "Since (date/time)"], ["until", "Until (date/time)"], ["request_id", "Request id"]];
async function auditSearch(view, parts, params) {
  const form = el("form", { class: "card", id: "audit-form", role: "search" });
  const grid = el("div", { class: "filters" });
  for (const [name, text] of FILTERS) {
    grid.append(el("div", {}, el("label", { for: "f-" + name, text }),
      el("input", { id: "f-" + name, name, value: params.get(name) || "" })));
  }
  form.append(grid, el("button", { type: "submit", text: "Search" }));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const [name] of FILTERS) {
      const v = form.elements[name].value.trim();
      if (v) q.set(name, v);
    }
    location.hash = "#/audit?" + q.toString();
  });
  const q = new URLSearchParams();
  for (const [name] of FILTERS) if (params.get(name)) q.set(name, params.get(name));
  if (params.get("before")) q.set("before", params.get("before"));
  q.set("limit", "50");
  const results = el("div", { class: "card", "aria-live": "polite" });
  view.replaceChildren(el("h1", { text: "Audit" }), form, results);
  const found = await api("/admin/audit/records?" + q.toString());
  const rows = found.records.map((r) => [
    el("a", { href: "#/audit/" + encodeURIComponent(r.id), text: r.id }),
    r.time || "", r.kind || "", r.team || "", r.app || "", r.identity || "",
    r.model || r.model_requested || "", r.status ?? "", tag(r.outcome || ""),
    r.cost_usd === undefined || r.cost_usd === null ? "" : money(r.cost_usd)]);
  results.replaceChildren(el("h2", { id: "result-count", text: `${found.records.length} record(s)` + (found.next ? " (more)" : "") }),
    table(["Request", "Time", "Kind", "Team", "App", "Identity", "Model", "Status", "Outcome", "Cost"],
      rows, [7, 9], "audit-results"));
  if (found.next) {
    const next = new URLSearchParams(params);
    next.set("before", found.next);
    results.append(el("div", { class: "pager" },
      el("a", { href: "#/audit?" + next.toString(), id: "next-page", text: "Older records →" })));
  }
}
async function auditRecord(view, parts) {
  const rid = parts[1];
  const found = await api("/admin/audit/records/" + encodeURIComponent(rid));
  const blocks = [el("h1", { text: "Audit record " + rid }),
    el("p", {}, el("a", { href: "#/audit", text: "← Back to search" }))];
  for (const r of found.records) {
    const facts = el("dl", { class: "facts", id: "record-facts" });
    for (const f of ["kind", "time", "identity", "team", "app", "policy", "key", "end_user",
      "model_requested", "provider", "model", "status", "error_code", "outcome", "duration_ms",
      "failover", "cost_usd", "dlp_types", "content_level"]) {
      if (r[f] === undefined || r[f] === null || r[f] === "") continue;
      if (Array.isArray(r[f]) && !r[f].length) continue;
      const v = Array.isArray(r[f]) ? r[f].join(", ") : String(r[f]);
      facts.append(el("dt", { text: f.replace(/_/g, " ") }), el("dd", { text: v }));
    }
    blocks.push(el("div", { class: "card" }, el("h2", { text: "Summary" }), facts));
    const decisions = (r.decisions || []).map((d) => {
      const { stage, outcome, at_ms, ...detail } = d;
      return [stage, tag(outcome), at_ms ?? "", Object.keys(detail).length ? JSON.stringify(detail) : ""];
    });
    blocks.push(el("div", { class: "card" }, el("h2", { text: "Decisions by stage" }),
      table(["Stage", "Outcome", "At (ms)", "Detail"], decisions, [2], "decisions")));
    if ((r.attempts || []).length) {
      blocks.push(el("div", { class: "card" }, el("h2", { text: "Upstream attempts" }),
        table(["Provider", "Model", "Status", "Error", "Duration (ms)"],
          r.attempts.map((a) => [a.provider, a.model, a.status ?? "", a.error || "", a.duration_ms]), [4])));
    }
    if (r.usage) {
      blocks.push(el("div", { class: "card" }, el("h2", { text: "Usage" }),
        table(Object.keys(r.usage), [Object.values(r.usage).map(int)])));
    }
    for (const part of ["request", "response"]) {
      if (r[part] === undefined) continue;
      blocks.push(el("div", { class: "card" },
        el("h2", { text: `${part[0].toUpperCase()}${part.slice(1)} (stored level: ${r.content_level || "?"})` }),
        el("pre", { id: part + "-content", tabindex: "0", text: JSON.stringify(r[part], null, 2) })));
    }
  }
  view.replaceChildren(...blocks);
}

// ---- manage keys -----------------------------------------------------------------------------
async function manageKeys(view) {
  const [keys, identities, apps] = await Promise.all(
    [api("/admin/keys"), api("/admin/identities"), api("/admin/apps")]);
  const secretBox = el("div", { id: "secret-box", "aria-live": "assertive" });
  const error = el("p", { class: "error", role: "alert", id: "keys-error" });
  const form = el("form", { class: "card", id: "create-key-form" },
    el("h2", { text: "Create a key" }),
    el("div", { class: "filters" },
      el("div", {}, el("label", { for: "k-identity", text: "Identity" }),
        el("select", { id: "k-identity", name: "identity", required: true },
          identities.filter((i) => i.status === "active").map((i) =>
            el("option", { value: i.id, text: `${i.id} (${i.team_id})` })))),
      el("div", {}, el("label", { for: "k-app", text: "Application (optional)" }),
        el("select", { id: "k-app", name: "app" }, el("option", { value: "", text: "any" }),
          apps.filter((a) => a.status === "active").map((a) => el("option", { value: a.id, text: a.id })))),
      el("div", {}, el("label", { for: "k-kind", text: "Kind" }),
        el("select", { id: "k-kind", name: "kind" }, el("option", { value: "inference", text: "inference" }),
          el("option", { value: "admin", text: "admin" }))),
      el("div", {}, el("label", { for: "k-name", text: "Name" }),
        el("input", { id: "k-name", name: "name", maxlength: "200" }))),
    el("button", { type: "submit", text: "Create key" }));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.textContent = "";
    const body = { identity_id: form.elements.identity.value, kind: form.elements.kind.value,
      name: form.elements.name.value };
    if (form.elements.app.value) body.app_id = form.elements.app.value;
    try {
      const made = await api("/admin/keys", { method: "POST", body });
      await refresh();
      showSecret(made, "created");
    } catch (err) { error.textContent = err.message; }
  });
  // The secret is in the page until dismissed or the page changes; it is never stored.
  function showSecret(made, what) {
    secretBox.replaceChildren(el("div", { class: "secret", role: "status" },
      el("strong", { text: `Key ${made.id} ${what}. Copy the secret now: it is shown only this once.` }),
      el("code", { id: "new-secret", "data-key": made.id, tabindex: "0", text: made.key }),
      el("button", { type: "button", class: "secondary", text: "I have copied it",
        onclick: () => secretBox.replaceChildren() })));
    secretBox.querySelector("code").focus();
  }
  const overlap = el("input", { id: "k-overlap", type: "number", min: "0", step: "1", value: "3600" });
  async function act(path, body) {
    error.textContent = "";
    try { return await api(path, { method: "POST", body }); }
    catch (err) { error.textContent = err.message; return null; }
  }
  function actions(k) {
    if (k.status !== "active") return "";
    const id = encodeURIComponent(k.id);
    const out = el("span", { class: "actions" });
    if (!k.replaced_by) {
      out.append(el("button", { type: "button", class: "danger", "aria-label": `Rotate key ${k.id}`,
        text: "Rotate", onclick: async () => {
          const made = await act(`/admin/keys/${id}/rotate`, { overlap_s: Number(overlap.value || 0) });
          if (made) { await refresh(); showSecret(made, `created (replaces ${k.id})`); }
        } }));
    }
    out.append(el("button", { type: "button", class: "danger", "aria-label": `Revoke key ${k.id}`,
      text: "Revoke", onclick: async () => {
        if (await act(`/admin/keys/${id}/revoke`)) await refresh();
      } }));
    return out;
  }
  const list = el("div", { class: "card" });
  async function refresh(current) {
    const rows = current || await api("/admin/keys");
    list.replaceChildren(el("h2", { text: "Keys" }),
      el("div", { class: "narrow" }, el("label", { for: "k-overlap",
        text: "On rotate, the old key keeps working for (seconds)" }), overlap), table(
      ["Key", "Kind", "Identity", "App", "Name", "Status", "Created", "Rotation", "Actions"],
      rows.map((k) => [el("code", { text: k.id }), k.kind, k.identity_id, k.app_id || "any",
        k.name, tag(k.status), (k.created_at || "").slice(0, 19).replace("T", " "),
        k.replaced_by ? `→ ${k.replaced_by}` : (k.replaces ? `replaces ${k.replaces}` : ""),
        actions(k)]), [], "keys-table"));
  }
  await refresh(keys);
  view.replaceChildren(el("h1", { text: "Manage keys" }), secretBox, error, form, list);
}

// ---- manage teams, applications, bindings ----------------------------------------------------
// One pattern for the three: a create form (fields from the admin API's body) and a list with a
// revoke button per active row. Every change is an admin API call, so it is authorised, scoped
// and written to the admin audit trail by the API itself.
function field(id, label, control) {
  return el("div", {}, el("label", { for: id, text: label }), control);
}
function select(id, name, options, { required = false, empty = null } = {}) {
  return el("select", { id, name, required },
    empty === null ? [] : [el("option", { value: "", text: empty })],
    options.map(([v, t]) => el("option", { value: v, text: t ?? v })));
}
const active = (rows) => rows.filter((r) => r.status === "active");
async function entityPage(view, spec) {
  const error = el("p", { class: "error", role: "alert", id: `${spec.id}-error` });
  const status = el("p", { class: "hint", role: "status", id: `${spec.id}-status` });
  const list = el("div", { class: "card" });
  const context = await spec.context();
  async function refresh() {
    const rows = await api(spec.path);
    list.replaceChildren(el("h2", { text: spec.plural }), table(spec.columns,
      rows.map((r) => [...spec.row(r), r.status === "active" ? el("button", { type: "button",
        class: "danger", "aria-label": `Revoke ${spec.noun} ${r.id}`, text: "Revoke",
        onclick: async () => {
          error.textContent = "";
          status.textContent = "";
          try {
            await api(`${spec.path}/${encodeURIComponent(r.id)}/revoke`, { method: "POST" });
            await refresh();
            status.textContent = `${spec.noun} ${r.id} revoked.`;
          } catch (err) { error.textContent = err.message; }
        } }) : ""]), [], `${spec.id}-table`));
  }
  const blocks = [el("h1", { text: spec.title }), error, status];
  if (spec.canCreate()) {
    const form = el("form", { class: "card", id: `create-${spec.id}-form` },
      el("h2", { text: `Create ${spec.article} ${spec.noun}` }),
      el("div", { class: "filters" }, spec.fields(context)),
      el("button", { type: "submit", text: `Create ${spec.noun}` }));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      error.textContent = "";
      status.textContent = "";
      try {
        const made = await api(spec.path, { method: "POST", body: spec.body(form.elements) });
        form.reset();
        await refresh();
        status.textContent = `${spec.noun} ${made.id} created.`;
      } catch (err) { error.textContent = err.message; }
    });
    blocks.push(form);
  }
  await refresh();
  view.replaceChildren(...blocks, list);
}
const optional = (v) => (v && v.trim() ? v.trim() : undefined);
function manageTeams(view) {
  return entityPage(view, {
    id: "team", noun: "team", article: "a", plural: "Teams", title: "Manage teams", path: "/admin/teams",
    context: async () => ({}), canCreate: () => has("org_admin"),
    fields: () => [field("t-id", "Team id", el("input", { id: "t-id", name: "id", required: true,
        pattern: "[a-z0-9][a-z0-9._\\-]{0,63}", title: "lower-case letters, digits, . _ -" })),
      field("t-name", "Name", el("input", { id: "t-name", name: "name", maxlength: "200" }))],
    body: (f) => ({ id: f.id.value.trim(), name: optional(f.name.value) }),
    columns: ["Team", "Name", "Status", "Created", "Actions"],
    row: (t) => [t.id, t.name, tag(t.status), (t.created_at || "").slice(0, 10)],
  });
}
function manageApps(view) {
  return entityPage(view, {
    id: "app", noun: "application", article: "an", plural: "Applications", title: "Manage applications",
    path: "/admin/apps", context: async () => ({ teams: active(await api("/admin/teams")) }),
    canCreate: () => has("org_admin", "team_admin"),
    fields: (c) => [field("a-id", "Application id", el("input", { id: "a-id", name: "id", required: true,
        pattern: "[a-z0-9][a-z0-9._\\-]{0,63}", title: "lower-case letters, digits, . _ -" })),
      field("a-team", "Team", select("a-team", "team", c.teams.map((t) => [t.id]), { required: true })),
      field("a-name", "Name", el("input", { id: "a-name", name: "name", maxlength: "200" }))],
    body: (f) => ({ id: f.id.value.trim(), team_id: f.team.value, name: optional(f.name.value) }),
    columns: ["Application", "Team", "Name", "Status", "Created", "Actions"],
    row: (a) => [a.id, a.team_id, a.name, tag(a.status), (a.created_at || "").slice(0, 10)],
  });
}
function manageBindings(view) {
  return entityPage(view, {
    id: "binding", noun: "binding", article: "a", plural: "Bindings", title: "Manage bindings",
    path: "/admin/bindings",
    context: async () => {
      const [teams, identities, apps, bindings] = await Promise.all([api("/admin/teams"),
        api("/admin/identities"), api("/admin/apps"), api("/admin/bindings")]);
      return { teams: active(teams), identities: active(identities), apps: active(apps),
        policies: [...new Set(bindings.map((b) => b.policy))].sort() };
    },
    canCreate: () => has("org_admin", "team_admin"),
    fields: (c) => {
      const subject = select("b-subject", "subject", c.teams.map((t) => [`team:${t.id}`, `team ${t.id}`])
        .concat(c.identities.map((i) => [`identity:${i.id}`, `identity ${i.id} (${i.team_id})`])), { required: true });
      return [field("b-subject", "Who (team or identity)", subject),
        field("b-app", "Application", select("b-app", "app", c.apps.map((a) => [a.id, `${a.id} (${a.team_id})`]), { required: true })),
        field("b-policy", "Policy", el("input", { id: "b-policy", name: "policy", required: true, list: "b-policies" })),
        el("datalist", { id: "b-policies" }, c.policies.map((p) => el("option", { value: p })))];
    },
    body: (f) => {
      const [type, ...rest] = f.subject.value.split(":");
      return { subject_type: type, subject_id: rest.join(":"), app_id: f.app.value, policy: f.policy.value.trim() };
    },
    columns: ["Binding", "Subject", "Application", "Policy", "Status", "Actions"],
    row: (b) => [el("code", { text: b.id }), `${b.subject_type} ${b.subject_id}`, b.app_id, b.policy, tag(b.status)],
  });
}

// ---- manage budgets --------------------------------------------------------------------------
// Budgets from the configuration file are read-only here (change them in the file); budgets made
// through the admin API can be edited and deleted.
const PERIODS = ["day", "week", "month"];
async function manageBudgets(view) {
  const error = el("p", { class: "error", role: "alert", id: "budget-error" });
  const status = el("p", { class: "hint", role: "status", id: "budget-status" });
  const list = el("div", { class: "card" });
  const canWrite = has("org_admin", "team_admin");
  const [teams, apps] = await Promise.all([api("/admin/teams").catch(() => []), api("/admin/apps").catch(() => [])]);
  const formFor = (b) => {
    const edit = !!b;
    const p = edit ? `e-${b.id}-` : "n-";
    const v = b || { scope: {}, period: "month", timezone: "UTC", thresholds: [0.8], action: "block" };
    const sc = v.scope || {};
    const form = el("form", { class: edit ? "edit" : "card", id: edit ? `edit-budget-${b.id}` : "create-budget-form" },
      edit ? el("h3", { text: `Edit ${b.name}` }) : el("h2", { text: "Create a budget" }),
      el("div", { class: "filters" },
        field(p + "name", "Name", el("input", { id: p + "name", name: "name", required: true, maxlength: "200", value: v.name || "" })),
        field(p + "limit", "Limit (USD)", el("input", { id: p + "limit", name: "limit_usd", type: "number", min: "0", step: "any", required: true, value: v.limit_usd ?? "" })),
        field(p + "period", "Period", select(p + "period", "period", PERIODS.map((x) => [x]))),
        field(p + "tz", "Time zone", el("input", { id: p + "tz", name: "timezone", value: v.timezone || "UTC" })),
        field(p + "team", "Team (optional)", select(p + "team", "team", teams.map((t) => [t.id]), { empty: "any" })),
        field(p + "app", "Application (optional)", select(p + "app", "app", apps.map((a) => [a.id]), { empty: "any" })),
        field(p + "model", "Model (optional)", el("input", { id: p + "model", name: "model", value: sc.model || "" })),
        field(p + "key", "Key id (optional)", el("input", { id: p + "key", name: "key", value: sc.key || "" })),
        field(p + "thresholds", "Warn at (fractions, comma-separated)", el("input", { id: p + "thresholds", name: "thresholds",
          value: (v.thresholds || []).join(", "), pattern: "\\s*(0?\\.\\d+\\s*,?\\s*)*", title: "fractions between 0 and 1: 0.8, 0.9" })),
        field(p + "action", "When exceeded", select(p + "action", "action", [["block", "block"], ["downgrade", "downgrade to a cheaper model"]])),
        field(p + "downgrade", "Downgrade to (model)", el("input", { id: p + "downgrade", name: "downgrade_to", value: v.downgrade_to || "" }))),
      el("button", { type: "submit", text: edit ? "Save budget" : "Create budget" }));
    form.elements.period.value = v.period || "month";
    form.elements.team.value = sc.team || "";
    form.elements.app.value = sc.app || "";
    form.elements.action.value = v.action || "block";
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      error.textContent = "";
      status.textContent = "";
      const f = form.elements;
      const body = { name: f.name.value.trim(), limit_usd: Number(f.limit_usd.value), period: f.period.value,
        timezone: f.timezone.value.trim() || "UTC",
        scope: { team: f.team.value || null, app: f.app.value || null, model: optional(f.model.value) || null, key: optional(f.key.value) || null },
        thresholds: f.thresholds.value.split(",").map((x) => x.trim()).filter(Boolean).map(Number),
        action: f.action.value, downgrade_to: f.action.value === "downgrade" ? (optional(f.downgrade_to.value) || null) : null };
      try {
        const made = await api(edit ? `/admin/budgets/${encodeURIComponent(b.id)}` : "/admin/budgets",
          { method: edit ? "PATCH" : "POST", body });
        await refresh();
        status.textContent = `Budget ${(made && (made.name || made.id)) || body.name} ${edit ? "saved" : "created"}.`;
      } catch (err) { error.textContent = err.message; }
    });
    return form;
  };
  async function refresh() {
    let rows;
    try { rows = (await api("/admin/budgets")).data || []; }
    catch (e) {
      list.replaceChildren(el("p", { class: "error", role: "alert", id: "budgets-unavailable",
        text: e.status === 404 ? "This gateway has no budgets API (GET /admin/budgets)." : e.message }));
      return;
    }
    const body = el("tbody", {});
    for (const b of rows) {
      const used = b.limit_usd > 0 ? b.spent_usd / b.limit_usd : 0;
      const actions = el("span", { class: "actions" });
      if (b.source === "admin" && canWrite) {
        const editRow = el("tr", { hidden: true }, el("td", { colspan: "8" }, formFor(b)));
        actions.append(el("button", { type: "button", class: "danger", "aria-label": `Edit budget ${b.name}`,
          "aria-expanded": "false", text: "Edit", onclick: (e) => {
            editRow.hidden = !editRow.hidden;
            e.target.setAttribute("aria-expanded", String(!editRow.hidden));
            if (!editRow.hidden) editRow.querySelector("input").focus();
          } }),
        el("button", { type: "button", class: "danger", "aria-label": `Delete budget ${b.name}`, text: "Delete",
          onclick: async () => {
            error.textContent = "";
            status.textContent = "";
            try {
              await api(`/admin/budgets/${encodeURIComponent(b.id)}`, { method: "DELETE" });
              await refresh();
              status.textContent = `Budget ${b.name} deleted.`;
            } catch (err) { error.textContent = err.message; }
          } }));
        body.append(budgetRow(b, used, actions), editRow);
      } else {
        actions.append(el("span", { class: "hint", text: b.source === "config" ? "from the configuration file" : "" }));
        body.append(budgetRow(b, used, actions));
      }
    }
    list.replaceChildren(el("h2", { text: "Budgets" }), el("table", { id: "budgets-table" },
      el("thead", {}, el("tr", {}, ["Budget", "Source", "Scope", "Period", "Spent", "Limit", "Used", "Actions"]
        .map((h, i) => el("th", { scope: "col", class: [4, 5, 6].includes(i) ? "num" : null, text: h })))), body));
  }
  function budgetRow(b, used, actions) {
    return el("tr", { "data-budget": b.id }, [b.name, tag(b.source), scopeText(b.scope),
      `${b.period} (${b.timezone || "UTC"})`, money(b.spent_usd), money(b.limit_usd), pct(used), actions]
      .map((c, i) => el("td", { class: [4, 5, 6].includes(i) ? "num" : null }, c)));
  }
  await refresh();
  view.replaceChildren(el("h1", { text: "Manage budgets" }), error, status,
    ...(canWrite ? [formFor(null)] : []), list);
}

// ---- start -----------------------------------------------------------------------------------
document.addEventListener("DOMContentLoaded", async () => {
  document.getElementById("signin-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const input = document.getElementById("admin-key");
    const err = document.getElementById("signin-error");
    err.textContent = "";
    try {
      await signIn(input.value.trim());
      input.value = "";
      render();
    } catch (ex) {
      err.textContent = ex.status === 401 || ex.status === 403
        ? "That key was refused: sign in with an admin key." : ex.message;
    }
  });
  document.getElementById("signout").addEventListener("click", () => signOut());
  window.addEventListener("hashchange", render);
  const saved = sessionStorage.getItem(KEY);
  if (saved) {
    try { await signIn(saved); } catch { sessionStorage.removeItem(KEY); state.key = null; }
  }
  render();
});
