// The compatibility check of durable-node/testing: the user-style tests of __test__/compat run
// on durable-node in this suite (vitest.config.mts aliases the official names), and here on the
// official @aws/durable-execution-sdk-js-testing 1.1.4 and SDK from node_modules, in a child
// vitest with vitest.official.config.mts (no aliases). Both must pass, unchanged.

import { spawn } from "node:child_process";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

const CHILD_TIMEOUT_MS = 120_000;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** This process's environment without what vitest set for its own workers. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: "1" };
  for (const key of ["VITEST", "VITEST_MODE", "VITEST_POOL_ID", "VITEST_WORKER_ID", "TEST", "NODE_ENV"]) delete env[key];
  return env;
}

describe("compatibility with the official testing package", () => {
  it("runs __test__/compat on the official runner and SDK, with every test passing", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "durable-compat-"));
    const report = path.join(dir, "report.json");
    try {
      // Asynchronously: a child vitest started with spawnSync from a vitest worker never ends.
      const args = [path.join(root, "node_modules/vitest/vitest.mjs"), "run", "--config", "vitest.official.config.mts", "--reporter=json", `--outputFile=${report}`];
      const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: childEnv() });
      let output = "";
      child.stdout.on("data", (chunk) => (output += chunk));
      child.stderr.on("data", (chunk) => (output += chunk));
      const status = await new Promise<number | null>((resolve, reject) => {
        const timer = setTimeout(() => {
          child.kill();
          reject(new Error(`the official run did not end within ${CHILD_TIMEOUT_MS} ms:\n${output}`));
        }, CHILD_TIMEOUT_MS);
        child.on("error", reject);
        child.on("exit", (code) => {
          clearTimeout(timer);
          resolve(code);
        });
      });
      const json = JSON.parse(readFileSync(report, "utf8")) as {
        numTotalTests: number;
        numPassedTests: number;
        testResults: { name: string; assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[];
      };
      const failed = json.testResults.flatMap((f) => f.assertionResults.filter((a) => a.status !== "passed").map((a) => `${a.fullName}: ${a.failureMessages.join("\n")}`));
      expect(failed, output).toEqual([]);
      expect(status, output).toBe(0);
      expect(json.testResults.map((f) => path.relative(root, f.name)).sort()).toEqual([
        "__test__/compat/batch-late-work.spec.ts",
        "__test__/compat/callback-heartbeats.spec.ts",
        "__test__/compat/context-misuse-records.spec.ts",
        "__test__/compat/forced-checkpointing.spec.ts",
        "__test__/compat/official-runner.spec.ts",
        "__test__/compat/unawaited-wait.spec.ts",
      ]);
      expect(json.numTotalTests).toBeGreaterThanOrEqual(19);
      expect(json.numPassedTests).toBe(json.numTotalTests);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
