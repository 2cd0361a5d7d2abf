// The test runner's view of one execution: operation records and history read from the engine
// on demand, refreshed when the SDK reports progress, with waiters resolved as records change.

import type { DurableEngine } from "../engine/durable-engine";
import { onOperation } from "../observe";
import type { Operation, WireOperation } from "../types";
import type { HistoryEvent } from "./types";

export type { HistoryEvent };

/** Every `…Timestamp` string of an event (at any depth) as a Date, as in the service's SDK shapes. */
function eventDates(value: unknown, key = ""): unknown {
  if (Array.isArray(value)) return value.map((v) => eventDates(v));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, eventDates(v, k)]));
  }
  if (key.endsWith("Timestamp") && (typeof value === "string" || typeof value === "number")) return new Date(value);
  return value;
}

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
  /** What the engine had when it was closed (read lazily while it is open). */
  private rawOperations: Record<string, unknown>[] | undefined;
  private rawEvents: Record<string, unknown>[] | undefined;
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
    if (!this.finished) {
      this.operationsCache = undefined;
      this.eventsCache = undefined;
    }
    for (const w of [...this.waiters]) w();
  }

  /** The operations of this execution except its EXECUTION record, in order of creation
   * (an invoked durable function's operations belong to its own execution, as in the
   * official runner where it runs in a nested runner). */
  operations(): Operation[] {
    if (!this.operationsCache) {
      const raw = this.rawOperations ?? (this.engine.operations(this.arn) as unknown as Record<string, unknown>[]);
      this.operationsCache = raw.filter((o) => o.Type !== "EXECUTION").map((o) => toOperation(o as unknown as WireOperation));
    }
    return this.operationsCache;
  }

  events(): HistoryEvent[] {
    if (!this.eventsCache) {
      this.eventsCache = (this.rawEvents ?? this.engine.history(this.arn)).map((e) => eventDates(e) as HistoryEvent);
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

  /** Sends a callback answer to the engine; the engine's error, if any, rejects. */
  async send(action: () => void): Promise<{ $metadata: Record<string, unknown> }> {
    action();
    this.changed();
    return { $metadata: {} };
  }

  /** The run is over: what is read from now on stays, and waiters still waiting reject. */
  finish(): void {
    if (this.finished) return;
    this.operationsCache = undefined;
    this.eventsCache = undefined;
    this.finished = true;
    this.changed();
    this.stopListening();
  }

  /** Closes the engine, keeping its records for results and handles still in use. */
  close(): void {
    this.finish();
    try {
      if (!this.operationsCache) this.rawOperations ??= this.engine.operations(this.arn) as unknown as Record<string, unknown>[];
      if (!this.eventsCache) this.rawEvents ??= this.engine.history(this.arn);
    } catch {
      this.rawOperations ??= [];
      this.rawEvents ??= [];
    }
    this.engine.close();
  }
}
