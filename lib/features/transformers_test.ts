import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import { EXTRAS_HINT, findExtra, importExtra } from "./extras.ts";
import {
  createTransformersEmbedder,
  resolveModelLocation,
  TransformersEmbedder,
} from "./transformers.ts";

const installed = findExtra("transformers") !== undefined;
const ignore = !installed;
if (ignore) {
  console.log(`skipping transformers.js tests: the optional package is absent; ${EXTRAS_HINT}`);
}

const FIXTURE = fromFileUrl(new URL("../../tests/fixtures/tiny-bert", import.meta.url));

interface Expected {
  hidden_size: number;
  sentences: { text: string; tokens: string[]; input_ids: number[]; vector: number[] }[];
}
const expected: Expected = JSON.parse(await Deno.readTextFile(`${FIXTURE}/expected.json`));

Deno.test({
  name: "transformers embedder matches torch's mean-pooled vectors of the tiny BERT to 4 decimals",
  ignore,
}, async () => {
  const embedder = await createTransformersEmbedder(
    { kind: "transformers", batchSize: 2 },
    { modelDir: FIXTURE, offline: true },
  );
  try {
    assert.equal(embedder.dimension, expected.hidden_size);
    assert.equal(embedder.id, "transformers-tiny-bert-fp32-mean-norm-d64");
    assert.deepEqual(embedder.config, {
      kind: "transformers",
      model: "tiny-bert",
      dtype: "fp32",
      batchSize: 2,
    });
    const texts = expected.sentences.map((s) => s.text);
    const progress: number[] = [];
    // batchSize 2 → the first batch pads the shorter sentence: pooling must ignore the padding
    const out = await embedder.embed(texts, { onProgress: (done) => progress.push(done) });
    assert.deepEqual(progress, [2, 3]);
    expected.sentences.forEach(({ text, vector }, row) => {
      const got = out.subarray(row * 64, row * 64 + 64);
      let norm = 0;
      got.forEach((v, i) => {
        norm += v * v;
        assert.ok(Math.abs(v - vector[i]!) < 1e-4, `"${text}"[${i}]: ${v} vs ${vector[i]}`);
      });
      assert.ok(Math.abs(norm - 1) < 1e-5);
    });
  } finally {
    await (embedder as TransformersEmbedder).dispose();
  }
});

Deno.test(
  { name: "transformers embedder tokenises like the Python WordPiece reference", ignore },
  async () => {
    const { AutoTokenizer, env } = await importExtra<{
      env: { allowRemoteModels: boolean; localModelPath: string };
      AutoTokenizer: { from_pretrained(id: string): Promise<(text: string) => unknown> };
    }>("transformers");
    env.allowRemoteModels = false;
    env.localModelPath = fromFileUrl(new URL("../../tests/fixtures/", import.meta.url));
    const tokenizer = await AutoTokenizer.from_pretrained("tiny-bert");
    for (const { text, input_ids } of expected.sentences) {
      const encoded = tokenizer(text) as { input_ids: { data: BigInt64Array } };
      assert.deepEqual([...encoded.input_ids.data].map(Number), input_ids, text);
    }
  },
);

Deno.test({
  name: "createTransformersEmbedder() offline with a missing model says where it looked",
  ignore,
}, async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      createTransformersEmbedder({ kind: "transformers" }, { modelDir: dir, offline: true }),
      (error: Error) => {
        assert.match(
          error.message,
          /^Cannot load transformers model "Xenova\/all-MiniLM-L6-v2" \(fp32\) from "\/.+\/Xenova\/all-MiniLM-L6-v2": .*not found locally/,
        );
        return true;
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createTransformersEmbedder() rejects an unknown dtype, listing the known ones", async () => {
  await assert.rejects(createTransformersEmbedder({ kind: "transformers", dtype: "fp8" }), {
    name: "RangeError",
    message:
      'Cannot create transformers embedder: unknown dtype "fp8" (known: fp32, fp16, q8, int8, uint8, q4, bnb4)',
  });
});

Deno.test("resolveModelLocation() treats a folder with config.json as the model itself", () => {
  assert.deepEqual(resolveModelLocation(undefined, FIXTURE), {
    localModelPath: FIXTURE.replace(/tiny-bert$/, ""),
    modelId: "tiny-bert",
  });
  assert.deepEqual(resolveModelLocation("org/name", "/opt/models"), {
    localModelPath: "/opt/models/",
    modelId: "org/name",
  });
  assert.deepEqual(resolveModelLocation(undefined), {
    localModelPath: undefined,
    modelId: "Xenova/all-MiniLM-L6-v2",
  });
});
