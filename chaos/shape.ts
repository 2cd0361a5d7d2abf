// The shape of the chaos workflow (chaos/workflow.ts), shared with the driver (chaos/chaos.ts)
// without loading the SDK: step names, which steps are at-most-once, which one fails by design,
// where the waits and the callback are, and the result an execution must end with.

export const STEPS = 50;
export const AT_MOST_ONCE = new Set(["s07", "s21", "s35", "s49"]);
export const FLAKY = "s15";
/** The flaky step fails on its first FLAKY_FAILURES attempts and succeeds on the next. */
export const FLAKY_FAILURES = 2;
/** Seconds to wait after step i. */
export const WAITS_AFTER: Record<number, number> = { 10: 1, 25: 2, 40: 1 };
/** The callback "approval" is created (and awaited) after this step. */
export const CALLBACK_AFTER = 30;

export interface WorkflowInput {
  id: string;
}

export interface WorkflowResult {
  id: string;
  total: number;
  approval: unknown;
  flakyAttempt: number;
}

/** One ledger line, written inside a step function before it returns. */
export interface WorkflowLedgerLine {
  exec: string;
  step: string;
  attempt: number;
  nonce: string;
  pid: number;
  t: number;
}

/** What a step returns (and so what its StepSucceeded records). */
export interface StepValue {
  v: number;
  nonce: string;
  attempt: number;
}

export const stepName = (i: number) => `s${String(i).padStart(2, "0")}`;

/** The callback result the chaos driver sends (JSON text). */
export const callbackPayload = (id: string) => JSON.stringify({ approvedFor: id });

/**
 * What the workflow must return for `{ id }` once the driver sent `callbackPayload(id)`: the
 * callback's result arrives as the text sent (createCallback's default serdes passes it through).
 */
export function expectedResult(id: string): WorkflowResult {
  let total = 0;
  for (let i = 1; i <= STEPS; i++) total += i * i;
  return { id, total, approval: callbackPayload(id), flakyAttempt: FLAKY_FAILURES + 1 };
}
