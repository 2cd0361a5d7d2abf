// `npm run bench` (last part): what a Python handler costs on the worker, beside TypeScript
// handlers, on the worker's invocation path in one process (file-backed engine with group
// commit, the HTTP API on loopback, a warm runtime pool): per-invocation start cost (a handler
// with no step: start, claim, invoke, answer, complete) and per-step cost ((N=100 − N=0) / 100).
//   - TypeScript, durable-node's SDK, in process (the in-process client, no HTTP);
//   - TypeScript, the official JS SDK as Lambda runs it ("durable": true: checkpoints over HTTP);
//   - Python, the official SDK in a warm awslambdaric process (Runtime API + HTTP checkpoints);
//   - Python, a plain function (no SDK): the Runtime API round trip alone, start cost only.
// Medians of one run; each run is a new execution and its result is checked.
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { DurableEngine } from "../ts/engine/durable-engine";
import { DurableHttpServer } from "../ts/http/server";
import { ensurePythonEnv } from "../ts/python/environment";
import { createPythonPool } from "../ts/python/function";
import { durableRuntimeHandler, plainRuntimeHandler } from "../ts/runtime-api/function";
import { stepsHandler } from "./durable";

const realHrtime = process.hrtime.bigint.bind(process.hrtime);
const nowMs = (): number => Number(realHrtime()) / 1e6;
const QUICK = process.env.BENCH_QUICK === "1";
const RUNS = QUICK ? { 0: 10, 100: 3 } : { 0: 40, 100: 10 };
const WARMUPS = 3;
const N = 100;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

type Kind = "ts" | "official" | "python" | "plain";
const LABEL: Record<Kind, string> = {
  ts: "TypeScript, durable-node SDK (in process)",
  official: "TypeScript, official JS SDK (HTTP checkpoints)",
  python: "Python, official SDK (warm runtime process)",
  plain: "Python, plain function (Runtime API only)",
};

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "durable-bench-py-"));
  const engine = DurableEngine.open({ path: path.join(dir, "bench.db"), skipTime: true, groupCommit: true });
  const server = new DurableHttpServer(engine);
  const url = await server.listen();
  for (const [k, v] of Object.entries({ AWS_ENDPOINT_URL_LAMBDA: url, AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local" })) process.env[k] = v;
  const python = await ensurePythonEnv((line) => console.error(line));
  const pool = createPythonPool({ functionName: "py", file: path.join(__dirname, "python", "bench_steps.py"), exportName: "lambda_handler", python, size: 1 }, { endpoint: () => ({ url }) });
  await pool.warm();
  const plainPool = createPythonPool({ functionName: "plain", file: path.join(__dirname, "python", "bench_steps.py"), exportName: "plain", python, size: 1 }, { endpoint: () => ({ url }) });
  await plainPool.warm();
  const official = (await import(pathToFileURL(createRequire(__filename).resolve("@aws/durable-execution-sdk-js")).href)) as { withDurableExecution: (h: any) => any };
  const officialSteps = (n: number) =>
    official.withDurableExecution(async (_e: unknown, ctx: any) => {
      let acc = 0;
      for (let i = 0; i < n; i++) acc += await ctx.step(async () => i);
      return acc;
    });

  for (const n of [0, N]) {
    engine.register(`ts-${n}`, stepsHandler(n));
    engine.register(`official-${n}`, officialSteps(n), { plainInput: true });
  }
  engine.register("python", durableRuntimeHandler(pool) as never, { plainInput: true });
  engine.registerFunction("plain", plainRuntimeHandler(plainPool));

  const fnOf = (kind: Kind, n: number) => (kind === "python" || kind === "plain" ? kind : `${kind}-${n}`);
  const timed = async (kind: Kind, n: number): Promise<number> => {
    const t0 = nowMs();
    const record = await engine.run(fnOf(kind, n), { n });
    const ms = nowMs() - t0;
    const expected = (n * (n - 1)) / 2;
    if (record.Status !== "SUCCEEDED" || JSON.parse(record.Result ?? "null") !== expected) {
      throw new Error(`${kind} n=${n}: ${record.Status} ${record.Result} ${JSON.stringify(record.Error)} (expected ${expected})`);
    }
    return ms;
  };

  const results: Record<string, { startMs: number; stepUs: number; n0: number[]; n100: number[] }> = {};
  try {
    for (const kind of ["ts", "official", "python", "plain"] as Kind[]) {
      const series: Record<number, number[]> = {};
      for (const n of kind === "plain" ? [0] : [0, N]) {
        for (let i = 0; i < WARMUPS; i++) await timed(kind, n);
        series[n] = [];
        for (let i = 0; i < RUNS[n as 0 | 100]; i++) series[n].push(await timed(kind, n));
      }
      const startMs = median(series[0]);
      const stepUs = series[N] ? ((median(series[N]) - startMs) * 1000) / N : NaN;
      results[kind] = { startMs, stepUs, n0: series[0], n100: series[N] ?? [] };
      console.error(`  ${LABEL[kind]}: start ${startMs.toFixed(2)} ms, ${stepUs.toFixed(0)} µs/step`);
    }
  } finally {
    await pool.close();
    await plainPool.close();
    await server.close();
    engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  console.log(`\nPython beside TypeScript on the worker's invocation path (${os.cpus().length} cores, Node ${process.version}${QUICK ? ", BENCH_QUICK" : ""})`);
  console.log(`per-invocation start: median of a handler with no step (${RUNS[0]} runs); per step: (median N=${N} − median N=0) / ${N} (${RUNS[100]} runs)\n`);
  const rows = (["ts", "official", "python", "plain"] as Kind[]).map((k) => [LABEL[k], `${results[k].startMs.toFixed(2)} ms`, Number.isNaN(results[k].stepUs) ? "-" : `${results[k].stepUs.toFixed(0)} µs`]);
  const header = ["handler", "start / invocation", "per step"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));
  console.log("\nThe official Python SDK's checkpoint thread polls its stop signal every 100 ms (state.py,\n_STOP_SIGNAL_POLL_SECONDS): most of a durable Python invocation's start cost, on Lambda too.");
  const summary = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, { startMs: v.startMs, stepUs: Number.isNaN(v.stepUs) ? null : v.stepUs }]));
  console.log("BENCH_PYTHON_JSON " + JSON.stringify({ quick: QUICK, n: N, runs: RUNS, results: summary }));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
