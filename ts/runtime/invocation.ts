// One invocation of a handler, SDK side: the checkpoint queue (FIFO batches, one request in
// flight), the replay state (owned by the Rust replay module), and the suspension rule that
// ends the invocation with PENDING when everything left is waiting (API.md §5.3-5.4).

import { NonDeterministicExecutionError, UnrecoverableError, isDurableExecutionClientError } from "../errors";
import { DurableNodeError, InvalidCheckpointTokenError, NonDeterminismError } from "../engine-errors";
import { call, native, type NativeReplay } from "../native";
import type { OperationUpdate, WireOperation } from "../types";
import type { PluginSession } from "../plugins/session";
import { realClearTimeout, realSetImmediate, realSetTimeout } from "../real-timers";
import type { DurableExecutionClient } from "./client";

/** Why an invocation ended before its handler returned. */
export type Termination =
  | { kind: "pending" }
  | { kind: "execution-error"; error: unknown }
  | { kind: "invocation-error"; error: unknown };

interface Queued {
  update: OperationUpdate;
  resolve: () => void;
}

const BATCH_LIMIT = 250;
const COOLDOWN_MS = 20;
const NEVER = new Promise<never>(() => {});

export class Invocation {
  readonly replay: NativeReplay;
  readonly termination: Promise<Termination>;
  private token: string;
  private queue: Queued[] = [];
  private inFlight = false;
  private flushScheduled = false;
  private executing = 0;
  /** Wire ids of operations waiting in waitFor (an id may wait more than once). */
  private waiting = new Map<string, number>();
  /** Step id of every wire id the code has reached, to find an update's enclosing contexts. */
  private stepIds = new Map<string, string>();
  /** Step ids of child contexts that have returned or thrown (API.md §5.3-5.4). */
  private finished = new Set<string>();
  private waiters = new Map<string, Array<() => void>>();
  private drainers: Array<() => void> = [];
  private timers = new Set<NodeJS.Timeout>();
  private suspendTimer: NodeJS.Timeout | undefined;
  private terminated = false;
  private settle!: (t: Termination) => void;
  /** Instrumentation plugins of this invocation (API.md §13); undefined when there are none. */
  plugins: PluginSession | undefined;
  /** pluginsConfig.childOperationsDepth (API.md §3.2): context levels that keep their children. */
  childOperationsDepth = 0;
  /** Nesting level (1 = top level) of each context whose code ran in this invocation. */
  private contextLevels = new Map<string, number>();

  constructor(
    readonly arn: string,
    token: string,
    private readonly client: DurableExecutionClient,
    operations: WireOperation[],
  ) {
    this.token = token;
    this.replay = call(() => new native.NativeReplay(operations.map(normalizeOperation)));
    this.termination = new Promise((resolve) => (this.settle = resolve));
  }

  get isTerminated(): boolean {
    return this.terminated;
  }

  /** The wire id and record for a step id; a mismatch ends the execution. */
  check(stepId: string, type: string, subType: string | undefined, name: string | undefined): { id: string; operation: WireOperation | null } {
    let result;
    try {
      result = call(() => this.replay.check(stepId, type, subType, name));
    } catch (e) {
      throw e instanceof NonDeterminismError ? new NonDeterministicExecutionError(e.message) : e;
    }
    this.stepIds.set(result.id, stepId);
    return { id: result.id, operation: result.operation ?? null };
  }

  /**
   * A child context returned or threw: work its descendants still do is no longer part of the
   * execution, so their checkpoints are dropped and their waits do not keep the invocation alive.
   */
  markFinished(stepId: string): void {
    this.finished.add(stepId);
  }

  /** Whether the operation with this wire id lies inside a finished child context. */
  private insideFinished(id: string): boolean {
    const stepId = this.stepIds.get(id);
    if (stepId === undefined || this.finished.size === 0) return false;
    for (let i = stepId.lastIndexOf("-"); i > 0; i = stepId.lastIndexOf("-", i - 1)) {
      if (this.finished.has(stepId.slice(0, i))) return true;
    }
    return false;
  }

