// `pause`, `resume` and `delete`: the control plane of an execution from the command line
// (PauseDurableExecution, ResumeDurableExecution, DeleteDurableExecution), by name or ARN, on
// any database a worker runs on. What each does is the engine's (crates/engine/src/control.rs).

import type { Command } from "commander";

import type { DurableEngine } from "../engine/durable-engine";
import { DB_HELP } from "./database";
import { oneLine } from "./printer";

type Open = (db: string | undefined) => DurableEngine;

export function registerControlCommands(program: Command, open: Open, out: (line: string) => void): void {
  program
    .command("pause")
    .description("pause an execution (PauseDurableExecution): it is not invoked until resumed; its waits and callbacks still complete")
    .argument("<execution>", "execution name or ARN")
    .option("--reason <text>", "why (up to 1,024 characters), recorded in the history")
    .option("--client-token <token>", "idempotency token: repeating the same request within 15 minutes pauses once")
    .option("--no-timeout-paused", "keep the execution timeout counting while paused (by default it stops)")
    .option("--db <path|url>", DB_HELP)
    .action((execution: string, options: { reason?: string; clientToken?: string; timeoutPaused: boolean; db?: string }) => {
      const engine = open(options.db);
      try {
        engine.pause(execution, { reason: options.reason, clientToken: options.clientToken, executionTimeoutPaused: options.timeoutPaused });
        const record = engine.get(execution);
        out(`${record.Status.toLowerCase()} ${oneLine(record.DurableExecutionArn)}`);
      } finally {
        engine.close();
      }
    });
  program
    .command("resume")
    .description("resume a paused execution (ResumeDurableExecution); a pausing one simply goes on")
    .argument("<execution>", "execution name or ARN")
    .option("--reason <text>", "why (up to 1,024 characters), recorded in the history")
    .option("--client-token <token>", "idempotency token: repeating the same request within 15 minutes resumes once")
    .option("--db <path|url>", DB_HELP)
    .action((execution: string, options: { reason?: string; clientToken?: string; db?: string }) => {
      const engine = open(options.db);
      try {
        engine.resume(execution, { reason: options.reason, clientToken: options.clientToken });
        out(`resumed ${oneLine(engine.get(execution).DurableExecutionArn)}`);
      } finally {
        engine.close();
      }
    });
  program
    .command("delete")
    .description("delete an ended execution and its data (DeleteDurableExecution)")
    .argument("<execution>", "execution name or ARN")
    .option("--db <path|url>", DB_HELP)
    .action((execution: string, options: { db?: string }) => {
      const engine = open(options.db);
      try {
        const arn = engine.get(execution).DurableExecutionArn;
        engine.delete(arn);
        // This process runs no scheduler: remove the data now rather than at a worker's next pass.
        engine.runDueTimers();
        out(`deleted ${oneLine(arn)}`);
      } finally {
        engine.close();
      }
    });
}
