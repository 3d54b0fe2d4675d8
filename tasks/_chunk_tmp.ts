import { loadWeightsBundle } from "../lib/model/bundle_files.ts";
import { SparseMlp } from "../lib/infer/sparse.ts";
import { BuiltinEmbedder } from "../lib/features/builtin.ts";
const b = await loadWeightsBundle("models/latest");
const e = b.embedder as BuiltinEmbedder;
const texts = (await Deno.readTextFile("/tmp/m100k.csv")).split("\n").slice(1, 40001).map((l) => l.replace(/^\d+,/, ""));
const rows = texts.map((t) => { const f = e.featurize(t); return { indices: f.indices.slice(), values: f.values.slice() }; });
const mlp = new SparseMlp(b.weights);
const out = new Float32Array(rows.length * 3);
const times = [];
for (let r = 0; r < 5; r++) { const t = performance.now(); mlp.predictEach(rows.length, (i) => rows[i]!, out); times.push(performance.now() - t); }
times.sort((a, b) => a - b);
console.log(Deno.args[0], "kernel 40k msgs median ms", times[2]!.toFixed(0), "min", times[0]!.toFixed(0));
