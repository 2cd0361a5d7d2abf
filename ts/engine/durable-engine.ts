// The programmatic API: an engine opened on a SQLite file (or in memory) on which durable
// handlers are registered by function name, and executions are started and driven to the end.
// It runs each invocation the engine hands out; the engine decides what runs when.

import diagnostics_channel from "node:diagnostics_channel";

import { ExecutionNotFoundError } from "../engine-errors";
import { errorObject } from "../errors";
import { lambdaInvocationEvent } from "../invocation-timestamps";
import type { EngineMetrics, ExecutionChange, ExecutionLinks, ExecutionVersion, HistoryPage, ListPage, ListQuery } from "../../index";
import { call, callAsync, native, type ExecutionRecord, type InvocationTask, type NativeEngine } from "../native";
import { DurableExecutionInvocationInputWithClient, type DurableExecutionClient } from "../runtime/client";
import {
  InvocationStatus,
  type DurableExecutionInvocationInput,
  type DurableExecutionInvocationOutput,
  type ErrorObject,
  type LambdaContext,
} from "../types";
import { DURABLE_HANDLER, type DurableLambdaHandler } from "../with-durable-execution";
import type { ControlOptions, ExecutionDescription, PauseOptions } from "./control-types";
import type { ExecutionTimeline, DurableEngineOptions, StartOptions, DriveOptions, StartResult, InvocationEvent, PlainHandler, InvocationControl, InvocationInputWithClientClass, RegisterOptions } from "./engine-options";
import { InProcessClient } from "./in-process-client";

export type { ExecutionRecord };
export type { ExecutionTimeline, DurableEngineOptions, StartOptions, DriveOptions, StartResult, InvocationEvent, PlainHandler, InvocationControl, InvocationInputWithClientClass, RegisterOptions } from "./engine-options";
export type { ControlOptions, ExecutionDescription, PauseOptions } from "./control-types";
export type { EngineMetrics, ExecutionChange, ExecutionLinks, ExecutionVersion, HistoryPage, ListPage, ListQuery };

export const INVOCATION_CHANNEL = "durable-node:invocation";
const invocationChannel = diagnostics_channel.channel(INVOCATION_CHANNEL);

