// waitForCondition with a wait strategy, and the promise combinators.
import { createWaitStrategy, JitterStrategy, withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: unknown, context) => {
  const polled = await context.waitForCondition("poll", async (state: number) => state + 1, {
    initialState: 0,
    waitStrategy: createWaitStrategy({ shouldContinuePolling: (s: number) => s < 3, initialDelay: { seconds: 2 }, backoffRate: 2, jitter: JitterStrategy.NONE }),
  });
  const jittered = await context.waitForCondition(async (state: number) => state + 10, {
    initialState: 0,
    waitStrategy: createWaitStrategy({ shouldContinuePolling: (s: number) => s < 30, initialDelay: { seconds: 8 } }),
  });
  const hand = await context.waitForCondition(async (s: string) => s + "x", {
    initialState: "",
    waitStrategy: (s: string) => (s.length < 2 ? { shouldContinue: true, delay: { seconds: 5 } } : { shouldContinue: false }),
  });
  const all = await context.promise.all("all", [context.step(async () => 1), context.step(async () => 2)]);
  const race = await context.promise.race("race", [context.wait({ seconds: 30 }).then(() => "wait"), context.step(async () => "step")]);
  const settled = await context.promise.allSettled([
    context.step(async () => "fine"),
    context.step(async () => {
      throw new Error("settled failure");
    }, { retryStrategy: () => ({ shouldRetry: false }) }),
  ]);
  return { polled, jittered, hand, all, race, settled: settled.map((s) => s.status) };
});
