// Log capture and the `ExpectedLogs` assertions (shared/spec/CONFORMANCE.md §5): JSON log lines
// carrying the execution's ARN, matched by fields, counted, and ordered against anchors.

import { interpolate, suiteRegex, type Bindings } from "./matcher";

export type LogRecord = Record<string, unknown> & { index: number };

/** Keeps the JSON lines that name `arn` in `executionArn` or `durableExecutionArn`. */
export function parseLogs(lines: string[], arn: string): LogRecord[] {
  const records: LogRecord[] = [];
  lines.forEach((line, index) => {
    const text = line.trim();
    if (!text.startsWith("{")) return;
    try {
      const record = JSON.parse(text) as Record<string, unknown>;
      if (record.executionArn === arn || record.durableExecutionArn === arn) records.push({ ...record, index });
    } catch {
      // Not a log record.
    }
  });
  return records;
}

function fieldMatches(expected: unknown, actual: unknown, bindings: Bindings): boolean {
  if (actual === undefined) return false;
  if (typeof expected === "string") {
    const want = interpolate(expected, bindings).trim();
    const text = (typeof actual === "string" ? actual : JSON.stringify(actual)).trim();
    if (want.length >= 2 && want.startsWith("/") && want.endsWith("/")) return suiteRegex(want.slice(1, -1)).test(text);
    return want === text;
  }
  if (typeof expected === "boolean") return actual === expected;
  if (typeof expected === "number") return Number(actual) === expected;
  return String(expected) === String(actual);
}

function matches(matcher: Record<string, unknown>, record: LogRecord, bindings: Bindings): boolean {
  return Object.entries(matcher).every(([field, value]) => fieldMatches(value, record[field], bindings));
}

const asList = (v: unknown): Record<string, unknown>[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]) as Record<string, unknown>[];

/** Returns a description of every assertion that does not hold. */
export function checkLogs(expectations: Record<string, unknown>[], records: LogRecord[], bindings: Bindings): string[] {
  const problems: string[] = [];
  for (const entry of expectations) {
    const matcher = entry.match as Record<string, unknown>;
    const own = records.filter((r) => matches(matcher, r, bindings));
    const label = JSON.stringify(matcher);
    if (entry.count !== undefined && own.length !== Number(entry.count)) problems.push(`logs ${label}: ${own.length} records, expected ${String(entry.count)}`);
    if (entry.min_count !== undefined && own.length < Number(entry.min_count)) problems.push(`logs ${label}: ${own.length} records, expected at least ${String(entry.min_count)}`);
    if (entry.max_count !== undefined && own.length > Number(entry.max_count)) problems.push(`logs ${label}: ${own.length} records, expected at most ${String(entry.max_count)}`);
    if (entry.count === undefined && entry.min_count === undefined && entry.max_count === undefined && own.length === 0) problems.push(`logs ${label}: no record`);
    for (const anchor of asList(entry.after)) {
      const anchors = records.filter((r) => matches(anchor, r, bindings));
      if (anchors.length === 0) problems.push(`logs ${label}: anchor ${JSON.stringify(anchor)} matches nothing`);
      else if (own.length > 0 && Math.min(...own.map((r) => r.index)) < Math.max(...anchors.map((r) => r.index))) problems.push(`logs ${label}: not after ${JSON.stringify(anchor)}`);
    }
    for (const anchor of asList(entry.before)) {
      const anchors = records.filter((r) => matches(anchor, r, bindings));
      if (anchors.length === 0) problems.push(`logs ${label}: anchor ${JSON.stringify(anchor)} matches nothing`);
      else if (own.length > 0 && Math.max(...own.map((r) => r.index)) > Math.min(...anchors.map((r) => r.index))) problems.push(`logs ${label}: not before ${JSON.stringify(anchor)}`);
    }
  }
  return problems;
}
