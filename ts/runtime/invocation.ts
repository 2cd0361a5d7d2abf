// One invocation of a handler, SDK side. Its state machine is Rust's (crates/engine/src/vm.rs:
// replay records, token, queue, finished child contexts, the suspension rule); this class keeps
// what only JavaScript can: the promises of queued updates and waiting operations, and the
// event-loop turns and timers at which the state machine is asked what to do. In process, a
// batch commits through the engine without any record crossing to JavaScript (API.md §5.3-5.4).

import { NonDeterministicExecutionError, UnrecoverableError, isDurableExecutionClientError } from "../errors";
import { DurableNodeError, InvalidCheckpointTokenError, NonDeterminismError, fromErrorInfo } from "../engine-errors";
import { InProcessClient } from "../engine/in-process-client";
import { call, native, type NativeInvocation } from "../native";
import type { OperationUpdate, WireOperation } from "../types";
import type { PluginSession } from "../plugins/session";
import { realClearTimeout, realSetImmediate, realSetTimeout } from "../real-timers";
import type { DurableExecutionClient } from "./client";

/** Why an invocation ended before its handler returned. */
export type Termination =
  | { kind: "pending" }
  | { kind: "execution-error"; error: unknown }
  | { kind: "invocation-error"; error: unknown };

/** Where the code stands at a step id (crates/engine/src/vm.rs `Position`). */
export type Position = "fresh" | "replay" | "resume" | "wait";

export interface Checked {
  id: string;
  kind: Position;
  /** For `resume`: the attempt about to run. */
  attempt: number | undefined;
  operation: WireOperation | null;
}

const BATCH_LIMIT = 250;
const NEVER = new Promise<never>(() => {});

