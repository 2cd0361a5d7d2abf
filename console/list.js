// The executions list: filters (function, status, name prefix, start time range), keyset pages
// (next / previous by the markers the server returns), and live rows: the list's stream says
// which executions changed and the page reads its current page again.

import { h } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import htm from "htm";

import { enc, get, stream } from "./api.js";
import { StartDialog } from "./actions.js";
import { clock, duration, functionOf, ts } from "./format.js";

const html = htm.bind(h);
const STATUSES = ["RUNNING", "PAUSING", "PAUSED", "SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED", "DELETING"];

export function StatusBadge({ status }) {
  return html`<span class=${`status status-${(status ?? "").toLowerCase()}`}>${status}</span>`;
}

/** datetime-local text → epoch seconds for the server (empty stays empty). */
function toSeconds(local) {
  const ms = local ? new Date(local).getTime() : NaN;
  return Number.isFinite(ms) ? String(ms / 1000) : undefined;
}

export function ExecutionsPage({ initial }) {
  const [filters, setFilters] = useState({ function: initial.get("function") ?? "", status: initial.get("status") ?? "", prefix: initial.get("prefix") ?? "", after: "", before: "" });
  const [markers, setMarkers] = useState([undefined]);
  const [page, setPage] = useState(undefined);
  const [error, setError] = useState(undefined);
  const [functions, setFunctions] = useState([]);
  const [live, setLive] = useState("connecting");
  const [starting, setStarting] = useState(false);
  const marker = markers[markers.length - 1];
  const pending = useRef(undefined);

  const load = useCallback(async () => {
    try {
      const query = { function: filters.function, status: filters.status, prefix: filters.prefix, after: toSeconds(filters.after), before: toSeconds(filters.before), marker, limit: 50 };
      setPage(await get("executions", query));
      setError(undefined);
    } catch (e) {
      setError(e.message);
    }
  }, [filters, marker]);

  useEffect(() => void load(), [load]);
  useEffect(() => void get("functions").then((f) => setFunctions(f.functions), () => {}), []);
  useEffect(
    () =>
      stream("stream", {
        ready: () => setLive("live"),
        changes: () => {
          // Many changes in a burst cost one read of the page.
          clearTimeout(pending.current);
          pending.current = setTimeout(() => void load(), 150);
        },
        error: () => setLive("reconnecting"),
      }),
    [load],
  );

  const set = (key) => (e) => {
    setFilters({ ...filters, [key]: e.currentTarget.value });
    setMarkers([undefined]);
  };
  const known = [...new Set([...functions, ...(page?.executions ?? []).map((e) => functionOf(e.FunctionArn))])].sort();

  return html`
    <section aria-labelledby="list-title">
      <div class="title-row">
        <h1 id="list-title">Executions</h1>
        <span class=${`live live-${live}`} role="status">${live === "live" ? "Live" : live === "connecting" ? "Connecting…" : "Reconnecting…"}</span>
        <button type="button" onClick=${() => setStarting(true)}>Start execution…</button>
      </div>
      <form class="filters" role="search" aria-label="Filter executions" onSubmit=${(e) => e.preventDefault()}>
        <label>Function <input list="functions" value=${filters.function} onInput=${set("function")} placeholder="any" /></label>
        <datalist id="functions">${known.map((f) => html`<option value=${f} />`)}</datalist>
        <label>Status <select value=${filters.status} onChange=${set("status")}>
          <option value="">any</option>${STATUSES.map((s) => html`<option value=${s}>${s}</option>`)}</select></label>
        <label>Name starts with <input value=${filters.prefix} onInput=${set("prefix")} placeholder="order-" /></label>
        <label>Started after <input type="datetime-local" step="1" value=${filters.after} onInput=${set("after")} /></label>
        <label>Started before <input type="datetime-local" step="1" value=${filters.before} onInput=${set("before")} /></label>
      </form>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <table class="executions">
        <caption class="sr-only">Executions, newest first</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Function</th><th scope="col">Status</th><th scope="col">Started</th><th scope="col">Duration</th></tr></thead>
        <tbody>
          ${(page?.executions ?? []).map((e) => {
            const start = ts(e.StartTimestamp);
            const end = ts(e.EndTimestamp);
            return html`<tr data-arn=${e.DurableExecutionArn} data-status=${e.Status}>
              <td><a href=${`#/executions/${enc(e.DurableExecutionArn)}`}>${e.DurableExecutionName}</a></td>
              <td>${functionOf(e.FunctionArn)}</td>
              <td><${StatusBadge} status=${e.Status} /></td>
              <td>${clock(start)}</td>
              <td>${duration((end ?? Date.now()) - start)}${end ? "" : " (running)"}</td>
            </tr>`;
          })}
          ${page && page.executions.length === 0 && html`<tr><td colspan="5" class="empty">No executions match.</td></tr>`}
        </tbody>
      </table>
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled=${markers.length === 1} onClick=${() => setMarkers(markers.slice(0, -1))}>Previous page</button>
        <span>Page ${markers.length}</span>
        <button type="button" disabled=${!page?.nextMarker} onClick=${() => setMarkers([...markers, page.nextMarker])}>Next page</button>
      </nav>
      ${starting && html`<${StartDialog} functions=${known} onClose=${() => setStarting(false)} />`}
    </section>`;
}
