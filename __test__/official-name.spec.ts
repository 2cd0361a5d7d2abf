// The official package name resolves to durable-node with no configuration: in this vitest
// suite, and in the CLI for a handler file that lives outside the repository (no package.json,
// no node_modules, no tsconfig next to it), as TypeScript, ES module and CommonJS.

import { writeFileSync } from "node:fs";
import path from "node:path";

import { beforeAll, describe, expect, it } from "vitest";

import * as sdk from "@aws/durable-execution-sdk-js";
import { DurableEngine } from "../ts/index";
import { REPO_ROOT, lastJson, requireCurrentDist, runCli } from "./helpers/cli";
import { tempDirs } from "./helpers/temp";

const tempDir = tempDirs("durable-node-official-name-");

describe("in this repository's vitest suite", () => {
  it("@aws/durable-execution-sdk-js is durable-node's package root", () => {
    // DurableEngine is durable-node's own API; the official SDK has no such export.
    expect((sdk as Record<string, unknown>).DurableEngine).toBe(DurableEngine);
    expect(typeof sdk.withDurableExecution).toBe("function");
  });
});

describe("in the CLI, for a handler file outside the repository", () => {
  beforeAll(requireCurrentDist);

  it.each([
    [
      "handler.ts",
      `import * as sdk from "@aws/durable-execution-sdk-js";\nimport { withDurableExecution } from "@aws/durable-execution-sdk-js";\n` +
        `export const handler = withDurableExecution(async (event: { who: string }, ctx) => {\n` +
        `  const hello = await ctx.step("hello", async () => "hello " + event.who);\n  return { hello, engine: "DurableEngine" in sdk };\n});\n`,
    ],
    [
      "handler.mjs",
      `import * as sdk from "@aws/durable-execution-sdk-js";\nimport { withDurableExecution } from "@aws/durable-execution-sdk-js";\n` +
        `export const handler = withDurableExecution(async (event, ctx) => {\n` +
        `  const hello = await ctx.step("hello", async () => "hello " + event.who);\n  return { hello, engine: "DurableEngine" in sdk };\n});\n`,
    ],
    [
      "handler.cjs",
      `const sdk = require("@aws/durable-execution-sdk-js");\n` +
        `exports.handler = sdk.withDurableExecution(async (event, ctx) => {\n` +
        `  const hello = await ctx.step("hello", async () => "hello " + event.who);\n  return { hello, engine: "DurableEngine" in sdk };\n});\n`,
    ],
  ])("%s", async (file, source) => {
    const dir = tempDir();
    expect(path.relative(REPO_ROOT, dir).startsWith("..")).toBe(true);
    writeFileSync(path.join(dir, file), source);
    const result = await runCli(["run", file, "--input", '{"who":"world"}', "--skip-time", "--json"], { cwd: dir });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const record = lastJson(result.stdout);
    expect(record.Status).toBe("SUCCEEDED");
    expect(JSON.parse(record.Result)).toEqual({ hello: "hello world", engine: true });
  });
});
