import assert from "node:assert/strict";
import { RecentMap } from "./_recent_map.ts";

Deno.test("RecentMap remembers at least its last `limit` entries and at most twice that", () => {
  const map = new RecentMap<number>(3);
  for (let i = 0; i < 10; i++) map.set(String(i), i);
  // the last 3 always, older ones only while their generation lasts
  for (const i of [7, 8, 9]) assert.equal(map.get(String(i)), i);
  const kept = Array.from({ length: 10 }, (_, i) => map.get(String(i))).filter((v) =>
    v !== undefined
  );
  assert.ok(kept.length >= 3 && kept.length <= 6, `kept ${kept.length}`);
  assert.equal(map.get("0"), undefined);
  map.set("9", 99); // a newer value wins over the older generation's
  assert.equal(map.get("9"), 99);
  map.clear();
  assert.equal(map.get("9"), undefined);
});
