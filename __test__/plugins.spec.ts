// Instrumentation plugins (API.md §13) on the engine: which hooks fire, in what order and with
// which info; wrap* middleware order and misbehaving wrappers; swallowed hook errors;
// enrichLogContext in default-logger records; pluginsConfig.childOperationsDepth; and plugins
// loaded from DURABLE_EXECUTION_PLUGINS, including every PluginLoadError case.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { afterAll, afterEach, describe, expect, it, vi } from "vitest";

import {
  AttemptEndInfoOutcome,
  DURABLE_INSTRUMENTATION_PLUGIN_API_VERSION,
  PluginInvocationStatus,
  PluginLoadError,
  PluginOperationStatus,
  createRetryStrategy,
  JitterStrategy,
  withDurableExecution,
  type DurableExecutionHandler,
  type DurableInstrumentationPlugin,
} from "@aws/durable-execution-sdk-js";
import { DurableEngine, InvocationFailedError, type ExecutionRecord } from "../ts/index";
import type { Serdes } from "../ts/serdes";

type Event = { hook: string; info: any };

/** Records every hook call (with a copy of its info) into `events`. */
function recorder(events: Event[], label = ""): DurableInstrumentationPlugin {
  const push = (hook: string) => async (info: any) => void events.push({ hook: label + hook, info: { ...info } });
  return {
    onInvocationStart: push("invocation-start"),
    onInvocationEnd: push("invocation-end"),
    onOperationStart: push("operation-start"),
    onOperationEnd: push("operation-end"),
    onOperationAttemptStart: push("attempt-start"),
    onOperationAttemptEnd: push("attempt-end"),
    onOperationChange: push("operation-change"),
  };
}

const engines: DurableEngine[] = [];
afterEach(() => {
  while (engines.length) engines.pop()!.close();
});

async function run(handler: ReturnType<typeof withDurableExecution>, input: unknown = {}): Promise<{ engine: DurableEngine; record: ExecutionRecord }> {
  const engine = DurableEngine.open({ skipTime: true });
  engines.push(engine);
  engine.register("f", handler);
  const record = await engine.run("f", input);
  return { engine, record };
}

const hooks = (events: Event[], filter?: (e: Event) => boolean) => events.filter((e) => !filter || filter(e)).map((e) => e.hook);
const noRetry = { retryStrategy: () => ({ shouldRetry: false }) };
const retryOnce = { retryStrategy: createRetryStrategy({ maxAttempts: 2, initialDelay: { seconds: 1 }, jitter: JitterStrategy.NONE }) };

describe("plugin constants", () => {
  it("exports the enums and the provider API version", () => {
    expect(DURABLE_INSTRUMENTATION_PLUGIN_API_VERSION).toBe(1);
    expect(PluginInvocationStatus).toEqual({ SUCCEEDED: "SUCCEEDED", FAILED: "FAILED", PENDING: "PENDING", RETRYING: "RETRYING" });
    expect(Object.keys(PluginOperationStatus)).toEqual(["STARTED", "READY", "PENDING", "SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED", "CANCELLED"]);
    expect(AttemptEndInfoOutcome).toEqual({ SUCCEEDED: "SUCCEEDED", FAILED: "FAILED" });
    const error = new PluginLoadError("bad", { cause: 1 });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("PluginLoadError");
    expect(error.message).toBe("Dynamic plugin configuration failed: bad");
  });
});

