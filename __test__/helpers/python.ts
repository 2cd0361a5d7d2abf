// The Python side of the tests: durable-node's managed environment (python/requirements.txt,
// made by `durable-node python setup`; .ci/run and `npm test` make it first), Python scripts run
// as real processes, and the fixtures in __test__/fixtures/python. A missing environment fails
// the spec with a message saying how to make it; the Python tests are never skipped.

import { spawn } from "node:child_process";
import path from "node:path";

import { venvDir, venvPython, venvStatus } from "../../ts/python/environment";
import { REPO_ROOT, childEnv } from "./cli";

export const PY_FIXTURES = path.join(REPO_ROOT, "__test__", "fixtures", "python");
export const VENV = venvDir(REPO_ROOT);
export const PYTHON = venvPython(VENV);
/** For child processes: the environment the tests made, wherever they run. */
export const PY_ENV = { DURABLE_PYTHON_VENV: VENV };

/** Call in beforeAll: throws unless the managed Python environment is complete. */
export function requirePythonEnv(): void {
  const status = venvStatus(VENV);
  if (status !== "ready") {
    throw new Error(
      `durable-node's Python environment is ${status} (${VENV}): run \`node bin/durable-node.js python setup\` ` +
        "(npm test and .ci/run do it before vitest). The Python tests need it and are not skipped.",
    );
  }
}

export interface PyResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `python <script> <args>` with the environment's interpreter. */
export function runPython(script: string, args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 60_000): Promise<PyResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [script, ...args], { cwd: PY_FIXTURES, env: childEnv(env), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`python ${script} did not finish within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
