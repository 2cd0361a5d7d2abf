// The Lambda Runtime API and the warm pool (ts/runtime-api) with real runtime processes: a
// small Node runtime (fixtures/runtime-api/runtime.mjs) runs the loop every Lambda runtime
// runs, over real HTTP on loopback. What Lambda specifies is checked here once for any language:
// the invocation headers, responses and errors, init errors, crashes (Runtime.ExitError),
// timeouts (Sandbox.Timedout), process reuse and the pool's size.

import path from "node:path";

import { afterEach, describe, expect, it } from "vitest";

import { RuntimePool } from "../ts/runtime-api/pool";
import { LambdaError, RuntimeInitError } from "../ts/runtime-api/sandbox";
import { REPO_ROOT } from "./helpers/cli";

const RUNTIME = path.join(REPO_ROOT, "__test__", "fixtures", "runtime-api", "runtime.mjs");
const pools: RuntimePool[] = [];

function pool(options: { size?: number; timeoutMs?: number; initTimeoutMs?: number; init?: string; onOutput?: (line: string) => void } = {}): RuntimePool {
  const p = new RuntimePool({
    functionName: "fake",
    onOutput: options.onOutput,
    size: options.size ?? 1,
    timeoutMs: options.timeoutMs ?? 10_000,
    initTimeoutMs: options.initTimeoutMs,
    runtime: () => ({
      command: process.execPath,
      args: [RUNTIME],
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, AWS_LAMBDA_FUNCTION_NAME: "fake", ...(options.init ? { FAKE_INIT: options.init } : {}) },
    }),
  });
  pools.push(p);
  return p;
}

let n = 0;
function invocation(event: unknown) {
  n++;
  return { requestId: `req-${n}`, event: JSON.stringify(event), functionArn: "arn:aws:lambda:us-east-1:000000000000:function:fake:$LATEST", traceId: `Root=1-00000000-${String(n).padStart(24, "0")};Sampled=0` };
}

