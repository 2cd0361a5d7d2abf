// Type-check only: callbacks, invokes, polling, child contexts, combinators and withRetry,
// written against the official SDK's types.
import {
  CallbackTimeoutError,
  InvokeError,
  createWaitStrategy,
  withDurableExecution,
  withRetry,
  type ChildConfig,
  type DurableContext,
  type DurablePromise,
  type InvokeConfig,
  type Serdes,
  type WaitForConditionCheckFunc,
  type WaitForConditionConfig,
  type WaitForConditionDecision,
  type WaitForConditionWaitStrategyFunc,
  type WaitStrategyConfig,
  type WithRetryConfig,
} from "@aws/durable-execution-sdk-js";

interface Job {
  id: string;
  state: "RUNNING" | "DONE";
}

const approvalSerdes: Serdes<{ approved: boolean }> = {
  serialize: async (v) => (v === undefined ? undefined : JSON.stringify(v)),
  deserialize: async (s) => (s === undefined ? undefined : (JSON.parse(s) as { approved: boolean })),
};

const pollJob: WaitForConditionCheckFunc<Job> = async (job, { attempt, logger }) => {
  logger.info("poll", attempt);
  return { ...job, state: attempt > 3 ? "DONE" : "RUNNING" };
};

const strategyConfig: WaitStrategyConfig<Job> = { shouldContinuePolling: (job) => job.state !== "DONE", maxAttempts: 10, initialDelay: { seconds: 5 } };
const custom: WaitForConditionWaitStrategyFunc<Job> = (job, attempt): WaitForConditionDecision =>
  job.state === "DONE" || attempt > 10 ? { shouldContinue: false } : { shouldContinue: true, delay: { seconds: 30 } };
const pollConfig: WaitForConditionConfig<Job> = { initialState: { id: "j-1", state: "RUNNING" }, waitStrategy: createWaitStrategy(strategyConfig) };

const invokeConfig: InvokeConfig<{ sku: string }, { price: number }> = { tenantId: "tenant-a" };
const childConfig: ChildConfig<number> = { subType: "Pricing", summaryGenerator: (n) => String(n) };
const retryConfig: WithRetryConfig<string> = { retryStrategy: (_e, attempt) => ({ shouldRetry: attempt < 3 }) };

export const handler = withDurableExecution(async (_event: unknown, context: DurableContext) => {
  const [approval, callbackId] = await context.createCallback("approval", { timeout: { hours: 24 }, heartbeatTimeout: { minutes: 30 }, serdes: approvalSerdes });
  const id: string = callbackId;
  let approved = false;
  try {
    approved = (await approval).approved;
  } catch (e) {
    if (e instanceof CallbackTimeoutError) context.logger.warn("timed out", e.message);
  }

  const raw: string = await context.waitForCallback("external", async (cbId, { logger }) => {
    logger.info("send", cbId);
  });

  let price = 0;
  try {
    price = (await context.invoke("get-price", "pricing:live", { sku: "s-1" }, invokeConfig)).price;
  } catch (e) {
    if (e instanceof InvokeError) context.logger.error(e.errorType);
  }
  const plain = await context.invoke<{ n: number }, number>("double", { n: 2 });

  const done: Job = await context.waitForCondition("job", pollJob, pollConfig);
  const again: Job = await context.waitForCondition(pollJob, { initialState: done, waitStrategy: custom });

  const total: number = await context.runInChildContext("pricing", async (child: DurableContext) => child.step(async () => price * 2), childConfig);

  const a: DurablePromise<number> = context.step(async () => 1);
  const b: DurablePromise<number> = context.step(async () => 2);
  const both: number[] = await context.promise.all([a, b]);
  const first: number = await context.promise.race("first", [a, b]);
  const any: number = await context.promise.any([a, b]);
  const settled: PromiseSettledResult<number>[] = await context.promise.allSettled([a, b]);

  const retried: string = await withRetry(context, "block", async (ctx, attempt) => ctx.step(async () => `attempt ${attempt}`), retryConfig);

  // @ts-expect-error waitForCondition needs its config
  await context.waitForCondition(pollJob);

  return { id, approved, raw, price, plain, again, total, both, first, any, settled, retried };
});
