import { withDurableExecution, type DurableInstrumentationPlugin, type InvocationEndInfo, type InvocationInfo } from "@aws/durable-execution-sdk-js";

// Two instances, registered in order A, B; each logs its invocation hooks under its own label.
class ConfPlugin implements DurableInstrumentationPlugin {
  private arn = "";

  constructor(private readonly label: string) {}

  private emit(record: Record<string, unknown>): void {
    process.stdout.write(JSON.stringify({ plugin: this.label, ...record, durableExecutionArn: this.arn }) + "\n");
  }

  async onInvocationStart(info: InvocationInfo): Promise<void> {
    this.arn = info.executionArn;
    this.emit({ hook: "invocation-start" });
  }

  async onInvocationEnd(info: InvocationEndInfo): Promise<void> {
    this.emit({ hook: "invocation-end", status: info.status });
  }
}

export const handler = withDurableExecution(
  async (event: string, context) => {
    return context.step(async () => `Hello, ${event}!`);
  },
  { plugins: [new ConfPlugin("CONFPLUGIN-A"), new ConfPlugin("CONFPLUGIN-B")] },
);
