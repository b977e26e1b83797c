// Pantau dashboard: reads /api/v1/summary, follows /api/v1/events, re-reads on each change.
// No build step and no dependencies. Data is written with textContent only, never as HTML.
"use strict";

const API = "/api/v1";
const TOKEN_KEY = "pantau.token";
const LANG_KEY = "pantau.lang";
const STATUSES = ["not_started", "in_progress", "blocked", "completed", "cancelled"];

const STRINGS = {
  en: {
    skip: "Skip to the dashboard",
    title: "Child online protection: progress",
    subtitle: "ASEAN Regional Plan of Action and Perpres 87/2025, tracked as tasks",
    controls: "Dashboard controls",
    language: "Language",
    print: "Print",
    forget: "Forget my token",
    signinTitle: "Sign in to see the dashboard",
    tokenLabel: "API token (a viewer token is enough)",
    tokenHelp: "The token stays in this browser only.",
    signin: "Show the dashboard",
    badToken: "This token was not accepted. Check it and try again.",
    overall: "All work at a glance",
    plans: "Progress by plan and strategy",
    organisations: "Overdue and slipped work by organisation",
    slippedHelp:
      "Slipped: open work due after its commitment's target year, or still open once that year has ended.",
    mostOverdue: "Most overdue",
    upcoming: "Upcoming deadlines",
    asOf: "Figures as of",
    dataVersion: "data version",
    tasks: "Tasks",
    completion: "Completion",
    overdue: "Overdue",
    dueSoon: "Due soon",
    done: "Done",
    strategy: "Strategy",
    organisation: "Organisation",
    lead: "Lead",
    open: "Open",
    slipped: "Slipped",
    task: "Task",
    plan: "Plan",
    due: "Due",
    daysLate: "Days late",
    inDays: "In (days)",
    progress: "Progress",
    status: "Status",
    noTasks: "No tasks yet.",
    nothingOverdue: "Nothing is overdue.",
    nothingUpcoming: "No deadlines ahead.",
    live: "Live: updates arrive as they are saved.",
    reconnecting: "Connection lost; reconnecting…",
    updated: "Updated",
    publicMode: "Public read-only view",
    signedIn: "Signed in",
    myWork: "My work",
    completionOf: "{pct}% complete",
  },
  id: {
    skip: "Langsung ke dasbor",
    title: "Pelindungan anak di ranah daring: kemajuan",
    subtitle: "Rencana Aksi Regional ASEAN dan Perpres 87/2025, dipantau sebagai tugas",
    controls: "Kontrol dasbor",
    language: "Bahasa",
    print: "Cetak",
    forget: "Lupakan token saya",
    signinTitle: "Masuk untuk melihat dasbor",
    tokenLabel: "Token API (token viewer sudah cukup)",
    tokenHelp: "Token hanya disimpan di peramban ini.",
    signin: "Tampilkan dasbor",
    badToken: "Token ini tidak diterima. Periksa dan coba lagi.",
    overall: "Ringkasan seluruh pekerjaan",
    plans: "Kemajuan per rencana dan strategi",
    organisations: "Pekerjaan terlambat dan bergeser per organisasi",
    slippedHelp:
      "Bergeser: pekerjaan terbuka yang tenggatnya melewati tahun target komitmennya, atau masih terbuka setelah tahun itu berakhir.",
    mostOverdue: "Paling terlambat",
    upcoming: "Tenggat terdekat",
    asOf: "Data per",
    dataVersion: "versi data",
    tasks: "Tugas",
    completion: "Capaian",
    overdue: "Terlambat",
    dueSoon: "Segera jatuh tempo",
    done: "Selesai",
    strategy: "Strategi",
    organisation: "Organisasi",
    lead: "Utama",
    open: "Terbuka",
    slipped: "Bergeser",
    task: "Tugas",
    plan: "Rencana",
    due: "Tenggat",
    daysLate: "Hari terlambat",
    inDays: "Dalam (hari)",
    progress: "Kemajuan",
    status: "Status",
    noTasks: "Belum ada tugas.",
    nothingOverdue: "Tidak ada yang terlambat.",
    nothingUpcoming: "Tidak ada tenggat mendatang.",
    live: "Langsung: pembaruan tampil begitu disimpan.",
    reconnecting: "Koneksi terputus; menyambung kembali…",
    updated: "Diperbarui",
    publicMode: "Tampilan publik, hanya baca",
    signedIn: "Sudah masuk",
    myWork: "Pekerjaan saya",
    completionOf: "{pct}% tercapai",
  },
};

