import assert from "node:assert/strict";
import { join } from "node:path";
import { LINK_FEATURES } from "../lib/report/link_evidence.ts";

const CONFIG = new URL("../deno.json", import.meta.url).pathname;
const FIXTURE = new URL("../tests/fixtures/discord/", import.meta.url).pathname;

async function run(script: string, args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", `--config=${CONFIG}`, "-A", new URL(script, import.meta.url).pathname, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}

Deno.test("eval_report scores the hand-built export with true labels: every unanswered question, every link right", async () => {
  const { code, stdout, stderr } = await run("./eval_report.ts", ["--hand", "--json"]);
  assert.equal(code, 0, stderr);
  const s = JSON.parse(stdout);
  assert.deepStrictEqual(
    [s.unansweredPrecision, s.unansweredRecall, s.linkAccuracy, s.links, s.trueUnanswered],
    [1, 1, 1, 4, 3],
  );
  assert.deepStrictEqual(s.errors.wrongLinkOtherQuestion, {});
});

Deno.test("eval_report and fit_linker read a generated export with its truth.csv", async () => {
  const scored = await run("./eval_report.ts", ["--in", FIXTURE, "--json"]);
  assert.equal(scored.code, 0, scored.stderr);
  const nearest = await run("./eval_report.ts", ["--in", FIXTURE, "--json", "--rule", "nearest"]);
  const [s, n] = [JSON.parse(scored.stdout), JSON.parse(nearest.stdout)];
  assert.ok(s.links > 0 && s.trueUnanswered > 0);
  assert.ok("scored" in s.errors.linksByReason && !("nearest" in s.errors.linksByReason));
  assert.ok("nearest" in n.errors.linksByReason && !("scored" in n.errors.linksByReason));
  const fit = await run("./fit_linker.ts", ["--in", FIXTURE]);
  assert.equal(fit.code, 0, fit.stderr);
  assert.match(fit.stderr, /^\d+ weighed answers/);
  for (const feature of LINK_FEATURES) assert.match(fit.stdout, new RegExp(`\\b${feature}: -?\\d`));
});

Deno.test("eval_report scores the linking with and without the asker's thanks and bumps", async () => {
  const scores = async (on: "on" | "off") => {
    const r = await run("./eval_report.ts", [
      "--in",
      FIXTURE,
      "--json",
      "--thanks",
      on,
      "--bumps",
      on,
    ]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  const [on, off] = [await scores("on"), await scores("off")];
  assert.deepStrictEqual(
    on.errors.linksByReason.thanks,
    [1, 1],
    "the fixture's one thanked answer",
  );
  assert.ok(!("thanks" in off.errors.linksByReason));
  assert.ok(on.unansweredPrecision > off.unansweredPrecision);
  const bad = await run("./eval_report.ts", ["--hand", "--thanks", "maybe"]);
  assert.equal(bad.code, 1);
  assert.equal(
    bad.stderr.trim(),
    'error: Cannot evaluate the report: --thanks is "maybe", not on or off',
  );
});

Deno.test("eval_report says in one line what is missing", async () => {
  const { code, stderr } = await run("./eval_report.ts", []);
  assert.equal(code, 1);
  assert.match(stderr.trim(), /^error: Cannot evaluate the report: give --in EXPORT or --hand$/);
  const missing = await run("./eval_report.ts", ["--in", join(FIXTURE, "nope")]);
  assert.equal(missing.code, 1);
  assert.equal(
    missing.stderr.trim(),
    `error: Cannot read "${join(FIXTURE, "nope", "truth.csv")}": no such file`,
  );
});
