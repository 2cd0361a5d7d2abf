// The root exports added last (API.md §3.3, §10.5, §10.6, §12.6), by behaviour:
// * createFileSystemSerdes writes and reads real files in a temp dir, in both storage modes and
//   both path encodings, with the official package's envelopes and layout (checked against it),
//   and works as a context's default serdes across a replay on the engine;
// * buildPreview's include / exclude / mask rules, match modes and size cap (and the same output
//   as the official buildPreview on the same inputs);
// * refreshLogConfig re-reads DURABLE_VERBOSE_MODE;
// * DurableExecutionApiClient, the default transport: durable-node handlers without an injected
//   client checkpoint and page state over the worker's HTTP API through @aws-sdk/client-lambda
//   (a recording proxy in front of the server keeps what the real AWS client sent), config
//   `client` / `durableExecutionClient` / both, errors logged and rethrown unchanged, and a
//   missing @aws-sdk/client-lambda reported by name.

import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import path from "node:path";

import { InvalidParameterValueException, LambdaClient } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import {
  DurableExecutionApiClient,
  DurableExecutionClientError,
  FieldMatchMode,
  FileSystemPathEncoding,
  FileSystemSerdesMode,
  PreviewMode,
  buildPreview,
  createFileSystemSerdes,
  refreshLogConfig,
  withDurableExecution,
  type PreviewConfig,
} from "@aws/durable-execution-sdk-js";
import { DurableEngine } from "../ts/engine/durable-engine";
import { DurableHttpServer } from "../ts/http/server";
import { verboseLog } from "../ts/verbose-log";
import { tempDirs } from "./helpers/temp";

const tempDir = tempDirs("durable-node-api-extras-");
/** The official package as Node resolves it (vitest's alias maps the name to durable-node). */
const official = createRequire(import.meta.url)("@aws/durable-execution-sdk-js") as typeof import("@aws/durable-execution-sdk-js");

const LAMBDA_ARN = "arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST/durable-execution/order-7/0f1e2d3c-aaaa-bbbb-cccc-111122223333";
const LOCAL_ARN = "local:exec/1";
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

