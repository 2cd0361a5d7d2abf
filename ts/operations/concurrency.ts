// The batch engine under map and parallel (API.md §6.8-6.9): a batch CONTEXT whose items are
// child contexts started in index order under maxConcurrency, the completion algorithm
// (fail-fast, thresholds, custom predicate) and the completion reason, and the replay of an
// oversized batch from its summary. map.ts and parallel.ts only turn their arguments into items.

import type { DurableContext, DurableContextImpl } from "../context";
import { DurablePromise } from "../durable-promise";
import type { DurableLogger } from "../logger";
import { started } from "../scope";
import type { Serdes } from "../serdes";
import {
  BatchItemStatus,
  BatchResultImpl,
  batchResultSerdes,
  composeSummary,
  parseSummary,
  restoreBatchResult,
  type BatchItem,
  type BatchResult,
  type CompletionReason,
} from "./batch-result";
import { runChild } from "./child-context";

export enum NestingType {
  NESTED = "NESTED",
  FLAT = "FLAT",
}

export enum CompletionOutcome {
  SUCCEEDED = "SUCCEEDED",
  FAILED = "FAILED",
}

export type CompletionDecision = { complete: false } | { complete: true; outcome?: CompletionOutcome };

export const continueBatch = (): CompletionDecision => ({ complete: false });
export const completeBatch = (outcome: CompletionOutcome = CompletionOutcome.SUCCEEDED): CompletionDecision => ({ complete: true, outcome });

export interface ThresholdCompletionConfig {
  minSuccessful?: number;
  toleratedFailureCount?: number;
  toleratedFailurePercentage?: number;
  shouldComplete?: never;
}

export interface CustomCompletionConfig {
  shouldComplete: (status: CompletionStatus) => CompletionDecision;
  minSuccessful?: never;
  toleratedFailureCount?: never;
  toleratedFailurePercentage?: never;
}

export type CompletionConfig = ThresholdCompletionConfig | CustomCompletionConfig;

export interface CompletionItemStatus {
  index: number;
  name?: string;
  status?: BatchItemStatus;
}

export interface CompletionStatus {
  successCount: number;
  failureCount: number;
  completedCount: number;
  totalCount: number;
  items: readonly CompletionItemStatus[];
}

export interface ConcurrentExecutionItem<T> {
  id: string;
  data: T;
  index: number;
  name?: string;
}

export type ConcurrentExecutor<TItem, TResult, Logger extends DurableLogger> = (
  item: ConcurrentExecutionItem<TItem>,
  childContext: DurableContext<Logger>,
) => Promise<TResult>;

export interface ConcurrencyConfig<TResult> {
  maxConcurrency?: number;
  topLevelSubType?: string;
  iterationSubType?: string;
  summaryGenerator?: (result: BatchResult<TResult>) => string;
  serdes?: Serdes<BatchResult<TResult>>;
  itemSerdes?: Serdes<TResult>;
  completionConfig?: CompletionConfig;
  nesting?: NestingType;
}

/** One item of a batch as map/parallel describe it. */
export interface BatchEntry {
  /** Name of the item's child context. */
  contextName: string;
  /** The name the user gave (itemNamer, branch name), shown to shouldComplete. */
  userName?: string;
  run: (child: DurableContextImpl) => Promise<unknown>;
}

export interface BatchPlan {
  name: string | undefined;
  topLevelSubType: string;
  iterationSubType: string;
  /** Built when the batch body runs, so that a throwing itemNamer fails the batch. */
  entries: () => BatchEntry[];
  config: ConcurrencyConfig<unknown>;
  summary: (result: BatchResult<unknown>) => string;
}

const NEVER = new Promise<never>(() => {});

/**
 * Configuration errors end the execution before anything is checkpointed (API.md §6.8); the
 * returned promise never settles because the invocation is over.
 */
export function invalidBatchConfig(config: ConcurrencyConfig<unknown>): Error | undefined {
  const max = config.maxConcurrency;
  if (max !== undefined && !(typeof max === "number" && max > 0)) {
    return new Error(`Invalid maxConcurrency: ${max}. Must be a positive number or undefined for unlimited concurrency.`);
  }
  const cc = config.completionConfig as
    | { shouldComplete?: unknown; minSuccessful?: number; toleratedFailureCount?: number; toleratedFailurePercentage?: number }
    | undefined;
  if (cc?.shouldComplete !== undefined && (cc.minSuccessful !== undefined || cc.toleratedFailureCount !== undefined || cc.toleratedFailurePercentage !== undefined)) {
    return new Error(
      "Invalid completionConfig: shouldComplete cannot be combined with minSuccessful, toleratedFailureCount or toleratedFailurePercentage.",
    );
  }
  if (cc?.shouldComplete !== undefined && typeof cc.shouldComplete !== "function") {
    return new Error(`Invalid completionConfig: shouldComplete must be a function, got ${typeof cc.shouldComplete}.`);
  }
  return undefined;
}

