import assert from "node:assert/strict";
import type { ChatMessage } from "../data/discord/types.ts";
import type { Label } from "../data/types.ts";
import { chatMessage } from "./_testing.ts";
import { type LinkDecision, Linker } from "./link.ts";
import { LINK_FEATURES } from "./link_evidence.ts";

let clock = Date.UTC(2024, 0, 1);

function msg(
  id: string,
  user: string,
  text: string,
  extra: Partial<ChatMessage> = {},
): ChatMessage {
  clock += 60_000;
  return chatMessage({
    messageId: id,
    conversationId: "general",
    channel: "general",
    userName: user,
    text,
    timestamp: new Date(clock).toISOString(),
    guildId: "1",
    channelId: "2",
    mentions: [],
    ...extra,
  });
}

function link(items: [ChatMessage, Label][], windowSeconds?: number) {
  const linker = new Linker({ windowSeconds });
  for (const [message, label] of items) linker.add({ message, label, confidence: 0.97 });
  linker.finish();
  return linker;
}

Deno.test("Linker links by reply first, whatever question is nearer", () => {
  const { questions } = link([
    [msg("q1", "ann", "how do I join two tables"), "question"],
    [msg("q2", "cyd", "is sql hard"), "question"],
    [msg("a1", "bob", "use JOIN ... ON", { replyTo: "q1" }), "answer"],
  ]);
  assert.deepStrictEqual(
    questions.map((q) => [q.id, q.firstAnswerId, q.linkedBy, q.secondsToFirstAnswer]),
    [["q1", "a1", "reply", 120], ["q2", null, null, null]],
  );
});

Deno.test("Linker: a reply or thread message labelled comment answers its question when p(answer) is high enough", () => {
  const items = (pAnswer: number, options: { replyAnswerProbability?: number } = {}) => {
    const linker = new Linker(options);
    const add = (message: ChatMessage, label: Label) =>
      linker.add({ message, label, confidence: 0.6, pAnswer });
    add(msg("q1", "ann", "how do I read a 4GB csv"), "question");
    add(msg("q2", "cyd", "is tableau worth it"), "question");
    add(msg("r1", "bob", "chunksize=100_000", { replyTo: "q1" }), "comment");
    add(msg("t1", "dan", "no", { conversationId: "q2", thread: true }), "comment");
    add(msg("r2", "ann", "ok I'll try", { replyTo: "r1" }), "comment");
    linker.finish();
    return linker.links.map((l) => [l.answerId, l.questionId, l.reason]);
  };
  assert.deepStrictEqual(items(0.35), [["r1", "q1", "reply"], ["t1", "q2", "thread"]]);
  assert.deepStrictEqual(
    items(0.21),
    [],
    "a +1 reply (p 0.21 on the hand-built export) is no answer",
  );
  assert.deepStrictEqual(items(0.35, { replyAnswerProbability: 1 }), []);
});

Deno.test("Linker: a reply labelled comment (+1, mine too) answers nothing", () => {
  const { questions, links } = link([
    [msg("q1", "ann", "why does pandas warn me"), "question"],
    [msg("c1", "bob", "+1, mine does that too", { replyTo: "q1" }), "comment"],
  ]);
  assert.equal(questions[0]!.firstAnswerId, null);
  assert.deepStrictEqual(links, []);
});

Deno.test("Linker links a thread's answers to the question the thread started from", () => {
  const { questions } = link([
    // the thread is read before its parent channel: linked when the question shows up
    [msg("a1", "bob", "read it in chunks", { thread: true, conversationId: "q1" }), "answer"],
    [msg("q1", "ann", "how do I read a 4GB csv"), "question"],
    [msg("q2", "cyd", "anyone used duckdb"), "question"],
    [msg("a2", "dan", "chunksize works", { thread: true, conversationId: "q2" }), "answer"],
  ]);
  assert.deepStrictEqual(questions.map((q) => [q.id, q.firstAnswerId, q.linkedBy]), [
    ["q1", "a1", "thread"],
    ["q2", "a2", "thread"],
  ]);
});

Deno.test("Linker links by @mention, then by name, before weighing the evidence", () => {
  const { questions } = link([
    [msg("q1", "maya_codes", "why does my kernel die", { displayName: "Maya" }), "question"],
    [msg("q2", "cyd", "what's a left join"), "question"],
    [msg("a1", "bob", "you're out of RAM", { mentions: ["maya_codes"] }), "answer"],
    [msg("q3", "eve", "which course first"), "question"],
    [msg("a2", "bob", "cyd: it keeps rows from the left table"), "answer"],
    [msg("a3", "bob", "the google one"), "answer"],
  ]);
  assert.deepStrictEqual(questions.map((q) => [q.id, q.firstAnswerId, q.linkedBy]), [
    ["q1", "a1", "mention"],
    ["q2", "a2", "name"],
    ["q3", "a3", "scored"],
  ]);
});

