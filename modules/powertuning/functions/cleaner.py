"""Cleaner: delete every alias and version the run created and put $LATEST back as it was.
Runs on success and on the error path; anything already gone counts as cleaned."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gpukit.modules.powertuning import lambda_ops
from gpukit.modules.powertuning.inputs import region_of
from gpukit.modules.powertuning.plan import planned_aliases, version_marker


def clean(
    state: Mapping[str, Any], client: Any, fetch_code: lambda_ops.FetchCode = lambda_ops.download
) -> dict[str, Any]:
    init = state.get("init")
    if not init:
        return {"aliasesDeleted": [], "versionsDeleted": [], "restored": False}
    arn = init["input"]["lambdaARN"]
    aliases: list[str] = []
    versions: list[str] = []
    for alias in planned_aliases(init["tasks"]):
        version = lambda_ops.delete_alias(client, arn, alias)
        if version is not None:
            aliases.append(alias)
            versions.append(version)
    for version in lambda_ops.versions_described(client, arn, version_marker(init["runId"])):
        if lambda_ops.delete_version(client, arn, version):
            versions.append(version)
    restored = lambda_ops.apply_state(client, arn, init["original"], fetch_code)
    return {"aliasesDeleted": aliases, "versionsDeleted": versions, "restored": restored}


def handler(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
    init = event.get("init")
    if not init:
        return clean(event, None)
    return clean(event, lambda_ops.lambda_client(region_of(init["input"]["lambdaARN"])))
