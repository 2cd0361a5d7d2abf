// Type-check only: the transport, file-system serdes, preview and log-config exports, used as
// handler code written against the official SDK's types uses them.
import { LambdaClient } from "@aws-sdk/client-lambda";
import {
  DurableExecutionApiClient,
  FieldMatchMode,
  FileSystemPathEncoding,
  FileSystemSerdesMode,
  PreviewMode,
  buildPreview,
  createFileSystemSerdes,
  refreshLogConfig,
  withDurableExecution,
  type AnySerdes,
  type DurableContext,
  type DurableExecutionClient,
  type DurableExecutionConfig,
  type FileSystemSerdesConfig,
  type PreviewConfig,
  type PreviewField,
} from "@aws/durable-execution-sdk-js";

const lambda = new LambdaClient({ region: "us-east-1" });
const transport: DurableExecutionClient = new DurableExecutionApiClient(lambda);
const defaultTransport: DurableExecutionClient = new DurableExecutionApiClient();
const withClient: DurableExecutionConfig = { client: lambda };
const withTransport: DurableExecutionConfig = { durableExecutionClient: transport };

const fields: PreviewField[] = [{ name: "id" }, { name: "user.email", match: FieldMatchMode.PATH }];
const previewConfig: PreviewConfig = { mode: PreviewMode.EXCLUDE_ALL, include: fields, mask: [{ name: "email" }], maskString: "•••", maxPreviewBytes: 512 };
const preview: Record<string, unknown> | undefined = buildPreview({ id: 1 }, previewConfig);

const fsConfig: FileSystemSerdesConfig = {
  storageMode: FileSystemSerdesMode.OVERFLOW,
  pathEncoding: FileSystemPathEncoding.HASH,
  generatePreview: (value) => buildPreview(value, previewConfig),
};
const fileSerdes: AnySerdes = createFileSystemSerdes("/mnt/efs", fsConfig);

export const handler = withDurableExecution(async (event: { id: string }, context: DurableContext) => {
  refreshLogConfig();
  context.configureSerdes({ defaultSerdes: fileSerdes });
  return context.step("load", async () => ({ id: event.id, preview }), { serdes: createFileSystemSerdes("/mnt/s3") });
}, withClient);

export const other = withDurableExecution(async () => "ok", withTransport);
export const clients = [transport, defaultTransport];
