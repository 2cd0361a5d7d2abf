// The one place that loads the napi addon. Every native call goes through `call`, which turns
// engine errors into their typed classes (engine-errors.ts).

import type * as Native from "../index";
import { fromNativeError } from "./engine-errors";

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const native: typeof Native = require("../index.js");

export type NativeEngine = Native.NativeEngine;
export type NativeInvocation = Native.NativeInvocation;
export type InvocationTask = Native.InvocationTask;
export type ExecutionRecord = Native.ExecutionRecord;

export function call<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw fromNativeError(e);
  }
}

export async function callAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw fromNativeError(e);
  }
}
