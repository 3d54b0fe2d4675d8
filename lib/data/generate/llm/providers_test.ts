import assert from "node:assert/strict";
import { ChatGroq } from "@langchain/groq";
import { ChatOpenAI } from "@langchain/openai";
import { createChatModel, PROVIDERS } from "./providers.ts";
import { conversationSchema } from "./schema.ts";

Deno.test("createChatModel() names the missing key's environment variable", async () => {
  const expected = {
    groq: "GROQ_API_KEY",
    openai: "OPENAI_API_KEY",
    anthropic: "ANTHROPIC_API_KEY",
    google: "GOOGLE_API_KEY",
  } as const;
  for (const [provider, variable] of Object.entries(expected)) {
    await assert.rejects(
      createChatModel({ provider, apiKey: " " }),
      new TypeError(
        `Cannot create ${provider} chat model: ${variable} is not set ` +
          `(e.g. ${variable}=... deno task generate --provider ${provider})`,
      ),
    );
  }
});

Deno.test("createChatModel() lists the allowed providers for an unknown one", async () => {
  await assert.rejects(
    createChatModel({ provider: "gpt" }),
    new RangeError(
      `Cannot create chat model: unknown provider "gpt" (allowed: ${PROVIDERS.join(", ")})`,
    ),
  );
});

Deno.test("createChatModel() builds each provider's model without network access", async () => {
  const groq = await createChatModel({
    provider: "groq",
    apiKey: "k",
    baseUrl: "http://127.0.0.1:9",
  });
  assert.ok(groq instanceof ChatGroq);
  assert.equal((groq as ChatGroq).model, "llama-3.3-70b-versatile");
  const openai = await createChatModel({
    provider: "openai",
    apiKey: "k",
    model: "gpt-x",
    temperature: 0,
  });
  assert.ok(openai instanceof ChatOpenAI);
  assert.equal((openai as ChatOpenAI).model, "gpt-x");
  for (const provider of ["anthropic", "google", "ollama"]) {
    const model = await createChatModel({ provider, apiKey: "k" });
    // The zod schema converts for every provider's structured-output method.
    assert.equal(
      typeof model.withStructuredOutput(conversationSchema).invoke,
      "function",
      provider,
    );
  }
});

Deno.test("createChatModel() never puts the key in an error message", async () => {
  const secret = "sk-very-secret-123";
  const model = await createChatModel({
    provider: "openai",
    apiKey: secret,
    baseUrl: "http://127.0.0.1:9/v1",
  });
  const error = await model.invoke("hi").then(() => null, (e: unknown) => e);
  assert.ok(error instanceof Error);
  assert.ok(!String(error.message).includes(secret) && !String(error.stack).includes(secret));
});
