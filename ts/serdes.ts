// Serialization of checkpointed values (API.md §10): the Serdes interface and the built-ins.

export interface SerdesContext {
  entityId: string;
  durableExecutionArn: string;
}

export interface Serdes<T> {
  serialize: (value: T | undefined, context: SerdesContext) => Promise<string | undefined>;
  deserialize: (data: string | undefined, context: SerdesContext) => Promise<T | undefined>;
}

export type AnySerdes = Serdes<any>;
export type AnySerdesDeserializer = Pick<AnySerdes, "deserialize">;

export interface SerdesConfig {
  defaultSerdes?: AnySerdes;
  defaultCallbackDeserializer?: AnySerdesDeserializer;
}

export const defaultSerdes: Serdes<any> = {
  serialize: async (value) => (value === undefined ? undefined : JSON.stringify(value)),
  deserialize: async (data) => (data === undefined ? undefined : JSON.parse(data)),
};

/** Callback results are handed over as the raw text the caller sent. */
export const passThroughSerdes: Serdes<any> = {
  serialize: async (value) => value as string | undefined,
  deserialize: async (data) => data,
};

export function createClassSerdes<T extends object>(cls: new () => T): Serdes<T> {
  return {
    serialize: async (value) => (value === undefined ? undefined : JSON.stringify(value)),
    deserialize: async (data) => (data === undefined ? undefined : Object.assign(new cls(), JSON.parse(data))),
  };
}

export function createClassSerdesWithDates<T extends object>(cls: new () => T, dateProps: string[]): Serdes<T> {
  const base = createClassSerdes(cls);
  return {
    serialize: base.serialize,
    deserialize: async (data, context) => {
      const value = await base.deserialize(data, context);
      if (value === undefined) return value;
      for (const path of dateProps) {
        const parts = path.split(".");
        let holder: any = value;
        for (const part of parts.slice(0, -1)) holder = holder?.[part];
        const last = parts[parts.length - 1];
        if (holder && holder[last]) holder[last] = new Date(holder[last]);
      }
      return value;
    },
  };
}
