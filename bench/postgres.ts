// `npm run bench` (PostgreSQL part, issue 10): the worker on PostgreSQL, on a database made for
// this run (on DURABLE_NODE_BENCH_PG, else DURABLE_NODE_TEST_PG, else the local server) and
// dropped after; each measurement gets a schema of its own in it.
//  1. 1,000 concurrent executions of the tutorial's order-processing handler (3 steps and a
//     skipped wait each) run by one worker process and by two: steps per second, and CPU per
//     step of the worker processes (their own process.cpuUsage) and of the server (every
//     `postgres` process's utime + stime from /proc, read before and after).
//  2. Per-step cost of one execution of the N-step handler at N = 1000 on PostgreSQL, beside the
//     same on a SQLite file.
//  3. 100,000 executions suspended on a callback: the worker's RSS above the same worker idle
//     (in a fresh process, as bench/throughput.ts measures it on SQLite).
// 1 and 2 run on a database with the server's default `synchronous_commit = on` (every commit
// waits for its WAL flush: on this machine's disk 3-7 ms) and on one with `synchronous_commit =
// off` (commits are not flushed one by one, as SQLite's synchronous=NORMAL does not fsync each
// commit): the first is what a durable deployment gets, the second what the engine itself costs.
// 3 measures memory on the second, so that 100,000 executions suspend in minutes.
// Medians of the runs; BENCH_QUICK=1 runs fewer and suspends 10,000; BENCH_PG_SUSPENDED=N
// suspends N (a machine that suspends few executions per second on PostgreSQL would take hours);
// BENCH_PG_EXECUTIONS=N runs N concurrent orders instead of 1,000 (a smoke run). Worker processes are child
// processes of this one (`bench/postgres.ts worker URL`), driven over stdin/stdout.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import diagnostics_channel from "node:diagnostics_channel";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";

import { loadHandler } from "../dist/cli/load-handler";
import { INVOCATION_CHANNEL, type InvocationEvent } from "../dist/engine/durable-engine";
import { DurableEngine, withDurableExecution } from "../dist/index";
import { native } from "../dist/native";
import type { WorkerLog } from "../dist/worker/log";
import { Worker } from "../dist/worker/worker";

const QUICK = process.env.BENCH_QUICK === "1";
const SERVER = process.env.DURABLE_NODE_BENCH_PG || process.env.DURABLE_NODE_TEST_PG || "postgres://postgres@127.0.0.1:5432/postgres";
const ORDER = path.join(__dirname, "..", "examples", "order-processing.ts");
const EXECUTIONS = Number(process.env.BENCH_PG_EXECUTIONS) || 1000;
const realHrtime = process.hrtime.bigint.bind(process.hrtime);
const nowMs = (): number => Number(realHrtime()) / 1e6;
const silent: WorkerLog = { event: () => undefined, follow: () => () => undefined };
const TICK_US = 1e6 / 100; // /proc times are in clock ticks of 10 ms (USER_HZ)

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

let schemas = 0;
function schemaUrl(db: string): string {
  return `${db}${db.includes("?") ? "&" : "?"}schema=bench_${++schemas}`;
}

/** CPU (µs) of every PostgreSQL server process now alive: postmaster, backends, background workers. */
function serverCpuUs(): number {
  let ticks = 0;
  for (const pid of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue;
    }
    const close = stat.lastIndexOf(")");
    if (stat.slice(stat.indexOf("(") + 1, close) !== "postgres") continue;
    const fields = stat.slice(close + 2).split(" ");
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
  }
  return ticks * TICK_US;
}

// ---- the worker process -------------------------------------------------------------------

async function workerProcess(url: string): Promise<void> {
  const { handler } = await loadHandler(ORDER, "handler");
  const engine = DurableEngine.open({ url, skipTime: true, groupCommit: true });
  engine.register("order-processing", handler);
  const worker = new Worker(engine, silent, { concurrency: EXECUTIONS });
  diagnostics_channel.channel(INVOCATION_CHANNEL).subscribe((message) => {
    const e = message as InvocationEvent;
    if (e.phase === "completed") process.stdout.write(e.status === "PENDING" ? "P\n" : "E\n");
  });
  let cpu0 = process.cpuUsage();
  const lines = readline.createInterface({ input: process.stdin });
  process.stdout.write("READY\n");
  for await (const line of lines) {
    if (line === "GO") {
      cpu0 = process.cpuUsage();
      worker.start();
    } else if (line === "STOP") {
      const cpu = process.cpuUsage(cpu0);
      await worker.shutdown();
      engine.close();
      const shared = engine.checkpointStats();
      process.stdout.write(`CPU ${cpu.user + cpu.system} ${shared.requests} ${shared.transactions}\n`);
      process.exit(0);
    }
  }
}

