// The Python environment durable-node manages: a virtual environment (default
// `.durable/python-venv` in the current directory, or DURABLE_PYTHON_VENV) holding exactly the
// packages pinned in python/requirements.txt — the official runtime interface client and
// durable SDK. Created by `durable-node python setup` or on first use; a marker file written
// last (the requirements' hash) says it is complete, so an interrupted set-up is redone, never
// used. Also checks any interpreter before a function runs on it.

import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

import { UsageError } from "../cli/usage-error";

export const VENV_ENV = "DURABLE_PYTHON_VENV";
export const REQUIREMENTS_FILE = path.resolve(__dirname, "..", "..", "python", "requirements.txt");
export const MIN_PYTHON: [number, number] = [3, 11];
/** Modules a runtime process needs. */
const RUNTIME_MODULES = ["awslambdaric", "aws_durable_execution_sdk_python"];
const MARKER = ".durable-node-requirements";

export function venvDir(cwd = process.cwd()): string {
  const given = process.env[VENV_ENV];
  return given ? path.resolve(cwd, given) : path.join(cwd, ".durable", "python-venv");
}

export function venvPython(dir: string): string {
  return path.join(dir, "bin", "python");
}

function requirementsHash(): string {
  return createHash("sha256").update(readFileSync(REQUIREMENTS_FILE)).digest("hex");
}

/** "ready": complete with the current requirements; "outdated": other requirements; "missing". */
export function venvStatus(dir: string): "ready" | "outdated" | "missing" {
  const marker = path.join(dir, MARKER);
  if (!existsSync(venvPython(dir)) || !existsSync(marker)) return "missing";
  return readFileSync(marker, "utf8").trim() === requirementsHash() ? "ready" : "outdated";
}

export interface InterpreterInfo {
  version: string;
  /** Runtime modules it cannot import. */
  missing: string[];
}

const PROBE = `import sys, importlib.util as u; print("%d.%d.%d" % sys.version_info[:3]); print(",".join(m for m in sys.argv[1:] if u.find_spec(m) is None))`;

/** Runs the interpreter once; a UsageError naming `what` if it is missing or too old. */
export function inspectInterpreter(python: string, what: string): InterpreterInfo {
  const probe = spawnSync(python, ["-c", PROBE, ...RUNTIME_MODULES], { encoding: "utf8", timeout: 30_000 });
  if (probe.error) {
    const code = (probe.error as NodeJS.ErrnoException).code;
    throw new UsageError(`${what}: ${python} ${code === "ENOENT" ? "not found" : code === "EACCES" ? "is not executable" : `cannot run (${code ?? probe.error.message})`}`);
  }
  if (probe.status !== 0) throw new UsageError(`${what}: ${python} is not a Python interpreter (it exited ${probe.status}: ${probe.stderr.trim().split("\n").pop() ?? ""})`);
  const [version, missing = ""] = probe.stdout.trim().split("\n");
  const [major, minor] = version.split(".").map(Number);
  if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
    throw new UsageError(`${what}: ${python} is Python ${version}; the durable SDK needs Python ≥ ${MIN_PYTHON.join(".")}`);
  }
  return { version, missing: missing ? missing.split(",") : [] };
}

/** A given interpreter must have the runtime packages: a UsageError saying how to install them otherwise. */
export function checkRuntimeInterpreter(python: string, what: string): string {
  const info = inspectInterpreter(python, what);
  if (info.missing.length) {
    throw new UsageError(`${what}: ${python} cannot import ${info.missing.join(", ")}: install them with \`${python} -m pip install -r ${REQUIREMENTS_FILE}\` (or leave the interpreter out to use durable-node's environment)`);
  }
  return info.version;
}

function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (output += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (output += c));
    child.once("error", (e) => resolve({ code: -1, output: e.message }));
    child.once("close", (code) => resolve({ code, output }));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** One set-up at a time per directory (several test processes may ask at once). */
async function withLock<T>(dir: string, body: () => Promise<T>): Promise<T> {
  const lock = `${dir}.lock`;
  mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: "wx" });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const owner = Number(readFileSync(lock, "utf8").trim());
      if (!owner || !alive(owner)) rmSync(lock, { force: true });
      else if (Date.now() > deadline) throw new UsageError(`the Python environment ${dir} is locked by process ${owner} (${lock})`);
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await body();
  } finally {
    rmSync(lock, { force: true });
  }
}

export interface SetupOptions {
  dir?: string;
  /** Interpreter that creates the environment (default python3 on PATH). */
  base?: string;
  /** Progress lines. */
  say?: (line: string) => void;
}

/** Creates or completes the environment; resolves with its interpreter. */
export async function setupPythonEnv(options: SetupOptions = {}): Promise<string> {
  const dir = options.dir ?? venvDir();
  const say = options.say ?? (() => undefined);
  return withLock(dir, async () => {
    const python = venvPython(dir);
    if (venvStatus(dir) === "ready") return python;
    const base = options.base ?? "python3";
    const { version } = inspectInterpreter(base, "cannot create the Python environment (install Python ≥ 3.11 or pass --python)");
    say(`setting up the Python environment in ${dir} (Python ${version}; pip install -r ${REQUIREMENTS_FILE}) — once, it takes a minute`);
    if (!existsSync(python)) {
      const made = await run(base, ["-m", "venv", "--clear", dir]);
      if (made.code !== 0) throw new UsageError(`cannot create the Python environment in ${dir}: ${base} -m venv failed: ${lastLines(made.output)}`);
    }
    rmSync(path.join(dir, MARKER), { force: true });
    const pip = await run(python, ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-q", "-r", REQUIREMENTS_FILE]);
    if (pip.code !== 0) throw new UsageError(`cannot install the Python packages into ${dir}: pip failed: ${lastLines(pip.output)}`);
    checkRuntimeInterpreter(python, "the new Python environment");
    writeFileSync(path.join(dir, MARKER), requirementsHash() + "\n");
    say(`Python environment ready: ${dir}`);
    return python;
  });
}

function lastLines(text: string): string {
  return text.trim().split("\n").slice(-3).join(" | ") || "(no output)";
}

/** The managed environment's interpreter, set up first if it is not complete (saying so). */
export async function ensurePythonEnv(say: (line: string) => void): Promise<string> {
  const dir = venvDir();
  if (venvStatus(dir) === "ready") return venvPython(dir);
  return setupPythonEnv({ dir, say });
}
