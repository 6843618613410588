"""The emulator holding several accounts: AssumeRole only into a role that exists, and
each account's emulated PTUs its own (moto's own services key state by account id)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from gpukit.emulator import Emulator

MEMBER = "210987654321"
BASE = "amazon.titan-text-express-v1:0:8k"
MODEL = "arn:aws:bedrock:us-east-1:{account}:custom-model/" + BASE + "/model0000001"


def test_assume_role_into_a_missing_role_is_access_denied(aws: Emulator) -> None:
    with pytest.raises(ClientError) as err:
        aws.account_client(MEMBER, "nope", "sts")
    assert err.value.response["Error"]["Code"] == "AccessDenied"
    assert f"arn:aws:iam::{MEMBER}:role/nope" in err.value.response["Error"]["Message"]
    aws.create_role(MEMBER, "nope")
    assert aws.account_client(MEMBER, "nope", "sts").get_caller_identity()["Account"] == MEMBER


def test_each_account_sees_only_its_own_ptus_and_endpoints(aws: Emulator) -> None:
    aws.create_role(MEMBER, "r")
    member = aws.account_client(MEMBER, "r", "bedrock")
    arn = member.create_provisioned_model_throughput(
        provisionedModelName="p", modelId=MODEL.format(account=MEMBER), modelUnits=1
    )["provisionedModelArn"]
    assert f":{MEMBER}:" in arn
    own = aws.client("bedrock").list_provisioned_model_throughputs()["provisionedModelSummaries"]
    assert own == []
    listed = member.list_provisioned_model_throughputs()["provisionedModelSummaries"]
    assert [p["provisionedModelArn"] for p in listed] == [arn]
    tagging = aws.account_client(MEMBER, "r", "resourcegroupstaggingapi")
    member.tag_resource(resourceARN=arn, tags=[{"key": "k", "value": "v"}])
    mapped = tagging.get_resources()["ResourceTagMappingList"]
    assert [m["ResourceARN"] for m in mapped] == [arn]
    assert aws.client("resourcegroupstaggingapi").get_resources()["ResourceTagMappingList"] == []
