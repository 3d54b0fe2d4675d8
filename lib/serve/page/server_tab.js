// The "Your server" tab: drop a chat export, get the community report (POST /report), see it
// and download report.json / unanswered.csv. Plain browser JavaScript; the report page itself
// is the self-contained HTML `deno task report` writes, shown in a sandboxed frame.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const tab = $("tab-server");
  const panel = $("panel-server");
  const others = ["classify", "explore"];
  const downloads = [];

  function show() {
    for (const name of others) {
      $(`tab-${name}`).setAttribute("aria-selected", "false");
      $(`panel-${name}`).hidden = true;
    }
    tab.setAttribute("aria-selected", "true");
    panel.hidden = false;
  }
  tab.addEventListener("click", show);
  for (const name of others) {
    $(`tab-${name}`).addEventListener("click", () => {
      tab.setAttribute("aria-selected", "false");
      panel.hidden = true;
    });
  }

  const status = $("server-status");
  const error = $("server-error");
  const result = $("server-result");

  function fail(message) {
    error.textContent = message;
    error.hidden = false;
    status.textContent = "";
  }

  function offer(id, name, text, type) {
    const link = $(id);
    const url = URL.createObjectURL(new Blob([text], { type }));
    downloads.push(url);
    link.href = url;
    link.download = name;
  }

  async function upload(file) {
    error.hidden = true;
    result.hidden = true;
    while (downloads.length) URL.revokeObjectURL(downloads.pop());
    if (!/\.(json|csv|jsonl|ndjson)$/i.test(file.name)) {
      fail(`Cannot read "${file.name}": choose a DiscordChatExporter .json or .csv export.`);
      return;
    }
    const limit = Number(panel.dataset.limit);
    if (file.size > limit) {
      fail(
        `Cannot read "${file.name}": it is larger than ${Math.round(limit / 1048576)} MiB; ` +
          "run deno task report --in EXPORT for bigger exports.",
      );
      return;
    }
    status.textContent = `Reading ${file.name} (${Math.round(file.size / 1024)} KB)…`;
    const params = new URLSearchParams({ name: file.name });
    for (
      const [key, id] of [["since", "server-since"], ["until", "server-until"], [
        "channel",
        "server-channel",
      ]]
    ) {
      if ($(id).value) params.set(key, $(id).value);
    }
    let response;
    try {
      response = await fetch(`/report?${params}`, {
        method: "POST",
        headers: {
          "content-type": file.name.toLowerCase().endsWith(".csv")
            ? "text/csv"
            : "application/json",
        },
        body: file,
      });
    } catch {
      fail("Cannot reach the server. Is it still running?");
      return;
    }
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      fail(body?.detail ?? `The server answered ${response.status}.`);
      return;
    }
    const o = body.report.overall;
    status.textContent = `${file.name}: ${o.messages} messages, ${o.questions} questions, ` +
      `${Math.round(o.answeredShare * 100)}% answered, ${o.unanswered.length} unanswered` +
      (body.problems.length ? ` (${body.problems.length} part(s) could not be read)` : "") +
      ". Nothing was kept on the server.";
    offer(
      "server-download-json",
      "report.json",
      JSON.stringify(body.report, null, 1),
      "application/json",
    );
    offer("server-download-csv", "unanswered.csv", body.unansweredCsv, "text/csv");
    $("server-frame").srcdoc = body.html;
    result.hidden = false;
  }

  $("server-file").addEventListener("change", (event) => {
    const file = event.target.files[0];
    if (file) upload(file);
  });
  const drop = $("server-drop");
  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    const file = event.dataTransfer.files[0];
    if (file) upload(file);
  });
})();
