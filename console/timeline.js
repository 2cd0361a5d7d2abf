// One execution's operations as bars on a time axis: step attempts (failed ones followed by
// their retry delay), waits to their due time, callbacks from creation to completion or
// timeout, contexts and chained invokes from start to end; children nested under their parent
// context (map and parallel items under their batch); invocations as bands behind the rows.
// Each row is a button that opens the operation's details.

import { h } from "preact";
import htm from "htm";

import { clock, duration, ts } from "./format.js";

const html = htm.bind(h);

/** Operations in tree order (each parent followed by its children), with their depth. */
export function nest(operations) {
  const byParent = new Map();
  const ids = new Set(operations.map((o) => o.operation.Id));
  for (const o of operations) {
    const parent = ids.has(o.operation.ParentId) ? o.operation.ParentId : undefined;
    if (!byParent.has(parent)) byParent.set(parent, []);
    byParent.get(parent).push(o);
  }
  const out = [];
  const walk = (parent, depth) => {
    for (const o of byParent.get(parent) ?? []) {
      out.push({ ...o, depth });
      walk(o.operation.Id, depth + 1);
    }
  };
  walk(undefined, 0);
  return out;
}

/** The segments of one operation's bar: [start, end, kind, label]. */
export function segments(o, now) {
  const op = o.operation;
  const start = ts(op.StartTimestamp);
  const end = ts(op.EndTimestamp);
  const open = (t) => t ?? now;
  if (op.Type === "STEP" && o.attempts.length > 0) {
    const out = [];
    o.attempts.forEach((a, i) => {
      out.push([a.startMs, open(a.endMs), a.status.toLowerCase(), `attempt ${a.number} ${a.status.toLowerCase()}`]);
      if (a.retryAtMs) {
        const next = o.attempts[i + 1]?.startMs;
        out.push([a.endMs, next ?? a.retryAtMs, "retry-delay", `retry delay until ${clock(a.retryAtMs)}`]);
      }
    });
    return out;
  }
  if (op.Type === "WAIT") {
    const due = ts(op.WaitDetails?.ScheduledEndTimestamp);
    return [[start, end ?? due ?? now, end ? "succeeded" : "waiting", end ? "waited" : `waits until ${clock(due)}`]];
  }
  const kind = op.Status === "SUCCEEDED" ? "succeeded" : op.Status === "STARTED" || op.Status === "PENDING" || op.Status === "READY" ? "running" : "failed";
  return [[start, open(end), `${op.Type.toLowerCase()} ${kind}`, `${op.Status.toLowerCase()}`]];
}

function Axis({ t0, span }) {
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return html`<div class="tl-axis" aria-hidden="true">
    <span class="tl-label">Operation</span>
    <div class="tl-track">${ticks.map((f) => html`<span class="tick" style=${`left:${f * 100}%`}>+${duration(f * span)}</span>`)}</div>
  </div>`;
}

export function Timeline({ timeline, selected, onSelect }) {
  const now = timeline.nowMs;
  const t0 = ts(timeline.execution.StartTimestamp);
  const rows = nest(timeline.operations);
  const t1raw = ts(timeline.execution.EndTimestamp) ?? now;
  // A wait or retry due a little after now stretches the axis; one due in a month does not.
  let t1 = t1raw;
  for (const r of rows) for (const [, e] of segments(r, now)) if (e > t1 && e - t0 <= 2 * (t1raw - t0)) t1 = e;
  const span = Math.max(1, t1 - t0);
  const pos = (s, e) => {
    const left = Math.max(0, Math.min(100, ((s - t0) / span) * 100));
    const right = Math.max(0, Math.min(100, ((Math.min(e, t1) - t0) / span) * 100));
    return `left:${left}%;width:max(3px, ${right - left}%)`;
  };
  return html`<div class="timeline" role="group" aria-label="Timeline of operations">
    <${Axis} t0=${t0} span=${span} />
    <div class="tl-body">
      <div class="tl-bands" aria-hidden="true">
        ${timeline.invocations.map((inv) => html`<div class=${`band${inv.error ? " band-error" : ""}`} style=${pos(inv.startMs, inv.endMs ?? now)} title=${`invocation ${inv.number}`}><span>#${inv.number}</span></div>`)}
      </div>
      <ol class="tl-rows">
        ${rows.map((r) => {
          const op = r.operation;
          const segs = segments(r, now);
          const label = op.Name ?? `${(op.SubType ?? op.Type).toLowerCase()} ${op.Id.slice(0, 6)}`;
          return html`<li data-op-id=${op.Id} data-op-name=${op.Name ?? ""} data-status=${op.Status} data-type=${op.Type}>
            <button type="button" class=${`tl-row${selected === op.Id ? " selected" : ""}`} aria-pressed=${selected === op.Id}
              aria-label=${`${label}: ${op.Type} ${op.SubType ?? ""} ${op.Status}, ${segs.map((s) => s[3]).join(", ")}`} onClick=${() => onSelect(op.Id)}>
              <span class="tl-label" style=${`padding-left:${0.5 + r.depth * 1.1}rem`}>
                <span class="op-name">${label}</span> <span class="op-type">${op.SubType ?? op.Type}</span>
                <span class=${`status status-${op.Status.toLowerCase()}`}>${op.Status}</span>
              </span>
              <span class="tl-track">${segs.map(([s, e, kind, title]) => html`<span class=${`bar bar-${kind.replace(" ", " bar-")}`} style=${pos(s, e)} title=${title}></span>`)}</span>
            </button>
          </li>`;
        })}
      </ol>
      ${rows.length === 0 && html`<p class="empty">No operations yet.</p>`}
    </div>
  </div>`;
}