/** Allocates the batch's id and starts it (phase 1); the DurablePromise delivers the result. */
export function startBatch(ctx: DurableContextImpl, plan: BatchPlan): DurablePromise<BatchResult<unknown>> {
  const invalid = invalidBatchConfig(plan.config);
  if (invalid) {
    void ctx.invocation.fail(invalid);
    return new DurablePromise(() => NEVER);
  }
  const stepId = ctx.nextStepId();
  return new DurablePromise(started(runBatch(ctx, stepId, plan)));
}

async function runBatch(ctx: DurableContextImpl, stepId: string, plan: BatchPlan): Promise<BatchResult<unknown>> {
  const result = await runChild<BatchResult<unknown>>(ctx, {
    stepId,
    name: plan.name,
    fn: (batch) => (batch.replayOnly ? replayFinishedItems(batch, plan) : runItems(batch, plan)),
    config: {
      subType: plan.topLevelSubType,
      serdes: plan.config.serdes ?? batchResultSerdes(),
      summaryGenerator: composeSummary(plan.summary, plan.config.summaryGenerator),
    },
  });
  return restoreBatchResult(result);
}

/** Item i lives at step id `<batch>-<i+1>` whether or not the items before it ran. */
function itemStepId(batch: DurableContextImpl, index: number): string {
  return `${batch.prefix}-${index + 1}`;
}

function runItem(batch: DurableContextImpl, plan: BatchPlan, entry: BatchEntry, index: number): Promise<BatchItem<unknown>> {
  return runChild(batch, {
    stepId: itemStepId(batch, index),
    name: entry.contextName,
    fn: entry.run,
    config: {
      subType: plan.iterationSubType,
      serdes: plan.config.itemSerdes,
      virtualContext: plan.config.nesting === NestingType.FLAT,
    },
  }).then(
    (result) => ({ result, index, status: BatchItemStatus.SUCCEEDED }),
    (error) => ({ error, index, status: BatchItemStatus.FAILED }),
  );
}

/** Counts and per-item statuses, and the completion rules evaluated on them. */
class Completion {
  readonly statuses: (BatchItemStatus | undefined)[];
  succeeded = 0;
  failed = 0;
  private readonly custom: CustomCompletionConfig["shouldComplete"] | undefined;
  private readonly thresholds: ThresholdCompletionConfig;
  private readonly hasThreshold: boolean;

  constructor(
    private readonly entries: BatchEntry[],
    config: CompletionConfig | undefined,
  ) {
    this.statuses = new Array(entries.length).fill(undefined);
    this.custom = (config as CustomCompletionConfig | undefined)?.shouldComplete;
    this.thresholds = (config ?? {}) as ThresholdCompletionConfig;
    const t = this.thresholds;
    this.hasThreshold = t.minSuccessful !== undefined || t.toleratedFailureCount !== undefined || t.toleratedFailurePercentage !== undefined;
  }

  get total(): number {
    return this.entries.length;
  }

  settle(index: number, status: BatchItemStatus): void {
    this.statuses[index] = status;
    if (status === BatchItemStatus.SUCCEEDED) this.succeeded++;
    else if (status === BatchItemStatus.FAILED) this.failed++;
  }

  private decide(): CompletionDecision {
    const status: CompletionStatus = {
      successCount: this.succeeded,
      failureCount: this.failed,
      completedCount: this.succeeded + this.failed,
      totalCount: this.total,
      items: this.entries.map((entry, index) => {
        const item: CompletionItemStatus = { index, status: this.statuses[index] };
        if (entry.userName !== undefined) item.name = entry.userName;
        return item;
      }),
    };
    return this.custom!(status);
  }

  private toleranceExceeded(): boolean {
    const { toleratedFailureCount: count, toleratedFailurePercentage: percent } = this.thresholds;
    if (count !== undefined && this.failed > count) return true;
    return percent !== undefined && (this.failed / this.total) * 100 > percent;
  }

  shouldContinue(): boolean {
    if (this.custom) return !this.decide().complete;
    if (!this.hasThreshold) return this.failed === 0;
    return !this.toleranceExceeded();
  }