const state = {
  lang: pickLanguage(),
  token: localStorage.getItem(TOKEN_KEY),
  etag: null,
  summary: null,
  lastEventId: null,
  stream: null,
  refreshTimer: null,
};

function pickLanguage() {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved === "en" || saved === "id") return saved;
  return (navigator.language || "en").toLowerCase().startsWith("id") ? "id" : "en";
}

function t(key, params) {
  let value = STRINGS[state.lang][key] || STRINGS.en[key] || key;
  for (const [name, replacement] of Object.entries(params || {})) {
    value = value.replace(`{${name}}`, replacement);
  }
  return value;
}

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value !== null && value !== undefined) node.setAttribute(name, value);
  }
  for (const child of children) {
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function headers() {
  const found = { "Accept-Language": state.lang };
  if (state.token) found.Authorization = `Bearer ${state.token}`;
  return found;
}

function applyLanguage() {
  document.documentElement.lang = state.lang;
  document.title = `Pantau — ${t("title")}`;
  for (const node of document.querySelectorAll("[data-i18n]")) {
    node.textContent = t(node.dataset.i18n);
  }
  for (const node of document.querySelectorAll("[data-i18n-label]")) {
    node.setAttribute("aria-label", t(node.dataset.i18nLabel));
  }
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === state.lang));
  }
}

function formatDate(value) {
  const locale = state.lang === "id" ? "id-ID" : "en-GB";
  const date = new Date(`${value}T00:00:00`);
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium" }).format(date);
}

function formatNumber(value) {
  return new Intl.NumberFormat(state.lang === "id" ? "id-ID" : "en-GB").format(value);
}

function bar(percent, label) {
  const pct = Math.max(0, Math.min(100, Number(percent) || 0));
  const text = t("completionOf", { pct: formatNumber(pct) });
  const fill = el("span", { class: "fill" });
  fill.style.width = `${pct}%`; // a style property, not an attribute: allowed by the page's CSP
  return el(
    "div",
    {
      class: "bar",
      role: "progressbar",
      "aria-valuemin": "0",
      "aria-valuemax": "100",
      "aria-valuenow": String(pct),
      "aria-label": label ? `${label}: ${text}` : text,
    },
    el("span", { class: "track" }, fill),
    el("span", { class: "value", "aria-hidden": "true" }, `${formatNumber(pct)}%`),
  );
}

function table(node, caption, columns, rows, empty) {
  node.replaceChildren();
  if (caption) node.append(el("caption", { class: "visually-hidden" }, caption));
  const head = el("tr", {});
  for (const column of columns) {
    head.append(el("th", { scope: "col", class: column.numeric ? "num" : null }, column.label));
  }
  node.append(el("thead", {}, head));
  const body = el("tbody", {});
  if (!rows.length) {
    body.append(el("tr", {}, el("td", { colspan: String(columns.length), class: "empty" }, empty)));
  }
  for (const row of rows) {
    const line = el("tr", {});
    row.forEach((cell, index) => {
      const attributes = { class: columns[index].numeric ? "num" : null };
      line.append(index === 0 ? el("th", { scope: "row", ...attributes }, cell) : el("td", attributes, cell));
    });
    body.append(line);
  }
  node.append(body);
}

