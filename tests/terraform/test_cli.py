"""``gpukit check terraform|plan|pulumi``: formats, exit codes, and one-line input errors.

Every test runs the installed ``gpukit`` console script in a fresh process, as a user (or
pre-commit, or CI) does: nothing imported by an earlier test can hide an import problem.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.terraform.helpers import FIXTURES, gpukit

BAD_PTU = "aws_bedrock_provisioned_model_throughput.bad"


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    done = gpukit("check", *args, env=env)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout, done.stderr


def failed_ids(stdout: str) -> set[str]:
    return {r["check_id"] for r in json.loads(stdout)["results"] if r["result"] == "failed"}


@pytest.mark.parametrize(
    "args",
    [
        ("terraform", str(FIXTURES / "hcl" / "bad_ptu"), "--gpukit-only"),
        ("plan", str(FIXTURES / "plan" / "bad_ptu.json"), "--gpukit-only"),
        ("pulumi", str(FIXTURES / "pulumi_bad"), "--env", "dev"),
    ],
    ids=["hcl", "plan", "pulumi"],
)
def test_same_bad_ptu_fails_in_every_path(args: tuple[str, ...]) -> None:
    """A dev PTU with a six-month commitment and no owner: blocked by GPK002, GPK001."""
    code, out, _ = run(*args, "--format", "json")
    assert code == 1
    assert failed_ids(out) == {"CKV_GPK_1", "CKV_GPK_2"}
    reasons = " ".join(d for r in json.loads(out)["results"] for d in r["details"])
    assert "SixMonths commitment is not allowed in dev" in reasons
    assert "gpukit:owner missing" in reasons


def test_passing_code_exits_zero() -> None:
    code, out, _ = run(
        "plan",
        str(FIXTURES / "plan" / "ckv_gpk_7.json"),
        "--gpukit-only",
        "--skip-check",
        "CKV_GPK_7",
        "--format",
        "json",
    )
    assert code == 0
    assert not failed_ids(out)
    assert json.loads(out)["summary"]["passed"] > 0


def test_sarif_lists_failures_by_rule() -> None:
    code, out, _ = run(
        "terraform", str(FIXTURES / "hcl" / "ckv_gpk_2"), "--gpukit-only", "--format", "sarif"
    )
    assert code == 1
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"CKV_GPK_1", "CKV_GPK_2"}
    rule_ids = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert "CKV_GPK_2" in rule_ids


def test_junit_counts_failures_and_gives_their_reasons() -> None:
    code, out, _ = run(
        "plan", str(FIXTURES / "plan" / "ckv_gpk_9.json"), "--gpukit-only", "--format", "junit"
    )
    assert code == 1
    suites = ET.fromstring(out)
    cases = list(suites.iter("testcase"))
    failures = [c.find("failure") for c in cases if c.find("failure") is not None]
    assert len(failures) == 3
    by_name = {c.get("name"): c for c in cases}
    wildcard = next(n for n in by_name if n and n.endswith("fail_service_wildcard"))
    failure = by_name[wildcard].find("failure")
    assert failure is not None and "sagemaker:*" in (failure.get("message") or "")
    assert "sagemaker:*" in (failure.text or "")
    for case in cases:
        assert not (case.get("file") or "").startswith("/"), case.get("file")
        assert case.get("file") == "tests/terraform/fixtures/plan/ckv_gpk_9.json"
        assert "[NONE]" not in (case.get("name") or "")


def test_table_names_the_failing_resource() -> None:
    code, out, _ = run("terraform", str(FIXTURES / "hcl" / "bad_ptu"), "--gpukit-only")
    assert code == 1
    assert "CKV_GPK_2" in out and "failed 2" in out


def _broken_hcl(tmp: Path) -> Path:
    (tmp / "main.tf").write_text('resource "aws_sagemaker_endpoint" "x" {\n  name = \n')
    return tmp


@pytest.mark.parametrize(
    ("setup", "command", "needle"),
    [
        (_broken_hcl, "terraform", "cannot parse as Terraform"),
        (lambda t: t / "missing", "terraform", "no such file or directory"),
        (lambda t: t, "terraform", "no .tf or .tf.json files"),
        (
            lambda t: (t / "plan.json").write_text("{not json") and t / "plan.json",
            "plan",
            "invalid JSON",
        ),
        (
            lambda t: (t / "plan.json").write_text("[" * 5000 + "]" * 5000) and t / "plan.json",
            "plan",
            "nested deeper than 64 levels",
        ),
        (
            lambda t: (t / "plan.json").write_text('{"resources": []}') and t / "plan.json",
            "plan",
            "not a Terraform plan",
        ),
        (lambda t: t, "pulumi", "no Pulumi.yaml"),
    ],
    ids=[
        "broken-hcl",
        "missing-dir",
        "empty-dir",
        "plan-not-json",
        "plan-too-deep",
        "json-not-plan",
        "no-pulumi-yaml",
    ],
)
def test_malformed_input_is_one_line_and_exit_2(
    tmp_path: Path, setup: object, command: str, needle: str
) -> None:
    target = setup(tmp_path)  # type: ignore[operator]
    extra = ["--env", "dev"] if command == "pulumi" else []
    code, out, err = run(command, str(target), *extra)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert needle in lines[0]
    assert str(target) in lines[0] or target.name in lines[0]
    assert "Traceback" not in err + out


def test_unknown_format_is_rejected() -> None:
    code, _, err = run("plan", str(FIXTURES / "plan" / "bad_ptu.json"), "--format", "xml")
    assert code == 2
    assert "--format" in err


def test_synthesized_json_resources_are_checked(tmp_path: Path) -> None:
    """Terraform JSON (what cdktf synthesizes) holding the same bad PTU fails the same way."""
    stack = {
        "resource": {
            "aws_bedrock_provisioned_model_throughput": {
                "bad": {
                    "provisioned_model_name": "bad",
                    "model_arn": "arn:aws:bedrock:us-east-1::foundation-model/"
                    "amazon.titan-text-express-v1",
                    "model_units": 1,
                    "commitment_duration": "SixMonths",
                    "tags": {
                        "gpukit:cost-center": "ml-platform",
                        "gpukit:managed-by": "gpukit",
                        "gpukit:env": "dev",
                    },
                }
            }
        }
    }
    (tmp_path / "cdk.tf.json").write_text(json.dumps(stack))
    code, out, err = run("terraform", str(tmp_path), "--gpukit-only", "--format", "json")
    assert code == 1
    assert failed_ids(out) == {"CKV_GPK_1", "CKV_GPK_2"}
    assert "found no resources" not in err


def test_nothing_scanned_is_a_warning_not_a_silent_pass(tmp_path: Path) -> None:
    module = Path(__file__).parents[2] / "modules" / "terraform" / "bedrock-throughput"
    stack = {"module": {"ptu": {"source": str(module), "name": "x"}}}
    (tmp_path / "cdk.tf.json").write_text(json.dumps(stack))
    # only gpukit's checks: checkov's own CKV_TF_1/2 rightly flag the unpinned module source
    code, _, err = run("terraform", str(tmp_path), "--gpukit-only")
    assert code == 0
    assert "found no resources" in err and "check their plan" in err


def test_several_plans_are_checked_together() -> None:
    plans = [str(FIXTURES / "plan" / n) for n in ("bad_ptu.json", "ckv_gpk_9.json")]
    code, out, _ = run("plan", *plans, "--gpukit-only", "--format", "json")
    assert code == 1
    failed = {r["resource"] for r in json.loads(out)["results"] if r["result"] == "failed"}
    assert BAD_PTU in failed
    assert "aws_iam_role_policy.fail_service_wildcard" in failed


def outcomes(out: str) -> dict[str, str]:
    return {r["check_id"]: r["result"] for r in json.loads(out)["results"]}


def test_plan_results_point_at_the_terraform_source_line() -> None:
    """checkov's plan enrichment: with the code the plan came from, a failure names the
    ``.tf`` file and the resource block's lines, not ``plan.json``."""
    source = FIXTURES / "hcl" / "bad_ptu"
    plan = FIXTURES / "plan" / "bad_ptu.json"
    code, out, _ = run("plan", str(plan), "--source", str(source), "--gpukit-only", "-f", "json")
    assert code == 1
    failed = [r for r in json.loads(out)["results"] if r["result"] == "failed"]
    assert {r["file"] for r in failed} == {"tests/terraform/fixtures/hcl/bad_ptu/main.tf"}
    text = (source / "main.tf").read_text().splitlines()
    for r in failed:
        assert text[r["lines"][0] - 1].startswith(f'resource "{BAD_PTU.split(".")[0]}" "bad"')


