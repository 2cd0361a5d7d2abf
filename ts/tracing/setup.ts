// Tracing on or off for a process (`durable-node run` and `worker`): with `--otel URL` or
// OTEL_EXPORTER_OTLP_ENDPOINT (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT for the full URL), spans go
// through the official OpenTelemetry SDK and its OTLP/HTTP exporter in batches; without either
// nothing is loaded or subscribed.

import type { DurableEngine } from "../engine/durable-engine";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const PACKAGE_VERSION: string = require("../../package.json").version;

export interface Tracing {
  endpoint: string;
  /** Sends what is buffered and stops tracing. */
  shutdown(): Promise<void>;
}

/** The traces URL: a base endpoint gets the signal path, a full one is kept. */
export function tracesUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const full = (base: string) => (/\/v1\/traces\/?$/.test(base) ? base : `${base.replace(/\/+$/, "")}/v1/traces`);
  if (flag) return full(flag);
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) return full(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  return undefined;
}

export function checkOtelUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`--otel must be an http(s) URL of an OTLP/HTTP receiver, not ${JSON.stringify(value)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`--otel must be an http(s) URL, not ${JSON.stringify(value)} (protocol ${url.protocol})`);
  return value;
}

/** Starts tracing the engine's invocations when an endpoint is configured. */
export async function startTracing(engine: DurableEngine, flag: string | undefined, serviceName = "durable-node"): Promise<Tracing | undefined> {
  const endpoint = tracesUrl(flag);
  if (!endpoint) return undefined;
  // Loaded only when tracing is on: a process without it pays nothing at startup either.
  const [{ TracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }, { DurableTracer }, { PreparedIds }] = await Promise.all([
    import("@opentelemetry/sdk-trace"),
    import("@opentelemetry/exporter-trace-otlp-http"),
    import("@opentelemetry/resources"),
    import("./tracer.js"),
    import("./ids.js"),
  ]);
  const ids = new PreparedIds();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": process.env.OTEL_SERVICE_NAME ?? serviceName, "service.version": PACKAGE_VERSION }),
    idGenerator: ids,
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: endpoint }), scheduledDelayMillis: 200, maxQueueSize: 8192 })],
  });
  const tracer = new DurableTracer(engine, provider.getTracer("durable-node", PACKAGE_VERSION), ids);
  return {
    endpoint,
    async shutdown() {
      tracer.close();
      await provider.shutdown();
    },
  };
}
