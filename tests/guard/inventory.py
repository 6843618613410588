"""What exists in the emulator, read through the ordinary AWS APIs."""

from __future__ import annotations

from typing import Any

from gpukit.emulator import Emulator

WRITE_PREFIXES = ("Delete", "Tag", "Untag", "AddTags", "Create", "Update", "Publish")


def inventory(emu: Emulator, region: str = "us-east-1") -> dict[str, dict[str, str]]:
    """``{arn: tags}`` for every PTU and endpoint in ``region``."""
    bedrock: Any = emu.client("bedrock", region)
    sagemaker: Any = emu.client("sagemaker", region)
    out: dict[str, dict[str, str]] = {}
    for ptu in bedrock.list_provisioned_model_throughputs()["provisionedModelSummaries"]:
        arn = ptu["provisionedModelArn"]
        tags = bedrock.list_tags_for_resource(resourceARN=arn)["tags"]
        out[arn] = {t["key"]: t["value"] for t in tags}
    for ep in sagemaker.list_endpoints()["Endpoints"]:
        arn = ep["EndpointArn"]
        out[arn] = {t["Key"]: t["Value"] for t in sagemaker.list_tags(ResourceArn=arn)["Tags"]}
    return out


def writes(emu: Emulator) -> list[str]:
    """Every mutating call the emulator served since its call log was cleared."""
    return [c for c in emu.calls if c.split(".", 1)[1].startswith(WRITE_PREFIXES)]
