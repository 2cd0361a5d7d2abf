// Installing durable-node the way a user would: `npm pack` of this repository, then a fresh
// project that depends on "@aws/durable-execution-sdk-js": "file:<tarball>" runs a TypeScript
// handler with `npx durable-node run` and uses DurableEngine from plain CommonJS and ESM scripts.

import { execFile } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

import { beforeAll, describe, expect, it } from "vitest";

import { REPO_ROOT, childEnv, lastJson, requireCurrentDist } from "./helpers/cli";
import { tempDirs } from "./helpers/temp";

const run = promisify(execFile);
const tempDir = tempDirs("durable-node-alias-");
const SETUP_TIMEOUT = 300_000;

let tarball: string;
let entries: string[];
let project: string;

/** Runs a command in `cwd`; on failure the error carries its output. */
async function sh(cwd: string, command: string, args: string[], timeout = 120_000): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(command, args, { cwd, env: childEnv(), timeout, maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    const err = e as Error & { stdout?: string; stderr?: string; code?: unknown };
    throw new Error(`${command} ${args.join(" ")} failed in ${cwd} (exit ${err.code}): ${err.message}\nstdout:\n${err.stdout}\nstderr:\n${err.stderr}`);
  }
}

beforeAll(async () => {
  requireCurrentDist();
  const packDir = tempDir();
  const packed = await sh(REPO_ROOT, "npm", ["pack", "--ignore-scripts", "--pack-destination", packDir, "--json"]);
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string }>;
  tarball = path.join(packDir, info.filename);
  entries = (await sh(packDir, "tar", ["-tzf", tarball])).stdout.split("\n").filter(Boolean);

  project = tempDir();
  writeFileSync(
    path.join(project, "package.json"),
    JSON.stringify({ name: "user-project", version: "1.0.0", private: true, dependencies: { "@aws/durable-execution-sdk-js": `file:${tarball}` } }, null, 2),
  );
  await sh(project, "npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts=false"], SETUP_TIMEOUT);
}, SETUP_TIMEOUT);

describe("the npm package", () => {
  it("contains the native addon, the compiled TypeScript layer, the binding and the command", () => {
    expect(entries).toContain("package/durable-node.linux-x64-gnu.node");
    expect(entries).toContain("package/index.js");
    expect(entries).toContain("package/index.d.ts");
    expect(entries).toContain("package/bin/durable-node.js");
    expect(entries).toContain("package/dist/index.js");
    expect(entries).toContain("package/dist/index.d.ts");
    expect(entries).toContain("package/dist/cli/main.js");
    // What `durable-node python setup` installs (dist/python/environment.js reads it).
    expect(entries).toContain("package/python/requirements.txt");
    expect(entries.filter((e) => /^package\/(ts|src|crates|__test__|target)\//.test(e))).toEqual([]);
  });

  it("installs under the official package name as durable-node", () => {
    const installed = path.join(project, "node_modules", "@aws", "durable-execution-sdk-js");
    expect(JSON.parse(readFileSync(path.join(installed, "package.json"), "utf8")).name).toBe("durable-node");
    expect(existsSync(path.join(project, "node_modules", ".bin", "durable-node"))).toBe(true);
  });
});

describe("in a user's project that installed the alias", () => {
  it("`npx durable-node run handler.ts` runs a TypeScript handler importing the official name", async () => {
    writeFileSync(
      path.join(project, "handler.ts"),
      [
        `import { withDurableExecution } from "@aws/durable-execution-sdk-js";`,
        ``,
        `export const handler = withDurableExecution(async (event: { n: number }, context) => {`,
        `  const doubled = await context.step("double", async () => event.n * 2);`,
        `  await context.wait({ seconds: 30 });`,
        `  return { doubled };`,
        `});`,
        ``,
      ].join("\n"),
    );
    const { stdout } = await sh(project, "npx", ["--no", "durable-node", "run", "handler.ts", "--input", '{"n":21}', "--skip-time", "--json"]);
    const record = lastJson(stdout);
    expect(record.Status).toBe("SUCCEEDED");
    expect(JSON.parse(record.Result)).toEqual({ doubled: 42 });
    expect(existsSync(path.join(project, ".durable", "durable.db"))).toBe(true);
  });

  it("a CommonJS script requires the official name and drives DurableEngine on a file", async () => {
    writeFileSync(
      path.join(project, "embed.cjs"),
      [
        `const { DurableEngine, withDurableExecution } = require("@aws/durable-execution-sdk-js");`,
        `(async () => {`,
        `  const engine = DurableEngine.open({ path: "embedded.db", skipTime: true });`,
        `  engine.register("greet", withDurableExecution(async (event, ctx) => {`,
        `    const greeting = await ctx.step("greet", async () => "hello " + event.who);`,
        `    await ctx.wait({ minutes: 5 });`,
        `    return greeting;`,
        `  }));`,
        `  const record = await engine.run("greet", { who: "cjs" }, { name: "embedded-1" });`,
        `  engine.close();`,
        `  console.log(JSON.stringify(record));`,
        `})().catch((e) => { console.error(e); process.exit(1); });`,
        ``,
      ].join("\n"),
    );
    const { stdout } = await sh(project, process.execPath, ["embed.cjs"]);
    const record = lastJson(stdout);
    expect(record).toMatchObject({ DurableExecutionName: "embedded-1", Status: "SUCCEEDED", Result: JSON.stringify("hello cjs") });
    expect(existsSync(path.join(project, "embedded.db"))).toBe(true);
  });

  it("an ES module script imports the official name and drives DurableEngine", async () => {
    writeFileSync(
      path.join(project, "embed.mjs"),
      [
        `import { DurableEngine, withDurableExecution } from "@aws/durable-execution-sdk-js";`,
        `const engine = DurableEngine.open({ skipTime: true });`,
        `engine.register("greet", withDurableExecution(async (event, ctx) => ctx.step(async () => "hello " + event.who)));`,
        `console.log(JSON.stringify(await engine.run("greet", { who: "esm" })));`,
        `engine.close();`,
        ``,
      ].join("\n"),
    );
    const { stdout } = await sh(project, process.execPath, ["embed.mjs"]);
    expect(lastJson(stdout)).toMatchObject({ Status: "SUCCEEDED", Result: JSON.stringify("hello esm") });
  });
});