Deno.test("Linker never links an answer to its author's own question, nor outside the window", () => {
  const { questions } = link([
    [msg("q1", "ann", "how do I start"), "question"],
    [msg("a1", "ann", "oh wait, found it"), "answer"],
  ]);
  assert.equal(questions[0]!.firstAnswerId, null);
  clock = Date.UTC(2024, 0, 1);
  const late = link([
    [msg("q1", "ann", "how do I start"), "question"],
    [msg("a1", "bob", "take the course", { timestamp: "2024-01-02T00:00:00.000Z" }), "answer"],
  ], 3600);
  assert.equal(late.questions[0]!.firstAnswerId, null);
});

Deno.test("Linker keeps conversations apart and keeps the earliest answer as the first", () => {
  const { questions } = link([
    [msg("q1", "ann", "help with sql?", { conversationId: "sql" }), "question"],
    [msg("a0", "bob", "in python use pandas", { conversationId: "python" }), "answer"],
    [msg("a1", "bob", "use a CTE, sql has them", { conversationId: "sql" }), "answer"],
    [msg("a2", "cyd", "or a subquery", { conversationId: "sql", replyTo: "q1" }), "answer"],
  ]);
  assert.deepStrictEqual(
    questions.map((q) => [q.id, q.answers, q.firstAnswerId, q.firstAnswerAuthor]),
    [["q1", 2, "a1", "bob"]],
  );
});

Deno.test("Linker weighs the evidence where the nearest open question is wrong: shared words", () => {
  const items: [ChatMessage, Label][] = [
    [msg("q1", "ann", "how do I install pandas on windows"), "question"],
    [msg("q2", "cyd", "anyone going to the meetup friday"), "question"],
    [msg("c1", "dan", "morning all"), "comment"],
    [msg("a1", "bob", "pip install pandas in a fresh venv, then it works on windows"), "answer"],
  ];
  const scored = link(items);
  assert.deepStrictEqual(scored.links.map((l) => [l.answerId, l.questionId, l.reason]), [
    ["a1", "q1", "scored"],
  ]);
  const nearest = new Linker({ rule: "nearest" });
  for (const [message, label] of items) nearest.add({ message, label, confidence: 0.9 });
  nearest.finish();
  assert.deepStrictEqual(nearest.links.map((l) => [l.questionId, l.reason]), [["q2", "nearest"]]);
});

Deno.test("Linker weighs the evidence: a yes/no reply goes to the yes/no question", () => {
  const items: [ChatMessage, Label][] = [
    [msg("q1", "ann", "is tableau still worth learning"), "question"],
    [msg("q2", "cyd", "what's the best way to practice window functions"), "question"],
    [msg("a1", "bob", "nah"), "answer"],
  ];
  assert.deepStrictEqual(link(items).links.map((l) => [l.questionId, l.reason]), [
    ["q1", "scored"],
  ]);
});

Deno.test("Linker weighs who speaks next: the asker answered is the next to talk", () => {
  const after = (...next: [string, string][]) => {
    const items: [ChatMessage, Label][] = [
      [msg("q1", "ann", "is polars faster than pandas"), "question"],
      [msg("q2", "cyd", "is tableau worth learning"), "question"],
      [msg("c", "eve", "morning all"), "comment"],
      [msg("a1", "bob", "yeah, by a lot"), "answer"],
      ...next.map(([user, text], i): [ChatMessage, Label] => [msg(`c${i}`, user, text), "comment"]),
    ];
    return link(items).links.map((l) => [l.answerId, l.questionId]);
  };
  // with nothing after it, the newer of two yes/no questions takes the "yeah"
  assert.deepStrictEqual(after(), [["a1", "q2"]]);
  assert.deepStrictEqual(after(["cyd", "oh interesting"]), [["a1", "q2"]]);
  // the older question's asker talking next tells it was theirs
  assert.deepStrictEqual(after(["ann", "oh interesting"]), [["a1", "q1"]]);
  // …but only as the next to speak, not after someone else
  assert.deepStrictEqual(after(["dan", "morning all"], ["ann", "oh interesting"]), [["a1", "q2"]]);
});

