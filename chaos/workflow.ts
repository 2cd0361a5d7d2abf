// The chaos campaign's 50-step workflow (chaos/chaos.ts says what is checked and why).
//
// Steps s01…s50 each append one line to the ledger (CHAOS_LEDGER) from inside the step function
// — { exec, step, attempt, nonce, pid, t } — and return { v, nonce, attempt }. The nonce is fresh
// per run of the step function, so the checkpointed result names exactly which run's side effect
// was committed. Along the way (chaos/shape.ts):
//   * s07, s21, s35, s49 are AtMostOncePerRetry: an attempt interrupted by a kill is not run
//     again; the retry strategy is asked and the next attempt runs;
//   * s15 fails on its first two attempts and succeeds on the third (1 s retry delay);
//   * three short waits (1 s after s10, 2 s after s25, 1 s after s40);
//   * a callback after s30, completed by the chaos driver once it sees CallbackStarted.
// Each step sleeps 5–60 ms after its side effect, so a kill often lands between a
// side effect and its checkpoint. The result depends only on the input and the callback payload.

import { appendFileSync } from "node:fs";
import { randomUUID } from "node:crypto";

import { StepSemantics, withDurableExecution } from "@aws/durable-execution-sdk-js";

import { AT_MOST_ONCE, CALLBACK_AFTER, FLAKY, FLAKY_FAILURES, STEPS, WAITS_AFTER, stepName, type StepValue, type WorkflowInput, type WorkflowResult } from "./shape";

function ledger(line: Omit<import("./shape").WorkflowLedgerLine, "pid" | "t">): void {
  const file = process.env.CHAOS_LEDGER;
  if (!file) throw new Error("CHAOS_LEDGER is not set");
  // One O_APPEND write per line: lines stay whole even when the process is killed right after.
  // DURABLE_LEDGER_PID: the harness's name for this worker process (unique even across PID
  // namespaces, where every worker is pid 1).
  appendFileSync(file, JSON.stringify({ ...line, pid: Number(process.env.DURABLE_LEDGER_PID) || process.pid, t: Date.now() }) + "\n");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Enough attempts that kills landing in at-most-once steps never exhaust them.
const patientRetry = (_error: Error, attempt: number) => ({ shouldRetry: attempt < 50, delay: { seconds: 1 } });

export const handler = withDurableExecution(async (event: WorkflowInput, context) => {
  const id = event.id;
  let total = 0;
  let flakyAttempt = 0;
  let approval: unknown;
  for (let i = 1; i <= STEPS; i++) {
    const name = stepName(i);
    const amo = AT_MOST_ONCE.has(name);
    const result: StepValue = await context.step(
      name,
      async ({ attempt }) => {
        const nonce = randomUUID();
        ledger({ exec: id, step: name, attempt, nonce });
        await sleep(5 + Math.floor(Math.random() * 55));
        if (name === FLAKY && attempt <= FLAKY_FAILURES) throw new Error(`${name} fails on attempt ${attempt} by design`);
        return { v: i * i, nonce, attempt };
      },
      amo ? { semantics: StepSemantics.AtMostOncePerRetry, retryStrategy: patientRetry } : name === FLAKY ? { retryStrategy: patientRetry } : undefined,
    );
    total += result.v;
    if (name === FLAKY) flakyAttempt = result.attempt;
    if (WAITS_AFTER[i]) await context.wait({ seconds: WAITS_AFTER[i] });
    if (i === CALLBACK_AFTER) {
      const [answer] = await context.createCallback<unknown>("approval", { timeout: { minutes: 10 } });
      approval = await answer;
    }
  }
  const result: WorkflowResult = { id, total, approval, flakyAttempt };
  return result;
});
