import assert from "node:assert/strict";
import { DISPLAY } from "./chart.ts";
import type { Message } from "../data/types.ts";
import { chatView } from "./chat.ts";

function message(
  id: string,
  conversation: string,
  user: string,
  text: string,
  type: string,
  replyTo: string | null = null,
): Message {
  return {
    messageId: id,
    conversationId: conversation,
    channel: "sql-help",
    userName: user,
    text,
    messageType: type,
    replyTo,
    timestamp: "2024-01-01T00:00:00Z",
  };
}

const messages = [
  message("c1-1", "c1", "ana", "How do I <join> two tables?", "question"),
  message("c1-2", "c1", "bo", "Use JOIN ... ON", "answer", "c1-1"),
  message("c1-3", "c1", "cy", "thanks!", "Comment", "c1-2"),
  message("c2-1", "c2", "dee", "anyone here?", "question"),
  message("c3-1", "c3", "eli", "hi", "comment"),
];

Deno.test("chatView() renders messages with their label, user and the user they reply to", () => {
  const view = chatView(messages);
  assert.match(view.html, /<b>bo<\/b> <span[^>]*>↪ ana<\/span>: Use JOIN \.\.\. ON/);
  assert.match(view.html, />comment<\/span> <b>cy<\/b>/, "labels are lower-cased");
  assert.match(view.html, /How do I &#60;join&#62; two tables\?/, "text is escaped");
  assert.match(view.text, /^#sql-help · c1\n {2}\[question\] ana: How do I <join> two tables\?\n/);
  assert.match(view.text, / {2}\[answer\] bo → ana: Use JOIN/);
  const bundle = view[DISPLAY]();
  assert.equal(bundle["text/html"], view.html);
  assert.equal(bundle["text/plain"], view.text);
});

Deno.test("chatView() shows only the first conversations and messages asked for", () => {
  const view = chatView(messages, { conversations: 2, messagesPerConversation: 2 });
  assert.match(view.text, /c2/);
  assert.doesNotMatch(view.text, /c3/);
  assert.doesNotMatch(view.text, /thanks/);
  assert.match(view.text, /… 1 more/);
});
