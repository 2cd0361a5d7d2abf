// `npm run bench`, console part: response times of the console's list and detail answers over
// HTTP (the worker's server, in process) for a database of 100,000 executions and an
// execution of 2,900 operations (target ≤ 50 ms each), and the per-step cost of tracing:
// the same 1,000-step handler with no subscriber (tracing off) and with spans exported to a
// loopback OTLP receiver. Prints medians and a `BENCH_CONSOLE_JSON ` line.
// BENCH_EXECUTIONS=N shrinks the database for a quick look.

import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";

import { DurableEngine, withDurableExecution } from "../ts/index";
import { DurableHttpServer } from "../ts/http/server";
import { startTracing } from "../ts/tracing/setup";
import { stepsHandler } from "./durable";

const realHrtime = process.hrtime.bigint.bind(process.hrtime);
const nowMs = (): number => Number(realHrtime()) / 1e6;
const EXECUTIONS = Number(process.env.BENCH_EXECUTIONS ?? 100_000);
const OPERATIONS = 2_900;
const FUNCTIONS = ["orders", "refunds", "invoices", "shipping"];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function timeGet(url: string, runs: number): Promise<{ medianMs: number; bytes: number }> {
  let bytes = 0;
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const t0 = nowMs();
    const res = await fetch(url);
    const body = await res.arrayBuffer();
    if (!res.ok) throw new Error(`${url}: ${res.status} ${Buffer.from(body).toString()}`);
    if (i > 0) times.push(nowMs() - t0); // the first is a warm-up
    bytes = body.byteLength;
  }
  return { medianMs: median(times), bytes };
}

async function populate(engine: DurableEngine): Promise<void> {
  const t0 = nowMs();
  for (let i = 0; i < EXECUTIONS; i++) {
    const fn = FUNCTIONS[i % FUNCTIONS.length];
    const { execution } = engine.native.startExecution(fn, `${fn}-${String(i).padStart(6, "0")}`, `{"n":${i}}`);
    if (i % 3 === 0) engine.stop(execution.DurableExecutionArn);
  }
  console.log(`  ${EXECUTIONS} executions written in ${((nowMs() - t0) / 1000).toFixed(1)} s`);
}

async function bigExecution(engine: DurableEngine): Promise<string> {
  engine.register("big", withDurableExecution(async (_e: unknown, ctx) => {
    for (let i = 0; i < OPERATIONS; i++) await ctx.step(`step-${i}`, async () => ({ i, text: "x".repeat(64) }));
    return "done";
  }));
  const record = await engine.run("big", {}, { name: "big-one" });
  if (record.Status !== "SUCCEEDED") throw new Error(`the ${OPERATIONS}-operation execution ended ${record.Status}`);
  return record.DurableExecutionArn;
}

async function consoleTimes() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "durable-console-bench-"));
  const engine = DurableEngine.open({ path: path.join(dir, "console.db"), skipTime: true });
  await populate(engine);
  const arn = await bigExecution(engine);
  const server = new DurableHttpServer(engine, { port: 0 });
  const url = await server.listen();
  const api = `${url}/console/api`;
  try {
    const first = (await (await fetch(`${api}/executions?limit=50`)).json()) as { nextMarker: string };
    // A marker deep in the listing: keyset paging costs the same there.
    let deep = first.nextMarker;
    for (let i = 0; i < 20; i++) deep = ((await (await fetch(`${api}/executions?limit=100&marker=${deep}`)).json()) as { nextMarker: string }).nextMarker;
    const cases: [string, string][] = [
      ["list: first page (50)", `${api}/executions?limit=50`],
      ["list: page 2,000 rows deep", `${api}/executions?limit=50&marker=${deep}`],
      ["list: status STOPPED", `${api}/executions?limit=50&status=STOPPED`],
      ["list: function + status", `${api}/executions?limit=50&function=refunds&status=RUNNING`],
      ["list: name prefix", `${api}/executions?limit=50&prefix=invoices-0421`],
      ["list: time range", `${api}/executions?limit=50&after=0&before=${Date.now() / 1000 + 3600}`],
      [`detail: ${OPERATIONS} operations`, `${api}/executions/${encodeURIComponent(arn)}`],
      ["history: page of 100 events", `${api}/executions/${encodeURIComponent(arn)}/history?limit=100`],
      ["metrics scrape", `${url}/metrics`],
    ];
    const out: Record<string, { medianMs: number; bytes: number }> = {};
    for (const [label, u] of cases) out[label] = await timeGet(u, 15);
    return out;
  } finally {
    await server.close(10);
    engine.close();
  }
}

async function tracingCost() {
  const sink = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
  });
  await new Promise<void>((r) => sink.listen(0, "127.0.0.1", r));
  const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "durable-trace-bench-"));
  const engine = DurableEngine.open({ path: path.join(dir, "trace.db"), skipTime: true });
  const n = 1000;
  engine.register("steps", stepsHandler(n));
  const runs = async (count: number) => {
    const times: number[] = [];
    for (let i = 0; i <= count; i++) {
      const t0 = nowMs();
      await engine.run("steps", {});
      if (i > 0) times.push(nowMs() - t0);
    }
    return median(times);
  };
  try {
    const off = await runs(7);
    const tracing = await startTracing(engine, sinkUrl);
    const on = await runs(7);
    await tracing!.shutdown();
    const offAgain = await runs(7);
    return { steps: n, offUsPerStep: (off / n) * 1000, onUsPerStep: (on / n) * 1000, offAgainUsPerStep: (offAgain / n) * 1000 };
  } finally {
    engine.close();
    sink.close();
  }
}

async function main() {
  console.log(`console bench: ${EXECUTIONS} executions, one of ${OPERATIONS} operations`);
  const times = await consoleTimes();
  for (const [label, t] of Object.entries(times)) {
    console.log(`  ${label.padEnd(34)} ${t.medianMs.toFixed(1).padStart(7)} ms median  ${(t.bytes / 1024).toFixed(0).padStart(6)} KiB  ${t.medianMs <= 50 ? "≤ 50 ms ✓" : "over 50 ms ✗"}`);
  }
  const trace = await tracingCost();
  console.log(`tracing, ${trace.steps}-step handler (median of 7 runs):`);
  console.log(`  off ${trace.offUsPerStep.toFixed(1)} µs/step, on ${trace.onUsPerStep.toFixed(1)} µs/step (+${(trace.onUsPerStep - trace.offUsPerStep).toFixed(1)} µs), off again ${trace.offAgainUsPerStep.toFixed(1)} µs/step`);
  console.log(`BENCH_CONSOLE_JSON ${JSON.stringify({ executions: EXECUTIONS, operations: OPERATIONS, times, tracing: trace })}`);
}

void main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