describe("createFileSystemSerdes", () => {
  it("ALWAYS + URI: a Lambda ARN gives <function>/<execution>/<invocation>/<encoded entity id>.json; the checkpoint holds only the pointer", async () => {
    const base = tempDir();
    const serdes = createFileSystemSerdes(base);
    const value = { id: "o-1", lines: [1, 2, 3], note: "ü/ß" };
    const ctx = { entityId: "2-1/x", durableExecutionArn: LAMBDA_ARN };
    const envelope = await serdes.serialize(value, ctx);
    const file = path.join(base, "orders", "order-7", "0f1e2d3c-aaaa-bbbb-cccc-111122223333", "2-1%2Fx.json");
    expect(JSON.parse(envelope!)).toEqual({ file });
    expect(readFileSync(file, "utf8")).toBe(JSON.stringify(value));
    expect(await serdes.deserialize(envelope, ctx)).toEqual(value);
    // Another entity of the same execution lands next to it.
    await serdes.serialize("second", { entityId: "3", durableExecutionArn: LAMBDA_ARN });
    expect(readdirSync(path.dirname(file)).sort()).toEqual(["2-1%2Fx.json", "3.json"]);
  });

  it("ALWAYS + URI: any other ARN is one encodeURIComponent directory", async () => {
    const base = tempDir();
    const serdes = createFileSystemSerdes(base, { storageMode: FileSystemSerdesMode.ALWAYS, pathEncoding: FileSystemPathEncoding.URI });
    const envelope = await serdes.serialize([true, null], { entityId: "1", durableExecutionArn: LOCAL_ARN });
    const file = path.join(base, encodeURIComponent(LOCAL_ARN), "1.json");
    expect(JSON.parse(envelope!)).toEqual({ file });
    expect(readFileSync(file, "utf8")).toBe("[true,null]");
    expect(await serdes.deserialize(envelope, { entityId: "1", durableExecutionArn: LOCAL_ARN })).toEqual([true, null]);
  });

  it("HASH: SHA-256 hex names for the ARN (even a Lambda one) and the entity id", async () => {
    const base = tempDir();
    const serdes = createFileSystemSerdes(base, { pathEncoding: FileSystemPathEncoding.HASH });
    const ctx = { entityId: "a/very/../long:id", durableExecutionArn: LAMBDA_ARN };
    const envelope = await serdes.serialize({ n: 1 }, ctx);
    const file = path.join(base, sha(LAMBDA_ARN), `${sha(ctx.entityId)}.json`);
    expect(JSON.parse(envelope!)).toEqual({ file });
    expect(readdirSync(base)).toEqual([sha(LAMBDA_ARN)]);
    expect(await serdes.deserialize(envelope, ctx)).toEqual({ n: 1 });
  });

  it("OVERFLOW: inline {data} up to 261,120 bytes of envelope (nothing written), a file beyond", async () => {
    const base = tempDir();
    const serdes = createFileSystemSerdes(base, { storageMode: FileSystemSerdesMode.OVERFLOW, pathEncoding: FileSystemPathEncoding.HASH });
    const ctx = { entityId: "1", durableExecutionArn: LOCAL_ARN };
    const small = { a: "b" };
    const inline = await serdes.serialize(small, ctx);
    expect(JSON.parse(inline!)).toEqual({ data: JSON.stringify(small) });
    expect(readdirSync(base)).toEqual([]);
    expect(await serdes.deserialize(inline, ctx)).toEqual(small);

    // {"data":"\"xxx…\""}: 14 bytes around the string.
    const overhead = Buffer.byteLength(JSON.stringify({ data: JSON.stringify("") }));
    const limit = 256 * 1024 - 1024;
    const atLimit = "x".repeat(limit - overhead);
    const stillInline = await serdes.serialize(atLimit, ctx);
    expect(Buffer.byteLength(stillInline!)).toBe(limit);
    expect(JSON.parse(stillInline!)).toHaveProperty("data");
    expect(readdirSync(base)).toEqual([]);

    const over = await serdes.serialize(atLimit + "x", { entityId: "2", durableExecutionArn: LOCAL_ARN });
    const file = path.join(base, sha(LOCAL_ARN), `${sha("2")}.json`);
    expect(JSON.parse(over!)).toEqual({ file });
    expect(existsSync(file)).toBe(true);
    expect(await serdes.deserialize(over, ctx)).toBe(atLimit + "x");
  });

  it("generatePreview rides in the envelope next to the pointer (not when it returns undefined); undefined stays undefined", async () => {
    const base = tempDir();
    const generatePreview = vi.fn((value: unknown) =>
      buildPreview(value, { mode: PreviewMode.EXCLUDE_ALL, include: [{ name: "id" }], mask: [{ name: "email" }] }),
    );
    const serdes = createFileSystemSerdes(base, { generatePreview });
    const ctx = { entityId: "1", durableExecutionArn: LOCAL_ARN };
    const order = { id: "o-1", user: { email: "a@b.c", name: "A" }, total: 3 };
    const envelope = JSON.parse((await serdes.serialize(order, ctx))!);
    expect(envelope).toEqual({ file: path.join(base, encodeURIComponent(LOCAL_ARN), "1.json"), preview: { id: "o-1", user: { email: "***" } } });
    expect(await serdes.deserialize(JSON.stringify(envelope), ctx)).toEqual(order);
    expect(JSON.parse((await serdes.serialize(42, ctx))!)).toEqual({ file: path.join(base, encodeURIComponent(LOCAL_ARN), "1.json") });
    expect(generatePreview).toHaveBeenCalledTimes(2);

    // OVERFLOW calls it only for values that go to a file.
    const overflow = createFileSystemSerdes(base, { storageMode: FileSystemSerdesMode.OVERFLOW, generatePreview });
    await overflow.serialize(order, ctx);
    expect(generatePreview).toHaveBeenCalledTimes(2);

    expect(await serdes.serialize(undefined, ctx)).toBeUndefined();
    expect(await serdes.deserialize(undefined, ctx)).toBeUndefined();
  });

  it("writes the same envelopes and layout as the official createFileSystemSerdes, and each reads the other's", async () => {
    for (const storageMode of [FileSystemSerdesMode.ALWAYS, FileSystemSerdesMode.OVERFLOW]) {
      for (const pathEncoding of [FileSystemPathEncoding.URI, FileSystemPathEncoding.HASH]) {
        for (const arn of [LAMBDA_ARN, LOCAL_ARN]) {
          for (const value of [{ id: 1, email: "x@y" }, "text", 0, "y".repeat(300_000)]) {
            const [ours, theirs] = [tempDir(), tempDir()];
            const config = { storageMode, pathEncoding, generatePreview: (v: unknown) => buildPreview(v, { mode: PreviewMode.INCLUDE_ALL, mask: [{ name: "email" }] }) };
            const officialConfig = { ...config, storageMode: storageMode as string, pathEncoding: pathEncoding as string } as any;
            const ctx = { entityId: "4-2", durableExecutionArn: arn };
            const a = await createFileSystemSerdes(ours, config).serialize(value, ctx);
            const b = await official.createFileSystemSerdes(theirs, officialConfig).serialize(value, ctx);
            expect(a!.split(ours).join("<base>")).toBe(b!.split(theirs).join("<base>"));
            expect(await official.createFileSystemSerdes(theirs, officialConfig).deserialize(a, ctx)).toEqual(value);
            expect(await createFileSystemSerdes(ours, config).deserialize(b, ctx)).toEqual(value);
          }
        }
      }
    }
  });

  it("as a context's default serdes: step results live in files, the checkpoint has pointers, and a replay reads them back", async () => {
    const base = tempDir();
    const engine = DurableEngine.open({ skipTime: true });
    try {
      const seen: unknown[] = [];
      engine.register(
        "fs-orders",
        withDurableExecution(async (event: { id: string }, context) => {
          context.configureSerdes({ defaultSerdes: createFileSystemSerdes(base) });
          const order = await context.step("load", async () => ({ id: event.id, items: ["a", "b"] }));
          await context.wait({ seconds: 1 });
          seen.push(order);
          return { order, big: await context.step("big", async () => "z".repeat(1000)) };
        }),
      );
      const record = await engine.run("fs-orders", { id: "o-9" }, { name: "fs-1" });
      expect(record.Status).toBe("SUCCEEDED");
      expect(JSON.parse(record.Result!)).toEqual({ order: { id: "o-9", items: ["a", "b"] }, big: "z".repeat(1000) });
      expect(seen).toEqual([{ id: "o-9", items: ["a", "b"] }]); // after the wait: replayed, read from its file
      const steps = (engine.operations(record.DurableExecutionArn) as any[]).filter((o) => o.Type === "STEP");
      const dir = path.join(base, "fs-orders", "fs-1");
      for (const step of steps) {
        const { file } = JSON.parse(step.StepDetails.Result);
        expect(file.startsWith(dir + path.sep)).toBe(true);
        expect(existsSync(file)).toBe(true);
      }
      expect(steps.map((s) => JSON.parse(readFileSync(JSON.parse(s.StepDetails.Result).file, "utf8")))).toEqual([{ id: "o-9", items: ["a", "b"] }, "z".repeat(1000)]);
    } finally {
      engine.close();
    }
  });
});

