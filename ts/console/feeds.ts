// Live updates for the console as Server-Sent Events: one stream for the executions list (the
// rows that changed, from the engine's change feed) and one per open execution (its status and
// last event id, so the page reads its timeline again only when something happened). One timer
// serves every stream and runs only while a stream is open; each tick is one indexed query for
// the list and one per watched execution, whichever process on the database made the change.

import type http from "node:http";

import type { DurableEngine } from "../engine/durable-engine";
import { ExecutionNotFoundError } from "../engine-errors";

const KEEPALIVE_TICKS = 60;

interface Watch {
  clients: Set<http.ServerResponse>;
  version: string;
}

function openStream(req: http.IncomingMessage, res: http.ServerResponse, onClose: () => void): void {
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive", "x-accel-buffering": "no" });
  res.flushHeaders();
  req.socket.setTimeout(0);
  res.once("close", onClose);
}

function send(res: http.ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

export class ConsoleFeeds {
  private readonly listClients = new Set<http.ServerResponse>();
  private readonly watches = new Map<string, Watch>();
  private timer: NodeJS.Timeout | undefined;
  private lastChange = 0;
  private ticks = 0;

  constructor(
    private readonly engine: DurableEngine,
    private readonly intervalMs = 250,
  ) {}

  /** The executions list's stream: `changes` events carry the rows that changed. */
  openList(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.listClients.size === 0) this.lastChange = this.engine.lastExecutionChange();
    openStream(req, res, () => {
      this.listClients.delete(res);
      this.idle();
    });
    this.listClients.add(res);
    send(res, "ready", { changeNo: this.lastChange });
    this.run();
  }

  /** One execution's stream: a `changed` event whenever its status or history moved on. */
  openExecution(req: http.IncomingMessage, res: http.ServerResponse, arn: string): void {
    const version = this.version(arn);
    let watch = this.watches.get(arn);
    if (!watch) this.watches.set(arn, (watch = { clients: new Set(), version }));
    const w = watch;
    openStream(req, res, () => {
      w.clients.delete(res);
      if (w.clients.size === 0) this.watches.delete(arn);
      this.idle();
    });
    w.clients.add(res);
    send(res, "ready", { version });
    this.run();
  }

  /** Ends every stream (the server is closing). */
  close(): void {
    for (const res of [...this.listClients, ...[...this.watches.values()].flatMap((w) => [...w.clients])]) res.end();
    this.listClients.clear();
    this.watches.clear();
    this.idle();
  }

  private version(arn: string): string {
    try {
      const v = this.engine.executionVersion(arn);
      return `${v.status}:${v.lastEventId}`;
    } catch (e) {
      if (e instanceof ExecutionNotFoundError) return "gone";
      throw e;
    }
  }

  private run(): void {
    this.timer ??= setInterval(() => this.tick(), this.intervalMs);
  }

  private idle(): void {
    if (this.timer && this.listClients.size === 0 && this.watches.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private tick(): void {
    try {
      if (this.listClients.size > 0) {
        const changes = this.engine.executionChanges(this.lastChange, 200);
        if (changes.length > 0) {
          this.lastChange = changes[changes.length - 1].changeNo;
          const data = { changeNo: this.lastChange, executions: changes.map((c) => c.execution) };
          for (const res of this.listClients) send(res, "changes", data);
        }
      }
      for (const [arn, watch] of this.watches) {
        const version = this.version(arn);
        if (version === watch.version) continue;
        watch.version = version;
        for (const res of watch.clients) send(res, "changed", { version });
      }
    } catch {
      // A closed engine or a busy database: the next tick tries again; streams stay open.
    }
    // A comment now and then keeps proxies and idle timers from closing quiet streams.
    if (++this.ticks % KEEPALIVE_TICKS === 0) {
      for (const res of [...this.listClients, ...[...this.watches.values()].flatMap((w) => [...w.clients])]) res.write(": keepalive\n\n");
    }
  }
}
