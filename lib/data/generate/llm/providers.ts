/**
 * Chat model factory over LangChain's official provider packages. Each package is imported only
 * when its provider is chosen. Keys are passed in by the entry point (read from the environment
 * there) and never appear in messages.
 * @module
 */

import type { BaseChatModel } from "@langchain/core/language_models/chat_models";

/**
 * A LangChain chat model, as {@linkcode createChatModel} builds and the generator calls it (the
 * type is LangChain's own `BaseChatModel`, named here so the public API can mention it).
 */
export type ChatModel = BaseChatModel;

/** Providers {@linkcode createChatModel} knows. */
export const PROVIDERS = ["groq", "openai", "anthropic", "google", "ollama"] as const;

/** One of {@linkcode PROVIDERS}. */
export type Provider = typeof PROVIDERS[number];

/** Whether `value` is one of {@linkcode PROVIDERS}. */
export function isProvider(value: string): value is Provider {
  return (PROVIDERS as readonly string[]).includes(value);
}

/** Model used when none is given. */
export const DEFAULT_MODELS: Readonly<Record<Provider, string>> = {
  groq: "llama-3.3-70b-versatile",
  openai: "gpt-4o-mini",
  anthropic: "claude-3-5-haiku-latest",
  google: "gemini-2.0-flash",
  ollama: "llama3.1",
};

/** Environment variable an entry point reads the key from (`null`: no key needed). */
export const API_KEY_VARIABLES: Readonly<Record<Provider, string | null>> = {
  groq: "GROQ_API_KEY",
  openai: "OPENAI_API_KEY",
  anthropic: "ANTHROPIC_API_KEY",
  google: "GOOGLE_API_KEY",
  ollama: null,
};

/** Environment variable an entry point reads a base URL override from (`null`: none). */
export const BASE_URL_VARIABLES: Readonly<Record<Provider, string | null>> = {
  groq: "GROQ_BASE_URL",
  openai: "OPENAI_BASE_URL",
  anthropic: null,
  google: null,
  ollama: "OLLAMA_BASE_URL",
};

/** What {@linkcode createChatModel} builds a model from. */
export interface ProviderConfig {
  /** One of {@linkcode PROVIDERS}; anything else is refused. */
  provider: string;
  /** The provider's model name. @default DEFAULT_MODELS[provider] */
  model?: string;
  /** Required for every provider but ollama. Never logged. */
  apiKey?: string;
  /** Server to talk to instead of the provider's (a proxy, a local test server). */
  baseUrl?: string;
  /** Sampling temperature. @default 0.9 (varied chat wants some randomness) */
  temperature?: number;
}

/**
 * Builds a LangChain chat model for a provider. Client-side retries are switched off
 * (`maxRetries: 0`) because the generator retries, with backoff, and counts the retries itself.
 * @throws {RangeError} for an unknown provider (the message lists the known ones).
 * @throws {TypeError} when the provider needs a key and none was given (the message names the
 * environment variable).
 * @example
 * ```ts
 * const model = await createChatModel({ provider: "groq", apiKey: Deno.env.get("GROQ_API_KEY") });
 * ```
 */
export async function createChatModel(config: ProviderConfig): Promise<ChatModel> {
  const { provider } = config;
  if (!isProvider(provider)) {
    throw new RangeError(
      `Cannot create chat model: unknown provider "${provider}" (allowed: ${PROVIDERS.join(", ")})`,
    );
  }
  const keyVariable = API_KEY_VARIABLES[provider];
  const apiKey = config.apiKey?.trim() ?? "";
  if (keyVariable !== null && apiKey === "") {
    throw new TypeError(
      `Cannot create ${provider} chat model: ${keyVariable} is not set ` +
        `(e.g. ${keyVariable}=... deno task generate --provider ${provider})`,
    );
  }
  const model = config.model ?? DEFAULT_MODELS[provider];
  const temperature = config.temperature ?? 0.9;
  const baseUrl = config.baseUrl || undefined;
  switch (provider) {
    case "groq": {
      const { ChatGroq } = await import("@langchain/groq");
      return new ChatGroq({ model, apiKey, temperature, baseUrl, maxRetries: 0 });
    }
    case "openai": {
      const { ChatOpenAI } = await import("@langchain/openai");
      return new ChatOpenAI({
        model,
        apiKey,
        temperature,
        maxRetries: 0,
        configuration: baseUrl ? { baseURL: baseUrl } : undefined,
      });
    }
    case "anthropic": {
      const { ChatAnthropic } = await import("@langchain/anthropic");
      return new ChatAnthropic({
        model,
        apiKey,
        temperature,
        maxRetries: 0,
        anthropicApiUrl: baseUrl,
      });
    }
    case "google": {
      const { ChatGoogleGenerativeAI } = await import("@langchain/google-genai");
      return new ChatGoogleGenerativeAI({ model, apiKey, temperature, baseUrl, maxRetries: 0 });
    }
    case "ollama": {
      const { ChatOllama } = await import("@langchain/ollama");
      return new ChatOllama({ model, temperature, baseUrl, maxRetries: 0 });
    }
  }
}
