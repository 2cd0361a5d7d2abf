// The chaos campaign (issue 5 §3). The tutorial (examples/order-processing.ts, function
// "orders") and a 50-step workflow with waits, retries, at-most-once steps and a callback
// (chaos/workflow.ts, function "workflow") run under `durable-node worker` on one SQLite file.
// The driver keeps a number of executions running, SIGKILLs the worker at random moments,
// restarts it at once, and repeats until the kill target is reached; then a last worker runs
// every execution to its end and is stopped with SIGTERM. The driver completes each workflow's
// callback with `durable-node callback succeed` (another process) once `CallbackStarted` is in
// the history. At the end it reads the ledgers, each execution's history through
// `durable-node history --json`, the statuses through `durable-node list --json`, and runs
// `durable-node check` (PRAGMA integrity_check).
//
// FACTS THE CHECKS REST ON
//   F1 Every side effect writes one ledger line from inside the step function, before the
//      function returns, with one synchronous O_APPEND write. A line exists iff that run of
//      the step function happened. (Workflow steps: chaos/workflow.ts; tutorial: the example
//      services' ledger, examples/services/ledger.ts.)
//   F2 The ledgers are append-only, so the order of lines in a file is the order in which the
//      runs' side effects happened.
//   F3 A run's result is checkpointed only after its line was written, so a StepSucceeded
//      event records a run whose line is already in the file — for workflow steps, exactly the
//      run whose nonce the recorded result carries (the nonce is fresh per run).
//   F4 The only processes that can die without finishing their invocations are the workers
//      the driver SIGKILLed (their pids are recorded). The last worker ends by SIGTERM.
//
// WHAT IS ASSERTED (each failure is a counted violation; the campaign passes with 0)
//   V1 finished: every execution ended SUCCEEDED with exactly the expected result (workflow:
//      Σi² over the 50 steps, the callback payload, the flaky step's success on attempt 3;
//      tutorial: completed, or rejected for the blocked customers).
//   V2 committed once: every step has exactly one StepSucceeded, and exactly one ledger line
//      carries the nonce of its recorded result (tutorial: the payment's chargeId `ch_<order>_k`
//      names the k-th charge line of the order).
//   V3 no run after commit: the committed run's line is the LAST line of that step (F2). A run
//      started after the success was committed would append after it (F3), whatever process
//      ran it, so "last" is exactly "no committed step ran again". Backed by the clock: no
//      line's time is later than its StepSucceeded timestamp (same host clock; the tutorial's
//      validate/confirm lines carry no nonce, so for them this is the check). Likewise for
//      failed attempts (the flaky step's designed failures, at-most-once interruptions): attempt
//      a+1 starts only once attempt a's StepFailed is committed, so attempt numbers never
//      decrease in file order and no run of attempt a is timed after its StepFailed.
//   V4 re-runs are explained by kills: every other line of a step (a run whose outcome was
//      never checkpointed) comes from a SIGKILLed worker, and each killed worker explains at
//      most one such line per step (a process that is killed was running a step at most once
//      at that moment; a live process never abandons a run, F4). So the extra runs are at
//      most one per kill per step. The flaky step's designed failures are outcomes, not
//      re-runs: the last line of each of its failing attempts is the run whose retry was
//      recorded (had it been killed first, the same attempt would have run again after it).
//   V5 at most once per retry: for AtMostOncePerRetry steps, at most one line per attempt
//      number. An attempt interrupted by a kill is recorded as a StepFailed (interrupted) and
//      the next attempt runs; for these steps, recorded failures = committed attempt − 1.
//   V6 attempts: at-least-once steps that never fail succeed on attempt 1 (a kill does not
//      consume an attempt); the flaky step records exactly 2 failures and succeeds on
//      attempt 3.
//   V7 history: EventIds are 1..n without gaps or repeats; the ledger has no torn lines and
//      no lines of unknown executions or steps.
//   V8 the database passes PRAGMA integrity_check.
// Not asserted: when a run happened relative to the kill that explains it (a kill is not
// observable from inside the step); the counts only bound the re-runs by the kills.
//
// RECOVERY TIME: for each kill that interrupted invocations (an invocation started and not
// ended in the killed worker's log), the time from spawning the next worker to that worker's
// first checkpoint of one of those executions (a step succeeded/failed/retried, or the
// invocation completed) — the worker's start-up included. Also: spawn → "worker ready".

import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";

import type { DurableEngine as DurableEngineType } from "../ts/engine/durable-engine";
import { AT_MOST_ONCE, FLAKY, FLAKY_FAILURES, STEPS, callbackPayload, expectedResult, stepName, type StepValue, type WorkflowLedgerLine } from "./shape";

