import { createHash } from "node:crypto";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { withDurableExecution } from "@aws/durable-execution-sdk-js";

// Marks, outside the process, that this execution has crashed once already.
const crashMarker = (arn: string) => path.join(os.tmpdir(), `durable-conformance-3-12-${createHash("sha256").update(arn).digest("hex").slice(0, 16)}`);

export const handler = withDurableExecution(async (event: string, context) => {
  const marker = crashMarker(context.executionContext.durableExecutionArn);
  const result = await context.runInChildContext(async (child) => {
    return await child.step(async () => {
      if (!existsSync(marker)) {
        writeFileSync(marker, "crashed");
        // Let the StepStarted checkpoint go out, then crash before the step completes.
        await new Promise((resolve) => setTimeout(resolve, 200));
        process.exit(1);
      }
      return event;
    });
  });
  rmSync(marker, { force: true });
  return result;
});
