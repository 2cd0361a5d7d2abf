import { withDurableExecution, type DurableInstrumentationPlugin, type InvocationInfo, type OperationEndInfo } from "@aws/durable-execution-sdk-js";

// Logs each step's end with the recorded result and the error message (NONE when absent).
class ConfPlugin implements DurableInstrumentationPlugin {
  private arn = "";

  private emit(record: Record<string, unknown>): void {
    process.stdout.write(JSON.stringify({ plugin: "CONFPLUGIN", ...record, durableExecutionArn: this.arn }) + "\n");
  }

  async onInvocationStart(info: InvocationInfo): Promise<void> {
    this.arn = info.executionArn;
  }

  async onOperationEnd(info: OperationEndInfo): Promise<void> {
    if (info.type !== "STEP") return;
    this.emit({
      hook: "operation-end",
      op: info.id,
      status: info.status,
      result: info.result ?? "NONE",
      error: info.error?.message ?? "NONE",
    });
  }
}

export const handler = withDurableExecution(
  async (_event: unknown, context) => {
    const a = await context.step(async () => "task-a");
    const b = await context.step(
      async (): Promise<string> => {
        throw new Error("boom");
      },
      { retryStrategy: () => ({ shouldRetry: false }) },
    );
    return [a, b];
  },
  { plugins: [new ConfPlugin()] },
);
