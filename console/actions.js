// What a person can do from the console: answer a callback (success with a JSON payload,
// failure, heartbeat), stop an execution, start a new one, start one again with the same
// input. Payloads are typed in a JSON editor that validates as you type; nothing is sent
// while it does not parse.

import { h } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import htm from "htm";

import { act, enc } from "./api.js";

const html = htm.bind(h);
let ids = 0;

/** Where JSON.parse stopped, as "line L, column C" when the engine says where. */
function parseError(text) {
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    const at = /position (\d+)/.exec(e.message);
    if (!at) return e.message;
    const before = text.slice(0, Number(at[1])).split("\n");
    return `${e.message.replace(/ in JSON at position \d+.*$/, "")} at line ${before.length}, column ${before[before.length - 1].length + 1}`;
  }
}

/** A textarea for JSON: live validation, a message tied to it, and a Format button. */
export function JsonEditor({ label, value, onChange, optional }) {
  const [id] = useState(() => `json-${++ids}`);
  const error = optional && value.trim() === "" ? undefined : parseError(value);
  const format = () => !error && value.trim() !== "" && onChange(JSON.stringify(JSON.parse(value), null, 2));
  return html`<div class="json-editor">
    <label for=${id}>${label}</label>
    <textarea id=${id} rows="6" spellcheck="false" value=${value} aria-invalid=${error ? "true" : "false"} aria-describedby=${`${id}-msg`}
      onInput=${(e) => onChange(e.currentTarget.value)}></textarea>
    <div class="editor-foot">
      <span id=${`${id}-msg`} class=${error ? "error" : "ok"} role="status">${error ? `Invalid JSON: ${error}` : value.trim() === "" ? "Empty (no payload)" : "Valid JSON"}</span>
      <button type="button" onClick=${format} disabled=${!!error}>Format</button>
    </div>
  </div>`;
}

export const jsonValid = (text, optional) => (optional && text.trim() === "") || parseError(text) === undefined;

function useAction(onDone) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState(undefined);
  const run = async (path, body, done) => {
    setBusy(true);
    setMessage(undefined);
    try {
      const answer = await act(path, body);
      setMessage({ ok: true, text: done });
      onDone?.(answer);
    } catch (e) {
      setMessage({ ok: false, text: e.message });
    } finally {
      setBusy(false);
    }
  };
  const note = message && html`<p class=${message.ok ? "ok" : "error"} role=${message.ok ? "status" : "alert"}>${message.text}</p>`;
  return { busy, run, note };
}

/** The answers to a callback that is waiting. */
export function CallbackActions({ callbackId, onDone }) {
  const [payload, setPayload] = useState('"approved"');
  const [errorType, setErrorType] = useState("Rejected");
  const [errorMessage, setErrorMessage] = useState("");
  const { busy, run, note } = useAction(onDone);
  const path = (what) => `callbacks/${enc(callbackId)}/${what}`;
  return html`<fieldset class="callback-actions">
    <legend>Answer callback <code>${callbackId}</code></legend>
    <${JsonEditor} label="Result payload (JSON)" value=${payload} onChange=${setPayload} optional />
    <button type="button" class="primary" disabled=${busy || !jsonValid(payload, true)}
      onClick=${() => run(path("succeed"), payload.trim() === "" ? {} : { result: payload }, "Callback succeeded")}>Send success</button>
    <div class="row">
      <label>Error type <input value=${errorType} onInput=${(e) => setErrorType(e.currentTarget.value)} /></label>
      <label>Error message <input value=${errorMessage} onInput=${(e) => setErrorMessage(e.currentTarget.value)} /></label>
      <button type="button" disabled=${busy} onClick=${() => run(path("fail"), { ErrorType: errorType || undefined, ErrorMessage: errorMessage || undefined }, "Callback failed")}>Send failure</button>
      <button type="button" disabled=${busy} onClick=${() => run(path("heartbeat"), {}, "Heartbeat sent")}>Send heartbeat</button>
    </div>
    ${note}
  </fieldset>`;
}

/** Stop (while running or paused), pause or resume, and start again with the same input. */
export function ExecutionActions({ execution, onStarted }) {
  const { busy, run, note } = useAction();
  const arn = enc(execution.DurableExecutionArn);
  const stop = () => confirm(`Stop ${execution.DurableExecutionName}? Its running invocation fails at its next checkpoint.`) && run(`executions/${arn}/stop`, {}, "Stopped");
  return html`<div class="actions" role="group" aria-label="Execution actions">
    ${["RUNNING", "PAUSING", "PAUSED"].includes(execution.Status) && html`<button type="button" class="danger" disabled=${busy} onClick=${stop}>Stop</button>`}
    ${execution.Status === "RUNNING" && html`<button type="button" disabled=${busy} onClick=${() => run(`executions/${arn}/pause`, {}, "Paused: not invoked until resumed")}>Pause</button>`}
    ${["PAUSING", "PAUSED"].includes(execution.Status) && html`<button type="button" disabled=${busy} onClick=${() => run(`executions/${arn}/resume`, {}, "Resumed")}>Resume</button>`}
    <button type="button" disabled=${busy} onClick=${async () => {
      try {
        const { execution: started } = await act(`executions/${arn}/restart`);
        onStarted(started);
      } catch (e) {
        alert(e.message);
      }
    }}>Start again with the same input</button>
    ${note}
  </div>`;
}

/** A dialog to start a new execution of a function with an input. */
export function StartDialog({ functions, onClose }) {
  const ref = useRef(undefined);
  const [fn, setFn] = useState(functions[0] ?? "");
  const [name, setName] = useState("");
  const [input, setInput] = useState("{}");
  const { busy, run, note } = useAction((answer) => (location.hash = `#/executions/${enc(answer.execution.DurableExecutionArn)}`));
  useEffect(() => ref.current?.showModal(), []);
  return html`<dialog ref=${ref} aria-labelledby="start-title" onClose=${onClose}>
    <form method="dialog" onSubmit=${(e) => {
      e.preventDefault();
      run("start", { functionName: fn, name: name || undefined, input: input.trim() === "" ? undefined : input }, "Started");
    }}>
      <h2 id="start-title">Start an execution</h2>
      <label>Function <input required list="start-functions" value=${fn} onInput=${(e) => setFn(e.currentTarget.value)} /></label>
      <datalist id="start-functions">${functions.map((f) => html`<option value=${f} />`)}</datalist>
      <label>Name (optional; the same name and input attach to that execution) <input value=${name} pattern="[A-Za-z0-9_\\-]{1,64}" onInput=${(e) => setName(e.currentTarget.value)} /></label>
      <${JsonEditor} label="Input (JSON)" value=${input} onChange=${setInput} optional />
      ${note}
      <div class="row end">
        <button type="button" onClick=${() => ref.current?.close()}>Cancel</button>
        <button type="submit" class="primary" disabled=${busy || !fn || !jsonValid(input, true)}>Start</button>
      </div>
    </form>
  </dialog>`;
}