describe("buildPreview", () => {
  const order = {
    id: "o-1",
    status: "pending",
    user: { id: "u-1", email: "a@b.c", address: { city: "Oslo", zip: "0150" } },
    items: [
      { sku: "s-1", qty: 1 },
      { sku: "s-2", qty: 2, price: 3 },
    ],
    card: { number: "4111", cvv: "123" },
  };

  it("EXCLUDE_ALL: only included fields (by name anywhere), masked ones as the mask string", () => {
    expect(buildPreview(order, { mode: PreviewMode.EXCLUDE_ALL, include: [{ name: "id" }, { name: "status" }], mask: [{ name: "email" }] })).toEqual({
      id: "o-1",
      status: "pending",
      user: { id: "u-1", email: "***" },
    });
    // Including an object shows its subtree (every path below has it as a segment).
    expect(buildPreview(order, { mode: PreviewMode.EXCLUDE_ALL, include: [{ name: "address" }] })).toEqual({ user: { address: { city: "Oslo", zip: "0150" } } });
  });

  it("PATH matches the whole dotted path only; ANYWHERE any one segment", () => {
    const config = (match: FieldMatchMode): PreviewConfig => ({ mode: PreviewMode.EXCLUDE_ALL, include: [{ name: "id", match }] });
    expect(buildPreview(order, config(FieldMatchMode.PATH))).toEqual({ id: "o-1" });
    expect(buildPreview(order, config(FieldMatchMode.ANYWHERE))).toEqual({ id: "o-1", user: { id: "u-1" } });
    expect(buildPreview(order, { mode: PreviewMode.EXCLUDE_ALL, include: [{ name: "user.address.city", match: FieldMatchMode.PATH }] })).toEqual({
      user: { address: { city: "Oslo" } },
    });
    // A PATH include of an object does not show its fields (their paths are longer).
    expect(buildPreview(order, { mode: PreviewMode.EXCLUDE_ALL, include: [{ name: "user", match: FieldMatchMode.PATH }] })).toBeUndefined();
    expect(buildPreview(order, { mode: PreviewMode.INCLUDE_ALL, exclude: [{ name: "id", match: FieldMatchMode.PATH }, { name: "items" }, { name: "card" }, { name: "user" }] })).toEqual({
      status: "pending",
    });
  });

  it("INCLUDE_ALL: exclude removes a subtree and wins over mask; a masked object becomes the mask string; arrays merge at their path", () => {
    expect(
      buildPreview(order, {
        mode: PreviewMode.INCLUDE_ALL,
        exclude: [{ name: "card" }, { name: "email" }],
        mask: [{ name: "email" }, { name: "address" }, { name: "cvv" }],
        maskString: "<hidden>",
      }),
    ).toEqual({
      id: "o-1",
      status: "pending",
      user: { id: "u-1", address: "<hidden>" },
      items: { sku: "s-2", qty: 2, price: 3 },
    });
  });

  it("skips dotted keys and __proto__ / constructor / prototype; later array elements overwrite earlier primitives", () => {
    const value = JSON.parse('{"a.b":1,"__proto__":{"x":1},"constructor":2,"prototype":3,"ok":true}');
    expect(buildPreview(value, { mode: PreviewMode.INCLUDE_ALL })).toEqual({ ok: true });
    expect(buildPreview([{ user: "arb" }, { user: { email: "x" } }], { mode: PreviewMode.INCLUDE_ALL })).toEqual({ user: { email: "x" } });
  });

  it("non-objects and empty results give undefined", () => {
    for (const v of [null, undefined, 1, "s", true]) expect(buildPreview(v, { mode: PreviewMode.INCLUDE_ALL })).toBeUndefined();
    expect(buildPreview({}, { mode: PreviewMode.INCLUDE_ALL })).toBeUndefined();
    expect(buildPreview({ a: { b: {} } }, { mode: PreviewMode.INCLUDE_ALL })).toBeUndefined();
    expect(buildPreview(order, { mode: PreviewMode.EXCLUDE_ALL })).toBeUndefined();
  });

  it("keeps fields in order while 2 + Σ bytes('\"path\":JSON(value),') stays within maxPreviewBytes (default 4096)", () => {
    const value = { a: "1234", b: "ü", c: 3 }; // "a":"1234", = 11 bytes; "b":"ü", = 9; "c":3, = 6
    expect(buildPreview(value, { mode: PreviewMode.INCLUDE_ALL, maxPreviewBytes: 2 + 11 + 9 })).toEqual({ a: "1234", b: "ü" });
    expect(buildPreview(value, { mode: PreviewMode.INCLUDE_ALL, maxPreviewBytes: 2 + 11 + 8 })).toEqual({ a: "1234" });
    expect(buildPreview(value, { mode: PreviewMode.INCLUDE_ALL, maxPreviewBytes: 12 })).toBeUndefined();
    // Stops at the first field that does not fit, even if a later one would.
    expect(buildPreview({ big: "x".repeat(50), c: 1 }, { mode: PreviewMode.INCLUDE_ALL, maxPreviewBytes: 20 })).toBeUndefined();
    const many = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i]));
    const preview = buildPreview(many, { mode: PreviewMode.INCLUDE_ALL })!;
    expect(JSON.stringify(preview).length).toBeLessThanOrEqual(4096);
    expect(Object.keys(preview).length).toBeGreaterThan(300);
  });

  it("gives the official buildPreview's output on the same inputs", () => {
    const values: unknown[] = [order, [order, { id: 2, user: "x" }], { deep: { deeper: { deepest: [1, { id: "x" }] } }, id: null }, { a: [1, 2, 3] }];
    const configs: PreviewConfig[] = [
      { mode: PreviewMode.INCLUDE_ALL },
      { mode: PreviewMode.EXCLUDE_ALL, include: [{ name: "id" }, { name: "sku" }] },
      { mode: PreviewMode.INCLUDE_ALL, exclude: [{ name: "user" }], mask: [{ name: "qty" }] },
      { mode: PreviewMode.EXCLUDE_ALL, include: [{ name: "deep.deeper", match: FieldMatchMode.PATH }, { name: "deepest" }], mask: [{ name: "id", match: FieldMatchMode.PATH }] },
      { mode: PreviewMode.INCLUDE_ALL, maxPreviewBytes: 60, maskString: "#" , mask: [{ name: "status" }] },
    ];
    for (const value of values) {
      for (const config of configs) {
        expect(buildPreview(value, config)).toEqual(official.buildPreview(value, config as any));
      }
    }
  });
});

