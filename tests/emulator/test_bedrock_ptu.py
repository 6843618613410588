"""The emulated Bedrock Provisioned Throughput API, over real HTTP with boto3."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from gpukit.emulator import Emulator
from gpukit.emulator.bedrock_ptu import add_months, checked_response
from gpukit.emulator.operations import service_model
from tests.emulator.botocore_check import output_problems, record_raw

#: A base model the user guide lets you buy without commitment (most base models cannot).
NOVA = "amazon.nova-lite-v1:0"
NOVA_ARN = f"arn:aws:bedrock:us-east-1::foundation-model/{NOVA}"
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
CUSTOM = (
    "arn:aws:bedrock:us-east-1:123456789012:"
    "custom-model/amazon.titan-text-express-v1:0:8k/abcdefghijkl"
)


@pytest.fixture
def bedrock(aws: Emulator) -> Any:
    return aws.client("bedrock")


def create(bedrock: Any, name: str, **extra: Any) -> str:
    args = {"provisionedModelName": name, "modelId": NOVA, "modelUnits": 1, **extra}
    return str(bedrock.create_provisioned_model_throughput(**args)["provisionedModelArn"])


def error_of(call: Any, **kwargs: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    response = info.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_every_response_matches_botocore_output_shapes(aws: Emulator, bedrock: Any) -> None:
    raw = record_raw(bedrock)
    arn = create(
        bedrock, "shape-check", commitmentDuration="OneMonth", tags=[{"key": "k", "value": "v"}]
    )
    calls = [
        (
            "CreateProvisionedModelThroughput",
            lambda: bedrock.create_provisioned_model_throughput(
                provisionedModelName="shape-check-2", modelId=NOVA_ARN, modelUnits=2
            ),
        ),
        (
            "GetProvisionedModelThroughput",
            lambda: bedrock.get_provisioned_model_throughput(provisionedModelId=arn),
        ),
        (
            "ListProvisionedModelThroughputs",
            lambda: bedrock.list_provisioned_model_throughputs(maxResults=1),
        ),
        (
            "UpdateProvisionedModelThroughput",
            lambda: bedrock.update_provisioned_model_throughput(
                provisionedModelId=arn, desiredProvisionedModelName="renamed"
            ),
        ),
        (
            "TagResource",
            lambda: bedrock.tag_resource(
                resourceARN=arn, tags=[{"key": "gpukit:env", "value": "dev"}]
            ),
        ),
        ("ListTagsForResource", lambda: bedrock.list_tags_for_resource(resourceARN=arn)),
        ("UntagResource", lambda: bedrock.untag_resource(resourceARN=arn, tagKeys=["k"])),
        (
            "DeleteProvisionedModelThroughput",
            lambda: bedrock.delete_provisioned_model_throughput(provisionedModelId="shape-check-2"),
        ),
    ]
    for operation, call in calls:
        parsed = call()
        assert output_problems(bedrock, operation, parsed, raw[operation]) == [], operation
    listed = bedrock.list_provisioned_model_throughputs(maxResults=1)
    assert "nextToken" not in listed  # one PTU left after the delete


def test_create_records_the_commitment_term(bedrock: Any) -> None:
    before = datetime.now(UTC)
    arn = create(bedrock, "committed", commitmentDuration="SixMonths")
    got = bedrock.get_provisioned_model_throughput(provisionedModelId=arn)
    assert got["commitmentDuration"] == "SixMonths"
    assert got["status"] == "InService"
    assert got["modelArn"] == got["foundationModelArn"] == NOVA_ARN
    assert before - timedelta(seconds=1) <= got["creationTime"] <= datetime.now(UTC)
    assert got["commitmentExpirationTime"] == add_months(got["creationTime"], 6)
    assert arn.startswith("arn:aws:bedrock:us-east-1:123456789012:provisioned-model/")

    plain = bedrock.get_provisioned_model_throughput(provisionedModelId=create(bedrock, "plain"))
    assert "commitmentDuration" not in plain and "commitmentExpirationTime" not in plain


def test_add_months_clamps_to_the_end_of_short_months() -> None:
    assert add_months(datetime(2026, 8, 31, 12, tzinfo=UTC), 6) == datetime(
        2027, 2, 28, 12, tzinfo=UTC
    )
    assert add_months(datetime(2026, 11, 23, tzinfo=UTC), 1) == datetime(2026, 12, 23, tzinfo=UTC)


def test_client_request_token_makes_create_idempotent(bedrock: Any) -> None:
    first = create(bedrock, "idem", clientRequestToken="token-1")
    again = create(bedrock, "idem", clientRequestToken="token-1")
    assert first == again
    assert len(bedrock.list_provisioned_model_throughputs()["provisionedModelSummaries"]) == 1


def test_bad_input_is_a_validation_exception(aws: Emulator) -> None:
    """The server validates against botocore's input shapes (client validation off)."""
    raw_client = aws.client("bedrock", config=Config(parameter_validation=False))
    bad_inputs = [
        {"provisionedModelName": "has spaces!", "modelId": NOVA, "modelUnits": 1},
        {"provisionedModelName": "zero-units", "modelId": NOVA, "modelUnits": 0},
        {
            "provisionedModelName": "term",
            "modelId": NOVA,
            "modelUnits": 1,
            "commitmentDuration": "TwoYears",
        },
        {"provisionedModelName": "x" * 64, "modelId": NOVA, "modelUnits": 1},
        {"provisionedModelName": "no-model", "modelUnits": 1},
    ]
    for args in bad_inputs:
        code, status = error_of(raw_client.create_provisioned_model_throughput, **args)
        assert (code, status) == ("ValidationException", 400), args
    code, _ = error_of(raw_client.list_provisioned_model_throughputs, statusEquals="Sleeping")
    assert code == "ValidationException"
    code, _ = error_of(raw_client.list_provisioned_model_throughputs, maxResults=5000)
    assert code == "ValidationException"
    assert raw_client.list_provisioned_model_throughputs()["provisionedModelSummaries"] == []


