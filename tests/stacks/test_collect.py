"""collect() runs a real program under mocks: parents, providers, config, isolation, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpukit.modules.pulumi.collect import CollectError, collect, is_taggable
from gpukit.policies.pulumi.translate import tag_map

PROGRAM = """
import json
import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
tags = {"team": cfg.require("team")}
provider = aws.Provider("aws", region="eu-west-1", default_tags={"tags": tags})


class Box(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("test:index:Box", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        queue = aws.sqs.Queue(f"{name}-q", tags={"own": "yes"}, opts=child)
        aws.sqs.QueuePolicy(
            f"{name}-p",
            queue_url=queue.url,
            policy=queue.arn.apply(lambda arn: json.dumps({"Resource": arn})),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})


Box("box", pulumi.ResourceOptions(providers=[provider]))
sizes = cfg.require_object("sizes")
aws.sqs.Queue("loose", delay_seconds=sizes["delay"], opts=pulumi.ResourceOptions(protect=True))
"""


def write_stack(root: Path, team: str = "ml") -> Path:
    (root / "Pulumi.yaml").write_text("name: probe\nruntime: python\n")
    (root / "Pulumi.dev.yaml").write_text(
        f"config:\n  aws:region: eu-west-1\n  probe:team: {team}\n  probe:sizes: {{delay: 7}}\n"
    )
    (root / "__main__.py").write_text(PROGRAM)
    return root


def test_records_parents_providers_tags_and_structured_config(tmp_path: Path) -> None:
    plan = collect(write_stack(tmp_path), "dev")
    by_name = {r.name: r for r in plan}
    box, queue, policy = by_name["box"], by_name["box-q"], by_name["box-p"]
    assert not box.custom and queue.custom
    assert queue.parent == box.urn and policy.parent == box.urn
    assert queue.provider == by_name["aws"].urn
    assert queue.tags == {"team": "ml", "own": "yes"}
    assert by_name["loose"].tags == {}  # default provider: no default tags
    assert by_name["loose"].inputs["delaySeconds"] == 7
    assert by_name["loose"].protect and not queue.protect
    # outputs of one resource flow into another's inputs, resolved by the mocks
    assert policy.inputs["queueUrl"] == queue.outputs["url"]
    assert queue.outputs["arn"] in policy.inputs["policy"]


def test_runs_are_isolated(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = collect(write_stack(tmp_path / "a", team="one"), "dev")
    second = collect(write_stack(tmp_path / "b", team="two"), "dev")
    assert sorted(r.name for r in first) == sorted(r.name for r in second)
    assert {r.tags.get("team") for r in first if r.name == "box-q"} == {"one"}
    assert {r.tags.get("team") for r in second if r.name == "box-q"} == {"two"}


def test_missing_files_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(CollectError, match=r"__main__\.py: not found"):
        collect(tmp_path, "dev")
    write_stack(tmp_path)
    with pytest.raises(CollectError, match=r"Pulumi\.prod\.yaml: not found"):
        collect(tmp_path, "prod")


def test_program_errors_propagate(tmp_path: Path) -> None:
    write_stack(tmp_path)
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-1\n")
    with pytest.raises(Exception, match="team"):
        collect(tmp_path, "dev")


def test_taggable_follows_the_provider_schema() -> None:
    assert is_taggable("aws:sagemaker/endpoint:Endpoint")
    assert is_taggable("aws-native:sagemaker:InferenceComponent")
    assert not is_taggable("aws:iam/rolePolicy:RolePolicy")
    assert not is_taggable("aws:appautoscaling/policy:Policy")
    assert not is_taggable("gpukit:modules:GpuEndpoint")


def test_tags_as_dict_reads_both_shapes() -> None:
    assert tag_map({"a": "1"}) == {"a": "1"}
    assert tag_map([{"key": "a", "value": "1"}]) == {"a": "1"}
    assert tag_map(None) == {}
    assert tag_map({"a": None, "b": "2"}) == {"b": "2"}  # unknown is not the text "None"
