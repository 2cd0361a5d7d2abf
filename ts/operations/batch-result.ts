// BatchResult (API.md §6.9): what map and parallel return, its JSON form `{ all, completionReason }`
// (item errors as error objects with their cause chain), the built-in serdes that records it in
// the batch CONTEXT, and the summary recorded instead when it is too large (§6.8).

import { DurableOperationError, BatchCompletionError, type ChildContextError } from "../errors";
import type { Serdes } from "../serdes";

export enum BatchItemStatus {
  SUCCEEDED = "SUCCEEDED",
  FAILED = "FAILED",
  STARTED = "STARTED",
}

export interface BatchItem<TResult> {
  result?: TResult;
  error?: ChildContextError;
  index: number;
  status: BatchItemStatus;
}

export type CompletionReason =
  | "ALL_COMPLETED"
  | "MIN_SUCCESSFUL_REACHED"
  | "FAILURE_TOLERANCE_EXCEEDED"
  | "CUSTOM_COMPLETION_SUCCEEDED"
  | "CUSTOM_COMPLETION_FAILED";

export const COMPLETION_REASONS: readonly CompletionReason[] = [
  "ALL_COMPLETED",
  "MIN_SUCCESSFUL_REACHED",
  "FAILURE_TOLERANCE_EXCEEDED",
  "CUSTOM_COMPLETION_SUCCEEDED",
  "CUSTOM_COMPLETION_FAILED",
];

export interface BatchResult<TResult> {
  all: Array<BatchItem<TResult>>;
  succeeded(): Array<BatchItem<TResult> & { result: TResult }>;
  failed(): Array<BatchItem<TResult> & { error: ChildContextError }>;
  started(): Array<BatchItem<TResult> & { status: BatchItemStatus.STARTED }>;
  status: BatchItemStatus.SUCCEEDED | BatchItemStatus.FAILED;
  completionReason: CompletionReason;
  hasFailure: boolean;
  throwIfError(): void;
  getResults(): Array<TResult>;
  getErrors(): Array<ChildContextError>;
  successCount: number;
  failureCount: number;
  startedCount: number;
  totalCount: number;
}

type Succeeded<R> = BatchItem<R> & { result: R };
type Failed<R> = BatchItem<R> & { error: ChildContextError };
type Started<R> = BatchItem<R> & { status: BatchItemStatus.STARTED };

export class BatchResultImpl<R> implements BatchResult<R> {
  readonly all: Array<BatchItem<R>>;
  readonly completionReason: CompletionReason;
  readonly successCount: number;
  readonly failureCount: number;
  readonly startedCount: number;
  readonly totalCount: number;
  // The views are computed once: `all` is documented as immutable.
  readonly #succeeded: Succeeded<R>[];
  readonly #failed: Failed<R>[];
  readonly #started: Started<R>[];

  constructor(all: Array<BatchItem<R>>, completionReason: CompletionReason) {
    this.all = all;
    this.completionReason = completionReason;
    this.successCount = all.filter((i) => i.status === BatchItemStatus.SUCCEEDED).length;
    this.failureCount = all.filter((i) => i.status === BatchItemStatus.FAILED).length;
    this.startedCount = all.filter((i) => i.status === BatchItemStatus.STARTED).length;
    this.totalCount = all.length;
    // An item that succeeded with `undefined` is counted but has no result to list.
    this.#succeeded = all.filter((i): i is Succeeded<R> => i.status === BatchItemStatus.SUCCEEDED && i.result !== undefined);
    this.#failed = all.filter((i): i is Failed<R> => i.status === BatchItemStatus.FAILED && i.error !== undefined);
    this.#started = all.filter((i): i is Started<R> => i.status === BatchItemStatus.STARTED);
  }

