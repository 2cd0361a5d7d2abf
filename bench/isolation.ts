// `npm run bench` (isolation part): what running a JavaScript handler in a runtime process (as
// `durable-node worker` and `run` do by default) costs against running it in the engine's own
// process (--no-isolate, DurableEngine, durable-node/testing). The same handler file
// (bench/handlers/steps.ts: `event.n` tiny steps, durable-node's SDK) on the worker's invocation
// path: a file-backed engine with group commit, one warm runtime process speaking the Runtime
// API, its checkpoints carried over the IPC channel. Per-invocation cost: median of a run with
// no step (start, claim, invoke, answer, complete); per-step cost: (median N=100 − median N=0) /
// 100. Also the cold start of a runtime process (what a crash or timeout costs the next
// invocation). Every run is a new execution whose result is checked. Runs from dist/ (the
// runtime process loads dist/runtime-api/node-runtime.js), so build first.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { DurableEngine } from "../dist/engine/durable-engine";
import { durableRuntimeHandler } from "../dist/runtime-api/function";
import { createNodePool } from "../dist/runtime-api/node-function";
import { loadHandler } from "../dist/cli/load-handler";

const realHrtime = process.hrtime.bigint.bind(process.hrtime);
const nowMs = (): number => Number(realHrtime()) / 1e6;
const QUICK = process.env.BENCH_QUICK === "1";
const RUNS = QUICK ? { 0: 15, 100: 5 } : { 0: 60, 100: 15 };
const COLD_STARTS = QUICK ? 3 : 7;
const WARMUPS = 3;
const N = 100;
const HANDLER = path.join(__dirname, "handlers", "steps.ts");

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

type Kind = "inProcess" | "isolated";
const LABEL: Record<Kind, string> = {
  inProcess: "in the engine's process (--no-isolate)",
  isolated: "in a warm runtime process (default)",
};

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "durable-bench-iso-"));
  const engine = DurableEngine.open({ path: path.join(dir, "bench.db"), skipTime: true, groupCommit: true });
  const { handler } = await loadHandler(HANDLER, "handler");
  const pool = createNodePool({ functionName: "isolated", file: HANDLER, exportPath: "handler", size: 1 }, { engine, endpoint: () => ({ url: "" }) });
  engine.register("inProcess", handler);
  engine.register("isolated", durableRuntimeHandler(pool) as never, { plainInput: true });

  const timed = async (kind: Kind, n: number): Promise<number> => {
    const t0 = nowMs();
    const record = await engine.run(kind, { n });
    const ms = nowMs() - t0;
    const expected = (n * (n - 1)) / 2;
    if (record.Status !== "SUCCEEDED" || JSON.parse(record.Result ?? "null") !== expected) {
      throw new Error(`${kind} n=${n}: ${record.Status} ${record.Result} ${JSON.stringify(record.Error)} (expected ${expected})`);
    }
    return ms;
  };

  const results = {} as Record<Kind, { invocationMs: number; stepUs: number }>;
  const cold: number[] = [];
  try {
    for (let i = 0; i < COLD_STARTS; i++) {
      const fresh = createNodePool({ functionName: "cold", file: HANDLER, exportPath: "handler", size: 1 }, { engine, endpoint: () => ({ url: "" }) });
      const t0 = nowMs();
      await fresh.warm();
      cold.push(nowMs() - t0);
      await fresh.close();
    }
    await pool.warm();
    for (const kind of ["inProcess", "isolated"] as Kind[]) {
      const series: Record<number, number[]> = {};
      for (const n of [0, N]) {
        for (let i = 0; i < WARMUPS; i++) await timed(kind, n);
        series[n] = [];
        for (let i = 0; i < RUNS[n as 0 | 100]; i++) series[n].push(await timed(kind, n));
      }
      const invocationMs = median(series[0]);
      results[kind] = { invocationMs, stepUs: ((median(series[N]) - invocationMs) * 1000) / N };
      console.error(`  ${LABEL[kind]}: ${invocationMs.toFixed(2)} ms/invocation, ${results[kind].stepUs.toFixed(0)} µs/step`);
    }
  } finally {
    await pool.close();
    engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  const coldMs = median(cold);
  console.log(`\nIsolation: a JavaScript handler in a runtime process vs in the engine's process (${os.cpus().length} cores, Node ${process.version}${QUICK ? ", BENCH_QUICK" : ""})`);
  console.log(`per invocation: median of a handler with no step (${RUNS[0]} runs); per step: (median N=${N} − median N=0) / ${N} (${RUNS[100]} runs)\n`);
  const rows = (["inProcess", "isolated"] as Kind[]).map((k) => [LABEL[k], `${results[k].invocationMs.toFixed(2)} ms`, `${results[k].stepUs.toFixed(0)} µs`]);
  rows.push([
    "isolated ÷ in process",
    `${(results.isolated.invocationMs / results.inProcess.invocationMs).toFixed(1)}×`,
    `${(results.isolated.stepUs / results.inProcess.stepUs).toFixed(1)}×`,
  ]);
  const header = ["handler runs", "per invocation", "per step"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));
  console.log(`\ncold start of a runtime process (spawn, load the handler, first \`next\`): median ${coldMs.toFixed(0)} ms of ${COLD_STARTS}`);
  console.log("BENCH_ISOLATION_JSON " + JSON.stringify({ quick: QUICK, n: N, runs: RUNS, results, coldStartMs: coldMs }));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
