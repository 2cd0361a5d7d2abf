// A problem with how the command was called: reported in one line, exit status 2.

export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Runs a check whose failure is a usage error (exit 2, one line). */
export function usage<T>(check: () => T): T {
  try {
    return check();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