describe("hook order and info", () => {
  it("brackets a step with operation and attempt hooks inside the invocation hooks", async () => {
    const events: Event[] = [];
    const { record } = await run(
      withDurableExecution(async (event: { who: string }, ctx) => ctx.step("greet", async () => `hi ${event.who}`), { plugins: [recorder(events)] }),
      { who: "ann" },
    );
    expect(record.Status).toBe("SUCCEEDED");
    expect(hooks(events, (e) => e.hook !== "operation-change")).toEqual([
      "invocation-start",
      "operation-start",
      "attempt-start",
      "attempt-end",
      "operation-end",
      "invocation-end",
    ]);
    const [start, opStart, attStart, attEnd, opEnd, end] = events.filter((e) => e.hook !== "operation-change").map((e) => e.info);
    expect(start).toMatchObject({ isFirstInvocation: true, executionArn: record.DurableExecutionArn, executionInput: { who: "ann" }, updatedOperations: {} });
    expect(start.requestId).toMatch(/.+/);
    expect(start.executionStartTimestamp).toBeInstanceOf(Date);
    expect(Object.values(start.operations).map((o: any) => o.type)).toEqual(["EXECUTION"]);
    expect(opStart).toEqual({ id: opStart.id, name: "greet", type: "STEP", subType: "Step", status: "STARTED", isReplay: false });
    expect(attStart).toMatchObject({ id: opStart.id, name: "greet", type: "STEP", attempt: 1, isReplay: false });
    expect(attStart.startTimestamp).toBeInstanceOf(Date);
    expect(attEnd).toMatchObject({ attempt: 1, outcome: "SUCCEEDED", status: "SUCCEEDED", result: '"hi ann"' });
    expect(attEnd).not.toHaveProperty("error");
    expect(opEnd).toMatchObject({ id: opStart.id, status: "SUCCEEDED", result: '"hi ann"', attempt: 1, isReplay: false });
    expect(opEnd.endTimestamp).toBeInstanceOf(Date);
    expect(end).toMatchObject({ status: "SUCCEEDED", executionResult: "hi ann", isFirstInvocation: true });
    expect(end).not.toHaveProperty("executionError");
    expect(Object.keys(end.operations)).toContain(opStart.id);
  });

  it("reports a suspension as PENDING and the next invocation's updated operations", async () => {
    const events: Event[] = [];
    const { record } = await run(
      withDurableExecution(
        async (_e, ctx) => {
          await ctx.wait("pause", { seconds: 2 });
          return "done";
        },
        { plugins: [recorder(events)] },
      ),
    );
    expect(record.Status).toBe("SUCCEEDED");
    expect(hooks(events, (e) => e.hook !== "operation-change")).toEqual([
      "invocation-start",
      "operation-start",
      "invocation-end",
      "invocation-start",
      "operation-end",
      "invocation-end",
    ]);
    const [first, waitStart, pending, second, waitEnd, last] = events.filter((e) => e.hook !== "operation-change").map((e) => e.info);
    expect(first.isFirstInvocation).toBe(true);
    expect(waitStart).toMatchObject({ name: "pause", type: "WAIT", status: "STARTED", isReplay: false });
    expect(waitStart.startTimestamp).toBeInstanceOf(Date);
    expect(pending.status).toBe("PENDING");
    expect(second.isFirstInvocation).toBe(false);
    expect(Object.keys(second.updatedOperations)).toEqual([waitStart.id]);
    expect(second.updatedOperations[waitStart.id]).toMatchObject({ type: "WAIT", status: "SUCCEEDED" });
    // Closed by the service since the last invocation: news, not a replay.
    expect(waitEnd).toMatchObject({ id: waitStart.id, status: "SUCCEEDED", isReplay: false });
    expect(last).toMatchObject({ status: "SUCCEEDED", isFirstInvocation: false });
  });

  it("numbers attempts, replays a pending retry's start and ends the operation once", async () => {
    const events: Event[] = [];
    const { record } = await run(
      withDurableExecution(
        async (_e, ctx) =>
          ctx.step(
            "flaky",
            async (s) => {
              if (s.attempt === 1) throw new Error("first fails");
              return "ok";
            },
            retryOnce,
          ),
        { plugins: [recorder(events)] },
      ),
    );
    expect(record.Status).toBe("SUCCEEDED");
    const seen = events.filter((e) => e.hook.startsWith("attempt") || e.hook.startsWith("operation-") && e.hook !== "operation-change");
    expect(seen.map((e) => [e.hook, e.info.attempt ?? null, e.info.outcome ?? null, e.info.isReplay])).toEqual([
      ["operation-start", null, null, false],
      ["attempt-start", 1, null, false],
      ["attempt-end", 1, "FAILED", false],
      ["operation-start", null, null, true],
      ["attempt-start", 2, null, false],
      ["attempt-end", 2, "SUCCEEDED", false],
      ["operation-end", 2, "SUCCEEDED", false],
    ]);
    expect(seen[2].info.error.message).toBe("first fails");
    expect(seen[2].info.status).toBe("PENDING");
  });

  it("ends a failed step with its error and no result, and the invocation as FAILED", async () => {
    const events: Event[] = [];
    const { record } = await run(
      withDurableExecution(
        async (_e, ctx) =>
          ctx.step(async () => {
            throw new Error("boom");
          }, noRetry),
        { plugins: [recorder(events)] },
      ),
    );
    expect(record.Status).toBe("FAILED");
    const opEnd = events.find((e) => e.hook === "operation-end")!.info;
    expect(opEnd).toMatchObject({ status: "FAILED", isReplay: false });
    expect(opEnd.error.message).toBe("boom");
    expect(opEnd).not.toHaveProperty("result");
    const end = events.find((e) => e.hook === "invocation-end")!.info;
    expect(end.status).toBe("FAILED");
    expect(end.executionError.message).toBe("boom");
  });

  it("links child operations to their context", async () => {
    const events: Event[] = [];
    await run(withDurableExecution(async (_e, ctx) => ctx.runInChildContext("outer", async (c) => c.step("inner", async () => 7)), { plugins: [recorder(events)] }));
    const ends = events.filter((e) => e.hook === "operation-end").map((e) => e.info);
    expect(ends.map((i) => [i.name, i.type, i.status])).toEqual([
      ["inner", "STEP", "SUCCEEDED"],
      ["outer", "CONTEXT", "SUCCEEDED"],
    ]);
    expect(ends[0].parentId).toBe(ends[1].id);
    expect(ends[1]).not.toHaveProperty("parentId");
  });

  it("names waitForCallback's callback and submitter for plugins only", async () => {
    const events: Event[] = [];
    const engine = DurableEngine.open({ skipTime: true });
    engines.push(engine);
    engine.register(
      "f",
      withDurableExecution(async (_e, ctx) => ctx.waitForCallback("approval", async (id) => void engine.sendCallbackSuccess(id, "yes")), {
        plugins: [recorder(events)],
      }),
    );
    const record = await engine.run("f", {});
    expect(JSON.parse(record.Result!)).toBe("yes");
    const started = events.filter((e) => e.hook === "operation-start").map((e) => [e.info.name, e.info.type, e.info.subType]);
    expect(started).toEqual([
      ["approval", "CONTEXT", "WaitForCallback"],
      ["approval-callback", "CALLBACK", "Callback"],
      ["approval-submitter", "STEP", "Step"],
    ]);
    // Never checkpointed: the records have no names.
    const names = (engine.operations(record.DurableExecutionArn) as any[]).filter((o) => o.Type !== "EXECUTION").map((o) => o.Name);
    expect(names).toEqual(["approval", undefined, undefined]);
  });

  it("reports checkpoint answers that change statuses through onOperationChange", async () => {
    const events: Event[] = [];
    await run(withDurableExecution(async (_e, ctx) => ctx.step("s", async () => 1), { plugins: [recorder(events)] }));
    const changes = events.filter((e) => e.hook === "operation-change").map((e) => e.info);
    expect(changes.length).toBeGreaterThan(0);
    for (const change of changes) {
      for (const id of Object.keys(change.updatedOperations)) expect(change.operations[id]).toBeDefined();
    }
    const last = changes.at(-1)!;
    expect(Object.values(last.updatedOperations)).toEqual([expect.objectContaining({ name: "s", status: "SUCCEEDED", attempt: 1, isReplay: false })]);
  });

  it("answers RETRYING when an invocation error is thrown to the service", async () => {
    const events: Event[] = [];
    let fail = true;
    const flaky: Serdes<unknown> = {
      serialize: async (v) => {
        if (fail) {
          fail = false;
          throw new Error("serializer down");
        }
        return JSON.stringify(v);
      },
      deserialize: async (s) => (s === undefined ? undefined : JSON.parse(s)),
    };
    const engine = DurableEngine.open({ skipTime: true, invocationRetryDelayMs: 10 });
    engines.push(engine);
    engine.register("f", withDurableExecution(async (_e, ctx) => ctx.step("s", async () => 1, { serdes: flaky }), { plugins: [recorder(events)] }));
    const { execution } = engine.start("f", {});
    await expect(engine.drive(execution.DurableExecutionArn)).rejects.toBeInstanceOf(InvocationFailedError);
    const record = await engine.drive(execution.DurableExecutionArn);
    expect(record.Status).toBe("SUCCEEDED");
    const ends = events.filter((e) => e.hook === "invocation-end").map((e) => e.info);
    expect(ends.map((i) => i.status)).toEqual(["RETRYING", "SUCCEEDED"]);
    expect(ends[0].executionError.message).toMatch(/serializer down|Serialization/);
  });
});

