// context.step (API.md §6.1): run a function once per attempt, checkpoint its result or error,
// retry through engine timers, and replay recorded outcomes without running the function.

import { clock } from "../clock-format";
import { DurablePromise } from "../durable-promise";
import { validDurationSeconds } from "../duration";
import {
  DurableOperationError,
  StepError,
  StepInterruptedError,
  UnrecoverableError,
  UnrecoverableExecutionError,
  errorObject,
} from "../errors";
import { bindLogger, type DurableContextLogger, type DurableLogger } from "../logger";
import { retryPresets, type RetryDecision } from "../retry";
import { pluginOperationName, type OperationCall } from "../plugins/session";
import type { AttemptInfo } from "../plugins/types";
import { deserializeOrFail, publisher, serializeOrFail, started, type Scope } from "../scope";
import type { Serdes } from "../serdes";
import { OperationStatus, StepSemantics, type OperationUpdate, type WireOperation } from "../types";

export interface StepContext<Logger extends DurableLogger = DurableLogger> {
  logger: DurableContextLogger<Logger>;
  attempt: number;
}

export type StepFunc<T, Logger extends DurableLogger = DurableLogger> = (context: StepContext<Logger>) => Promise<T>;

export interface StepConfig<T> {
  retryStrategy?: (error: Error, attemptCount: number) => RetryDecision;
  semantics?: StepSemantics;
  serdes?: Serdes<T>;
}

interface StepRequest {
  stepId: string;
  name: string | undefined;
  fn: StepFunc<unknown>;
  config: StepConfig<unknown>;
  subType: string;
}

export function parseStepArgs(args: unknown[]): { name: string | undefined; fn: StepFunc<unknown>; config: StepConfig<unknown> } {
  const named = typeof args[0] === "string" || args[0] === undefined;
  const [name, fn, config] = named ? args : [undefined, ...args];
  if (typeof fn !== "function") {
    throw new TypeError(`step requires a function${name ? ` (step "${name}")` : ""}, got ${typeof fn}`);
  }
  return { name: name as string | undefined, fn: fn as StepFunc<unknown>, config: (config ?? {}) as StepConfig<unknown> };
}

export function step(scope: Scope, args: unknown[]): DurablePromise<any> {
  const { name, fn, config } = parseStepArgs(args);
  const stepId = scope.nextStepId();
  return new DurablePromise(started(runStep(scope, { stepId, name, fn, config, subType: "Step" })));
}