export interface ChaosOptions {
  /** SIGKILLs to deliver (the full run: 500). */
  kills: number;
  /** Workflow executions kept running while killing. */
  workflows: number;
  /** Tutorial executions kept running while killing. */
  orders: number;
  /** A kill comes at a uniformly random moment up to this long after the worker is ready. */
  killMaxMs: number;
  /** Share of the kills aimed at a random moment of the worker's start-up instead. */
  startupKills: number;
  /** Worker --concurrency. */
  concurrency: number;
  /** How long the last worker may take to finish everything. */
  finishTimeoutMs: number;
  seed: number;
  /** Working directory (database, ledgers, worker logs); a fresh temp dir by default. */
  dir?: string;
  /** Progress lines. */
  progress?: (line: string) => void;
}

export const FULL: ChaosOptions = {
  kills: 500,
  workflows: 6,
  orders: 3,
  killMaxMs: 1000,
  startupKills: 0.1,
  concurrency: 8,
  finishTimeoutMs: 120_000,
  seed: Date.now() % 1_000_000,
};

export interface Violation {
  rule: string;
  execution?: string;
  step?: string;
  detail: string;
}

export interface Stats {
  median: number;
  p95: number;
  max: number;
  n: number;
}

export interface ChaosReport {
  seed: number;
  dir: string;
  wallMs: number;
  executions: { workflow: number; orders: number; rejectedOrders: number; finishedRight: number };
  kills: number;
  killsDuringStartup: number;
  workerStarts: number;
  stepsRun: number;
  workflowStepRuns: number;
  tutorialSideEffects: number;
  rerunsAfterKill: number;
  atMostOnceInterrupted: { withSideEffect: number; beforeSideEffect: number };
  recoveredInvocations: number;
  callbacksSent: number;
  violations: Violation[];
  integrity: string[];
  recovery: { restartToCheckpoint: Stats; killToCheckpoint: Stats; restartToReady: Stats; readyToCheckpoint: Stats; unobserved: number };
  workerWarnings: Record<string, number>;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function rng(seed: number): () => number {
  let a = seed >>> 0 || 1;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function stats(values: number[]): Stats {
  if (values.length === 0) return { median: NaN, p95: NaN, max: NaN, n: 0 };
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { median: at(0.5), p95: at(0.95), max: s[s.length - 1], n: s.length };
}

/** The repository root: the directory holding bin/durable-node.js, from the cwd upwards. */
function repoRoot(): string {
  for (let dir = process.cwd(); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "bin", "durable-node.js")) && existsSync(path.join(dir, "chaos", "durable.config.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error("run the chaos campaign from the durable-node repository");
  }
}

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.DURABLE_CRASH_AFTER;
  return env;
}

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(root: string, args: string[], timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, "bin", "durable-node.js"), ...args], { cwd: root, env: childEnv({}), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`durable-node ${args.join(" ")} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

// ---------------------------------------------------------------------------------------------
// The worker process and its JSON log

interface LogLine {
  at: number;
  entry: Record<string, any>;
}

class WorkerProc {
  readonly spawnedAt = Date.now();
  readonly pid: number;
  readonly lines: LogLine[] = [];
  stderr = "";
  readyAt: number | undefined;
  readonly ready: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private partial = "";
  private readonly listeners: ((line: LogLine) => void)[] = [];

  constructor(root: string, args: string[], env: Record<string, string>) {
    const child = spawn(process.execPath, [path.join(root, "bin", "durable-node.js"), ...args], { cwd: root, env: childEnv(env), stdio: ["ignore", "pipe", "pipe"] });
    this.pid = child.pid!;
    let markReady: () => void = () => {};
    this.ready = new Promise((r) => (markReady = r));
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      const text = this.partial + chunk;
      const parts = text.split("\n");
      this.partial = parts.pop()!;
      for (const raw of parts) {
        if (raw.trim() === "") continue;
        let entry: Record<string, any>;
        try {
          entry = JSON.parse(raw);
        } catch {
          entry = { level: "raw", msg: raw };
        }
        const at = typeof entry.time === "string" ? Date.parse(entry.time) : Date.now();
        const line = { at, entry };
        this.lines.push(line);
        if (entry.event === "worker" && /^worker ready/.test(entry.msg ?? "")) {
          this.readyAt = at;
          markReady();
        }
        for (const l of this.listeners) l(line);
      }
    });
    child.stderr.setEncoding("utf8").on("data", (c: string) => (this.stderr += c));
    this.exited = new Promise((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code, signal) => resolve({ code, signal }));
    });
    this.kill = (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
  }

  readonly kill: (signal: NodeJS.Signals) => void;

  onLine(fn: (line: LogLine) => void): void {
    this.listeners.push(fn);
  }

  /** Executions with an invocation started and not ended in this worker's log. */
  inFlight(): Set<string> {
    const open = new Set<string>();
    for (const { entry } of this.lines) {
      if (entry.event !== "invocation") continue;
      if (entry.phase === "started") open.add(entry.executionArn);
      else open.delete(entry.executionArn);
    }
    return open;
  }
}

/** A log line that shows a checkpoint of `arn` committed by this worker. */
function isCheckpoint(entry: Record<string, any>): boolean {
  if (entry.event === "operation") return entry.phase === "succeeded" || entry.phase === "failed" || entry.phase === "retrying";
  return entry.event === "invocation" && entry.phase === "completed";
}

// ---------------------------------------------------------------------------------------------
// Executions

interface Exec {
  name: string;
  kind: "workflow" | "orders";
  arn: string;
  input: Record<string, any>;
  expected: unknown;
  blocked: boolean;
  status: string;
  callbackSent: boolean;
  callbackBusy: boolean;
  callbackErrors: number;
}

// ---------------------------------------------------------------------------------------------
// The campaign

export async function runChaos(partial: Partial<ChaosOptions> = {}): Promise<ChaosReport> {
  const options: ChaosOptions = { ...FULL, ...partial };
  const say = options.progress ?? (() => {});
  const root = repoRoot();
  const dir = options.dir ?? mkdtempSync(path.join(os.tmpdir(), "durable-chaos-"));
  mkdirSync(dir, { recursive: true });
  const db = path.join(dir, "chaos.db");
  const workflowLedger = path.join(dir, "workflow-ledger.jsonl");
  const ordersLedger = path.join(dir, "orders-ledger.jsonl");
  const config = path.join(root, "chaos", "durable.config.json");
  const random = rng(options.seed);
  const started = Date.now();

  const { DurableEngine } = createRequire(path.join(root, "package.json"))("./dist/index.js") as { DurableEngine: typeof DurableEngineType };
  const engine = DurableEngine.open({ path: db });

  const executions: Exec[] = [];
  const active = new Set<Exec>();
  let counter = 0;
  let callbacksSent = 0;
  const pendingCallbacks = new Set<Promise<void>>();

  const startExecution = (kind: Exec["kind"]) => {
    const n = ++counter;
    const name = `${kind === "workflow" ? "wf" : "order"}-${n}`;
    let input: Record<string, any>;
    let expected: unknown;
    let blocked = false;
    if (kind === "workflow") {
      input = { id: name };
      expected = expectedResult(name);
    } else {
      blocked = n % 4 === 0;
      const orderId = `order-${name}`;
      input = { orderId, customerId: `${blocked ? "blocked" : "cust"}-${name}`, amount: 10 + (n % 90) };
      expected = blocked ? { status: "rejected", reason: "Invalid Customer" } : { status: "completed", orderId };
    }
    const fn = kind === "workflow" ? "workflow" : "orders";
    const { execution } = engine.native.startExecution(fn, name, JSON.stringify(input));
    const exec: Exec = { name, kind, arn: execution.DurableExecutionArn, input, expected, blocked, status: "RUNNING", callbackSent: false, callbackBusy: false, callbackErrors: 0 };
    executions.push(exec);
    active.add(exec);
  };

  let killing = true;
  const topUp = () => {
    if (!killing) return;
    const count = (kind: Exec["kind"]) => [...active].filter((e) => e.kind === kind).length;
    while (count("workflow") < options.workflows) startExecution("workflow");
    while (count("orders") < options.orders) startExecution("orders");
  };

  // The poller: notices finished executions, completes callbacks, keeps the pool full.
  let polling = true;
  const poll = async () => {
    while (polling) {
      for (const exec of [...active]) {
        const record = engine.get(exec.arn);
        if (record.Status !== "RUNNING") {
          exec.status = record.Status;
          active.delete(exec);
          continue;
        }
        if (exec.kind !== "workflow" || exec.callbackSent || exec.callbackBusy) continue;
        const started = engine.history(exec.arn).find((e) => e.EventType === "CallbackStarted") as { CallbackStartedDetails: { CallbackId: string } } | undefined;
        if (!started) continue;
        exec.callbackBusy = true;
        const id = started.CallbackStartedDetails.CallbackId;
        const p = runCli(root, ["callback", "succeed", id, "--payload", callbackPayload(exec.name), "--db", db])
          .then((r) => {
            if (r.code === 0) {
              exec.callbackSent = true;
              callbacksSent++;
            } else exec.callbackErrors++;
          })
          .catch(() => void exec.callbackErrors++)
          .finally(() => {
            exec.callbackBusy = false;
            pendingCallbacks.delete(p);
          });
        pendingCallbacks.add(p);
      }
      topUp();
      await sleep(100);
    }
  };

  const workerArgs = ["worker", "--db", db, "--config", config, "--no-http", "--json", "--concurrency", String(options.concurrency), "--shutdown-timeout", "5000"];
  const workerEnv = { CHAOS_LEDGER: workflowLedger, DURABLE_LEDGER: ordersLedger };
  const workers: WorkerProc[] = [];
  const killedPids = new Set<number>();
  const restartToCheckpoint: number[] = [];
  const killToCheckpoint: number[] = [];
  const restartToReady: number[] = [];
  const readyToCheckpoint: number[] = [];
  let unobserved = 0;
  let killsDuringStartup = 0;
  let pendingRecovery: { arns: Set<string>; killAt: number } | undefined;

  const spawnWorker = (): WorkerProc => {
    const worker = new WorkerProc(root, workerArgs, workerEnv);
    workers.push(worker);
    // Each worker's log is kept in the working directory (worker-<n>-<pid>.log).
    const logFile = path.join(dir, `worker-${String(workers.length).padStart(4, "0")}-${worker.pid}.log`);
    worker.onLine(({ entry }) => appendFileSync(logFile, JSON.stringify(entry) + "\n"));
    const recovery = pendingRecovery;
    pendingRecovery = undefined;
    if (recovery) {
      let measured = false;
      worker.onLine(({ at, entry }) => {
        if (measured || !recovery.arns.has(entry.executionArn) || !isCheckpoint(entry)) return;
        measured = true;
        restartToCheckpoint.push(at - worker.spawnedAt);
        if (worker.readyAt !== undefined) readyToCheckpoint.push(at - worker.readyAt);
        killToCheckpoint.push(at - recovery.killAt);
      });
      void worker.exited.then(() => {
        if (!measured) unobserved++;
      });
    }
    void worker.ready.then(() => restartToReady.push(worker.readyAt! - worker.spawnedAt));
    return worker;
  };

  topUp();
  const poller = poll();
  try {
    for (let kills = 0; kills < options.kills; ) {
      const worker = spawnWorker();
      const duringStartup = random() < options.startupKills;
      if (duringStartup) {
        await sleep(random() * 1500);
      } else {
        let timer: NodeJS.Timeout | undefined;
        const ready = await Promise.race([worker.ready.then(() => true), worker.exited.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 60_000)))]);
        clearTimeout(timer);
        if (!ready) throw new Error(`worker ${worker.pid} did not become ready:\n${worker.stderr}\n${worker.lines.map((l) => l.entry.msg).join("\n")}`);
        await sleep(random() * options.killMaxMs);
      }
      if (duringStartup && worker.readyAt === undefined) killsDuringStartup++;
      const killAt = Date.now();
      worker.kill("SIGKILL");
      const exit = await worker.exited;
      if (exit.signal !== "SIGKILL") throw new Error(`worker ${worker.pid} ended with ${exit.signal ?? exit.code} before the kill:\n${worker.stderr}`);
      killedPids.add(worker.pid);
      kills++;
      const inFlight = worker.inFlight();
      if (inFlight.size > 0) pendingRecovery = { arns: inFlight, killAt };
      if (kills % 25 === 0 || kills === options.kills) {
        const done = executions.filter((e) => e.status !== "RUNNING").length;
        say(`  ${kills}/${options.kills} kills, ${executions.length} executions started, ${done} finished (${Math.round((Date.now() - started) / 1000)} s)`);
      }
    }
    killing = false;

    // The last worker runs everything to its end; it is not killed.
    const last = spawnWorker();
    const deadline = Date.now() + options.finishTimeoutMs;
    while ((active.size > 0 || pendingCallbacks.size > 0) && Date.now() < deadline) await sleep(100);
    last.kill("SIGTERM");
    const exit = await last.exited;
    if (exit.code !== 0) say(`  the last worker exited with ${exit.signal ?? exit.code}:\n${last.stderr}`);
  } finally {
    polling = false;
    await poller;
    await Promise.all([...pendingCallbacks]);
    for (const w of workers) w.kill("SIGKILL");
    engine.close();
  }
  say(`  verifying ${executions.length} executions…`);

  // What verification needs, kept with the files so a campaign can be checked again later.
  const campaign: Campaign = {
    executions: executions.map(({ name, kind, arn, input, expected, blocked }) => ({ name, kind, arn, input, expected, blocked })),
    killedPids: [...killedPids],
    livePids: workers.map((w) => w.pid).filter((pid) => !killedPids.has(pid)),
  };
  writeFileSync(path.join(dir, "campaign.json"), JSON.stringify(campaign, null, 1) + "\n");
  const report = await verifyCampaign(dir);
  const warnings: Record<string, number> = {};
  for (const w of workers) {
    for (const { entry } of w.lines) {
      if (entry.level !== "warn" && entry.level !== "error" && entry.level !== "raw") continue;
      const key = `${entry.level}: ${String(entry.msg).replace(/\[[^\]]*\]/g, "[…]").replace(/\d+/g, "N").slice(0, 120)}`;
      warnings[key] = (warnings[key] ?? 0) + 1;
    }
    if (w.stderr.trim()) warnings[`stderr: ${w.stderr.trim().split("\n")[0].slice(0, 120)}`] = (warnings[`stderr: ${w.stderr.trim().split("\n")[0].slice(0, 120)}`] ?? 0) + 1;
  }
  return {
    ...report,
    seed: options.seed,
    dir,
    wallMs: Date.now() - started,
    kills: killedPids.size,
    killsDuringStartup,
    workerStarts: workers.length,
    callbacksSent,
    recovery: {
      restartToCheckpoint: stats(restartToCheckpoint),
      killToCheckpoint: stats(killToCheckpoint),
      restartToReady: stats(restartToReady),
      readyToCheckpoint: stats(readyToCheckpoint),
      unobserved,
    },
    workerWarnings: warnings,
  };
}

// ---------------------------------------------------------------------------------------------
// Verification

/** `campaign.json` in a campaign's directory. */
export interface Campaign {
  executions: Pick<Exec, "name" | "kind" | "arn" | "input" | "expected" | "blocked">[];
  /** Workers the driver SIGKILLed. */
  killedPids: number[];
  /** Workers that were not killed (the last one). */
  livePids: number[];
}

export type Verification = Omit<ChaosReport, "seed" | "dir" | "wallMs" | "kills" | "killsDuringStartup" | "workerStarts" | "callbacksSent" | "recovery" | "workerWarnings">;

/**
 * Checks a finished campaign from its files (chaos.db, the two ledgers, campaign.json) — V1…V8
 * above. `ledgers` replaces the ledger files (the spec checks that tampered ledgers are caught).
 */
export async function verifyCampaign(dir: string, ledgers: { workflow?: string; orders?: string } = {}): Promise<Verification> {
  const campaign = JSON.parse(readFileSync(path.join(dir, "campaign.json"), "utf8")) as Campaign;
  return verify({
    root: repoRoot(),
    db: path.join(dir, "chaos.db"),
    executions: campaign.executions,
    killedPids: new Set(campaign.killedPids),
    workflowLedger: ledgers.workflow ?? path.join(dir, "workflow-ledger.jsonl"),
    ordersLedger: ledgers.orders ?? path.join(dir, "orders-ledger.jsonl"),
  });
}

interface VerifyInput {
  root: string;
  db: string;
  executions: Campaign["executions"];
  killedPids: Set<number>;
  workflowLedger: string;
  ordersLedger: string;
}

type Event = Record<string, any>;

function readLines<T>(file: string, violations: Violation[]): { line: T; index: number }[] {
  if (!existsSync(file)) return [];
  const out: { line: T; index: number }[] = [];
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((raw, index) => {
      if (raw.trim() === "") return;
      try {
        out.push({ line: JSON.parse(raw) as T, index });
      } catch {
        violations.push({ rule: "V7 torn ledger line", detail: `${path.basename(file)}:${index + 1}: ${raw.slice(0, 80)}` });
      }
    });
  return out;
}

async function verify(input: VerifyInput): Promise<Verification> {
  const { root, db, executions, killedPids } = input;
  type Exec = VerifyInput["executions"][number];
  const violations: Violation[] = [];
  const add = (rule: string, exec: Exec | undefined, step: string | undefined, detail: string) => violations.push({ rule, execution: exec?.name, step, detail });

  // The database through the CLI: statuses, histories, integrity.
  const listed = JSON.parse((await runCli(root, ["list", "--db", db, "--json"])).stdout).DurableExecutions as { DurableExecutionName: string; Status: string }[];
  const statusOf = new Map(listed.map((e) => [e.DurableExecutionName, e.Status]));
  const histories = await mapLimit(executions, 8, async (exec) => {
    const r = await runCli(root, ["history", exec.arn, "--db", db, "--json"]);
    if (r.code !== 0) throw new Error(`durable-node history ${exec.arn} failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split("\n").pop()!).Events as Event[];
  });
  const check = await runCli(root, ["check", "--db", db, "--json"]);
  const checked = JSON.parse(check.stdout.trim() || "{}") as { ok?: boolean; problems?: string[] };
  const integrity = checked.ok ? ["ok"] : (checked.problems ?? [check.stderr.trim() || `exit ${check.code}`]);
  if (!checked.ok) add("V8 integrity_check", undefined, undefined, integrity.join("; "));

  // Ledgers, grouped by execution and step in file order.
  const wfLines = readLines<WorkflowLedgerLine>(input.workflowLedger, violations);
  const orderLines = readLines<{ service: string; action: string; at: string; pid: number; customerId?: string; orderId?: string; chargeId?: string }>(input.ordersLedger, violations);
  const byName = new Map(executions.map((e) => [e.name, e]));
  const wfGroups = new Map<string, WorkflowLedgerLine[]>();
  for (const { line, index } of wfLines) {
    const exec = byName.get(line.exec);
    if (!exec || exec.kind !== "workflow" || !/^s\d\d$/.test(line.step) || Number(line.step.slice(1)) > STEPS) {
      add("V7 unknown ledger line", undefined, undefined, `workflow ledger line ${index + 1}: ${JSON.stringify(line)}`);
      continue;
    }
    const key = `${line.exec}/${line.step}`;
    wfGroups.set(key, [...(wfGroups.get(key) ?? []), line]);
  }

  let workflowStepRuns = wfLines.length;
  let rerunsAfterKill = 0;
  let amoWithEffect = 0;
  let amoBeforeEffect = 0;
  let recoveredInvocations = 0;
  let finishedRight = 0;

  /** V4: lines that are not outcomes must each come from a different killed worker. */
  const explainedByKills = (exec: Exec, step: string, lines: { pid: number }[]) => {
    const seen = new Set<number>();
    for (const l of lines) {
      if (!killedPids.has(l.pid)) add("V4 re-run not explained by a kill", exec, step, `a run by pid ${l.pid}, which was not killed, never reached a checkpoint`);
      else if (seen.has(l.pid)) add("V4 re-run not explained by a kill", exec, step, `killed pid ${l.pid} ran the step twice without a checkpoint`);
      seen.add(l.pid);
    }
  };

  executions.forEach((exec, i) => {
    const events = histories[i];
    // V7: event ids 1..n.
    events.forEach((e, k) => {
      if (e.EventId !== k + 1) add("V7 history numbering", exec, undefined, `event #${k + 1} has EventId ${e.EventId}`);
    });
    recoveredInvocations += events.filter((e) => e.EventType === "InvocationCompleted" && e.InvocationCompletedDetails?.Error?.Payload?.ErrorType === "Runtime.ExitError").length;
    // V1
    const status = statusOf.get(exec.name);
    const ended = events.find((e) => e.EventType === "ExecutionSucceeded");
    const result = ended?.ExecutionSucceededDetails?.Result?.Payload;
    if (status !== "SUCCEEDED" || result === undefined) add("V1 not finished right", exec, undefined, `status ${status}`);
    else if (!isDeepStrictEqual(JSON.parse(result), exec.expected)) add("V1 not finished right", exec, undefined, `result ${result}, expected ${JSON.stringify(exec.expected)}`);
    else finishedRight++;

    const stepEvents = (name: string, type: string) => events.filter((e) => e.EventType === type && e.Name === name);
    const committed = (name: string): Event | undefined => {
      const succeeded = stepEvents(name, "StepSucceeded");
      if (succeeded.length !== 1) {
        add("V2 committed once", exec, name, `${succeeded.length} StepSucceeded events`);
        return undefined;
      }
      return succeeded[0];
    };
    /** V3 (clock): no line later than the commit. */
    const notAfterCommit = (name: string, commit: Event, times: number[]) => {
      const commitMs = Date.parse(commit.EventTimestamp);
      const late = times.filter((t) => t > commitMs);
      if (late.length) add("V3 ran after its success was committed", exec, name, `${late.length} run(s) timed after the commit at ${commit.EventTimestamp}`);
    };

    if (exec.kind === "workflow") {
      for (let s = 1; s <= STEPS; s++) {
        const name = stepName(s);
        const lines = wfGroups.get(`${exec.name}/${name}`) ?? [];
        const amo = AT_MOST_ONCE.has(name);
        const failures = stepEvents(name, "StepFailed");
        const commit = committed(name);
        if (!commit) continue;
        const value = JSON.parse(commit.StepSucceededDetails.Result.Payload) as StepValue;
        const at = lines.map((l) => l.nonce).indexOf(value.nonce);
        const carriers = lines.filter((l) => l.nonce === value.nonce);
        if (carriers.length !== 1) {
          add("V2 committed once", exec, name, `${carriers.length} ledger lines carry the committed nonce`);
          continue;
        }
        if (carriers[0].attempt !== value.attempt) add("V2 committed once", exec, name, `committed attempt ${value.attempt}, its line says ${carriers[0].attempt}`);
        // V3: the committed run is the last run.
        if (at !== lines.length - 1) add("V3 ran after its success was committed", exec, name, `${lines.length - 1 - at} run(s) after the committed one (attempts ${lines.slice(at + 1).map((l) => l.attempt).join(",")})`);
        notAfterCommit(name, commit, lines.map((l) => l.t));
        // V3 for failed attempts: attempt a+1 starts only after attempt a's failure (a retry or
        // an interruption) was committed, so attempts never go back in file order, and no run
        // of attempt a is timed after its StepFailed.
        lines.forEach((l, k) => {
          if (k > 0 && l.attempt < lines[k - 1].attempt) add("V3 ran after its failure was committed", exec, name, `attempt ${l.attempt} ran after attempt ${lines[k - 1].attempt}`);
        });
        for (const f of failures) {
          const attempt = f.StepFailedDetails?.RetryDetails?.CurrentAttempt;
          const late = lines.filter((l) => l.attempt === attempt && l.t > Date.parse(f.EventTimestamp));
          if (late.length) add("V3 ran after its failure was committed", exec, name, `${late.length} run(s) of attempt ${attempt} timed after its StepFailed at ${f.EventTimestamp}`);
        }
        // Outcome lines: the committed run, and the designed failures of the flaky step.
        const outcome = new Set<WorkflowLedgerLine>([carriers[0]]);
        if (name === FLAKY) {
          for (let a = 1; a <= FLAKY_FAILURES; a++) {
            // The run whose failure was recorded is the last of its attempt before the next
            // attempt began (later ones are V3 violations above).
            const next = lines.findIndex((l) => l.attempt > a);
            const ofAttempt = lines.slice(0, next < 0 ? lines.length : next).filter((l) => l.attempt === a);
            if (ofAttempt.length === 0) add("V6 attempts", exec, name, `no run of failing attempt ${a}`);
            else outcome.add(ofAttempt[ofAttempt.length - 1]);
          }
        }
        const others = lines.filter((l) => !outcome.has(l));
        explainedByKills(exec, name, others);
        // V5 / V6
        if (amo) {
          const perAttempt = new Map<number, number>();
          for (const l of lines) perAttempt.set(l.attempt, (perAttempt.get(l.attempt) ?? 0) + 1);
          for (const [attempt, n] of perAttempt) if (n > 1) add("V5 at most once per retry", exec, name, `attempt ${attempt} ran ${n} times`);
          if (failures.length !== value.attempt - 1) add("V5 at most once per retry", exec, name, `succeeded on attempt ${value.attempt} after ${failures.length} recorded failures`);
          for (const f of failures) {
            const type = f.StepFailedDetails?.Error?.Payload?.ErrorType;
            if (type !== "StepInterruptedError") add("V5 at most once per retry", exec, name, `a failure other than an interruption: ${type}`);
          }
          amoWithEffect += others.length;
          amoBeforeEffect += Math.max(0, value.attempt - 1 - others.length);
        } else {
          rerunsAfterKill += others.length;
          const attempts = name === FLAKY ? FLAKY_FAILURES + 1 : 1;
          if (value.attempt !== attempts) add("V6 attempts", exec, name, `succeeded on attempt ${value.attempt}, expected ${attempts}`);
          if (failures.length !== attempts - 1) add("V6 attempts", exec, name, `${failures.length} recorded failures, expected ${attempts - 1}`);
          const failedAttempts = failures.map((f) => f.StepFailedDetails?.RetryDetails?.CurrentAttempt).join(",");
          if (name === FLAKY && failedAttempts !== Array.from({ length: FLAKY_FAILURES }, (_, k) => k + 1).join(",")) add("V6 attempts", exec, name, `failures recorded for attempts ${failedAttempts}`);
        }
      }
    } else {
      const { orderId, customerId } = exec.input as { orderId: string; customerId: string };
      const validate = orderLines.filter(({ line }) => line.service === "customer" && line.action === "validate" && line.customerId === customerId).map((l) => l.line);
      const charges = orderLines.filter(({ line }) => line.service === "payment" && line.action === "charge" && line.orderId === orderId).map((l) => l.line);
      const confirms = orderLines.filter(({ line }) => line.service === "inventory" && line.action === "confirm" && line.orderId === orderId).map((l) => l.line);
      /** Steps whose lines carry no nonce: the committed run is the last (clock), the rest are re-runs. */
      const plain = (name: string, lines: { at: string; pid: number }[]) => {
        const commit = committed(name);
        if (!commit) return;
        if (lines.length === 0) return add("V2 committed once", exec, name, "no side effect recorded for a committed step");
        notAfterCommit(name, commit, lines.map((l) => Date.parse(l.at)));
        explainedByKills(exec, name, lines.slice(0, -1));
        rerunsAfterKill += lines.length - 1;
      };
      plain("validate-order", validate);
      if (exec.blocked) {
        if (charges.length + confirms.length > 0) add("V1 not finished right", exec, undefined, "a rejected order was charged or confirmed");
      } else {
        const commit = committed("process-payment");
        if (commit) {
          const { chargeId } = JSON.parse(commit.StepSucceededDetails.Result.Payload) as { chargeId: string };
          const k = Number(/_(\d+)$/.exec(chargeId)?.[1]);
          if (charges[k - 1]?.chargeId !== chargeId) add("V2 committed once", exec, "process-payment", `committed ${chargeId}, not in the ledger`);
          else if (charges.length !== k) add("V3 ran after its success was committed", exec, "process-payment", `committed ${chargeId} but ${charges.length} charges`);
          notAfterCommit("process-payment", commit, charges.map((l) => Date.parse(l.at)));
          explainedByKills(exec, "process-payment", charges.slice(0, k - 1));
          rerunsAfterKill += Math.max(0, k - 1);
        }
        plain("confirm-order", confirms);
      }
    }
  });

  const tutorialSideEffects = orderLines.length;
  const orders = executions.filter((e) => e.kind === "orders");
  return {
    executions: {
      workflow: executions.length - orders.length,
      orders: orders.length,
      rejectedOrders: orders.filter((e) => e.blocked).length,
      finishedRight,
    },
    stepsRun: workflowStepRuns + tutorialSideEffects,
    workflowStepRuns,
    tutorialSideEffects,
    rerunsAfterKill,
    atMostOnceInterrupted: { withSideEffect: amoWithEffect, beforeSideEffect: amoBeforeEffect },
    recoveredInvocations,
    violations,
    integrity,
  };
}

