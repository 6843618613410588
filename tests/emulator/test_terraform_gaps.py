"""What the Terraform AWS provider needs of the emulator beyond moto: scalable-target tags,
Lambda settings echoed back, AWS-managed IAM policies, and an immediate, non-retryable
error naming any operation nobody implements."""

from __future__ import annotations

import io
import json
import time
import zipfile

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from gpukit.emulator import Emulator

ONCE = Config(retries={"max_attempts": 1, "mode": "standard"})
TARGET = {
    "ServiceNamespace": "sagemaker",
    "ResourceId": "endpoint/chat/variant/AllTraffic",
    "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
}


def test_scalable_target_tags_live_and_die_with_the_target(aws: Emulator) -> None:
    scaling = aws.client("application-autoscaling")
    arn = scaling.register_scalable_target(
        **TARGET, MinCapacity=1, MaxCapacity=2, Tags={"gpukit:env": "dev", "team": "a"}
    )["ScalableTargetARN"]
    assert scaling.list_tags_for_resource(ResourceARN=arn)["Tags"] == {
        "gpukit:env": "dev",
        "team": "a",
    }
    scaling.tag_resource(ResourceARN=arn, Tags={"team": "b", "gpukit:owner": "ana"})
    scaling.untag_resource(ResourceARN=arn, TagKeys=["gpukit:env"])
    assert scaling.list_tags_for_resource(ResourceARN=arn)["Tags"] == {
        "team": "b",
        "gpukit:owner": "ana",
    }
    (listed,) = scaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]
    assert listed["ScalableTargetARN"] == arn
    scaling.deregister_scalable_target(**TARGET)
    with pytest.raises(ClientError) as gone:
        scaling.list_tags_for_resource(ResourceARN=arn)
    assert gone.value.response["Error"]["Code"] == "ResourceNotFoundException"


@pytest.mark.parametrize(
    ("service", "call", "params", "operation"),
    [
        # moto's handler raises NotImplementedError (was: an HTML 500, retried)
        (
            "sagemaker",
            "list_inference_recommendations_jobs",
            {},
            "ListInferenceRecommendationsJobs",
        ),
        # moto has no route at all (was: an HTML 404)
        (
            "lambda",
            "get_function_recursion_config",
            {"FunctionName": "f"},
            "GetFunctionRecursionConfig",
        ),
    ],
)
def test_an_unimplemented_operation_fails_at_once_naming_it(
    aws: Emulator, service: str, call: str, params: dict[str, str], operation: str
) -> None:
    client = aws.client(service, config=ONCE)
    started = time.monotonic()
    with pytest.raises(ClientError) as caught:
        getattr(client, call)(**params)
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Code"] == "NotImplemented"
    assert f"{service}.{operation}" in error["Error"]["Message"]
    assert time.monotonic() - started < 5
    assert error["ResponseMetadata"].get("RetryAttempts", 0) == 0


def _package() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("handler.py", "def handler(event, context):\n    return None\n")
    return buf.getvalue()


def test_lambda_reads_back_dead_letter_and_logging_config(aws: Emulator) -> None:
    role = aws.client("iam").create_role(
        RoleName="fn", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17"})
    )["Role"]["Arn"]
    functions = aws.client("lambda")
    dlq = f"arn:aws:sqs:us-east-1:{aws.account_id}:dlq"
    functions.create_function(
        FunctionName="guard",
        Runtime="python3.11",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": _package()},
        DeadLetterConfig={"TargetArn": dlq},
    )
    config = functions.get_function(FunctionName="guard")["Configuration"]
    assert config["DeadLetterConfig"] == {"TargetArn": dlq}
    assert config["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": "/aws/lambda/guard"}
    functions.update_function_configuration(
        FunctionName="guard", LoggingConfig={"LogFormat": "JSON", "LogGroup": "/gpukit/guard"}
    )
    arn = f"arn:aws:lambda:us-east-1:{aws.account_id}:function:guard"
    again = functions.get_function_configuration(FunctionName=arn)
    assert again["LoggingConfig"] == {"LogFormat": "JSON", "LogGroup": "/gpukit/guard"}
    assert again["DeadLetterConfig"] == {"TargetArn": dlq}


def test_aws_managed_policies_can_be_loaded(aws: Emulator) -> None:
    xray = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
    iam = aws.client("iam", config=ONCE)
    with pytest.raises(ClientError):
        iam.get_policy(PolicyArn=xray)
    aws.load_aws_managed_policies()
    try:
        aws.reset()
        assert iam.get_policy(PolicyArn=xray)["Policy"]["PolicyName"] == "AWSXRayDaemonWriteAccess"
    finally:
        aws.load_aws_managed_policies(False)
        aws.reset()
