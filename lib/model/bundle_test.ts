import assert from "node:assert/strict";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { LABELS } from "../data/types.ts";
import { BUILTIN_VERSION, BuiltinEmbedder } from "../features/builtin.ts";
import { initBackend } from "../infer/backend.ts";
import {
  linkLatest,
  loadBundle,
  type ModelBundle,
  type ModelMetadata,
  saveBundle,
} from "./bundle.ts";
import { predictProbabilities } from "../infer/predict.ts";
import { trainClassifier } from "./train.ts";
import { computeIntegrity, loadWeightsBundle } from "./bundle_files.ts";
import { extractMlpWeights } from "./weights.ts";

await initBackend();

const DIM = 16;
const TEXTS = ["how do I learn sql?", "try kaggle first", "lol nice", "what is a p-value?"];

/** A small trained bundle on the builtin embedder (which loadBundle can rebuild). */
async function trainedBundle(): Promise<ModelBundle> {
  const embedder = new BuiltinEmbedder({ dimension: DIM });
  const texts = [...TEXTS, "any tips for interviews?", "use pandas for that", "thanks all", "cool"];
  const y = Int32Array.from([2, 0, 1, 2, 2, 0, 1, 1]);
  const x = await embedder.embed(texts);
  const { model, history } = await trainClassifier({ x, y, dimension: DIM }, {
    x,
    y,
    dimension: DIM,
  }, {
    epochs: 3,
    learningRate: 0.05,
  });
  const metadata: ModelMetadata = {
    format: "qac-model/1",
    runId: "run-1",
    createdAt: "2025-01-01T00:00:00.000Z",
    labels: [...LABELS],
    embedder: embedder.config,
    embedderId: embedder.id,
    dimension: DIM,
    hiddenUnits: DIM,
    training: { epochs: 3, history },
    data: {},
    metrics: {},
    versions: { qac: "test" },
  };
  return { model, embedder, labels: LABELS, metadata };
}

async function withSavedBundle(test: (dir: string, bundle: ModelBundle) => Promise<void>) {
  const root = await Deno.makeTempDir({ prefix: "qac-bundle-" });
  const bundle = await trainedBundle();
  try {
    await saveBundle(join(root, "run-1"), bundle);
    await test(join(root, "run-1"), bundle);
  } finally {
    bundle.model.dispose();
    await Deno.remove(root, { recursive: true });
  }
}

/** Edits metadata.json as a model saved before integrity records (so other checks run). */
async function editMetadata(dir: string, edit: (metadata: Record<string, unknown>) => void) {
  const path = join(dir, "metadata.json");
  const metadata = JSON.parse(await Deno.readTextFile(path));
  delete metadata.integrity;
  edit(metadata);
  await Deno.writeTextFile(path, JSON.stringify(metadata));
}

