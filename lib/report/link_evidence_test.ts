import assert from "node:assert/strict";
import {
  contentWords,
  expectedAnswerTypes,
  hasExpectedCue,
  hashWords,
  isYesNoReply,
  LINK_FEATURES,
  LINK_WEIGHTS,
  linkScore,
  overlap,
  questionForm,
  WordAssociations,
} from "./link_evidence.ts";

Deno.test("contentWords() keeps content words, cut to a common stem, and drops stop words", () => {
  assert.deepStrictEqual(
    [...contentWords("How do I join tables? Joining them, the joins keep failing in SQL")],
    ["join", "table", "keep", "fail", "sql"],
  );
  assert.deepStrictEqual([...contentWords("ok lol, yes it is")], []);
});

Deno.test("overlap() is the cosine of two word sets", () => {
  assert.equal(overlap(new Set(["a", "b"]), new Set(["b", "c", "d", "e"])), 1 / Math.sqrt(8));
  assert.equal(overlap(new Set(), new Set(["a"])), 0);
});

Deno.test("questionForm() tells yes/no questions from open ones, fillers skipped", () => {
  assert.deepStrictEqual(
    [
      "Is polars worth learning yet?",
      "um, should i start with a youtube channel or a blog?",
      "jupyter or sql server?",
      "quick question: how do I export to excel",
      "any tips for scraping a website",
      "my query is slow?",
    ].map(questionForm),
    ["polar", "polar", "polar", "open", "open", "other"],
  );
});

Deno.test("isYesNoReply() reads yes/no replies, not answers that merely contain no", () => {
  assert.deepStrictEqual(
    ["nah, not this time", "Yep!", "um, nope", "not really tbh", "notebooks do it for you"].map(
      isYesNoReply,
    ),
    [true, true, true, true, false],
  );
});

Deno.test("expectedAnswerTypes() and hasExpectedCue(): how often wants a frequency, where a place", () => {
  const often = expectedAnswerTypes("how often do u post");
  assert.equal(hasExpectedCue("twice a week, every week", often), true);
  assert.equal(hasExpectedCue("consistency beats quality", often), false);
  const where = expectedAnswerTypes("Where can I find messy real world datasets?");
  assert.equal(hasExpectedCue("Kaggle, but pick the less popular ones", where), true);
  assert.deepStrictEqual(expectedAnswerTypes("do u have kids"), []);
  assert.equal(hasExpectedCue("yes", []), false);
});

Deno.test("linkScore() is the weighted sum with LINK_WEIGHTS, in LINK_FEATURES order", () => {
  const one = new Float64Array(LINK_FEATURES.length);
  one[LINK_FEATURES.indexOf("questionOverlap")] = 1;
  assert.equal(linkScore(one), LINK_WEIGHTS.questionOverlap);
  assert.equal(Object.keys(LINK_WEIGHTS).join(), LINK_FEATURES.join());
});

Deno.test("WordAssociations scores the log-lift of learnt word pairs, 0 before anything is learnt", () => {
  const words = (text: string) => hashWords(new Set(text.split(" ")));
  const associations = new WordAssociations();
  assert.equal(associations.score(words("often post"), words("twice week")), 0);
  associations.learn(words("often post"), words("twice week"));
  associations.learn(words("sql course"), words("mode tutorial"));
  associations.learn(words("often post"), words("once week"));
  assert.equal(associations.links, 3);
  // "twice": c = 1 with "often" (and "post"), c(often) = 2, c(twice) = 1, n = 3 → log 1.5;
  // "week": c = 2, c(often) = 2, c(week) = 2 → log 1.5; divided by √(2 · 2)
  const score = associations.score(words("often post"), words("twice week"));
  assert.ok(Math.abs(score - (2 * Math.log(1.5)) / 2) < 1e-12, `score ${score}`);
  assert.equal(associations.score(words("sql course"), words("twice week")), 0);
});
