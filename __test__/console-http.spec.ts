// The console's server side over HTTP against a real worker and `durable-node console`: the
// guard (token cookie off loopback, cross-site actions refused, loopback Host check), the JSON
// reads and their bad-input errors, the list's live stream, and GET /metrics scraped before and
// after a known workload.

import http from "node:http";
import path from "node:path";

// @ts-expect-error no type declarations ship with this parser
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { CliProcess, lastJson, requireCurrentDist, runCli } from "./helpers/cli";
import { consoleWorker, startExecution } from "./helpers/console";
import { tempDirs } from "./helpers/temp";
import { eventually, type WorkerProcess } from "./helpers/worker";

const tempDir = tempDirs("durable-node-console-http-");

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw request (fetch would not let a test set Host or Origin freely). */
function request(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? "GET", headers: options.headers }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

const action = { "content-type": "application/json", "x-durable-console": "1" };

type Family = { name: string; metrics: { value?: string; labels?: Record<string, string>; buckets?: Record<string, string>; count?: string }[] };

async function scrape(url: string): Promise<(name: string, labels?: Record<string, string>) => number> {
  const families: Family[] = parsePrometheusTextFormat(await (await fetch(`${url}/metrics`)).text());
  return (name, labels = {}) => {
    const family = families.find((f) => f.name === name);
    if (!family) throw new Error(`no metric ${name}`);
    const m = family.metrics.find((x) => Object.entries(labels).every(([k, v]) => x.labels?.[k] === v));
    return m === undefined ? 0 : Number(m.value ?? m.count);
  };
}

