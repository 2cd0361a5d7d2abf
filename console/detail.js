// One execution: its summary and actions, input and result or error, the timeline, the
// selected operation's details (attempts, payloads, errors with their stack, the callback's
// answers) and the raw history. The execution's stream says when something changed; the page
// then reads the timeline again, without a reload.

import { h } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import htm from "htm";

import { enc, get, stream } from "./api.js";
import { CallbackActions, ExecutionActions } from "./actions.js";
import { bytes, clock, duration, functionOf, outcome, pretty, ts } from "./format.js";
import { StatusBadge } from "./list.js";
import { Timeline } from "./timeline.js";

const html = htm.bind(h);

/** A payload, pretty-printed; a cut one offers the rest. */
function Payload({ label, text, size, loadAll }) {
  const [all, setAll] = useState(undefined);
  if (text == null) return null;
  const shown = all ?? text;
  const cut = all === undefined && size > text.length;
  return html`<figure class="payload">
    <figcaption>${label} <span class="muted">(${bytes(size ?? text.length)})</span></figcaption>
    <pre tabindex="0">${cut ? shown : pretty(shown)}${cut ? "…" : ""}</pre>
    ${cut && html`<button type="button" onClick=${async () => setAll(await loadAll())}>Show all ${bytes(size)}</button>`}
  </figure>`;
}

function ErrorView({ error, label = "Error" }) {
  if (!error) return null;
  return html`<div class="error-view" role="note" aria-label=${label}>
    <strong>${error.ErrorType ?? "Error"}</strong>: ${error.ErrorMessage ?? ""}
    ${error.ErrorData && html`<pre>${pretty(error.ErrorData)}</pre>`}
    ${error.StackTrace?.length > 0 && html`<details><summary>Stack trace</summary><pre>${error.StackTrace.join("\n")}</pre></details>`}
  </div>`;
}

function OperationDetails({ arn, o, onChanged }) {
  const op = o.operation;
  const { result, error } = outcome(op);
  const full = async () => outcome((await get(`executions/${enc(arn)}/operations/${enc(op.Id)}`)).operation).result;
  const start = ts(op.StartTimestamp);
  const end = ts(op.EndTimestamp);
  return html`<section class="op-details" aria-labelledby="op-title">
    <h3 id="op-title">${op.Name ?? op.Id} <${StatusBadge} status=${op.Status} /></h3>
    <dl class="facts">
      <dt>Type</dt><dd>${op.Type}${op.SubType ? ` (${op.SubType})` : ""}</dd>
      <dt>Id</dt><dd><code>${op.Id}</code></dd>
      ${op.ParentId && html`<dt>Parent</dt><dd><code>${op.ParentId}</code></dd>`}
      <dt>Started</dt><dd>${clock(start)}</dd>
      <dt>Ended</dt><dd>${clock(end)} ${end ? `(${duration(end - start)})` : ""}</dd>
      ${op.WaitDetails?.ScheduledEndTimestamp && html`<dt>Due</dt><dd>${clock(ts(op.WaitDetails.ScheduledEndTimestamp))}</dd>`}
      ${op.StepDetails?.NextAttemptTimestamp && html`<dt>Next attempt</dt><dd>${clock(ts(op.StepDetails.NextAttemptTimestamp))}</dd>`}
      ${o.targetArn && html`<dt>Invoked</dt><dd><a href=${`#/executions/${enc(o.targetArn)}`}>${o.targetArn.split("/").slice(-2).join("/")}</a></dd>`}
    </dl>
    ${o.attempts.length > 0 && html`<table class="attempts"><caption>Attempts</caption>
      <thead><tr><th scope="col">#</th><th scope="col">Started</th><th scope="col">Took</th><th scope="col">Outcome</th><th scope="col">Retry due</th></tr></thead>
      <tbody>${o.attempts.map((a) => html`<tr>
        <td>${a.number}</td><td>${clock(a.startMs)}</td><td>${duration((a.endMs ?? Date.now()) - a.startMs)}</td>
        <td><${StatusBadge} status=${a.status} />${a.error && html`<${ErrorView} error=${a.error} label=${`Attempt ${a.number} error`} />`}</td>
        <td>${a.retryAtMs ? clock(a.retryAtMs) : "—"}</td></tr>`)}</tbody></table>`}
    <${Payload} label="Result" text=${result} size=${o.resultSize} loadAll=${full} />
    <${ErrorView} error=${error} />
    ${op.Type === "CALLBACK" && op.Status === "STARTED" && op.CallbackDetails?.CallbackId && html`<${CallbackActions} callbackId=${op.CallbackDetails.CallbackId} onDone=${onChanged} />`}
  </section>`;
}

