// Formatting shared by the console's views: times, durations, statuses, payload text.

/** "12:03:04.120" today, with the date otherwise. */
export function clock(ms) {
  if (ms == null) return "—";
  const d = new Date(ms);
  const time = d.toLocaleTimeString(undefined, { hour12: false }) + "." + String(d.getMilliseconds()).padStart(3, "0");
  return d.toDateString() === new Date().toDateString() ? time : `${d.toLocaleDateString()} ${time}`;
}

export function duration(ms) {
  if (ms == null || !Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  if (ms < 86_400_000) return `${Math.floor(ms / 3_600_000)} h ${Math.round((ms % 3_600_000) / 60_000)} min`;
  return `${Math.floor(ms / 86_400_000)} d ${Math.round((ms % 86_400_000) / 3_600_000)} h`;
}

export const ts = (iso) => (iso ? Date.parse(iso) : undefined);

export function functionOf(functionArn) {
  return (functionArn ?? "").split(":function:")[1]?.split(":")[0] ?? "";
}

/** Pretty JSON when the text is JSON, the text itself otherwise. */
export function pretty(text) {
  if (text == null) return "";
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export function bytes(n) {
  return n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1048576).toFixed(1)} MiB`;
}

/** The result and error of an operation record, whatever its type. */
export function outcome(op) {
  const d = op.StepDetails ?? op.CallbackDetails ?? op.ContextDetails ?? op.ChainedInvokeDetails ?? {};
  return { result: d.Result, error: d.Error };
}
