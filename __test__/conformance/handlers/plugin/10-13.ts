import {
  createRetryStrategy,
  JitterStrategy,
  withDurableExecution,
  type DurableInstrumentationPlugin,
  type InvocationInfo,
  type OperationEndInfo,
  type OperationInfo,
} from "@aws/durable-execution-sdk-js";

// Logs step starts with the replay flag, and step ends with their status.
class ConfPlugin implements DurableInstrumentationPlugin {
  private arn = "";

  private emit(record: Record<string, unknown>): void {
    process.stdout.write(JSON.stringify({ plugin: "CONFPLUGIN", ...record, durableExecutionArn: this.arn }) + "\n");
  }

  async onInvocationStart(info: InvocationInfo): Promise<void> {
    this.arn = info.executionArn;
  }

  async onOperationStart(info: OperationInfo): Promise<void> {
    if (info.type !== "STEP") return;
    this.emit({ hook: "operation-start", op: info.id, replay: info.isReplay });
  }

  async onOperationEnd(info: OperationEndInfo): Promise<void> {
    if (info.type !== "STEP") return;
    this.emit({ hook: "operation-end", op: info.id, status: info.status });
  }
}

export const handler = withDurableExecution(
  async (_event: unknown, context) => {
    await context.step(async () => "step A done");
    return context.step(
      async (stepContext) => {
        if (stepContext.attempt === 1) throw new Error("Transient failure on first attempt");
        return "Operation succeeded";
      },
      { retryStrategy: createRetryStrategy({ maxAttempts: 3, initialDelay: { seconds: 1 }, backoffRate: 1, jitter: JitterStrategy.NONE }) },
    );
  },
  { plugins: [new ConfPlugin()] },
);
