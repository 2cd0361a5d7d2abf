// The SDK version durable-node implements (API.md §3.6), shared by the package root and the
// default transport's user agent.

export const SDK_NAME = "aws-durable-execution-sdk-js";
export const SDK_VERSION = "2.4.0";