function History({ arn, version }) {
  const [events, setEvents] = useState([]);
  const [next, setNext] = useState(undefined);
  const [open, setOpen] = useState(false);
  const load = async (marker) => {
    const page = await get(`executions/${enc(arn)}/history`, { marker, limit: 100 });
    setEvents((prev) => (marker ? [...prev, ...page.events] : page.events));
    setNext(page.nextMarker ?? undefined);
  };
  useEffect(() => void (open && load()), [open, version]);
  return html`<details class="history" onToggle=${(e) => setOpen(e.currentTarget.open)}>
    <summary>History events</summary>
    <table><thead><tr><th scope="col">Id</th><th scope="col">Time</th><th scope="col">Type</th><th scope="col">Operation</th><th scope="col">Details</th></tr></thead>
      <tbody>${events.map((e) => {
        const key = Object.keys(e).find((k) => k.endsWith("Details"));
        return html`<tr><td>${e.EventId}</td><td>${clock(ts(e.EventTimestamp))}</td><td>${e.EventType}</td><td>${e.Name ?? e.Id ?? ""}</td>
          <td>${key && html`<details><summary>${key}</summary><pre>${JSON.stringify(e[key], null, 2)}</pre></details>`}</td></tr>`;
      })}</tbody></table>
    ${next && html`<button type="button" onClick=${() => load(next)}>Load more events</button>`}
  </details>`;
}

export function ExecutionPage({ arn }) {
  const [t, setT] = useState(undefined);
  const [error, setError] = useState(undefined);
  const [selected, setSelected] = useState(undefined);
  const [version, setVersion] = useState("");
  const busy = useRef(false);
  const load = useCallback(async () => {
    if (busy.current) return;
    busy.current = true;
    try {
      setT(await get(`executions/${enc(arn)}`));
      setError(undefined);
    } catch (e) {
      setError(e.message);
    } finally {
      busy.current = false;
    }
  }, [arn]);
  useEffect(() => void load(), [load]);
  useEffect(() => stream(`executions/${enc(arn)}/stream`, { changed: (d) => (setVersion(d.version), void load()) }), [arn, load]);
  if (error && !t) return html`<p class="error" role="alert">${error}</p>`;
  if (!t) return html`<p class="loading">Loading…</p>`;
  const e = t.execution;
  const start = ts(e.StartTimestamp);
  const end = ts(e.EndTimestamp);
  const payloads = async () => get(`executions/${enc(arn)}/payloads`);
  const op = t.operations.find((o) => o.operation.Id === selected);
  return html`<article class="execution" aria-labelledby="exec-title" data-status=${e.Status}>
    <p><a href="#/">← Executions</a></p>
    <div class="title-row">
      <h1 id="exec-title">${e.DurableExecutionName}</h1>
      <${StatusBadge} status=${e.Status} />
    </div>
    <dl class="facts">
      <dt>Function</dt><dd>${functionOf(e.FunctionArn)}</dd>
      <dt>ARN</dt><dd><code>${e.DurableExecutionArn}</code></dd>
      <dt>Started</dt><dd>${clock(start)}</dd>
      <dt>Duration</dt><dd>${duration((end ?? t.nowMs) - start)}${end ? "" : " so far"}</dd>
      <dt>Invocations</dt><dd>${t.invocations.length}</dd>
      ${t.parentArn && html`<dt>Invoked by</dt><dd><a href=${`#/executions/${enc(t.parentArn)}`}>${t.parentArn.split("/").slice(-2).join("/")}</a></dd>`}
    </dl>
    <${ExecutionActions} execution=${e} onStarted=${(s) => (location.hash = `#/executions/${enc(s.DurableExecutionArn)}`)} />
    <div class="payloads">
      <${Payload} label="Input" text=${e.InputPayload} size=${t.inputSize} loadAll=${async () => (await payloads()).input} />
      <${Payload} label="Result" text=${e.Result} size=${t.resultSize} loadAll=${async () => (await payloads()).result} />
      <${ErrorView} error=${e.Error} label="Execution error" />
    </div>
    <h2>Timeline</h2>
    <${Timeline} timeline=${t} selected=${selected} onSelect=${(id) => setSelected(id === selected ? undefined : id)} />
    ${op && html`<${OperationDetails} key=${op.operation.Id} arn=${arn} o=${op} onChanged=${load} />`}
    <h2>History</h2>
    <${History} arn=${arn} version=${version} />
  </article>`;
}
