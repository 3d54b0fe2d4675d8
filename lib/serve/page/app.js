// The page's behaviour: plain browser JavaScript, no build step. Charts use Observable Plot
// (window.Plot, served by the server itself); without it, simple bars still render.
"use strict";

const LABELS = ["question", "answer", "comment"];
// The class colours come from /palette.css, which the server builds from lib/plot/palette.ts.
const rootStyle = getComputedStyle(document.documentElement);
const COLORS = Object.fromEntries(
  LABELS.map((l) => [l, rootStyle.getPropertyValue(`--${l}`).trim() || "#999"]),
);
const color = { domain: LABELS, range: LABELS.map((l) => COLORS[l]) };
const $ = (id) => document.getElementById(id);
/** The most texts one request may carry (POST /classify {"texts": [...]}). */
const MAX_TEXTS = 256;

/** A probability in words: the model's scores crowd near 1, so 99.97% reads "almost certain". */
function likelihood(p) {
  if (p >= 0.99) return "almost certain";
  if (p >= 0.9) return "very likely";
  if (p >= 0.7) return "likely";
  if (p >= 0.5) return "probably";
  return "a guess";
}

/** A percentage that never claims 100% (or 0%) for a model score. */
function percent(p) {
  if (p >= 0.995) return "99%+";
  if (p < 0.005) return "<1%";
  return `${Math.round(p * 100)}%`;
}

/** Fetches JSON; a problem+json error becomes an Error carrying its detail. */
async function api(path, init) {
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new Error("Cannot reach the server. Is it still running?");
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = body?.detail ?? response.statusText;
    const fields = (body?.errors ?? []).map((e) => `${e.field} ${e.message}`).join("; ");
    throw new Error(`${response.status} ${body?.title ?? ""}: ${fields || detail}`);
  }
  return body;
}

function showError(element, error) {
  element.textContent = error ? error.message : "";
  element.hidden = !error;
}

function hasPlot() {
  return typeof Plot !== "undefined";
}

// ---------------------------------------------------------------- tabs
function selectTab(name) {
  for (const tab of ["classify", "explore"]) {
    $(`tab-${tab}`).setAttribute("aria-selected", String(tab === name));
    $(`panel-${tab}`).hidden = tab !== name;
  }
  if (name === "explore") loadExplore();
}
$("tab-classify").addEventListener("click", () => selectTab("classify"));
$("tab-explore").addEventListener("click", () => selectTab("explore"));

// ---------------------------------------------------------------- classify
async function classify(event) {
  event?.preventDefault();
  const text = $("text").value;
  const perLine = $("per-line").checked;
  const threshold = Math.min(99, Math.max(0, Number($("threshold").value) || 0)) / 100;
  const button = $("classify");
  button.disabled = true;
  showError($("error"), null);
  try {
    const body = {};
    if (perLine) {
      const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "");
      if (lines.length === 0) throw new Error("Write at least one message (one per line).");
      if (lines.length > MAX_TEXTS) {
        throw new Error(`Up to ${MAX_TEXTS} lines at a time; this has ${lines.length}.`);
      }
      body.texts = lines;
    } else {
      body.text = text;
    }
    if (threshold > 0) body.threshold = threshold;
    const result = await api("/classify", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (perLine) renderResults(body.texts, result.results);
    else renderResult(result);
  } catch (error) {
    $("result").hidden = true;
    $("results").hidden = true;
    showError($("error"), error);
  } finally {
    button.disabled = false;
  }
}

/** One row per line: the message, its label badge and how sure the model is, in words. */
function renderResults(texts, results) {
  const rows = results.map((r, i) => {
    const tr = document.createElement("tr");
    const message = document.createElement("td");
    message.textContent = texts[i];
    const verdict = document.createElement("td");
    verdict.append(badge(r.label));
    const sure = document.createElement("td");
    const top = Math.max(...Object.values(r.probabilities));
    sure.textContent = `${likelihood(top)} (${percent(top)})`;
    tr.append(message, verdict, sure);
    return tr;
  });
  $("results-table").tBodies[0].replaceChildren(...rows);
  const counts = LABELS.map((l) => [l, results.filter((r) => r.label === l).length])
    .filter(([, n]) => n > 0).map(([l, n]) => `${n} ${l}${n === 1 ? "" : "s"}`);
  const unsure = results.filter((r) => r.label === "unsure").length;
  if (unsure) counts.push(`${unsure} unsure`);
  $("results-summary").textContent = `${results.length} messages: ${counts.join(", ")}`;
  $("result").hidden = true;
  $("results").hidden = false;
}