describe("dispatch", () => {
  it("awaits on* hooks of all plugins and swallows their failures", async () => {
    const events: Event[] = [];
    const faulty: DurableInstrumentationPlugin = {};
    for (const hook of ["onInvocationStart", "onInvocationEnd", "onOperationStart", "onOperationEnd", "onOperationAttemptStart", "onOperationAttemptEnd", "onOperationChange"] as const) {
      // Half of them throw synchronously, half reject.
      (faulty as any)[hook] =
        hook.length % 2 === 0
          ? () => {
              throw new Error(`sync ${hook}`);
            }
          : async () => {
              throw new Error(`async ${hook}`);
            };
    }
    let slowDone = false;
    const slow: DurableInstrumentationPlugin = {
      onInvocationEnd: () => new Promise((resolve) => setTimeout(() => ((slowDone = true), resolve()), 50)),
    };
    const handler = withDurableExecution(async (_e, ctx) => ctx.step("s", async () => "v"), { plugins: [faulty, recorder(events), slow] });
    const { record } = await run(handler);
    expect(record.Status).toBe("SUCCEEDED");
    expect(JSON.parse(record.Result!)).toBe("v");
    expect(slowDone).toBe(true);
    expect(hooks(events, (e) => e.hook !== "operation-change")).toEqual([
      "invocation-start",
      "operation-start",
      "attempt-start",
      "attempt-end",
      "operation-end",
      "invocation-end",
    ]);
  });

  it("composes wrap* hooks as middleware, first plugin outermost", async () => {
    const order: string[] = [];
    const wrapping = (label: string): DurableInstrumentationPlugin => ({
      async wrapInvocation(_info, fn) {
        order.push(`${label}:invocation>`);
        const out = await fn();
        order.push(`<${label}:invocation ${out.Status}`);
        return out;
      },
      async wrapChildContextFn(info, fn) {
        order.push(`${label}:child ${info.name}>`);
        const out = await fn();
        order.push(`<${label}:child`);
        return out;
      },
      async wrapOperationAttemptFn(info, fn) {
        order.push(`${label}:attempt ${info.name}#${info.attempt}>`);
        const out = await fn();
        order.push(`<${label}:attempt`);
        return out;
      },
    });
    await run(
      withDurableExecution(
        async (_e, ctx) =>
          ctx.runInChildContext("c", async (c) => {
            order.push("body");
            return c.step("s", async () => {
              order.push("step fn");
              return 1;
            });
          }),
        { plugins: [wrapping("A"), wrapping("B")] },
      ),
    );
    expect(order).toEqual([
      "A:invocation>",
      "B:invocation>",
      "A:child c>",
      "B:child c>",
      "body",
      "A:attempt s#1>",
      "B:attempt s#1>",
      "step fn",
      "<B:attempt",
      "<A:attempt",
      "<B:child",
      "<A:child",
      "<B:invocation SUCCEEDED",
      "<A:invocation SUCCEEDED",
    ]);
  });

  it("runs the user function at most once and never hides its error, whatever the wrappers do", async () => {
    const cases: Record<string, DurableInstrumentationPlugin["wrapOperationAttemptFn"]> = {
      callsTwice: (_i, fn) => {
        fn();
        return fn();
      },
      throwsBefore: () => {
        throw new Error("wrapper broke");
      },
      throwsAfter: (_i, fn) => {
        fn();
        throw new Error("wrapper broke late");
      },
      swallows: (_i, fn) => Promise.resolve(fn()).catch(() => "swallowed"),
    };
    for (const [name, wrapper] of Object.entries(cases)) {
      for (const fails of [false, true]) {
        let calls = 0;
        const handler = withDurableExecution(
          async (_e, ctx) => {
            try {
              return { value: await ctx.step("s", async () => (calls++, fails ? Promise.reject(new Error("user boom")) : "user"), noRetry), calls };
            } catch (e) {
              return { error: (e as Error).message, calls };
            }
          },
          { plugins: [{ wrapOperationAttemptFn: wrapper }, { wrapOperationAttemptFn: (_i, fn) => fn() }] },
        );
        const { record } = await run(handler);
        expect({ name, fails, out: JSON.parse(record.Result!) }).toEqual({ name, fails, out: fails ? { error: "user boom", calls: 1 } : { value: "user", calls: 1 } });
      }
    }
  });

  it("lets a wrapper replace the result, or skip the function, as middleware may", async () => {
    let calls = 0;
    const handler = withDurableExecution(
      async (_e, ctx) => {
        const a = await ctx.step("a", async () => (calls++, "user"));
        const b = await ctx.step("b", async () => (calls++, "user"));
        return [a, b, calls];
      },
      {
        plugins: [
          {
            wrapOperationAttemptFn: (info, fn) => (info.name === "a" ? "replaced" : Promise.resolve(fn()).then((v) => `${v}+wrapped`)),
          },
        ],
      },
    );
    const { record } = await run(handler);
    expect(JSON.parse(record.Result!)).toEqual(["replaced", "user+wrapped", 1]);
  });

  it("merges enrichLogContext fields into default-logger records and ignores a throwing plugin", async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: any) => (lines.push(String(chunk)), true));
    try {
      let n = 0;
      await run(
        withDurableExecution(
          async (_e, ctx) => {
            ctx.logger.info("root record");
            return ctx.step("s", async (s) => (s.logger.info("step record"), 1));
          },
          {
            plugins: [
              { enrichLogContext: () => ({ traceId: "t-1", seq: ++n }) },
              {
                enrichLogContext: () => {
                  throw new Error("no context");
                },
              },
              { enrichLogContext: () => ({ sampled: true }) },
            ],
          },
        ),
      );
    } finally {
      spy.mockRestore();
    }
    const records = lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    const root = records.find((r) => r.message === "root record");
    const step = records.find((r) => r.message === "step record");
    expect(root).toMatchObject({ level: "INFO", traceId: "t-1", sampled: true });
    expect(root.seq).toBeTypeOf("number");
    expect(step).toMatchObject({ operationName: "s", attempt: 1, traceId: "t-1", sampled: true });
    expect(Object.keys(step).slice(-1)).toEqual(["message"]);
  });
});

