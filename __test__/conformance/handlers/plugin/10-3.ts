import {
  createRetryStrategy,
  JitterStrategy,
  withDurableExecution,
  type AttemptEndInfo,
  type AttemptInfo,
  type DurableInstrumentationPlugin,
  type InvocationInfo,
} from "@aws/durable-execution-sdk-js";

// Logs each step attempt's start and end with its number and outcome.
class ConfPlugin implements DurableInstrumentationPlugin {
  private arn = "";

  private emit(record: Record<string, unknown>): void {
    process.stdout.write(JSON.stringify({ plugin: "CONFPLUGIN", ...record, durableExecutionArn: this.arn }) + "\n");
  }

  async onInvocationStart(info: InvocationInfo): Promise<void> {
    this.arn = info.executionArn;
  }

  async onOperationAttemptStart(info: AttemptInfo): Promise<void> {
    if (info.type !== "STEP") return;
    this.emit({ hook: "attempt-start", n: info.attempt, op: info.id });
  }

  async onOperationAttemptEnd(info: AttemptEndInfo): Promise<void> {
    if (info.type !== "STEP") return;
    this.emit({ hook: "attempt-end", n: info.attempt, outcome: info.outcome, op: info.id });
  }
}

export const handler = withDurableExecution(
  async (_event: unknown, context) => {
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