  /**
   * Whether the context `id`, inside the context `parentId`, is within childOperationsDepth and
   * so records ReplayChildren, keeping its children in the state of later invocations.
   */
  keepsChildren(id: string, parentId: string | undefined): boolean {
    if (this.childOperationsDepth <= 0) return false;
    const level = (parentId === undefined ? 0 : (this.contextLevels.get(parentId) ?? 0)) + 1;
    this.contextLevels.set(id, level);
    return level <= this.childOperationsDepth;
  }

  get(id: string): WireOperation | null {
    return this.replay.get(id);
  }

  /** Queues an update; resolves once a checkpoint carrying it was accepted. */
  enqueue(update: OperationUpdate): Promise<void> {
    if (this.terminated || this.insideFinished(update.Id)) return NEVER;
    return new Promise((resolve) => {
      this.queue.push({ update, resolve });
      this.scheduleFlush();
    });
  }

  /** Resolves when no checkpoint is queued or in flight. */
  drain(): Promise<void> {
    if (this.queue.length === 0 && !this.inFlight && !this.flushScheduled) return Promise.resolve();
    return new Promise((resolve) => this.drainers.push(resolve));
  }

  /** Asks the service for changes (a checkpoint without updates). */
  poll(): void {
    if (this.terminated || this.inFlight || this.queue.length > 0) return;
    this.scheduleFlush(true);
  }

  private scheduleFlush(poll = false): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    realSetImmediate(() => {
      this.flushScheduled = false;
      void this.flush(poll);
    });
  }

  private async flush(poll: boolean): Promise<void> {
    if (this.inFlight || this.terminated) return;
    while (this.queue.length > 0 || poll) {
      poll = false;
      const batch = this.queue.splice(0, BATCH_LIMIT);
      this.inFlight = true;
      let response;
      try {
        response = await this.client.checkpoint({
          DurableExecutionArn: this.arn,
          CheckpointToken: this.token,
          Updates: batch.map((b) => b.update),
        });
      } catch (error) {
        this.inFlight = false;
        this.terminate(classifyCheckpointFailure(error));
        return;
      }
      this.inFlight = false;
      if (this.terminated) return;
      if (response.CheckpointToken) this.token = response.CheckpointToken;
      const changed = this.merge(response.NewExecutionState?.Operations ?? []);
      if (this.plugins) {
        // onOperationChange is awaited before anyone sees the new state; no other checkpoint
        // may start meanwhile (the token is this answer's).
        this.inFlight = true;
        await this.plugins.operationsChanged(changed, response.NewExecutionState?.Operations ?? []);
        this.inFlight = false;
        if (this.terminated) return;
      }
      for (const b of batch) b.resolve();
      this.wake(changed);
    }
    const drainers = this.drainers;
    this.drainers = [];
    for (const d of drainers) d();
    this.checkSuspend();
  }

  private merge(operations: WireOperation[]): string[] {
    if (operations.length === 0) return [];
    return call(() => this.replay.merge(operations.map(normalizeOperation)));
  }

  private wake(ids: string[]): void {
    for (const id of ids) {
      const list = this.waiters.get(id);
      if (!list) continue;
      this.waiters.delete(id);
      for (const w of list) w();
    }
  }

  /** Counts a user function (step body) as running: the invocation cannot suspend meanwhile. */
  async executingWhile<T>(fn: () => Promise<T>): Promise<T> {
    this.executing++;
    this.cancelSuspend();
    try {
      return await fn();
    } finally {
      this.executing--;
      this.checkSuspend();
    }
  }

  /**
   * Waits until the record `id` satisfies `ready`. While waiting the operation counts as idle,
   * so the invocation suspends if nothing else runs; if something does, the record is polled
   * when it is expected to change (`dueMs`, on the caller's clock) or every second.
   */
  async waitFor(id: string, ready: (op: WireOperation) => boolean, dueMs?: number): Promise<WireOperation> {
    for (;;) {
      const op = this.replay.get(id);
      if (op && ready(op)) return op;
      if (this.terminated) return NEVER;
      this.waiting.set(id, (this.waiting.get(id) ?? 0) + 1);
      const pollTimer = this.armPoll(dueMs);
      try {
        await new Promise<void>((resolve) => {
          const list = this.waiters.get(id) ?? [];
          list.push(resolve);
          this.waiters.set(id, list);
          this.checkSuspend();
        });
      } finally {
        const left = (this.waiting.get(id) ?? 1) - 1;
        if (left > 0) this.waiting.set(id, left);
        else this.waiting.delete(id);
        if (pollTimer) this.clearTimer(pollTimer);
      }
    }
  }

  private armPoll(dueMs: number | undefined): NodeJS.Timeout | undefined {
    const delay = dueMs === undefined ? 1000 : Math.max(0, dueMs - Date.now());
    if (delay > 2 ** 31 - 1) return undefined;
    const timer = realSetTimeout(() => {
      this.timers.delete(timer);
      this.poll();
    }, delay);
    timer.unref();
    this.timers.add(timer);
    return timer;
  }

  private clearTimer(timer: NodeJS.Timeout): void {
    realClearTimeout(timer);
    this.timers.delete(timer);
  }

  private canSuspend(): boolean {
    if (this.terminated || this.queue.length > 0 || this.inFlight || this.flushScheduled || this.executing > 0) return false;
    for (const id of this.waiting.keys()) if (!this.insideFinished(id)) return true;
    return false;
  }

  private checkSuspend(): void {
    if (!this.canSuspend() || this.suspendTimer) return;
    this.suspendTimer = realSetTimeout(() => {
      this.suspendTimer = undefined;
      if (this.canSuspend()) this.terminate({ kind: "pending" });
    }, COOLDOWN_MS);
  }

  private cancelSuspend(): void {
    if (this.suspendTimer) realClearTimeout(this.suspendTimer);
    this.suspendTimer = undefined;
  }

  /** Ends the invocation; later checkpoints are dropped and waiting operations never settle. */
  terminate(t: Termination): void {
    if (this.terminated) return;
    this.terminated = true;
    this.cancelSuspend();
    for (const timer of this.timers) realClearTimeout(timer);
    this.timers.clear();
    const drainers = this.drainers;
    this.drainers = [];
    for (const d of drainers) d();
    this.settle(t);
  }

  /**
   * Ends the invocation because of an unrecoverable error and returns a promise that never
   * settles, so user code cannot catch it.
   */
  fail(error: unknown): Promise<never> {
    if (error instanceof UnrecoverableError) {
      this.terminate(error.scope === "INVOCATION" ? { kind: "invocation-error", error } : { kind: "execution-error", error });
    } else {
      this.terminate({ kind: "execution-error", error });
    }
    return NEVER;
  }
}

