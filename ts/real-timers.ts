// The process's timers as they were when durable-node loaded. A test that installs fake timers
// afterwards (vi.useFakeTimers, jest, sinon) must not freeze checkpointing, suspension or the
// testing runner's clock.

export const realSetImmediate: (callback: () => void) => NodeJS.Immediate = globalThis.setImmediate.bind(globalThis);
export const realSetTimeout: (callback: () => void, ms: number) => NodeJS.Timeout = globalThis.setTimeout.bind(globalThis);
export const realClearTimeout: (timer: NodeJS.Timeout | undefined) => void = globalThis.clearTimeout.bind(globalThis);
export const realNow: () => number = performance.now.bind(performance);