describe("pluginsConfig.childOperationsDepth", () => {
  it("fails the invocation on a depth that is not a non-negative integer or Infinity", async () => {
    for (const depth of [-1, 1.5, Number.NaN]) {
      const events: Event[] = [];
      let ran = false;
      const { record } = await run(
        withDurableExecution(async () => (ran = true), { plugins: [recorder(events)], pluginsConfig: { childOperationsDepth: depth } }),
      );
      expect(record.Status).toBe("FAILED");
      expect(record.Error?.ErrorMessage).toBe(`pluginsConfig.childOperationsDepth must be a non-negative integer or Infinity, got ${depth}`);
      expect(ran).toBe(false);
      expect(hooks(events)).toEqual(["invocation-start", "invocation-end"]);
      expect(events[1].info.status).toBe("FAILED");
    }
  });

  it("keeps children of contexts within the depth, re-running (unwrapped) their bodies on replay", async () => {
    const bodies: string[] = [];
    const wrapped: string[] = [];
    const handler: DurableExecutionHandler = async (_e, ctx) => {
      const r = await ctx.runInChildContext("outer", async (c) => {
        bodies.push("outer");
        return c.runInChildContext("inner", async (c2) => (bodies.push("inner"), c2.step("s", async () => 2)));
      });
      await ctx.wait({ seconds: 1 });
      return r;
    };
    const plugin: DurableInstrumentationPlugin = { wrapChildContextFn: (info, fn) => (wrapped.push(info.name!), fn()) };
    const { engine, record } = await run(withDurableExecution(handler, { plugins: [plugin], pluginsConfig: { childOperationsDepth: 1 } }));
    expect(JSON.parse(record.Result!)).toBe(2);
    expect(bodies).toEqual(["outer", "inner", "outer"]);
    expect(wrapped).toEqual(["outer", "inner"]);
    const contexts = (engine.operations(record.DurableExecutionArn) as any[]).filter((o) => o.Type === "CONTEXT");
    expect(contexts.map((o) => [o.Name, !!o.ContextDetails?.ReplayChildren])).toEqual([
      ["outer", true],
      ["inner", false],
    ]);
  });
});

