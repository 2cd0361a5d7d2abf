// `GET /metrics` in the Prometheus text format (prom-client): executions by status, steps
// completed, checkpoint latency, due-but-unclaimed executions, pending timers, active
// invocations, lease takeovers and invocation failures by error type. Everything is read from
// the engine at scrape time (one napi call: its counters since it opened, and a few indexed
// counts of the store), so nothing is computed between scrapes.

import { EXECUTION_STATUSES } from "../execution-status";
import { Counter, Gauge, Registry } from "prom-client";

import type { DurableEngine, EngineMetrics } from "../engine/durable-engine";

/** The checkpoint latency histogram, from the engine's own buckets (µs → seconds). */
class EngineHistogram {
  readonly name = "durable_checkpoint_duration_seconds";
  readonly help = "Time to apply one checkpoint transaction (group commit: several requests share one)";
  readonly type = "histogram";
  readonly aggregator = "sum";

  constructor(private readonly read: () => EngineMetrics) {}

  get() {
    const m = this.read();
    let cumulative = 0;
    const values = m.latencyBuckets.map((n, i) => {
      cumulative += n;
      const le = i < m.latencyBoundsUs.length ? String(m.latencyBoundsUs[i] / 1e6) : "+Inf";
      return { labels: { le }, value: cumulative, metricName: `${this.name}_bucket` };
    });
    values.push({ labels: {} as { le: string }, value: m.latencySumUs / 1e6, metricName: `${this.name}_sum` });
    values.push({ labels: {} as { le: string }, value: cumulative, metricName: `${this.name}_count` });
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {}
}

export class EngineMetricsExporter {
  readonly registry = new Registry();
  private current: EngineMetrics | undefined;

  constructor(private readonly engine: DurableEngine) {
    const read = () => (this.current ??= engine.metrics());
    const r = [this.registry];
    new Gauge({
      name: "durable_executions",
      help: "Executions in the database by status",
      labelNames: ["status"],
      registers: r,
      collect() {
        this.reset();
        for (const s of EXECUTION_STATUSES) this.set({ status: s }, 0);
        for (const { name, count } of read().executionsByStatus) this.set({ status: name }, count);
      },
    });
    const counter = (name: string, help: string, value: (m: EngineMetrics) => number) =>
      new Counter({ name, help, registers: r, collect() { this.reset(); this.inc(value(read())); } });
    const gauge = (name: string, help: string, value: (m: EngineMetrics) => number) =>
      new Gauge({ name, help, registers: r, collect() { this.set(value(read())); } });
    counter("durable_steps_completed_total", "Steps this process ended (succeeded or failed for good) since it started", (m) => m.stepsCompleted);
    counter("durable_checkpoint_requests_total", "Checkpoint requests this process applied since it started", (m) => m.checkpointRequests);
    counter("durable_lease_takeovers_total", "Invocations of other processes this process took over (lease expired or holder gone)", (m) => m.leaseTakeovers);
    gauge("durable_due_unclaimed_executions", "Running executions due for an invocation that no process has claimed yet", (m) => m.dueUnclaimed);
    gauge("durable_pending_timers", "Armed timers (waits, retries, callback deadlines) in the database", (m) => m.pendingTimers);
    gauge("durable_active_invocations", "Invocations holding a lease, in any process on the database", (m) => m.activeInvocations);
    new Counter({
      name: "durable_invocation_failures_total",
      help: "Invocations that ended with an error (the handler threw, or the process running it went away), by error type",
      labelNames: ["error_type"],
      registers: r,
      collect() {
        this.reset();
        for (const { name, count } of read().invocationFailures) this.inc({ error_type: name }, count);
      },
    });
    this.registry.registerMetric(new EngineHistogram(read) as never);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text of one scrape: the engine is read once for all metrics. */
  async scrape(): Promise<string> {
    this.current = undefined;
    try {
      return await this.registry.metrics();
    } finally {
      this.current = undefined;
    }
  }
}
