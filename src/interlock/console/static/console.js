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
  view.replaceChildren(el("h1", { text: page.title }), el("p", { class: "hint", text: "Loading…" }));
  try {
    await page.show(view, parts, params);
  } catch (e) {
    view.append(el("p", { class: "error", role: "alert", text: e.message }));
  }
}

// ---- charts ----------------------------------------------------------------------------------
// A horizontal bar chart; each bar links to the audit records behind it (when the role may read
// the audit). `marks` draws reference lines at fractions of `max` (budget 80 % / 100 %).
function barChart(title, rows, { value, label, link, format, max, marks }) {
  const top = rows.slice().sort((a, b) => value(b) - value(a)).slice(0, 12);
  const high = max || Math.max(1e-12, ...top.map(value));
  const rowH = 26, labelW = 150, barW = 300, width = labelW + barW + 90;
  const height = Math.max(1, top.length) * rowH + 6;
  const chart = svg("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": title });
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
    if (link && has("org_admin", "auditor")) {
      const a = svg("a", { href: link(row), "aria-label": `${label(row)}: ${format(value(row))}, see records` });
      a.append(g);
      chart.append(a);
    } else chart.append(g);
  });
  for (const m of marks || []) {
    const x = labelW + m * barW;
    chart.append(svg("line", { class: "mark", x1: x, x2: x, y1: 0, y2: height }));
  }
  if (!top.length) chart.append(svg("text", { x: 10, y: 18 }, "No data in this period"));
  return el("figure", { class: "card", style: null }, el("h2", { text: title }), chart);
}

// ---- overview --------------------------------------------------------------------------------
async function overview(view, parts, params) {
  const period = params.get("period") || "today";
  const picker = el("select", { id: "period", onchange: (e) => {
    location.hash = "#/overview?period=" + e.target.value; } },
    ...["today", "this-month", "last-month"].map((p) =>
      el("option", { value: p, selected: p === period, text: p })));
  const head = el("div", { class: "card narrow" }, el("label", { for: "period", text: "Period" }), picker);
  const canSpend = has("org_admin", "auditor", "team_admin");
  if (!canSpend) {
    const [teams, apps, keys] = await Promise.all(
      [api("/admin/teams"), api("/admin/apps"), api("/admin/keys")]);
    view.replaceChildren(el("h1", { text: "Overview" }),
      el("p", { class: "hint", text: "Your role reads the organisation; spend and the audit are for admins and auditors." }),
      tiles([["Teams", teams.length], ["Applications", apps.length],
        ["Active keys", keys.filter((k) => k.status === "active").length]]),
      el("div", { class: "card" }, el("h2", { text: "Teams" }),
        table(["Team", "Status"], teams.map((t) => [t.id, tag(t.status)]))));
    return;
  }
  const q = (by) => api(`/admin/spend?by=${by}&period=${encodeURIComponent(period)}`);
  const [team, app, model, provider] = await Promise.all(
    [q("team"), q("app"), q("model"), q("provider")]);
  const total = (f) => team.reduce((s, r) => s + (r[f] || 0), 0);
  const since = period === "today" ? new Date().toISOString().slice(0, 10) : "";
  const audit = (field) => (row) =>
    `#/audit?${field}=${encodeURIComponent(row[field] || "")}${since ? "&since=" + since : ""}`;
  const charts = el("div", { class: "grid" });
  for (const [title, rows, field] of [["Spend by team", team, "team"],
    ["Spend by application", app, "app"], ["Spend by model", model, "model"],
    ["Spend by provider", provider, "provider"]]) {
    charts.append(barChart(title, rows, { value: (r) => r.cost_usd, label: (r) => r[field] || "(none)",
      format: money, link: audit(field) }));
  }
  charts.append(barChart("Requests by team", team, { value: (r) => r.requests,
    label: (r) => r.team || "(none)", format: int, link: audit("team") }));
  charts.append(barChart("Tokens by model", model, {
    value: (r) => r.input_tokens + r.output_tokens, label: (r) => r.model || "(none)", format: int,
    link: audit("model") }));
  const byTeam = el("div", { class: "card" }, el("h2", { text: "By team" }),
    table(["Team", "Requests", "Input tokens", "Output tokens", "Spend"],
      team.map((r) => [r.team || "(none)", int(r.requests), int(r.input_tokens),
        int(r.output_tokens), money(r.cost_usd)]), [1, 2, 3, 4], "spend-table"));
  view.replaceChildren(el("h1", { text: "Overview" }), head,
    tiles([["Requests", int(total("requests"))],
      ["Tokens", int(total("input_tokens") + total("output_tokens"))],
      ["Spend", money(total("cost_usd"))], ["Teams", team.length]]), charts, byTeam);
  if (has("org_admin", "auditor")) view.append(await incidents(period));
}

// The first day of the period (and of the next one), as the audit search's since/until.
function periodRange(period) {
  const now = new Date();
  const day = (y, m, d) => new Date(Date.UTC(y, m, d)).toISOString().slice(0, 10);
  const y = now.getUTCFullYear(), m = now.getUTCMonth();
  if (period === "this-month") return { since: day(y, m, 1) };
  if (period === "last-month") return { since: day(y, m - 1, 1), until: day(y, m, 1) };
  return { since: day(y, m, now.getUTCDate()) };
}

// Incidents from the audit search (server-side filters; counts are capped at one page, so a
// busy period reads "100+" and the link opens the full, paginated search).
const CAP = 100;
async function incidents(period) {
  const range = periodRange(period);
  const kinds = [["Refused requests", { status: "refused" }], ["Upstream failures", { status: "failed" }],
    ["Injection blocked", { decision: "injection:blocked" }],
    ["Injection flagged", { decision: "injection:flagged" }],
    ["DLP blocked", { decision: "dlp:blocked" }], ["DLP redacted or pseudonymised", { decision: "dlp:modified" }],
    ["DLP detected (allowed)", { decision: "dlp:detected" }]];
  const found = await Promise.all(kinds.map(([, f]) => api("/admin/audit/records?" +
    new URLSearchParams({ ...f, ...range, kind: "exchange", limit: String(CAP) }).toString())));
  const rows = kinds.map(([label, f], i) => {
    const n = found[i].records.length;
    const href = "#/audit?" + new URLSearchParams({ ...f, ...range, kind: "exchange" }).toString();
    return [el("a", { href, text: label }), found[i].next ? `${CAP}+` : String(n)];
  });
  const failovers = found[0].records.concat(found[1].records).filter((r) => r.failover).length;
  const dlpTypes = {};
  for (const r of found.slice(4).flatMap((f) => f.records)) {
    for (const t of r.dlp_types || []) dlpTypes[t] = (dlpTypes[t] || 0) + 1;
  }
  const top = Object.entries(dlpTypes).map(([type, n]) => ({ type, n }));
  const since = new URLSearchParams(range).toString();
  return el("div", { class: "grid", id: "incidents" },
    el("div", { class: "card" }, el("h2", { text: "Incidents" }),
      table(["What", "Records"], rows, [1], "incident-table"),
      el("p", { class: "hint", text: `Failovers among refused and failed: ${failovers}.` })),
    barChart("Top DLP finding types", top, { value: (r) => r.n, label: (r) => r.type, format: int,
      link: (r) => `#/audit?dlp_type=${encodeURIComponent(r.type)}&${since}` }));
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