function renderTotals(summary) {
  const totals = summary.totals;
  const cards = [
    [t("tasks"), formatNumber(totals.tasks), ""],
    [t("completion"), `${formatNumber(totals.completion)}%`, ""],
    [t("overdue"), formatNumber(totals.by_schedule.overdue), "alert"],
    [t("dueSoon"), formatNumber(totals.by_schedule.due_soon), "warn"],
    [t("done"), formatNumber(totals.by_schedule.done), "ok"],
  ];
  const node = document.getElementById("totals");
  node.replaceChildren();
  for (const [label, value, tone] of cards) {
    node.append(el("div", { class: `card ${tone}` }, el("dt", {}, label), el("dd", {}, value)));
  }
}

function renderPlans(summary) {
  const container = document.getElementById("plans");
  container.replaceChildren();
  const labels = summary.labels.status;
  for (const plan of summary.plans) {
    const titleId = `plan-${plan.id}`;
    const section = el("article", { class: "plan", "aria-labelledby": titleId });
    section.append(
      el("h3", { id: titleId }, el("span", { class: "code" }, plan.code), " ", plan.title),
      bar(plan.completion, plan.title),
    );
    const columns = [
      { label: t("strategy") },
      { label: t("tasks"), numeric: true },
      { label: t("completion") },
      ...STATUSES.map((status) => ({ label: labels[status], numeric: true })),
      { label: t("overdue"), numeric: true },
    ];
    const rows = plan.pillars.map((pillar) => [
      pillar.title,
      formatNumber(pillar.tasks),
      bar(pillar.completion, pillar.title),
      ...STATUSES.map((status) => formatNumber(pillar.by_status[status])),
      formatNumber(pillar.by_schedule.overdue),
    ]);
    const grid = el("table", { class: "pillars" });
    table(grid, `${plan.code}: ${t("plans")}`, columns, rows, t("noTasks"));
    section.append(el("div", { class: "scroll" }, grid));
    container.append(section);
  }
}

function renderOrganisations(summary) {
  const columns = [
    { label: t("organisation") },
    { label: t("tasks"), numeric: true },
    { label: t("lead"), numeric: true },
    { label: t("open"), numeric: true },
    { label: t("overdue"), numeric: true },
    { label: t("slipped"), numeric: true },
    { label: t("done"), numeric: true },
  ];
  const rows = summary.organisations.map((org) => [
    el("span", {}, el("abbr", { title: org.name }, org.code), " ", el("span", { class: "name" }, org.name)),
    formatNumber(org.tasks),
    formatNumber(org.lead),
    formatNumber(org.open),
    formatNumber(org.overdue),
    formatNumber(org.slipped),
    formatNumber(org.done),
  ]);
  table(document.getElementById("orgs"), t("organisations"), columns, rows, t("noTasks"));
}

function renderBriefs(id, tasks, overdue, labels, empty) {
  const columns = [
    { label: t("task") },
    { label: t("plan") },
    { label: t("lead") },
    { label: t("status") },
    { label: t("due") },
    { label: overdue ? t("daysLate") : t("inDays"), numeric: true },
    { label: t("progress"), numeric: true },
  ];
  const rows = tasks.map((task) => [
    task.title,
    `${task.plan} · ${task.commitment}`,
    task.lead_organisation || "—",
    labels[task.status],
    el("time", { datetime: task.due_date }, formatDate(task.due_date)),
    formatNumber(Math.abs(task.days_overdue)),
    `${formatNumber(task.progress)}%`,
  ]);
  table(document.getElementById(id), null, columns, rows, empty);
}

function render(summary) {
  renderTotals(summary);
  renderPlans(summary);
  renderOrganisations(summary);
  renderBriefs("overdue", summary.most_overdue, true, summary.labels.status, t("nothingOverdue"));
  renderBriefs("upcoming", summary.upcoming, false, summary.labels.status, t("nothingUpcoming"));
  const asOf = document.getElementById("as-of");
  asOf.setAttribute("datetime", summary.today);
  asOf.textContent = formatDate(summary.today);
  document.getElementById("version").textContent = String(summary.data_version);
  const signedIn = state.token || state.session;
  document.getElementById("mode").textContent = signedIn ? t("signedIn") : t("publicMode");
}

function show(signedIn) {
  document.getElementById("signin").hidden = signedIn;
  document.getElementById("dashboard").hidden = !signedIn;
  document.getElementById("forget").hidden = !state.token;
}

