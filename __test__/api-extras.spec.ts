// The root exports added last (API.md §3.3, §10.5, §10.6, §12.6), by behaviour:
// * createFileSystemSerdes writes and reads real files in a temp dir, in both storage modes and
//   both path encodings, with the official package's envelopes and layout (checked against it),
//   and works as a context's default serdes across a replay on the engine;
// * buildPreview's include / exclude / mask rules, match modes and size cap (and the same output
//   as the official buildPreview on the same inputs);
// * refreshLogConfig re-reads DURABLE_VERBOSE_MODE.
// DurableExecutionApiClient, the default transport, is tested in api-extras-transport.spec.ts.

import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

import { describe, expect, it, vi } from "vitest";

import {
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
