import assert from "node:assert/strict";
import {
  BUILTIN_VERSION,
  BuiltinEmbedder,
  type BuiltinVersion,
  DEFAULT_BUILTIN_DIMENSION,
  delexicalize,
  MAX_TEXT_LENGTH,
  normalizeText,
  type SparseVector,
  tokenize,
} from "./builtin.ts";
import { generateBuiltin } from "../data/generate/builtin.ts";
import { createPrng } from "../data/random.ts";

const TEXTS = [
  "How do I join two DataFrames in pandas?",
  "Use pd.merge(left, right, on='id') — works for me.",
  "lol same",
  "Thanks!! 🎉",
  "Check out https://example.com/course?ref=42 for SQL basics",
  "@maria did you get the Data Analyst job?",
  "",
  "   ",
  "a",
];

function norm(row: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += row[i]! * row[i]!;
  return Math.sqrt(sum);
}

function dense(v: SparseVector, dimension: number): Float32Array {
  const out = new Float32Array(dimension);
  v.indices.forEach((index, i) => out[index] = v.values[i]!);
  return out;
}

function same(a: SparseVector, b: SparseVector): boolean {
  return a.indices.length === b.indices.length &&
    a.indices.every((x, i) => x === b.indices[i]) &&
    a.values.every((x, i) => x === b.values[i]);
}

Deno.test("BuiltinEmbedder describes itself by dimension and feature version", () => {
  const embedder = new BuiltinEmbedder({ dimension: 256 });
  assert.equal(embedder.dimension, 256);
  assert.deepEqual(embedder.config, {
    kind: "builtin",
    dimension: 256,
    version: BUILTIN_VERSION,
    charNgrams: true,
  });
  assert.equal(embedder.id, `builtin-v${BUILTIN_VERSION}-d256`);
  assert.equal(new BuiltinEmbedder().dimension, DEFAULT_BUILTIN_DIMENSION);
});

Deno.test("BuiltinEmbedder.embed() returns an n × dimension matrix", async () => {
  const embedder = new BuiltinEmbedder({ dimension: 128 });
  const matrix = await embedder.embed(TEXTS);
  assert.ok(matrix instanceof Float32Array);
  assert.equal(matrix.length, TEXTS.length * 128);
  assert.equal((await embedder.embed([])).length, 0);
});

Deno.test("BuiltinEmbedder.embed() rows have L2 norm 1, or 0 for empty text", async () => {
  const embedder = new BuiltinEmbedder({ dimension: 512 });
  const matrix = await embedder.embed(TEXTS);
  TEXTS.forEach((text, row) => {
    const n = norm(matrix.subarray(row * 512, (row + 1) * 512));
    if (text.trim() === "") assert.ok(Math.abs(n - 1) < 1e-5 || n === 0, `row ${row}: ${n}`);
    else assert.ok(Math.abs(n - 1) < 1e-5, `row ${row} ${JSON.stringify(text)}: ${n}`);
  });
});

Deno.test("BuiltinEmbedder.featurize() returns sorted unique in-range indices and finite values", () => {
  const embedder = new BuiltinEmbedder({ dimension: 64 }); // small: many hash collisions
  for (
    const text of [...TEXTS, "a b c d e f g h i j k l m n o p q r s t u v w x y z ".repeat(20)]
  ) {
    const { indices, values } = embedder.featurize(text);
    assert.ok(indices instanceof Int32Array);
    assert.ok(values instanceof Float32Array);
    assert.equal(indices.length, values.length);
    for (let i = 0; i < indices.length; i++) {
      assert.ok(indices[i]! >= 0 && indices[i]! < 64);
      if (i > 0) assert.ok(indices[i]! > indices[i - 1]!, `indices not strictly increasing`);
      assert.ok(Number.isFinite(values[i]!) && values[i] !== 0);
    }
  }
});

