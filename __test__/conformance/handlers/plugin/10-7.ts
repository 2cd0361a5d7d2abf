import { withDurableExecution, type DurableInstrumentationPlugin, type InvocationEndInfo, type InvocationInfo } from "@aws/durable-execution-sdk-js";

// Logs the invocation lifecycle; the execution fails, so the end reports FAILED.
class ConfPlugin implements DurableInstrumentationPlugin {
  private arn = "";

  private emit(record: Record<string, unknown>): void {
    process.stdout.write(JSON.stringify({ plugin: "CONFPLUGIN", ...record, durableExecutionArn: this.arn }) + "\n");
  }

  async onInvocationStart(info: InvocationInfo): Promise<void> {
    this.arn = info.executionArn;
    this.emit({ hook: "invocation-start", first: info.isFirstInvocation });
  }

  async onInvocationEnd(info: InvocationEndInfo): Promise<void> {
    this.emit({ hook: "invocation-end", status: info.status });
  }
}

export const handler = withDurableExecution(
  async (_event: unknown, context) => {
    return context.step(
      async (): Promise<string> => {
        throw new Error("Step failed deliberately");
      },
      { retryStrategy: () => ({ shouldRetry: false }) },
    );
  },
  { plugins: [new ConfPlugin()] },
);