async function runStep(scope: Scope, req: StepRequest): Promise<unknown> {
  const inv = scope.invocation;
  const { stepId, name, fn, config } = req;
  let checked;
  try {
    checked = inv.check(stepId, "STEP", req.subType, name);
  } catch (e) {
    return inv.fail(e);
  }
  const { id } = checked;
  const publish = publisher(scope, stepId, id, "STEP", req.subType, name);
  const serdes = config.serdes ?? scope.defaultSerdes;
  const semantics = config.semantics ?? StepSemantics.AtLeastOncePerRetry;
  const base: OperationUpdate = { Id: id, ParentId: scope.parentId, Name: name, Type: "STEP", SubType: req.subType, Action: "START" };

  if (checked.kind === "replay") {
    publish("replayed");
    return replayOutcome(scope, checked.operation!, serdes, stepId, name);
  }
  scope.enterExecutionMode();
  // Plugins (API.md §13.3): one operation start per invocation, replayed if a record existed.
  const plugins = inv.plugins;
  const call: OperationCall = { id, name: pluginOperationName(config, name), type: "STEP", subType: req.subType, parentId: scope.parentId };
  let announced = !!checked.operation;
  if (plugins && checked.operation) await plugins.operationStarted(call, true);

  for (;;) {
    let op = inv.get(id);
    if (op?.Status === OperationStatus.PENDING) {
      const due = op.StepDetails?.NextAttemptTimestamp;
      publish("waiting", due ? `retry due ${clock(due)}` : undefined);
      op = await inv.waitFor(id);
    }
    const attempt = (op?.StepDetails?.Attempt ?? 0) + 1;
    const resumingStarted = op?.Status === OperationStatus.STARTED;

    if (resumingStarted && semantics === StepSemantics.AtMostOncePerRetry) {
      // The previous attempt began and never reported: it may have had its effect already.
      await failOrRetry(scope, req, base, new StepInterruptedError(stepId, name), attempt, publish, call);
      continue;
    }
    if (!resumingStarted) {
      const start = inv.enqueue({ ...base, Action: "START" });
      if (semantics === StepSemantics.AtMostOncePerRetry) await start;
    }
    publish("started", attempt > 1 ? `attempt ${attempt}` : undefined);
    if (plugins && !announced) await plugins.operationStarted(call, attempt > 1);
    announced = true;

    const stepLogger = bindLogger(scope.baseLogger, () => ({ ...scope.logData(), operationId: id, operationName: name, attempt }), () => true);
    let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
    const tracked = plugins ? await plugins.attemptStarted(call, attempt) : undefined;
    try {
      const run = () => fn({ logger: stepLogger, attempt });
      outcome = { ok: true, value: await inv.executingWhile(() => (plugins && tracked ? plugins.runAttempt(tracked, run) : run())) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    if (outcome.ok) {
      const payload = await serializeOrFail(scope, serdes, outcome.value, stepId, name);
      await inv.enqueue({ ...base, Action: "SUCCEED", Payload: payload });
      publish("succeeded");
      if (plugins) await plugins.attemptEnded(call, tracked, { ok: true }, true);
      return deserializeOrFail(scope, serdes, payload, stepId, name);
    }
    if (outcome.error instanceof UnrecoverableError) return inv.fail(outcome.error);
    await failOrRetry(scope, req, base, outcome.error, attempt, publish, call, tracked);
  }
}

async function replayOutcome(scope: Scope, op: WireOperation, serdes: Serdes<unknown>, stepId: string, name: string | undefined): Promise<unknown> {
  if (op.Status === OperationStatus.SUCCEEDED) return deserializeOrFail(scope, serdes, op.StepDetails?.Result, stepId, name);
  const recorded = op.StepDetails?.Error;
  throw recorded ? DurableOperationError.fromErrorObject(recorded) : new StepError("Unknown error");
}

/** Asks the retry strategy; records FAIL and throws, or records RETRY and returns. */
async function failOrRetry(
  scope: Scope,
  req: StepRequest,
  base: OperationUpdate,
  error: unknown,
  attempt: number,
  publish: ReturnType<typeof publisher>,
  /** The step as plugins see it (built once by runStep). */
  call: OperationCall,
  /** The plugins' info of the attempt that failed (none when no function ran). */
  tracked?: AttemptInfo,
): Promise<void> {
  const inv = scope.invocation;
  const errObj = errorObject(error);
  const forStrategy = error instanceof Error ? error : new Error("Unknown Error");
  let decision: RetryDecision | undefined;
  let delaySeconds = 1;
  try {
    decision = (req.config.retryStrategy ?? retryPresets.default)(forStrategy, attempt) ?? retryPresets.default(forStrategy, attempt);
    delaySeconds = checkDecision(decision, req);
  } catch (e) {
    await inv.fail(e instanceof UnrecoverableError ? e : new UnrecoverableExecutionError(`retryStrategy of step "${req.name ?? req.stepId}" threw: ${(e as Error)?.message ?? e}`));
  }
  if (!decision!.shouldRetry) {
    await inv.enqueue({ ...base, Action: "FAIL", Error: errObj });
    publish("failed", errObj.ErrorMessage);
    if (inv.plugins) await inv.plugins.attemptEnded(call, tracked, { ok: false, error }, true);
    throw DurableOperationError.fromErrorObject(errObj);
  }
  await inv.enqueue({ ...base, Action: "RETRY", Error: errObj, StepOptions: { NextAttemptDelaySeconds: delaySeconds } });
  if (inv.plugins) await inv.plugins.attemptEnded(call, tracked, { ok: false, error }, false);
  publish("retrying", `attempt ${attempt} failed (${errObj.ErrorMessage}); next in ${delaySeconds}s`);
}

/** A strategy that answers nonsense ends the execution with an error that says what it got. */
function checkDecision(decision: unknown, req: StepRequest): number {
  const shown = (() => {
    try {
      return JSON.stringify(decision);
    } catch {
      return String(decision);
    }
  })();
  const where = `retryStrategy of step "${req.name ?? req.stepId}"`;
  if (!decision || typeof decision !== "object" || typeof (decision as RetryDecision).shouldRetry !== "boolean") {
    throw new UnrecoverableExecutionError(`${where} returned ${shown}: expected { shouldRetry: boolean, delay?: Duration }`);
  }
  const d = decision as RetryDecision;
  if (!d.shouldRetry || d.delay === undefined) return 1;
  try {
    return validDurationSeconds(d.delay, `delay returned by ${where}`);
  } catch (e) {
    throw new UnrecoverableExecutionError((e as Error).message);
  }
}
