// durable-node/testing side of the benchmark: the N-step handler through our
// LocalDurableTestRunner (per-run in-memory engine, time skipped by the engine clock), the
// drop-in replacement for the official testing package measured in bench/official.ts.
import { ExecutionStatus, LocalDurableTestRunner } from "../ts/testing/index";
import { stepsHandler } from "./durable";

const realHrtime = process.hrtime.bigint.bind(process.hrtime);
const nowMs = (): number => Number(realHrtime()) / 1e6;

/** Total ms of each measured run; unmeasured warm-up runs come first. */
export async function benchTestingRunner(n: number, runs: number, warmups = 1): Promise<number[]> {
  await LocalDurableTestRunner.setupTestEnvironment({ skipTime: true });
  const handler = stepsHandler(n);
  const expected = (n * (n - 1)) / 2;
  const timedRun = async (): Promise<number> => {
    const runner = new LocalDurableTestRunner({ handlerFunction: handler });
    const t0 = nowMs();
    const result = await runner.run({ payload: {} });
    const elapsed = nowMs() - t0;
    if (result.getStatus() !== ExecutionStatus.SUCCEEDED || result.getResult() !== expected) {
      throw new Error(`durable-node/testing run with n=${n}: status ${String(result.getStatus())}, result ${JSON.stringify(result.getResult())}`);
    }
    return elapsed;
  };
  try {
    for (let w = 0; w < warmups; w++) await timedRun();
    const times: number[] = [];
    for (let r = 0; r < runs; r++) times.push(await timedRun());
    return times;
  } finally {
    await LocalDurableTestRunner.teardownTestEnvironment();
  }
}