describe("the console's HTTP side", () => {
  let worker: WorkerProcess;
  let db: string;
  beforeAll(async () => {
    requireCurrentDist();
    db = path.join(tempDir(), "console.db");
    worker = await consoleWorker(db);
  });
  afterAll(() => worker?.stop());

  it("counts a known workload in /metrics", async () => {
    const before = await scrape(worker.url);
    const chains = await Promise.all([1, 2, 3].map((n) => startExecution(db, "chain", { n })));
    const thrower = await startExecution(db, "throws", {});
    for (const arn of [...chains, thrower]) {
      await eventually(async () => ((await request(`${worker.url}/console/api/executions/${encodeURIComponent(arn)}`)).body.includes('"Status":"SUCCEEDED"') ? true : undefined), 30_000, arn);
    }
    const review = await startExecution(db, "review", {});
    await eventually(async () => ((await request(`${worker.url}/console/api/executions/${encodeURIComponent(review)}`)).body.includes('"Type":"CALLBACK"') ? true : undefined), 30_000, "the review's callback");
    const after = await scrape(worker.url);
    const delta = (name: string, labels?: Record<string, string>) => after(name, labels) - before(name, labels);
    // 3 chains + their 3 echo executions + the thrower; the review runs.
    expect(delta("durable_executions", { status: "SUCCEEDED" })).toBe(7);
    expect(after("durable_executions", { status: "RUNNING" })).toBe(1);
    // prepare ×3, after ×1, the review's fetch-documents (2nd attempt), 2 scans, the callback submitter.
    expect(delta("durable_steps_completed_total")).toBe(3 + 1 + 1 + 2 + 1);
    expect(delta("durable_invocation_failures_total", { error_type: "SerdesFailedError" })).toBe(1);
    expect(after("durable_pending_timers"), "the waiting callback's deadline").toBe(1);
    expect(after("durable_due_unclaimed_executions")).toBe(0);
    expect(after("durable_lease_takeovers_total")).toBe(0);
    expect(delta("durable_checkpoint_duration_seconds")).toBeGreaterThan(0);
    expect(delta("durable_checkpoint_duration_seconds")).toBeLessThanOrEqual(delta("durable_checkpoint_requests_total"));
  });

  it("serves pages and reads on loopback, refuses cross-site actions and foreign Host names", async () => {
    const page = await request(`${worker.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers["content-security-policy"]).toContain("script-src 'self' 'sha256-");
    expect(page.body).toContain('<script type="importmap">');
    expect((await request(`${worker.url}/assets/vendor/preact.mjs`)).status).toBe(200);
    const host = new URL(worker.url).host;
    expect((await request(`${worker.url}/`, { headers: { host: `evil.example:${new URL(worker.url).port}` } })).status, "DNS rebinding").toBe(403);
    const stop = (headers: Record<string, string>) => request(`${worker.url}/console/api/executions/nope/stop`, { method: "POST", headers, body: "{}" });
    expect((await stop({ "content-type": "application/json" })).status, "no console header").toBe(403);
    expect((await stop({ ...action, origin: "http://evil.example" })).status, "foreign Origin").toBe(403);
    expect((await stop({ ...action, "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await stop({ "x-durable-console": "1", "content-type": "text/plain" })).status, "a form's content type").toBe(415);
    const same = await stop({ ...action, origin: `http://${host}` });
    expect(same.status, "same origin reaches the engine").toBe(404);
    expect(JSON.parse(same.body).type).toBe("ResourceNotFoundException");
  });

  it("names the field, value and limit of bad input", async () => {
    const bad = async (query: string) => JSON.parse((await request(`${worker.url}/console/api/executions?${query}`)).body).error as string;
    expect(await bad("limit=5000")).toBe('limit must be an integer from 1 to 500, not "5000"');
    expect(await bad("status=DONE")).toContain('status "DONE" is not one of RUNNING');
    expect(await bad("marker=12")).toContain('Marker');
    expect(await bad("colour=red")).toContain("colour");
    const start = await request(`${worker.url}/console/api/start`, { method: "POST", headers: action, body: JSON.stringify({ functionName: "orders", input: "{nope" }) });
    expect(start.status).toBe(400);
    expect(JSON.parse(start.body).error).toMatch(/^input is not valid JSON/);
  });

  it("starts again with the same input, and answers a callback's heartbeat and failure", async () => {
    const api = `${worker.url}/console/api`;
    const started = JSON.parse((await request(`${api}/start`, { method: "POST", headers: action, body: JSON.stringify({ functionName: "review", name: "again-1", input: '{"documents":["a.pdf"]}' }) })).body);
    const arn = started.execution.DurableExecutionArn;
    const callbackId = await eventually(async () => {
      const t = JSON.parse((await request(`${api}/executions/${encodeURIComponent(arn)}`)).body);
      const cb = t.operations.find((o: any) => o.operation.Type === "CALLBACK" && o.operation.Status === "STARTED");
      return cb?.operation.CallbackDetails.CallbackId as string | undefined;
    }, 30_000, "the callback");
    const post = (what: string, body: unknown) => request(`${api}/callbacks/${encodeURIComponent(callbackId)}/${what}`, { method: "POST", headers: action, body: JSON.stringify(body) });
    expect((await post("heartbeat", {})).status).toBe(200);
    expect(JSON.parse((await post("fail", { ErrorType: "Rejected", Colour: "red" })).body).error).toContain("Colour");
    expect((await post("fail", { ErrorType: "Rejected", ErrorMessage: "not today" })).status).toBe(200);
    const failed = await eventually(async () => {
      const r = lastJson((await runCli(["get", arn, "--db", db, "--json"])).stdout);
      return r.Status === "RUNNING" ? undefined : r;
    }, 30_000, "the review's end");
    expect(failed.Status).toBe("FAILED");
    const again = JSON.parse((await request(`${api}/executions/${encodeURIComponent(arn)}/restart`, { method: "POST", headers: action, body: "{}" })).body);
    expect(again.created).toBe(true);
    expect(again.execution.DurableExecutionArn).not.toBe(arn);
    expect(again.execution.InputPayload).toBe('{"documents":["a.pdf"]}');
  });

  it("pauses and resumes an execution; a second pause is refused with 409", async () => {
    const api = `${worker.url}/console/api`;
    const started = JSON.parse((await request(`${api}/start`, { method: "POST", headers: action, body: JSON.stringify({ functionName: "review", name: "pause-1", input: '{"documents":["b.pdf"]}' }) })).body);
    const arn = encodeURIComponent(started.execution.DurableExecutionArn);
    await eventually(async () => {
      const t = JSON.parse((await request(`${api}/executions/${arn}`)).body);
      return t.operations.some((o: any) => o.operation.Type === "CALLBACK" && o.operation.Status === "STARTED") ? true : undefined;
    }, 30_000, "the callback");
    const post = (what: string, body: unknown = {}) => request(`${api}/executions/${arn}/${what}`, { method: "POST", headers: action, body: JSON.stringify(body) });
    const paused = await eventually(async () => {
      const r = await post("pause", { reason: "from the console" });
      return r.status === 200 ? JSON.parse(r.body) : undefined;
    }, 30_000, "the pause");
    expect(["PAUSING", "PAUSED"]).toContain(paused.execution.Status);
    const again = await post("pause");
    expect(again.status).toBe(409);
    expect(JSON.parse(again.body).error).toMatch(/cannot pause .* it is PAUS/);
    const resumed = await post("resume");
    expect(resumed.status).toBe(200);
    expect(JSON.parse(resumed.body).execution.Status).toBe("RUNNING");
    expect(JSON.parse((await post("resume")).body).error).toContain("it is RUNNING");
  });

  it("streams the rows that change to the list", async () => {
    const events: string[] = [];
    const controller = new AbortController();
    const res = await fetch(`${worker.url}/console/api/stream`, { signal: controller.signal });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    const arrived = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        events.push(value);
        if (events.join("").includes("stream-me")) return;
      }
    })();
    await startExecution(db, "chain", { n: 9 }, "stream-me");
    await arrived;
    controller.abort();
    expect(events.join("")).toMatch(/event: changes\ndata: .*"DurableExecutionName":"stream-me"/);
  });
});

