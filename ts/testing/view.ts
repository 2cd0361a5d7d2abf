// The test runner's view of one execution: operation records and history read from the engine
// on demand, refreshed when the SDK reports progress, with waiters resolved as records change.

import type { DurableEngine } from "../engine/durable-engine";
import { onOperation } from "../observe";
import type { Operation, WireOperation } from "../types";

export type HistoryEvent = Record<string, any>;

/** Wire records converted to the SDK's `Operation` shape (Date timestamps). */
export function toOperation(w: WireOperation): Operation {
  const date = (v: unknown) => (v === undefined || v === null ? undefined : new Date(v as string));
  const op: Operation = { ...(w as Operation), StartTimestamp: date(w.StartTimestamp), EndTimestamp: date(w.EndTimestamp) };
  if (w.StepDetails) op.StepDetails = { ...w.StepDetails, NextAttemptTimestamp: date(w.StepDetails.NextAttemptTimestamp) };
  if (w.WaitDetails) op.WaitDetails = { ScheduledEndTimestamp: date(w.WaitDetails.ScheduledEndTimestamp) };
  for (const key of Object.keys(op) as (keyof Operation)[]) if (op[key] === undefined || op[key] === null) delete op[key];
  return op;
}

export class ExecutionView {
  private operationsCache: Operation[] | undefined;
  private eventsCache: HistoryEvent[] | undefined;
  private readonly waiters = new Set<() => void>();
  private readonly stopListening: () => void;
  finished = false;

  constructor(
    readonly engine: DurableEngine,
    readonly arn: string,
  ) {
    this.stopListening = onOperation((e) => {
      if (e.executionArn === arn) this.changed();
    });
  }

  /** Something changed: drop the caches and let waiters look again. */
  changed(): void {
    this.operationsCache = undefined;
    this.eventsCache = undefined;
    for (const w of [...this.waiters]) w();
  }

  /** All operations of the execution (and of executions it invoked) except EXECUTION records. */
  operations(): Operation[] {
    if (!this.operationsCache) {
      this.operationsCache = this.engine
        .operations(this.arn)
        .filter((o) => o.Type !== "EXECUTION")
        .map((o) => toOperation(o as unknown as WireOperation));
    }
    return this.operationsCache;
  }

  events(): HistoryEvent[] {
    if (!this.eventsCache) {
      this.eventsCache = this.engine.history(this.arn).map((e) => ({ ...e, EventTimestamp: new Date(e.EventTimestamp as string) }));
    }
    return this.eventsCache;
  }

  /** Resolves once `test` holds (checked now and after every change); rejects if the run ends first. */
  until<T>(test: () => T | undefined, onFinished: () => Error): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = test();
        if (value !== undefined) {
          this.waiters.delete(check);
          resolve(value);
        } else if (this.finished) {
          this.waiters.delete(check);
          reject(onFinished());
        }
      };
      this.waiters.add(check);
      check();
    });
  }

  finish(): void {
    this.finished = true;
    this.changed();
    this.stopListening();
  }
}
