// OpenTelemetry spans exported by `durable-node run` and `worker` to an OTLP/HTTP receiver
// (the official exporter's JSON encoding, decoded in helpers/otlp.ts): the tutorial's span tree
// (execution → invocations → operation attempts, replayed operations without spans), a chained
// invoke's execution inside the caller's trace under the invoking operation, and a worker killed
// mid-step whose execution another worker resumes in the same trace.

import { existsSync } from "node:fs";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { executionSpanId, invocationSpanId, traceIdOf } from "../ts/tracing/ids";
import { ORDER_HANDLER, ORDER_INPUT, lastJson, requireCurrentDist, runCli } from "./helpers/cli";
import { consoleWorker, startExecution } from "./helpers/console";
import { OtlpReceiver, type ReceivedSpan } from "./helpers/otlp";
import { tempDirs } from "./helpers/temp";
import { eventually } from "./helpers/worker";

const tempDir = tempDirs("durable-node-tracing-");
let receiver: OtlpReceiver;

beforeAll(async () => {
  requireCurrentDist();
  receiver = await new OtlpReceiver().start();
});
afterAll(() => receiver?.close());

const of = (arn: string) => receiver.spans.filter((s) => s.attributes["durable.execution.arn"] === arn);
const named = (spans: ReceivedSpan[], name: string) => spans.filter((s) => s.name === name);

async function finished(db: string, arn: string): Promise<Record<string, any>> {
  return eventually(async () => {
    const r = lastJson((await runCli(["get", arn, "--db", db, "--json"])).stdout);
    return r.Status === "RUNNING" ? undefined : r;
  }, 30_000, `the end of ${arn}`);
}

