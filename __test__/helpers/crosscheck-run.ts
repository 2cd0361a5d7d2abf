// A deterministic Math.random for the official-SDK cross-check: both SDKs draw retry and
// wait-strategy jitter from Math.random, so with the same seed, and the same draws in the same
// order, both runs of a handler must compute the same delays.

/** Replaces Math.random with a mulberry32 generator seeded from `key`; returns the restorer. */
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
