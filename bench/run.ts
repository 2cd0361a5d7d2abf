// `npm run bench`: the same N-step handler (N = 1, 100, 1000) on durable-node (file-backed
// SQLite, bench/durable.ts) and on the official LocalDurableTestRunner (bench/official.ts),
// with skipTime true and false, in one process. Prints median total ms and µs per step,
// the ratio official/durable-node, the targets, and a `BENCH_JSON ` line at the end.
//
// Order matters: the official runner's skipTime installs fake timers (Date, hrtime,
// setImmediate...), so every durable-node measurement runs first, before the official SDK
// is even loaded; the official skipTime:false runs come next and skipTime:true last.
// BENCH_QUICK=1: fewer repetitions and no official skipTime:true at N = 1000.
import { execFileSync } from "node:child_process";
import os from "node:os";

import { benchCli, benchResume } from "./core";
import { benchDurable } from "./durable";
import { benchTestingRunner } from "./testing";

const realHrtime = process.hrtime.bigint.bind(process.hrtime);
const nowMs = (): number => Number(realHrtime()) / 1e6;
const startedAt = nowMs();

const QUICK = process.env.BENCH_QUICK === "1";
const NS = [1, 100, 1000] as const;
type Runner = "durableNode" | "durableTesting" | "officialSkipTime" | "officialRealTime";
const LABEL: Record<Runner, string> = {
  durableNode: "durable-node (SQLite file)",
  durableTesting: "durable-node/testing runner",
  officialSkipTime: "official, skipTime:true",
  officialRealTime: "official, skipTime:false",
};
// [measured runs, warm-up runs] per N; null = not measured.
type Plan = Record<number, [number, number] | null>;
const PLANS: Record<Runner, Plan> = QUICK
  ? {
      durableNode: { 1: [5, 1], 100: [5, 1], 1000: [3, 1] },
      durableTesting: { 1: [5, 1], 100: [5, 1], 1000: [3, 1] },
      officialRealTime: { 1: [3, 1], 100: [3, 1], 1000: [2, 1] },
      officialSkipTime: { 1: [3, 1], 100: [2, 1], 1000: null },
    }
  : {
      durableNode: { 1: [15, 1], 100: [15, 1], 1000: [7, 1] },
      durableTesting: { 1: [15, 1], 100: [15, 1], 1000: [7, 1] },
      officialRealTime: { 1: [10, 1], 100: [10, 1], 1000: [5, 1] },
      // ~20 s per run at N = 1000: no warm-up there (the smaller N already warmed the code).
      officialSkipTime: { 1: [5, 1], 100: [5, 1], 1000: [3, 0] },
    };

interface Stats { runs: number; medianMs: number; minMs: number; maxMs: number; usPerStep: number }
const results: Record<Runner, Record<number, Stats>> = { durableNode: {}, durableTesting: {}, officialSkipTime: {}, officialRealTime: {} };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function measure(runner: Runner, bench: (n: number, runs: number, warmups: number) => Promise<number[]>) {
  for (const n of NS) {
    const plan = PLANS[runner][n];
    if (!plan) continue;
    const t0 = nowMs();
    const times = await bench(n, plan[0], plan[1]);
    const medianMs = median(times);
    results[runner][n] = { runs: times.length, medianMs, minMs: Math.min(...times), maxMs: Math.max(...times), usPerStep: (medianMs * 1000) / n };
    console.error(`  ${LABEL[runner]} N=${n}: median ${medianMs.toFixed(2)} ms over ${times.length} runs (${((nowMs() - t0) / 1000).toFixed(1)} s)`);
  }
}

interface EngineTiming {
  rawCommitUs: { memory: number; file: number };
  engineStepUs: { memory: number; file: number };
}
let timing: EngineTiming | undefined;
let cli: ReturnType<typeof benchCli> | undefined;
let cliInProcess: ReturnType<typeof benchCli> | undefined;
let resume: Awaited<ReturnType<typeof benchResume>> | undefined;

