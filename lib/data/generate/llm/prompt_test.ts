import assert from "node:assert/strict";
import {
  CHANNELS,
  loadPromptTemplate,
  parsePromptTemplate,
  planConversation,
  renderPrompt,
} from "./prompt.ts";

Deno.test("planConversation() is deterministic per (seed, index) and varies across indices", () => {
  assert.deepEqual(planConversation(5, { seed: 1 }), planConversation(5, { seed: 1 }));
  const plans = Array.from({ length: 200 }, (_, i) => planConversation(i, { seed: 1 }));
  assert.deepEqual(new Set(plans.map((p) => p.channel)).size, CHANNELS.length);
  assert.ok(new Set(plans.map((p) => p.topic)).size > 40);
  assert.ok(new Set(plans.map((p) => p.tone)).size > 5);
  assert.ok(new Set(plans.map((p) => p.length)).size > 15);
  for (const p of plans) {
    const { question, answer, comment } = p.counts;
    assert.equal(question + answer + comment, p.length);
    assert.ok(comment >= 1 && question >= 0 && answer >= 0);
    assert.equal(new Set(p.participants.map((x) => x.name)).size, p.participants.length);
  }
});

Deno.test("planConversation() keeps the overall question share near the target mix", () => {
  const plans = Array.from({ length: 2000 }, (_, i) => planConversation(i, { seed: 3 }));
  const total = plans.reduce((s, p) => s + p.length, 0);
  const questions = plans.reduce((s, p) => s + p.counts.question, 0);
  const share = questions / total;
  assert.ok(share > 0.09 && share < 0.22, `question share ${share}`);
  const heavy = planConversation(0, { seed: 3, mix: { question: 0.5, answer: 0.3, comment: 0.2 } });
  assert.ok(heavy.counts.question >= 1);
});

Deno.test("renderPrompt() fills every placeholder of prompt.md", async () => {
  const template = await loadPromptTemplate();
  const plan = planConversation(0, { seed: 9 });
  const { system, user } = renderPrompt(template, plan);
  assert.doesNotMatch(system + user, /\{\{/);
  assert.match(system, /MANY real questions have NO question mark/);
  assert.ok(user.includes(`#${plan.channel}`));
  assert.ok(user.includes(`exactly ${plan.length} messages`));
  for (const p of plan.participants) assert.ok(user.includes(p.name));
  const q = plan.counts.question;
  assert.ok(user.includes(`Label mix: about ${q} question${q === 1 ? "" : "s"}, `), user);
  assert.doesNotMatch(system, /^# Prompt/m, "the human preamble is not sent");
  assert.match(system, /A channel is a STREAM/);
  assert.match(user, /Structure: .*only \d+ answers? uses? the reply button/);
});

Deno.test("planConversation() asks for interleaved threads, unanswered questions and few reply links", () => {
  const plans = Array.from({ length: 300 }, (_, i) => planConversation(i, { seed: 2 }));
  const sum = (f: (p: (typeof plans)[number]) => number) => plans.reduce((s, p) => s + f(p), 0);
  const answers = sum((p) => p.counts.answer);
  const questions = sum((p) => p.counts.question);
  const links = sum((p) => p.replyLinks) / answers;
  const unanswered = sum((p) => p.unanswered) / questions;
  assert.ok(links > 0.2 && links < 0.4, `reply links ${links}`);
  assert.ok(unanswered > 0.1 && unanswered < 0.4, `unanswered ${unanswered}`);
  assert.ok(plans.filter((p) => p.threads > 1).length > 150);
  assert.ok(plans.every((p) => p.threads === 1 || p.length >= 8));
});

Deno.test("loadPromptTemplate() works from another working directory", async () => {
  const cwd = Deno.cwd();
  Deno.chdir(await Deno.makeTempDir());
  try {
    assert.match((await loadPromptTemplate()).request, /\{\{channel\}\}/);
  } finally {
    const tmp = Deno.cwd();
    Deno.chdir(cwd);
    await Deno.remove(tmp);
  }
});

Deno.test("parsePromptTemplate() and renderPrompt() reject broken templates", () => {
  assert.throws(
    () => parsePromptTemplate("no headings", "x.md"),
    new SyntaxError('Cannot parse x.md: expected "## System" then "## Request" headings'),
  );
  const template = parsePromptTemplate("## System\nhi\n## Request\n{{nope}}");
  assert.throws(() => renderPrompt(template, planConversation(0)), {
    name: "RangeError",
    message: /^Cannot render prompt: unknown placeholder "\{\{nope\}\}" \(known: channel, /,
  });
});
