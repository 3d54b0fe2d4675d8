/**
 * The report as one self-contained HTML page a community lead opens offline: summary cards,
 * per-channel table, time-to-answer chart, questions by weekday and hour, the unanswered list
 * with Discord links, and sample conversations with predicted labels. No script, no external
 * file; prints cleanly.
 * @module
 */

import { CLASS_COLORS, escapeXml } from "../plot/chart.ts";
import { timeToAnswerChart, weekdayHourChart } from "../plot/community_charts.ts";
import type { CommunityReport, ReportQuestion } from "./build.ts";

/** Options of {@linkcode reportHtml}. */
export interface ReportHtmlOptions {
  /** Unanswered questions listed on the page (all are in the CSV). @default 200 */
  maxUnanswered?: number;
}

/** Renders `report` as a standalone HTML document. */
export function reportHtml(report: CommunityReport, options: ReportHtmlOptions = {}): string {
  const maxUnanswered = options.maxUnanswered ?? 200;
  const o = report.overall;
  // the questions the samples' answers point at (a few dozen, not all of them)
  const linked = new Set(report.samples.flatMap((s) => s.messages.map((m) => m.answers)));
  const byId = new Map(report.questions.filter((q) => linked.has(q.id)).map((q) => [q.id, q]));
  const waits = report.questions.flatMap((q) =>
    q.secondsToFirstAnswer === null ? [] : [q.secondsToFirstAnswer]
  );
  const title = `Community report${report.source.guild ? ` — ${report.source.guild}` : ""}`;
  const cards = [
    ["messages", o.messages.toLocaleString("en-US")],
    ["questions", o.questions.toLocaleString("en-US")],
    ["answered", percent(o.answeredShare)],
    ["unanswered", o.unanswered.length.toLocaleString("en-US")],
    ["median wait", duration(o.medianSecondsToFirstAnswer)],
    ["90% answered within", duration(o.p90SecondsToFirstAnswer)],
  ].map(([k, v]) => `<div class="card"><div class="v">${v}</div><div class="k">${k}</div></div>`);

  const rows = report.channels.map((c) =>
    `<tr><td>#${esc(c.channel)}</td><td>${c.messages}</td><td>${c.questions}</td>` +
    `<td>${percent(c.answeredShare)}</td><td>${duration(c.medianSecondsToFirstAnswer)}</td>` +
    `<td>${duration(c.p90SecondsToFirstAnswer)}</td><td>${c.unanswered.length}</td>` +
    `<td>${
      c.topHelpers.slice(0, 3).map((h) => `${esc(h.name)} (${h.answers})`).join(", ")
    }</td></tr>`
  );

  const unanswered = report.unansweredQuestions.slice(0, maxUnanswered).map((q) => {
    const link = q.url ? `<a href="${esc(q.url)}">open in Discord</a>` : "";
    return `<li><span class="meta">${esc(q.timestamp.slice(0, 16).replace("T", " "))} · #${
      esc(q.channel)
    } · ${esc(q.author)}</span> ${esc(clip(q.text, 240))} ${link}</li>`;
  });
  const more = o.unanswered.length > maxUnanswered
    ? `<p class="meta">… and ${
      o.unanswered.length - maxUnanswered
    } more in unanswered.csv (oldest first).</p>`
    : "";

  const samples = report.samples.map((s) => {
    const lines = s.messages.map((m) => {
      const color = CLASS_COLORS[m.predicted] ?? "#999";
      const answers = m.answers
        ? ` <span class="meta">↪ answers ${esc(short(m.answers, byId))}</span>`
        : "";
      return `<div class="msg"><span class="tag" style="background:${color}">${m.predicted} ${
        Math.round(m.confidence * 100)
      }%</span> <b>${esc(m.user)}</b>: ${esc(m.text)}${answers}</div>`;
    });
    return `<details><summary>#${esc(s.channel)} · ${
      esc(s.messages[0]?.timestamp.slice(0, 10) ?? "")
    } · ${s.messages.length} messages</summary>${lines.join("")}</details>`;
  });

  const skipped = Object.entries(report.source.skipped).sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${esc(k)} ${v}`).join(", ");
  const helpers = o.topHelpers.map((h) => `<li>${esc(h.name)} — ${h.answers} answers</li>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px auto;max-width:1000px;padding:0 16px;color:#222}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
.meta{color:#666;font-size:12px}.cards{display:flex;flex-wrap:wrap;gap:10px;margin:16px 0}
.card{border:1px solid #ddd;border-radius:8px;padding:10px 14px;min-width:120px}
.card .v{font-size:22px;font-weight:600}.card .k{color:#666;font-size:12px}
table{border-collapse:collapse;width:100%;font-size:13px}td,th{border-bottom:1px solid #eee;padding:4px 6px;text-align:left}
th{background:#f6f6f6}.charts{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}figcaption{font-weight:600;font-size:13px}.charts svg{max-width:100%;height:auto}
ol li{margin:4px 0;font-size:13px}.msg{font-size:13px;margin:3px 0}
.tag{color:#fff;border-radius:3px;padding:0 4px;font-size:11px}
details{border:1px solid #ddd;border-radius:6px;padding:4px 10px;margin:6px 0}
@media print{details{break-inside:avoid}details:not([open]) .msg{display:block}a{color:#222}body{margin:0}}
</style></head><body>
<h1>${esc(title)}</h1>
<p class="meta">Generated ${esc(report.generatedAt)} from ${
    esc(report.source.path)
  } · ${report.source.files} file(s) · model ${esc(report.options.model ?? "—")}${
    report.options.since ? ` · since ${esc(report.options.since)}` : ""
  }${report.options.until ? ` · until ${esc(report.options.until)}` : ""} · left out: ${
    skipped || "nothing"
  }</p>
<div class="cards">${cards.join("")}</div>
<h2>Channels</h2>
<table><thead><tr><th>channel</th><th>messages</th><th>questions</th><th>answered</th><th>median wait</th><th>p90 wait</th><th>unanswered</th><th>top helpers</th></tr></thead>
<tbody>${rows.join("\n")}</tbody></table>
<h2>When questions are asked and answered</h2>
<div class="charts"><figure><figcaption>Time to first answer</figcaption>${
    timeToAnswerChart(waits, o.unanswered.length).svg
  }</figure><figure><figcaption>Questions by weekday and hour (UTC)</figcaption>${
    weekdayHourChart(report.questionsByWeekdayHour).svg
  }</figure></div>
<h2>Unanswered questions (oldest first)</h2>
<ol>${unanswered.join("\n")}</ol>${more}
<h2>Top helpers</h2><ol>${helpers.join("")}</ol>
<h2>Conversations with predicted labels</h2>
<p class="meta">Each tag is the model's label and its probability; "answers" shows the question an answer was linked to.</p>
${samples.join("\n")}
<p class="meta">Answers are linked to questions by reply, reply chain, thread, @mention, name, else the open question in the channel (within ${
    Math.round(report.options.windowSeconds / 60)
  } minutes) with the best evidence (shared words, who took part, what came just before, time), or to none. Linked: ${
    Object.entries(report.linkedBy).map(([k, v]) => `${k} ${v}`).join(", ") || "none"
  }.</p>
</body></html>
`;
}

function short(id: string, byId: Map<string, ReportQuestion>): string {
  const q = byId.get(id);
  return q ? `${q.author}: “${clip(q.text, 60)}”` : id;
}

function clip(text: string, n: number): string {
  return text.length > n ? text.slice(0, n - 1) + "…" : text;
}

function esc(text: string): string {
  return escapeXml(text);
}

/** A share as a whole percentage. */
function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** Seconds as a short human duration ("—" for none). */
export function duration(seconds: number | null): string {
  if (seconds === null) return "—";
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}