async function loadSummary() {
  const request = { headers: headers() };
  if (state.etag) request.headers["If-None-Match"] = state.etag;
  const response = await fetch(`${API}/summary`, request);
  if (response.status === 304) return true;
  if (response.status === 401) {
    signOut(state.token ? t("badToken") : "");
    return false;
  }
  if (!response.ok) throw new Error(`summary: HTTP ${response.status}`);
  state.etag = response.headers.get("ETag");
  state.summary = await response.json();
  render(state.summary);
  show(true);
  return true;
}

function signOut(message) {
  stopEvents();
  state.token = null;
  state.etag = null;
  localStorage.removeItem(TOKEN_KEY);
  show(false);
  document.getElementById("token-error").textContent = message || "";
  document.getElementById("live").textContent = "";
}

function scheduleRefresh() {
  clearTimeout(state.refreshTimer);
  // Changes come in bursts (an import, a bulk edit): one summary read per burst.
  state.refreshTimer = setTimeout(async () => {
    try {
      await loadSummary();
      const time = new Date().toLocaleTimeString(state.lang === "id" ? "id-ID" : "en-GB");
      document.getElementById("live").textContent = `${t("live")} ${t("updated")} ${time}.`;
    } catch (error) {
      console.warn(error);
    }
  }, 250);
}

function stopEvents() {
  if (state.stream) state.stream.abort();
  state.stream = null;
}

// EventSource cannot send an Authorization header, so the stream is read with fetch.
async function followEvents() {
  stopEvents();
  const controller = new AbortController();
  state.stream = controller;
  const request = { headers: { ...headers(), Accept: "text/event-stream" }, signal: controller.signal };
  if (state.lastEventId) request.headers["Last-Event-ID"] = state.lastEventId;
  let retry = 3000;
  try {
    const response = await fetch(`${API}/events`, request);
    if (response.status === 401) return signOut(state.token ? t("badToken") : "");
    if (!response.ok || !response.body) throw new Error(`events: HTTP ${response.status}`);
    document.getElementById("live").textContent = t("live");
    retry = await readEvents(response.body.getReader());
  } catch (error) {
    if (controller.signal.aborted) return;
    console.warn(error);
  }
  if (state.stream !== controller) return;
  document.getElementById("live").textContent = t("reconnecting");
  setTimeout(() => state.stream === controller && followEvents(), retry);
}

async function readEvents(reader) {
  const decoder = new TextDecoder();
  let buffer = "";
  let retry = 3000;
  let changed = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return retry;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of block.split("\n")) {
        if (line.startsWith("id:")) state.lastEventId = line.slice(3).trim();
        else if (line.startsWith("retry:")) retry = Number(line.slice(6)) || retry;
        else if (line.startsWith("data:")) changed = true;
      }
    }
    if (changed) {
      changed = false;
      scheduleRefresh();
    }
  }
}

// A person signed in to the pages reads with the session's cookie: no token to paste.
async function checkSession() {
  if (state.token || state.session !== undefined) return;
  state.session = (await fetch(`${API}/users/me`)).ok;
}

async function start() {
  applyLanguage();
  try {
    await checkSession();
    if (await loadSummary()) followEvents();
  } catch (error) {
    console.warn(error);
    document.getElementById("live").textContent = t("reconnecting");
    setTimeout(start, 5000);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.addEventListener("click", () => {
      state.lang = button.dataset.lang;
      localStorage.setItem(LANG_KEY, state.lang);
      state.etag = null; // the summary's titles and labels are in the request's language
      applyLanguage();
      if (state.summary) loadSummary().catch((error) => console.warn(error));
    });
  }
  document.getElementById("print").addEventListener("click", () => window.print());
  document.getElementById("forget").addEventListener("click", () => signOut(""));
  document.getElementById("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = document.getElementById("token").value.trim();
    if (!value) return;
    state.token = value;
    localStorage.setItem(TOKEN_KEY, value);
    document.getElementById("token").value = "";
    document.getElementById("token-error").textContent = "";
    start();
  });
  start();
});
