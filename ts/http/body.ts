// Request bodies read up to a limit: `Content-Length` is checked before anything is read, and
// reading stops at the limit, so an oversized body costs nothing to refuse.

import type http from "node:http";

import { AwsError } from "./aws-errors";

/** Reads the body up to `limit` bytes; rejects with RequestTooLargeException past it. */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(new AwsError("RequestTooLargeException", `Request must be smaller than ${limit} bytes for this operation`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        reject(new AwsError("RequestTooLargeException", `Request must be smaller than ${limit} bytes for this operation`));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
