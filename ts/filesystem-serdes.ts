// createFileSystemSerdes (API.md §10.5): a serdes that keeps values in JSON files under a base
// directory (meant for a shared, durable mount such as EFS or S3 Files — not a per-instance
// /tmp) and checkpoints only a small envelope:
//   {"file":"<path>"} / {"file":"<path>","preview":{…}}   value in a file
//   {"data":"<JSON of the value>"}                         value inline (OVERFLOW mode, small)
//
// Layout: <basePath>/<functionName>/<executionName>/<invocationId>/<encode(entityId)>.json when
// the ARN is a Lambda durable-execution ARN and the encoding is URI; otherwise
// <basePath>/<encode(arn)>/<encode(entityId)>.json. encode = encodeURIComponent (URI) or the
// SHA-256 hex digest (HASH).

import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import type { AnySerdes, SerdesContext } from "./serdes";

export { FieldMatchMode, PreviewMode, buildPreview } from "./preview";
export type { PreviewField, PreviewConfig } from "./preview";

/** When values go to a file. */
export enum FileSystemSerdesMode {
  /** Every value is written to a file. Default. */
  ALWAYS = "ALWAYS",
  /** Values stay inline unless the envelope would exceed the checkpoint limit less 1 KiB. */
  OVERFLOW = "OVERFLOW",
}

/** How the execution ARN (directory) and entity id (file name) become path segments. */
export enum FileSystemPathEncoding {
  /** Readable: encodeURIComponent, and function/execution/invocation directories for Lambda ARNs. Default. */
  URI = "URI",
  /** SHA-256 hex digests: fixed length, always safe. */
  HASH = "HASH",
}

export interface FileSystemSerdesConfig {
  /** Default FileSystemSerdesMode.ALWAYS. */
  storageMode?: FileSystemSerdesMode;
  /** Default FileSystemPathEncoding.URI. */
  pathEncoding?: FileSystemPathEncoding;
  /** An excerpt stored in the envelope next to the file pointer (see buildPreview). */
  generatePreview?: (value: unknown) => Record<string, unknown> | undefined;
}

/** The checkpoint size limit (256 KiB) less 1 KiB of headroom for the envelope and metadata. */
const OVERFLOW_THRESHOLD = 256 * 1024 - 1024;

/** arn:<p>:lambda:<region>:<account>:function:<name>:<qualifier>/durable-execution/<execution>/<invocation> */
const DURABLE_EXECUTION_ARN = /^arn:[^:]*:lambda:[^:]*:[^:]*:function:([^:/]+):[^:/]+\/durable-execution\/([^/]+)\/([^/]+)$/;

function encodeSegment(value: string, encoding: FileSystemPathEncoding): string {
  return encoding === FileSystemPathEncoding.HASH ? createHash("sha256").update(value).digest("hex") : encodeURIComponent(value);
}

function executionDirectory(basePath: string, arn: string, encoding: FileSystemPathEncoding): string {
  if (encoding === FileSystemPathEncoding.URI) {
    const parts = DURABLE_EXECUTION_ARN.exec(arn);
    if (parts) return path.join(basePath, parts[1], parts[2], parts[3]);
  }
  return path.join(basePath, encodeSegment(arn, encoding));
}

export function createFileSystemSerdes(basePath: string, config: FileSystemSerdesConfig = {}): AnySerdes {
  const storageMode = config.storageMode ?? FileSystemSerdesMode.ALWAYS;
  const encoding = config.pathEncoding ?? FileSystemPathEncoding.URI;

  const toFile = async (value: unknown, context: SerdesContext): Promise<string> => {
    const dir = executionDirectory(basePath, context.durableExecutionArn, encoding);
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, `${encodeSegment(context.entityId, encoding)}.json`);
    await writeFile(file, JSON.stringify(value), "utf8");
    const preview = config.generatePreview?.(value);
    return JSON.stringify(preview ? { file, preview } : { file });
  };

  return {
    serialize: async (value, context) => {
      if (value === undefined) return undefined;
      if (storageMode === FileSystemSerdesMode.ALWAYS) return toFile(value, context);
      const inline = JSON.stringify({ data: JSON.stringify(value) });
      return Buffer.byteLength(inline, "utf8") > OVERFLOW_THRESHOLD ? toFile(value, context) : inline;
    },
    deserialize: async (data) => {
      if (data === undefined) return undefined;
      const envelope = JSON.parse(data) as { file?: string; data?: string };
      if ("file" in envelope) return JSON.parse(await readFile(envelope.file as string, "utf8"));
      return JSON.parse(envelope.data as string);
    },
  };
}
