// Looking into a database file written by another process, through the programmatic API.

import { DurableEngine } from "../../ts/index";

/** Opens an engine on `db` (no skipTime: reading must not move any clock), runs `fn`, closes it. */
export function inspectDb<T>(db: string, fn: (engine: DurableEngine) => T): T {
  const engine = DurableEngine.open({ path: db });
  try {
    return fn(engine);
  } finally {
    engine.close();
  }
}

export type HistoryEvent = Record<string, any>;

export function historyOf(db: string, arnOrName: string): HistoryEvent[] {
  return inspectDb(db, (engine) => engine.history(arnOrName) as HistoryEvent[]);
}
