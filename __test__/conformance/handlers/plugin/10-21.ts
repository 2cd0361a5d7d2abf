import {
  createRetryStrategy,
  JitterStrategy,
  withDurableExecution,
  type AttemptEndInfo,
  type AttemptInfo,
  type DurableInstrumentationPlugin,
  type InvocationInfo,
} from "@aws/durable-execution-sdk-js";

/**
 * A canonical dump of an attempt info: every field it has, under its own (camelCase) name;
 * type tokens upper-cased, dates as ISO strings, errors as their message, unset fields omitted.
 */
function dump(info: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(info)) {
    if (value === undefined || value === null) continue;
    if (key === "type" || key === "status") out[key] = String(value).toUpperCase();
    else if (value instanceof Date) out[key] = value.toISOString();
    else if (value instanceof Error) out[key] = value.message;
    else out[key] = value;
  }
  return out;
}

// Dumps the info of step attempt-start and attempt-end.
class ConfPlugin implements DurableInstrumentationPlugin {
  private arn = "";

  private emit(record: Record<string, unknown>): void {
    process.stdout.write(JSON.stringify({ plugin: "CONFPLUGIN", ...record, durableExecutionArn: this.arn }) + "\n");
  }

  async onInvocationStart(info: InvocationInfo): Promise<void> {
    this.arn = info.executionArn;
  }

  async onOperationAttemptStart(info: AttemptInfo): Promise<void> {
    if (info.type.toUpperCase() !== "STEP") return;
    this.emit({ hook: "attempt-start", ...dump(info) });
  }

  async onOperationAttemptEnd(info: AttemptEndInfo): Promise<void> {
    if (info.type.toUpperCase() !== "STEP") return;
    this.emit({ hook: "attempt-end", ...dump(info) });
  }
}

export const handler = withDurableExecution(
  async (_event: unknown, context) => {
    return context.step(
      "flaky",
      async (stepContext) => {
        if (stepContext.attempt === 1) throw new Error("flaky: first attempt fails");
        return "ok";
      },
      { retryStrategy: createRetryStrategy({ maxAttempts: 3, initialDelay: { seconds: 1 }, backoffRate: 1, jitter: JitterStrategy.NONE }) },
    );
  },
  { plugins: [new ConfPlugin()] },
);
