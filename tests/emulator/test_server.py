"""The layer in front of moto: tagging merge, fault injection, call log, reset."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from gpukit.emulator import Emulator, start_emulator
from tests.emulator.botocore_check import output_problems, record_raw
from tests.emulator.conftest import ONE_TRY, make_endpoint, make_ptu


def all_resources(emu: Emulator, **kwargs: Any) -> dict[str, dict[str, str]]:
    pages = emu.client("resourcegroupstaggingapi").get_paginator("get_resources").paginate(**kwargs)
    return {
        r["ResourceARN"]: {t["Key"]: t["Value"] for t in r["Tags"]}
        for page in pages
        for r in page["ResourceTagMappingList"]
    }


# ---------------------------------------------------------------- tagging API


def test_get_resources_lists_ptus_and_moto_endpoints(aws: Emulator) -> None:
    ptu = make_ptu(aws, "dev-ptu", {"gpukit:env": "dev"})
    make_ptu(aws, "untagged-ptu")
    endpoint = make_endpoint(aws, "dev-ep", {"gpukit:env": "dev"})
    make_endpoint(aws, "prod-ep", {"gpukit:env": "prod"})

    tagging = aws.client("resourcegroupstaggingapi")
    raw = record_raw(tagging)
    parsed = tagging.get_resources()
    assert output_problems(tagging, "GetResources", parsed, raw["GetResources"]) == []

    everything = all_resources(aws)
    assert everything[ptu] == {"gpukit:env": "dev"}
    assert everything[endpoint] == {"gpukit:env": "dev"}
    assert len([a for a in everything if ":provisioned-model/" in a]) == 1  # untagged: absent

    types = ["bedrock:provisioned-model", "sagemaker:endpoint"]
    dev = all_resources(
        aws, ResourceTypeFilters=types, TagFilters=[{"Key": "gpukit:env", "Values": ["dev"]}]
    )
    assert set(dev) == {ptu, endpoint}
    assert set(all_resources(aws, ResourceTypeFilters=["bedrock:provisioned-model"])) == {ptu}
    assert set(all_resources(aws, ResourceTypeFilters=["bedrock"])) == {ptu}


def test_get_resources_paginates_through_moto_then_ptus(aws: Emulator) -> None:
    ptus = {make_ptu(aws, f"ptu-{i}", {"team": "a"}) for i in range(3)}
    endpoints = {make_endpoint(aws, f"ep-{i}", {"team": "a"}) for i in range(2)}
    tagging = aws.client("resourcegroupstaggingapi")
    seen: list[str] = []
    token = ""
    pages = 0
    while True:
        page = tagging.get_resources(
            ResourcesPerPage=2,
            PaginationToken=token,
            ResourceTypeFilters=["bedrock:provisioned-model", "sagemaker:endpoint"],
        )
        assert len(page["ResourceTagMappingList"]) <= 2
        seen += [r["ResourceARN"] for r in page["ResourceTagMappingList"]]
        pages += 1
        token = page["PaginationToken"]
        if not token:
            break
    assert sorted(seen) == sorted(ptus | endpoints)
    assert pages >= 3


def test_tag_and_untag_resources_through_the_tagging_api(aws: Emulator) -> None:
    ptu = make_ptu(aws, "tag-me", {"a": "1"})
    endpoint = make_endpoint(aws, "tag-me-too", {"a": "1"})
    missing = "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/zzzzzzzzzzzz"
    tagging = aws.client("resourcegroupstaggingapi")
    out = tagging.tag_resources(
        ResourceARNList=[ptu, endpoint, missing],
        Tags={"gpukit:marked": "teardown@2026-11-23T00:00:00Z"},
    )
    assert set(out["FailedResourcesMap"]) == {missing}
    tagging.untag_resources(ResourceARNList=[ptu, endpoint], TagKeys=["a"])
    tags = all_resources(aws)
    assert tags[ptu] == tags[endpoint] == {"gpukit:marked": "teardown@2026-11-23T00:00:00Z"}
    bedrock_view = aws.client("bedrock").list_tags_for_resource(resourceARN=ptu)["tags"]
    assert bedrock_view == [{"key": "gpukit:marked", "value": "teardown@2026-11-23T00:00:00Z"}]


# ---------------------------------------------------------------- faults


def test_fault_fails_n_times_then_succeeds(aws: Emulator) -> None:
    make_endpoint(aws, "flaky")
    aws.inject_fault("sagemaker.DescribeEndpoint", status=500, code="InternalFailure", times=2)
    sm = aws.client("sagemaker", config=ONE_TRY)
    for _ in range(2):
        with pytest.raises(ClientError) as info:
            sm.describe_endpoint(EndpointName="flaky")
        assert info.value.response["Error"]["Code"] == "InternalFailure"
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert sm.describe_endpoint(EndpointName="flaky")["EndpointName"] == "flaky"
    assert aws.pending_faults() == 0


def test_match_limits_a_fault_to_one_resource(aws: Emulator) -> None:
    make_endpoint(aws, "victim")
    make_endpoint(aws, "bystander")
    aws.inject_fault(
        "sagemaker.DeleteEndpoint", status=400, code="ThrottlingException", match="victim", times=1
    )
    sm = aws.client("sagemaker", config=ONE_TRY)
    sm.delete_endpoint(EndpointName="bystander")
    with pytest.raises(ClientError) as info:
        sm.delete_endpoint(EndpointName="victim")
    assert info.value.response["Error"]["Code"] == "ThrottlingException"
    sm.delete_endpoint(EndpointName="victim")
    assert sm.list_endpoints()["Endpoints"] == []


def test_botocore_retries_an_injected_throttle(aws: Emulator) -> None:
    make_ptu(aws, "throttled")
    aws.inject_fault(
        "bedrock.GetProvisionedModelThroughput", status=429, code="ThrottlingException", times=2
    )
    bedrock = aws.client("bedrock", config=Config(retries={"mode": "standard", "max_attempts": 3}))
    got = bedrock.get_provisioned_model_throughput(provisionedModelId="throttled")
    assert got["ResponseMetadata"]["RetryAttempts"] == 2
    assert aws.calls.count("bedrock.GetProvisionedModelThroughput") == 3


def _metric_data(e: Emulator) -> Any:
    return e.client("cloudwatch", config=ONE_TRY).get_metric_data(
        MetricDataQueries=[{"Id": "q", "Expression": "SUM(METRICS())"}],
        StartTime="2026-11-01T00:00:00Z",
        EndTime="2026-11-02T00:00:00Z",
    )


def _publish(e: Emulator) -> Any:
    topic = "arn:aws:sns:us-east-1:123456789012:t"
    return e.client("sns", config=ONE_TRY).publish(TopicArn=topic, Message="m")


def _list_ptus(e: Emulator) -> Any:
    return e.client("bedrock", config=ONE_TRY).list_provisioned_model_throughputs()


def _put_item(e: Emulator) -> Any:
    item = {"pk": {"S": "x"}}
    return e.client("dynamodb", config=ONE_TRY).put_item(TableName="audit", Item=item)


@pytest.mark.parametrize(
    ("operation", "call"),
    [
        ("cloudwatch.GetMetricData", _metric_data),
        ("sns.Publish", _publish),
        ("bedrock.ListProvisionedModelThroughputs", _list_ptus),
        ("dynamodb.PutItem", _put_item),
    ],
)
def test_faults_speak_each_protocol(aws: Emulator, operation: str, call: Any) -> None:
    """Errors in each protocol botocore speaks to these services parse back to their code."""
    aws.inject_fault(operation, status=400, code="ThrottlingException")
    with pytest.raises(ClientError) as info:
        call(aws)
    assert info.value.response["Error"]["Code"] == "ThrottlingException"
    assert aws.calls == [operation]


def test_inject_fault_rejects_unknown_operations(aws: Emulator) -> None:
    with pytest.raises(ValueError, match="no operation"):
        aws.inject_fault("sagemaker.DeleteEndpoints")
    with pytest.raises(ValueError, match="look like"):
        aws.inject_fault("DeleteEndpoint")


def test_clear_faults(aws: Emulator) -> None:
    aws.inject_fault("bedrock.ListProvisionedModelThroughputs", times=5)
    aws.clear_faults()
    assert (
        aws.client("bedrock", config=ONE_TRY).list_provisioned_model_throughputs()[
            "provisionedModelSummaries"
        ]
        == []
    )


# ---------------------------------------------------------------- call log and reset


def test_call_log_names_every_operation(aws: Emulator) -> None:
    make_ptu(aws, "logged")
    aws.client("sagemaker").list_endpoints()
    aws.client("cloudwatch").list_metrics()
    aws.client("resourcegroupstaggingapi").get_resources()
    assert aws.calls == [
        "bedrock.CreateProvisionedModelThroughput",
        "sagemaker.ListEndpoints",
        "cloudwatch.ListMetrics",
        "resourcegroupstaggingapi.GetResources",
    ]
    assert aws.call_counts()["sagemaker.ListEndpoints"] == 1


def test_reset_forgets_everything(aws: Emulator) -> None:
    make_ptu(aws, "gone", {"a": "b"})
    make_endpoint(aws, "gone-too")
    aws.inject_fault("sagemaker.ListEndpoints", times=3)
    aws.reset()
    assert aws.calls == [] and aws.pending_faults() == 0
    assert aws.client("sagemaker").list_endpoints()["Endpoints"] == []
    assert (
        aws.client("bedrock").list_provisioned_model_throughputs()["provisionedModelSummaries"]
        == []
    )
    assert all_resources(aws) == {}


def test_standalone_emulator_as_context_manager() -> None:
    with start_emulator() as emu:
        assert emu.endpoint_url.startswith("http://127.0.0.1:")
        assert isinstance(emu.client("sagemaker").list_endpoints()["Endpoints"], list)
    with pytest.raises(Exception):  # noqa: B017 - the port is closed: any connection error
        emu.client("sagemaker", config=ONE_TRY).list_endpoints()


def test_other_services_pass_through_to_moto_unchanged(aws: Emulator) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="snapshots")
    s3.put_object(Bucket="snapshots", Key="ptu.json", Body=b'{"modelUnits": 1}')
    assert s3.head_object(Bucket="snapshots", Key="ptu.json")["ContentLength"] == 17
    assert s3.get_object(Bucket="snapshots", Key="ptu.json")["Body"].read() == b'{"modelUnits": 1}'
    assert aws.calls[-2:] == ["s3.HeadObject", "s3.GetObject"]
