// Short local rendering of wire timestamps for human-readable output.

export function clock(ts: Date | string | number): string {
  const d = ts instanceof Date ? ts : new Date(ts);
  return Number.isNaN(d.getTime()) ? String(ts) : d.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}
