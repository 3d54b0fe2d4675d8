import assert from "node:assert/strict";
import type { Message } from "../types.ts";
import { generateBuiltin } from "./builtin.ts";
import { measureStructure } from "./structure.ts";

/** A message of stream "s" at `minute`, with the fields measureStructure reads. */
function m(
  id: string,
  user: string,
  label: string,
  minute: number,
  extra: Partial<Message> = {},
): Message {
  return {
    messageId: id,
    conversationId: extra.conversationId ?? "s",
    channel: "general",
    userName: user,
    text: extra.text ?? `${label} ${id}`,
    messageType: label,
    replyTo: null,
    timestamp: new Date(Date.UTC(2024, 0, 1, 0, minute)).toISOString(),
    ...extra,
  };
}

Deno.test("measureStructure() counts adjacency, unanswered questions, links, mentions and delays exactly", () => {
  const messages = [
    m("q1", "ann", "question", 0),
    m("a1", "bob", "answer", 1, { answers: "q1" }), // adjacent, 60 s
    m("q2", "cat", "question", 2),
    m("c1", "dan", "comment", 3, { text: "lol" }),
    m("a2", "bob", "answer", 12, { answers: "q2", replyTo: "q2", mentions: ["cat"] }), // 600 s
    m("q3", "ann", "question", 13), // unanswered
    m("c2", "eve", "comment", 14, { text: "lol" }),
    m("a3", "dan", "answer", 32, { answers: "q2", mentions: ["ann"] }), // 1800 s, wrong person
    // another stream: its first row is not "after" stream s's last row
    m("q4", "fay", "question", 40, { conversationId: "t" }),
    m("a4", "gus", "answer", 100, { conversationId: "t", answers: "q4", replyTo: "q4" }), // 3600 s
  ];
  const r = measureStructure(messages);
  assert.equal(r.messages, 10);
  assert.equal(r.streams, 2);
  assert.deepEqual(r.counts, { answer: 4, comment: 2, question: 4 });
  assert.deepEqual(r.mix, { answer: 0.4, comment: 0.2, question: 0.4 });
  assert.equal(r.answers, 4);
  assert.equal(r.adjacentAnswerShare, 2 / 4); // a1 after q1, a4 after q4
  assert.equal(r.unansweredQuestionShare, 1 / 4); // q3
  assert.equal(r.replyLinkShare, 2 / 4);
  assert.equal(r.askerMentionShare, 1 / 4); // a2 mentions cat, who asked q2
  // delays 60, 600, 1800, 3600: median 1200, p90 = 1800 + 0.7 * 1800 (numpy linear)
  assert.equal(r.medianAnswerDelaySeconds, 1200);
  assert.equal(r.p90AnswerDelaySeconds, 3060);
  assert.equal(r.distinctMessageShare, 9 / 10); // "lol" twice
});

Deno.test("measureStructure() gives NaN shares, not a crash, when there is nothing to share", () => {
  const r = measureStructure([m("c", "ann", "comment", 0)]);
  assert.ok(Number.isNaN(r.adjacentAnswerShare));
  assert.ok(Number.isNaN(r.unansweredQuestionShare));
  assert.ok(Number.isNaN(r.medianAnswerDelaySeconds));
});

for (
  const options of [
    {},
    { exchanges: true },
    { hangout: true },
    { hangout: "extra" },
    { answers: "framed" },
    { answers: "framed-replies" },
  ] as const
) {
  Deno.test(
    `the built-in generator's streams have chat structure within the stated bands (${
      JSON.stringify(options)
    })`,
    () => {
      const r = measureStructure(generateBuiltin({ conversations: 400, seed: 9, ...options }));
      const within = (name: keyof typeof r, low: number, high: number) => {
        const value = r[name] as number;
        assert.ok(value >= low && value <= high, `${name} ${value} not in [${low}, ${high}]`);
      };
      within("adjacentAnswerShare", 0.1, 0.4);
      within("unansweredQuestionShare", 0.2, 0.4);
      within("replyLinkShare", 0.2, 0.4);
      // Comments are reply-linked too (thanks, reactions, remarks on side talk): a link is not a label.
      within("linkedAnswerShare", 0.15, 0.45);
      within("askerMentionShare", 0.05, 0.25);
      within("medianAnswerDelaySeconds", 60, 1800); // minutes, not seconds or days
      within("p90AnswerDelaySeconds", 3600, 6 * 3600); // some answers come hours later
      within("distinctMessageShare", 0.5, 1);
      assert.ok(r.mix.comment > 0.6 && r.mix.question > 0.1 && r.mix.answer > 0.1);
    },
  );
}
