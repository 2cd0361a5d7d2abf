// context.wait (API.md §6.2): record a WAIT whose end the engine schedules; the invocation
// suspends and the engine invokes again when the timer fires.

import { DurablePromise } from "../durable-promise";
import { validDurationSeconds } from "../duration";
import { clock } from "../clock-format";
import { publisher, started, whenAwaited, type Scope } from "../scope";
import { OperationStatus, type Duration } from "../types";


export function wait(scope: Scope, args: unknown[]): DurablePromise<void> {
  const named = typeof args[0] === "string";
  const name = named ? (args[0] as string) : undefined;
  const duration = (named ? args[1] : args[0]) as Duration;
  const stepId = scope.nextStepId();
  return new DurablePromise(whenAwaited(scope, stepId, started(runWait(scope, stepId, name, duration))));
}

async function runWait(scope: Scope, stepId: string, name: string | undefined, duration: Duration): Promise<void> {
  const inv = scope.invocation;
  const seconds = validDurationSeconds(duration, `wait duration${name ? ` of "${name}"` : ""}`);
  let checked;
  try {
    checked = inv.check(stepId, "WAIT", "Wait", name);
  } catch (e) {
    return inv.fail(e);
  }
  const { id, operation } = checked;
  const publish = publisher(scope, stepId, id, "WAIT", "Wait", name);
  const plugins = inv.plugins;
  const call = { id, name, type: "WAIT", subType: "Wait", parentId: scope.parentId };
  if (checked.kind === "replay") {
    scope.replayedFinished();
    publish("replayed");
    if (plugins) await plugins.operationEndedOnReplay(call);
    return;
  }
  scope.enterExecutionMode();
  if (!operation) {
    await inv.enqueue({ Id: id, ParentId: scope.parentId, Name: name, Type: "WAIT", SubType: "Wait", Action: "START", WaitOptions: { WaitSeconds: seconds } });
    publish("started", `${seconds}s`);
  }
  if (plugins) await plugins.operationStarted(call, !!operation, "record");
  const due = inv.get(id)?.WaitDetails?.ScheduledEndTimestamp;
  publish("waiting", due ? `until ${clock(due)}` : undefined);
  await inv.waitFor(id, true);
  publish("succeeded");
  if (plugins) await plugins.operationEnded(call, false);
}
