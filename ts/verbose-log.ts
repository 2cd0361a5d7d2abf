// SDK-internal debug tracing (API.md §12.5, §12.6): with DURABLE_VERBOSE_MODE=true, the SDK
// writes what it is doing (invocation start and outcome, transport failures, …) to
// console.debug. The flag is read once at module load, since tracing sits on hot paths;
// refreshLogConfig() re-reads it after the environment changed (e.g. a CLI enabling it late).

let verbose = process.env.DURABLE_VERBOSE_MODE === "true";

/** Re-reads DURABLE_VERBOSE_MODE ("true" enables tracing; anything else disables it). */
export function refreshLogConfig(): void {
  verbose = process.env.DURABLE_VERBOSE_MODE === "true";
}

/** Whether tracing is on (as of module load or the last refreshLogConfig()). */
export function isVerbose(): boolean {
  return verbose;
}

/** JSON with circular references marked and errors' name/message/stack kept. */
function describe(data: unknown): string {
  const seen = new WeakSet<object>();
  try {
    return JSON.stringify(
      data,
      (_key, value: unknown) => {
        if (typeof value !== "object" || value === null) return value;
        if (seen.has(value)) return "[Circular]";
        seen.add(value);
        if (value instanceof Error) return { ...value, name: value.name, message: value.message, stack: value.stack };
        return value;
      },
      2,
    );
  } catch {
    return "[Unable to stringify]";
  }
}

/**
 * Traces `message` (and `data`, as JSON) to console.debug when verbose mode is on. `data` may be a
 * function, called only when tracing is on, so callers build nothing when it is off.
 */
export function verboseLog(message: string, data?: unknown): void {
  if (!verbose) return;
  const value = typeof data === "function" ? (data as () => unknown)() : data;
  console.debug(message, value === undefined ? "" : describe(value));
}