export class Invocation {
  readonly vm: NativeInvocation;
  readonly termination: Promise<Termination>;
  /** One resolver per update the state machine queued, oldest first. */
  private resolvers: Array<() => void> = [];
  private inFlight = false;
  private flushScheduled = false;
  /** A poll came while a checkpoint was queued or in flight: it is sent after that one. */
  private pollWanted = false;
  private waiters = new Map<string, Array<() => void>>();
  private drainers: Array<() => void> = [];
  private timers = new Set<NodeJS.Timeout>();
  private suspendTimer: NodeJS.Timeout | undefined;
  private settled = false;
  /** Ending because of an error: what was queued before it is still sent, nothing new is. */
  private closing = false;
  private settle!: (t: Termination) => void;
  private readonly inProcess: InProcessClient | undefined;
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
    this.inProcess = client instanceof InProcessClient ? client : undefined;
    // In process the engine hands its records to the state machine directly.
    this.vm = call(() => (this.inProcess ? this.inProcess.openInvocation(arn, token) : new native.NativeInvocation(arn, token, operations.map(normalizeOperation))));
    this.termination = new Promise((resolve) => (this.settle = resolve));
  }

  get isTerminated(): boolean {
    return this.settled;
  }

  /**
   * The wire id, record and position for a step id (the engine decides: `fresh` — do the work;
   * `replay` — it ended, use its outcome; `resume` — go on with `attempt`; `wait` — the service
   * owes it a change). A mismatch with the record ends the execution.
   */
  check(stepId: string, type: string, subType: string | undefined, name: string | undefined): Checked {
    let result;
    try {
      result = call(() => this.vm.check(stepId, type, subType, name));
    } catch (e) {
      throw e instanceof NonDeterminismError ? new NonDeterministicExecutionError(e.message) : e;
    }
    return { id: result.id, kind: result.kind as Position, attempt: result.attempt ?? undefined, operation: result.operation ?? null };
  }

  /** Whether the step id's operation has ended (the engine decides what is terminal). */
  stepEnded(stepId: string): boolean {
    return this.vm.stepEnded(stepId);
  }

  /** Whether the step id has a record (a context's replay mode asks). */
  hasStep(stepId: string): boolean {
    return this.vm.hasStep(stepId);
  }

  /**
   * A child context returned or threw: work its descendants still do is no longer part of the
   * execution, so their checkpoints are dropped and their waits do not keep the invocation alive.
   */
  markFinished(stepId: string): void {
    this.vm.markFinished(stepId);
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
    return this.vm.get(id) ?? null;
  }

  /** Queues an update; resolves once a checkpoint carrying it was accepted. */
  enqueue(update: OperationUpdate): Promise<void> {
    if (this.settled || this.closing || !call(() => this.vm.enqueue(update as never))) return NEVER;
    return new Promise((resolve) => {
      this.resolvers.push(resolve);
      this.scheduleFlush();
    });
  }

  /** Resolves when no checkpoint is queued or in flight. */
  drain(): Promise<void> {
    if (this.vm.drained && !this.inFlight && !this.flushScheduled) return Promise.resolve();
    return new Promise((resolve) => this.drainers.push(resolve));
  }

  /**
   * Asks the service for changes (a checkpoint without updates; only such a poll lets due
   * timers fire first). While another checkpoint is queued or in flight it follows that one,
   * so a waiting operation's poll is never lost.
   */
  poll(): void {
    if (this.settled) return;
    if (this.inFlight || !this.vm.drained || this.flushScheduled) {
      this.pollWanted = true;
      return;
    }
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
    if (this.inFlight || this.settled) return;
    for (;;) {
      this.inFlight = true;
      let sent;
      try {
        sent = await this.send(poll);
      } catch (error) {
        this.inFlight = false;
        this.vm.failed();
        this.terminate(classifyCheckpointFailure(error));
        return;
      }
      this.inFlight = false;
      poll = false;
      if (!sent || this.settled) break;
      if (this.plugins) {
        // onOperationChange is awaited before anyone sees the new state; no other checkpoint
        // may start meanwhile (the token is this answer's).
        this.inFlight = true;
        await this.plugins.operationsChanged(sent.changed, sent.records ?? sent.changed.map((id) => this.get(id)!).filter(Boolean));
        this.inFlight = false;
        if (this.settled) return;
      }
      for (const resolve of this.resolvers.splice(0, sent.updates)) resolve();
      this.wake(sent.changed);
    }
    const drainers = this.drainers;
    this.drainers = [];
    for (const d of drainers) d();
    if (this.pollWanted && !this.settled && !this.closing) {
      this.pollWanted = false;
      this.scheduleFlush(true);
      return;
    }
    this.checkSuspend();
  }

  /** Sends the next batch: through the engine in process, else through the client. */
  private async send(poll: boolean): Promise<{ updates: number; changed: string[]; records?: WireOperation[] } | null> {
    if (this.inProcess) {
      const result = await this.inProcess.commit(this.vm, BATCH_LIMIT, poll);
      if (result?.error) throw fromErrorInfo(result.error);
      return result ?? null;
    }
    const token = this.vm.token;
    const batch = this.vm.takeBatch(BATCH_LIMIT, poll);
    if (!batch) return null;
    const response = await this.client.checkpoint({ DurableExecutionArn: this.arn, CheckpointToken: token, Updates: batch as OperationUpdate[] });
    const records = response.NewExecutionState?.Operations ?? [];
    const answered = call(() => this.vm.answer(response.CheckpointToken ?? "", records.map(normalizeOperation)));
    return { updates: answered.updates, changed: answered.changed, records };
  }

  private wake(ids: string[]): void {
    for (const id of ids) {
      const list = this.waiters.get(id);
      if (!list) continue;
      this.waiters.delete(id);
      for (const w of list) w();
    }
  }

  /** User code awaited the promise of the operation at `stepId`: now its waiting may end the invocation. */
  markAwaited(stepId: string): void {
    this.vm.awaited(stepId);
    this.checkSuspend();
  }

  /** Counts a user function (step body) as running: the invocation cannot suspend meanwhile. */
  async executingWhile<T>(fn: () => Promise<T>): Promise<T> {
    if (this.vm.userCode(1)) this.inProcess?.becameBusy();
    this.cancelSuspend();
    try {
      return await fn();
    } finally {
      this.vm.userCode(-1);
      this.checkSuspend();
    }
  }

  /**
   * Waits until record `id` no longer awaits the service (the engine decides). While waiting
   * the operation counts as idle, so the invocation suspends if nothing else runs; if something
   * does, the record is polled when the engine expects it to change (its retry or wait is due)
   * or every second.
   */
  async waitFor(id: string, lazy = false): Promise<WireOperation> {
    for (;;) {
      if (this.vm.ready(id)) return this.get(id)!;
      if (this.settled) return NEVER;
      // A wait, callback or invoke whose promise is only held does not keep the invocation
      // from ending until it is awaited (the engine decides: vm.rs).
      if (lazy) this.vm.held(id);
      this.vm.waiting(id, 1);
      const stopPolling = this.armPoll(id);
      try {
        await new Promise<void>((resolve) => {
          const list = this.waiters.get(id) ?? [];
          list.push(resolve);
          this.waiters.set(id, list);
          this.checkSuspend();
        });
      } finally {
        this.vm.waiting(id, -1);
        stopPolling();
      }
    }
  }

  /** Polls for record `id` when the engine says, again and again until stopped (a poll may find it unchanged). */
  private armPoll(id: string): () => void {
    let timer: NodeJS.Timeout | undefined;
    let polls = 0;
    const arm = () => {
      if (this.settled) return;
      const delay = this.vm.pollDelay(id, polls);
      if (delay > 2 ** 31 - 1) return;
      const t = realSetTimeout(() => {
        this.timers.delete(t);
        timer = undefined;
        polls++;
        this.poll();
        arm();
      }, delay);
      t.unref();
      this.timers.add(t);
      timer = t;
    };
    arm();
    return () => {
      if (timer) this.clearTimer(timer);
      timer = undefined;
    };
  }

  private clearTimer(timer: NodeJS.Timeout): void {
    realClearTimeout(timer);
    this.timers.delete(timer);
  }

  /** Asks the state machine whether to suspend; it answers now, later (ms) or not at all. */
  private checkSuspend(): void {
    if (this.settled || this.closing || this.suspendTimer || this.inFlight || this.flushScheduled) return;
    const next = this.vm.suspendCheck();
    if (next < 0) return;
    if (next === 0) {
      this.terminate({ kind: "pending" });
      return;
    }
    this.suspendTimer = realSetTimeout(() => {
      this.suspendTimer = undefined;
      this.checkSuspend();
    }, next);
  }

  private cancelSuspend(): void {
    if (this.suspendTimer) realClearTimeout(this.suspendTimer);
    this.suspendTimer = undefined;
  }

  /** Ends the invocation; later checkpoints are dropped and waiting operations never settle. */
  terminate(t: Termination): void {
    if (this.settled) return;
    this.settled = true;
    this.vm.terminate();
    this.cancelSuspend();
    for (const timer of this.timers) realClearTimeout(timer);
    this.timers.clear();
    this.resolvers = [];
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
    const t: Termination =
      error instanceof UnrecoverableError && error.scope === "INVOCATION" ? { kind: "invocation-error", error } : { kind: "execution-error", error };
    void this.closeWith(t);
    return NEVER;
  }

  /**
   * Ends the invocation after sending what was queued before the failure (as the official SDK
   * does: a step's START, a child context's START stay recorded); a failing send ends it with
   * its own classification instead.
   */
  private async closeWith(t: Termination): Promise<void> {
    if (this.settled || this.closing) return;
    this.closing = true;
    this.cancelSuspend();
    if (!this.vm.drained || this.inFlight || this.flushScheduled) {
      if (!this.inFlight && !this.flushScheduled) this.scheduleFlush();
      await new Promise<void>((resolve) => this.drainers.push(resolve));
    }
    this.terminate(t);
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

