// `npm run bench` (core part): what a step costs beyond the engine, measured in one run.
//  1. `durable-node run` through the CLI on a file: (t(2501 steps) - t(1 step)) / 2500 per step,
//     beside the same handler on DurableEngine in process (bench/durable.ts measures that);
//     the CLI prints live progress for every operation, so this includes it.
//  2. Resume after a wait with a 2,900-operation history: real time from the end of the
//     invocation that suspended on the wait (skipTime fires it at once) to the checkpoint of
//     the first new step after it, which replays the 2,900 records first.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import diagnostics_channel from "node:diagnostics_channel";

import { INVOCATION_CHANNEL, type InvocationEvent } from "../ts/engine/durable-engine";
import { DurableEngine, onOperation, withDurableExecution } from "../ts/index";

const QUICK = process.env.BENCH_QUICK === "1";
const realHrtime = process.hrtime.bigint.bind(process.hrtime);
const nowMs = (): number => Number(realHrtime()) / 1e6;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function cliRunMs(dir: string, n: number, name: string, flags: string[]): number {
  const t0 = nowMs();
  const r = spawnSync(process.execPath, ["bin/durable-node.js", "run", "bench/handlers/steps.ts", "--input", JSON.stringify({ n }), "--name", name, "--db", path.join(dir, "cli.db"), "--skip-time", ...flags], {
    encoding: "utf8",
  });
  const elapsed = nowMs() - t0;
  if (r.status !== 0) throw new Error(`durable-node run n=${n} exited ${r.status}: ${r.stderr}`);
  return elapsed;
}

/** `flags`: e.g. `--no-isolate` (the handler in the command's process, not a runtime process). */
export function benchCli(flags: string[] = []): { perStepUs: number; t1Ms: number; t2501Ms: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "durable-bench-cli-"));
  try {
    const runs = QUICK ? 3 : 5;
    cliRunMs(dir, 1, "warm", flags);
    const t1: number[] = [];
    const tN: number[] = [];
    for (let r = 0; r < runs; r++) {
      t1.push(cliRunMs(dir, 1, `one-${r}`, flags));
      tN.push(cliRunMs(dir, 2501, `many-${r}`, flags));
    }
    const [a, b] = [median(t1), median(tN)];
    return { perStepUs: ((b - a) * 1000) / 2500, t1Ms: a, t2501Ms: b };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const HISTORY = 2_900;

export async function benchResume(): Promise<{ medianMs: number; runs: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "durable-bench-resume-"));
  const engine = DurableEngine.open({ path: path.join(dir, "resume.db"), skipTime: true });
  engine.register(
    "long",
    withDurableExecution(async (_e: unknown, ctx) => {
      for (let i = 0; i < HISTORY - 2; i++) await ctx.step(async () => i);
      await ctx.wait({ seconds: 60 });
      return ctx.step("after", async () => "done");
    }),
  );
  let suspendedAt = 0;
  let resumedIn: number | undefined;
  const onInvocation = (message: unknown) => {
    const e = message as InvocationEvent;
    if (e.phase !== "started") suspendedAt = nowMs();
  };
  diagnostics_channel.subscribe(INVOCATION_CHANNEL, onInvocation);
  const stop = onOperation((e) => {
    if (e.name === "after" && e.phase === "succeeded") resumedIn = nowMs() - suspendedAt;
  });
  try {
    const times: number[] = [];
    const runs = QUICK ? 3 : 5;
    for (let r = 0; r <= runs; r++) {
      resumedIn = undefined;
      const record = await engine.run("long", {});
      if (record.Status !== "SUCCEEDED" || resumedIn === undefined) throw new Error(`resume bench: ${record.Status} ${JSON.stringify(record.Error)}`);
      if (r > 0) times.push(resumedIn);
    }
    return { medianMs: median(times), runs: times.length };
  } finally {
    stop();
    diagnostics_channel.unsubscribe(INVOCATION_CHANNEL, onInvocation);
    engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