Deno.test("Linker follows a reply chain: replying to an answer joins that answer's exchange", () => {
  const { links } = link([
    [msg("q1", "ann", "my join returns duplicates"), "question"],
    [msg("a1", "bob", "your key is not unique", { replyTo: "q1" }), "answer"],
    [msg("c1", "ann", "how do I check that", { replyTo: "a1" }), "comment"],
    [msg("q2", "cyd", "is the google cert worth it"), "question"],
    [
      msg("a2", "dan", "count rows per key, anything above 1 is a duplicate", { replyTo: "c1" }),
      "answer",
    ],
  ]);
  assert.deepStrictEqual(links.map((l) => [l.answerId, l.questionId, l.reason]), [
    ["a1", "q1", "reply"],
    ["a2", "q1", "chain"],
  ]);
});

Deno.test("Linker refuses a link with no evidence: an unsure answer hours after an answered question", () => {
  const items: [ChatMessage, Label][] = [
    [msg("q1", "ann", "which sql course should I take"), "question"],
    [msg("a1", "bob", "mode's sql tutorial", { replyTo: "q1" }), "answer"],
    [
      msg("x1", "cyd", "lol same here", {
        timestamp: new Date(clock + 5 * 3600_000).toISOString(),
      }),
      "answer",
    ],
  ];
  const linker = new Linker();
  for (const [message, label] of items) linker.add({ message, label, confidence: 0.45 });
  linker.finish();
  assert.deepStrictEqual(linker.links.map((l) => l.answerId), ["a1"]);
  const nearest = new Linker({ rule: "nearest" });
  for (const [message, label] of items) nearest.add({ message, label, confidence: 0.45 });
  nearest.finish();
  assert.deepStrictEqual(nearest.links.map((l) => l.answerId), ["a1", "x1"]);
});

Deno.test("Linker reports each weighed decision with its evidence, and checks the weights' length", () => {
  const decisions: LinkDecision[] = [];
  const linker = new Linker({ onDecision: (d) => decisions.push(d) });
  linker.add({ message: msg("q1", "ann", "is duckdb fast"), label: "question", confidence: 1 });
  linker.add({ message: msg("a1", "bob", "yes"), label: "answer", confidence: 1 });
  assert.equal(decisions.length, 0, "a plain answer waits for what follows it");
  linker.finish();
  assert.equal(decisions.length, 1);
  assert.equal(decisions[0]!.chosen, "q1");
  assert.equal(decisions[0]!.candidates[0]!.features.length, LINK_FEATURES.length);
  assert.throws(() => new Linker({ weights: [1, 2] }), {
    name: "RangeError",
    message: `Cannot use 2 link weights: there are ${LINK_FEATURES.length} features`,
  });
});

Deno.test("Linker waits for what follows a plain answer: the asker's thanks tells whose question it answered", () => {
  const question = (id: string, who: string, text: string): [ChatMessage, Label] => [
    msg(id, who, text),
    "question",
  ];
  const q1 = question("q1", "ann", "what should I put on my resume");
  const q2 = question("q2", "cyd", "what should I learn after excel");
  clock += 120_000; // the answer comes 3 minutes after the newer question
  const items: [ChatMessage, Label][] = [q1, q2, [
    msg("a1", "bob", "projects with numbers in them"),
    "answer",
  ]];
  const silent = link(items);
  assert.deepStrictEqual(silent.links.map((l) => l.questionId), ["q2"]);
  const thanked = link([...items, [msg("c1", "ann", "oh thanks, makes sense"), "comment"]]);
  assert.deepStrictEqual(thanked.links.map((l) => [l.questionId, l.reason]), [["q1", "scored"]]);
  const replied = link([...items, [msg("c1", "ann", "ooh", { replyTo: "a1" }), "comment"]]);
  assert.deepStrictEqual(replied.links.map((l) => l.questionId), ["q1"]);
});

Deno.test("Linker weighs who had been talking: an answer goes to the question of someone the answerer was just talking with", () => {
  const items: [ChatMessage, Label][] = [
    [msg("c0", "ann", "finally finished the course"), "comment"],
    [msg("c1", "bob", "congrats!! what's next", { replyTo: "c0" }), "comment"],
    [msg("q1", "ann", "what's a good first project"), "question"],
    [msg("q2", "cyd", "where do you find datasets"), "question"],
    [msg("c2", "dan", "lol my cat just walked over the keyboard"), "comment"],
    [msg("c3", "eve", "same lol"), "comment"],
    [msg("a1", "bob", "something you care about, honestly"), "answer"],
  ];
  assert.deepStrictEqual(link(items).links.map((l) => [l.questionId, l.reason]), [
    ["q1", "scored"],
  ]);
  const strangers = link(items.slice(2));
  assert.deepStrictEqual(strangers.links.map((l) => l.questionId), ["q2"]);
});

