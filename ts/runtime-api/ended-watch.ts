// An invocation whose execution was ended from outside — `durable-node stop` or the HTTP
// StopDurableExecution from any process on the database, or its execution timeout — is ended
// at once: its runtime process is killed and its slot freed, rather than left running until
// its next checkpoint is refused (never, for a handler that never settles). Seen on the
// engine's change feed (one indexed query per tick, only while invocations run), the way the
// console's live pages see changes (ts/console/feeds.ts).

import type { DurableEngine } from "../engine/durable-engine";
import { LambdaError } from "./sandbox";

const TICK_MS = 250;
const PAGE = 500;
/** Ended by someone else: an execution that ends by its own answer has no invocation left to kill. */
const ENDED_FROM_OUTSIDE = new Set(["STOPPED", "TIMED_OUT"]);

/** Starts watching; returns the function that stops it. */
export function watchEndedExecutions(engine: DurableEngine, onEnded?: (arn: string, status: string) => void): () => void {
  let since = engine.lastExecutionChange();
  const tick = () => {
    if (engine.runningExecutions().length === 0) {
      since = engine.lastExecutionChange();
      return;
    }
    for (;;) {
      const changes = engine.executionChanges(since, PAGE);
      for (const { changeNo, execution } of changes) {
        since = Math.max(since, changeNo);
        if (!ENDED_FROM_OUTSIDE.has(execution.Status)) continue;
        const error = new LambdaError("Runtime.ExitError", `The execution ended ${execution.Status} while this invocation ran; its runtime was ended.`);
        if (engine.endInvocation(execution.DurableExecutionArn, error)) onEnded?.(execution.DurableExecutionArn, execution.Status);
      }
      if (changes.length < PAGE) return;
    }
  };
  const timer = setInterval(() => {
    try {
      tick();
    } catch {
      // A closed engine or a storage hiccup: the next tick tries again.
    }
  }, TICK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
