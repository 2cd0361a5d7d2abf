// Request bodies read up to a limit: `Content-Length` is checked before anything is read, and
// reading stops at the limit (the rest is drained unread), so an oversized body costs nothing
// to refuse. The AWS API and the console refuse it with RequestTooLargeException; the Runtime
// API decides for itself (readUpTo).

import type http from "node:http";

import { AwsError } from "./aws-errors";

/** The body, or undefined once it went past `limit` bytes. */
export function readUpTo(req: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.resume();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Reads the body up to `limit` bytes; rejects with RequestTooLargeException past it. */
export async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? NaN);
  const tooLarge = () => new AwsError("RequestTooLargeException", `Request must be smaller than ${limit} bytes for this operation`);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  const body = await readUpTo(req, limit);
  if (body === undefined) throw tooLarge();
  return body;
}
