// `durable-node python setup`: creates (or completes) the Python environment that runs .py
// handlers, with the packages pinned in python/requirements.txt, and says where it is.

import type { Command } from "commander";

import { REQUIREMENTS_FILE, setupPythonEnv, venvDir, venvStatus } from "./environment";

export function registerPythonCommand(program: Command, out: (line: string) => void): void {
  const python = program.command("python").description("the Python environment that runs .py handlers (official awslambdaric and durable SDK)");
  python
    .command("setup")
    .description(`create the Python environment (default .durable/python-venv here, or $DURABLE_PYTHON_VENV) with the packages of ${REQUIREMENTS_FILE}`)
    .option("--python <interpreter>", "the Python (≥ 3.11) that creates it", "python3")
    .action(async (options: { python: string }) => {
      const dir = venvDir();
      if (venvStatus(dir) === "ready") {
        out(`Python environment ready: ${dir}`);
        return;
      }
      await setupPythonEnv({ dir, base: options.python, say: out });
    });
}