/**
 * Gives the planner statistics of the tables just filled, as autovacuum would on a database in
 * use. Without them (a table filled seconds ago) it reads the claim query through the
 * (function, status) index and scans every running execution on every claim (docs/deploying.md).
 */
function analyze(url: string): void {
  native.postgresExecute(url, "ANALYZE executions, operations, events, timers");
}

// ---- 1. order processing on one and two workers -------------------------------------------

interface Child {
  proc: ChildProcess;
  lines: string[];
  /** Exited, its output read to the end. */
  closed: boolean;
}

/** Called whenever any worker process prints a line. */
const onLine = new Set<() => void>();

/**
 * `ledger`: the side-effect ledger the tutorial's services append to and the payment service
 * reads back on every charge. One per run: a ledger shared by every run (the default, in the
 * working directory) grows by 4,000 lines a run, and each charge filters all of it, so later
 * runs would measure the ledger rather than the engine.
 */
function spawnWorker(url: string, ledger: string): Child {
  const env = { ...process.env, DURABLE_LEDGER: ledger };
  const proc = spawn(process.execPath, ["--import", "tsx", __filename, "worker", url], { stdio: ["pipe", "pipe", "inherit"], env });
  const child: Child = { proc, lines: [], closed: false };
  readline.createInterface({ input: proc.stdout! }).on("line", (l) => {
    child.lines.push(l);
    for (const f of onLine) f();
  });
  proc.on("close", () => {
    child.closed = true;
    for (const f of onLine) f();
  });
  return child;
}

function until(children: Child[], done: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      // A worker exits only after reporting its CPU time; before that, an exit is a failure.
      const dead = children.find((c) => c.closed && !c.lines.some((l) => l.startsWith("CPU ")));
      if (done() || dead) onLine.delete(check);
      if (done()) resolve();
      else if (dead) reject(new Error(`a worker process exited early (${dead.proc.exitCode})`));
    };
    onLine.add(check);
    check();
  });
}

interface OrderRun {
  stepsPerSecond: number;
  workerCpuUsPerStep: number;
  serverCpuUsPerStep: number;
}

async function orderRun(db: string, workers: number, executions: number): Promise<OrderRun> {
  const url = schemaUrl(db);
  const starter = DurableEngine.open({ url });
  // Registered only so that starting is allowed: this engine runs nothing.
  starter.register("order-processing", (await loadHandler(ORDER, "handler")).handler);
  for (let i = 0; i < executions; i++) {
    starter.start("order-processing", { orderId: `order-${i}`, customerId: `c-${i % 97}`, amount: 10 + (i % 50) });
  }
  analyze(url);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "durable-bench-pg-ledger-"));
  const children = Array.from({ length: workers }, () => spawnWorker(url, path.join(dir, "ledger.jsonl")));
  try {
    await until(children, () => children.every((c) => c.lines.includes("READY")));
    // "E": an invocation ended its execution; "P": one suspended (on the order's wait).
    const ended = () => children.reduce((n, c) => n + c.lines.filter((l) => l === "E").length, 0);
    const server0 = serverCpuUs();
    const t0 = nowMs();
    for (const c of children) c.proc.stdin!.write("GO\n");
    await until(children, () => ended() >= executions);
    const seconds = (nowMs() - t0) / 1000;
    const serverUs = serverCpuUs() - server0;
    for (const c of children) c.proc.stdin!.write("STOP\n");
    await until(children, () => children.every((c) => c.lines.some((l) => l.startsWith("CPU "))));
    const workerUs = children.reduce((n, c) => n + Number(c.lines.find((l) => l.startsWith("CPU "))!.split(" ")[1]), 0);
    const succeeded = starter.list({ status: "SUCCEEDED" }).length;
    if (succeeded !== executions) throw new Error(`${executions - succeeded} executions did not succeed`);
    const steps = 3 * executions; // validate, charge, confirm
    return { stepsPerSecond: steps / seconds, workerCpuUsPerStep: workerUs / steps, serverCpuUsPerStep: serverUs / steps };
  } finally {
    for (const c of children) if (c.proc.exitCode === null) c.proc.kill("SIGKILL");
    starter.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---- 2. one execution of N steps ----------------------------------------------------------

function stepsHandler(n: number) {
  return withDurableExecution(async (_event: unknown, ctx) => {
    let acc = 0;
    for (let i = 0; i < n; i++) acc += await ctx.step(async () => i);
    return acc;
  });
}

async function perStepUs(open: { url: string } | { path: string }, n: number, runs: number): Promise<number> {
  const engine = DurableEngine.open({ ...open, skipTime: true });
  engine.register("steps", stepsHandler(n));
  try {
    const times: number[] = [];
    for (let r = 0; r <= runs; r++) {
      const t0 = nowMs();
      const record = await engine.run("steps", {});
      const ms = nowMs() - t0;
      if (record.Status !== "SUCCEEDED" || JSON.parse(record.Result!) !== (n * (n - 1)) / 2) throw new Error(`steps run: ${record.Status}`);
      if (r > 0) times.push(ms); // the first run warms up
    }
    return (median(times) * 1000) / n;
  } finally {
    engine.close();
  }
}

// ---- 3. suspended executions --------------------------------------------------------------

function rssMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss / 1024 / 1024;
}

