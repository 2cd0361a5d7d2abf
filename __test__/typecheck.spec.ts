// Type compatibility: handlers written against the official SDK's types (annotating
// `context: DurableContext`, importing Duration, StepConfig, BatchResult, MapConfig, …) compile
// with `tsc --noEmit` when the official package name maps to durable-node's sources, and — as a
// check on the handlers themselves — against the official package's own typings. A deliberately
// wrong file must fail, and the root's exports are compared with the official root's.

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { REPO_ROOT } from "./helpers/cli";

const TYPES = path.join(REPO_ROOT, "__test__", "types");
const TSC = path.join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");

/** Names of the official package root that durable-node does not export yet. */
const KNOWN_MISSING: string[] = [];

function tsc(project: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSC, "-p", path.join(TYPES, project), "--pretty", "false"], { cwd: REPO_ROOT });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe("tsc --noEmit over handlers written against the official types", () => {
  it("compiles against durable-node (the package name mapped to ts/index.ts), @ts-expect-error lines included", async () => {
    const { code, output } = await tsc("tsconfig.json");
    expect(output).toBe("");
    expect(code).toBe(0);
  });

  it("the same handlers compile against the official package's typings (so they are genuine official-API code)", async () => {
    const { code, output } = await tsc("tsconfig.official.json");
    expect(output).toBe("");
    expect(code).toBe(0);
  });

  it("a deliberately wrong handler fails with exactly its two errors", async () => {
    const { code, output } = await tsc("tsconfig.bad.json");
    expect(code).toBe(2);
    const errors = output
      .split("\n")
      .filter((l) => l.includes("error TS"))
      .map((l) => l.replace(/^.*__test__\/types\//, ""));
    expect(errors).toEqual([
      "bad/wrong.ts(8,9): error TS2322: Type 'number' is not assignable to type 'string'.",
      "bad/wrong.ts(10,22): error TS2345: Argument of type 'number' is not assignable to parameter of type 'Duration'.",
    ]);
  });

  it("handlers/exports.ts imports every name of the official root except the known missing ones", () => {
    const official = readFileSync(path.join(REPO_ROOT, "node_modules", "@aws", "durable-execution-sdk-js", "dist-types", "index.d.ts"), "utf8");
    const officialNames = new Set([...official.matchAll(/export \{([^}]*)\}/g)].flatMap((m) => m[1].split(",").map((n) => n.trim()).filter(Boolean)));
    officialNames.add("withDurableExecution"); // from `export * from "./with-durable-execution"`
    const ours = readFileSync(path.join(TYPES, "handlers", "exports.ts"), "utf8");
    const imported = new Set([...ours.matchAll(/import (?:type )?\{([^}]*)\}/g)].flatMap((m) => m[1].split(",").map((n) => n.trim()).filter(Boolean)));
    expect([...imported].filter((n) => !officialNames.has(n))).toEqual([]);
    expect([...officialNames].filter((n) => !imported.has(n)).sort()).toEqual(KNOWN_MISSING);
  });
});