describe("OpenTelemetry traces", () => {
  it("the tutorial run: execution, two invocations, each operation attempt once, nothing for replays", async () => {
    const db = path.join(tempDir(), "run.db");
    const result = await runCli(["run", ORDER_HANDLER, "--db", db, "--skip-time", "--json", "--input", JSON.stringify(ORDER_INPUT), "--otel", receiver.url]);
    expect(result.code, result.stderr).toBe(0);
    const arn = lastJson(result.stdout).DurableExecutionArn;
    const spans = of(arn);
    const traceId = traceIdOf(arn);
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([traceId]));

    const [execution] = named(spans, "execution order-processing");
    expect(execution.spanId).toBe(executionSpanId(arn));
    expect(execution.parentSpanId).toBeUndefined();
    expect(execution.attributes).toMatchObject({ "durable.execution.status": "SUCCEEDED", "durable.function.name": "order-processing" });

    const invocations = named(spans, "invocation order-processing").sort((a, b) => Number(a.attributes["durable.invocation.number"]) - Number(b.attributes["durable.invocation.number"]));
    expect(invocations.map((s) => [s.attributes["durable.invocation.number"], s.parentSpanId, s.spanId])).toEqual([
      [1, execution.spanId, invocationSpanId(arn, 1)],
      [2, execution.spanId, invocationSpanId(arn, 2)],
    ]);
    expect(invocations.map((s) => s.attributes["durable.invocation.status"])).toEqual(["PENDING", "SUCCEEDED"]);

    const tree = spans.filter((s) => s.attributes["durable.operation.id"] !== undefined).map((s) => [s.name, s.parentSpanId === invocations[0].spanId ? 1 : s.parentSpanId === invocations[1].spanId ? 2 : "?", s.attributes["durable.operation.status"]]);
    // validate-order and process-payment are replayed in invocation 2: no second span.
    expect(tree.sort()).toEqual(
      [
        ["step validate-order", 1, "SUCCEEDED"],
        ["step process-payment", 1, "SUCCEEDED"],
        ["wait Wait", 1, "WAITING"],
        ["step confirm-order", 2, "SUCCEEDED"],
      ].sort(),
    );
    const payment = named(spans, "step process-payment")[0];
    expect(payment.attributes).toMatchObject({
      "durable.execution.arn": arn,
      "durable.execution.name": lastJson(result.stdout).DurableExecutionName,
      "durable.operation.name": "process-payment",
      "durable.operation.type": "STEP",
      "durable.operation.subtype": "Step",
      "durable.operation.attempt": 1,
      "durable.invocation.number": 1,
    });
    expect(payment.attributes["durable.operation.id"]).toMatch(/^[0-9a-f]{16}$/);
    expect(payment.startMs).toBeGreaterThanOrEqual(invocations[0].startMs);
    expect(payment.endMs).toBeLessThanOrEqual(invocations[0].endMs);
  });

  it("a chained invoke's execution is in the caller's trace, under the invoking operation", async () => {
    const db = path.join(tempDir(), "chain.db");
    const worker = await consoleWorker(db, ["--no-http"], { env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } });
    try {
      const arn = await startExecution(db, "chain", { n: 41 });
      expect((await finished(db, arn)).Status).toBe("SUCCEEDED");
    } finally {
      await worker.stop();
    }
    const callerSpans = receiver.spans.filter((s) => s.attributes["durable.function.name"] === "chain");
    const arn = String(callerSpans[0].attributes["durable.execution.arn"]);
    const invoke = receiver.spans.find((s) => s.name === "chained_invoke echo-it" && s.attributes["durable.execution.arn"] === arn)!;
    expect(invoke.attributes).toMatchObject({ "durable.operation.type": "CHAINED_INVOKE", "durable.operation.status": "WAITING" });
    const child = receiver.spans.find((s) => s.name === "execution echo" && s.traceId === traceIdOf(arn))!;
    expect(child, "the target's execution span, in the caller's trace").toBeDefined();
    expect(child.parentSpanId).toBe(invoke.spanId);
    const childArn = String(child.attributes["durable.execution.arn"]);
    const childInvocation = of(childArn).find((s) => s.name === "invocation echo")!;
    expect(childInvocation.parentSpanId).toBe(child.spanId);
    expect(new Set([...of(arn), ...of(childArn)].map((s) => s.traceId))).toEqual(new Set([traceIdOf(arn)]));
    // The caller's second invocation (after the target answered) is in the same trace.
    expect(named(of(arn), "invocation chain").map((s) => s.attributes["durable.invocation.number"]).sort()).toEqual([1, 2]);
  });

  it("a worker killed mid-step: the next worker resumes the execution in the same trace", async () => {
    const dir = tempDir();
    const db = path.join(dir, "crash.db");
    const marker = path.join(dir, "marker");
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url };
    const first = await consoleWorker(db, ["--no-http"], { env });
    const arn = await startExecution(db, "crashy", { marker });
    // Killed once the first step's span was exported and the second step is running.
    const before = await receiver.until((s) => s.name === "step before-crash" && s.attributes["durable.execution.arn"] === arn, 30_000, "the first step's span");
    await eventually(() => (existsSync(marker) ? true : undefined), 30_000, "the second step");
    first.child.kill("SIGKILL");
    await first.exited;

    const second = await consoleWorker(db, [], { env });
    try {
      expect((await finished(db, arn)).Status).toBe("SUCCEEDED");
      const metrics = await (await fetch(`${second.url}/metrics`)).text();
      expect(metrics).toMatch(/^durable_lease_takeovers_total 1$/m);
      expect(metrics).toMatch(/^durable_invocation_failures_total\{error_type="Runtime.ExitError"\} 1$/m);
    } finally {
      await second.stop();
    }
    const traceId = traceIdOf(arn);
    expect(before.traceId).toBe(traceId);
    expect(before.parentSpanId).toBe(invocationSpanId(arn, 1));
    const spans = of(arn);
    const resumed = named(spans, "invocation crashy").find((s) => s.attributes["durable.invocation.number"] === 2)!;
    expect(resumed.traceId).toBe(traceId);
    expect(resumed.parentSpanId).toBe(executionSpanId(arn));
    expect(named(spans, "step crash-here").map((s) => s.parentSpanId)).toEqual([resumed.spanId]);
    expect(named(spans, "step before-crash"), "replayed after the takeover: no second span").toHaveLength(1);
    expect(named(spans, "execution crashy")[0].spanId).toBe(executionSpanId(arn));
  });
});