/** The handler threw instead of answering; the execution stays RUNNING and can be resumed. */
export class InvocationFailedError extends Error {
  constructor(
    readonly executionArn: string,
    readonly invocation: number,
    override readonly cause: unknown,
  ) {
    super(`invocation ${invocation} of ${executionArn} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "InvocationFailedError";
  }
}

function lambdaContextFor(task: InvocationTask): LambdaContext {
  const deadline = Date.now() + 15 * 60 * 1000;
  const fn = task.functionName;
  return {
    awsRequestId: task.requestId,
    functionName: fn,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${fn}:$LATEST`,
    memoryLimitInMB: "1024",
    logGroupName: `/aws/lambda/${fn}`,
    logStreamName: `durable-node/${task.requestId}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** An execution as `ListDurableExecutionsByFunction` lists it (PROTOCOL.md §8). */
export function listedExecution(e: ExecutionRecord) {
  return {
    DurableExecutionArn: e.DurableExecutionArn,
    DurableExecutionName: e.DurableExecutionName,
    FunctionArn: e.FunctionArn,
    Status: e.Status,
    StartTimestamp: e.StartTimestamp,
    EndTimestamp: e.EndTimestamp,
  };
}

type DurableHandlerWithControl = (event: DurableExecutionInvocationInput, context: LambdaContext, control: InvocationControl) => Promise<DurableExecutionInvocationOutput>;

export class DurableEngine {
  private readonly handlers = new Map<string, DurableLambdaHandler>();
  private readonly inputClasses = new Map<string, InvocationInputWithClientClass>();
  private readonly plainInputs = new Set<string>();
  private readonly plainHandlers = new Map<string, PlainHandler>();
  private readonly client: InProcessClient;
  /** Each invocation running now, by execution ARN: ends it without waiting for its handler. */
  private readonly pending = new Map<string, { reject: (error: Error) => void; controller: AbortController }>();

  private constructor(
    readonly native: NativeEngine,
    groupCommit: boolean,
  ) {
    this.client = new InProcessClient(native, groupCommit);
  }

  static open(options: DurableEngineOptions = {}): DurableEngine {
    if (options.url !== undefined && options.path !== undefined) throw new TypeError("DurableEngine.open: give either path (SQLite) or url (PostgreSQL), not both");
    const engine = call(() =>
      native.NativeEngine.open(options.url ?? options.path ?? ":memory:", {
        skipTime: options.skipTime ?? false,
        synchronousFull: options.synchronousFull ?? false,
        pollMs: options.pollMs,
        invocationRetryDelayMs: options.invocationRetryDelayMs,
        maxFailedInvocations: options.maxFailedInvocations,
        leaseMs: options.leaseMs,
        pageSize: options.pageSize,
        callbackQuietMs: options.callbackQuietMs,
        manualClockMs: options.manualClockMs,
        executionTimeout: options.executionTimeout,
        retentionPeriodInDays: options.retentionPeriodInDays,
      }),
    );
    return new DurableEngine(engine, options.groupCommit ?? false);
  }

  /** Registers a handler made by `withDurableExecution` under a function name. */
  register(functionName: string, handler: DurableLambdaHandler, options: RegisterOptions = {}): this {
    const foreign = options.inputWithClient;
    if (foreign !== undefined && typeof foreign !== "function") {
      throw new TypeError(`inputWithClient for "${functionName}" must be a class like DurableExecutionInvocationInputWithClient`);
    }
    if (foreign && options.plainInput) {
      throw new TypeError(`"${functionName}": inputWithClient and plainInput exclude each other (plainInput passes no client)`);
    }
    if (typeof handler !== "function" || (!foreign && !options.plainInput && !(handler as unknown as Record<symbol, unknown>)[DURABLE_HANDLER])) {
      throw new TypeError(`The handler registered as "${functionName}" is not a durable handler: wrap it with withDurableExecution(...)`);
    }
    this.handlers.set(functionName, handler);
    if (foreign) this.inputClasses.set(functionName, foreign);
    else this.inputClasses.delete(functionName);
    if (options.plainInput) this.plainInputs.add(functionName);
    else this.plainInputs.delete(functionName);
    return this;
  }

  /** Registers a plain function (not durable) that durable handlers can `context.invoke`. */
  registerFunction(functionName: string, handler: PlainHandler): this {
    if (typeof handler !== "function") throw new TypeError(`The function registered as "${functionName}" is not a function`);
    this.plainHandlers.set(functionName, handler);
    return this;
  }

  /** Completes a callback with a result (the text a caller would send; JSON by convention). */
  sendCallbackSuccess(callbackId: string, payload?: string): void {
    call(() => this.native.sendCallbackSuccess(callbackId, payload));
  }

  sendCallbackFailure(callbackId: string, error?: ErrorObject): void {
    call(() => this.native.sendCallbackFailure(callbackId, error));
  }

  sendCallbackHeartbeat(callbackId: string): void {
    call(() => this.native.sendCallbackHeartbeat(callbackId));
  }

  start(functionName: string, input?: unknown, options: StartOptions = {}): StartResult {
    if (!this.handlers.has(functionName) && !this.plainHandlers.has(functionName)) {
      throw new TypeError(`No function named "${functionName}" is registered on this engine`);
    }
    const payload = input === undefined ? undefined : JSON.stringify(input);
    const config = { ExecutionTimeout: options.executionTimeout, RetentionPeriodInDays: options.retentionPeriodInDays };
    return call(() => this.native.startExecution(functionName, options.name, payload, config));
  }

  /** Starts (or attaches to) an execution and drives it until it finishes. */
  async run(functionName: string, input?: unknown, options: StartOptions = {}): Promise<ExecutionRecord> {
    const { execution } = this.start(functionName, input, options);
    return this.drive(execution.DurableExecutionArn);
  }

  /**
   * Runs every invocation the engine hands out for one execution until it finishes. While one
   * runs, what becomes due in its tree runs beside it (a chained invoke's function, as the
   * service runs it while the caller goes on), so an invocation kept alive by a running step
   * sees its invokes complete instead of ending to wait for them. Rejects with
   * InvocationFailedError if an invocation throws (the execution can be driven again), once
   * the invocations running beside it have ended.
   */
  async drive(arn: string, options: DriveOptions = {}): Promise<ExecutionRecord> {
    let failure: { error: unknown } | undefined;
    let stopped = false;
    const running = new Set<Promise<void>>();
    const run = (task: InvocationTask): void => {
      const done: Promise<void> = this.invoke(task)
        .then(async () => {
          if ((await options.afterInvocation?.()) === "stop") stopped = true;
        })
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(() => running.delete(done));
      running.add(done);
    };
    // Beside a busy invocation (the engine decides what may run there, and answers nothing
    // once none is busy, so an idle process can still exit). Restarted when one becomes busy.
    let beside: Promise<void> | undefined;
    let again = false;
    const runBeside = async (): Promise<void> => {
      do {
        again = false;
        for (let task; (task = await callAsync(() => this.native.nextTask({ arn }, true))); ) run(task);
      } while (again);
      beside = undefined;
    };
    const busy = () => {
      if (beside) again = true;
      else beside = runBeside();
    };
    this.client.busyListeners.add(busy);
    try {
      while (!failure && !stopped) {
        const task = await callAsync(() => this.native.nextTask({ arn }));
        if (!task) break;
        run(task);
        while (running.size > 0 || beside) await Promise.all([...running, beside]);
      }
    } finally {
      this.client.busyListeners.delete(busy);
    }
    if (failure) throw failure.error;
    return this.get(arn);
  }

  /**
   * The next invocation of any execution of `functions` (any process on the file may have
   * started it), claimed with a lease; null once `stopTasks` was called or the engine closed.
   */
  nextTask(functions: string[]): Promise<InvocationTask | null> {
    return callAsync(() => this.native.nextTask({ functions }));
  }

  /** Up to `max` invocations of these functions to run, claimed together; empty once stopped. */
  nextTasks(functions: string[], max: number): Promise<InvocationTask[]> {
    return callAsync(() => this.native.nextTasks({ functions }, max));
  }

  /** Stops handing out tasks; invocations already handed out can still run to their end. */
  stopTasks(): void {
    this.native.stopTasks();
  }

  /** Checkpoint requests applied since opening and the transactions they shared (group commit). */
  checkpointStats(): { requests: number; transactions: number } {
    return this.native.checkpointStats();
  }

  /** Renews the leases of the invocations this engine runs (call well within `leaseMs`). */
  renewLeases(): number {
    return call(() => this.native.renewLeases());
  }

  /** StopDurableExecution: the execution ends STOPPED; returns the stop time (ms). */
  stop(arnOrName: string, error?: ErrorObject): number {
    return call(() => this.native.stopExecution(arnOrName, error));
  }

  /**
   * PauseDurableExecution: the execution is not invoked until resumed (PAUSED; PAUSING until a
   * running invocation's next checkpoint). Its waits, callbacks and retry timers still complete
   * and are acted on after the resume. Returns the request time (ms).
   */
  pause(arnOrName: string, options: PauseOptions = {}): number {
    const { reason, clientToken, executionTimeoutPaused } = options;
    return call(() => this.native.pauseExecution(arnOrName, { Reason: reason, ClientToken: clientToken, ExecutionTimeoutPaused: executionTimeoutPaused }));
  }

  /** ResumeDurableExecution: RUNNING again (a PAUSING one simply goes on). Returns the request time (ms). */
  resume(arnOrName: string, options: ControlOptions = {}): number {
    return call(() => this.native.resumeExecution(arnOrName, { Reason: options.reason, ClientToken: options.clientToken }));
  }

  /**
   * DeleteDurableExecution: an ended execution shows DELETING until its data is removed (the
   * next scheduler pass of any engine on the storage, or `runDueTimers`), then it is not found.
   * Returns DeletionRequestTimestamp (ms).
   */
  delete(arnOrName: string): number {
    return call(() => this.native.deleteExecution(arnOrName));
  }

  /** Fires what is due on the engine's clock (timers, execution timeouts, removals of deleted
   * or expired executions) without running anything; for a process that drives nothing. */
  runDueTimers(): number {
    return call(() => this.native.runDueTimers());
  }

  /** The execution as GetDurableExecution describes it (DurableConfig, PauseDetails, …). */
  describe(arnOrName: string): ExecutionDescription {
    const { record, ...extra } = call(() => this.native.describeExecution(arnOrName));
    return { ...record, ...extra } as ExecutionDescription;
  }

  /**
   * Gives up an invocation this engine was handed without waiting for its handler (a worker
   * shutting down): it ends with `error`, and the execution is invoked again after the retry
   * delay by whichever process on the file claims it.
   */
  releaseInvocation(task: InvocationTask, error: ErrorObject): void {
    call(() => this.native.failInvocation(task.DurableExecutionArn, task.CheckpointToken, error));
  }

  /**
   * Ends every invocation whose handler has not settled, as failed with `error` (thrown from
   * `invoke`, so `drive` rejects with InvocationFailedError). For a process whose event loop
   * emptied while a handler was still pending: nothing can settle it any more.
   */
  abandonPending(error: Error): number {
    const pending = [...this.pending.values()];
    for (const { reject } of pending) reject(error);
    return pending.length;
  }

  /** Executions whose invocation this engine is running now. */
  runningExecutions(): string[] {
    return [...this.pending.keys()];
  }

  /**
   * Ends the running invocation of `arn` (its execution was stopped or timed out elsewhere):
   * its handler's signal aborts with `error` — a handler in a runtime process has that process
   * killed — and it is recorded as failed with `error` without waiting for the handler.
   * Returns whether one was running.
   */
  endInvocation(arn: string, error: Error): boolean {
    const running = this.pending.get(arn);
    if (!running) return false;
    running.controller.abort(error);
    running.reject(error);
    return true;
  }

  /**
   * The two data-plane operations (checkpoint, get state) on this engine, for a transport that
   * carries them from another process (a runtime process's IPC channel): what the HTTP API
   * answers, without HTTP.
   */
  dataPlane(): DurableExecutionClient {
    return this.client;
  }

  /** Names of the registered functions (durable and plain). */
  functionNames(): string[] {
    return [...new Set([...this.handlers.keys(), ...this.plainHandlers.keys()])];
  }

  /**
   * Runs one invocation handed out by `nextTask` and records how it ended. Rejects with
   * InvocationFailedError when the handler threw and the execution is still RUNNING (it is
   * invoked again after the retry delay).
   */
  async invoke(task: InvocationTask): Promise<void> {
    const arn = task.DurableExecutionArn;
    const base = { executionArn: arn, functionName: task.functionName, number: task.invocationNumber };
    const plain = this.plainHandlers.get(task.functionName);
    if (plain) return this.invokePlain(task, plain);
    const handler = this.handlers.get(task.functionName);
    const input: DurableExecutionInvocationInput = {
      DurableExecutionArn: arn,
      CheckpointToken: task.CheckpointToken,
      UpdatedOperationIds: task.UpdatedOperationIds,
      InitialExecutionState: task.InitialExecutionState as never,
    };
    let event: DurableExecutionInvocationInput;
    if (this.plainInputs.has(task.functionName)) {
      // The event Lambda delivers: JSON only, epoch-millisecond timestamps, no
      // UpdatedOperationIds on the first invocation.
      event = lambdaInvocationEvent(input, task.invocationNumber === 1);
    } else {
      const foreign = this.inputClasses.get(task.functionName);
      event = new (foreign ?? DurableExecutionInvocationInputWithClient)(input, this.client);
      // The official SDK's class drops UpdatedOperationIds (API.md §3.3) although that SDK reads
      // them from the event (plugins' updated operations, replay flags): put them on the event,
      // as the service delivers them (not on the first invocation).
      if (foreign && task.invocationNumber > 1 && input.UpdatedOperationIds && !("UpdatedOperationIds" in event)) {
        (event as { UpdatedOperationIds?: string[] }).UpdatedOperationIds = input.UpdatedOperationIds;
      }
    }
    if (invocationChannel.hasSubscribers) invocationChannel.publish({ ...base, phase: "started", updatedOperationIds: task.UpdatedOperationIds });
    let output: DurableExecutionInvocationOutput;
    if (!handler) {
      // An invoke of a function nobody registered fails that execution, as Lambda would.
      const error = { ErrorType: "ResourceNotFoundException", ErrorMessage: `Function not found: ${task.functionName} (register it on the engine)` };
      call(() => this.native.completeInvocation(arn, task.CheckpointToken, { Status: "FAILED", Error: error }));
      return;
    }
    try {
      const controller = new AbortController();
      const abandoned = new Promise<never>((_, reject) => this.pending.set(arn, { reject, controller }));
      try {
        output = await Promise.race([(handler as DurableHandlerWithControl)(event, lambdaContextFor(task), { signal: controller.signal }), abandoned]);
      } finally {
        this.pending.delete(arn);
      }
    } catch (error) {
      const failure = errorObject(error);
      const after = call(() => this.native.failInvocation(arn, task.CheckpointToken, failure));
      if (invocationChannel.hasSubscribers) invocationChannel.publish({ ...base, phase: "failed", error: (error as Error)?.message ?? String(error), errorType: failure.ErrorType });
      // A stopped, timed-out or paused execution refuses the invocation's checkpoints: that is
      // how it ends (a paused one is invoked again after its resume), not a failure.
      if (after.Status !== "RUNNING") return;
      throw new InvocationFailedError(arn, task.invocationNumber, error);
    }
    await this.client.complete(arn, task.CheckpointToken, output as never);
    if (invocationChannel.hasSubscribers) invocationChannel.publish({ ...base, phase: "completed", status: output.Status });
  }

  /** A plain function runs once; its return value or error ends its execution. */
  private async invokePlain(task: InvocationTask, handler: PlainHandler): Promise<void> {
    const input = task.InitialExecutionState.Operations[0]?.ExecutionDetails?.InputPayload;
    const base = { executionArn: task.DurableExecutionArn, functionName: task.functionName, number: task.invocationNumber, plain: true };
    if (invocationChannel.hasSubscribers) invocationChannel.publish({ ...base, phase: "started" });
    let output: DurableExecutionInvocationOutput;
    try {
      const result = await handler(input === undefined ? {} : JSON.parse(input), lambdaContextFor(task));
      output = { Status: InvocationStatus.SUCCEEDED, Result: result === undefined ? undefined : JSON.stringify(result) };
    } catch (error) {
      const e = error as Error;
      output = { Status: InvocationStatus.FAILED, Error: { ErrorType: e?.name ?? "Error", ErrorMessage: e?.message ?? String(error), StackTrace: e?.stack?.split("\n") } };
    }
    await this.client.complete(task.DurableExecutionArn, task.CheckpointToken, output as never);
    if (invocationChannel.hasSubscribers) invocationChannel.publish({ ...base, phase: "completed", status: output.Status, errorType: "Error" in output ? output.Error?.ErrorType : undefined });
  }

  get(arnOrName: string): ExecutionRecord {
    return call(() => this.native.getExecution(arnOrName));
  }

  /** The execution, or undefined when there is none by that name or ARN. */
  find(arnOrName: string): ExecutionRecord | undefined {
    try {
      return this.get(arnOrName);
    } catch (e) {
      if (e instanceof ExecutionNotFoundError) return undefined;
      throw e;
    }
  }

  list(filter: { status?: string; functionName?: string } = {}): ExecutionRecord[] {
    return call(() => this.native.listExecutions(filter.status, filter.functionName));
  }

  history(arnOrName: string): Record<string, unknown>[] {
    return call(() => this.native.history(arnOrName));
  }

  // Reads for people and tools (crates/engine/src/inspect.rs): pages from indexed queries.

  /** One page of executions (no input or result), newest first; `marker` resumes a listing. */
  listPage(query: ListQuery): ListPage {
    return call(() => this.native.listPage(query));
  }

  /** Execution rows changed after change number `since`, in change order (a live list). */
  executionChanges(since: number, limit: number): ExecutionChange[] {
    return call(() => this.native.executionChanges(since, limit));
  }

  lastExecutionChange(): number {
    return call(() => this.native.lastExecutionChange());
  }

  /** Status and last event id: what a poller compares before reading an execution again. */
  executionVersion(arnOrName: string): ExecutionVersion {
    return call(() => this.native.executionVersion(arnOrName));
  }

  /** The execution, its operations with their attempts, and its invocations. */
  timeline(arnOrName: string, payloadLimit: number): ExecutionTimeline {
    return JSON.parse(this.timelineJson(arnOrName, payloadLimit)) as ExecutionTimeline;
  }

  /** `timeline` as the JSON text the engine made (a page sends it on as it is). */
  timelineJson(arnOrName: string, payloadLimit: number): string {
    return call(() => this.native.timelineJson(arnOrName, payloadLimit));
  }

  /** One operation record, whole (payloads uncut). */
  operation(arnOrName: string, id: string) {
    return call(() => this.native.operation(arnOrName, id));
  }

  /** One page of the history; `marker` is the previous page's `nextMarker`. */
  historyPage(arnOrName: string, options: { marker?: string; limit: number; reverse?: boolean }): HistoryPage {
    return call(() => this.native.historyPage(arnOrName, options.marker, options.limit, options.reverse ?? false));
  }

  /** Name, start, root and caller of an execution (a tracer's parent span). */
  executionLinks(arnOrName: string): ExecutionLinks {
    return call(() => this.native.executionLinks(arnOrName));
  }

  /** The engine's counters and the store's gauges, for `GET /metrics`. */
  metrics(): EngineMetrics {
    return call(() => this.native.metrics());
  }

  operations(arnOrName: string) {
    return call(() => this.native.operations(arnOrName));
  }

  /** The storage's own check (SQLite: `PRAGMA integrity_check`; PostgreSQL: every row belongs
   * to an execution, histories have no gaps, …): `["ok"]` when intact. */
  integrityCheck(): string[] {
    return call(() => this.native.integrityCheck());
  }

  /** Which backend the engine runs on ("sqlite" | "postgres") and its schema version. */
  storageInfo(): { backend: string; schemaVersion: number } {
    return call(() => this.native.storageInfo());
  }

  /** Milliseconds since the epoch on the engine clock (ahead of real time when skipping). */
  now(): number {
    return this.native.now();
  }

  /** Moves a manual (or time-skipping) engine clock forward to `targetMs`; timers due by then fire. */
  advanceClockTo(targetMs: number): void {
    call(() => this.native.advanceClockTo(targetMs));
  }

  close(): void {
    this.native.close();
  }
}
