import {
  createRetryStrategy,
  JitterStrategy,
  withDurableExecution,
  type AttemptEndInfo,
  type AttemptInfo,
  type DurableInstrumentationPlugin,
  type InvocationInfo,
  type OperationEndInfo,
} from "@aws/durable-execution-sdk-js";

// Logs each step attempt and the step's terminal end.
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

  async onOperationEnd(info: OperationEndInfo): Promise<void> {
    if (info.type !== "STEP") return;
    this.emit({ hook: "operation-end", op: info.id, status: info.status });
  }
}

export const handler = withDurableExecution(
  async (_event: unknown, context) => {
    return context.step(
      async (stepContext): Promise<string> => {
        throw new Error(`Attempt ${stepContext.attempt} failed`);
      },
      { retryStrategy: createRetryStrategy({ maxAttempts: 2, initialDelay: { seconds: 1 }, backoffRate: 1, jitter: JitterStrategy.NONE }) },
    );
  },
  { plugins: [new ConfPlugin()] },
);