async function json(p: RuntimePool, event: unknown): Promise<any> {
  const outcome = await p.invoke(invocation(event));
  if (outcome.kind !== "response") throw new Error(`expected a response, got ${JSON.stringify(outcome)}`);
  return JSON.parse(outcome.body.toString("utf8"));
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe("the Runtime API served to a runtime process", () => {
  it("hands the event with Lambda's headers and takes the response; the process is reused", async () => {
    const p = pool({ timeoutMs: 5000 });
    const before = Date.now();
    const first = await json(p, { do: "echo", n: 1 });
    expect(first.event).toEqual({ do: "echo", n: 1 });
    expect(first.headers["lambda-runtime-aws-request-id"]).toBe(`req-${n}`);
    expect(first.headers["lambda-runtime-invoked-function-arn"]).toBe("arn:aws:lambda:us-east-1:000000000000:function:fake:$LATEST");
    expect(first.headers["lambda-runtime-trace-id"]).toMatch(/^Root=1-/);
    const deadline = Number(first.headers["lambda-runtime-deadline-ms"]);
    expect(deadline).toBeGreaterThanOrEqual(before + 5000);
    expect(deadline).toBeLessThan(Date.now() + 5000 + 1000);
    expect(first.env.AWS_LAMBDA_FUNCTION_NAME).toBe("fake");
    const second = await json(p, { do: "echo", n: 2 });
    expect(second.pid).toBe(first.pid);
    expect(p.size).toBe(1);
  });

  it("refuses an answer for another invocation (400) and unknown resources (404)", async () => {
    const answer = await json(pool(), { do: "protocol" });
    expect(answer.other[0]).toBe(400);
    expect(answer.other[1].errorType).toBe("InvalidRequestID");
    expect(answer.unknown).toBe(404);
  });

  it("an error the runtime reports is the invocation's outcome; the process stays warm", async () => {
    const p = pool();
    const { pid } = await json(p, { do: "echo" });
    const outcome = await p.invoke(invocation({ do: "error" }));
    expect(outcome).toEqual({ kind: "error", report: { errorType: "MyError", errorMessage: "it went wrong", stackTrace: ["line 1", "line 2"] } });
    expect((await json(p, { do: "echo" })).pid).toBe(pid);
  });

  it("a process that exits or is killed mid-invocation: Runtime.ExitError; the next invocation gets a fresh process", async () => {
    const p = pool();
    const { pid } = await json(p, { do: "echo" });
    const exited = (await p.invoke(invocation({ do: "exit" })).catch((e: unknown) => e)) as LambdaError;
    expect(exited).toBeInstanceOf(LambdaError);
    expect(exited.errorType).toBe("Runtime.ExitError");
    expect(exited.message).toBe(`RequestId: req-${n} Error: Runtime exited with error: exit status 7`);
    const killed = (await p.invoke(invocation({ do: "kill" })).catch((e: unknown) => e)) as LambdaError;
    expect(killed.errorType).toBe("Runtime.ExitError");
    expect(killed.message).toMatch(/Runtime exited with error: signal: killed$/);
    const after = await json(p, { do: "echo" });
    expect(after.pid).not.toBe(pid);
    expect(alive(pid)).toBe(false);
  });

  it("an exit is seen at once even when a process the runtime started keeps its output open", async () => {
    const lines: string[] = [];
    const p = pool({ onOutput: (line) => lines.push(line) });
    await p.warm();
    const started = Date.now();
    const e = (await p.invoke(invocation({ do: "exit-leaving-child" })).catch((error: unknown) => error)) as LambdaError;
    const grandchild = Number(/grandchild (\d+)/.exec(lines.join("\n"))?.[1]);
    if (grandchild) process.kill(grandchild, "SIGKILL");
    expect(e.errorType).toBe("Runtime.ExitError");
    expect(e.message).toMatch(/exit status 9$/);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(grandchild).toBeGreaterThan(0);
  });

  it("past the function timeout: Sandbox.Timedout and the process is killed", async () => {
    const p = pool({ timeoutMs: 300 });
    const { pid } = await json(p, { do: "echo" });
    const started = Date.now();
    const e = (await p.invoke(invocation({ do: "hang" })).catch((error: unknown) => error)) as LambdaError;
    expect(e.errorType).toBe("Sandbox.Timedout");
    expect(e.message).toBe(`RequestId: req-${n} Error: Task timed out after 0.30 seconds`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(alive(pid)).toBe(false);
    expect(p.size).toBe(0);
  });

  it("grows to its size under concurrent invocations, no further, and keeps the processes warm", async () => {
    const p = pool({ size: 2 });
    const answers = await Promise.all([1, 2, 3, 4].map(() => json(p, { do: "slow", ms: 150 })));
    expect(new Set(answers.map((a) => a.pid)).size).toBe(2);
    expect(p.size).toBe(2);
    const again = await json(p, { do: "slow", ms: 1 });
    expect(answers.map((a) => a.pid)).toContain(again.pid);
  });

  it("close() stops every process", async () => {
    const p = pool({ size: 2 });
    await Promise.all([json(p, { do: "slow", ms: 50 }), json(p, { do: "slow", ms: 50 })]);
    const pids = p.pids;
    expect(pids).toHaveLength(2);
    await p.close();
    expect(pids.filter(alive)).toEqual([]);
    await expect(p.invoke(invocation({ do: "echo" }))).rejects.toThrow(/closed/);
  });
});

describe("initialisation", () => {
  it("an init error the runtime reports rejects warm() with its type and message", async () => {
    const e = (await pool({ init: "error" }).warm().catch((error: unknown) => error)) as RuntimeInitError;
    expect(e).toBeInstanceOf(RuntimeInitError);
    expect(e.errorType).toBe("Runtime.Custom");
    expect(e.message).toBe("cannot initialise");
    expect(e.stackTrace).toEqual(["at init"]);
  });

  it("a runtime that exits before its first request: Runtime.ExitError with what it wrote", async () => {
    const e = (await pool({ init: "exit" }).warm().catch((error: unknown) => error)) as RuntimeInitError;
    expect(e.errorType).toBe("Runtime.ExitError");
    expect(e.message).toBe("the runtime exited before its first request (exit status 3); it wrote: dying while initialising");
  });

  it("a runtime that never asks for work: Sandbox.Timedout after the init limit, killed", async () => {
    const p = pool({ init: "hang", initTimeoutMs: 500 });
    const e = (await p.warm().catch((error: unknown) => error)) as RuntimeInitError;
    expect(e.errorType).toBe("Sandbox.Timedout");
    expect(e.message).toMatch(/did not finish initialising within 500 ms/);
    expect(p.size).toBe(0);
  });

  it("a command that does not exist: Runtime.InvalidEntrypoint", async () => {
    const p = new RuntimePool({ functionName: "none", size: 1, timeoutMs: 1000, runtime: () => ({ command: "/nonexistent/runtime", args: [], cwd: REPO_ROOT, env: {} }) });
    pools.push(p);
    const e = (await p.warm().catch((error: unknown) => error)) as RuntimeInitError;
    expect(e.errorType).toBe("Runtime.InvalidEntrypoint");
    expect(e.message).toMatch(/cannot start the runtime \/nonexistent\/runtime: ENOENT/);
  });
});
