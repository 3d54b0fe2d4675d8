import assert from "node:assert/strict";
import { CHANNELS, DEFAULT_MIX, generateBuiltin, templateSlots } from "./builtin.ts";
import { ANSWERS, COMMENTS, QUESTIONS } from "./_parts.ts";
import { VOCABULARY } from "./_vocab.ts";
import {
  ANSWER_ADVICE,
  ANSWER_ENDINGS,
  ANSWER_JOINS,
  ANSWER_LEADS,
  ANSWER_OPENINGS,
  ANSWER_TAILS,
  ASK_ENDINGS,
  ASK_OPENINGS,
  BACKCHANNEL,
  BOUNCE,
  FIX_JOINS,
  FIX_LEADS,
  FIX_TAILS,
  FIXED_NOW,
  GENERIC_CLARIFY,
  HANGOUT_REACT,
  HANGOUT_SIDE_TALK,
  HANGOUTS,
  INTRODUCTIONS,
  LONG_BACKCHANNEL,
  LONG_REACT_TO_ANSWER,
  LONG_STILL_BROKEN,
  LONG_THANKS,
  LONG_WORKED,
  REACT_TO_ANSWER,
  RECHECK,
  SIDE_TALK,
  STILL_BROKEN,
  THANKS,
  TOPICS,
  WELCOMES,
  WORKED,
} from "./_scripts.ts";
import { isLabel, type Message } from "../types.ts";

const sample = generateBuiltin({ conversations: 1000, seed: 3 });

function share(messages: { messageType: string }[], label: string): number {
  return messages.filter((m) => m.messageType === label).length / messages.length;
}

