// context.map (API.md §6.8): one child context per item (SubType MapIteration, named by
// itemNamer or "map-item-<i>") inside a batch context (SubType Map); the batch engine in
// concurrency.ts runs them.

import type { DurableContext, DurableContextImpl } from "../context";
import { DurablePromise } from "../durable-promise";
import type { DurableLogger } from "../logger";
import type { Serdes } from "../serdes";
import { OperationSubType } from "../types";
import { mapSummary, type BatchResult } from "./batch-result";
import { startBatch, type BatchEntry, type CompletionConfig, type NestingType } from "./concurrency";

export type MapFunc<TInput, TOutput, Logger extends DurableLogger = DurableLogger> = (
  context: DurableContext<Logger>,
  item: TInput,
  index: number,
  array: TInput[],
) => Promise<TOutput>;

export interface MapConfig<TItem, TResult> {
  maxConcurrency?: number;
  itemNamer?: (item: TItem, index: number) => string;
  serdes?: Serdes<BatchResult<TResult>>;
  itemSerdes?: Serdes<TResult>;
  completionConfig?: CompletionConfig;
  summaryGenerator?: (result: BatchResult<TResult>) => string;
  nesting?: NestingType;
}

/** Argument errors reject the promise when awaited; nothing is allocated or checkpointed. */
function rejected(message: string): DurablePromise<never> {
  return new DurablePromise(() => Promise.reject(new Error(message)));
}

export function map(ctx: DurableContextImpl, args: unknown[]): DurablePromise<BatchResult<any>> {
  const named = typeof args[0] === "string" || args[0] === undefined;
  const [name, items, mapFunc, config] = named ? args : [undefined, ...args];
  if (!Array.isArray(items)) return rejected("Map operation requires an array of items");
  if (typeof mapFunc !== "function") return rejected("Map operation requires a function to process items");
  const cfg = (config ?? {}) as MapConfig<unknown, unknown>;
  const fn = mapFunc as MapFunc<unknown, unknown>;
  return startBatch(ctx, {
    name: name as string | undefined,
    topLevelSubType: OperationSubType.MAP,
    iterationSubType: OperationSubType.MAP_ITERATION,
    config: cfg,
    summary: mapSummary,
    entries: () =>
      items.map((item, index): BatchEntry => {
        const userName = cfg.itemNamer ? cfg.itemNamer(item, index) : undefined;
        return {
          contextName: userName ?? `map-item-${index}`,
          userName,
          run: (child) => fn(child as unknown as DurableContext, item, index, items),
        };
      }),
  });
}
