// runInChildContext options: errorMapper, subType, virtual contexts; map with FLAT nesting.
import { NestingType, retryPresets, withDurableExecution } from "@aws/durable-execution-sdk-js";

class Mapped extends Error {
  constructor(readonly original: Error) {
    super(`mapped: ${original.message}`);
    this.name = "Mapped";
  }
}

export const handler = withDurableExecution(async (_event: unknown, context) => {
  let mapped: unknown;
  try {
    await context.runInChildContext("mapper", async (c) => {
      await c.step(async () => {
        throw new Error("raw");
      }, { retryStrategy: retryPresets.noRetry });
    }, { errorMapper: (e: Error) => new Mapped(e) } as never);
  } catch (e) {
    mapped = { name: (e as Error).name, message: (e as Error).message, constructor: (e as Error).constructor.name };
  }
  const sub = await context.runInChildContext("custom-sub", async (c) => c.step(async () => 1), { subType: "MyType" } as never);
  const virtual = await context.runInChildContext("virtual", async (c) => {
    const a = await c.step("va", async () => "a");
    await c.wait({ seconds: 1 });
    return a + (await c.step("vb", async () => "b"));
  }, { virtualContext: true } as never);
  const flat = await context.map("flat", [1, 2, 3], async (c, item) => c.step(async () => item * 10), { nesting: NestingType.FLAT } as never);
  const parallelFlat = await context.parallel("pflat", [async (c) => c.step(async () => "p1"), async (c) => { await c.wait({ seconds: 1 }); return "p2"; }], { nesting: NestingType.FLAT } as never);
  return { mapped, sub, virtual, flat: flat.getResults(), parallelFlat: parallelFlat.getResults() };
});
