// One half of the official-SDK cross-check (official-crosscheck.spec.ts), the same in both: the
// requirement runs in process (__test__/conformance/execute.ts) with Math.random seeded and the
// process's stdout and stderr captured.

import { runInProcess, type InProcessOptions, type Outcome } from "../conformance/execute";
import type { Bindings } from "../conformance/matcher";
import type { Requirement } from "../conformance/requirements";

/**
 * Replaces Math.random with a mulberry32 generator seeded from `key`; returns the restorer.
 * Both SDKs draw retry and wait-strategy jitter from Math.random, so with the same seed, and the
 * same draws in the same order, both runs of a handler must compute the same delays.
 */
export function seedMathRandom(key: string): () => void {
  let seed = 0x9e3779b9;
  for (let i = 0; i < key.length; i++) seed = Math.imul(seed ^ key.charCodeAt(i), 0x85ebca6b) >>> 0;
  const original = Math.random;
  Math.random = () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => {
    Math.random = original;
  };
}

/**
 * Collects the lines written to process.stdout and process.stderr (both SDKs' default loggers
 * write there; the official one through a Console on the same streams) in the order written,
 * and still passes them on. Returns the lines and the restorer.
 */
export function captureOutput(): { lines: string[]; restore: () => void } {
  const lines: string[] = [];
  const pending = { stdout: "", stderr: "" };
  const restorers = (["stdout", "stderr"] as const).map((name) => {
    const stream = process[name];
    const write = stream.write;
    stream.write = function (this: unknown, chunk: unknown, ...rest: unknown[]) {
      pending[name] += typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8");
      const parts = pending[name].split("\n");
      pending[name] = parts.pop()!;
      lines.push(...parts);
      return (write as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
    } as typeof stream.write;
    return () => {
      stream.write = write;
      if (pending[name]) lines.push(pending[name]);
    };
  });
  return { lines, restore: () => restorers.forEach((r) => r()) };
}

/** Runs the requirement seeded from its id, with its output captured as `logLines`. */
export async function runHalf(req: Requirement, bindings: Bindings, options: InProcessOptions = {}): Promise<Outcome> {
  const restoreRandom = seedMathRandom(`${req.suite}/${req.id}`);
  const output = captureOutput();
  try {
    const outcome = await runInProcess(req, new Map(bindings), options);
    return { ...outcome, logLines: output.lines };
  } finally {
    output.restore();
    restoreRandom();
  }
}
