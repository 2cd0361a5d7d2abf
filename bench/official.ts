// Baseline side of the benchmark: runs N sequential steps through the official
// SDK's LocalDurableTestRunner so our numbers have something to be compared with.
//
// Reading the numbers: with skipTime the runner installs @sinonjs/fake-timers,
// which also fakes setImmediate. The SDK schedules every checkpoint flush with
// setImmediate, and those only fire when the fake clock auto-advances (every
// 20 ms of real time). So a step costs ~20 ms of mostly idle wall time with
// skipTime, versus ~1.5 ms without it. Every run() also ends with a fixed
// 100 ms real-time sleep (its polling shutdown), which sets the floor for small n.
// That is how the official runner behaves, not a fault in this harness.
import { withDurableExecution } from "@aws/durable-execution-sdk-js";
import {
  ExecutionStatus,
  LocalDurableTestRunner,
} from "@aws/durable-execution-sdk-js-testing";

// Keep a handle on the real clock from module load: the fake timers replace
// Date, performance.now and process.hrtime, and would give timings rounded to
// the 20 ms auto-advance.
const realHrtime = process.hrtime.bigint.bind(process.hrtime);
const nowMs = (): number => Number(realHrtime()) / 1e6;

let ready = false;

export interface OfficialSetupOptions {
  /** Defaults to true, the way the official docs set up tests. */
  skipTime?: boolean;
}

export async function setupOfficial(
  options: OfficialSetupOptions = {},
): Promise<void> {
  if (ready) return;
  await LocalDurableTestRunner.setupTestEnvironment({
    skipTime: options.skipTime ?? true,
  });
  ready = true;
}

export async function teardownOfficial(): Promise<void> {
  if (!ready) return;
  ready = false;
  // The checkpoint server is a worker thread: if it stays up, the process never exits.
  await LocalDurableTestRunner.teardownTestEnvironment();
}

function stepsHandler(n: number) {
  return withDurableExecution(async (_event: unknown, ctx) => {
    let acc = 0;
    for (let i = 0; i < n; i++) acc += await ctx.step(async () => i);
    return acc;
  });
}

async function timedRun(
  handler: ReturnType<typeof stepsHandler>,
  n: number,
): Promise<number> {
  // A new runner each time, so no run inherits operations indexed by an earlier one.
  const runner = new LocalDurableTestRunner({ handlerFunction: handler });
  const t0 = nowMs();
  const result = await runner.run({ payload: {} });
  const elapsed = nowMs() - t0;
  // A run that fails quickly would look like a fast one, so check the result.
  const expected = (n * (n - 1)) / 2;
  if (
    result.getStatus() !== ExecutionStatus.SUCCEEDED ||
    result.getResult() !== expected
  ) {
    throw new Error(
      `official run with n=${n}: status ${String(result.getStatus())}, ` +
        `result ${JSON.stringify(result.getResult())}, expected ${expected}`,
    );
  }
  return elapsed;
}

/** Total ms of each measured run; unmeasured warm-up runs (default one) come first. */
export async function benchOfficial(
  n: number,
  runs: number,
  warmups = 1,
): Promise<number[]> {
  if (!ready) {
    throw new Error("benchOfficial: call setupOfficial() first");
  }
  const handler = stepsHandler(n);
  for (let w = 0; w < warmups; w++) await timedRun(handler, n);
  const times: number[] = [];
  for (let r = 0; r < runs; r++) times.push(await timedRun(handler, n));
  return times;
}
