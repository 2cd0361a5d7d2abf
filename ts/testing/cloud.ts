// CloudDurableTestRunner: in the official package it drives a function deployed on AWS Lambda.
// durable-node has no cloud side, so this placeholder only keeps test files that import it
// (e.g. to choose the cloud or the local runner by an environment variable) loadable: using it
// throws, and LocalDurableTestRunner is the runner to use.

import type { DurableOperation, DurableTestRunner, InvocationType, InvokeRequest, TestResult } from "./types";

export interface CloudDurableTestRunnerConfig {
  pollInterval?: number;
  invocationType?: InvocationType;
}

export interface CloudDurableTestRunnerParameters {
  functionName: string;
  /** A LambdaClient of @aws-sdk/client-lambda in the official package. */
  client?: unknown;
  config?: CloudDurableTestRunnerConfig;
}

const UNAVAILABLE =
  "CloudDurableTestRunner is not available in durable-node/testing: durable-node runs durable functions in process, with no deployed Lambda function to drive. Use LocalDurableTestRunner.";

export class CloudDurableTestRunner<TResult = any> implements DurableTestRunner<DurableOperation, TResult> {
  constructor(_params: CloudDurableTestRunnerParameters) {
    throw new Error(UNAVAILABLE);
  }
  run(_params?: InvokeRequest): Promise<TestResult<TResult>> {
    throw new Error(UNAVAILABLE);
  }
  getOperation(_name: string, _index?: number): DurableOperation {
    throw new Error(UNAVAILABLE);
  }
  getOperationByIndex(_index: number): DurableOperation {
    throw new Error(UNAVAILABLE);
  }
  getOperationByNameAndIndex(_name: string, _index: number): DurableOperation {
    throw new Error(UNAVAILABLE);
  }
  getOperationById(_id: string): DurableOperation {
    throw new Error(UNAVAILABLE);
  }
  reset(): void {
    throw new Error(UNAVAILABLE);
  }
}
