// Octopus dashboard: plain browser JavaScript, served from the binary (no CDN, no build step).
// Everything shown is put in with textContent, never as HTML.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const state = { me: null, scripts: [], series: [], range: "24h", seriesName: "cpu", runSource: null, chart: null };

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else if (k === "class") el.className = v;
      else if (k === "style") el.style.cssText = v; // CSSOM: allowed by the page's CSP, a style attribute is not
      else el.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) if (c !== undefined && c !== null) el.append(c instanceof Node ? c : String(c));
    return el;
  }

  let toastTimer;
  function toast(text) {
    const t = $("toast");
    t.textContent = text;
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => (t.hidden = true), 5000);
  }

  /** A session that ended (logout, expiry, a role removed) sends the page to the refusal. */
  function ended() {
    location.replace("/web/");
  }

  async function api(path, body) {
    const init = body === undefined
      ? { credentials: "same-origin" }
      : { method: "POST", credentials: "same-origin", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
    const res = await fetch(path, init);
    const data = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
    if (res.status === 401) {
      ended();
      throw new Error(data.error || "not logged in");
    }
    if (!res.ok) throw new Error(data.error || `HTTP ${res.status}`);
    return data;
  }

  const fmtBytes = (n) => {
    const u = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return `${n.toFixed(n < 10 && i ? 1 : 0)} ${u[i]}`;
  };
  const fmtTime = (ms) => new Date(ms).toLocaleString();
  const fmtUptime = (s) => {
    const d = Math.floor(s / 86400), hh = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    return d ? `${d}d ${hh}h` : hh ? `${hh}h ${m}m` : `${m}m`;
  };
  const level = (v, warn, crit) => (v >= crit ? "level-crit" : v >= warn ? "level-warn" : "level-ok");

  function metric(label, value, sub, percent, lvl) {
    return h("div", { class: `metric ${lvl || ""}`, "data-metric": label },
      h("div", { class: "label" }, label),
      h("div", { class: "value" }, value),
      sub ? h("div", { class: "sub" }, sub) : null,
      percent === undefined ? null : h("div", { class: "bar" }, h("span", { style: `width:${Math.min(100, Math.max(0, percent))}%` })));
  }

  // ---- status (Server-Sent Events) ----
  function renderStatus(s) {
    $("host").textContent = s.host;
    const cards = [
      metric("Load", s.load.load1.toFixed(2), `${s.load.load5.toFixed(2)} · ${s.load.load15.toFixed(2)} · ${s.load.perCore}/core (${s.cpus} CPUs)`, undefined, level(s.load.perCore, s.load.warn, s.load.crit)),
      metric("CPU", `${s.cpu.busy}%`, `iowait ${s.cpu.iowait}% · steal ${s.cpu.steal}%`, s.cpu.busy),
      metric("Memory", `${s.memory.usedPercent}%`, `${fmtBytes(s.memory.used)} of ${fmtBytes(s.memory.total)}${s.memory.swapTotal ? ` · swap ${fmtBytes(s.memory.swapUsed)}` : ""}`, s.memory.usedPercent, level(s.memory.usedPercent, s.memory.warn, s.memory.crit)),
      ...s.disks.map((d) => d.error
        ? metric(`Disk ${d.name}`, "✖", d.error, undefined, "level-crit")
        : metric(`Disk ${d.name}`, `${d.usedPercent}%`, `${fmtBytes(d.available)} free of ${fmtBytes(d.size)} · ${d.path}`, d.usedPercent, level(d.usedPercent, d.warn, d.crit))),
      metric("Uptime", fmtUptime(s.uptimeSeconds), s.kernel),
    ];
    $("status-cards").replaceChildren(...cards);
    $("status-firing").replaceChildren(...(s.firing.length ? [h("div", { class: "firing" }, h("b", {}, "🚨 Firing"), ...s.firing.map((l) => h("div", {}, l)))] : []));
    $("status-at").textContent = `Updated ${fmtTime(s.at)}`;
    $("status-at").dataset.at = String(s.at);
  }

  function connectStatus() {
    const es = new EventSource("/web/events");
    es.addEventListener("status", (e) => {
      $("live").className = "live on";
      const s = JSON.parse(e.data);
      window.__lastStatus = { at: s.at, receivedAt: Date.now() };
      renderStatus(s);
    });
    es.addEventListener("ended", () => { es.close(); ended(); });
    es.onerror = () => {
      $("live").className = "live off";
      // EventSource reconnects by itself; a session that ended answers 401 and it gives up.
      if (es.readyState === EventSource.CLOSED) setTimeout(() => api("/web/api/me").then(connectStatus, () => {}), 3000);
    };
  }

  // ---- charts (uPlot) ----
  const RANGES = ["1h", "6h", "24h", "7d", "30d"];
  async function loadSeries() {
    const { series } = await api("/web/api/series");
    state.series = series;
    const sel = $("chart-series");
    if (!series.includes(state.seriesName) && series.length) state.seriesName = series[0];
    sel.replaceChildren(...series.map((s) => h("option", { value: s, selected: s === state.seriesName }, s)));
    $("chart-ranges").replaceChildren(...RANGES.map((r) => h("button", { type: "button", class: r === state.range ? "active" : "", "data-range": r, onclick: () => { state.range = r; loadSeries().then(drawChart); } }, r)));
  }
  async function drawChart() {
    const note = $("chart-note");
    if (!state.series.length) { note.textContent = "No history yet (history.enabled, and a check must have run)."; return; }
    const data = await api(`/web/api/history?series=${encodeURIComponent(state.seriesName)}&range=${state.range}`);
    const el = $("chart");
    const width = Math.max(280, el.clientWidth - 10);
    const xs = data.points.map((p) => p.at / 1000);
    const rows = [xs, data.points.map((p) => p.avg), data.points.map((p) => p.max)];
    const opts = {
      width, height: 300,
      series: [{}, { label: `${data.series} (avg)`, stroke: "#2f6fdb", width: 2 }, { label: "max", stroke: "#d98e04", dash: [4, 4] }],
      axes: [{}, { label: data.unit }],
      scales: { y: data.unit === "%" ? { range: [0, 100] } : {} },
    };
    state.chart?.destroy();
    el.replaceChildren();
    state.chart = new uPlot(opts, rows, el);
    note.textContent = data.points.length ? `${data.points.length} points · ${data.tier}` : "No points in this range.";
  }

  // ---- runs ----
  function paramInput(p) {
    const name = `p-${p.name}`;
    if (p.type === "boolean") return h("select", { name, id: name }, h("option", { value: "" }, "(default)"), h("option", { value: "true" }, "yes"), h("option", { value: "false" }, "no"));
    if (p.type === "choice") {
      const sel = h("select", { name, id: name }, h("option", { value: "" }, p.choicesFrom ? "(loading…)" : "(choose)"));
      const fill = (list) => sel.replaceChildren(h("option", { value: "" }, "(choose)"), ...list.map((c) => h("option", { value: c, selected: c === p.default }, c)));
      if (p.choicesFrom) api(`/web/api/scripts/${encodeURIComponent(state.formScript)}/choices/${encodeURIComponent(p.name)}`).then((r) => fill(r.choices), (e) => toast(`${p.name}: ${e.message}`));
      else fill(p.choices || []);
      return sel;
    }
    return h("input", { name, id: name, type: p.secret ? "password" : p.type === "integer" ? "number" : p.type === "date" ? "date" : "text", placeholder: p.default ?? "", min: p.min, max: p.max, autocomplete: "off" });
  }

  function showForm(script) {
    state.formScript = script.name;
    const box = $("run-form");
    const fields = script.params.map((p) => h("label", {}, `${p.name}${p.required && p.default === undefined ? " *" : ""} `, paramInput(p),
      h("span", { class: "hint" }, [p.description, p.regex ? `must match ${p.regex}` : "", p.min !== undefined || p.max !== undefined ? `${p.min ?? ""}–${p.max ?? ""}` : "", p.default !== undefined && !p.secret ? `default ${p.default}` : ""].filter(Boolean).join(" · "))));
    const form = h("form", { class: "params", "data-script": script.name, onsubmit: async (e) => {
      e.preventDefault();
      const values = {};
      for (const p of script.params) { const v = form.elements[`p-${p.name}`].value; if (v !== "") values[p.name] = v; }
      // What will run, defaults included: the confirm shows every value the script gets.
      const shown = script.params
        .filter((p) => p.name in values || p.default !== undefined)
        .map((p) => `${p.name}=${p.secret ? "••••" : (values[p.name] ?? p.default)}`)
        .join(", ");
      if (!confirm(`Run ${script.name}${shown ? ` with ${shown}` : ""}?${script.approval ? "\nIt needs a second admin's approval in Telegram." : ""}`)) return;
      await startRun(script, values);
      box.replaceChildren();
    } },
      h("b", {}, `Run ${script.title}`), script.description ? h("p", { class: "muted" }, script.description) : null,
      ...fields,
      script.approval ? h("p", { class: "muted small" }, "🔐 Needs another admin's approval in Telegram before it runs.") : null,
      h("div", { class: "buttons" }, h("button", { type: "submit", class: "primary" }, "▶️ Run"), h("button", { type: "button", onclick: () => box.replaceChildren() }, "Cancel")));
    box.replaceChildren(form);
  }

  async function startRun(script, values) {
    try {
      const r = await api("/web/api/runs", { script: script.name, values });
      if (r.kind === "approval") toast(`${script.name}: asked for approval in Telegram.`);
      else {
        watchRun(r.runId, script.name);
        loadRuns().catch(() => {});
      }
    } catch (e) {
      toast(`Not started: ${e.message}`);
    }
  }

  function renderScripts() {
    const list = state.scripts.map((s) => h("div", { class: "script", "data-script": s.name },
      h("span", { class: "name" }, `${s.kind === "long" ? "📡" : "▶️"} ${s.title}`),
      h("span", { class: "desc" }, [s.description, s.params.length ? `${s.params.length} parameter${s.params.length > 1 ? "s" : ""}` : "", s.approval ? "🔐 approval" : ""].filter(Boolean).join(" · ")),
      h("button", { type: "button", class: "primary", "data-run": s.name, onclick: () => s.params.length ? showForm(s) : confirm(`Run ${s.name}?${s.description ? `\n${s.description}` : ""}${s.approval ? "\nIt needs a second admin's approval in Telegram." : ""}`) && startRun(s, {}) }, "Run")));
    $("scripts").replaceChildren(...(list.length ? list : [h("p", { class: "muted" }, "No scripts are configured for your role.")]));
  }

  function watchRun(id, name) {
    state.runSource?.close();
    $("run-live").hidden = false;
    $("run-live").dataset.run = String(id);
    $("run-title").textContent = `#${id} ${name}`;
    $("run-output").textContent = "";
    $("run-state").textContent = "running…";
    const stop = $("run-stop");
    stop.hidden = state.me.role !== "admin";
    stop.disabled = false;
    stop.onclick = async () => {
      if (!confirm(`Stop #${id} ${name}?`)) return;
      stop.disabled = true;
      try { await api(`/web/api/runs/${id}/stop`, {}); toast(`Stopping #${id}…`); } catch (e) { toast(e.message); stop.disabled = false; }
    };
    const es = new EventSource(`/web/api/runs/${id}/events`);
    state.runSource = es;
    es.addEventListener("output", (e) => {
      const d = JSON.parse(e.data);
      $("run-output").textContent = d.tail;
      $("run-state").textContent = `running · ${d.lines} lines`;
    });
    es.addEventListener("end", (e) => {
      const d = JSON.parse(e.data);
      es.close();
      stop.disabled = true;
      $("run-state").textContent = `${d.status}${d.exitCode !== null && d.exitCode !== undefined ? ` (exit ${d.exitCode})` : ""}`;
      $("run-state").className = `status-${d.status}`;
      api(`/web/api/runs/${id}/log`).then((r) => ($("run-output").textContent = r.text), () => {});
      loadRuns();
    });
    es.addEventListener("ended", () => { es.close(); ended(); });
  }

  async function loadRuns() {
    const { scripts } = await api("/web/api/scripts");
    state.scripts = scripts;
    renderScripts();
    const { active, recent } = await api("/web/api/runs");
    const rows = recent.map((r) => h("tr", { "data-run": r.id },
      h("td", {}, `#${r.id}`), h("td", {}, r.script, r.params ? h("div", { class: "muted small" }, r.params) : null),
      h("td", { class: `status-${r.status}` }, r.status),
      h("td", {}, new Date(r.startedAt).toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" })),
      h("td", {}, r.by || r.trigger),
      h("td", {}, r.status === "running"
        ? h("button", { type: "button", onclick: () => watchRun(r.id, r.script) }, "Watch")
        : h("button", { type: "button", onclick: () => showLog(r.id) }, "Log"))));
    $("runs-recent").replaceChildren(recent.length ? h("div", { class: "table-wrap" }, h("table", {}, h("tr", {}, ...["Run", "Script", "Status", "Started", "By", ""].map((t) => h("th", {}, t))), ...rows)) : h("p", { class: "muted" }, "No runs yet."));
    if (active.length && $("run-live").hidden) watchRun(active[0].id, active[0].script);
  }

  async function showLog(id) {
    const pre = $("run-log");
    pre.hidden = false;
    try { pre.textContent = (await api(`/web/api/runs/${id}/log`)).text || "(no output)"; } catch (e) { pre.textContent = e.message; }
  }

  // ---- alerts ----
  async function loadAlerts() {
    const { text, buttons } = await api("/web/api/alerts");
    $("alerts-text").textContent = text;
    $("alerts-buttons").replaceChildren(...buttons.map((b) => h("button", { type: "button", onclick: () => press(b) }, b.text)));
  }
  async function press(b) {
    try {
      const r = await api("/web/api/press", { data: b.data });
      toast(r.answer || "Done.");
    } catch (e) { toast(e.message); }
    loadAlerts();
  }

  // ---- fleet ----
  async function loadFleet() {
    const { servers } = await api("/web/api/fleet");
    $("fleet-list").replaceChildren(...(servers.length
      ? servers.map((s) => h("div", { class: "server" }, h("b", {}, s.line || `${s.name}: not asked yet`), s.at ? h("span", { class: "muted small" }, ` · ${fmtTime(s.at)}`) : null, s.detail ? h("pre", {}, s.detail) : null))
      : [h("p", { class: "muted" }, "No servers: this bot watches only itself (servers: in the config).")]));
  }
  $("fleet-refresh").onclick = async () => {
    $("fleet-refresh").disabled = true;
    try { await api("/web/api/fleet/refresh", {}); await loadFleet(); } catch (e) { toast(e.message); }
    $("fleet-refresh").disabled = false;
  };

  // ---- tabs ----
  const loaders = { status: async () => {}, charts: () => loadSeries().then(drawChart), runs: loadRuns, alerts: loadAlerts, fleet: loadFleet };
  function showTab() {
    const tab = (location.hash || "#status").slice(1);
    const name = tab in loaders ? tab : "status";
    for (const s of document.querySelectorAll(".tab")) s.hidden = s.id !== `tab-${name}`;
    for (const a of document.querySelectorAll("#tabs a")) a.classList.toggle("active", a.dataset.tab === name);
    loaders[name]().catch((e) => toast(e.message));
  }
  $("chart-series").onchange = (e) => { state.seriesName = e.target.value; drawChart().catch((x) => toast(x.message)); };
  $("logout").onclick = async () => {
    try { await api("/web/logout", {}); } catch {}
    location.replace("/web/");
  };

  /** Opened as a Telegram Mini App: trade its signed initData for a session, once. */
  async function miniAppLogin() {
    const data = new URLSearchParams(location.hash.slice(1)).get("tgWebAppData");
    if (!data) return false;
    const res = await fetch("/web/miniapp", { method: "POST", credentials: "same-origin", headers: { "content-type": "application/json" }, body: JSON.stringify({ initData: data }) });
    if (!res.ok) return false;
    history.replaceState(null, "", "/web/#status");
    return true;
  }

  async function boot() {
    let me = await fetch("/web/api/me", { credentials: "same-origin" });
    if (me.status === 401 && (await miniAppLogin())) me = await fetch("/web/api/me", { credentials: "same-origin" });
    if (!me.ok) return ended();
    state.me = await me.json();
    $("who").textContent = `${state.me.name} (${state.me.role})`;
    document.body.dataset.role = state.me.role;
    connectStatus();
    window.addEventListener("hashchange", showTab);
    showTab();
  }
  boot();
})();