  isComplete(): boolean {
    if (this.succeeded + this.failed === this.total) return true;
    if (this.custom) return this.decide().complete;
    const min = this.thresholds.minSuccessful;
    return min !== undefined && this.succeeded >= min;
  }

  reason(): CompletionReason {
    if (this.custom) {
      const decision = this.decide();
      if (!decision.complete) return "ALL_COMPLETED";
      return decision.outcome === CompletionOutcome.FAILED ? "CUSTOM_COMPLETION_FAILED" : "CUSTOM_COMPLETION_SUCCEEDED";
    }
    if (!this.hasThreshold && this.failed > 0) return "FAILURE_TOLERANCE_EXCEEDED";
    if (this.toleranceExceeded()) return "FAILURE_TOLERANCE_EXCEEDED";
    if (this.succeeded + this.failed === this.total) return "ALL_COMPLETED";
    const min = this.thresholds.minSuccessful;
    if (min !== undefined && this.succeeded >= min) return "MIN_SUCCESSFUL_REACHED";
    return "ALL_COMPLETED";
  }
}

/**
 * Live run (also the replay of an unfinished batch, where finished items answer from their
 * records at once): start items in index order while fewer than maxConcurrency run and the
 * completion rules say to go on; finish once complete. Items still running are reported as
 * STARTED and are not cancelled; the batch context finishing drops their later checkpoints.
 */
function runItems(batch: DurableContextImpl, plan: BatchPlan): Promise<BatchResult<unknown>> {
  const entries = plan.entries();
  const completion = new Completion(entries, plan.config.completionConfig);
  const max = plan.config.maxConcurrency ?? Infinity;
  const settled = new Map<number, BatchItem<unknown>>();
  let active = 0;
  let next = 0;
  let done = false;

  return new Promise((resolve, reject) => {
    const finish = () => {
      done = true;
      const all: BatchItem<unknown>[] = [];
      completion.statuses.forEach((status, index) => {
        if (status !== undefined) all.push(settled.get(index) ?? { index, status: BatchItemStatus.STARTED });
      });
      resolve(new BatchResultImpl(all, completion.reason()));
    };
    const fail = (e: unknown) => {
      done = true;
      reject(e);
    };
    const startMore = () => {
      while (!done && active < max && next < entries.length && completion.shouldContinue()) {
        const index = next++;
        active++;
        completion.statuses[index] = BatchItemStatus.STARTED;
        void runItem(batch, plan, entries[index], index).then((item) => {
          if (done) return;
          active--;
          settled.set(index, item);
          completion.settle(index, item.status);
          try {
            if (completion.isComplete() || !completion.shouldContinue()) finish();
            else startMore();
          } catch (e) {
            fail(e);
          }
        });
      }
    };
    try {
      startMore();
      // Nothing to run, or the custom predicate completed the batch before any item started.
      if (!done && active === 0) finish();
    } catch (e) {
      fail(e);
    }
  });
}

/**
 * Replay of a batch whose result was too large to record: the items the live run finished are
 * driven again to get their recorded outcomes (no checkpoints are possible here); the others
 * are left out. Which items finished comes from the summary's markers when present.
 */
async function replayFinishedItems(batch: DurableContextImpl, plan: BatchPlan): Promise<BatchResult<unknown>> {
  const entries = plan.entries();
  const summary = parseSummary(batch.replayRecord?.ContextDetails?.Result);
  const flat = plan.config.nesting === NestingType.FLAT;
  const inv = batch.invocation;

  const finished = (index: number): boolean => {
    const stepId = itemStepId(batch, index);
    if (summary.itemStatuses !== undefined) {
      const marker = summary.itemStatuses[index];
      if (marker !== "S" && marker !== "F") return false;
      // A FLAT item has no record; a NESTED one can only be re-driven from a terminal record.
      return flat || inv.stepEnded(stepId);
    }
    if (!flat) return inv.stepEnded(stepId);
    let k = 1;
    for (; ; k++) {
      if (!inv.hasStep(`${stepId}-${k}`)) break;
      if (!inv.stepEnded(`${stepId}-${k}`)) return false;
    }
    return k > 1;
  };

  const indices = entries.map((_, index) => index).filter(finished);
  const all = await Promise.all(indices.map((index) => runItem(batch, plan, entries[index], index)));
  let reason = summary.completionReason;
  if (reason === undefined) {
    const completion = new Completion(entries, plan.config.completionConfig);
    for (const item of all) completion.settle(item.index, item.status);
    reason = completion.reason();
  }
  return new BatchResultImpl(all, reason);
}
