import {
  withDurableExecution,
  type DurableInstrumentationPlugin,
  type InvocationInfo,
  type OperationInfo,
} from "@aws/durable-execution-sdk-js";

/**
 * A canonical dump of an operation info: every field it has, under its own (camelCase) name;
 * dates as ISO strings, errors as their message, tokens as reported, unset fields omitted.
 */
function dump(info: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(info)) {
    if (value === undefined || value === null) continue;
    if (value instanceof Date) out[key] = value.toISOString();
    else if (value instanceof Error) out[key] = value.message;
    else out[key] = value;
  }
  return out;
}

// Dumps context operation starts and the start of each context function it wraps. The info a
// wrapChildContextFn hook gets says through `isReplay` whether the function re-runs with its
// children replaying (API.md §13.3): that is its children-replay indicator.
class ConfPlugin implements DurableInstrumentationPlugin {
  private arn = "";

  private emit(record: Record<string, unknown>): void {
    process.stdout.write(JSON.stringify({ plugin: "CONFPLUGIN", ...record, durableExecutionArn: this.arn }) + "\n");
  }

  async onInvocationStart(info: InvocationInfo): Promise<void> {
    this.arn = info.executionArn;
  }

  async onOperationStart(info: OperationInfo): Promise<void> {
    if (info.type.toUpperCase() !== "CONTEXT") return;
    this.emit({ hook: "operation-start", ...dump(info) });
  }

  wrapChildContextFn(info: OperationInfo, fn: () => unknown): unknown {
    if (info.type.toUpperCase() === "CONTEXT") this.emit({ hook: "fn-start", ...dump(info), isReplayingChildren: info.isReplay });
    return fn();
  }
}

export const handler = withDurableExecution(
  async (_event: unknown, context) => {
    const result = await context.parallel(
      "ctx",
      [
        {
          name: "branch-a",
          func: async (branch) => {
            await branch.step("inner", async () => "x");
            await branch.wait({ seconds: 2 });
            return "a-done";
          },
        },
        { name: "branch-b", func: async () => "b-done" },
      ],
      { maxConcurrency: 1 },
    );
    return result.getResults();
  },
  { plugins: [new ConfPlugin()] },
);
