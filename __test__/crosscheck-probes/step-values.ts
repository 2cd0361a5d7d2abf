// Step results of every JSON shape, and the ones JSON cannot carry.
import { withDurableExecution } from "@aws/durable-execution-sdk-js";

const values: Record<string, () => unknown> = {
  undefinedValue: () => undefined,
  nullValue: () => null,
  zero: () => 0,
  empty: () => "",
  falseValue: () => false,
  date: () => new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
  nested: () => ({ a: [1, { b: "c" }], d: null, e: undefined }),
  map: () => new Map([["k", 1]]),
  nan: () => Number.NaN,
  unicode: () => "héllo 🌍 \u2028",
};

export const handler = withDurableExecution(async (_event: unknown, context) => {
  const out: Record<string, unknown> = {};
  for (const [name, make] of Object.entries(values)) {
    const v = await context.step(name, async () => make());
    out[name] = { type: typeof v, isDate: v instanceof Date, json: JSON.stringify(v) ?? "undefined" };
  }
  return out;
});
