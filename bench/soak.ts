// `npm run soak`: bounded storage under continuous load (issue 9 §2). Starts executions at a
// steady rate (default 150/s) for a fixed time (default 10 minutes) against a real
// `durable-node worker` process on a SQLite file, SIGKILLs the worker and starts a new one every
// 30 s, and prints over time the size of the -wal file (largest since the last line), of the
// database, and the worker's resident memory. At the end it waits for every execution to
// finish and counts the lost ones: any that did not end SUCCEEDED with the result its input
// implies. Exit status 1 when an execution was lost or the WAL went past 64 MiB.
//
//   npm run soak -- --minutes 3 [--rate 150] [--kill-every 30] [--concurrency 32] [--db FILE]
//
// The starts come from this process, through its own engine on the same file (as
// `durable-node start` would), so they go on while the worker is down.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { Command } from "commander";

import { DurableEngine } from "../dist/index";
import { call } from "../dist/native";

const MiB = 1024 * 1024;
const WAL_TARGET = 64 * MiB;
const ROOT = path.join(__dirname, "..");
const CLI = path.join(ROOT, "bin", "durable-node.js");

const options = new Command("soak")
  .option("--minutes <n>", "how long to keep starting executions", "10")
  .option("--rate <n>", "executions started per second", "150")
  .option("--kill-every <s>", "SIGKILL and restart the worker every this many seconds", "30")
  .option("--concurrency <n>", "the worker's --concurrency", "32")
  .option("--pad <bytes>", "input padding per execution (bytes)", "512")
  .option("--db <file>", "database file (default: a new one in a temporary directory)")
  .parse()
  .opts<{ minutes: string; rate: string; killEvery: string; concurrency: string; pad: string; db?: string }>();

const minutes = Number(options.minutes);
const rate = Number(options.rate);
const killEveryMs = Number(options.killEvery) * 1000;
const pad = "p".repeat(Number(options.pad));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "durable-soak-"));
const db = options.db ?? path.join(dir, "soak.db");
const config = path.join(dir, "durable.config.json");
fs.writeFileSync(config, JSON.stringify({ functions: { soak: { handler: path.join(__dirname, "handlers", "soak.ts") } } }));

const size = (file: string): number => {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
};
const mb = (bytes: number): string => (bytes / MiB).toFixed(1);

function rssOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return Number(kb ?? 0) * 1024;
  } catch {
    return 0;
  }
}

class WorkerChild {
  child: ChildProcess | undefined;
  restarts = 0;

  async start(): Promise<void> {
    const child = spawn(process.execPath, [CLI, "worker", "--db", db, "--config", config, "--port", "0", "--concurrency", options.concurrency], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    let out = "";
    child.stderr!.setEncoding("utf8").on("data", (s: string) => process.stderr.write(`worker: ${s}`));
    await new Promise<void>((resolve, reject) => {
      const onData = (s: string) => {
        out += s;
        if (/worker ready/.test(out)) {
          child.stdout!.removeListener("data", onData);
          child.stdout!.resume(); // the operation log is not read
          resolve();
        }
      };
      child.stdout!.setEncoding("utf8").on("data", onData);
      child.once("exit", (code, signal) => reject(new Error(`worker exited (${code ?? signal}) before it was ready:\n${out}`)));
    });
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
  }
}

function counts(engine: DurableEngine): Record<string, number> {
  return Object.fromEntries(engine.metrics().executionsByStatus.map((c) => [c.name, c.count]));
}

async function main(): Promise<number> {
  console.log(`soak: ${minutes} min, ${rate} starts/s, worker SIGKILLed every ${killEveryMs / 1000} s, concurrency ${options.concurrency}, db ${db}`);
  const worker = new WorkerChild();
  await worker.start();
  const engine = DurableEngine.open({ path: db });
  const started: { arn: string; n: number }[] = [];
  const t0 = Date.now();
  const endAt = t0 + minutes * 60_000;
  let walMax = 0;
  let walSinceLine = 0;
  const rssAtKill: number[] = [];
  let nextKill = t0 + killEveryMs;
  let nextLine = t0 + 10_000;
  let killing: Promise<void> | undefined;

  const sample = () => {
    const wal = size(`${db}-wal`);
    walMax = Math.max(walMax, wal);
    walSinceLine = Math.max(walSinceLine, wal);
  };
  console.log("  time  started  succeeded  running  wal-max(MiB)  db(MiB)  worker-rss(MiB)  restarts");
  const line = () => {
    const c = counts(engine);
    const t = ((Date.now() - t0) / 1000).toFixed(0).padStart(5);
    console.log(
      `${t}s ${String(started.length).padStart(8)} ${String(c.SUCCEEDED ?? 0).padStart(10)} ${String(c.RUNNING ?? 0).padStart(8)} ${mb(walSinceLine).padStart(13)} ${mb(size(db)).padStart(8)} ${(rssOf(worker.child?.pid) ? mb(rssOf(worker.child?.pid)) : "(restarting)").padStart(16)} ${String(worker.restarts).padStart(9)}`,
    );
    walSinceLine = 0;
  };

  // Starts in slices of 100 ms, catching up if a slice ran late (a start waits while the
  // worker holds the write lock).
  let due = 0;
  while (Date.now() < endAt) {
    due = Math.floor(((Date.now() - t0) / 1000) * rate);
    while (started.length < due) {
      const n = started.length;
      const { execution } = call(() => engine.native.startExecution("soak", `soak-${n}`, JSON.stringify({ n, pad })));
      started.push({ arn: execution.DurableExecutionArn, n });
    }
    sample();
    if (Date.now() >= nextKill && !killing) {
      nextKill += killEveryMs;
      rssAtKill.push(rssOf(worker.child?.pid));
      killing = worker
        .kill()
        .then(() => worker.start())
        .then(() => {
          worker.restarts++;
          killing = undefined;
        });
    }
    if (Date.now() >= nextLine) {
      nextLine += 10_000;
      line();
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  await killing;
  console.log(`starting stopped at ${started.length} executions; waiting for them to finish`);
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline && (counts(engine).SUCCEEDED ?? 0) + (counts(engine).FAILED ?? 0) < started.length) {
    sample();
    await new Promise((r) => setTimeout(r, 200));
  }
  line();
  let lost = 0;
  const examples: string[] = [];
  for (const { arn, n } of started) {
    const record = engine.get(arn);
    const expected = JSON.stringify({ n, value: n * 2 + 1, size: pad.length });
    if (record.Status !== "SUCCEEDED" || record.Result !== expected) {
      lost++;
      if (examples.length < 5) examples.push(`${arn}: ${record.Status} ${record.Result ?? JSON.stringify(record.Error)}`);
    }
  }
  await worker.kill();
  engine.close();
  const rss = rssAtKill.map((r) => mb(r));
  console.log(`executions: ${started.length} started, ${lost} lost${examples.length ? `\n  ${examples.join("\n  ")}` : ""}`);
  console.log(`wal: largest ${mb(walMax)} MiB (target ≤ ${mb(WAL_TARGET)} MiB); database ${mb(size(db))} MiB`);
  console.log(`worker rss before each SIGKILL (MiB): ${rss.join(" ")}`);
  if (!options.db) fs.rmSync(dir, { recursive: true, force: true });
  return lost === 0 && walMax <= WAL_TARGET ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
