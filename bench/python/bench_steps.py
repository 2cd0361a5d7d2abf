# The benchmark's N-step handler (bench/durable.ts) for the official Python SDK:
# for i < N: acc += step(i); the execution's result is the sum.
from aws_durable_execution_sdk_python import DurableContext, durable_execution


@durable_execution
def lambda_handler(event, context: DurableContext):
    acc = 0
    for i in range(event["n"]):
        acc += context.step(lambda step_context, i=i: i)
    return acc


def plain(event, context):
    # Not durable: the Runtime API round trip alone (a chained-invoke target).
    return 0
