"""One table of accelerator families (policies/gpu.py): the guard, the checkov checks, the
Pulumi component and the Terraform module's validation agree on every instance type."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hcl2
import pytest

from gpukit.guard.discovery import endpoint_config
from gpukit.modules.pulumi.endpoint_args import VariantArgs
from gpukit.policies.checkov.graph_join import Fleet, endpoint_with_scaling
from gpukit.policies.gpu import TERRAFORM_INSTANCE_TYPE_REGEX, is_gpu_instance_type
from tests.terraform.tf import MODULES, terraform

GPU = [
    "ml.g4dn.xlarge",
    "ml.g5.48xlarge",
    "ml.g6e.12xlarge",
    "ml.p3.2xlarge",
    "ml.p4d.24xlarge",
    "ml.p5e.48xlarge",
    "ml.inf1.xlarge",
    "ml.inf2.48xlarge",
    "ml.trn1.32xlarge",
    "ml.trn1n.32xlarge",
]
NOT_GPU = [
    "ml.t2.medium",
    "ml.m5.large",
    "ml.c7g.xlarge",
    "ml.r5d.2xlarge",
    "g5.xlarge",
    "ml.g5",
    "ml.gx.large",
    "ml.G5.xlarge",
    "ml.g5.xlarge ",
    "ml.g5.xlarge\n",
]
TYPES = GPU + NOT_GPU


def guard_judges(instance_type: str) -> bool:
    endpoint = {
        "EndpointName": "e",
        "EndpointConfigName": "c",
        "ProductionVariants": [{"VariantName": "A", "CurrentInstanceCount": 1}],
    }
    config = {"ProductionVariants": [{"VariantName": "A", "InstanceType": instance_type}]}
    return endpoint_config(endpoint, config, {}) is not None


def checks_judge(instance_type: str) -> bool:
    def vertex(rtype: str, **conf: Any) -> dict[str, Any]:
        return {
            "block_type_": "resource",
            "resource_type": rtype,
            "block_name_": f"{rtype}.x",
            "__address__": f"{rtype}.x",
            "config_": {rtype: {"x": {k: [v] for k, v in conf.items()}}},
        }

    variant = {"variant_name": ["A"], "instance_type": [instance_type]}
    fleet = Fleet(
        [
            vertex("aws_sagemaker_endpoint", name="e", endpoint_config_name="c"),
            vertex("aws_sagemaker_endpoint_configuration", name="c", production_variants=variant),
        ]
    )
    (endpoint,) = fleet.of("aws_sagemaker_endpoint")
    return endpoint_with_scaling(fleet, endpoint) is not None


def pulumi_accepts(instance_type: str) -> bool:
    try:
        VariantArgs("A", instance_type, min_instances=1, max_instances=2)
    except ValueError:
        return False
    return True


def module_regex() -> str:
    with (MODULES / "gpu-endpoint" / "variables.tf").open(encoding="utf-8") as handle:
        variables = hcl2.load(handle)["variable"]
    (block,) = [v["instance_type"] for v in variables if "instance_type" in v]
    (condition,) = block["validation"][0]["condition"]
    prefix, suffix = '${can(regex("', '",var.instance_type))}'
    assert condition.startswith(prefix) and condition.endswith(suffix), condition
    return json.loads('"' + condition[len(prefix) : -len(suffix)] + '"')


def test_the_module_validation_is_the_table() -> None:
    assert module_regex() == TERRAFORM_INSTANCE_TYPE_REGEX


@pytest.mark.terraform
def test_guard_checks_pulumi_and_terraform_agree(tmp_path: Path) -> None:
    tf = terraform(tmp_path)
    listed = json.dumps(TYPES)
    expression = f"jsonencode([for t in {listed} : can(regex({json.dumps(module_regex())}, t))])"
    done = tf.run(tmp_path, "console", check=True, stdin=expression)
    by_terraform = json.loads(json.loads(done.stdout.strip()))
    verdicts = {
        t: (is_gpu_instance_type(t), guard_judges(t), checks_judge(t), pulumi_accepts(t), tf_says)
        for t, tf_says in zip(TYPES, by_terraform, strict=True)
    }
    expected = {t: (t in GPU,) * 5 for t in TYPES}
    assert verdicts == expected
