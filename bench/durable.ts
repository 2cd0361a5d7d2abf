// durable-node side of the benchmark: the N-step handler on a DurableEngine backed by a
// SQLite file in a fresh temp directory (one engine per N, skipTime on), timed with the
// real clock. Imports the TypeScript sources directly, so no build step is needed.
// Each run is a new execution; one unmeasured warm-up run comes first.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { DurableEngine, withDurableExecution } from "../ts/index";

// Captured at module load, before anything could replace the clock.
const realHrtime = process.hrtime.bigint.bind(process.hrtime);
const nowMs = (): number => Number(realHrtime()) / 1e6;

export function stepsHandler(n: number) {
  return withDurableExecution(async (_event: unknown, ctx) => {
    let acc = 0;
    for (let i = 0; i < n; i++) acc += await ctx.step(async () => i);
    return acc;
  });
}

/** Total ms of each measured run on a new file-backed engine. */
export async function benchDurable(n: number, runs: number): Promise<number[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "durable-bench-"));
  const engine = DurableEngine.open({ path: path.join(dir, "bench.db"), skipTime: true });
  const fn = `steps-${n}`;
  engine.register(fn, stepsHandler(n));
  const expected = (n * (n - 1)) / 2;

  const timedRun = async (): Promise<number> => {
    const t0 = nowMs();
    const record = await engine.run(fn, {});
    const elapsed = nowMs() - t0;
    // A run that fails quickly would look like a fast one, so check the result.
    const result = record.Result === undefined ? undefined : JSON.parse(record.Result);
    if (record.Status !== "SUCCEEDED" || result !== expected) {
      throw new Error(
        `durable-node run with n=${n}: status ${record.Status}, result ${record.Result}, ` +
          `error ${JSON.stringify(record.Error)}, expected ${expected}`,
      );
    }
    return elapsed;
  };

  try {
    await timedRun();
    const times: number[] = [];
    for (let r = 0; r < runs; r++) times.push(await timedRun());
    return times;
  } finally {
    engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