function renderResult(result) {
  const label = $("label");
  label.textContent = result.label === "unsure"
    ? "unsure (no class reaches your threshold)"
    : `a ${result.label}`;
  label.className = result.label;
  const top = Math.max(...Object.values(result.probabilities));
  $("confidence").textContent = `— ${likelihood(top)} (${percent(top)})`;
  $("results").hidden = true;
  const data = LABELS.map((l) => ({ label: l, p: result.probabilities[l] }));
  const chart = $("prob-chart");
  chart.replaceChildren(
    hasPlot()
      ? Plot.plot({
        width: Math.min(560, Math.max(280, $("prob-chart").clientWidth)),
        height: 130,
        marginLeft: 80,
        x: { domain: [0, 100], label: "probability (%)", percent: true, grid: true },
        y: { domain: LABELS, label: null },
        color,
        marks: [
          Plot.barX(data, { x: "p", y: "label", fill: "label" }),
          Plot.text(data, {
            x: "p",
            y: "label",
            text: (d) => percent(d.p),
            dx: 4,
            textAnchor: "start",
          }),
          Plot.ruleX([0]),
        ],
      })
      : simpleBars(data),
  );
  $("result").hidden = false;
}

/** Fallback bars when Plot could not load. */
function simpleBars(data) {
  const box = document.createElement("div");
  box.className = "bars";
  for (const d of data) {
    const row = document.createElement("div");
    const name = document.createElement("span");
    name.textContent = `${d.label} ${percent(d.p)}`;
    name.style.width = "9rem";
    const bar = document.createElement("span");
    bar.className = "bar";
    bar.style.width = `${Math.max(1, d.p * 300)}px`;
    bar.style.background = COLORS[d.label];
    row.append(name, bar);
    box.append(row);
  }
  return box;
}

$("classify-form").addEventListener("submit", classify);
$("text").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) classify(event);
});

// ---------------------------------------------------------------- explore
let exploreLoaded = false;
const conv = { offset: 0, limit: 10, total: 0 };

async function loadExplore() {
  if (exploreLoaded) return;
  exploreLoaded = true;
  try {
    const summary = await api("/data/summary");
    renderSummary(summary);
    await loadConversations();
  } catch (error) {
    exploreLoaded = false;
    $("explore-stats").textContent = "";
    showError($("explore-error"), error);
  }
}

function renderSummary(s) {
  $("explore-stats").textContent = `${s.messages.toLocaleString()} messages in ` +
    `${s.conversations.toLocaleString()} conversations from ${s.path}` +
    (s.skipped ? ` (${s.skipped} rows skipped)` : "") +
    `. The model gets ${(s.accuracy * 100).toFixed(1)}% right — ${s.misclassified} wrong — ` +
    "but that includes the rows it was trained on" +
    (s.heldOut
      ? `; on the ${s.heldOut.messages.toLocaleString()} messages of held-out conversations ` +
        `(its test split) it gets ${(s.heldOut.accuracy * 100).toFixed(1)}%.`
      : ", so it overstates real accuracy.");
  if (s.labelled === false) {
    // a chat export (serve --data EXPORT): no true labels, the charts show predictions
    $("explore-stats").textContent = `${s.messages.toLocaleString()} messages in ` +
      `${s.conversations.toLocaleString()} conversations from ${s.path}` +
      (s.skipped ? ` (${s.skipped} left out: system messages, bots, …)` : "") +
      ". This export has no labels: the charts show the model's predictions.";
  }
  const select = $("conv-channel");
  for (const channel of [...new Set(s.channels.map((c) => c.channel))]) {
    const option = document.createElement("option");
    option.value = channel;
    option.textContent = channel || "(none)";
    select.append(option);
  }
  if (!hasPlot()) {
    for (const id of ["chart-mix", "chart-channels", "chart-lengths"]) {
      $(id).textContent = "Charts need Observable Plot; run `deno install` and reload.";
    }
    return;
  }
  // Draw at the container's width so text stays readable instead of being scaled down.
  const width = (id) => Math.max(280, $(id).clientWidth);
  $("chart-mix").replaceChildren(Plot.plot({
    width: width("chart-mix"),
    height: 160,
    marginLeft: 80,
    x: { label: "messages", grid: true },
    y: { domain: LABELS, label: null },
    color,
    marks: [
      Plot.barX(s.classMix, { x: "count", y: "label", fill: "label", tip: true }),
      Plot.ruleX([0]),
    ],
  }));
  const channelTotals = new Map();
  for (const c of s.channels) {
    channelTotals.set(c.channel, (channelTotals.get(c.channel) ?? 0) + c.count);
  }
  const channelShares = s.channels.map((c) => ({
    ...c,
    channel: c.channel || "(none)",
    share: c.count / channelTotals.get(c.channel),
  }));
  $("chart-channels").replaceChildren(Plot.plot({
    width: width("chart-channels"),
    height: Math.max(140, 26 * channelTotals.size + 60),
    marginLeft: 140,
    x: { label: "share of the channel's messages (%)", percent: true },
    y: { label: null },
    color: { ...color, legend: true },
    marks: [
      Plot.barX(channelShares, {
        x: "share",
        y: "channel",
        fill: "label",
        order: LABELS,
        title: (d) => `${d.channel}: ${d.count} ${d.label}s`,
      }),
      Plot.ruleX([0]),
    ],
  }));
  const lengths = s.lengths.map((d) => ({ ...d, mid: d.bin + s.lengthBinWidth / 2 }));
  $("chart-lengths").replaceChildren(Plot.plot({
    width: width("chart-lengths"),
    height: 240,
    x: { label: "words per message →" },
    y: { label: "↑ share of class", percent: true, grid: true },
    color: { ...color, legend: true },
    marks: [
      Plot.lineY(lengths, { x: "mid", y: "share", stroke: "label", strokeWidth: 2, curve: "step" }),
      Plot.dot(lengths, { x: "mid", y: "share", fill: "label", r: 2, tip: true }),
      Plot.ruleY([0]),
    ],
  }));
}

