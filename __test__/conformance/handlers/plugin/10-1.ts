import { withDurableExecution, type DurableInstrumentationPlugin, type InvocationEndInfo, type InvocationInfo } from "@aws/durable-execution-sdk-js";

// Logs the invocation lifecycle as JSON lines on stdout, stamped with the execution's ARN.
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
  async (event: string, context) => {
    return context.step(async (stepContext) => {
      stepContext.logger.info(`Greeting step running for: ${event}`);
      return `Hello, ${event}!`;
    });
  },
  { plugins: [new ConfPlugin()] },
);
