// The typed error bridge: every engine error variant (crates/engine/src/error.rs, thrown here
// through the real napi error path) is rebuilt as the exported class of its code, with its AWS
// name, message and fields; and every class the TS layer maps is a variant the engine has.
import { describe, expect, it } from "vitest";

import * as exported from "../ts/index";
import { BY_CODE, DurableNodeError, fromNativeError, type EngineErrorInfo } from "../ts/engine-errors";
import { native } from "../ts/native";

/** Each variant as Rust describes it, and as the TS layer rebuilds it. */
function samples(): { info: EngineErrorInfo; error: DurableNodeError }[] {
  const out: { info: EngineErrorInfo; error: DurableNodeError }[] = [];
  for (let i = 0; ; i++) {
    let returned: unknown;
    try {
      returned = native.engineErrorSample(i);
    } catch (e) {
      out.push({ info: JSON.parse((e as Error).message) as EngineErrorInfo, error: fromNativeError(e) as DurableNodeError });
      continue;
    }
    expect(returned).toBeNull();
    return out;
  }
}

describe("engine errors cross napi as typed classes", () => {
  const described = samples();
  const errors = described.map((d) => d.error);

  it("walks every Rust variant", () => {
    expect(errors.length).toBe(18);
    expect(new Set(errors.map((e) => e.code)).size).toBe(errors.length);
  });

  it("rebuilds each variant as the exported class of its code, with its AWS name and fields", () => {
    for (const e of errors) {
      const Class = BY_CODE[e.code];
      expect(Class, `a class for ${e.code}`).toBeDefined();
      expect(e).toBeInstanceOf(Class);
      expect(e).toBeInstanceOf(DurableNodeError);
      expect((exported as Record<string, unknown>)[Class.name], `${Class.name} is exported`).toBe(Class);
      const info = described.find((d) => d.error === e)!.info;
      expect(e.awsName, `${e.code}'s AWS name`).toBe(info.awsName);
      expect(e.message).toBe(info.message);
      expect(e.fields).toEqual(info.fields);
      expect(e.name).toBe(Class.name);
      expect(e.message.startsWith("{")).toBe(false);
    }
    expect(Object.keys(BY_CODE).sort()).toEqual(errors.map((e) => e.code).sort());
  });

  it("keeps the fields the message names, including the step name the user wrote", () => {
    const checkpoint = errors.find((e) => e.code === "ERR_INVALID_CHECKPOINT")!;
    expect(checkpoint.fields).toMatchObject({ operationId: "c4ca4238a0b92382", operationName: "charge", action: "START" });
    expect(checkpoint.message).toContain('("charge")');
    expect(errors.find((e) => e.code === "ERR_PAYLOAD_TOO_LARGE")!.fields).toMatchObject({ size: "2", limit: "1" });
    expect(errors.find((e) => e.code === "ERR_CALLBACK_CLOSED")!.awsName).toBe("CallbackTimeoutException");
  });
});