async function suspendedProcess(url: string, executions: number): Promise<void> {
  const engine = DurableEngine.open({ url, groupCommit: true });
  engine.register(
    "awaits-approval",
    withDurableExecution(async (event: { id: number }, ctx) => {
      const approval = await ctx.waitForCallback("approval", async () => undefined, { timeout: { days: 7 } });
      return { id: event.id, approval };
    }),
  );
  const worker = new Worker(engine, silent, { concurrency: 256 });
  const channel = diagnostics_channel.channel(INVOCATION_CHANNEL);
  worker.start();
  await new Promise((r) => setTimeout(r, 500));
  const idleMb = rssMb();
  let suspended = 0;
  const all = new Promise<void>((resolve) => {
    channel.subscribe((message) => {
      const e = message as InvocationEvent;
      if (e.phase === "completed" && e.status === "PENDING" && ++suspended === executions) resolve();
    });
  });
  const t0 = nowMs();
  for (let i = 0; i < executions; i++) {
    engine.start("awaits-approval", { id: i });
    if (i === 999) analyze(url);
  }
  await all;
  const seconds = (nowMs() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 500));
  const suspendedMb = rssMb();
  await worker.shutdown();
  engine.close();
  console.log(JSON.stringify({ idleMb, suspendedMb, seconds }));
}

// ---- the run ------------------------------------------------------------------------------

/** Creates database `name` on the server, with `synchronous_commit` as given for every session. */
function createDatabase(name: string, synchronousCommit: boolean): string {
  const url = native.postgresCreateDatabase(SERVER, name);
  if (!synchronousCommit) native.postgresExecute(url, `ALTER DATABASE ${name} SET synchronous_commit = off`);
  return url;
}

async function ordersOn(db: string, runs: number): Promise<Record<number, OrderRun>> {
  const orders: Record<number, OrderRun> = {};
  for (const workers of [1, 2]) {
    await orderRun(db, workers, 100); // warm-up (the server's caches, the handler's first load)
    const measured: OrderRun[] = [];
    for (let r = 0; r < runs; r++) measured.push(await orderRun(db, workers, EXECUTIONS));
    const pick = (k: keyof OrderRun) => median(measured.map((m) => m[k]));
    orders[workers] = { stepsPerSecond: pick("stepsPerSecond"), workerCpuUsPerStep: pick("workerCpuUsPerStep"), serverCpuUsPerStep: pick("serverCpuUsPerStep") };
    console.error(`  ${workers} worker(s): ${measured.map((m) => m.stepsPerSecond.toFixed(0)).join(", ")} steps/s`);
  }
  return orders;
}

