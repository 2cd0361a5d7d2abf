// Running one conformance requirement (shared/spec/CONFORMANCE.md §4 with local equivalents):
// in this process on a time-skipping engine, answering CallbackActions between invocations on
// the engine's virtual clock; or, for requirements that read the function's log lines or crash
// the process, through the CLI in child processes on a SQLite file.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { DurableEngine, InvocationFailedError, type ExecutionRecord, type InvocationInputWithClientClass } from "../../ts/engine/durable-engine";
import { functionNameFor, registerFunctions } from "../../ts/cli/load-handler";
import { CliProcess } from "../helpers/cli";
import { pythonJsonDumps, substitute, suiteRegex, interpolate, type Bindings } from "./matcher";
import type { CallbackAction, Requirement } from "./requirements";

export type HistoryEvent = Record<string, unknown>;

export interface Outcome {
  record: ExecutionRecord;
  history: HistoryEvent[];
  /** stdout lines of the function (child-process mode only). */
  logLines?: string[];
}

const TERMINAL = new Set(["SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED", "CANCELLED"]);
/** A handler that throws is retried by the engine, as Lambda retries a failed invocation. */
const MAX_INVOCATION_FAILURES = 10;

/** Requirements whose handler crashes the process (process.exit) or whose logs are asserted. */
export function needsChildProcess(req: Requirement): boolean {
  if (req.ExpectedLogs?.length) return true;
  return /process\.exit\(/.test(readFileSync(req.handlerFile, "utf8"));
}

export function inputOf(req: Requirement, bindings: Bindings): unknown {
  return substitute(req.Input ?? null, bindings) ?? null;
}

/**
 * The reference runner gives wait-for-callback children without a Name their parent's Name
 * (CONFORMANCE.md §4.2), and matches histories after doing so.
 */
export function withCallbackNames(events: HistoryEvent[]): HistoryEvent[] {
  const waitForCallbackNames = new Map<unknown, unknown>();
  for (const e of events) if (e.SubType === "WaitForCallback" && e.Name !== undefined) waitForCallbackNames.set(e.Id, e.Name);
  return events.map((e) => {
    const inherited = waitForCallbackNames.get(e.ParentId);
    const child = e.EventType === "CallbackStarted" || e.EventType === "StepStarted" || e.EventType === "StepSucceeded";
    return child && e.Name === undefined && inherited !== undefined ? { ...e, Name: inherited } : e;
  });
}

function actionMatches(action: CallbackAction, name: unknown, bindings: Bindings): boolean {
  const wanted = action.CallbackName;
  if (wanted === "*") return true;
  const regex = /^\$\{\/(.*)\/\}$/s.exec(wanted);
  if (regex) return suiteRegex(interpolate(regex[1], bindings)).test(String(name ?? ""));
  return interpolate(wanted, bindings) === name;
}

interface Scheduled {
  at: number;
  callbackId: string;
  action: CallbackAction;
}

/** CallbackActions on the virtual clock: each starts its Delay when its callback is seen. */
class CallbackActor {
  private readonly used = new Set<number>();
  private readonly handled = new Set<string>();
  /** Callbacks sent a heartbeat: a later action may complete them, none has to. */
  private readonly heartbeaten = new Set<string>();
  private readonly queued = new Map<string, Scheduled>();

  constructor(
    private readonly engine: DurableEngine,
    private readonly arn: string,
    private readonly actions: CallbackAction[],
    private readonly bindings: Bindings,
  ) {}

  /** Performs every action due before the engine's next timer; the rest wait for later. */
  act(): void {
    if (this.actions.length === 0) return;
    for (;;) {
      this.schedule();
      const next = [...this.queued.values()].sort((a, b) => a.at - b.at)[0];
      if (!next) return;
      const due = this.engine.native.nextDueTime({ arn: this.arn });
      if (due !== null && due < next.at) return;
      if (next.at > this.engine.now()) this.engine.native.advanceClockTo(next.at);
      this.queued.delete(next.callbackId);
      this.perform(next);
    }
  }

  private schedule(): void {
    for (const event of withCallbackNames(this.engine.history(this.arn))) {
      if (event.EventType !== "CallbackStarted") continue;
      const id = String((event.CallbackStartedDetails as { CallbackId: string }).CallbackId);
      if (this.handled.has(id) || this.queued.has(id)) continue;
      const index = this.actions.findIndex((a, i) => !this.used.has(i) && actionMatches(a, event.Name, this.bindings));
      if (index < 0) {
        if (this.heartbeaten.has(id)) continue;
        if (this.actions.some((a, i) => !this.used.has(i))) throw new Error(`no CallbackAction matches callback ${JSON.stringify(event.Name)} (${id})`);
        continue;
      }
      this.used.add(index);
      const action = this.actions[index];
      this.queued.set(id, { at: this.engine.now() + (action.Delay ?? 0) * 1000, callbackId: id, action });
    }
  }

  private perform({ callbackId, action }: Scheduled): void {
    const payload = action.Payload === undefined ? undefined : substitute(action.Payload, this.bindings);
    switch (action.Operation.toLowerCase()) {
      case "success":
        this.engine.sendCallbackSuccess(callbackId, payload === undefined ? undefined : pythonJsonDumps(payload));
        this.handled.add(callbackId);
        break;
      case "failure": {
        const p = (payload ?? {}) as Record<string, unknown>;
        this.engine.sendCallbackFailure(callbackId, {
          ErrorType: p.ErrorType as string | undefined,
          ErrorMessage: p.ErrorMessage as string | undefined,
          ErrorData: p.ErrorData as string | undefined,
          StackTrace: p.StackTrace as string[] | undefined,
        });
        this.handled.add(callbackId);
        break;
      }
      case "heartbeat":
        // A heartbeat does not consume the callback: a later action can complete it.
        this.heartbeaten.add(callbackId);
        this.engine.sendCallbackHeartbeat(callbackId);
        break;
      default:
        throw new Error(`unknown CallbackAction Operation ${action.Operation}`);
    }
  }
}

export interface InProcessOptions {
  /** For a handler built with another SDK (the official one, in the cross-check): the class its
   * invocations' inputs are made with (RegisterOptions.inputWithClient). */
  inputWithClient?: InvocationInputWithClientClass;
  /** With inputWithClient: which of the file's `functions` are that SDK's durable handlers (the
   * others are registered as plain functions). */
  isForeignDurable?: (fn: unknown) => boolean;
  /** A PostgreSQL database (a URL with a schema of its own) instead of an in-memory SQLite one. */
  url?: string;
}

/** Runs the requirement's handler in this process, time skipped by the engine's clock. */
export async function runInProcess(req: Requirement, bindings: Bindings, options: InProcessOptions = {}): Promise<Outcome> {
  const mod = (await import(pathToFileURL(req.handlerFile).href)) as Record<string, unknown>;
  const engine = DurableEngine.open({ skipTime: true, invocationRetryDelayMs: 1000, url: options.url });
  try {
    const fn = functionNameFor(req.handlerFile, "handler");
    engine.register(fn, mod.handler as never, { inputWithClient: options.inputWithClient });
    if (options.inputWithClient) {
      for (const [name, f] of Object.entries((mod.functions ?? {}) as Record<string, never>)) {
        if (options.isForeignDurable?.(f)) engine.register(name, f, { inputWithClient: options.inputWithClient });
        else engine.registerFunction(name, f);
      }
    } else {
      registerFunctions(engine, (mod.functions ?? {}) as never);
    }
    const { execution } = engine.start(fn, inputOf(req, bindings));
    const arn = execution.DurableExecutionArn;
    const actor = new CallbackActor(engine, arn, req.CallbackActions ?? [], bindings);
    let record: ExecutionRecord | undefined;
    for (let failures = 0; !record; ) {
      try {
        record = await engine.drive(arn, { afterInvocation: () => actor.act() });
      } catch (e) {
        if (!(e instanceof InvocationFailedError) || ++failures > MAX_INVOCATION_FAILURES) throw e;
        actor.act();
      }
    }
    return { record, history: engine.history(arn) };
  } finally {
    engine.close();
  }
}

async function cli(args: string[]): Promise<{ code: number | null; lines: string[]; stderr: string }> {
  const result = await new CliProcess(args).exited;
  return { code: result.code, lines: result.stdout.split("\n"), stderr: result.stderr };
}

function lastJson(lines: string[]): Record<string, unknown> | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i].trim();
    if (!line) continue;
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Runs the requirement with `durable-node run --skip-time` on a SQLite file (or the PostgreSQL
 * database `url` names), once: a handler that crashes its runtime process (process.exit) is
 * invoked again by the engine, as Lambda re-invokes after a crash, within the same command.
 * Then reads the history with `durable-node history --json`.
 */
export async function runInChildProcess(req: Requirement, bindings: Bindings, url?: string): Promise<Outcome> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `conformance-${req.id}-`));
  const db = url ?? path.join(dir, "durable.db");
  const name = `conformance-${req.id}`;
  const runArgs = ["run", req.handlerFile, "--input", JSON.stringify(inputOf(req, bindings)), "--name", name, "--db", db, "--skip-time", "--json"];
  try {
    const result = await cli(runArgs);
    const logLines = result.lines;
    if (result.code === 2) throw new Error(`durable-node run refused the requirement: ${result.stderr}`);
    const record = lastJson(result.lines);
    if (!TERMINAL.has(String(record?.Status))) throw new Error(`durable-node run exited ${result.code} without ending the execution: ${result.stderr}`);
    const history = lastJson((await cli(["history", name, "--db", db, "--json"])).lines) as { Events: HistoryEvent[] } | undefined;
    const final = lastJson((await cli(["get", name, "--db", db, "--json"])).lines);
    if (!history || !final) throw new Error(`could not read execution ${name} back from ${db}`);
    return { record: final as unknown as ExecutionRecord, history: history.Events, logLines };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
