import {
  OperationSubType,
  withDurableExecution,
  type DurableInstrumentationPlugin,
  type InvocationInfo,
  type OperationInfo,
} from "@aws/durable-execution-sdk-js";

// Wraps each parallel branch's function: logs before it runs and after it settles.
class ConfPlugin implements DurableInstrumentationPlugin {
  private arn = "";

  private emit(record: Record<string, unknown>): void {
    process.stdout.write(JSON.stringify({ plugin: "CONFPLUGIN", ...record, durableExecutionArn: this.arn }) + "\n");
  }

  async onInvocationStart(info: InvocationInfo): Promise<void> {
    this.arn = info.executionArn;
  }

  async wrapChildContextFn(info: OperationInfo, fn: () => unknown): Promise<unknown> {
    if (info.subType !== OperationSubType.PARALLEL_BRANCH) return fn();
    const ids = { op: info.id, parent: info.parentId ?? "NONE" };
    this.emit({ hook: "fn-start", ...ids });
    try {
      const result = await fn();
      this.emit({ hook: "fn-end", ...ids, outcome: "SUCCEEDED" });
      return result;
    } catch (error) {
      this.emit({ hook: "fn-end", ...ids, outcome: "FAILED" });
      throw error;
    }
  }
}

export const handler = withDurableExecution(
  async (_event: unknown, context) => {
    const result = await context.parallel("parallel", [async () => "task-1", async () => "task-2"], { maxConcurrency: 1 });
    return result.getResults();
  },
  { plugins: [new ConfPlugin()] },
);