async function main(): Promise<void> {
  const base = `durable_bench_${process.pid}_${Math.random().toString(16).slice(2, 8)}`;
  const names = [base, `${base}_async`];
  try {
    const durable = createDatabase(names[0], true);
    const unflushed = createDatabase(names[1], false);
    const runs = QUICK ? 1 : 3;
    console.error("order processing, synchronous_commit = on (the default)...");
    const onDisk = await ordersOn(durable, runs);
    console.error("order processing, synchronous_commit = off...");
    const offDisk = await ordersOn(unflushed, runs);

    const stepRuns = QUICK ? 1 : 3;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "durable-bench-pg-"));
    let single: { postgres: number; postgresUnflushed: number; sqlite: number };
    try {
      single = {
        postgres: await perStepUs({ url: schemaUrl(durable) }, 1000, stepRuns),
        postgresUnflushed: await perStepUs({ url: schemaUrl(unflushed) }, 1000, stepRuns),
        sqlite: await perStepUs({ path: path.join(dir, "steps.db") }, 1000, stepRuns),
      };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }

    // Memory, not speed: on the unflushed database, so that suspending them takes minutes.
    const suspendedCount = Number(process.env.BENCH_PG_SUSPENDED) || (QUICK ? 10_000 : 100_000);
    console.error(`${suspendedCount} suspended executions...`);
    const child = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", __filename, "suspended", schemaUrl(unflushed), String(suspendedCount)], {
      encoding: "utf8",
      maxBuffer: 16 * 1024 * 1024,
    });
    if (child.status !== 0) throw new Error(`suspended run failed: ${child.stderr}`);
    const memory = JSON.parse(child.stdout.trim().split("\n").at(-1)!) as { idleMb: number; suspendedMb: number; seconds: number };

    console.log(`\nPostgreSQL (${SERVER.replace(/:[^:@/]*@/, ":***@")}; ${os.cpus().length} cores shared by the workers, the server and this process), ${EXECUTIONS} concurrent order-processing executions, medians of ${runs}:`);
    const table: Record<string, unknown> = {};
    for (const [mode, orders] of [["synchronous_commit=on", onDisk], ["synchronous_commit=off", offDisk]] as const) {
      const [one, two] = [orders[1], orders[2]];
      const scaling = two.stepsPerSecond / one.stepsPerSecond;
      console.log(`  ${mode}:`);
      for (const [label, r] of [["one worker", one], ["two workers", two]] as const) {
        console.log(`    ${label.padEnd(12)} ${r.stepsPerSecond.toFixed(0).padStart(6)} steps/s   CPU per step: worker(s) ${r.workerCpuUsPerStep.toFixed(0)} µs, server ${r.serverCpuUsPerStep.toFixed(0)} µs`);
      }
      console.log(`    combined ${two.stepsPerSecond.toFixed(0)} steps/s (target ≥ 10000 -> ${two.stepsPerSecond >= 10_000 ? "MET" : "NOT MET"}); two ÷ one ${scaling.toFixed(2)}× (target ≥ 1.6× -> ${scaling >= 1.6 ? "MET" : "NOT MET"})`);
      table[mode] = { ...orders, scaling };
    }
    console.log(`\nOne execution of 1000 steps, per step: PostgreSQL ${single.postgres.toFixed(0)} µs (synchronous_commit=off: ${single.postgresUnflushed.toFixed(0)} µs), SQLite file ${single.sqlite.toFixed(0)} µs`);
    const above = memory.suspendedMb - memory.idleMb;
    console.log(`\n${suspendedCount.toLocaleString("en")} executions suspended on PostgreSQL (waitForCallback; ${memory.seconds.toFixed(0)} s to start and suspend them): RSS ${memory.suspendedMb.toFixed(1)} MB, idle worker ${memory.idleMb.toFixed(1)} MB`);
    const perExecution = (above * 1024 * 1024) / suspendedCount;
    const verdict = suspendedCount === 100_000 ? (above <= 50 ? "MET" : "NOT MET") : `not measured at 100,000 (${((perExecution * 100_000) / 1024 / 1024).toFixed(1)} MB if it grew linearly)`;
    console.log(`  ${above.toFixed(1)} MB above idle (${perExecution.toFixed(0)} bytes per execution)   target ≤ 50 MB for 100,000 -> ${verdict}`);
    console.log("POSTGRES_JSON " + JSON.stringify({ quick: QUICK, orders: table, singleExecutionUsPerStep: single, memory: { ...memory, executions: suspendedCount } }));
  } finally {
    for (const name of names) native.postgresDropDatabase(SERVER, name);
  }
}

const [mode, a, b] = process.argv.slice(2);
const done = mode === "worker" ? workerProcess(a) : mode === "suspended" ? suspendedProcess(a, Number(b)) : main().then(() => process.exit(0));
done.catch((e) => {
  console.error(e);
  process.exit(1);
});
