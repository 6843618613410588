"""The guard-member-role module, for real: ``terraform init``, ``validate`` and ``plan`` of
its example (providers from the local mirror, the AWS provider pointed at the emulator),
and its generated policy against ``gpukit.guard.iam``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import boto3
import pytest

from gpukit.emulator import Emulator
from gpukit.guard.iam import member_policy_document
from gpukit.iac import member_policy
from tests.terraform.tf import MODULES, emulator_override, terraform

MODULE = MODULES / "guard-member-role"
GUARD_ROLE = "arn:aws:iam::111111111111:role/gpukit-prod-guard"


def test_generated_member_policy_matches_guard_iam() -> None:
    committed = member_policy.POLICY_FILE.read_text(encoding="utf-8")
    assert committed == member_policy.text(), "run: python -m gpukit.iac.member_policy"


@pytest.mark.emulator
@pytest.mark.slow
def test_the_example_plans_a_role_trusting_only_the_guard(aws: Emulator, tmp_path: Path) -> None:
    tf = terraform(tmp_path / "cli")
    module = tmp_path / "guard-member-role"
    shutil.copytree(MODULE, module, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    workdir = module / "examples" / "member"
    (workdir / "emulator_override.tf.json").write_text(
        json.dumps(emulator_override(aws.endpoint_url)), encoding="utf-8"
    )
    tf.run(workdir, "init", "-input=false", "-no-color")
    tf.run(workdir, "validate", "-no-color")
    tf.run(workdir, "plan", "-input=false", "-no-color", "-out=tfplan")
    plan: dict[str, Any] = tf.json(workdir, "show", "-json", "tfplan")
    after = {c["address"]: c["change"]["after"] for c in plan["resource_changes"]}
    role = after["module.member_role.aws_iam_role.member"]
    assert role["name"] == "gpukit-guard-member"
    [trust] = json.loads(role["assume_role_policy"])["Statement"]
    assert trust["Principal"] == {"AWS": GUARD_ROLE}
    assert trust["Action"] == "sts:AssumeRole"
    assert role["tags"]["gpukit:managed-by"] == "gpukit"
    account = boto3.client(
        "sts", endpoint_url=aws.endpoint_url, region_name="us-east-1"
    ).get_caller_identity()["Account"]
    document = json.loads(after["module.member_role.aws_iam_role_policy.member"]["policy"])
    assert document == member_policy_document({"partition": "aws", "account_id": account})


def test_a_bad_guard_role_arn_fails_validation(tmp_path: Path) -> None:
    tf = terraform(tmp_path / "cli")
    module = tmp_path / "guard-member-role"
    shutil.copytree(MODULE, module, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    workdir = module / "examples" / "member"
    main = workdir / "main.tf"
    main.write_text(main.read_text().replace(GUARD_ROLE, "arn:aws:iam::1:user/x"))
    tf.run(workdir, "init", "-input=false", "-no-color", "-backend=false")
    done = tf.run(workdir, "plan", "-input=false", "-no-color", "-refresh=false", check=False)
    assert done.returncode != 0
    assert "guard_role_arn must be an IAM role ARN" in done.stderr
