// Request bodies read up to a limit: `Content-Length` is checked before anything is read, and
// reading stops at the limit (the rest is drained unread), so an oversized body costs nothing
// to refuse. The AWS API and the console refuse it with RequestTooLargeException; the Runtime
// API decides for itself (readUpTo). A client that goes away before its body ended rejects with
// ClientGoneError: nothing to answer, and the servers log it as a one-line warning.

import type http from "node:http";

import { AwsError } from "./aws-errors";

/** The client closed the connection before the whole request body arrived. */
export class ClientGoneError extends Error {
  constructor(received: number) {
    super(`the client disconnected after ${received} byte(s) of the request body, before its end`);
    this.name = "ClientGoneError";
  }
}

/** The body, or undefined once it went past `limit` bytes. */
export function readUpTo(req: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    let ended = false;
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
    req.on("end", () => {
      ended = true;
      resolve(size > limit ? undefined : Buffer.concat(chunks));
    });
    // Node reports a connection reset mid-body as an "aborted" error, then "close".
    req.on("error", (e: NodeJS.ErrnoException) => reject(e.code === "ECONNRESET" || e.message === "aborted" ? new ClientGoneError(size) : e));
    req.on("close", () => {
      if (!ended) reject(new ClientGoneError(size));
    });
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
