// The console's calls to its server: JSON reads, actions (with the header that marks them as
// the console's own, which cross-site requests cannot send), and live streams.

const ACTION_HEADER = "x-durable-console";

export class ApiError extends Error {}

async function answer(res) {
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(body.error ?? `${res.status} ${res.statusText}`);
  return body;
}

export const enc = encodeURIComponent;

export async function get(path, params) {
  const q = params ? "?" + new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== "")) : "";
  return answer(await fetch(`/console/api/${path}${q}`, { headers: { accept: "application/json" } }));
}

export async function act(path, body = {}) {
  return answer(await fetch(`/console/api/${path}`, { method: "POST", headers: { "content-type": "application/json", [ACTION_HEADER]: "1" }, body: JSON.stringify(body) }));
}

/** Opens a live stream; returns its closer. EventSource reconnects by itself. */
export function stream(path, handlers) {
  const source = new EventSource(`/console/api/${path}`);
  for (const [event, fn] of Object.entries(handlers)) source.addEventListener(event, (e) => fn(JSON.parse(e.data)));
  return () => source.close();
}