def test_duplicate_name_is_refused(bedrock: Any) -> None:
    create(bedrock, "twice")
    code, status = error_of(
        bedrock.create_provisioned_model_throughput,
        provisionedModelName="twice",
        modelId=NOVA,
        modelUnits=1,
    )
    assert (code, status) == ("ValidationException", 400)


def test_get_by_name_or_arn_and_not_found(bedrock: Any) -> None:
    arn = create(bedrock, "findme")
    by_name = bedrock.get_provisioned_model_throughput(provisionedModelId="findme")
    assert by_name["provisionedModelArn"] == arn
    missing = "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/aaaaaaaaaaaa"
    for ident in ("nope", missing):
        code, status = error_of(bedrock.get_provisioned_model_throughput, provisionedModelId=ident)
        assert (code, status) == ("ResourceNotFoundException", 404)


def test_list_filters_sorts_and_paginates(aws: Emulator, bedrock: Any) -> None:
    now = datetime.now(UTC)
    arns = {}
    for i, name in enumerate(["alpha-dev", "beta-dev", "gamma-prod", "delta-prod", "eps-dev"]):
        arns[name] = create(bedrock, name)
        aws.set_ptu_history(arns[name], creation_time=now - timedelta(days=10 - i))
    aws.set_ptu_history(arns["eps-dev"], status="Failed")

    def names(**kwargs: Any) -> list[str]:
        pages = bedrock.get_paginator("list_provisioned_model_throughputs").paginate(**kwargs)
        return [s["provisionedModelName"] for p in pages for s in p["provisionedModelSummaries"]]

    assert names() == ["eps-dev", "delta-prod", "gamma-prod", "beta-dev", "alpha-dev"]
    assert names(sortOrder="Ascending")[0] == "alpha-dev"
    assert names(nameContains="dev") == ["eps-dev", "beta-dev", "alpha-dev"]
    assert names(statusEquals="Failed") == ["eps-dev"]
    assert names(statusEquals="InService", nameContains="prod") == ["delta-prod", "gamma-prod"]
    assert names(creationTimeAfter=now - timedelta(days=8, hours=12)) == [
        "eps-dev",
        "delta-prod",
        "gamma-prod",
    ]
    assert names(creationTimeBefore=now - timedelta(days=8, hours=12)) == ["beta-dev", "alpha-dev"]
    assert names(modelArnEquals=NOVA_ARN) == names()

    first = bedrock.list_provisioned_model_throughputs(maxResults=2)
    assert len(first["provisionedModelSummaries"]) == 2 and first["nextToken"]
    assert names(PaginationConfig={"PageSize": 2}) == names()
    code, _ = error_of(bedrock.list_provisioned_model_throughputs, nextToken="garbage")
    assert code == "ValidationException"


