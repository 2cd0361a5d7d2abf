// The option and answer shapes of DurableEngine (durable-engine.ts): what `open`, `start`,
// `drive` and `register` take, and what the invocation channel publishes. Types only.

import type { WireErrorObject, WireOperation } from "../../index";
import type { ExecutionRecord } from "../native";
import type { DurableExecutionClient } from "../runtime/client";
import type { DurableExecutionInvocationInput, LambdaContext } from "../types";

/** One execution as the console draws it (crates/engine/src/inspect.rs `Timeline`); times in ms. */
export interface ExecutionTimeline {
  execution: ExecutionRecord;
  functionName: string;
  inputSize: number;
  resultSize: number;
  rootArn: string;
  parentArn?: string;
  parentOperationId?: string;
  invocations: { number: number; startMs: number; endMs?: number; requestId: string; error?: WireErrorObject }[];
  operations: {
    operation: WireOperation;
    inputSize: number;
    resultSize: number;
    truncated: boolean;
    attempts: { number: number; startMs: number; endMs?: number; status: string; error?: WireErrorObject; retryAtMs?: number }[];
    targetArn?: string;
  }[];
  lastEventId: number;
  nowMs: number;
}

export interface DurableEngineOptions {
  /** SQLite file (its directory must exist), or ":memory:" (the default). */
  path?: string;
  /** A PostgreSQL database instead of a SQLite file: `postgres://user@host:5432/db` (optionally
   * `?schema=NAME`). The schema is created or migrated on first use; many workers on many
   * machines may share it. */
  url?: string;
  /** Fire timers through the engine's virtual clock as soon as nothing is running. */
  skipTime?: boolean;
  /** fsync every commit (synchronous=FULL) instead of relying on the WAL (NORMAL). */
  synchronousFull?: boolean;
  /** How often to look for changes made by other processes on the same file (ms, default 50). */
  pollMs?: number;
  /** Delay before a failed invocation is retried (ms, default 1000); it doubles with each
   * failure in a row, up to 5 minutes. */
  invocationRetryDelayMs?: number;
  /** Invocations that may fail in a row without checkpointing anything before the execution
   * ends FAILED with the last error (default 6). */
  maxFailedInvocations?: number;
  /** How long another process on the same file waits before taking over an invocation whose
   * engine stopped renewing its lease (ms, default 15 minutes). The engine renews the leases it
   * holds every third of this, on its own. */
  leaseMs?: number;
  /** Operations in an invocation input's first page (default 1000); an SDK fetches the rest
   * with GetDurableExecutionState (`NextMarker`). */
  pageSize?: number;
  /** Checkpoints sent by concurrent invocations in the same event-loop turn share one
   * transaction (group commit; one fsync with synchronousFull). For workers running many
   * executions at once; it adds one event-loop turn to each checkpoint. */
  groupCommit?: boolean;
  /** With skipTime: jump to a callback's timeout or heartbeat deadline only after this many ms
   * of real time in which this process ran no invocation and answered nothing (test harnesses:
   * the test may still answer the callback). Default: jump at once. */
  callbackQuietMs?: number;
  /** Tests: the engine's clock stands still at this time (ms since the epoch) and moves only
   * with `advanceClockTo`, so a test decides when timers and heartbeat deadlines pass. */
  manualClockMs?: number;
  /** `ExecutionTimeout` of new executions, in seconds (1 to 31,622,400; default 366 days): an
   * execution still running then ends TIMED_OUT. */
  executionTimeout?: number;
  /** `RetentionPeriodInDays` of new executions (1 to 90; default 14): an ended execution's data
   * is removed once this has passed. */
  retentionPeriodInDays?: number;
}

export interface StartOptions {
  /** Execution name: starting again with the same name and input attaches to the execution. */
  name?: string;
  /** This execution's `ExecutionTimeout` (seconds), instead of the engine's. */
  executionTimeout?: number;
  /** This execution's `RetentionPeriodInDays`, instead of the engine's. */
  retentionPeriodInDays?: number;
}

export interface DriveOptions {
  /** Runs after each invocation, before the engine is asked for the next one once nothing
   * runs (and before skipped time moves on), e.g. to answer callbacks. Returning "stop" ends driving with the
   * execution as it is (for harnesses that know nothing more will happen). */
  afterInvocation?: () => Promise<void | "stop"> | void | "stop";
}

export interface StartResult {
  execution: ExecutionRecord;
  /** False when the name was already used with the same input. */
  created: boolean;
}

/**
 * Published on INVOCATION_CHANNEL. An invocation's end is published once its answer is
 * recorded; with group completion (a worker) that is off the JavaScript thread, so the next
 * invocation of the same execution may be published as started first: match them by number.
 */
export interface InvocationEvent {
  executionArn: string;
  functionName: string;
  number: number;
  phase: "started" | "completed" | "failed";
  status?: string;
  error?: string;
  /** The thrown error's type (phase "failed"). */
  errorType?: string;
  updatedOperationIds?: string[];
  /** A plain (non-durable) function's single invocation. */
  plain?: boolean;
}

/** A plain (non-durable) Lambda-style handler, a target for chained invokes. */
export type PlainHandler = (event: any, context: LambdaContext, control?: InvocationControl) => unknown;

/**
 * Passed to every handler after the Lambda context: `signal` aborts when the invocation is
 * ended from outside (its execution was stopped or timed out), so a handler running in a
 * runtime process can have that process killed. In-process handlers may ignore it.
 */
export interface InvocationControl {
  signal: AbortSignal;
}

/**
 * A class like `DurableExecutionInvocationInputWithClient` (API.md §3.3): an invocation input
 * that carries the transport the handler must use.
 */
export type InvocationInputWithClientClass = new (input: DurableExecutionInvocationInput, client: DurableExecutionClient) => DurableExecutionInvocationInput;

export interface RegisterOptions {
  /**
   * Runs a handler built with another SDK that honours `DurableExecutionInvocationInputWithClient`
   * (e.g. the official `@aws/durable-execution-sdk-js`): each invocation's input is made with
   * this class and the engine's in-process client. The caller passes the class, so durable-node
   * does not depend on that SDK:
   * `engine.register("fn", handler, { inputWithClient: official.DurableExecutionInvocationInputWithClient })`.
   * Such handlers are not marked by durable-node's withDurableExecution, so they are not checked.
   */
  inputWithClient?: InvocationInputWithClientClass;
  /**
   * Invokes the handler as Lambda does (PROTOCOL.md §2.1): a plain JSON event with
   * `DurableExecutionArn`, `CheckpointToken` and `InitialExecutionState` (epoch-millisecond
   * timestamps, as the service sends them: ts/invocation-timestamps.ts) and
   * no injected client, so the handler's own SDK calls checkpoint / get-state over the network —
   * e.g. the official SDK's LambdaClient pointed at the worker's HTTP API with
   * `AWS_ENDPOINT_URL_LAMBDA`. Tokens are accepted there only while this engine runs the invocation.
   */
  plainInput?: boolean;
}