Deno.test("Linker learns which answer words go with which question words from the export's replies", () => {
  // in another channel, questions got replies: two about how often to post, two on other things
  const other = (id: string, user: string, text: string, replyTo?: string): ChatMessage =>
    msg(id, user, text, { conversationId: "other", replyTo });
  const taught: [ChatMessage, Label][] = [
    [other("t5", "hal", "which sql course should I take"), "question"],
    [other("t6", "ivy", "mode's sql tutorial, it is free", "t5"), "answer"],
    [other("t7", "jon", "is tableau worth learning"), "question"],
    [other("t8", "kim", "yes for analyst roles", "t7"), "answer"],
    [other("t9", "lee", "where do you find datasets"), "question"],
    [other("t10", "max", "kaggle has plenty", "t9"), "answer"],
    [
      msg("t1", "ann", "how often should I post on linkedin", { conversationId: "other" }),
      "question",
    ],
    [
      msg("t2", "bob", "twice a week is plenty", { conversationId: "other", replyTo: "t1" }),
      "answer",
    ],
    [msg("t3", "cyd", "how often do you post", { conversationId: "other" }), "question"],
    [
      msg("t4", "dan", "once a week, every week", { conversationId: "other", replyTo: "t3" }),
      "answer",
    ],
  ];
  const here: [ChatMessage, Label][] = [
    [msg("q1", "eve", "how often should I post to grow"), "question"],
    [msg("q2", "fay", "anyone here use dbt"), "question"],
    [msg("c1", "hal", "morning all"), "comment"],
    [msg("a1", "gus", "twice a week, consistency matters"), "answer"],
  ];
  const learnt = link([...taught, ...here]).links.filter((l) => l.answerId === "a1");
  assert.deepStrictEqual(learnt.map((l) => [l.questionId, l.reason]), [["q1", "scored"]]);
  const unlearnt = link(here).links;
  assert.deepStrictEqual(
    unlearnt.map((l) => l.questionId),
    ["q2"],
    "with no replies to learn from, no word is shared and the newer question wins",
  );
});

Deno.test("Linker weighs a plain message labelled comment that the model still gives a fair p(answer)", () => {
  const run = (pAnswer: number, options: { plainAnswerProbability?: number } = {}) => {
    // (the asker's thanks would link a1 by itself: see the `thanks` test)
    const linker = new Linker({ ...options, thanks: false });
    const add = (message: ChatMessage, label: Label, confidence = 0.97) =>
      linker.add({ message, label, confidence, pAnswer: label === "comment" ? pAnswer : 0 });
    add(msg("q1", "ann", "is the google data analytics cert worth it"), "question");
    add(msg("a1", "bob", "it got me my first interview, so for me yes"), "comment", 0.5);
    add(msg("c1", "ann", "oh nice, thanks!"), "comment");
    linker.finish();
    return linker.links.map((l) => [l.answerId, l.questionId, l.reason]);
  };
  assert.deepStrictEqual(run(0.45), [["a1", "q1", "scored"]]);
  assert.deepStrictEqual(run(0.45, { plainAnswerProbability: 1 }), []);
  assert.deepStrictEqual(run(0.1), [], "a comment the model gives p(answer) 0.1 answers nothing");
});

Deno.test("Linker links a question nothing answered to the message its asker thanked", () => {
  const run = (thanksText: string, options: { thanks?: boolean; minutes?: number } = {}) => {
    const linker = new Linker({ thanks: options.thanks });
    const add = (message: ChatMessage, label: Label, pAnswer: number) =>
      linker.add({ message, label, confidence: 0.9, pAnswer });
    add(msg("q1", "ann", "my notebook keeps crashing on a 4GB csv"), "question", 0);
    add(msg("c1", "bob", "try read_csv with chunksize"), "comment", 0.25);
    add(msg("c2", "cyd", "lol same"), "comment", 0.05);
    clock += (options.minutes ?? 0) * 60_000;
    add(msg("t1", "ann", thanksText), "comment", 0.01);
    linker.finish();
    return linker.questions.map((q) => [q.id, q.firstAnswerId, q.linkedBy]);
  };
  assert.deepStrictEqual(
    run("ty that worked"),
    [["q1", "c1", "thanks"]],
    "a plain thanks: the likeliest answer since the question (c1: p(answer) 0.25, c2: 0.05)",
  );
  assert.deepStrictEqual(run("ty that worked", { thanks: false }), [["q1", null, null]]);
  assert.deepStrictEqual(
    run("ty that worked", { minutes: 30 }),
    [["q1", null, null]],
    "a thanks half an hour later may be for anything",
  );
  assert.deepStrictEqual(run("what do you mean"), [["q1", null, null]], "no thanks, no link");
});