/** Timestamps may arrive as Date objects (official transports) or strings. */
function normalizeOperation(op: WireOperation): any {
  const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v);
  if (!(op.StartTimestamp instanceof Date) && !(op.EndTimestamp instanceof Date) && !(op.StepDetails?.NextAttemptTimestamp instanceof Date) && !(op.WaitDetails?.ScheduledEndTimestamp instanceof Date)) {
    return op;
  }
  return {
    ...op,
    StartTimestamp: iso(op.StartTimestamp),
    EndTimestamp: iso(op.EndTimestamp),
    StepDetails: op.StepDetails && { ...op.StepDetails, NextAttemptTimestamp: iso(op.StepDetails.NextAttemptTimestamp) },
    WaitDetails: op.WaitDetails && { ...op.WaitDetails, ScheduledEndTimestamp: iso(op.WaitDetails.ScheduledEndTimestamp) },
  };
}

/** A failed checkpoint ends the invocation (retried) or the execution (API.md §11.5). */
export function classifyCheckpointFailure(error: unknown): Termination {
  if (isDurableExecutionClientError(error)) {
    return error.scope === "EXECUTION" ? { kind: "execution-error", error } : { kind: "invocation-error", error };
  }
  if (error instanceof InvalidCheckpointTokenError) return { kind: "invocation-error", error };
  if (error instanceof DurableNodeError) {
    return error.awsName === "InvalidParameterValueException" ? { kind: "execution-error", error } : { kind: "invocation-error", error };
  }
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  if (e?.name === "InvalidParameterValueException" && e.message?.startsWith("Invalid Checkpoint Token")) return { kind: "invocation-error", error };
  if (status && status >= 400 && status < 500 && status !== 429) return { kind: "execution-error", error };
  if (e?.name && ["KMSAccessDeniedException", "KMSDisabledException", "KMSInvalidStateException", "KMSNotFoundException"].includes(e.name)) {
    return { kind: "execution-error", error };
  }
  return { kind: "invocation-error", error };
}

