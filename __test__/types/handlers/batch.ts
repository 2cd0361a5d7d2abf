// Type-check only: map, parallel and their results, written against the official SDK's types.
import {
  BatchItemStatus,
  ChildContextError,
  CompletionOutcome,
  NestingType,
  completeBatch,
  continueBatch,
  withDurableExecution,
  type BatchItem,
  type BatchResult,
  type CompletionConfig,
  type CompletionDecision,
  type CompletionReason,
  type CompletionStatus,
  type DurableContext,
  type DurableLogger,
  type MapConfig,
  type MapFunc,
} from "@aws/durable-execution-sdk-js";

interface Sku {
  id: string;
  qty: number;
}

const reserve: MapFunc<Sku, string, DurableLogger> = async (ctx, item, index, all) =>
  ctx.step(`reserve-${item.id}`, async () => `${item.id}x${item.qty} (${index + 1}/${all.length})`);

const tolerant: CompletionConfig = { toleratedFailurePercentage: 10, minSuccessful: 1 };
const stopAtTwo: CompletionConfig = {
  shouldComplete: (status: CompletionStatus): CompletionDecision =>
    status.successCount >= 2 ? completeBatch(CompletionOutcome.SUCCEEDED) : continueBatch(),
};

const mapConfig: MapConfig<Sku, string> = {
  maxConcurrency: 4,
  itemNamer: (item, index) => `${item.id}-${index}`,
  completionConfig: tolerant,
  nesting: NestingType.FLAT,
  summaryGenerator: (r) => `${r.successCount} reserved`,
};

export const handler = withDurableExecution(async (event: { skus: Sku[] }, context: DurableContext) => {
  const reserved: BatchResult<string> = await context.map("reserve-all", event.skus, reserve, mapConfig);
  const results: string[] = reserved.getResults();
  const errors: ChildContextError[] = reserved.getErrors();
  const first: BatchItem<string> | undefined = reserved.all[0];
  const reason: CompletionReason = reserved.completionReason;
  const ok: boolean = reserved.status === BatchItemStatus.SUCCEEDED && !reserved.hasFailure;
  const counts: number[] = [reserved.successCount, reserved.failureCount, reserved.startedCount, reserved.totalCount];
  for (const item of reserved.succeeded()) {
    const text: string = item.result;
    context.logger.info(text);
  }
  for (const item of reserved.failed()) context.logger.warn(item.index, item.error.message);
  reserved.throwIfError();

  const quick = await context.map(event.skus, async (_ctx, sku) => sku.qty * 2, { completionConfig: stopAtTwo });
  const doubled: number[] = quick.getResults();

  const branches = await context.parallel("fan-out", [
    async (ctx: DurableContext) => ctx.step(async () => 1),
    { name: "named", func: async (ctx: DurableContext) => ctx.step(async () => 2) },
  ]);
  const branchResults: number[] = branches.getResults();

  const mixed = await context.parallel([async () => "text", async () => 3]);
  const mixedResults: Array<string | number> = mixed.getResults();

  // @ts-expect-error map needs a function for the items
  await context.map(event.skus, "not a function");
  // @ts-expect-error the results of a map over numbers are not strings
  const wrong: BatchResult<string> = await context.map([1, 2], async (_ctx, n) => n);

  return { results, errors: errors.length, first, reason, ok, counts, doubled, branchResults, mixedResults, wrong };
});