describe("refreshLogConfig", () => {
  it("re-reads DURABLE_VERBOSE_MODE: SDK tracing goes to console.debug only while it is \"true\"", async () => {
    const saved = process.env.DURABLE_VERBOSE_MODE;
    const debug = vi.spyOn(console, "debug").mockImplementation(() => undefined);
    try {
      delete process.env.DURABLE_VERBOSE_MODE;
      refreshLogConfig();
      verboseLog("quiet");
      process.env.DURABLE_VERBOSE_MODE = "true";
      verboseLog("still quiet: the flag is cached"); // until refreshed
      expect(debug).not.toHaveBeenCalled();

      refreshLogConfig();
      const thunk = vi.fn(() => ({ n: 1 }));
      verboseLog("traced", thunk);
      expect(debug).toHaveBeenCalledWith("traced", JSON.stringify({ n: 1 }, null, 2));
      expect(thunk).toHaveBeenCalledTimes(1);

      // An invocation traces its start and outcome.
      const engine = DurableEngine.open({ skipTime: true });
      try {
        engine.register("verbose", withDurableExecution(async () => "done"));
        expect((await engine.run("verbose", {})).Status).toBe("SUCCEEDED");
      } finally {
        engine.close();
      }
      const messages = debug.mock.calls.map((c) => c[0]);
      expect(messages).toContain("Invocation starts");
      expect(messages).toContain("Invocation ends");
      expect(debug.mock.calls.find((c) => c[0] === "Invocation ends")![1]).toContain('"Status": "SUCCEEDED"');

      debug.mockClear();
      process.env.DURABLE_VERBOSE_MODE = "1"; // only "true" enables it
      refreshLogConfig();
      const lazy = vi.fn(() => "never built");
      verboseLog("quiet again", lazy);
      expect(debug).not.toHaveBeenCalled();
      expect(lazy).not.toHaveBeenCalled();
    } finally {
      if (saved === undefined) delete process.env.DURABLE_VERBOSE_MODE;
      else process.env.DURABLE_VERBOSE_MODE = saved;
      refreshLogConfig();
      debug.mockRestore();
    }
  });

  it("the flag is read once at module load", async () => {
    const saved = process.env.DURABLE_VERBOSE_MODE;
    process.env.DURABLE_VERBOSE_MODE = "true";
    try {
      vi.resetModules();
      const fresh = await import("../ts/verbose-log");
      expect(fresh.isVerbose()).toBe(true);
      delete process.env.DURABLE_VERBOSE_MODE;
      expect(fresh.isVerbose()).toBe(true);
      fresh.refreshLogConfig();
      expect(fresh.isVerbose()).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.DURABLE_VERBOSE_MODE;
      else process.env.DURABLE_VERBOSE_MODE = saved;
      vi.resetModules();
    }
  });
});

interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
type Responder = (req: Recorded, res: http.ServerResponse) => void;

/** A node:http proxy in front of the worker's HTTP API that records every request; `respond` answers instead of the worker. */
class RecordingProxy {
  readonly requests: Recorded[] = [];
  respond: Responder | undefined;
  private readonly server: http.Server;

  constructor(private readonly target: URL) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        const recorded = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: body.toString("utf8") };
        this.requests.push(recorded);
        if (this.respond) return this.respond(recorded, res);
        const forward = http.request(
          { host: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers: req.headers },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        forward.on("error", (e) => res.destroy(e));
        forward.end(body);
      });
    });
  }

  listen(): Promise<string> {
    return new Promise((resolve) => this.server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(this.server.address() as AddressInfo).port}`)));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  take(): Recorded[] {
    return this.requests.splice(0);
  }
}

const credentials = { accessKeyId: "local", secretAccessKey: "local" };
/** What the default LambdaClient reads from the environment (AWS_ENDPOINT_URL_LAMBDA is set per test run). */
const AWS_ENV: Record<string, string | undefined> = {
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_ENDPOINT_URL: undefined,
  AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: undefined,
};

/** Three steps around a wait: the resumed invocation's input is paged (pageSize 2), so it calls GetDurableExecutionState. */
const steps = async (event: { id: string }, context: any) => {
  const a = await context.step("a", async () => `${event.id}-a`);
  const b = await context.step("b", async () => `${event.id}-b`);
  await context.wait({ seconds: 1 });
  const c = await context.step("c", async () => `${event.id}-c`);
  return [a, b, c];
};

const isCheckpoint = (r: Recorded) => r.method === "POST" && /^\/2025-12-01\/durable-executions\/[^/]+\/checkpoint$/.test(r.url);
const isState = (r: Recorded) => r.method === "GET" && /^\/2025-12-01\/durable-executions\/[^/]+\/state\?/.test(r.url);
const userAgent = (r: Recorded) => `${r.headers["user-agent"] ?? ""} ${r.headers["x-amz-user-agent"] ?? ""}`;

describe("DurableExecutionApiClient: the default transport over @aws-sdk/client-lambda", () => {
  let engine: DurableEngine;
  let server: DurableHttpServer;
  let proxy: RecordingProxy;
  let url: string;
  const savedEnv: Record<string, string | undefined> = {};

  beforeAll(async () => {
    engine = DurableEngine.open({ skipTime: true, pageSize: 2 });
    server = new DurableHttpServer(engine);
    proxy = new RecordingProxy(new URL(await server.listen()));
    url = await proxy.listen();
    for (const [key, value] of Object.entries({ ...AWS_ENV, AWS_ENDPOINT_URL_LAMBDA: url })) {
      savedEnv[key] = process.env[key];
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  afterAll(async () => {
    for (const [key, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await proxy?.close();
    await server?.close();
    engine?.close();
  });

  it("a handler given no transport checkpoints and pages state over the worker's HTTP API with the SDK's own LambdaClient", async () => {
    proxy.take();
    engine.register("default-transport", withDurableExecution(steps), { plainInput: true });
    const record = await engine.run("default-transport", { id: "d" }, { name: "default-1" });
    expect(record.Status).toBe("SUCCEEDED");
    expect(JSON.parse(record.Result!)).toEqual(["d-a", "d-b", "d-c"]);
    const requests = proxy.take();
    const arn = encodeURIComponent(record.DurableExecutionArn);
    expect(requests.every((r) => r.url.startsWith(`/2025-12-01/durable-executions/${arn}/`))).toBe(true);
    expect(requests.filter(isCheckpoint).length).toBeGreaterThanOrEqual(3);
    // The resumed invocation got EXECUTION and "a" inline and fetched the rest.
    const state = requests.filter(isState);
    expect(state).toHaveLength(1);
    expect(Object.fromEntries(new URL(state[0].url, url).searchParams)).toEqual({ CheckpointToken: expect.any(String), Marker: "2", MaxItems: "1000" });
    // SigV4-signed by the real client, with the SDK's user agent and its updates as JSON.
    for (const r of requests) {
      expect(r.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=local\//);
      expect(userAgent(r)).toContain("aws-durable-execution-sdk-js/2.4.0");
    }
    const first = JSON.parse(requests.find(isCheckpoint)!.body);
    expect(first).toEqual({
      CheckpointToken: expect.any(String),
      ClientToken: expect.any(String), // the AWS client fills in the idempotency token
      Updates: expect.arrayContaining([expect.objectContaining({ Type: "STEP", Name: "a", Action: "SUCCEED", Payload: '"d-a"' })]),
    });
    expect((engine.history("default-1") as any[]).filter((e) => e.EventType === "StepSucceeded").map((e) => e.Name)).toEqual(["a", "b", "c"]);
  });

  it("config `client` (a LambdaClient) and `durableExecutionClient: new DurableExecutionApiClient(client)` use that client", async () => {
    const lambda = new LambdaClient({ endpoint: url, region: "us-east-1", credentials, maxAttempts: 1, customUserAgent: "my-app/7" });
    const send = vi.spyOn(lambda, "send");
    for (const [name, config] of [
      ["with-client", { client: lambda }],
      ["with-api-client", { durableExecutionClient: new DurableExecutionApiClient(lambda) }],
    ] as const) {
      proxy.take();
      send.mockClear();
      engine.register(name, withDurableExecution(steps, config), { plainInput: true });
      const record = await engine.run(name, { id: name });
      expect(record.Status).toBe("SUCCEEDED");
      expect(JSON.parse(record.Result!)).toEqual([`${name}-a`, `${name}-b`, `${name}-c`]);
      const requests = proxy.take();
      expect(send).toHaveBeenCalledTimes(requests.length);
      expect(send.mock.calls.map(([command]) => command.constructor.name).sort()).toEqual(
        requests.map((r) => (isState(r) ? "GetDurableExecutionStateCommand" : "CheckpointDurableExecutionCommand")).sort(),
      );
      // An injected client is used as configured: its user agent, not the SDK's default client's.
      for (const r of requests) {
        expect(userAgent(r)).toContain("my-app/7");
        expect(userAgent(r)).not.toContain("aws-durable-execution-sdk-js");
      }
    }
  });

  it("`client` and `durableExecutionClient` together: every invocation returns FAILED, nothing is sent and the handler does not run", async () => {
    const handlerBody = vi.fn(async () => "never");
    const transport = { getExecutionState: vi.fn(), checkpoint: vi.fn() };
    const handler = withDurableExecution(handlerBody, { client: new LambdaClient({ endpoint: url, region: "us-east-1", credentials }), durableExecutionClient: transport });
    proxy.take();
    const event = { DurableExecutionArn: LAMBDA_ARN, CheckpointToken: "t", InitialExecutionState: { Operations: [] } };
    for (let i = 0; i < 2; i++) {
      const output = (await handler(event, {} as any)) as any;
      expect(output.Status).toBe("FAILED");
      expect(output.Error.ErrorType).toBe("Error");
      expect(output.Error.ErrorMessage).toMatch(/Both `client` and `durableExecutionClient`.*new DurableExecutionApiClient\(lambdaClient\)/s);
    }
    expect(handlerBody).not.toHaveBeenCalled();
    expect(transport.getExecutionState).not.toHaveBeenCalled();
    expect(transport.checkpoint).not.toHaveBeenCalled();
    expect(proxy.take()).toEqual([]);
  });

  it("an event carrying its own client (durable-node's engine, the testing runner) overrides config `client`", async () => {
    const unreachable = new LambdaClient({ endpoint: "http://127.0.0.1:9", region: "us-east-1", credentials, maxAttempts: 1 });
    const send = vi.spyOn(unreachable, "send");
    engine.register("injected", withDurableExecution(steps, { client: unreachable }));
    const record = await engine.run("injected", { id: "i" });
    expect(record.Status).toBe("SUCCEEDED");
    expect(send).not.toHaveBeenCalled();
  });

  it("direct calls send the request fields; failures are logged to the given logger and rethrown unchanged", async () => {
    const client = new DurableExecutionApiClient(); // the shared default client (AWS_ENDPOINT_URL_LAMBDA → the proxy)
    proxy.take();
    proxy.respond = (req, res) => {
      if (isState(req)) {
        res.writeHead(200, { "content-type": "application/json", "x-amzn-requestid": "req-ok" });
        res.end(JSON.stringify({ Operations: [{ Id: "x", Type: "STEP", Status: "SUCCEEDED", StartTimestamp: 1_700_000_000 }], NextMarker: "m2" }));
        return;
      }
      res.writeHead(400, { "content-type": "application/json", "x-amzn-requestid": "req-400", "x-amzn-errortype": "InvalidParameterValueException" });
      res.end(JSON.stringify({ Type: "User", message: "Invalid Checkpoint Token: used" }));
    };
    try {
      const page = await client.getExecutionState({ DurableExecutionArn: LAMBDA_ARN, CheckpointToken: "tok/1", Marker: "m1", MaxItems: 5 });
      expect(page.NextMarker).toBe("m2");
      expect(page.Operations![0]).toMatchObject({ Id: "x", Status: "SUCCEEDED" });
      expect(page.Operations![0].StartTimestamp).toEqual(new Date(1_700_000_000_000));

      const logger = { error: vi.fn(), warn: vi.fn(), info: vi.fn(), debug: vi.fn() };
      const updates = [{ Id: "s", Type: "STEP" as const, Action: "SUCCEED" as const, SubType: "Step", Payload: '"v"' }];
      const error = await client.checkpoint({ DurableExecutionArn: LAMBDA_ARN, CheckpointToken: "tok/2", ClientToken: "ct-1", Updates: updates }, logger).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidParameterValueException);
      expect((error as Error).message).toBe("Invalid Checkpoint Token: used");
      expect(logger.error).toHaveBeenCalledWith("Failed to checkpoint durable execution", error, { requestId: "req-400" });

      proxy.respond = (_req, res) => {
        res.writeHead(400, { "content-type": "application/json", "x-amzn-requestid": "req-401", "x-amzn-errortype": "InvalidParameterValueException" });
        res.end(JSON.stringify({ message: "bad marker" }));
      };
      const stateError = await client.getExecutionState({ DurableExecutionArn: LAMBDA_ARN, CheckpointToken: "tok/3" }, logger).catch((e: unknown) => e);
      expect(stateError).toBeInstanceOf(InvalidParameterValueException);
      expect(logger.error).toHaveBeenLastCalledWith("Failed to get durable execution state", stateError, { requestId: "req-401" });

      const [state, checkpoint] = proxy.take();
      expect(state.url).toBe(`/2025-12-01/durable-executions/${encodeURIComponent(LAMBDA_ARN)}/state?CheckpointToken=tok%2F1&Marker=m1&MaxItems=5`);
      expect(checkpoint.url).toBe(`/2025-12-01/durable-executions/${encodeURIComponent(LAMBDA_ARN)}/checkpoint`);
      expect(JSON.parse(checkpoint.body)).toEqual({ CheckpointToken: "tok/2", ClientToken: "ct-1", Updates: updates });
    } finally {
      proxy.respond = undefined;
    }
  });
  it("reading the state at start: a KMS refusal or an EXECUTION-scoped client error fails the execution, anything else is thrown (retried)", async () => {
    const event = {
      DurableExecutionArn: LAMBDA_ARN,
      CheckpointToken: "t",
      InitialExecutionState: { Operations: [{ Id: "e", Type: "EXECUTION", Status: "STARTED", ExecutionDetails: { InputPayload: "{}" } }], NextMarker: "1" },
    };
    const body = vi.fn(async () => "ran");
    const answer = (status: number, type: string) => (_req: Recorded, res: http.ServerResponse) => {
      res.writeHead(status, { "content-type": "application/json", "x-amzn-errortype": type, "x-amzn-requestid": "r" });
      res.end(JSON.stringify({ message: `${type} says no` }));
    };
    const lambda = new LambdaClient({ endpoint: url, region: "us-east-1", credentials, maxAttempts: 1 });
    try {
      proxy.respond = answer(400, "KMSAccessDeniedException");
      const kms = (await withDurableExecution(body, { client: lambda })(event as any, {} as any)) as any;
      expect(kms).toEqual({ Status: "FAILED", Error: expect.objectContaining({ ErrorType: "KMSAccessDeniedException", ErrorMessage: "KMSAccessDeniedException says no" }) });

      proxy.respond = answer(500, "ServiceException");
      await expect(withDurableExecution(body, { client: lambda })(event as any, {} as any)).rejects.toMatchObject({ name: "ServiceException" });
    } finally {
      proxy.respond = undefined;
    }
    const scoped = (scope: "EXECUTION" | "INVOCATION") => ({
      getExecutionState: async () => {
        throw new DurableExecutionClientError(`${scope} trouble`, { scope });
      },
      checkpoint: async () => ({}),
    });
    const failed = (await withDurableExecution(body, { durableExecutionClient: scoped("EXECUTION") })(event as any, {} as any)) as any;
    expect(failed).toEqual({ Status: "FAILED", Error: expect.objectContaining({ ErrorMessage: "EXECUTION trouble" }) });
    await expect(withDurableExecution(body, { durableExecutionClient: scoped("INVOCATION") })(event as any, {} as any)).rejects.toThrow("INVOCATION trouble");
    expect(body).not.toHaveBeenCalled();
  });
});

describe("DurableExecutionApiClient without @aws-sdk/client-lambda installed", () => {
  it("the invocation throws an error naming the package before the handler runs; a later install is picked up", async () => {
    vi.resetModules();
    const fresh = (await import("../ts/runtime/api-client")) as typeof import("../ts/runtime/api-client");
    const { withDurableExecution: freshWith } = (await import("../ts/with-durable-execution")) as typeof import("../ts/with-durable-execution");
    const realLoad = fresh.lambdaModuleLoader.load;
    const missing = Object.assign(new Error("Cannot find package '@aws-sdk/client-lambda' imported from /app/dist/runtime/api-client.js"), { code: "ERR_MODULE_NOT_FOUND" });
    fresh.lambdaModuleLoader.load = vi.fn(async () => {
      throw missing;
    });
    try {
      const body = vi.fn(async () => "ran");
      const handler = freshWith(body);
      const event = { DurableExecutionArn: LAMBDA_ARN, CheckpointToken: "t", InitialExecutionState: { Operations: [{ Id: "e", Type: "EXECUTION", Status: "STARTED", ExecutionDetails: { InputPayload: "{}" } }] } };
      const error = (await handler(event as any, {} as any).catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(Error);
      expect(error.message).toMatch(/needs the package "@aws-sdk\/client-lambda", which is not installed/);
      expect(error.message).toMatch(/npm install @aws-sdk\/client-lambda/);
      expect(error.message).toMatch(/durableExecutionClient/);
      expect(error.cause).toBe(missing);
      expect(body).not.toHaveBeenCalled();

      // Direct use reports it from the call, not the constructor.
      const client = new fresh.DurableExecutionApiClient();
      await expect(client.checkpoint({ DurableExecutionArn: LAMBDA_ARN, CheckpointToken: "t" })).rejects.toThrow(/"@aws-sdk\/client-lambda"/);

      // Other load failures pass through as they are; failures are not memoized.
      const broken = new SyntaxError("Unexpected token");
      fresh.lambdaModuleLoader.load = vi.fn(async () => {
        throw broken;
      });
      await expect(fresh.loadLambdaModule()).rejects.toBe(broken);
      fresh.lambdaModuleLoader.load = realLoad;
      const module = await fresh.loadLambdaModule();
      expect(typeof module.CheckpointDurableExecutionCommand).toBe("function");
    } finally {
      fresh.lambdaModuleLoader.load = realLoad;
      vi.resetModules();
    }
  });
});
