"""Executor: invoke one task's alias(es) N times and return its cost and duration summary."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from typing import Any

import boto3

from gpukit.modules.powertuning import lambda_ops
from gpukit.modules.powertuning.inputs import (
    S3_URI,
    TuningInput,
    TuningInputError,
    check_weights,
    is_weighted,
    parse_input,
    region_of,
)
from gpukit.modules.powertuning.measure import Invoke, InvokeProcessor, measure


def invoker(client: Any, arn: str, wait_active: bool) -> Invoke:
    """Invoke with the log tail; with ``wait_active`` each fresh version is awaited first."""
    ready: set[str] = set()

    def invoke(alias: str, body: bytes) -> Mapping[str, Any]:
        if wait_active and alias not in ready:
            client.get_waiter("published_version_active").wait(
                FunctionName=arn, Qualifier=alias, WaiterConfig={"Delay": 2, "MaxAttempts": 150}
            )
            ready.add(alias)
        response = client.invoke(FunctionName=arn, Qualifier=alias, Payload=body, LogType="Tail")
        return {**response, "Payload": response["Payload"].read()}

    return invoke


def processor_invoker(client_for: Callable[[str], Any]) -> InvokeProcessor:
    """Invoke a pre- or post-processor as the peer does: no qualifier, with the log tail, in
    the processor's own region (``client_for(region)`` gives the Lambda client)."""

    clients: dict[str, Any] = {}

    def invoke(arn: str, body: bytes) -> Mapping[str, Any]:
        region = region_of(arn)
        client = clients.get(region) or clients.setdefault(region, client_for(region))
        response = client.invoke(FunctionName=arn, Payload=body, LogType="Tail")
        return {**response, "Payload": response["Payload"].read()}

    return invoke


def payload_from_s3(s3: Any, uri: str) -> Any:
    """The object at ``s3://bucket/key``: parsed when it is JSON, else the text as it is."""
    found = S3_URI.match(uri)
    if found is None:
        raise TuningInputError(f"payloadS3: {json.dumps(uri)} is not an S3 URI like s3://b/k")
    body = s3.get_object(Bucket=found["bucket"], Key=found["key"])["Body"].read()
    text = body.decode("utf-8")
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def with_s3_payload(spec: TuningInput, s3: Any) -> TuningInput:
    """``spec`` with its payload read from ``payloadS3`` (which wins over ``payload``)."""
    if spec.payload_s3 is None:
        return spec
    payload = payload_from_s3(s3, spec.payload_s3)
    weighted = is_weighted(payload)
    if weighted:
        check_weights(payload, spec.runs)
    return dataclasses.replace(spec, payload=payload, weighted=weighted)


def handler(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
    spec = parse_input(event["input"])
    client = lambda_ops.lambda_client(spec.region)
    if spec.payload_s3 is not None:
        spec = with_s3_payload(spec, boto3.client("s3", region_name=spec.region))
    return measure(
        event["task"],
        spec,
        invoker(client, spec.lambda_arn, wait_active=True),
        processor=processor_invoker(lambda_ops.lambda_client),
    )