def test_a_checkov_that_does_not_exist_is_one_line_exit_2() -> None:
    code, _, err = run(
        "terraform", str(FIXTURES / "hcl" / "bad_ptu"), "--checkov", "/nonexistent/checkov"
    )
    assert code == 2
    assert err.splitlines() == ["--checkov: /nonexistent/checkov: no such checkov executable"]
    code, _, err = run(
        "plan", str(FIXTURES / "plan" / "bad_ptu.json"), env={"GPUKIT_CHECKOV": "/no/checkov"}
    )
    assert code == 2 and "GPUKIT_CHECKOV" in err and len(err.strip().splitlines()) == 1


def test_values_known_only_at_apply_are_reported_unknown() -> None:
    """A term from a variable with a null default: tags and expiry hold for every term,
    whether the commitment is allowed depends on it; a .tfvars value settles it."""
    fixture = FIXTURES / "unresolved"
    code, out, _ = run("terraform", str(fixture), "--gpukit-only", "--format", "json")
    assert code == 0
    assert outcomes(out) == {"CKV_GPK_1": "passed", "CKV_GPK_6": "passed", "CKV_GPK_2": "unknown"}
    assert json.loads(out)["summary"]["unknown"] == 1
    var_file = str(fixture / "six-months.tfvars")
    code, out, _ = run(
        "terraform", str(fixture), "--var-file", var_file, "--gpukit-only", "--format", "json"
    )
    assert code == 1
    assert outcomes(out)["CKV_GPK_2"] == "failed"


def test_missing_var_file_is_bad_input() -> None:
    code, _, err = run("terraform", str(FIXTURES / "unresolved"), "--var-file", "nope.tfvars")
    assert code == 2 and "nope.tfvars" in err