Deno.test("Linker: a thanks replying to a message is for that message, unless it answered another question", () => {
  const linker = new Linker();
  const add = (message: ChatMessage, label: Label, pAnswer = 0) =>
    linker.add({ message, label, confidence: 0.9, pAnswer });
  add(msg("q1", "ann", "how do I dedupe rows in pandas"), "question");
  add(msg("c1", "bob", "drop_duplicates, with subset= the key columns"), "comment", 0.2);
  add(msg("c2", "cyd", "pandas is great for that"), "comment", 0.5);
  add(msg("t1", "ann", "perfect, thanks!", { replyTo: "c1" }), "comment");
  add(msg("q2", "dan", "is tableau worth learning"), "question");
  add(msg("a2", "eve", "yes for bi jobs", { replyTo: "q2" }), "answer");
  add(msg("q3", "dan", "and power bi?"), "question");
  add(msg("t2", "dan", "thanks", { replyTo: "a2" }), "comment");
  linker.finish();
  assert.deepStrictEqual(
    linker.questions.map((q) => [q.id, q.firstAnswerId, q.linkedBy]),
    [["q1", "c1", "thanks"], ["q2", "a2", "reply"], ["q3", null, null]],
    "t1 thanks c1 (not c2, likelier as an answer); t2 thanks a2, q2's answer, not q3's",
  );
});

Deno.test("Linker takes back evidence-only links when the asker bumps their question", () => {
  const run = (
    bump: string,
    options: { bumps?: boolean; replyTo?: string | null; thankedFirst?: boolean } = {},
  ) => {
    const linker = new Linker({ bumps: options.bumps, thanks: false });
    const add = (message: ChatMessage, label: Label) =>
      linker.add({ message, label, confidence: 0.97 });
    add(msg("q1", "ann", "is the google data analytics cert worth it"), "question");
    add(
      msg("a1", "bob", "the google cert is worth it for a first job", {
        replyTo: options.replyTo ?? null,
      }),
      "answer",
    );
    for (let i = 0; i < 8; i++) add(msg(`c${i}`, "cyd", `random chatter ${i}`), "comment");
    if (options.thankedFirst) add(msg("t1", "ann", "thanks"), "comment");
    add(msg("b1", "ann", bump), "comment");
    linker.finish();
    return [
      linker.questions.map((q) => [q.firstAnswerId, q.linkedBy]),
      linker.links.map((l) => l.answerId),
    ];
  };
  assert.deepStrictEqual(run("a1 is this it?"), [[["a1", "scored"]], ["a1"]]);
  assert.deepStrictEqual(run("bump"), [[[null, null]], []], "nothing answered it yet");
  assert.deepStrictEqual(run("anyone?"), [[[null, null]], []]);
  assert.deepStrictEqual(run("bump", { bumps: false }), [[["a1", "scored"]], ["a1"]]);
  assert.deepStrictEqual(
    run("bump", { replyTo: "q1" }),
    [[["a1", "reply"]], ["a1"]],
    "a reply is kept: the bump may be for more",
  );
  assert.deepStrictEqual(
    run("bump", { thankedFirst: true }),
    [[["a1", "scored"]], ["a1"]],
    "after thanking, a bump is about something else",
  );
});

Deno.test("Linker: a thanked message is linked once its question leaves the window, and only a likely answer is thanked", () => {
  const linker = new Linker({ windowSeconds: 3600 });
  const add = (message: ChatMessage, label: Label, pAnswer: number) =>
    linker.add({ message, label, confidence: 0.9, pAnswer });
  add(msg("q1", "ann", "my notebook keeps crashing on a 4GB csv"), "question", 0);
  add(msg("c1", "bob", "try read_csv with chunksize"), "comment", 0.25);
  add(msg("t1", "ann", "ty that worked"), "comment", 0.01);
  assert.equal(linker.questions[0]!.firstAnswerId, null, "another answer may still come");
  clock += 2 * 3600_000;
  add(msg("q2", "cyd", "is sql hard"), "question", 0);
  assert.deepStrictEqual(
    [linker.questions[0]!.firstAnswerId, linker.questions[0]!.linkedBy],
    ["c1", "thanks"],
    "decided when q1 closed, before finish()",
  );
  add(msg("c2", "dan", "lol same"), "comment", 0.05);
  add(msg("t2", "cyd", "thanks"), "comment", 0.01);
  linker.finish();
  assert.equal(linker.questions[1]!.firstAnswerId, null, "p(answer) 0.05 is no answer to thank");
});
