// Callback results through a serdes, the default (raw text), and a failure with no message.
import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const callbackActions = [
  { CallbackName: "json", Operation: "success", Payload: { a: [1, 2] } },
  { CallbackName: "raw", Operation: "success", Payload: { b: true } },
  { CallbackName: "empty", Operation: "success" },
  { CallbackName: "bare-failure", Operation: "failure" },
];

const parse = { serialize: async (v: unknown) => JSON.stringify(v), deserialize: async (s: string | undefined) => (s === undefined ? "<none>" : JSON.parse(s)) };

export const handler = withDurableExecution(async (_event: unknown, context) => {
  const [json] = await context.createCallback("json", { serdes: parse as never });
  const [raw] = await context.createCallback("raw");
  const [empty] = await context.createCallback("empty");
  const [bare] = await context.createCallback("bare-failure");
  const out: Record<string, unknown> = { json: await json, raw: await raw, empty: (await empty) ?? "undefined" };
  try {
    await bare;
  } catch (e) {
    out.bare = { name: (e as Error).name, message: (e as Error).message, constructor: (e as Error).constructor.name };
  }
  return out;
});
