import { withDurableExecution, type DurableInstrumentationPlugin, type InvocationEndInfo, type InvocationInfo } from "@aws/durable-execution-sdk-js";

// Logs every invocation's start and end; the end carries the same invocation's first flag.
class ConfPlugin implements DurableInstrumentationPlugin {
  private arn = "";
  private first = false;

  private emit(record: Record<string, unknown>): void {
    process.stdout.write(JSON.stringify({ plugin: "CONFPLUGIN", ...record, durableExecutionArn: this.arn }) + "\n");
  }

  async onInvocationStart(info: InvocationInfo): Promise<void> {
    this.arn = info.executionArn;
    this.first = info.isFirstInvocation;
    this.emit({ hook: "invocation-start", first: info.isFirstInvocation });
  }

  async onInvocationEnd(info: InvocationEndInfo): Promise<void> {
    const terminal = info.status === "SUCCEEDED" || info.status === "FAILED";
    this.emit({ hook: "invocation-end", first: this.first, terminal, status: info.status });
  }
}

export const handler = withDurableExecution(
  async (_event: unknown, context) => {
    await context.wait({ seconds: 2 });
    return "wait completed";
  },
  { plugins: [new ConfPlugin()] },
);
