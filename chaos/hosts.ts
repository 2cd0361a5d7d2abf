// Simulated hosts for multi-host tests (needs root): each host is a network namespace joined to
// this machine by a veth pair (10.251.<i>.2 inside, 10.251.<i>.1 on this side), and its worker
// runs in a PID namespace of its own (`unshare --pid --fork --mount-proc`, so its host identity
// differs and no pid is judged across hosts). A throwaway PostgreSQL server (initdb + pg_ctl, as
// the postgres user) listens on the host side of every veth, so taking a link down cuts exactly
// that host off, and the server can be restarted with `-m immediate`. Traffic goes only to
// these addresses. Everything is removed by `teardown()`.

import { execFileSync } from "node:child_process";
import { appendFileSync, chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const PG_PORT = 5499;

export interface Hosts {
  count: number;
  /** The database URL as host `i` reaches it (over its veth). */
  dbUrl(i: number): string;
  /** The database URL from this machine (loopback). */
  localUrl: string;
  /** Command prefix that runs a process on host `i`, in its own PID namespace. */
  prefix(i: number): string[];
  /** Host `i`'s address (its HTTP API binds it). */
  address(i: number): string;
  linkDown(i: number): void;
  linkUp(i: number): void;
  restartPostgres(): void;
  teardown(): void;
}

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"] }).toString();
const tryRun = (cmd: string, args: string[]) => {
  try {
    run(cmd, args);
  } catch {
    /* already gone */
  }
};

function pgBin(name: string): string {
  for (const dir of ["/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin", "/usr/local/bin", "/usr/bin"]) {
    if (existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  throw new Error(`multi-host tests need PostgreSQL's ${name} (apt-get install postgresql)`);
}

/** What is missing for the multi-host tests on this machine, or undefined when all is there. */
export function missingForHosts(): string | undefined {
  if (process.getuid?.() !== 0) return "they need root (network and PID namespaces)";
  for (const tool of ["ip", "unshare", "runuser"]) {
    try {
      run("which", [tool]);
    } catch {
      return `they need ${tool}`;
    }
  }
  try {
    pgBin("initdb");
    pgBin("pg_ctl");
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}

export function createHosts(count: number, tag = String(process.pid % 1000)): Hosts {
  const ns = (i: number) => `dn${tag}h${i}`;
  const outer = (i: number) => `dn${tag}v${i}`;
  const inner = (i: number) => `dn${tag}p${i}`;
  const subnet = (i: number) => `10.251.${i}`;
  const data = mkdtempSync(path.join(os.tmpdir(), "durable-hosts-pg-"));
  chmodSync(data, 0o777);
  const pgdata = path.join(data, "pgdata");
  const teardown = () => {
    tryRun("runuser", ["-u", "postgres", "--", pgBin("pg_ctl"), "-D", pgdata, "-m", "immediate", "stop"]);
    for (let i = 1; i <= count; i++) {
      tryRun("ip", ["link", "del", outer(i)]);
      tryRun("ip", ["netns", "del", ns(i)]);
    }
    rmSync(data, { recursive: true, force: true });
  };
  try {
    for (let i = 1; i <= count; i++) {
      tryRun("ip", ["netns", "del", ns(i)]);
      tryRun("ip", ["link", "del", outer(i)]);
      run("ip", ["netns", "add", ns(i)]);
      run("ip", ["link", "add", outer(i), "type", "veth", "peer", "name", inner(i)]);
      run("ip", ["link", "set", inner(i), "netns", ns(i)]);
      run("ip", ["addr", "add", `${subnet(i)}.1/24`, "dev", outer(i)]);
      run("ip", ["link", "set", outer(i), "up"]);
      run("ip", ["netns", "exec", ns(i), "ip", "addr", "add", `${subnet(i)}.2/24`, "dev", inner(i)]);
      run("ip", ["netns", "exec", ns(i), "ip", "link", "set", inner(i), "up"]);
      run("ip", ["netns", "exec", ns(i), "ip", "link", "set", "lo", "up"]);
    }
    run("runuser", ["-u", "postgres", "--", pgBin("initdb"), "-D", pgdata, "-U", "postgres", "--auth=trust", "-E", "UTF8"]);
    appendFileSync(path.join(pgdata, "pg_hba.conf"), "host all all 10.251.0.0/16 trust\n");
    const listen = ["127.0.0.1", ...Array.from({ length: count }, (_, k) => `${subnet(k + 1)}.1`)].join(",");
    const opts = `-p ${PG_PORT} -k ${data} -c listen_addresses='${listen}' -c max_connections=200 -c fsync=off`;
    execFileSync("runuser", ["-u", "postgres", "--", pgBin("pg_ctl"), "-D", pgdata, "-o", opts, "-l", path.join(data, "server.log"), "-w", "start"], { stdio: "ignore" });
  } catch (e) {
    teardown();
    throw e;
  }
  return {
    count,
    dbUrl: (i) => `postgres://postgres@${subnet(i)}.1:${PG_PORT}/postgres`,
    localUrl: `postgres://postgres@127.0.0.1:${PG_PORT}/postgres`,
    prefix: (i) => ["ip", "netns", "exec", ns(i), "unshare", "--pid", "--fork", "--kill-child", "--mount-proc"],
    address: (i) => `${subnet(i)}.2`,
    linkDown: (i) => run("ip", ["link", "set", outer(i), "down"]),
    linkUp: (i) => run("ip", ["link", "set", outer(i), "up"]),
    // The server's output goes to its log file: a server holding our pipe open would keep the
    // synchronous call from ever returning.
    restartPostgres: () => {
      execFileSync("runuser", ["-u", "postgres", "--", pgBin("pg_ctl"), "-D", pgdata, "-m", "immediate", "-l", path.join(data, "server.log"), "-w", "restart"], { stdio: "ignore" });
    },
    teardown,
  };
}
