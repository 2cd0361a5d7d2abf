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
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

import type { DurableEngine as DurableEngineType } from "../ts/engine/durable-engine";
import { callbackPayload, expectedResult } from "./shape";
import { childEnv, repoRoot, rng, runCli, sleep, stats } from "./util";
import { verifyCampaign, type Campaign } from "./verify";

export { verifyCampaign, type Campaign, type Verification } from "./verify";

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
  /** The database: a PostgreSQL URL (default: chaos.db, a SQLite file in the directory). */
  db?: string;
  /** Workers running at once; each kill takes a random one of them, which is restarted. */
  workers?: number;
  /** How worker `index` runs (multi-host: in its own network and PID namespace): a command
   * prefix, the database URL as that host reaches it, and arguments replacing --no-http. */
  host?: (index: number) => { prefix: string[]; db: string; args: string[] };
  /** Runs after every kill: a disruption of its own (a cut link, a server restart). Returns
   * the ledger ids of workers whose runs it may have abandoned (explained like kills). */
  disrupt?: (kill: number, workers: { ledgerId: number; index: number }[]) => Promise<number[]>;
  /** Completes a callback (default: `durable-node callback succeed --db` in another process). */
  sendCallback?: (callbackId: string, payload: string) => Promise<boolean>;
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
// The worker process and its JSON log

interface LogLine {
  at: number;
  entry: Record<string, any>;
}

/** Each worker process's name in the ledgers (DURABLE_LEDGER_PID): unique across PID namespaces. */
let nextLedgerId = 7_000_000;

class WorkerProc {
  readonly spawnedAt = Date.now();
  readonly pid: number;
  readonly ledgerId = ++nextLedgerId;
  /** The process has ended (killed, or it gave up on its own). */
  ended = false;
  readonly lines: LogLine[] = [];
  stderr = "";
  readyAt: number | undefined;
  readonly ready: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private partial = "";
  private readonly listeners: ((line: LogLine) => void)[] = [];

  constructor(root: string, args: string[], env: Record<string, string>, prefix: string[] = [], readonly index = 0) {
    const command = [...prefix, process.execPath, path.join(root, "bin", "durable-node.js"), ...args];
    const child = spawn(command[0], command.slice(1), { cwd: root, env: childEnv({ ...env, DURABLE_LEDGER_PID: String(this.ledgerId) }), stdio: ["ignore", "pipe", "pipe"] });
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
      child.on("close", (code, signal) => {
        this.ended = true;
        resolve({ code, signal });
      });
    });
    this.kill = (signal) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // Behind a prefix (`unshare --fork --kill-child`) the worker is the prefix's child: a
      // SIGKILL of the prefix kills it, but unshare ignores SIGTERM, so that goes to the worker.
      if (prefix.length > 0 && signal !== "SIGKILL") for (const pid of childPids(child.pid!)) process.kill(pid, signal);
      else child.kill(signal);
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

/** The children of a process (Linux /proc). */
function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((t) => readFileSync(`/proc/${pid}/task/${t}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

/** A log line that shows a checkpoint of `arn` committed by this worker. */
function isCheckpoint(entry: Record<string, any>): boolean {
  if (entry.event === "operation") return entry.phase === "succeeded" || entry.phase === "failed" || entry.phase === "retrying";
  return entry.event === "invocation" && entry.phase === "completed";
}

// ---------------------------------------------------------------------------------------------
// Executions

export interface Exec {
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
  const db = options.db ?? path.join(dir, "chaos.db");
  const slotCount = Math.max(1, options.workers ?? 1);
  const workflowLedger = path.join(dir, "workflow-ledger.jsonl");
  const ordersLedger = path.join(dir, "orders-ledger.jsonl");
  const config = path.join(root, "chaos", "durable.config.json");
  const random = rng(options.seed);
  const started = Date.now();

  const { DurableEngine } = createRequire(path.join(root, "package.json"))("./dist/index.js") as { DurableEngine: typeof DurableEngineType };
  const engine = DurableEngine.open(db.startsWith("postgres") ? { url: db } : { path: db });

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
        const send = options.sendCallback
          ? options.sendCallback(id, callbackPayload(exec.name))
          : runCli(root, ["callback", "succeed", id, "--payload", callbackPayload(exec.name), "--db", db]).then((r) => r.code === 0);
        const p = send
          .then((sent) => {
            if (sent) {
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

  const spawnWorker = (index = 0): WorkerProc => {
    const host = options.host?.(index);
    const args = host ? ["worker", "--db", host.db, ...workerArgs.slice(3, workerArgs.indexOf("--no-http")), ...host.args, ...workerArgs.slice(workerArgs.indexOf("--no-http") + 1)] : workerArgs;
    const worker = new WorkerProc(root, args, workerEnv, host?.prefix ?? [], index);
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
  const slots: WorkerProc[] = [];
  const extraExplained = new Set<number>();
  try {
    for (let i = 0; i < slotCount; i++) slots.push(spawnWorker(i));
    for (let kills = 0; kills < options.kills; ) {
      const slot = Math.floor(random() * slotCount);
      const worker = slots[slot];
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
      killedPids.add(worker.ledgerId);
      kills++;
      slots[slot] = spawnWorker(slot);
      if (options.disrupt) {
        for (const id of await options.disrupt(kills, slots.map((w) => ({ ledgerId: w.ledgerId, index: w.index })))) extraExplained.add(id);
        // A worker that could not reach the database while it was cut off exited (as a
        // supervisor would see it): start it again.
        await sleep(300);
        slots.forEach((w, i) => {
          if (w.ended) slots[i] = spawnWorker(i);
        });
      }
      const inFlight = worker.inFlight();
      if (inFlight.size > 0) pendingRecovery = { arns: inFlight, killAt };
      if (kills % 25 === 0 || kills === options.kills) {
        const done = executions.filter((e) => e.status !== "RUNNING").length;
        say(`  ${kills}/${options.kills} kills, ${executions.length} executions started, ${done} finished (${Math.round((Date.now() - started) / 1000)} s)`);
      }
    }
    killing = false;

    // The last workers run everything to its end; they are not killed.
    const deadline = Date.now() + options.finishTimeoutMs;
    while ((active.size > 0 || pendingCallbacks.size > 0) && Date.now() < deadline) await sleep(100);
    for (const last of slots) last.kill("SIGTERM");
    for (const last of slots) {
      const exit = await last.exited;
      if (exit.code !== 0 && !options.host) say(`  a last worker exited with ${exit.signal ?? exit.code}:\n${last.stderr}`);
    }
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
    // Workers a disruption cut off count as killed: their abandoned runs are explained alike.
    killedPids: [...killedPids, ...extraExplained],
    livePids: workers.map((w) => w.ledgerId).filter((id) => !killedPids.has(id) && !extraExplained.has(id)),
    db: options.db,
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