describe("durable-node console", () => {
  it("serves the same pages over a database without a worker; off loopback only with the token", async () => {
    const db = path.join(tempDir(), "offline.db");
    expect((await runCli(["start", "orders", "--db", db, "--input", "{}", "--name", "offline-1"])).code).toBe(0);
    const refused = await runCli(["console", "--db", db, "--host", "0.0.0.0", "--port", "0"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--host 0.0.0.0 is not a loopback address: a token is required");
    const proc = new CliProcess(["console", "--db", db, "--port", "0", "--token", "s3cret"]);
    try {
      const url = /(http:\/\/\S+?)\/? /.exec(await proc.waitForLine(/console on http/))![1];
      expect((await request(`${url}/`)).status).toBe(401);
      expect((await request(`${url}/console/api/stream`)).status, "streams need the token too").toBe(401);
      const signIn = await request(`${url}/?token=s3cret`);
      expect(signIn.status).toBe(303);
      expect(signIn.headers.location).toBe("/");
      const cookie = String(signIn.headers["set-cookie"]).split(";")[0];
      expect(String(signIn.headers["set-cookie"])).toMatch(/HttpOnly; SameSite=Strict/i);
      expect((await request(`${url}/`, { headers: { cookie } })).status).toBe(200);
      const list = JSON.parse((await request(`${url}/console/api/executions`, { headers: { authorization: "Bearer s3cret" } })).body);
      expect(list.executions.map((e: { DurableExecutionName: string }) => e.DurableExecutionName)).toEqual(["offline-1"]);
      expect((await request(`${url}/2025-12-01/functions/orders/durable-executions`, { headers: { cookie } })).status, "no AWS API here").toBe(404);
      const stopped = await request(`${url}/console/api/executions/${encodeURIComponent(list.executions[0].DurableExecutionArn)}/stop`, { method: "POST", headers: { ...action, cookie }, body: "{}" });
      expect(stopped.status).toBe(200);
      expect(lastJson((await runCli(["get", "offline-1", "--db", db, "--json"])).stdout).Status).toBe("STOPPED");
    } finally {
      proc.child.kill("SIGTERM");
      await proc.exited;
    }
  });
});
