// Callbacks: success, failure with data, heartbeats, timeouts and waitForCallback submitters.
import { retryPresets, withDurableExecution } from "@aws/durable-execution-sdk-js";

export const callbackActions = [
  { CallbackName: "ok", Operation: "success", Payload: { value: 1 } },
  { CallbackName: "fails", Operation: "failure", Payload: { ErrorType: "MyError", ErrorMessage: "it failed", ErrorData: "{\"x\":1}" } },
  // Only a heartbeat: the callback then times out on its heartbeat timeout.
  { CallbackName: "beats", Operation: "heartbeat", Delay: 3 },
  { CallbackName: "wfc", Operation: "success", Payload: "plain text" },
];

function describe(e: unknown) {
  const err = e as Error & Record<string, unknown>;
  return { name: err.name, message: err.message, constructor: err.constructor?.name, errorType: err.errorType, errorData: err.errorData, cause: (err.cause as Error)?.message };
}

export const handler = withDurableExecution(async (_event: unknown, context) => {
  const out: Record<string, unknown> = {};
  const [ok, okId] = await context.createCallback("ok");
  out.okIdType = typeof okId;
  out.ok = await ok;
  const [fails] = await context.createCallback("fails");
  try {
    await fails;
  } catch (e) {
    out.fails = describe(e);
  }
  const [beats] = await context.createCallback("beats", { heartbeatTimeout: { seconds: 5 }, timeout: { seconds: 60 } });
  try {
    await beats;
  } catch (e) {
    out.beats = describe(e);
  }
  out.wfc = await context.waitForCallback("wfc", async (id) => {
    if (typeof id !== "string") throw new Error("no id");
  });
  const [timesOut] = await context.createCallback("times-out", { timeout: { seconds: 2 } });
  try {
    await timesOut;
  } catch (e) {
    out.timesOut = describe(e);
  }
  try {
    await context.waitForCallback("submitter-throws", async () => {
      throw new Error("submitter failed");
    }, { retryStrategy: retryPresets.noRetry });
  } catch (e) {
    out.submitterThrows = describe(e);
  }
  return out;
});
