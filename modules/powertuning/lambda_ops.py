"""The Lambda API calls the tuner makes, each taking a boto3 Lambda client.

Stdlib + boto3 only: this module runs inside the Lambda runtime.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypedDict

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

FetchCode = Callable[[str], bytes]
NOT_FOUND = "ResourceNotFoundException"
CONFLICT = "ResourceConflictException"


class FunctionState(TypedDict):
    memory: int
    architecture: str
    description: str
    packageType: str


def lambda_client(region: str) -> Any:
    config = Config(read_timeout=900, retries={"max_attempts": 10, "mode": "standard"})
    return boto3.client("lambda", region_name=region, config=config)


def download(url: str) -> bytes:
    """The function's deployment package, from GetFunction's pre-signed ``Code.Location``."""
    with urllib.request.urlopen(url, timeout=120) as response:
        body: bytes = response.read()
    return body


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


@contextmanager
def tolerate_not_found() -> Iterator[None]:
    try:
        yield
    except ClientError as exc:
        if error_code(exc) != NOT_FOUND:
            raise


def function_state(client: Any, arn: str) -> FunctionState:
    config = client.get_function_configuration(FunctionName=arn)
    return FunctionState(
        memory=int(config["MemorySize"]),
        architecture=(config.get("Architectures") or ["x86_64"])[0],
        description=config.get("Description") or "",
        packageType=config.get("PackageType") or "Zip",
    )


def wait_updated(client: Any, arn: str) -> None:
    client.get_waiter("function_updated").wait(
        FunctionName=arn, WaiterConfig={"Delay": 1, "MaxAttempts": 300}
    )


def set_architecture(client: Any, arn: str, architecture: str, fetch_code: FetchCode) -> None:
    """Architecture is a code property: re-upload the same package (or image) with it."""
    code = client.get_function(FunctionName=arn)["Code"]
    if code.get("ImageUri"):
        client.update_function_code(
            FunctionName=arn, ImageUri=code["ImageUri"], Architectures=[architecture]
        )
    else:
        client.update_function_code(
            FunctionName=arn, ZipFile=fetch_code(code["Location"]), Architectures=[architecture]
        )
    wait_updated(client, arn)


def set_configuration(client: Any, arn: str, memory: int, description: str) -> None:
    client.update_function_configuration(
        FunctionName=arn, MemorySize=memory, Description=description
    )
    wait_updated(client, arn)


def apply_state(client: Any, arn: str, wanted: FunctionState, fetch_code: FetchCode) -> bool:
    """Bring $LATEST to ``wanted``; return whether anything had to change."""
    now = function_state(client, arn)
    changed = False
    if now["architecture"] != wanted["architecture"]:
        set_architecture(client, arn, wanted["architecture"], fetch_code)
        changed = True
    if (now["memory"], now["description"]) != (wanted["memory"], wanted["description"]):
        set_configuration(client, arn, wanted["memory"], wanted["description"])
        changed = True
    return changed


def publish(client: Any, arn: str, description: str) -> str:
    return str(client.publish_version(FunctionName=arn, Description=description)["Version"])


def point_alias(client: Any, arn: str, alias: str, version: str) -> None:
    try:
        client.create_alias(FunctionName=arn, Name=alias, FunctionVersion=version)
    except ClientError as exc:
        if error_code(exc) != CONFLICT:
            raise
        client.update_alias(FunctionName=arn, Name=alias, FunctionVersion=version)


def delete_version(client: Any, arn: str, version: str) -> bool:
    try:
        client.delete_function(FunctionName=arn, Qualifier=version)
    except ClientError as exc:
        if error_code(exc) == NOT_FOUND:
            return False
        raise
    return True


def delete_alias(client: Any, arn: str, alias: str) -> str | None:
    """Delete the alias and the version behind it; None when the alias did not exist."""
    try:
        version = str(client.get_alias(FunctionName=arn, Name=alias)["FunctionVersion"])
    except ClientError as exc:
        if error_code(exc) == NOT_FOUND:
            return None
        raise
    with tolerate_not_found():
        client.delete_alias(FunctionName=arn, Name=alias)
    delete_version(client, arn, version)
    return version


def versions_described(client: Any, arn: str, prefix: str) -> list[str]:
    found: list[str] = []
    name = arn.split(":")[6]  # the name: moto's ListVersionsByFunction does not resolve ARNs
    for page in client.get_paginator("list_versions_by_function").paginate(FunctionName=name):
        for version in page.get("Versions", []):
            number = version.get("Version")
            if number != "$LATEST" and (version.get("Description") or "").startswith(prefix):
                found.append(str(number))
    return found
