import assert from "node:assert/strict";
import { join } from "node:path";
import { detectExport } from "./detect.ts";

Deno.test("detectExport() tells a folder, a DCE .json and a DCE CSV from other message files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const write = async (name: string, text: string) => {
      await Deno.writeTextFile(join(dir, name), text);
      return join(dir, name);
    };
    assert.equal(await detectExport(dir), "folder");
    assert.equal(await detectExport(await write("general [1].json", "{}")), "discord-json");
    assert.equal(
      await detectExport(
        await write("general [2].csv", "AuthorID,Author,Date,Content,Attachments,Reactions\n"),
      ),
      "discord-csv",
    );
    // a DCE CSV re-saved by Excel: byte-order mark, CRLF
    assert.equal(
      await detectExport(
        await write("bom.csv", "\uFEFFAuthorID,Author,Date,Content\r\n1,a,x,y\r\n"),
      ),
      "discord-csv",
    );
    assert.equal(await detectExport(await write("chat.csv", "text,label\nhi,comment\n")), null);
    assert.equal(await detectExport(await write("some.csv", "Author,Content\nann,hi\n")), null);
    assert.equal(await detectExport(await write("empty.csv", "")), null);
    assert.equal(await detectExport(await write("chat.jsonl", '{"text":"hi"}\n')), null);
    assert.equal(await detectExport(await write("chat.txt", "hi\n")), null);
    assert.equal(await detectExport(join(dir, "missing.json")), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