Deno.test("saveBundle() → loadBundle() predicts exactly the same probabilities", async () => {
  await withSavedBundle(async (dir, bundle) => {
    const files = [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
    assert.deepEqual(files, ["metadata.json", "model.json", "weights.bin"]);
    const modelJson = JSON.parse(await Deno.readTextFile(join(dir, "model.json")));
    assert.equal(modelJson.format, "layers-model");
    assert.deepEqual(modelJson.weightsManifest[0].paths, ["weights.bin"]);
    assert.equal(
      (await Deno.stat(join(dir, "weights.bin"))).size,
      (DIM * DIM + DIM + DIM * 3 + 3) * 4,
    );

    const loaded = await loadBundle(dir);
    try {
      assert.deepEqual(loaded.metadata, bundle.metadata);
      assert.deepEqual(loaded.labels, LABELS);
      assert.equal(loaded.embedder.id, bundle.embedder.id);
      const before = await predictProbabilities(bundle, TEXTS);
      const after = await predictProbabilities(loaded, TEXTS);
      assert.deepEqual(after, before);
      assert.ok(new Set(before).size > 3, "the model is not constant");
    } finally {
      loaded.model.dispose();
    }
  });
});

Deno.test("linkLatest() points models/latest at the run, and loadBundle() follows it", async () => {
  await withSavedBundle(async (dir) => {
    const root = join(dir, "..");
    await Deno.mkdir(join(root, "run-0"));
    await linkLatest(root, "run-0");
    assert.equal(await Deno.readLink(join(root, "latest")), "run-0");
    await linkLatest(root, "run-1"); // replaces the older link
    assert.equal(await Deno.readLink(join(root, "latest")), "run-1");
    assert.deepEqual([...Deno.readDirSync(root)].map((e) => e.name).sort(), [
      "latest",
      "run-0",
      "run-1",
    ]);
    const loaded = await loadBundle(join(root, "latest"));
    assert.equal(loaded.metadata.runId, "run-1");
    loaded.model.dispose();
    await assert.rejects(linkLatest(root, "run-9"), {
      name: "NotFound",
      message: `Cannot link latest model: "${join(root, "run-9")}" is not a folder`,
    });
  });
});

Deno.test("loadBundle() refuses a missing or inconsistent bundle with a clear message", async () => {
  await withSavedBundle(async (dir) => {
    const before = tf.memory().numTensors;
    const missing = join(dir, "..", "nope");
    await assert.rejects(loadBundle(missing), {
      name: "NotFound",
      message: `Cannot load model "${missing}": the folder does not exist; train one with ` +
        "`deno task train` or name another",
    });
    // was the system's "Not a directory (os error 20)", for every caller but the patched tasks
    const file = join(dir, "weights.bin");
    await assert.rejects(loadBundle(file), {
      name: "TypeError",
      message: `Cannot load model "${file}": it is a file; a model is a folder (metadata.json, ` +
        "model.json, weights.bin)",
    });
    await assert.rejects(loadBundle(join(file, "x")), {
      name: "NotFound",
      message: `Cannot load model "${join(file, "x")}": the folder does not exist; train one ` +
        "with `deno task train` or name another",
    });

    await editMetadata(dir, (m) => (m.labels = ["question", "answer", "comment"]));
    await assert.rejects(loadBundle(dir), {
      name: "TypeError",
      message:
        `Cannot load model "${dir}": metadata.json has labels ["question","answer","comment"], expected ["answer","comment","question"]`,
    });

    await editMetadata(dir, (m) => {
      m.labels = [...LABELS];
      m.dimension = 32;
    });
    await assert.rejects(loadBundle(dir), {
      name: "TypeError",
      message:
        `Cannot load model "${dir}": the model takes 16 inputs but metadata.json says 32 (dimension 32)`,
    });

    await editMetadata(dir, (m) => {
      m.dimension = DIM;
      m.embedder = { kind: "builtin", dimension: 32, version: 1 };
    });
    await assert.rejects(loadBundle(dir), {
      name: "TypeError",
      message:
        `Cannot load model "${dir}": the embedder "builtin-v1-d32" gives 32-dimensional vectors but metadata.json says dimension 16`,
    });

    // trained on version-2 features, but the config now asks for version 1
    await editMetadata(dir, (m) => (m.embedder = { kind: "builtin", dimension: DIM, version: 1 }));
    await assert.rejects(loadBundle(dir), {
      name: "TypeError",
      message:
        `Cannot load model "${dir}": it was trained on features "builtin-v${BUILTIN_VERSION}-d${DIM}" but its embedder config now gives "builtin-v1-d${DIM}"; retrain with \`deno task train\``,
    });

    await editMetadata(dir, (m) => (m.format = "qac-model/0"));
    await assert.rejects(loadBundle(dir), {
      name: "TypeError",
      message:
        `Cannot load model "${dir}": metadata.json has format "qac-model/0", expected "qac-model/1"`,
    });

    await Deno.writeTextFile(join(dir, "metadata.json"), "{not json");
    await assert.rejects(loadBundle(dir), (error: Error) => {
      assert.ok(error instanceof SyntaxError);
      assert.match(error.message, /^Cannot load model ".*": metadata\.json is not valid JSON \(/);
      return true;
    });

    await Deno.remove(join(dir, "metadata.json"));
    await assert.rejects(loadBundle(dir), {
      name: "NotFound",
      message: `Cannot load model "${dir}": metadata.json is missing`,
    });
    assert.equal(tf.memory().numTensors, before, "failed loads dispose their model");
  });
});

Deno.test("saveBundle() refuses metadata that disagrees with the model", async () => {
  const bundle = await trainedBundle();
  const dir = await Deno.makeTempDir({ prefix: "qac-bundle-" });
  try {
    const metadata = { ...bundle.metadata, dimension: 8 };
    await assert.rejects(saveBundle(dir, { ...bundle, metadata }), {
      name: "TypeError",
      message:
        `Cannot save model "${dir}": the model takes 16 inputs but metadata.json says 8 (dimension 8)`,
    });
    assert.deepEqual([...Deno.readDirSync(dir)], [], "nothing was written");
  } finally {
    bundle.model.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadBundle() refuses a model.json tfjs cannot read", async () => {
  await withSavedBundle(async (dir) => {
    await editMetadata(dir, () => {});
    const path = join(dir, "model.json");
    const modelJson = JSON.parse(await Deno.readTextFile(path));
    modelJson.modelTopology = { class_name: "NoSuchModel", config: {} };
    await Deno.writeTextFile(path, JSON.stringify(modelJson));
    await assert.rejects(loadBundle(dir), (error: Error) => {
      assert.ok(error instanceof TypeError);
      assert.match(error.message, /^Cannot load model ".*": tfjs cannot read model\.json \(/);
      return true;
    });
  });
});

Deno.test("loadBundle() refuses missing or truncated weights", async () => {
  await withSavedBundle(async (dir) => {
    await editMetadata(dir, () => {});
    const weights = await Deno.readFile(join(dir, "weights.bin"));
    await Deno.writeFile(join(dir, "weights.bin"), weights.subarray(4));
    await assert.rejects(loadBundle(dir), {
      name: "TypeError",
      message: `Cannot load model "${dir}": weights.bin has ${
        weights.length - 4
      } bytes, model.json expects ${weights.length}`,
    });
    await Deno.remove(join(dir, "weights.bin"));
    await assert.rejects(loadBundle(dir), {
      name: "NotFound",
      message: `Cannot load model "${dir}": weights.bin is missing`,
    });
  });
});

Deno.test("loadBundle() and loadWeightsBundle() refuse a weights.bin whose SHA-256 differs from the metadata's", async () => {
  await withSavedBundle(async (dir) => {
    const metadata = JSON.parse(await Deno.readTextFile(join(dir, "metadata.json")));
    assert.match(metadata.integrity.files["weights.bin"], /^[0-9a-f]{64}$/);
    assert.match(metadata.integrity.files["model.json"], /^[0-9a-f]{64}$/);
    const weights = await Deno.readFile(join(dir, "weights.bin"));
    weights[100]! ^= 0x01; // one flipped bit: still finite, still the right size
    await Deno.writeFile(join(dir, "weights.bin"), weights);
    const expected = {
      name: "TypeError",
      message:
        `Cannot load model "${dir}": weights.bin does not match the SHA-256 in metadata.json (changed or corrupt)`,
    };
    await assert.rejects(loadBundle(dir), expected);
    await assert.rejects(loadWeightsBundle(dir), expected);
  });
});

Deno.test("loadWeightsBundle() hashes a weights.bin of many read chunks right, to its last byte", async () => {
  await withSavedBundle(async (dir) => {
    // 9 MiB + 3 bytes of weights (reads ask for 4 MiB at a time), hashes recorded for them: the
    // SHA-256 check passes, and the size check is what refuses the file
    const path = join(dir, "metadata.json");
    const metadata = JSON.parse(await Deno.readTextFile(path));
    const weights = new Uint8Array(9 * (1 << 20) + 3);
    for (let i = 0; i < weights.length; i += 4096) weights[i] = i % 251;
    const model = await Deno.readFile(join(dir, "model.json"));
    const record = async () => {
      await Deno.writeFile(join(dir, "weights.bin"), weights);
      metadata.integrity = await computeIntegrity(
        { "model.json": model, "weights.bin": weights },
        metadata.embedder,
      );
      await Deno.writeTextFile(path, JSON.stringify(metadata));
    };
    await record();
    const specs: { shape: number[] }[] = JSON.parse(new TextDecoder().decode(model))
      .weightsManifest[0].weights;
    const expected = specs.reduce((sum, w) => sum + w.shape.reduce((n, d) => n * d, 1) * 4, 0);
    await assert.rejects(loadWeightsBundle(dir), {
      name: "TypeError",
      message:
        `Cannot load model "${dir}": weights.bin has ${weights.length} bytes, model.json expects ${expected}`,
    });
    // the last byte changed after the hashes were recorded
    weights[weights.length - 1]! ^= 0x01;
    await Deno.writeFile(join(dir, "weights.bin"), weights);
    await assert.rejects(loadWeightsBundle(dir), {
      name: "TypeError",
      message:
        `Cannot load model "${dir}": weights.bin does not match the SHA-256 in metadata.json (changed or corrupt)`,
    });
  });
});

Deno.test("loading refuses an edited feature config and non-finite weights", async () => {
  await withSavedBundle(async (dir) => {
    const path = join(dir, "metadata.json");
    const metadata = JSON.parse(await Deno.readTextFile(path));
    metadata.embedder.charNgrams = false;
    await Deno.writeTextFile(path, JSON.stringify(metadata));
    await assert.rejects(loadWeightsBundle(dir), {
      name: "TypeError",
      message:
        `Cannot load model "${dir}": the embedder config in metadata.json does not match its recorded SHA-256`,
    });
    // a NaN written by a broken trainer, hashes recomputed: the values themselves are refused
    metadata.embedder.charNgrams = true;
    const weights = await Deno.readFile(join(dir, "weights.bin"));
    new DataView(weights.buffer).setFloat32(8, NaN, true);
    await Deno.writeFile(join(dir, "weights.bin"), weights);
    metadata.integrity = await computeIntegrity(
      { "model.json": await Deno.readFile(join(dir, "model.json")), "weights.bin": weights },
      metadata.embedder,
    );
    await Deno.writeTextFile(path, JSON.stringify(metadata));
    const expected = {
      name: "TypeError",
      message: `Cannot load model "${dir}": weights.bin holds a non-finite weight (NaN at value 2)`,
    };
    await assert.rejects(loadBundle(dir), expected);
    await assert.rejects(loadWeightsBundle(dir), expected);
  });
});

Deno.test("loadWeightsBundle() reads the same weights tfjs loads, without tfjs", async () => {
  await withSavedBundle(async (dir, bundle) => {
    const light = await loadWeightsBundle(dir);
    assert.deepEqual(light.weights, extractMlpWeights(bundle.model));
    assert.equal(light.embedder.id, bundle.embedder.id);
    // and the saved format stays plain tfjs: its own file loader reads it
    const model = await tf.loadLayersModel(tf.io.fromMemory(
      JSON.parse(await Deno.readTextFile(join(dir, "model.json"))).modelTopology,
      JSON.parse(await Deno.readTextFile(join(dir, "model.json"))).weightsManifest[0].weights,
      (await Deno.readFile(join(dir, "weights.bin"))).slice().buffer,
    ));
    assert.deepEqual(extractMlpWeights(model), light.weights);
    model.dispose();
  });
});
