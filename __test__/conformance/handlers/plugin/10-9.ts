import { withDurableExecution, type DurableInstrumentationPlugin, type InvocationInfo } from "@aws/durable-execution-sdk-js";

// At invocation start, logs each wait the service reports as updated since the last invocation.
class ConfPlugin implements DurableInstrumentationPlugin {
  private arn = "";

  private emit(record: Record<string, unknown>): void {
    process.stdout.write(JSON.stringify({ plugin: "CONFPLUGIN", ...record, durableExecutionArn: this.arn }) + "\n");
  }

  async onInvocationStart(info: InvocationInfo): Promise<void> {
    this.arn = info.executionArn;
    for (const [id, operation] of Object.entries(info.updatedOperations)) {
      if (operation.type !== "WAIT") continue;
      this.emit({ hook: "updated-on-invoke", op: id, status: operation.status, first: info.isFirstInvocation });
    }
  }
}

export const handler = withDurableExecution(
  async (_event: unknown, context) => {
    await context.wait({ seconds: 2 });
    return "wait completed";
  },
  { plugins: [new ConfPlugin()] },
);