  succeeded(): Succeeded<R>[] {
    return [...this.#succeeded];
  }

  failed(): Failed<R>[] {
    return [...this.#failed];
  }

  started(): Started<R>[] {
    return [...this.#started];
  }

  get hasFailure(): boolean {
    return this.failureCount > 0;
  }

  get status(): BatchItemStatus.SUCCEEDED | BatchItemStatus.FAILED {
    if (this.completionReason === "CUSTOM_COMPLETION_FAILED") return BatchItemStatus.FAILED;
    if (this.completionReason === "CUSTOM_COMPLETION_SUCCEEDED") return BatchItemStatus.SUCCEEDED;
    return this.hasFailure ? BatchItemStatus.FAILED : BatchItemStatus.SUCCEEDED;
  }

  throwIfError(): void {
    const first = this.#failed[0];
    if (first) throw first.error;
    if (this.status === BatchItemStatus.FAILED) throw new BatchCompletionError(this.completionReason);
  }

  getResults(): R[] {
    return this.#succeeded.map((i) => i.result);
  }

  getErrors(): ChildContextError[] {
    return this.#failed.map((i) => i.error);
  }

  toJSON(): { all: unknown[]; completionReason: CompletionReason } {
    return {
      all: this.all.map((i) => ({ result: i.result, error: i.error === undefined ? undefined : errorJson(i.error), index: i.index, status: i.status })),
      completionReason: this.completionReason,
    };
  }
}

interface ErrorJson {
  ErrorType?: string;
  ErrorMessage?: string;
  ErrorData?: string;
  Cause?: ErrorJson;
}

const MAX_CAUSE_DEPTH = 10;

function errorJson(e: unknown, depth = 0): ErrorJson | undefined {
  if (e === undefined || e === null || depth > MAX_CAUSE_DEPTH) return undefined;
  if (e instanceof DurableOperationError) {
    return { ErrorType: e.errorType, ErrorMessage: e.message, ErrorData: e.errorData, Cause: errorJson(e.cause, depth + 1) };
  }
  if (e instanceof Error) return { ErrorType: e.name, ErrorMessage: e.message, Cause: errorJson(e.cause, depth + 1) };
  return { ErrorMessage: String(e) };
}

const DURABLE_ERROR_TYPES = new Set([
  "StepError",
  "CallbackError",
  "CallbackExternalError",
  "CallbackTimeoutError",
  "CallbackSubmitterError",
  "InvokeError",
  "ChildContextError",
  "WaitForConditionError",
  "PromiseCombinatorError",
]);

/** Durable error types come back as their classes; anything else as an Error with its name. */
function errorFromJson(o: unknown, depth = 0): Error {
  if (o instanceof Error) return o;
  const j = (o ?? {}) as ErrorJson;
  let error: Error;
  if (j.ErrorType && DURABLE_ERROR_TYPES.has(j.ErrorType)) {
    error = DurableOperationError.fromErrorObject({ ErrorType: j.ErrorType, ErrorMessage: j.ErrorMessage, ErrorData: j.ErrorData });
  } else {
    error = new Error(j.ErrorMessage);
    error.name = j.ErrorType || "Error";
  }
  if (j.Cause && depth < MAX_CAUSE_DEPTH) error.cause = errorFromJson(j.Cause, depth + 1);
  return error;
}

/**
 * A BatchResult from whatever the batch serdes produced: the built-in one (or a custom one
 * returning the `{ all, completionReason }` shape) is rebuilt with its methods; other values are
 * the custom serdes' business and pass through.
 */
export function restoreBatchResult<R>(data: unknown): BatchResult<R> {
  if (data instanceof BatchResultImpl) return data;
  const shape = data as { all?: unknown; completionReason?: unknown } | null | undefined;
  if (!shape || typeof shape !== "object" || !Array.isArray(shape.all)) return data as BatchResult<R>;
  const all = (shape.all as Array<Partial<BatchItem<R>> & { error?: unknown }>).map((item) => {
    const rebuilt: BatchItem<R> = { index: Number(item.index), status: item.status as BatchItemStatus };
    if (item.result !== undefined) rebuilt.result = item.result;
    if (item.error !== undefined && item.error !== null) rebuilt.error = errorFromJson(item.error) as ChildContextError;
    return rebuilt;
  });
  const reason = COMPLETION_REASONS.includes(shape.completionReason as CompletionReason) ? (shape.completionReason as CompletionReason) : "ALL_COMPLETED";
  return new BatchResultImpl(all, reason);
}

/** The default serdes of the batch CONTEXT record (not the context's default serdes). */
export function batchResultSerdes<R>(): Serdes<BatchResult<R>> {
  return {
    serialize: async (value) => (value === undefined ? undefined : JSON.stringify(value)),
    deserialize: async (data) => (data === undefined ? undefined : restoreBatchResult<R>(JSON.parse(data))),
  };
}

/** One character per index up to the highest started one: S succeeded, F failed, - anything else. */
export function encodeItemStatuses(result: BatchResult<unknown>): string {
  const highest = result.all.reduce((max, item) => Math.max(max, item.index), -1);
  const chars = new Array<string>(highest + 1).fill("-");
  for (const item of result.all) {
    if (item.status === BatchItemStatus.SUCCEEDED) chars[item.index] = "S";
    else if (item.status === BatchItemStatus.FAILED) chars[item.index] = "F";
  }
  return chars.join("");
}

export function mapSummary(result: BatchResult<unknown>): string {
  return JSON.stringify({
    type: "MapResult",
    totalCount: result.totalCount,
    successCount: result.successCount,
    failureCount: result.failureCount,
    completionReason: result.completionReason,
    status: result.status,
    itemStatuses: encodeItemStatuses(result),
  });
}

export function parallelSummary(result: BatchResult<unknown>): string {
  return JSON.stringify({
    type: "ParallelResult",
    totalCount: result.totalCount,
    successCount: result.successCount,
    failureCount: result.failureCount,
    startedCount: result.startedCount,
    completionReason: result.completionReason,
    status: result.status,
    itemStatuses: encodeItemStatuses(result),
  });
}

/**
 * Replay of an oversized batch depends on the SDK's own fields, so a user's summary can only be
 * added (under `summary`), never replace them.
 */
export function composeSummary<R>(
  internal: (result: BatchResult<R>) => string,
  custom: ((result: BatchResult<R>) => string) | undefined,
): (result: BatchResult<R>) => string {
  if (!custom) return internal;
  return (result) => JSON.stringify({ ...JSON.parse(internal(result)), summary: custom(result) });
}

export interface RecordedSummary {
  completionReason?: CompletionReason;
  itemStatuses?: string;
}

/** The parts of a recorded summary replay uses; anything unreadable counts as absent. */
export function parseSummary(payload: string | undefined): RecordedSummary {
  if (!payload) return {};
  try {
    const parsed = JSON.parse(payload) as Record<string, unknown>;
    if (!parsed || typeof parsed !== "object") return {};
    return {
      completionReason: COMPLETION_REASONS.includes(parsed.completionReason as CompletionReason) ? (parsed.completionReason as CompletionReason) : undefined,
      itemStatuses: typeof parsed.itemStatuses === "string" && /^[SF-]*$/.test(parsed.itemStatuses) ? parsed.itemStatuses : undefined,
    };
  } catch {
    return {};
  }
}
