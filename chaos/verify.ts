// Verification of a finished chaos campaign from its files (the database, the two ledgers,
// campaign.json): the rules V1…V8 stated, with why they are sound, at the top of chaos.ts.

import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";

import type { ChaosReport, Exec, Violation } from "./chaos";
import { AT_MOST_ONCE, FLAKY, FLAKY_FAILURES, STEPS, stepName, type StepValue, type WorkflowLedgerLine } from "./shape";
import { mapLimit, repoRoot, runCli } from "./util";

/** `campaign.json` in a campaign's directory. */
export interface Campaign {
  executions: Pick<Exec, "name" | "kind" | "arn" | "input" | "expected" | "blocked">[];
  /** Workers the driver SIGKILLed. */
  killedPids: number[];
  /** Workers that were not killed (the last ones). */
  livePids: number[];
  /** The database when it is not chaos.db in the directory (a PostgreSQL URL). */
  db?: string;
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
    db: campaign.db ?? path.join(dir, "chaos.db"),
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