// ---------------------------------------------------------------------------------------------
// Report

const ms = (s: Stats) => (s.n === 0 ? "no samples" : `median ${s.median} ms, p95 ${s.p95} ms, max ${s.max} ms (${s.n} samples)`);

export function formatReport(r: ChaosReport): string[] {
  const total = r.executions.workflow + r.executions.orders;
  const byRule = new Map<string, number>();
  for (const v of r.violations) byRule.set(v.rule, (byRule.get(v.rule) ?? 0) + 1);
  const lines = [
    `chaos campaign: seed ${r.seed}, ${Math.round(r.wallMs / 1000)} s, files in ${r.dir}`,
    `executions:            ${total} (${r.executions.workflow} workflows of 50 steps, ${r.executions.orders} tutorial orders of which ${r.executions.rejectedOrders} rejected)`,
    `finished right:        ${r.executions.finishedRight}/${total}`,
    `kills:                 ${r.kills} SIGKILL (${r.killsDuringStartup} during start-up), ${r.workerStarts} worker starts`,
    `steps run:             ${r.stepsRun} (${r.workflowStepRuns} workflow step runs, ${r.tutorialSideEffects} tutorial side effects)`,
    `re-runs after a kill:  ${r.rerunsAfterKill} (at-least-once runs repeated because a kill came between side effect and checkpoint)`,
    `at-most-once:          ${r.atMostOnceInterrupted.withSideEffect + r.atMostOnceInterrupted.beforeSideEffect} attempts interrupted by a kill (${r.atMostOnceInterrupted.withSideEffect} after their side effect, ${r.atMostOnceInterrupted.beforeSideEffect} before), none run twice`,
    `recovered invocations: ${r.recoveredInvocations} (InvocationCompleted Runtime.ExitError); callbacks sent: ${r.callbacksSent}`,
    `violations:            ${r.violations.length}${byRule.size ? ` (${[...byRule].map(([k, n]) => `${k}: ${n}`).join("; ")})` : ""}`,
    `integrity_check:       ${r.integrity.join("; ")}`,
    `recovery after a kill: restart → first checkpoint of a recovered invocation: ${ms(r.recovery.restartToCheckpoint)}`,
    `                       kill → that checkpoint: ${ms(r.recovery.killToCheckpoint)}`,
    `                       restart → worker ready (Node start-up, config and handlers loaded): ${ms(r.recovery.restartToReady)}`,
    `                       worker ready → that checkpoint (the engine's recovery): ${ms(r.recovery.readyToCheckpoint)}`,
    `                       kills whose recovery the next worker did not reach before its own kill: ${r.recovery.unobserved}`,
  ];
  for (const v of r.violations.slice(0, 30)) lines.push(`  VIOLATION ${v.rule}: ${v.execution ?? ""}${v.step ? `/${v.step}` : ""} ${v.detail}`);
  if (r.violations.length > 30) lines.push(`  … ${r.violations.length - 30} more`);
  const warnings = Object.entries(r.workerWarnings);
  if (warnings.length) {
    lines.push("worker warnings and errors (by message):");
    for (const [msg, n] of warnings.sort((a, b) => b[1] - a[1]).slice(0, 15)) lines.push(`  ${n}× ${msg}`);
  }
  return lines;
}