describe("plugins from DURABLE_EXECUTION_PLUGINS", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "durable-plugins-"));
  const saved = { plugins: process.env.DURABLE_EXECUTION_PLUGINS, root: process.env.LAMBDA_TASK_ROOT };
  afterEach(() => {
    if (saved.plugins === undefined) delete process.env.DURABLE_EXECUTION_PLUGINS;
    else process.env.DURABLE_EXECUTION_PLUGINS = saved.plugins;
    if (saved.root === undefined) delete process.env.LAMBDA_TASK_ROOT;
    else process.env.LAMBDA_TASK_ROOT = saved.root;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A provider module; `provider` is the JS expression exported as durableExecutionPluginProvider. */
  function pluginModule(name: string, provider: string, where = dir): string {
    const file = path.join(where, name);
    writeFileSync(
      file,
      `class EnvPlugin {
  constructor(label) { this.label = label; }
  async onInvocationStart() { (globalThis.__pluginLog ??= []).push(this.label + ":start"); }
}
export const durableExecutionPluginProvider = ${provider};
`,
    );
    return file;
  }
  const good = (label: string) => `{ pluginApiVersion: 1, pluginType: EnvPlugin, createPlugin: () => new EnvPlugin(${JSON.stringify(label)}) }`;

  async function runWithEnv(env: string, explicit: DurableInstrumentationPlugin[] = []): Promise<ExecutionRecord> {
    process.env.DURABLE_EXECUTION_PLUGINS = env;
    (globalThis as any).__pluginLog = [];
    const handler = withDurableExecution(async () => "ok", { plugins: explicit });
    return (await run(handler)).record;
  }

  it("runs environment plugins after the explicit ones, in the listed order", async () => {
    const a = pluginModule("a.mjs", good("env-a"));
    const b = pluginModule("b.mjs", good("env-b"));
    const explicit: DurableInstrumentationPlugin = { onInvocationStart: async () => void (globalThis as any).__pluginLog.push("explicit:start") };
    const record = await runWithEnv(` ${b} , ${a}`, [explicit]);
    expect(record.Status).toBe("SUCCEEDED");
    expect((globalThis as any).__pluginLog).toEqual(["explicit:start", "env-b:start", "env-a:start"]);
  });

  it("resolves package names from LAMBDA_TASK_ROOT", async () => {
    const root = path.join(dir, "task");
    const pkg = path.join(root, "node_modules", "my-durable-plugin");
    mkdirSync(pkg, { recursive: true });
    writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: "my-durable-plugin", main: "index.mjs" }));
    pluginModule("index.mjs", good("pkg"), pkg);
    process.env.LAMBDA_TASK_ROOT = root;
    const record = await runWithEnv("my-durable-plugin");
    expect(record.Status).toBe("SUCCEEDED");
    expect((globalThis as any).__pluginLog).toEqual(["pkg:start"]);
  });

  it("fails every invocation with a PluginLoadError when loading goes wrong", async () => {
    const cases: [string, string | (() => string)][] = [
      ["empty entry", () => `${pluginModule("ok.mjs", good("x"))},,`],
      ["duplicate", () => `${pluginModule("ok.mjs", good("x"))},${pluginModule("ok.mjs", good("x"))}`],
      ["not found", () => path.join(dir, "missing.mjs")],
      ["no provider", () => pluginModule("none.mjs", "undefined")],
      ["wrong version", () => pluginModule("v2.mjs", `{ pluginApiVersion: 2, pluginType: EnvPlugin, createPlugin: () => new EnvPlugin("x") }`)],
      ["createPlugin throws", () => pluginModule("throws.mjs", `{ pluginApiVersion: 1, pluginType: EnvPlugin, createPlugin() { throw new Error("nope"); } }`)],
      ["wrong type", () => pluginModule("type.mjs", `{ pluginApiVersion: 1, pluginType: EnvPlugin, createPlugin: () => ({}) }`)],
    ];
    const messages: Record<string, RegExp> = {
      "empty entry": /must contain non-empty, comma-separated/,
      duplicate: /duplicate module specifier/,
      "not found": /could not be found/,
      "no provider": /must export 'durableExecutionPluginProvider'/,
      "wrong version": /declares pluginApiVersion 2; this SDK supports 1/,
      "createPlugin throws": /createPlugin\(\) threw: nope/,
      "wrong type": /must return an instance of EnvPlugin/,
    };
    for (const [name, env] of cases) {
      const record = await runWithEnv(typeof env === "function" ? env() : env);
      expect({ name, status: record.Status, type: record.Error?.ErrorType }).toEqual({ name, status: "FAILED", type: "PluginLoadError" });
      expect(record.Error?.ErrorMessage).toMatch(/^Dynamic plugin configuration failed: /);
      expect(record.Error?.ErrorMessage).toMatch(messages[name]);
    }
  });

  it("refuses a plugins option that is not an array of objects when the handler is wrapped", () => {
    expect(() => withDurableExecution(async () => 1, { plugins: {} as never })).toThrow("DurableExecutionConfig.plugins must be an array of plugin objects, got object");
    expect(() => withDurableExecution(async () => 1, { plugins: [null] as never })).toThrow("DurableExecutionConfig.plugins[0] must be a plugin object, got null");
  });
});