Deno.test("BuiltinEmbedder.embed() is the dense form of featurize()", async () => {
  const embedder = new BuiltinEmbedder({ dimension: 256 });
  const matrix = await embedder.embed(TEXTS);
  TEXTS.forEach((text, row) => {
    assert.deepEqual(
      matrix.subarray(row * 256, (row + 1) * 256),
      dense(embedder.featurize(text), 256),
    );
  });
});

Deno.test("BuiltinEmbedder gives the same vectors across instances and repeated calls", async () => {
  const a = new BuiltinEmbedder({ dimension: 300 });
  const b = new BuiltinEmbedder({ dimension: 300 });
  const first = await a.embed(TEXTS);
  assert.deepEqual(await b.embed(TEXTS), first);
  assert.deepEqual(await a.embed(TEXTS), first); // scratch space is left clean between texts
  assert.deepEqual(await a.embed([...TEXTS].reverse()), reverseRows(first, 300));
});

function reverseRows(matrix: Float32Array, dimension: number): Float32Array {
  const n = matrix.length / dimension;
  const out = new Float32Array(matrix.length);
  for (let row = 0; row < n; row++) {
    out.set(matrix.subarray(row * dimension, (row + 1) * dimension), (n - 1 - row) * dimension);
  }
  return out;
}

Deno.test("BuiltinEmbedder gives different texts different vectors", () => {
  const embedder = new BuiltinEmbedder();
  const texts = [
    "how do i learn sql?",
    "how do i learn sql",
    "i learned sql",
    "what is a p-value?",
    "thanks, that worked",
    "no",
    "yes",
  ];
  const vectors = texts.map((t) => embedder.featurize(t));
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      assert.ok(!same(vectors[i]!, vectors[j]!), `${texts[i]} == ${texts[j]}`);
    }
  }
});

Deno.test("BuiltinEmbedder ignores casing and letter elongation", () => {
  const embedder = new BuiltinEmbedder();
  const pairs = [
    ["Sooo cool", "soo cool"],
    ["soooooo cool", "soo cool"],
    ["HOW DO I START?", "how do i start?"],
    ["Yesss!!!", "yess!!"],
  ];
  for (const [a, b] of pairs) {
    assert.ok(same(embedder.featurize(a!), embedder.featurize(b!)), `${a} vs ${b}`);
  }
});

Deno.test("BuiltinEmbedder maps any URL, mention or number to the same features", () => {
  const embedder = new BuiltinEmbedder();
  const pairs = [
    ["see https://example.com/a?b=1 now", "see http://www.other.org/x/y now"],
    ["see www.kaggle.com now", "see https://example.com now"],
    ["@maria thanks", "@bob_99 thanks"],
    ["i have 3 years of experience", "i have 12 years of experience"],
    ["it costs 1,299.99 dollars", "it costs 5 dollars"],
  ];
  for (const [a, b] of pairs) {
    assert.ok(same(embedder.featurize(a!), embedder.featurize(b!)), `${a} vs ${b}`);
  }
  // ... keeps a question mark that follows a URL, and tells them apart from text without them
  assert.ok(
    !same(
      embedder.featurize("seen https://kaggle.com?"),
      embedder.featurize("seen https://kaggle.com"),
    ),
  );
  assert.ok(
    !same(embedder.featurize("see https://example.com now"), embedder.featurize("see now")),
  );
});

Deno.test("BuiltinEmbedder.embed() reports progress ending at (n, n)", async () => {
  const embedder = new BuiltinEmbedder({ dimension: 64 });
  const texts = Array.from({ length: 250 }, (_, i) => `message number ${i}`);
  const calls: [number, number][] = [];
  await embedder.embed(texts, { onProgress: (done, total) => calls.push([done, total]) });
  assert.ok(calls.length >= 2);
  assert.deepEqual(calls.at(-1), [250, 250]);
  assert.ok(calls.every(([, total]) => total === 250));
  assert.ok(calls.every(([done], i) => i === 0 || done > calls[i - 1]![0]));
});

