// When a skipping runner lets its engine's clock jump. Waits and retry delays are skipped as
// soon as an invocation ends: nobody outside can change how they end. A callback's timeout or
// heartbeat deadline is different: the test may still answer it (after awaiting something of
// its own, or from another runner in the same test), as it always can with the official runner,
// whose callback timers run in real time. So the jump to such a deadline waits until the test
// process has been quiet for a moment: no invocation running in any runner, and nothing
// answered, for QUIET_MS of real time. The deadline still passes in milliseconds, not hours.

import diagnostics_channel from "node:diagnostics_channel";

import { INVOCATION_CHANNEL, type DurableEngine, type InvocationEvent } from "../engine/durable-engine";
import { realNow, realSetImmediate, realSetTimeout } from "../real-timers";

const QUIET_MS = 100;
const POLL_MS = 5;


export const turn = (): Promise<void> => new Promise((resolve) => realSetImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => realSetTimeout(resolve, ms));

/** Invocations running in this process (any engine), by execution ARN, and the last activity. */
const invoking = new Set<string>();
let lastActivity = realNow();

diagnostics_channel.subscribe(INVOCATION_CHANNEL, (message) => {
  const event = message as InvocationEvent;
  lastActivity = realNow();
  if (event.phase === "started") invoking.add(event.executionArn);
  else invoking.delete(event.executionArn);
});

/** Something happened that the test may react to (a run started, a callback was answered). */
export function activity(): void {
  lastActivity = realNow();
}

/** The invocations of this engine's executions have ended (also when one ended abnormally). */
export function settled(engine: DurableEngine): void {
  for (const execution of engine.list()) invoking.delete(execution.DurableExecutionArn);
}

function ms(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const t = new Date(value as string).getTime();
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Whether the engine's next clock jump would be to the deadline of a callback the test could
 * still answer: a callback is pending and the next due time is no wait's end or retry's time.
 */
function jumpToCallbackDeadline(engine: DurableEngine, arn: string): boolean {
  const due = engine.native.nextDueTime({ arn });
  if (due === null || due <= engine.now()) return false;
  let pendingCallback = false;
  const timers = new Set<number>();
  for (const execution of engine.list({ status: "RUNNING" })) {
    for (const op of engine.operations(execution.DurableExecutionArn)) {
      if (op.Type === "CALLBACK" && op.Status === "STARTED") pendingCallback = true;
      const end = op.Type === "WAIT" && op.Status === "STARTED" ? ms(op.WaitDetails?.ScheduledEndTimestamp) : undefined;
      const retry = op.Type === "STEP" && op.Status === "PENDING" ? ms(op.StepDetails?.NextAttemptTimestamp) : undefined;
      if (end !== undefined) timers.add(end);
      if (retry !== undefined) timers.add(retry);
    }
  }
  return pendingCallback && !timers.has(due);
}

/** Called after each invocation of a skipping run, before the engine may move its clock. */
export async function beforeClockJump(engine: DurableEngine, arn: string): Promise<void> {
  settled(engine);
  // Let test code that awaits waitForData act on what the invocation did.
  for (let i = 0; i < 3; i++) await turn();
  const holdStart = realNow();
  while (jumpToCallbackDeadline(engine, arn)) {
    const now = realNow();
    if (invoking.size === 0 && now - lastActivity >= QUIET_MS && now - holdStart >= QUIET_MS) return;
    await sleep(POLL_MS);
  }
}