/** The engine's half (crates/engine/tests/timing.rs): a raw WAL commit and the engine alone per step. */
function measureEngine(): void {
  console.error("engine alone and a raw SQLite commit (cargo test --release --test timing)...");
  const out = execFileSync("cargo", ["test", "--release", "-q", "-p", "durable-engine", "--test", "timing", "--", "--ignored", "--nocapture"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = out.split("\n").find((l) => l.startsWith("TIMING_JSON "));
  if (!line) throw new Error(`the timing test printed no TIMING_JSON line:\n${out}`);
  timing = JSON.parse(line.slice("TIMING_JSON ".length)) as EngineTiming;
}

async function main() {
  measureEngine();
  console.error("durable-node...");
  await measure("durableNode", (n, runs) => benchDurable(n, runs));
  console.error("durable-node/testing...");
  await measure("durableTesting", (n, runs, warmups) => benchTestingRunner(n, runs, warmups));
  console.error("durable-node run (CLI), 1 and 2,501 steps...");
  cli = benchCli();
  cliInProcess = benchCli(["--no-isolate"]);
  console.error("resume after a wait with a 2,900-operation history...");
  resume = await benchResume();

  // Loaded only now, so nothing of the official SDK is around while durable-node is measured.
  const official = await import("./official");
  for (const [runner, skipTime] of [["officialRealTime", false], ["officialSkipTime", true]] as const) {
    console.error(`official runner, skipTime:${skipTime}...`);
    await official.setupOfficial({ skipTime });
    try {
      await measure(runner, official.benchOfficial);
    } finally {
      await official.teardownOfficial();
    }
  }
  report();
}

const fmt = (x: number | undefined, d = 2) => (x === undefined ? "-" : x.toFixed(d));
/** How many times faster `ours` is than the official `runner` at N (per-step medians). */
const ratio = (runner: Runner, n: number, ours: Runner = "durableNode"): number | undefined => {
  const o = results[runner][n], d = results[ours][n];
  return o && d ? o.usPerStep / d.usPerStep : undefined;
};

function report() {
  const cpus = os.cpus();
  const machine = { cpu: cpus[0]?.model ?? "unknown", cores: cpus.length, node: process.version, platform: `${process.platform}-${process.arch}` };
  console.log(`\nMachine: ${machine.cpu} (${machine.cores} cores), Node ${machine.node}, ${machine.platform}${QUICK ? "  [BENCH_QUICK]" : ""}`);
  console.log("Handler: for (i < N) acc += await ctx.step(async () => i); each run a new execution, result checked.\n");
  const header = ["N", "runner", "runs", "median ms", "µs/step", "official/durable-node"];
  const rows: string[][] = [];
  for (const n of NS) {
    for (const runner of ["durableNode", "durableTesting", "officialSkipTime", "officialRealTime"] as Runner[]) {
      const s = results[runner][n];
      const r = runner.startsWith("durable") ? undefined : ratio(runner, n);
      rows.push([String(n), LABEL[runner], s ? String(s.runs) : "skipped", fmt(s?.medianMs), fmt(s?.usPerStep, 1), r === undefined ? "" : `${r.toFixed(0)}×`]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  rows.forEach((r, i) => console.log(line(r) + (i % 4 === 3 && i < rows.length - 1 ? "\n" : "")));

  const perStep1000 = results.durableNode[1000]?.usPerStep;
  if (timing && perStep1000 !== undefined) {
    const raw = timing.rawCommitUs.file;
    const engine = timing.engineStepUs.file;
    console.log("\nPer-step budget at N = 1000 on a SQLite file (medians of this run):");
    const budget: [string, number][] = [
      ["one raw single-row WAL commit (the floor)", raw],
      ["engine beyond the raw commit (statements, pages, events, validation)", engine - raw],
      ["napi and the SDK in JavaScript (promises, queue turn, user code)", perStep1000 - engine],
      ["total per step", perStep1000],
    ];
    for (const [what, us] of budget) console.log(`  ${what.padEnd(72)} ${us.toFixed(1).padStart(7)} µs`);
    console.log(`  (in memory: raw commit ${timing.rawCommitUs.memory.toFixed(2)} µs, engine per step ${timing.engineStepUs.memory.toFixed(2)} µs)`);
  }
  const rawCommit = timing?.rawCommitUs.file;
  const commitRatio = perStep1000 !== undefined && rawCommit ? perStep1000 / rawCommit : undefined;
  const targets = {
    perStepOverRawCommitAt1000: { target: 1.5, measured: commitRatio, rawCommitUs: rawCommit, met: commitRatio !== undefined && commitRatio <= 1.5 },
    durableUsPerStepAt1000: { target: 25, measured: perStep1000, met: perStep1000 !== undefined && perStep1000 <= 25 },
    ratioAt100VsSkipTime: { target: 500, measured: ratio("officialSkipTime", 100), met: (ratio("officialSkipTime", 100) ?? 0) >= 500 },
    ratioAt100VsRealTime: { target: 500, measured: ratio("officialRealTime", 100), met: (ratio("officialRealTime", 100) ?? 0) >= 500 },
    testingRunnerRatioAt100: { target: 500, measured: ratio("officialSkipTime", 100, "durableTesting"), met: (ratio("officialSkipTime", 100, "durableTesting") ?? 0) >= 500 },
  };
  const yes = (m: boolean) => (m ? "MET" : "NOT MET");
  if (cli) console.log(`\ndurable-node run (CLI, live progress, handler in a runtime process): ${cli.t1Ms.toFixed(0)} ms for 1 step, ${cli.t2501Ms.toFixed(0)} ms for 2,501 -> ${cli.perStepUs.toFixed(1)} µs per step`);
  if (cliInProcess) console.log(`durable-node run --no-isolate (handler in the CLI's process): ${cliInProcess.t1Ms.toFixed(0)} ms for 1 step, ${cliInProcess.t2501Ms.toFixed(0)} ms for 2,501 -> ${cliInProcess.perStepUs.toFixed(1)} µs per step`);
  if (resume) console.log(`resume after a wait, 2,900-operation history: ${resume.medianMs.toFixed(1)} ms from the suspension to the next new step's checkpoint (median of ${resume.runs})`);
  console.log("\nTargets:");
  if (cliInProcess && perStep1000 !== undefined) console.log(`  CLI (--no-isolate) per step <= engine per step (${fmt(perStep1000, 1)} µs): ${cliInProcess.perStepUs.toFixed(1)} µs -> ${yes(cliInProcess.perStepUs <= perStep1000)}`);
  if (resume) console.log(`  resume after a wait with a 2,900-operation history <= 15 ms: ${resume.medianMs.toFixed(1)} ms -> ${yes(resume.medianMs <= 15)}`);
  console.log(`  per step at N=1000 <= 1.5x a raw WAL commit (${fmt(rawCommit, 1)} µs): ${fmt(commitRatio, 2)}x -> ${yes(targets.perStepOverRawCommitAt1000.met)}`);
  console.log(`  durable-node median at N=1000 <= 25 µs/step: ${fmt(perStep1000, 1)} µs/step -> ${yes(targets.durableUsPerStepAt1000.met)}`);
  console.log(`  >= 500x faster than official at N=100 (skipTime:true):  ${fmt(targets.ratioAt100VsSkipTime.measured, 0)}x -> ${yes(targets.ratioAt100VsSkipTime.met)}`);
  console.log(`  >= 500x faster than official at N=100 (skipTime:false): ${fmt(targets.ratioAt100VsRealTime.measured, 0)}x -> ${yes(targets.ratioAt100VsRealTime.met)}`);
  console.log(`  durable-node/testing >= 500x faster than the official runner at N=100 (issue 4): ${fmt(targets.testingRunnerRatioAt100.measured, 0)}x -> ${yes(targets.testingRunnerRatioAt100.met)}`);
  const totalS = (nowMs() - startedAt) / 1000;
  console.log(`\nTotal bench time: ${totalS.toFixed(1)} s`);

  const ratios = Object.fromEntries(
    (["officialSkipTime", "officialRealTime"] as Runner[]).map((r) => [r, Object.fromEntries(NS.map((n) => [n, ratio(r, n) ?? null]))]),
  );
  console.log("BENCH_JSON " + JSON.stringify({ machine, quick: QUICK, results, ratios, targets, engine: timing, cli, cliInProcess, resume, totalSeconds: totalS }));
}

main().then(
  // The official runner's worker threads are unref'd on teardown; exit explicitly anyway.
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