Deno.test("generateBuiltin() gives identical output for the same seed and different for another", () => {
  const a = generateBuiltin({ conversations: 50, seed: 11 });
  const b = generateBuiltin({ conversations: 50, seed: 11 });
  const c = generateBuiltin({ conversations: 50, seed: 12 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(
    a.map((m) => m.text),
    c.map((m) => m.text),
  );
});

Deno.test("generateBuiltin() writes valid ids, positions, channels and times in stream order", () => {
  const ids = new Set<string>();
  const lastTime = new Map<string, number>();
  const nextPosition = new Map<string, number>();
  for (const m of sample) {
    assert.match(m.conversationId, new RegExp(`^${m.channel}-\\d{6}$`));
    assert.match(m.messageId, new RegExp(`^${m.conversationId}-\\d{3}$`));
    assert.ok(!ids.has(m.messageId), `duplicate id ${m.messageId}`);
    ids.add(m.messageId);
    assert.ok(isLabel(m.messageType), m.messageType);
    assert.ok((CHANNELS as readonly string[]).includes(m.channel), m.channel);
    assert.ok(m.text.trim().length > 0);
    assert.ok(m.userName.length > 0);
    assert.equal(m.position, nextPosition.get(m.conversationId) ?? 0, m.messageId);
    nextPosition.set(m.conversationId, m.position! + 1);
    assert.match(m.threadId!, new RegExp(`^${m.conversationId}-t\\d{2,}$`));
    const time = Date.parse(m.timestamp);
    assert.ok(time >= (lastTime.get(m.conversationId) ?? 0), `time goes back at ${m.messageId}`);
    lastTime.set(m.conversationId, time);
  }
});

Deno.test("generateBuiltin() links answers to earlier questions and replies to earlier messages of the same stream", () => {
  const byId = new Map(sample.map((m) => [m.messageId, m]));
  let answers = 0;
  for (const m of sample) {
    if (m.replyTo !== null) {
      const target = byId.get(m.replyTo);
      assert.ok(target, `${m.messageId} replies to missing ${m.replyTo}`);
      assert.equal(target.conversationId, m.conversationId);
      assert.ok(target.position! < m.position!, `${m.messageId} replies forward`);
    }
    if (m.messageType !== "answer") {
      assert.equal(m.answers, undefined, m.messageId);
      continue;
    }
    answers++;
    const question = byId.get(m.answers ?? "");
    assert.ok(question, `${m.messageId} answers nothing`);
    assert.equal(question.messageType, "question", m.messageId);
    assert.equal(question.conversationId, m.conversationId);
    assert.equal(question.threadId, m.threadId);
    assert.ok(question.position! < m.position!, `${m.messageId} answers a later question`);
    assert.notEqual(question.userName, m.userName, `self-answer ${m.messageId}`);
    if (m.mentions) {
      assert.deepEqual(m.mentions, [question.userName]);
      assert.ok(m.text.startsWith(`@${question.userName} `), m.text);
    }
  }
  assert.ok(answers > 1000);
});

Deno.test("generateBuiltin() follows the default and a custom class mix within 3 points", () => {
  for (const label of ["question", "answer", "comment"] as const) {
    assert.ok(Math.abs(share(sample, label) - DEFAULT_MIX[label]) < 0.03, label);
  }
  const mix = { question: 1, answer: 1, comment: 2 };
  const custom = generateBuiltin({ conversations: 1000, seed: 5, mix });
  assert.ok(Math.abs(share(custom, "question") - 0.25) < 0.03, `${share(custom, "question")}`);
  assert.ok(Math.abs(share(custom, "answer") - 0.25) < 0.03, `${share(custom, "answer")}`);
  const commentsOnly = generateBuiltin({
    conversations: 50,
    mix: { question: 0, answer: 0, comment: 1 },
  });
  assert.ok(commentsOnly.every((m) => m.messageType === "comment"));
  const noAnswers = generateBuiltin({
    conversations: 50,
    mix: { question: 1, answer: 0, comment: 4 },
  });
  assert.ok(noAnswers.some((m) => m.messageType === "question"));
  assert.ok(noAnswers.every((m) => m.messageType !== "answer"));
});

Deno.test("generateBuiltin() writes questions without '?' and comments with '?'", () => {
  const questions = sample.filter((m) => m.messageType === "question");
  const comments = sample.filter((m) => m.messageType === "comment");
  const bare = questions.filter((m) => !m.text.includes("?")).length / questions.length;
  const asking = comments.filter((m) => m.text.includes("?")).length / comments.length;
  assert.ok(bare > 0.15 && bare < 0.5, `questions without "?": ${bare}`);
  assert.ok(asking > 0.02 && asking < 0.15, `comments with "?": ${asking}`);
});

Deno.test("generateBuiltin() writes many short messages, few repeats of long ones, and yes/no answers", () => {
  const words = sample.map((m) => m.text.split(/\s+/).length);
  const short = words.filter((n) => n <= 8).length / words.length;
  assert.ok(short > 0.6, `short share ${short}`);
  const long = words.filter((n) => n >= 20).length / words.length;
  assert.ok(long > 0.003, `long share ${long}`);
  const distinct = new Set(sample.map((m) => m.text)).size / sample.length;
  assert.ok(distinct > 0.55, `distinct share ${distinct}`);
  // Answers of every shape: yes/no answers exist but are a minority.
  const answers = sample.filter((m) => m.messageType === "answer");
  const yesNo =
    answers.filter((m) => /^(@\S+ )?(yes|yeah|yep|yup|ya|no|nope|nah|sure)\b/i.test(m.text))
      .length / answers.length;
  assert.ok(yesNo > 0.08 && yesNo < 0.35, `yes/no answers ${yesNo}`);
  const code = answers.filter((m) => m.text.includes("`")).length / answers.length;
  const links = answers.filter((m) => m.text.includes("http")).length / answers.length;
  assert.ok(code > 0.05 && links > 0.02, `code ${code}, links ${links}`);
});

Deno.test("generateBuiltin() continues numbering from startIndex", () => {
  const messages = generateBuiltin({ conversations: 3, startIndex: 41 });
  const windows = [...new Set(messages.map((m) => m.conversationId))];
  assert.deepEqual(windows.map((id) => id.slice(-6)), ["000041", "000042", "000043"]);
  assert.equal(messages[0]!.messageId, `${windows[0]}-000`);
  // A window depends on (seed, index) alone, so continuing a run gives the same windows.
  const whole = generateBuiltin({ conversations: 44 });
  assert.deepEqual(whole.filter((m) => windows.includes(m.conversationId)), messages);
});

Deno.test("generateBuiltin() rejects bad counts and mixes", () => {
  assert.throws(
    () => generateBuiltin({ conversations: -1 }),
    new RangeError(
      "Cannot generate conversations: conversations must be a non-negative integer, got -1",
    ),
  );
  assert.throws(
    () => generateBuiltin({ mix: { question: 0, answer: 1, comment: 1 } }),
    new RangeError(
      'Cannot use class mix {"question":0,"answer":1,"comment":1}: answers need questions to reply to',
    ),
  );
  assert.throws(
    () => generateBuiltin({ mix: { question: -1, answer: 0, comment: 1 } }),
    RangeError,
  );
});

Deno.test("every template slot exists in the vocabulary", () => {
  const topicLines = TOPICS.flatMap((t) => [
    ...t.ask,
    ...t.answers,
    ...(t.yes ?? []),
    ...(t.no ?? []),
    ...(t.clarify ?? []).flatMap(([ask, replies]) => [ask, ...replies]),
  ]);
  const templates = [
    ...Object.values(QUESTIONS),
    ...Object.values(ANSWERS),
    ...Object.values(COMMENTS),
    ...Object.values(VOCABULARY),
    ...topicLines,
    ...SIDE_TALK.flatMap((t) => [...t.lines, ...t.replies]),
    ...GENERIC_CLARIFY.flatMap(([ask, replies]) => [ask, ...replies]),
    ...RECHECK.flatMap(([ask, yes, no]) => [ask, ...yes, ...no]),
    ...[BACKCHANNEL, REACT_TO_ANSWER, THANKS, WORKED, STILL_BROKEN, FIXED_NOW].flat(),
    ...[ASK_OPENINGS, ASK_ENDINGS, ANSWER_OPENINGS, ANSWER_ENDINGS].flat(),
    ...[ANSWER_LEADS, FIX_LEADS, ANSWER_ADVICE, ANSWER_TAILS, FIX_TAILS].flat(),
    ...[ANSWER_JOINS, FIX_JOINS].flat(),
    ...[LONG_THANKS, LONG_WORKED, LONG_STILL_BROKEN, LONG_REACT_TO_ANSWER, LONG_BACKCHANNEL].flat(),
    ...HANGOUTS.flatMap((h) => [
      ...h.ask,
      ...h.answers,
      ...(h.follow ?? []).flatMap(([ask, replies]) => [ask, ...replies]),
    ]),
    ...HANGOUT_SIDE_TALK.flatMap((t) => [...t.lines, ...t.replies]),
    ...[INTRODUCTIONS, WELCOMES, HANGOUT_REACT, BOUNCE].flat(),
  ].flat();
  const known = (slot: string) => VOCABULARY[slot] || slot === "tail";
  for (const template of templates) {
    for (const slot of templateSlots(template)) {
      assert.ok(known(slot), `"${template}" uses unknown slot {${slot}}`);
    }
  }
});

Deno.test("generateBuiltin({ exchanges }) adds two-person exchanges where a bare 'yeah' is a comment after a statement and an answer after a yes/no question", () => {
  const plain = generateBuiltin({ conversations: 300, seed: 3 });
  const withExchanges = generateBuiltin({ conversations: 300, seed: 3, exchanges: true });
  assert.notDeepEqual(withExchanges.map((m) => m.text), plain.map((m) => m.text));
  for (const label of ["question", "answer", "comment"] as const) {
    assert.ok(Math.abs(share(withExchanges, label) - DEFAULT_MIX[label]) < 0.03, label);
  }
  const bare = /^(yeah|yea|ya|yep|yup|yes|right|no|nope|nah)[.!,]*$/i;
  const count = (messages: Message[], label: string) =>
    messages.filter((m) => m.messageType === label && bare.test(m.text.trim())).length;
  // both readings of the same word exist, and more of them with exchanges
  assert.ok(count(withExchanges, "comment") > count(plain, "comment") * 1.3);
  assert.ok(count(withExchanges, "answer") > count(plain, "answer") * 1.3);
  const byId = new Map(withExchanges.map((m) => [m.messageId, m]));
  for (const m of withExchanges) {
    if (m.messageType !== "answer" || !bare.test(m.text.trim())) continue;
    const question = byId.get(m.answers!);
    assert.equal(question?.messageType, "question");
    assert.notEqual(question.userName, m.userName);
  }
});

Deno.test("generateBuiltin({ hangout }) adds #introductions and #off-topic: personal questions answered by short facts, welcomes as comments", () => {
  const plain = generateBuiltin({ conversations: 400, seed: 3 });
  const hangout = generateBuiltin({ conversations: 400, seed: 3, hangout: true });
  const hangoutChannels = ["introductions", "off-topic"];
  assert.ok(plain.every((m) => !hangoutChannels.includes(m.channel)));
  for (const channel of hangoutChannels) {
    assert.ok(hangout.filter((m) => m.channel === channel).length > 300, channel);
  }
  for (const label of ["question", "answer", "comment"] as const) {
    assert.ok(Math.abs(share(hangout, label) - DEFAULT_MIX[label]) < 0.03, label);
  }
  // Small talk is answered in a few words, not in help-thread explanations.
  const offTopicAnswers = hangout.filter((m) =>
    m.channel === "off-topic" && m.messageType === "answer"
  );
  const words = offTopicAnswers.map((m) => m.text.replace(/^@\S+ /, "").split(/\s+/).length);
  const short = words.filter((n) => n <= 5).length / words.length;
  assert.ok(short > 0.7, `short off-topic answers ${short}`);
  // Welcomes are comments, whoever they @mention or reply-link ("welcome! what are you
  // learning" is a question, "?" or not).
  const welcomes = hangout.filter((m) =>
    /^(@\S+ )?welcome\b/i.test(m.text) && !/\?|\b(what|wat|wut|where|why|which)\b/i.test(m.text)
  );
  assert.ok(welcomes.length > 50);
  assert.ok(welcomes.every((m) => m.messageType === "comment"), "a welcome labelled otherwise");
  // "hbu" asked back is a question, and the first asker's reply answers it.
  const byId = new Map(hangout.map((m) => [m.messageId, m]));
  const bounced = hangout.filter((m) =>
    m.messageType === "answer" && /^(hbu|wbu)\W*$/i.test(byId.get(m.answers!)?.text ?? "")
  );
  assert.ok(bounced.length > 10);
  for (const m of bounced) assert.equal(byId.get(m.answers!)!.messageType, "question");
});

// Markers of each part of the hangout talk (round 8): lines of INTRODUCTIONS, of
// HANGOUT_SIDE_TALK, and "hbu" asked back after a personal question.
const INTRO_LINE = /excited to be here|study buddies|glad i found this place|happy to be here/i;
const HANGOUT_NEWS = /knocked my coffee over|finally booked a vacation|power went out/i;
const ASKED_BACK = /^(@\S+ )?(hbu|wbu)\W*$/i;
const HANGOUT_CHANNELS = ["introductions", "off-topic"];

Deno.test('generateBuiltin({ hangout: "questions" }) keeps the personal question threads but writes no introductions and no news/mood talk', () => {
  const all = generateBuiltin({ conversations: 400, seed: 3, hangout: true });
  const questions = generateBuiltin({ conversations: 400, seed: 3, hangout: "questions" });
  assert.ok(all.filter((m) => INTRO_LINE.test(m.text)).length > 10);
  assert.ok(all.filter((m) => HANGOUT_NEWS.test(m.text)).length > 10);
  assert.deepEqual(
    questions.filter((m) => INTRO_LINE.test(m.text) || HANGOUT_NEWS.test(m.text)),
    [],
  );
  assert.ok(questions.filter((m) => ASKED_BACK.test(m.text)).length > 10);
  assert.ok(questions.filter((m) => m.channel === "off-topic").length > 300);
});

Deno.test('generateBuiltin({ hangout: "channels" }) writes the hangout talk in #introductions and #off-topic only', () => {
  const all = generateBuiltin({ conversations: 400, seed: 3, hangout: true });
  const channels = generateBuiltin({ conversations: 400, seed: 3, hangout: "channels" });
  const outside = (ms: typeof all) =>
    ms.filter((m) =>
      !HANGOUT_CHANNELS.includes(m.channel) &&
      (INTRO_LINE.test(m.text) || HANGOUT_NEWS.test(m.text) || ASKED_BACK.test(m.text))
    );
  assert.ok(outside(all).length > 20);
  assert.deepEqual(outside(channels), []);
  for (const channel of HANGOUT_CHANNELS) {
    assert.ok(channels.filter((m) => m.channel === channel).length > 300, channel);
  }
  assert.ok(channels.filter((m) => INTRO_LINE.test(m.text)).length > 10);
  assert.ok(channels.filter((m) => HANGOUT_NEWS.test(m.text)).length > 10);
});

Deno.test('generateBuiltin({ answers: "framed" }) frames help answers as advice, with closings and second options, some in two messages', () => {
  const plain = generateBuiltin({ conversations: 400, seed: 3, answers: "plain" });
  const framed = generateBuiltin({ conversations: 400, seed: 3, answers: "framed" });
  for (const label of ["question", "answer", "comment"] as const) {
    assert.ok(Math.abs(share(framed, label) - DEFAULT_MIX[label]) < 0.03, label);
  }
  const answers = (ms: Message[]) => ms.filter((m) => m.messageType === "answer");
  // Stems that survive the authors' typing styles ("u could", "id", "lmk").
  const lead =
    /\b((you|u) (can|could|need to)|you'll want to|best thing is to|i'?d|i would|i usually|had the same (issue|problem)|what worked for me|short answer|so basically|not 100% sure)\b/i;
  const closing =
    /(helps|make sense|good luck|my experience|might disagree|what i did|say more|how i see it|should (fix|do|sort)|if that works|figure that out|still stuck|every time|stackoverflow|docs explain|common one)/i;
  const count = (ms: Message[], pattern: RegExp) =>
    answers(ms).filter((m) => pattern.test(m.text)).length;
  assert.ok(count(framed, lead) > count(plain, lead) + 15, "leads");
  assert.ok(count(framed, closing) > count(plain, closing) + 50, "closings");
  // A second option sent as its own message answers the same question, by the same helper,
  // right after the first part.
  const byId = new Map(framed.map((m) => [m.messageId, m]));
  const seconds = answers(framed).filter((m, i, all) => {
    const before = all[i - 1];
    return /^(@\S+ )?(also|oh and|plus|or|another option:|if that doesn't work,|alternatively)\b/i
      .test(m.text) &&
      before !== undefined && before.answers === m.answers && before.userName === m.userName;
  });
  assert.ok(seconds.length > 20, `two-message answers ${seconds.length}`);
  for (const m of seconds) assert.equal(byId.get(m.answers!)!.messageType, "question");
  // Framed answers make long answers commoner: more answers of 15+ words.
  const long = (ms: Message[]) =>
    answers(ms).filter((m) => m.text.split(/\s+/).length >= 15).length / answers(ms).length;
  assert.ok(long(framed) > long(plain) + 0.03, `${long(framed)} vs ${long(plain)}`);
});

Deno.test('generateBuiltin({ hangout: "extra" }) adds a hangout window every 7th window and leaves the others as the default writes them', () => {
  const plain = generateBuiltin({ conversations: 700, seed: 3 });
  const extra = generateBuiltin({ conversations: 700, seed: 3, hangout: "extra" });
  const windows = (ms: Message[]) => Map.groupBy(ms, (m) => Number(m.conversationId.slice(-6)));
  const [p, e] = [windows(plain), windows(extra)];
  assert.equal(e.size, 700);
  for (const [index, messages] of e) {
    if (index % 7 !== 6) assert.deepEqual(messages, p.get(index), `window ${index}`);
    else assert.ok(["introductions", "off-topic", "general"].includes(messages[0]!.channel));
  }
  const hangoutWindows = [...e].filter(([i]) => i % 7 === 6).flatMap(([, ms]) => ms);
  for (const channel of HANGOUT_CHANNELS) {
    assert.ok(hangoutWindows.filter((m) => m.channel === channel).length > 300, channel);
  }
  assert.ok(hangoutWindows.filter((m) => ASKED_BACK.test(m.text)).length > 5);
  assert.ok(hangoutWindows.filter((m) => INTRO_LINE.test(m.text)).length > 5);
});

Deno.test('generateBuiltin({ answers: "framed-replies" }) also writes the thanks, reports and reactions around help answers at length, as comments', () => {
  const framed = generateBuiltin({ conversations: 400, seed: 3, answers: "framed" });
  const replies = generateBuiltin({ conversations: 400, seed: 3, answers: "framed-replies" });
  assert.deepEqual(generateBuiltin({ conversations: 400, seed: 3 }), replies, "the default");
  // Stems of the longer forms that survive the authors' typing styles.
  const long =
    /(know you could do that|makes sense now|exactly what i needed|problem all along|pointing me in the right|owe you one|missing that one part|can't believe it was|not sure what i'm doing wrong|great explanation|wish i'd known|bookmarking this|learned something today|never really understood it|interested in the answer)/i;
  const longLines = (ms: Message[]) => ms.filter((m) => long.test(m.text));
  assert.equal(longLines(framed).length, 0);
  assert.ok(longLines(replies).length > 80, `long replies ${longLines(replies).length}`);
  assert.ok(longLines(replies).every((m) => m.messageType === "comment"));
  for (const label of ["question", "answer", "comment"] as const) {
    assert.ok(Math.abs(share(replies, label) - DEFAULT_MIX[label]) < 0.03, label);
  }
});
