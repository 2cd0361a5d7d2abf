// The tracer against invocation events out of order: with group completion (a worker) an
// invocation's end is published once its answer is recorded off the JavaScript thread, and the
// next invocation of the same execution may be published as started before it. Each
// invocation's span must still end with its own status (it used to be dropped, never exported).

import diagnostics_channel from "node:diagnostics_channel";

import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { expect, it } from "vitest";

import { DurableEngine, INVOCATION_CHANNEL, withDurableExecution } from "../ts/index";
import { PreparedIds } from "../ts/tracing/ids";
import { DurableTracer } from "../ts/tracing/tracer";

it("an invocation's end published after the next invocation began still ends its own span", async () => {
  const engine = DurableEngine.open();
  engine.register("f", withDurableExecution(async () => "done"));
  const arn = engine.start("f", {}).execution.DurableExecutionArn;
  const exporter = new InMemorySpanExporter();
  const ids = new PreparedIds();
  const provider = new TracerProvider({ idGenerator: ids, spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = new DurableTracer(engine, provider.getTracer("test"), ids);
  try {
    const channel = diagnostics_channel.channel(INVOCATION_CHANNEL);
    const base = { executionArn: arn, functionName: "f" };
    channel.publish({ ...base, number: 1, phase: "started" });
    channel.publish({ ...base, number: 2, phase: "started" });
    channel.publish({ ...base, number: 1, phase: "completed", status: "PENDING" });
    channel.publish({ ...base, number: 2, phase: "completed", status: "SUCCEEDED" });
  } finally {
    tracer.close();
    engine.close();
  }
  await provider.forceFlush();
  const invocations = exporter.getFinishedSpans().filter((s) => s.name === "invocation f");
  const seen = invocations.map((s) => [s.attributes["durable.invocation.number"], s.attributes["durable.invocation.status"]]);
  expect(seen.sort()).toEqual([
    [1, "PENDING"],
    [2, "SUCCEEDED"],
  ]);
});