async function loadConversations() {
  const params = new URLSearchParams({
    offset: String(conv.offset),
    limit: String(conv.limit),
    filter: $("conv-filter").value,
  });
  if ($("conv-channel").value) params.set("channel", $("conv-channel").value);
  try {
    const page = await api(`/data/conversations?${params}`);
    conv.total = page.total;
    renderConversations(page.conversations);
    showError($("explore-error"), null);
  } catch (error) {
    showError($("explore-error"), error);
  }
}

function badge(label, extra = "") {
  const span = document.createElement("span");
  span.className = `badge ${label} ${extra}`;
  span.textContent = label;
  return span;
}

function renderConversations(conversations) {
  const box = $("conversations");
  box.replaceChildren();
  const last = Math.min(conv.offset + conv.limit, conv.total);
  $("conv-page").textContent = conv.total
    ? `${conv.offset + 1}–${last} of ${conv.total}`
    : "no conversations";
  $("conv-prev").disabled = conv.offset === 0;
  $("conv-next").disabled = last >= conv.total;
  for (const thread of conversations) {
    const article = document.createElement("article");
    article.className = "thread";
    const title = document.createElement("h3");
    title.textContent = `${thread.id} · #${thread.channel || "?"} · ` +
      (thread.misclassified ? `${thread.misclassified} misclassified` : "all correct");
    article.append(title);
    for (const m of thread.messages) {
      const wrong = m.label !== m.predicted;
      const row = document.createElement("div");
      row.className = wrong ? "msg wrong" : "msg";
      const user = document.createElement("span");
      user.className = "user";
      user.textContent = m.user;
      const text = document.createElement("span");
      text.className = "text";
      text.textContent = m.text;
      const badges = document.createElement("span");
      badges.className = "badges";
      badges.append("true", badge(m.label), " model", badge(m.predicted, wrong ? "miss" : ""));
      badges.title = `the model is ${likelihood(m.confidence)} (${percent(m.confidence)})`;
      row.append(user, text, badges);
      article.append(row);
    }
    box.append(article);
  }
}

$("conv-filter").addEventListener("change", () => {
  conv.offset = 0;
  loadConversations();
});
$("conv-channel").addEventListener("change", () => {
  conv.offset = 0;
  loadConversations();
});
$("conv-prev").addEventListener("click", () => {
  conv.offset = Math.max(0, conv.offset - conv.limit);
  loadConversations();
});
$("conv-next").addEventListener("click", () => {
  conv.offset += conv.limit;
  loadConversations();
});

// ---------------------------------------------------------------- model info
api("/model").then(
  (m) => {
    const trained = typeof m.createdAt === "string" ? ` trained ${m.createdAt.slice(0, 10)}` : "";
    const f1 = m.metrics?.test?.macroF1;
    const real = m.metrics?.real?.molweni?.metrics?.macroF1;
    $("model-info").textContent = `Model${trained}` +
      (typeof f1 === "number" ? ` · macro-F1 ${f1.toFixed(2)} on held-out generated chat` : "") +
      (typeof real === "number" ? `, ${real.toFixed(2)} on real IRC chat (Molweni)` : "");
    $("model-info").title = `run ${m.runId}`;
  },
  () => $("model-info").textContent = "model loading…",
);
