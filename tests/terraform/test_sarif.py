"""``--format sarif`` is valid SARIF 2.1.0 (the official OASIS schema, shipped in
``fixtures/sarif/``) that GitHub code scanning accepts, for failing and passing scans."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from gpukit import __version__
from gpukit.iac.sarif import DOCS_URL
from gpukit.policies.checkov.catalog import BY_ID
from tests.terraform.helpers import FIXTURES, gpukit

ROOT = Path(__file__).parents[2]
SCHEMA = json.loads((FIXTURES / "sarif" / "sarif-schema-2.1.0.json").read_text())


def schema_errors(document: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft4Validator(SCHEMA)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def sarif(*args: str) -> tuple[int, dict[str, Any]]:
    done = gpukit("check", *args, "--format", "sarif")
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)


@pytest.fixture(scope="module")
def failing() -> dict[str, Any]:
    """gpukit and checkov built-in checks on the IAM and PTU fixtures: failures of both."""
    code, document = sarif("terraform", str(FIXTURES / "hcl"))
    assert code == 1
    return document


@pytest.fixture(scope="module")
def plan_failing() -> dict[str, Any]:
    code, document = sarif(
        "plan",
        str(FIXTURES / "plan" / "bad_ptu.json"),
        "--source",
        str(FIXTURES / "hcl" / "bad_ptu"),
        "--gpukit-only",
    )
    assert code == 1
    return document


def test_the_shipped_schema_rejects_what_checkovs_writer_produced() -> None:
    """The validator is real: an attachment without artifactLocation whose description is a
    string (checkov's own SARIF) is two errors."""
    document = {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "checkov"}},
                "results": [
                    {
                        "message": {"text": "x"},
                        "attachments": [{"description": "a string"}],
                    }
                ],
            }
        ],
    }
    errors = schema_errors(document)
    assert len(errors) == 2, errors
    assert any("artifactLocation" in e for e in errors)


def test_a_failing_scan_is_valid_sarif(failing: dict[str, Any]) -> None:
    assert schema_errors(failing) == []
    assert failing["runs"][0]["results"]


def test_a_passing_scan_is_valid_sarif() -> None:
    code, document = sarif(
        "plan",
        str(FIXTURES / "plan" / "ckv_gpk_7.json"),
        "--gpukit-only",
        "--skip-check",
        "CKV_GPK_7",
    )
    assert code == 0
    assert schema_errors(document) == []
    # the endpoint whose configuration is not in the plan stays unknown: a review result
    assert {
        (r["ruleId"], r["kind"], r["level"], r["properties"]["resource"])
        for r in document["runs"][0]["results"]
    } == {
        (check, "review", "none", "aws_sagemaker_endpoint.unknown_config_elsewhere")
        for check in ("CKV_GPK_1", "CKV_GPK_6")
    }
    for result in document["runs"][0]["results"]:
        address = result["properties"]["resource"]
        text = result["message"]["text"]
        assert text.startswith(f"{address}: ") and text.count(address) == 1, text


def test_message_text_carries_the_reason(failing: dict[str, Any]) -> None:
    results = failing["runs"][0]["results"]
    by_resource = {
        (r["ruleId"], r["properties"]["resource"].rsplit(".", 1)[-1]): r for r in results
    }
    text = by_resource[("CKV_GPK_2", "fail_dev_six_months")]["message"]["text"]
    assert "SixMonths commitment is not allowed in dev" in text
    names = {BY_ID[r["ruleId"]].name for r in results if r["ruleId"] in BY_ID}
    assert all(r["message"]["text"].split(": ", 1)[1] not in names for r in results)


def test_driver_is_gpukit_with_rules_help_and_docs_links(failing: dict[str, Any]) -> None:
    driver = failing["runs"][0]["tool"]["driver"]
    assert driver["name"] == "gpukit" and driver["version"] == __version__
    rules = {r["id"]: r for r in driver["rules"]}
    assert {r["ruleId"] for r in failing["runs"][0]["results"]} == set(rules)
    assert any(not i.startswith("CKV_GPK_") for i in rules), "checkov's built-in checks too"
    for rule_id, rule in rules.items():
        assert rule["help"]["text"] and rule["shortDescription"]["text"]
        if rule_id in BY_ID:
            assert rule["helpUri"] == DOCS_URL + BY_ID[rule_id].docs
            assert (BY_ID[rule_id].rule_id or "policies/iam.py") in rule["help"]["text"]
    for result in failing["runs"][0]["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def _slugs(markdown: str) -> set[str]:
    headings = re.findall(r"^#+ (.+)$", markdown, re.M)
    return {re.sub(r"[^\w\- ]", "", h).strip().lower().replace(" ", "-") for h in headings}


def test_help_uris_point_at_existing_doc_headings() -> None:
    for spec in BY_ID.values():
        page, anchor = spec.docs.split("#")
        assert anchor in _slugs((ROOT / "docs" / page).read_text(encoding="utf-8")), spec.docs


def test_fingerprints_and_repository_relative_uris(failing: dict[str, Any]) -> None:
    results = failing["runs"][0]["results"]
    prints = [r["partialFingerprints"]["gpukitResult/v1"] for r in results]
    assert len(set(prints)) == len(prints)
    for result in results:
        location = result["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not uri.startswith(("/", "file:")) and (ROOT / uri).is_file(), uri
        if result["properties"]["result"] != "unknown":  # graph-check notes carry no lines
            assert location["region"]["startLine"] >= 1
    base = failing["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == ROOT.resolve().as_uri() + "/"


def test_same_findings_same_fingerprints(failing: dict[str, Any]) -> None:
    _, again = sarif("terraform", str(FIXTURES / "hcl"))

    def prints(d: dict[str, Any]) -> set[str]:
        return {r["partialFingerprints"]["gpukitResult/v1"] for r in d["runs"][0]["results"]}

    assert prints(again) == prints(failing)


def test_plan_results_point_at_the_tf_source(plan_failing: dict[str, Any]) -> None:
    assert schema_errors(plan_failing) == []
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in plan_failing["runs"][0]["results"]
    }
    assert uris == {"tests/terraform/fixtures/hcl/bad_ptu/main.tf"}


def test_catalog_agrees_with_the_checks_checkov_loads() -> None:
    """The names SARIF and the Pulumi path take from the catalog are the checks' own."""
    done = gpukit("check", "terraform", str(FIXTURES / "hcl"), "--gpukit-only", "-f", "json")
    seen = {(r["check_id"], r["check_name"]) for r in json.loads(done.stdout)["results"]}
    seen = {pair for pair in seen if pair[0] != pair[1]}  # unknown results carry no name
    assert seen == {(spec.id, spec.name) for spec in BY_ID.values()}
