"""Every CKV_GPK check through the real checkov runners: exact pass/fail sets per fixture."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gpukit.iac.results import Scan
from gpukit.iac.scan import scan_plan, scan_terraform
from tests.terraform.helpers import FIXTURES, JUDGED, labelled, labelled_all, outcome

CHECKS = sorted(JUDGED)


def test_committed_fixtures_are_what_make_fixtures_writes(tmp_path: Path) -> None:
    script = FIXTURES / "make_fixtures.py"
    subprocess.run([sys.executable, str(script), str(tmp_path)], check=True)
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert len(written) == 13
    for relative in written:
        assert (FIXTURES / relative).read_bytes() == (tmp_path / relative).read_bytes(), relative


@pytest.fixture(scope="module")
def hcl_report() -> Scan:
    return scan_terraform(FIXTURES / "hcl", gpukit_only=True)


@pytest.fixture(scope="module")
def plan_reports() -> dict[str, Scan]:
    return {c: scan_plan(FIXTURES / "plan" / f"{c.lower()}.json", gpukit_only=True) for c in CHECKS}


@pytest.mark.parametrize("check_id", CHECKS)
def test_hcl_fixture_exact_sets(hcl_report: Scan, check_id: str) -> None:
    passing, failing = labelled(check_id)
    assert passing and failing
    assert outcome(hcl_report, check_id, f"{check_id.lower()}/") == (passing, failing)


@pytest.mark.parametrize("check_id", CHECKS)
def test_plan_fixture_exact_sets(plan_reports: dict[str, Scan], check_id: str) -> None:
    passing, failing = labelled(check_id)
    assert outcome(plan_reports[check_id], check_id) == (passing, failing)


def test_failures_say_why(hcl_report: Scan) -> None:
    reasons = {
        (r.check_id, r.resource.rsplit(".", 1)[-1]): " ".join(r.details) for r in hcl_report.failed
    }
    assert "SixMonths" in reasons[("CKV_GPK_2", "fail_dev_six_months")]
    assert "gpukit:owner missing" in reasons[("CKV_GPK_1", "fail_no_owner")]
    assert "gpukit:expires-at" in reasons[("CKV_GPK_6", "fail_dev_no_expiry")]
    assert "sagemaker:*" in reasons[("CKV_GPK_9", "fail_service_wildcard")]
    assert "Green has no autoscaling" in reasons[("CKV_GPK_7", "fail_one_of_two")]


def test_only_gpukit_checks_ran(hcl_report: Scan) -> None:
    ran = {r.check_id for r in hcl_report.of("passed") + hcl_report.failed}
    assert ran == set(CHECKS)


def test_plan_of_a_module_whose_tags_come_from_provider_default_tags() -> None:
    """Resources in ``module.team`` carry the gpukit tags only through the provider's
    default_tags (``tags_all``): the tag checks pass, and the dev SixMonths term fails."""
    report = scan_plan(FIXTURES / "plan" / "module_default_tags.json", gpukit_only=True)
    ptu = "module.team.aws_bedrock_provisioned_model_throughput"
    endpoint = "module.team.aws_sagemaker_endpoint.llm"
    failed = {(r.check_id, r.resource) for r in report.failed}
    passed = {(r.check_id, r.resource) for r in report.of("passed")}
    assert failed == {("CKV_GPK_2", f"{ptu}.committed")}
    assert {
        ("CKV_GPK_1", f"{ptu}.chat"),
        ("CKV_GPK_1", f"{ptu}.committed"),
        ("CKV_GPK_1", endpoint),
        ("CKV_GPK_6", f"{ptu}.chat"),
        ("CKV_GPK_7", endpoint),
    } <= passed


@pytest.mark.parametrize("check_id", ["CKV_GPK_1", "CKV_GPK_6", "CKV_GPK_7"])
def test_cpu_endpoints_are_not_judged_and_missing_configs_are_unknown(
    hcl_report: Scan, check_id: str
) -> None:
    groups = labelled_all(check_id)
    assert groups["cpu"]
    here = f"{check_id.lower()}/"
    mine = [r for r in hcl_report.results if r.check_id == check_id and here in r.file]
    assert {r.resource for r in mine if r.result == "unknown"} == groups["unknown"]
    judged = {r.resource for r in mine if r.result in ("passed", "failed")}
    assert not judged & groups["cpu"]
    reasons = {r.reason for r in mine if r.resource in groups["unknown"]}
    assert all("is not in the scanned code" in r for r in reasons), reasons


def test_scaling_configured_by_the_caller_of_an_endpoint_module() -> None:
    """Names known only after apply: the target and policy in the root reach the endpoint
    through ``module.scaled.endpoint_name``; the root's fixed endpoint has neither."""
    report = scan_terraform(FIXTURES / "module_call", gpukit_only=True)
    assert outcome(report, "CKV_GPK_7") == (
        {"module.scaled.aws_sagemaker_endpoint.this"},
        {"aws_sagemaker_endpoint.fixed"},
    )