Deno.test("BuiltinEmbedder.embed() stops when its signal is aborted", async () => {
  const embedder = new BuiltinEmbedder({ dimension: 64 });
  const controller = new AbortController();
  controller.abort();
  const pending = embedder.embed(["a"], { signal: controller.signal }); // rejects, never throws
  await assert.rejects(pending, { name: "AbortError" });
});

Deno.test("BuiltinEmbedder throws RangeError for a bad dimension", () => {
  for (const dimension of [0, 15, 100.5, NaN, -1024, 2 ** 21]) {
    assert.throws(() => new BuiltinEmbedder({ dimension }), {
      name: "RangeError",
      message:
        `Cannot create builtin embedder: dimension must be an integer in [16, 1048576], got ${dimension}`,
    });
  }
});

Deno.test("BuiltinEmbedder({ charNgrams: false }) hashes words only and says so in its id", () => {
  // version 1: it hashes every word, so "pivot" has character n-grams to share with a typo
  const full = new BuiltinEmbedder({ dimension: 4096, version: 1 });
  const words = new BuiltinEmbedder({ dimension: 4096, charNgrams: false, version: 1 });
  const text = "anyone know how to pivot in sql";
  assert.ok(words.featurize(text).indices.length < full.featurize(text).indices.length / 2);
  assert.equal(words.id, `${full.id}-words`);
  assert.equal(words.config.charNgrams, false);
  // a typo shares character n-grams with the right spelling, but no word feature
  const overlap = (e: BuiltinEmbedder) => {
    const a = new Set(e.featurize("pivot").indices);
    return [...e.featurize("pivto").indices].filter((i) => a.has(i)).length;
  };
  assert.ok(overlap(full) > overlap(words));
});

/** Texts that exercise every normalisation and token rule, beside the generated chat. */
const GOLDEN_EDGE_CASES = [
  ...["", " ", "   ", "a", "?", "??", "...", "🎉", "Thanks!! 🎉🎉🎉", "👍🏽 ok", "👨‍👩‍👧 family"],
  ...[
    "see https://example.com/course?ref=42 now",
    "seen https://kaggle.com?",
    "www.x.org/a?b=1&c=2.",
  ],
  ...[
    "(https://a.b/c) and http://x.y/z?q=1)",
    "@maria did you get it?",
    "hi @bob_99, @x-y",
    "a@b.com",
  ],
  ...[
    "check #sql-help and #general",
    "#1 fan",
    "x#y",
    "3 years",
    "1,299.99 dollars",
    "v2.0.1 is out",
  ],
  ...[
    "abc123 456def 7",
    "sooooo cool",
    "Yesss!!!",
    "!!!!!!",
    "aaa",
    "....",
    "lol :P :-) ;) =D x3 :/",
  ],
  ...["XD xD :'( <3", "`const x = arr.map(x => x * 2);`", "def f(x):\n    return x ** 2  # sq"],
  ...[
    "SELECT * FROM t WHERE id = 1;",
    "  HOW DO I START?  ",
    "what?\n\n",
    "ok?   \t",
    "İstanbul ß ǅ",
  ],
  ...[
    "naïve café résumé",
    "日本語のテキスト？",
    "a\u0000b",
    "\ud83d",
    "tab\there",
    "'quoted' don't",
  ],
  ...["<url> <num> <mention>", "__init__ _x_", "is it 100%?", "https://", "www.", "http://a"],
  ...[
    "email me at me@x.io?",
    "@",
    "#",
    "@@a",
    "##b",
    "111",
    "1.2.3.4",
    "3.",
    ".5",
    "x".repeat(500),
  ],
  ...["word ".repeat(300), "Ääääh", "ÅÅÅ", "ＡＢＣ", "a\u0130\u0130\u0130b"],
];

