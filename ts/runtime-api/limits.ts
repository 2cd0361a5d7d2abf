// A function's limits as Lambda sets them, for every runtime process (Node or Python): the
// defaults of the function timeout of one invocation and of the memory size. Their ranges are
// the engine's one table (crates/engine/src/limits.rs: `functionTimeout`, `functionMemory`,
// checked through ts/limits.ts).

/**
 * The default function timeout (seconds): Lambda's maximum, the bound the spec gives an
 * invocation (API.md §15) and what the official testing runner hands every invocation
 * (`getRemainingTimeInMillis()` = 900 000). Lambda's 3-second default for plain functions
 * would cut most durable invocations (steps until they suspend) short.
 */
export const DEFAULT_TIMEOUT_SECONDS = 900;
/** The default memory size (MB); for a Node runtime it is also the V8 heap limit. */
export const DEFAULT_MEMORY_MB = 1024;
