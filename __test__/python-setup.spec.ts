// The Python environment a user never has to set up by hand: the first `run` of a .py file
// creates it (python/requirements.txt, pinned) and says so; `durable-node python setup` says
// where it is; an interrupted set-up (no completion marker) is completed, never used as is.
// Real pip against the package index, in a fresh directory (DURABLE_PYTHON_VENV).

import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

import { beforeAll, describe, expect, it } from "vitest";

import { REPO_ROOT, lastJson, requireCurrentDist, runCli } from "./helpers/cli";
import { requirePythonEnv } from "./helpers/python";
import { tempDirs } from "./helpers/temp";

const tempDir = tempDirs("durable-node-py-setup-");
const EXAMPLE = path.join(REPO_ROOT, "examples", "order_processing.py");
const MARKER = ".durable-node-requirements";

beforeAll(() => {
  requireCurrentDist();
  // The environment the other specs use must exist too (this spec makes its own beside it).
  requirePythonEnv();
});

describe("durable-node's Python environment", () => {
  it("is created by the first run of a .py file, which says so; later runs and `python setup` just use it", { timeout: 300_000 }, async () => {
    const venv = path.join(tempDir(), "venv");
    const env = { DURABLE_PYTHON_VENV: venv };
    const db = path.join(path.dirname(venv), "run.db");
    const first = await runCli(["run", EXAMPLE, "--input", '{"orderId":"o-1"}', "--db", db, "--skip-time", "--json"], { env, timeoutMs: 290_000 });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(`durable-node: setting up the Python environment in ${venv} (Python 3.`);
    expect(first.stderr).toContain(`durable-node: Python environment ready: ${venv}`);
    expect(lastJson(first.stdout).Status).toBe("SUCCEEDED");
    // The marker holds the requirements' hash: written last, it says the set-up completed.
    expect(readFileSync(path.join(venv, MARKER), "utf8").trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(existsSync(`${venv}.lock`)).toBe(false);

    const second = await runCli(["run", EXAMPLE, "--input", '{"orderId":"o-2"}', "--db", db, "--skip-time"], { env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toBe("");

    const setup = await runCli(["python", "setup"], { env });
    expect(setup.code).toBe(0);
    expect(setup.stdout.trim()).toBe(`Python environment ready: ${venv}`);

    // A set-up that did not complete (no marker) is completed before use.
    rmSync(path.join(venv, MARKER));
    const redo = await runCli(["python", "setup"], { env, timeoutMs: 290_000 });
    expect(redo.code, redo.stderr).toBe(0);
    expect(redo.stdout).toContain(`setting up the Python environment in ${venv}`);
    expect(existsSync(path.join(venv, MARKER))).toBe(true);
  });

  it("`python setup --python` with an interpreter that does not exist: one error, nothing created", async () => {
    const venv = path.join(tempDir(), "venv");
    const r = await runCli(["python", "setup", "--python", "/nonexistent/python3"], { env: { DURABLE_PYTHON_VENV: venv } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("error: cannot create the Python environment (install Python ≥ 3.11 or pass --python): /nonexistent/python3 not found");
    expect(existsSync(venv)).toBe(false);
  });
});