def test_list_is_per_region(aws: Emulator, bedrock: Any) -> None:
    create(bedrock, "east")
    west = aws.client("bedrock", region="us-west-2")
    arn = create(west, "west")
    assert arn.split(":")[3] == "us-west-2"
    summaries = west.list_provisioned_model_throughputs()["provisionedModelSummaries"]
    assert [s["provisionedModelName"] for s in summaries] == ["west"]
    assert summaries[0]["modelArn"].startswith("arn:aws:bedrock:us-west-2::foundation-model/")


def test_update_renames_and_changes_model(bedrock: Any) -> None:
    arn = create(bedrock, "before")
    other = "anthropic.claude-3-5-sonnet-20240620-v1:0"
    bedrock.update_provisioned_model_throughput(
        provisionedModelId="before", desiredProvisionedModelName="after", desiredModelId=other
    )
    got = bedrock.get_provisioned_model_throughput(provisionedModelId="after")
    assert got["provisionedModelArn"] == arn
    assert got["desiredModelArn"].endswith(f"foundation-model/{other}")
    code, _ = error_of(bedrock.get_provisioned_model_throughput, provisionedModelId="before")
    assert code == "ResourceNotFoundException"


def test_committed_ptu_cannot_be_deleted_inside_its_term(aws: Emulator, bedrock: Any) -> None:
    arn = create(bedrock, "locked", commitmentDuration="OneMonth")
    code, status = error_of(bedrock.delete_provisioned_model_throughput, provisionedModelId=arn)
    assert (code, status) == ("ConflictException", 400)
    assert bedrock.get_provisioned_model_throughput(provisionedModelId=arn)["status"] == "InService"

    aws.set_ptu_history(arn, creation_time=datetime.now(UTC) - timedelta(days=45))
    ended = bedrock.get_provisioned_model_throughput(provisionedModelId=arn)
    assert ended["commitmentExpirationTime"] < datetime.now(UTC)
    bedrock.delete_provisioned_model_throughput(provisionedModelId=arn)
    code, status = error_of(bedrock.delete_provisioned_model_throughput, provisionedModelId=arn)
    assert (code, status) == ("ResourceNotFoundException", 404)


def test_explicit_term_end_from_the_history_hook(aws: Emulator, bedrock: Any) -> None:
    arn = create(bedrock, "history", commitmentDuration="SixMonths")
    ends = datetime(2027, 1, 15, tzinfo=UTC)
    aws.set_ptu_history(
        arn, creation_time=datetime(2026, 7, 15, tzinfo=UTC), commitment_expiration_time=ends
    )
    got = bedrock.get_provisioned_model_throughput(provisionedModelId=arn)
    assert got["creationTime"] == datetime(2026, 7, 15, tzinfo=UTC)
    assert got["commitmentExpirationTime"] == ends
    with pytest.raises(ValueError, match="no commitment"):
        aws.set_ptu_history(create(bedrock, "free"), commitment_expiration_time=ends)
    with pytest.raises(ValueError, match="InService"):
        aws.set_ptu_history(arn, status="Sleeping")
    with pytest.raises(KeyError):
        aws.set_ptu_history(arn.replace(arn[-12:], "x" * 12), status="Failed")


