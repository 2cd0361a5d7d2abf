# The tutorial's Python handler (../shared/seed/order_processing.py) for the official
# aws-durable-execution-sdk-python, which runs it here unchanged, as on Lambda:
#   npx durable-node run examples/order_processing.py --input '{"orderId":"o-1"}'
#
# One correction, in the two `context.step` calls: the tutorial passes zero-argument lambdas
# (`lambda: validate_order(order_id)`), but the SDK (3.0.0) calls a step function with a step
# context, so as written the first step fails with a TypeError — on AWS as here — is retried,
# and the execution ends with a StepError. A @durable_step function is called with its own
# arguments and receives the step context first (`def validate_order(step_context, order_id)`);
# an inline step takes that context as its one parameter.
from aws_durable_execution_sdk_python import DurableContext, durable_execution, durable_step
from aws_durable_execution_sdk_python.config import Duration


@durable_step
def validate_order(step_context, order_id):
    # Logic to validate order
    return {"status": "valid"}


@durable_execution
def lambda_handler(event, context: DurableContext):
    order_id = event['orderId']

    # Step 1: Call the decorated step function
    # Note: context.step is used to wrap inline logic or calls
    validation = context.step(
        validate_order(order_id),
        name="validate-order"
    )

    # Step 2: Wait using the Duration config
    context.wait(Duration.from_seconds(10))

    # Step 3: Finalize
    result = context.step(
        lambda step_context: {"status": "confirmed", "id": order_id},
        name="finalize"
    )

    return result
