// map and parallel with completion configs, concurrency limits, failures and item names.
import { retryPresets, withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: unknown, context) => {
  const mapped = await context.map("squares", [1, 2, 3, 4], async (c, item, index) => c.step(async () => item * item + index), {
    maxConcurrency: 2,
    itemNamer: (item: number) => `item-${item}`,
  });
  const tolerated = await context.map("tolerated", [1, 2, 3], async (c, item) =>
    c.step(async () => {
      if (item === 2) throw new Error(`bad ${item}`);
      return item;
    }, { retryStrategy: retryPresets.noRetry }),
    { completionConfig: { toleratedFailureCount: 1 } },
  );
  const firstOnly = await context.parallel("first", [
    async (c) => c.step(async () => "fast"),
    { name: "slow", func: async (c) => { await c.wait({ seconds: 10 }); return "slow"; } },
  ], { completionConfig: { minSuccessful: 1 } });
  let failedBatch: unknown;
  try {
    const r = await context.parallel("all-fail", [
      async (c) => c.step(async () => { throw new Error("one"); }, { retryStrategy: retryPresets.noRetry }),
      async (c) => c.step(async () => { throw new Error("two"); }, { retryStrategy: retryPresets.noRetry }),
    ]);
    r.throwIfError();
  } catch (e) {
    failedBatch = { name: (e as Error).name, message: (e as Error).message };
  }
  return {
    mapped: mapped.getResults(),
    mappedStatus: mapped.status,
    tolerated: { results: tolerated.getResults(), errors: tolerated.getErrors().map((e) => e.message), reason: tolerated.completionReason, success: tolerated.successCount, failure: tolerated.failureCount },
    firstOnly: { results: firstOnly.getResults(), reason: firstOnly.completionReason, started: firstOnly.startedCount },
    failedBatch,
  };
});