def test_no_commitment_ptu_deletes_any_time(bedrock: Any) -> None:
    arn = create(bedrock, "free-to-go", tags=[{"key": "gpukit:env", "value": "dev"}])
    bedrock.delete_provisioned_model_throughput(provisionedModelId="free-to-go")
    assert bedrock.list_provisioned_model_throughputs()["provisionedModelSummaries"] == []
    code, _ = error_of(bedrock.list_tags_for_resource, resourceARN=arn)
    assert code == "ResourceNotFoundException"


def test_tags_on_ptu_arns(bedrock: Any) -> None:
    arn = create(bedrock, "tagged", tags=[{"key": "gpukit:owner", "value": "alice"}])
    bedrock.tag_resource(
        resourceARN=arn,
        tags=[{"key": "gpukit:env", "value": "dev"}, {"key": "gpukit:owner", "value": "bob"}],
    )
    bedrock.untag_resource(resourceARN=arn, tagKeys=["gpukit:env", "absent"])
    tags = bedrock.list_tags_for_resource(resourceARN=arn)["tags"]
    assert tags == [{"key": "gpukit:owner", "value": "bob"}]
    missing = "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/bbbbbbbbbbbb"
    code, status = error_of(
        bedrock.tag_resource, resourceARN=missing, tags=[{"key": "a", "value": "b"}]
    )
    assert (code, status) == ("ResourceNotFoundException", 404)


def test_a_custom_model_is_provisioned_with_its_base_as_foundation_model(bedrock: Any) -> None:
    arn = create(bedrock, "custom", modelId=CUSTOM)
    got = bedrock.get_provisioned_model_throughput(provisionedModelId=arn)
    assert got["modelArn"] == CUSTOM
    assert got["foundationModelArn"] == (
        "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1:0:8k"
    )
    assert "commitmentDuration" not in got


def test_no_commitment_is_refused_for_a_base_model_that_does_not_sell_it(bedrock: Any) -> None:
    for model in (HAIKU, "amazon.titan-text-express-v1", f"{NOVA_ARN[: -len(NOVA)]}{HAIKU}"):
        code, status = error_of(
            bedrock.create_provisioned_model_throughput,
            provisionedModelName="no-commit",
            modelId=model,
            modelUnits=1,
        )
        assert (code, status) == ("ValidationException", 400), model
    assert bedrock.list_provisioned_model_throughputs()["provisionedModelSummaries"] == []
    # the same base model with a commitment term is sold
    committed = create(bedrock, "committed", modelId=HAIKU, commitmentDuration="OneMonth")
    got = bedrock.get_provisioned_model_throughput(provisionedModelId=committed)
    assert got["commitmentDuration"] == "OneMonth"


def test_a_malformed_custom_model_arn_is_refused(bedrock: Any) -> None:
    for bad in (CUSTOM.rsplit("/", 1)[0], CUSTOM + "/extra", "custom-model/x.y/z"):
        code, _ = error_of(
            bedrock.create_provisioned_model_throughput,
            provisionedModelName="bad",
            modelId=bad,
            modelUnits=1,
        )
        assert code == "ValidationException", bad


def test_a_response_botocore_would_reject_is_never_sent() -> None:
    op = service_model("bedrock").operation_model("GetProvisionedModelThroughput")
    status, headers, body = checked_response(op, {"provisionedModelArn": "x", "bogus": 1})
    assert status == 500
    assert ("x-amzn-ErrorType", "InternalServerException") in headers
    assert b"unknown member bogus" in body and b"modelUnits" in body
