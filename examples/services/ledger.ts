// Side-effect ledger for the example services: one JSON line per service call,
// so tests can count how often a side effect really ran (e.g. across crashes
// and replays). Also owns the crash hook that fires right after a line is written.
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { inspect } from "node:util";

export interface LedgerEntry {
  service: string;
  action: string;
  at: string;
  pid: number;
  [field: string]: unknown;
}

// Resolved on every call rather than once, so a test can point
// DURABLE_LEDGER at a fresh file per case.
export function ledgerPath(): string {
  const fromEnv = process.env.DURABLE_LEDGER;
  return fromEnv ? fromEnv : join(process.cwd(), ".durable", "ledger.jsonl");
}

interface LedgerCache {
  /** Which file (a ledger deleted and written again is another file). */
  identity: string;
  /** Bytes of the file already parsed (whole lines only). */
  offset: number;
  entries: LedgerEntry[];
  lines: number;
}

// Reads only what was appended since the last call (the file only grows), so a service that
// consults the ledger on every call stays cheap when thousands of orders run in one process.
const caches = new Map<string, LedgerCache>();

export function readLedger(path: string = ledgerPath()): LedgerEntry[] {
  if (!existsSync(path)) {
    caches.delete(path);
    return [];
  }
  let cache = caches.get(path);
  const stat = statSync(path);
  const size = stat.size;
  const identity = `${stat.dev}:${stat.ino}:${stat.birthtimeMs}`;
  if (!cache || cache.identity !== identity || size < cache.offset) {
    cache = { identity, offset: 0, entries: [], lines: 0 };
    caches.set(path, cache);
  }
  if (size > cache.offset) {
    const fd = openSync(path, "r");
    let text: string;
    try {
      const buffer = Buffer.alloc(size - cache.offset);
      const read = readSync(fd, buffer, 0, buffer.length, cache.offset);
      text = buffer.subarray(0, read).toString("utf8");
    } finally {
      closeSync(fd);
    }
    // A line still being written by another process is left for the next read.
    const complete = text.slice(0, text.lastIndexOf("\n") + 1);
    for (const line of complete.split("\n")) {
      if (line === "") continue;
      cache.lines++;
      if (line.trim() === "") continue;
      try {
        cache.entries.push(JSON.parse(line) as LedgerEntry);
      } catch {
        throw new Error(`${path}:${cache.lines}: not a JSON ledger line: ${inspect(line)}`);
      }
    }
    cache.offset += Buffer.byteLength(complete, "utf8");
  }
  return [...cache.entries];
}

/**
 * Appends one ledger line for a side effect that just happened, then applies
 * the crash hook. Synchronous on purpose: the line must be on disk before a
 * crash, and a single O_APPEND write keeps lines from concurrent processes whole.
 */
export function record(
  service: string,
  action: string,
  fields: Record<string, unknown>,
): void {
  const path = ledgerPath();
  mkdirSync(dirname(path), { recursive: true });
  const entry: LedgerEntry = {
    service,
    action,
    ...fields,
    at: new Date().toISOString(),
    // A worker in a PID namespace of its own is pid 1 there: a harness running several names
    // each worker process (DURABLE_LEDGER_PID) so lines stay attributable.
    pid: Number(process.env.DURABLE_LEDGER_PID) || process.pid,
  };
  appendFileSync(path, JSON.stringify(entry) + "\n");
  crashIfRequested(path, `${service}.${action}`);
}

// Simulates dying between a side effect and its checkpoint. The marker makes
// the crash one-shot, so re-running the same command resumes instead of dying again.
function crashIfRequested(path: string, point: string): void {
  if (process.env.DURABLE_CRASH_AFTER !== point) return;
  const marker = `${path}.crashed-${point}`;
  try {
    // "wx" fails if the marker exists: check and create in one step, so two
    // processes racing here cannot both crash.
    const note = { pid: process.pid, at: new Date().toISOString() };
    writeFileSync(marker, JSON.stringify(note) + "\n", { flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return;
    throw err;
  }
  process.kill(process.pid, "SIGKILL");
  // Not expected to run; if the kill were ever delayed, returning would let
  // the step checkpoint and the test would pass without crashing.
  process.exit(137);
}