async function sha256Hex(parts: Uint8Array[]): Promise<string> {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The frozen corpus the golden hashes cover (see testdata/README.md). */
const GOLDEN_TEXTS = (await Deno.readTextFile(
  new URL("./testdata/golden_texts.jsonl", import.meta.url),
)).trimEnd().split("\n").map((line) => JSON.parse(line) as string);

/** SHA-256 over the features of the frozen corpus and the edge cases, at one version. */
async function featureHash(version: BuiltinVersion): Promise<string> {
  const texts = [...GOLDEN_TEXTS, ...GOLDEN_EDGE_CASES];
  assert.equal(texts.length, 10_249 + GOLDEN_EDGE_CASES.length);
  const bytes = (a: Int32Array | Float32Array) =>
    new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const parts: Uint8Array[] = [];
  for (
    const embedder of [
      new BuiltinEmbedder({ dimension: 2048, version }),
      new BuiltinEmbedder({ dimension: 64, version }),
      new BuiltinEmbedder({ dimension: 2048, charNgrams: false, version }),
      new BuiltinEmbedder({ dimension: 1 << 20, version }), // sparse enough for the sorting path
    ]
  ) {
    for (const text of texts) {
      const { indices, values } = embedder.featurize(text);
      parts.push(bytes(Int32Array.of(indices.length)), bytes(indices), bytes(values));
    }
  }
  const encoder = new TextEncoder();
  for (const text of texts) {
    parts.push(encoder.encode(JSON.stringify(tokenize(normalizeText(text)))));
  }
  return await sha256Hex(parts);
}

// Pin every feature set this qac computes: saved models depend on every bit of them. If one
// fails, a change altered the features — revert it, or add a new version with its own hash.
Deno.test("featurize() output of feature version 1 is unchanged (golden hash)", async () => {
  assert.equal(
    await featureHash(1),
    "75a6d3def1cdaa27acb9dbf71715eed589d99abbb411b76606ec7aec7f14cd5d",
  );
});

Deno.test("featurize() output of feature version 2 is unchanged (golden hash)", async () => {
  assert.equal(
    await featureHash(2),
    "aa42e063a66aece4f037b4e9c47ef5ec0adbb673b907af82a871cb07dead0735",
  );
});

Deno.test("delexicalize() keeps function words, placeholders and punctuation", () => {
  assert.equal(delexicalize("Anyone know how to pivot in SQL?"), "anyone know how to w in w?");
  assert.equal(delexicalize("yeah i use pandas lol"), "yeah i use w lol");
  assert.equal(
    delexicalize("Sooooo true, see https://x.io @bob"),
    "soo true, see  <url>  <mention> ",
  );
  assert.equal(delexicalize("is it 100%?"), "is it  <num> %?");
  assert.equal(delexicalize("lol :P =D x3 :dog"), "lol :p =d w :dw"); // emoticons are not words
});

Deno.test("feature version 2 is version 1 of the text plus version 1 of its delexicalised form", () => {
  const v1 = new BuiltinEmbedder({ dimension: 512, version: 1 });
  const v2 = new BuiltinEmbedder({ dimension: 512, version: 2 });
  const texts = [
    ...TEXTS,
    ...GOLDEN_EDGE_CASES,
    ...generateBuiltin({ conversations: 300, seed: 5 }).map((m) => m.text),
  ];
  const sum = new Float64Array(512);
  for (const text of texts) {
    sum.fill(0);
    for (const part of [v1.featurize(text), v1.featurize(delexicalize(text))]) {
      part.indices.forEach((index, k) => (sum[index]! += part.values[k]!));
    }
    const norm = Math.hypot(...sum);
    const { indices, values } = v2.featurize(text);
    assert.deepEqual([...indices], [...sum.keys()].filter((i) => sum[i] !== 0), text);
    indices.forEach((index, k) => {
      assert.ok(Math.abs(values[k]! - sum[index]! / norm) < 1e-6, `${text} @${index}`);
    });
  }
  assert.equal(v2.id, "builtin-v2-d512");
  assert.equal(v1.id, "builtin-v1-d512");
  assert.equal(v1.config.version, 1);
  assert.throws(() => new BuiltinEmbedder({ version: 3 as BuiltinVersion }), {
    name: "RangeError",
    message: "Cannot create builtin embedder: feature version 3 is unknown (known: 1, 2)",
  });
});

Deno.test("feature version 2 gives texts on other topics, built the same way, shared features", () => {
  const v1 = new BuiltinEmbedder({ dimension: 4096, version: 1 });
  const v2 = new BuiltinEmbedder({ dimension: 4096, version: 2 });
  const shared = (e: BuiltinEmbedder, a: string, b: string) => {
    const left = new Set(e.featurize(a).indices);
    return [...e.featurize(b).indices].filter((i) => left.has(i)).length;
  };
  const a = "anyone know how to pivot in sql";
  const b = "anyone know how to knit mittens";
  assert.ok(shared(v2, a, b) > shared(v1, a, b) + 3);
});

Deno.test("tokenize() splits exactly like the token regex it implements", () => {
  const reference =
    /[a-z0-9_']+|[?!]+|[.]{2,}|[:;=xX][-']?[)(dDpP/\\|3]|<\w+>|\p{Extended_Pictographic}/gu;
  const check = (text: string) =>
    assert.deepEqual(tokenize(text), text.match(reference) ?? [], JSON.stringify(text));
  const pieces = [
    ..."aXxDdPp3?!.:;=-'()<>/\\|_ 09#@\n\t©",
    ...["🎉", "👍🏽", "\ud83d", "\udc4d", "é", "‼", "İ", "日", "\u200d"],
  ];
  const random = createPrng(7);
  for (let n = 0; n < 20_000; n++) {
    const length = Math.floor(random() * 12);
    check(Array.from({ length }, () => pieces[Math.floor(random() * pieces.length)]!).join(""));
  }
  for (let code = 0; code < 0x10000; code += 1) check(`${String.fromCharCode(code)}a`);
  for (let code = 0x10000; code < 0x20000; code += 7) check(`${String.fromCodePoint(code)}a`);
});

Deno.test("BuiltinEmbedder.featurize() reads a text the same whatever the string's internal form", () => {
  // the scanner copies code units once per text: sliced, concatenated and flat strings, one- or
  // two-byte, ending mid-emoticon or mid-placeholder, must all give the same vector
  const embedder = new BuiltinEmbedder({ dimension: 512 });
  const texts = [
    "how do I start?? :-",
    "anyone <mention",
    "sooooo good 🎉 naïve",
    "x",
    "ok...",
    "",
  ];
  for (const text of texts) {
    const expected = embedder.featurize(text);
    const copy = (v: { indices: Int32Array; values: Float32Array }) => ({
      indices: v.indices.slice(),
      values: v.values.slice(),
    });
    const reference = copy(expected);
    for (
      const form of [
        ("#" + text + "#").slice(1, -1), // sliced
        [...text].join(""), // flat
        text.slice(0, 3) + text.slice(3), // concatenated
        ("\u{1F600}" + text).slice(2), // sliced out of a two-byte string
      ]
    ) {
      assert.equal(form, text);
      assert.deepEqual(copy(embedder.featurize(form)), reference, JSON.stringify(text));
    }
  }
});

Deno.test("BuiltinEmbedder.featurizeInto() writes what featurize() returns", () => {
  const embedder = new BuiltinEmbedder({ dimension: 256 });
  const indices = new Int32Array(256);
  const values = new Float32Array(256);
  for (const text of [...TEXTS, ...GOLDEN_EDGE_CASES]) {
    const count = embedder.featurizeInto(text, indices, values);
    const expected = embedder.featurize(text);
    assert.deepEqual(indices.slice(0, count), expected.indices);
    assert.deepEqual(values.slice(0, count), expected.values);
  }
});

Deno.test("BuiltinEmbedder.featurizeInto() throws RangeError for too small arrays, staying clean", () => {
  const embedder = new BuiltinEmbedder({ dimension: 256 });
  const text = "how do i join two dataframes in pandas?";
  const before = embedder.featurize(text);
  assert.throws(() => embedder.featurizeInto(text, new Int32Array(3), new Float32Array(3)), {
    name: "RangeError",
    message:
      `Cannot featurize text: it has ${before.indices.length} non-zero buckets, the arrays hold 3`,
  });
  assert.deepEqual(embedder.featurize(text), before);
});

Deno.test("BuiltinEmbedder.featurize() results stay intact across many later calls", () => {
  const texts = generateBuiltin({ conversations: 300, seed: 3 }).map((m) => m.text);
  const shared = new BuiltinEmbedder({ dimension: 512 });
  const kept = texts.map((text) => shared.featurize(text)); // spans several shared buffers
  texts.forEach((text, i) => {
    assert.deepEqual(kept[i], new BuiltinEmbedder({ dimension: 512 }).featurize(text));
  });
});

Deno.test("BuiltinEmbedder.featurizeMany() gives each text's featurize() as one sparse row", () => {
  const embedder = new BuiltinEmbedder({ dimension: 256 });
  const texts = ["how do I join a table?", "", "thanks!!! that worked", "SQL or Python first?"];
  const matrix = embedder.featurizeMany(texts);
  assert.equal(matrix.kind, "sparse");
  assert.equal(matrix.rows, 4);
  assert.equal(matrix.dimension, 256);
  texts.forEach((text, row) => {
    const { indices, values } = embedder.featurize(text);
    const [from, to] = [matrix.offsets[row]!, matrix.offsets[row + 1]!];
    assert.deepEqual([...matrix.indices.subarray(from, to)], [...indices]);
    assert.deepEqual([...matrix.values.subarray(from, to)], [...values]);
  });
  assert.equal(matrix.offsets[4], matrix.indices.length);
});

Deno.test("normalizeText() collapses a 4 MB run of one character without recursing", () => {
  // the old /(.)\1{2,}/g replace overflowed the stack here
  assert.equal(normalizeText("a".repeat(4 << 20)), "aa");
  assert.equal(normalizeText(`so${"o".repeat(4 << 20)} cool!!!!`), "soo cool!!");
  // same results as that regex on ordinary text; line breaks are not collapsed
  for (const text of ["sooooo goood", "ok\n\n\n\nyes", "🙂🙂🙂🙂", "aaabbbccc", "xx", "?!?!!!"]) {
    assert.equal(normalizeText(text), text.toLowerCase().replace(/(.)\1{2,}/g, "$1$1"));
  }
});

Deno.test("featurize() refuses a text over MAX_TEXT_LENGTH with one clear line, at once", () => {
  const embedder = new BuiltinEmbedder({ dimension: 64 });
  const line = "hello world ".repeat(Math.ceil((50 << 20) / 12)); // a 50 MB line of words
  assert.throws(() => embedder.featurize(line), {
    name: "RangeError",
    message:
      `Cannot featurize text: it has ${line.length} characters, more than the ${MAX_TEXT_LENGTH} a message may have`,
  });
  assert.throws(() => embedder.featurizeMany(["ok", "a".repeat(4 << 20)]), RangeError);
  // the embedder still works afterwards
  assert.deepEqual(
    embedder.featurize("ok"),
    new BuiltinEmbedder({ dimension: 64 }).featurize("ok"),
  );
});

Deno.test("featurize() handles texts of MAX_TEXT_LENGTH built to make regexes backtrack", () => {
  const embedder = new BuiltinEmbedder({ dimension: 64 });
  const half = MAX_TEXT_LENGTH / 2;
  const texts = [
    "a".repeat(MAX_TEXT_LENGTH),
    "1.".repeat(half - 1) + "1a",
    "?".repeat(half) + " ".repeat(half - 1) + "x", // no trailing "?": the last token is "x"
    "www.".repeat(MAX_TEXT_LENGTH / 4),
    " @a".repeat(Math.floor(MAX_TEXT_LENGTH / 3)),
  ];
  for (const text of texts) {
    const { indices, values } = embedder.featurize(text);
    assert.ok(indices.length > 0 && values.every(Number.isFinite));
  }
});

/** Σ values · W[index] for a sparse vector, W given row by row (`rowOf(index)`). */
function firstLayer(v: SparseVector, rowOf: (index: number) => Float64Array, width: number) {
  const h = new Float64Array(width);
  for (let k = 0; k < v.indices.length; k++) {
    const row = rowOf(v.indices[k]!);
    for (let j = 0; j < width; j++) h[j]! += v.values[k]! * row[j]!;
  }
  return h;
}

for (const version of [2, 1] as const) {
  Deno.test(`featurizeFactored() (version ${version}) gives featurize()'s first layer, factoring out every word said once`, () => {
    const prng = createPrng(5);
    const words = ["how", "do", "i", "join", "data", "database", "the", "then", "pandas", "haha"];
    const texts = Array.from({ length: 300 }, (_, i) => {
      const n = 1 + Math.floor(prng() * 9);
      const picked = Array.from({ length: n }, () => words[Math.floor(prng() * words.length)]!);
      return picked.join(" ") + (i % 3 === 0 ? "?" : "") + (i % 7 === 0 ? " haha haha" : "");
    });
    // 64 buckets: most texts put some other feature into one of a word's buckets (which then
    // keeps the difference), 2048: few do
    for (const dimension of [2048, 64]) {
      const embedder = new BuiltinEmbedder({ dimension, version });
      const table = embedder.wordTable(embedder.frequentWords(texts, 2, 100));
      assert.deepEqual(
        [...table.words].sort(),
        ["data", "database", "do", "haha", "how", "join", "pandas", "the", "then"],
      ); // "i" is one character: its own features are one bucket anyway
      const width = 6;
      const w = Array.from(
        { length: dimension },
        () => Float64Array.from({ length: width }, () => prng() - 0.5),
      );
      const rows = table.words.map((_, k) => {
        table.rows[k] = dimension + k;
        return firstLayer(table.ownFeatures(k), (i) => w[i]!, width);
      });
      const rowOf = (i: number) => (i < dimension ? w[i]! : rows[i - dimension]!);
      let factored = 0, kept = 0;
      for (const text of texts) {
        const expected = firstLayer(embedder.featurize(text), rowOf, width);
        const v = embedder.featurizeFactored(text, table);
        const got = firstLayer(v, rowOf, width);
        for (let j = 0; j < width; j++) {
          assert.ok(
            Math.abs(got[j]! - expected[j]!) < 1e-6,
            `${text}: ${got[j]} vs ${expected[j]}`,
          );
        }
        const named = [...v.indices].filter((i) => i >= dimension).length;
        factored += named;
        // a word said twice shares all its buckets with itself: never factored
        const tokens = tokenize(normalizeText(text)).filter((t) => table.words.includes(t));
        const once = tokens.filter((t) => tokens.indexOf(t) === tokens.lastIndexOf(t));
        assert.equal(named, once.length, text);
        kept += tokens.length - once.length;
        if (text.endsWith("haha haha")) {
          assert.ok(!v.indices.includes(table.rows[table.words.indexOf("haha")]!), text);
        }
      }
      assert.ok(factored > 0 && kept > 0, `${factored} words factored, ${kept} not`);
    }
  });
}

Deno.test("featurizeFactored() refuses a word table of another embedder configuration", () => {
  const table = new BuiltinEmbedder({ dimension: 64 }).wordTable(["data"]);
  assert.throws(() => new BuiltinEmbedder().featurizeFactored("data", table), {
    name: "TypeError",
    message:
      'Cannot featurize text: the word table is for "builtin-v2-d64", not "builtin-v2-d2048"',
  });
});
