// Checkpoint tokens over the HTTP API are capabilities: forged, replayed and swapped tokens are
// refused with InvalidParameterValueException, change nothing, and no refusal reveals a valid
// token. Two executions run as Lambda runs them (plain event, no injected client) and hold
// their invocations open while the test, as any other HTTP client would, tries their tokens.

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DurableEngine } from "../ts/engine/durable-engine";
import { DurableHttpServer } from "../ts/http/server";

interface Held {
  arn: string;
  token: string;
  release: () => void;
}

let engine: DurableEngine;
let server: DurableHttpServer;
let url: string;
const held = new Map<string, Held>();
const waiting = new Map<string, (h: Held) => void>();

beforeAll(async () => {
  engine = DurableEngine.open({ skipTime: true });
  // A handler that hands its invocation to the test and answers SUCCEEDED once released.
  engine.register(
    "holder",
    (async (event: { DurableExecutionArn: string; CheckpointToken: string; InitialExecutionState: { Operations: { ExecutionDetails?: { InputPayload?: string } }[] } }) => {
      const key = JSON.parse(event.InitialExecutionState.Operations[0].ExecutionDetails!.InputPayload!).key as string;
      await new Promise<void>((release) => {
        const h = { arn: event.DurableExecutionArn, token: event.CheckpointToken, release };
        held.set(key, h);
        waiting.get(key)?.(h);
      });
      return { Status: "SUCCEEDED", Result: JSON.stringify(`the handler's own result for ${key}`) };
    }) as never,
    { plainInput: true },
  );
  server = new DurableHttpServer(engine);
  url = await server.listen();
});

afterAll(async () => {
  await server?.close();
  engine?.close();
});

function hold(key: string): { held: Promise<Held>; done: Promise<{ Status: string; Result?: string }> } {
  const got = new Promise<Held>((resolve) => waiting.set(key, resolve));
  return { held: got, done: engine.run("holder", { key }, { name: key }) };
}

async function checkpoint(arn: string, token: string, updates: unknown[]): Promise<{ status: number; error: string | null; body: any; text: string }> {
  const res = await fetch(`${url}/2025-12-01/durable-executions/${encodeURIComponent(arn)}/checkpoint`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ CheckpointToken: token, Updates: updates }),
  });
  const text = await res.text();
  return { status: res.status, error: res.headers.get("x-amzn-errortype"), body: text ? JSON.parse(text) : undefined, text };
}

const stepStart = (id: string) => ({ Id: id, Type: "STEP", SubType: "Step", Action: "START", Name: id });
const forgedSuccess = { Id: "forged", Type: "EXECUTION", Action: "SUCCEED", Payload: JSON.stringify("forged result") };

describe("checkpoint tokens over HTTP", () => {
  it("refuses forged, replayed and swapped tokens, changes nothing, and never shows a valid token", async () => {
    const a = hold("exec-a");
    const b = hold("exec-b");
    const [ha, hb] = await Promise.all([a.held, b.held]);

    // The real token works and yields the next one.
    const first = await checkpoint(ha.arn, ha.token, [stepStart("1")]);
    expect(first.status, first.text).toBe(200);
    const current: string = first.body.CheckpointToken;
    expect(current).not.toBe(ha.token);
    const operationsBefore = engine.operations(ha.arn).length;
    const historyBefore = engine.history(ha.arn).length;

    const attempts: Array<[string, string, string]> = [
      ["a replayed (already used) token", ha.arn, ha.token],
      ["a token with its MAC changed", ha.arn, current.slice(0, -1) + (current.endsWith("0") ? "1" : "0")],
      ["a token whose sequence was moved forward", ha.arn, current.replace(/^(\d+)\.(\d+)\.(\d+)\./, (_m, e, n, s) => `${e}.${n}.${Number(s) + 1}.`)],
      ["the old guessable shape <row>.<invocation>.<sequence>", ha.arn, "1.1.1"],
      ["execution B's valid token on A", ha.arn, hb.token],
      ["execution A's valid token on B", hb.arn, current],
      ["an empty token", ha.arn, ""],
    ];
    for (const [what, arn, token] of attempts) {
      const refused = await checkpoint(arn, token, [forgedSuccess]);
      expect(refused.status, `${what}: ${refused.text}`).toBe(400);
      expect(refused.error, what).toBe("InvalidParameterValueException");
      // No refusal reveals a token that would work.
      for (const valid of [current, hb.token]) expect(refused.text, what).not.toContain(valid);
    }

    // Nothing changed: no record, no event, both still running, the valid tokens still valid.
    expect(engine.operations(ha.arn)).toHaveLength(operationsBefore);
    expect(engine.history(ha.arn)).toHaveLength(historyBefore);
    expect(engine.get(ha.arn).Status).toBe("RUNNING");
    expect(engine.get(hb.arn).Status).toBe("RUNNING");
    expect((await checkpoint(ha.arn, current, [])).status).toBe(200);
    expect((await checkpoint(hb.arn, hb.token, [])).status).toBe(200);

    ha.release();
    hb.release();
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(ra.Status).toBe("SUCCEEDED");
    expect(JSON.parse(ra.Result!)).toBe("the handler's own result for exec-a");
    expect(JSON.parse(rb.Result!)).toBe("the handler's own result for exec-b");
    expect(engine.history(ha.arn).some((e) => JSON.stringify(e).includes("forged result"))).toBe(false);
  });
});
