// The Vercel AI SDK (`ai` with `@ai-sdk/openai`) under `@opentelemetry/sdk-node`, for
// tests/clients.rs: its own telemetry (`experimental_telemetry: { isEnabled: true }`)
// exported with the OTLP/HTTP exporter to the collector, four calls against the mock
// provider, each inside a parent span of its own (so each case is one trace):
//
//   plain   a system and a user message, a JSON answer
//   stream  the same, streamed
//   tool    a call offering a tool the SDK executes, then the answer to its result
//   error   a call the mock refuses with 429 (no retries)
//
// Prints one JSON line: {"plain": "<trace id>", "stream": ..., "tool": ..., "error": ...}.
//
// Usage: node vercel_ai_client.mjs --mock-url URL --endpoint URL --public-key PK
//        --secret-key SK --model NAME

import { parseArgs } from "node:util";
import { trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, jsonSchema, stepCountIs, streamText, tool } from "ai";

const { values: args } = parseArgs({
  options: {
    "mock-url": { type: "string" },
    endpoint: { type: "string" },
    "public-key": { type: "string" },
    "secret-key": { type: "string" },
    model: { type: "string" },
  },
});

const auth = Buffer.from(`${args["public-key"]}:${args["secret-key"]}`).toString("base64");
const sdk = new NodeSDK({
  serviceName: "clients-vercel-ai",
  traceExporter: new OTLPTraceExporter({
    url: `${args.endpoint}/api/public/otel/v1/traces`,
    headers: { Authorization: `Basic ${auth}` },
  }),
  instrumentations: [],
});
sdk.start();

const provider = createOpenAI({ baseURL: args["mock-url"], apiKey: "sk-mock" });
// Chat completions (the provider's default model is the Responses API).
const model = provider.chat(args.model);
const telemetry = { isEnabled: true };
const system = "You answer in one sentence.";
const tracer = trace.getTracer("langtrace-clients-test");

/** Runs `body` inside a parent span named after the case; answers its trace id. */
async function inCase(name, body) {
  return tracer.startActiveSpan(`vercel-ai-${name}`, async (span) => {
    try {
      await body();
      return span.spanContext().traceId;
    } finally {
      span.end();
    }
  });
}

const weather = tool({
  description: "The weather in a city",
  inputSchema: jsonSchema({ type: "object", properties: { city: { type: "string" } }, required: ["city"] }),
  execute: async () => "Sunny, 21 degrees",
});

const traceIds = {};
traceIds.plain = await inCase("plain", () =>
  generateText({ model, system, prompt: "What is the capital of France?", maxRetries: 0, experimental_telemetry: telemetry }));
traceIds.stream = await inCase("stream", async () => {
  const result = streamText({ model, system, prompt: "Stream the capital of Italy.", maxRetries: 0, experimental_telemetry: telemetry });
  for await (const _ of result.textStream);
  await result.text;
});
traceIds.tool = await inCase("tool", () =>
  generateText({
    model, system, prompt: "What is the weather in Paris?", tools: { get_weather: weather },
    stopWhen: stepCountIs(2), maxRetries: 0, experimental_telemetry: telemetry,
  }));
traceIds.error = await inCase("error", async () => {
  try {
    await generateText({ model, system, prompt: "please fail now", maxRetries: 0, experimental_telemetry: telemetry });
  } catch {
    return;
  }
  throw new Error("the mock was expected to refuse the call");
});

await sdk.shutdown();
console.log(JSON.stringify(traceIds));
