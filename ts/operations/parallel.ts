// context.parallel (API.md §6.8): one child context per branch (SubType ParallelBranch, named
// by the branch or "parallel-branch-<i>") inside a batch context (SubType Parallel); the batch
// engine in concurrency.ts runs them.

import type { DurableContext, DurableContextImpl } from "../context";
import { DurablePromise } from "../durable-promise";
import type { DurableLogger } from "../logger";
import type { Serdes } from "../serdes";
import { OperationSubType } from "../types";
import { parallelSummary, type BatchResult } from "./batch-result";
import { startBatch, type BatchEntry, type CompletionConfig, type NestingType } from "./concurrency";

export type ParallelFunc<TResult, Logger extends DurableLogger = DurableLogger> = (context: DurableContext<Logger>) => Promise<TResult>;

export interface NamedParallelBranch<TResult, Logger extends DurableLogger = DurableLogger> {
  name?: string;
  func: ParallelFunc<TResult, Logger>;
}

export interface ParallelConfig<TResult> {
  maxConcurrency?: number;
  serdes?: Serdes<BatchResult<TResult>>;
  itemSerdes?: Serdes<TResult>;
  completionConfig?: CompletionConfig;
  summaryGenerator?: (result: BatchResult<TResult>) => string;
  nesting?: NestingType;
}

/** The result type a heterogeneous branch list produces. */
export type ParallelResultOf<Branches extends readonly unknown[], Logger extends DurableLogger = DurableLogger> =
  Branches[number] extends ParallelFunc<infer R, Logger> ? R : Branches[number] extends NamedParallelBranch<infer R, Logger> ? R : never;

/** Argument errors reject the promise when awaited; nothing is allocated or checkpointed. */
function rejected(message: string): DurablePromise<never> {
  return new DurablePromise(() => Promise.reject(new Error(message)));
}

const isNamedBranch = (b: unknown): b is NamedParallelBranch<unknown> =>
  !!b && typeof b === "object" && typeof (b as { func?: unknown }).func === "function";

export function parallel(ctx: DurableContextImpl, args: unknown[]): DurablePromise<BatchResult<any>> {
  const named = typeof args[0] === "string" || args[0] === undefined;
  const [name, branches, config] = named ? args : [undefined, ...args];
  if (!Array.isArray(branches)) return rejected("Parallel operation requires an array of branch functions");
  if (!branches.every((b) => typeof b === "function" || isNamedBranch(b))) {
    return rejected("All branches must be functions or NamedParallelBranch objects");
  }
  const list = branches as Array<ParallelFunc<unknown> | NamedParallelBranch<unknown>>;
  return startBatch(ctx, {
    name: name as string | undefined,
    topLevelSubType: OperationSubType.PARALLEL,
    iterationSubType: OperationSubType.PARALLEL_BRANCH,
    config: (config ?? {}) as ParallelConfig<unknown>,
    summary: parallelSummary,
    entries: () =>
      list.map((branch, index): BatchEntry => {
        const func = typeof branch === "function" ? branch : branch.func;
        const userName = typeof branch === "function" ? undefined : branch.name;
        return {
          contextName: userName ?? `parallel-branch-${index}`,
          userName,
          run: (child) => func(child as unknown as DurableContext),
        };
      }),
  });
}
