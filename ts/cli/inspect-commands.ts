// Read-only commands over a database: `get`, `history` and `list`, as JSON in the AWS response
// shapes (--json) or as readable tables.

import type { Command } from "commander";

import { DB_HELP } from "./database";

import { listedExecution, type ExecutionRecord } from "../engine/durable-engine";
import { UsageError } from "./usage-error";
import { EXECUTION_STATUSES } from "../execution-status";

type Open = (db: string | undefined) => { describe(x: string): ExecutionRecord; history(x: string): Record<string, unknown>[]; list(f: { status?: string }): ExecutionRecord[]; close(): void };

const STATUSES: readonly string[] = EXECUTION_STATUSES;

/** Renders rows as aligned columns under a header. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (c ?? "").padEnd(widths[i])).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
}

function detailOf(event: Record<string, unknown>): string {
  const key = Object.keys(event).find((k) => k.endsWith("Details"));
  const details = (key ? event[key] : undefined) as Record<string, unknown> | undefined;
  if (!details) return "";
  const parts: string[] = [];
  const payload = (v: unknown) => (v as { Payload?: unknown } | undefined)?.Payload;
  for (const [k, v] of Object.entries(details)) {
    if (k === "Result" || k === "Input") {
      if (payload(v) !== undefined) parts.push(`${k}=${String(payload(v))}`);
    } else if (k === "Error") {
      const e = payload(v) as { ErrorType?: string; ErrorMessage?: string } | undefined;
      if (e) parts.push(`Error=${e.ErrorType ?? ""}: ${e.ErrorMessage ?? ""}`);
    } else if (k === "RetryDetails") {
      const r = v as { CurrentAttempt?: number; NextAttemptDelaySeconds?: number };
      if (r.CurrentAttempt !== undefined) parts.push(`attempt=${r.CurrentAttempt}`);
      if (r.NextAttemptDelaySeconds !== undefined) parts.push(`retry in ${r.NextAttemptDelaySeconds}s`);
    } else if (v !== undefined && typeof v !== "object") {
      parts.push(`${k}=${String(v)}`);
    }
  }
  const text = parts.join(" ");
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

export function registerInspectCommands(program: Command, open: Open, out: (line: string) => void): void {
  program
    .command("get")
    .description("show an execution (GetDurableExecution: with its DurableConfig, PauseDetails and expected timeout)")
    .argument("<execution>", "execution name or ARN")
    .option("--db <path|url>", DB_HELP)
    .option("--json", "print the GetDurableExecution response shape")
    .action((execution: string, options: { db?: string; json?: boolean }) => {
      const engine = open(options.db);
      try {
        const record = engine.describe(execution);
        if (options.json) return out(JSON.stringify(record));
        for (const [k, v] of Object.entries(record)) out(`${k.padEnd(22)} ${typeof v === "object" ? JSON.stringify(v) : String(v)}`);
      } finally {
        engine.close();
      }
    });
  program
    .command("history")
    .description("show an execution's history events (GetDurableExecutionHistory)")
    .argument("<execution>", "execution name or ARN")
    .option("--db <path|url>", DB_HELP)
    .option("--json", "print the GetDurableExecutionHistory response shape")
    .action((execution: string, options: { db?: string; json?: boolean }) => {
      const engine = open(options.db);
      try {
        const events = engine.history(execution);
        if (options.json) return out(JSON.stringify({ Events: events }));
        const rows = events.map((e) => [String(e.EventId), String(e.EventType), String(e.SubType ?? ""), String(e.Name ?? ""), String(e.Id ?? ""), String(e.EventTimestamp), detailOf(e)]);
        for (const line of table(["#", "Event", "SubType", "Name", "Id", "Time", "Details"], rows)) out(line);
      } finally {
        engine.close();
      }
    });
  program
    .command("list")
    .description("list executions (ListDurableExecutionsByFunction, all functions)")
    .option("--db <path|url>", DB_HELP)
    .option("--status <status>", `only executions with this status (${STATUSES.join(", ")})`)
    .option("--json", "print { DurableExecutions: [...] }")
    .action((options: { db?: string; status?: string; json?: boolean }) => {
      const status = options.status?.toUpperCase();
      if (status !== undefined && !STATUSES.includes(status)) {
        throw new UsageError(`--status ${options.status} is not one of ${STATUSES.join(", ")}`);
      }
      const engine = open(options.db);
      try {
        const executions = engine.list({ status });
        if (options.json) {
          const shaped = executions.map(listedExecution);
          return out(JSON.stringify({ DurableExecutions: shaped }));
        }
        const rows = executions.map((e) => [e.DurableExecutionName, e.Status, e.FunctionArn.split(":function:")[1] ?? e.FunctionArn, e.StartTimestamp, e.EndTimestamp ?? ""]);
        for (const line of table(["Name", "Status", "Function", "Started", "Ended"], rows)) out(line);
      } finally {
        engine.close();
      }
    });
}
