"""The kit's own HCL modules: conventions, dogfooding checkov, and the generated guard policy."""

from __future__ import annotations

import json
import re
from pathlib import Path

import hcl2
import pytest

from gpukit.guard.claims import TTL_ATTRIBUTE
from gpukit.guard.iam import PERMISSIONS
from gpukit.iac import guard_policy
from gpukit.iac.results import Scan
from gpukit.iac.scan import scan_terraform
from gpukit.policies import tags as T
from gpukit.policies.iam import wildcard_problems

ROOT = Path(__file__).parents[2] / "modules" / "terraform"
MODULES = (
    "bedrock-throughput",
    "gpu-endpoint",
    "guard-member-role",
    "guard-service",
    "power-tuner",
)
SKIP = re.compile(r"#\s*checkov:skip=([A-Z0-9_]+)(?::(.*))?")


def load(path: Path) -> dict[str, object]:
    with path.open(encoding="utf-8") as handle:
        return hcl2.load(handle)  # type: ignore[no-any-return]


def one(value: object) -> object:
    """The HCL parser wraps attribute values in one-element lists."""
    return value[0] if isinstance(value, list) and len(value) == 1 else value


@pytest.fixture(scope="module")
def dogfood() -> Scan:
    return scan_terraform(ROOT)


@pytest.mark.parametrize("module", MODULES)
def test_module_layout_and_documented_interface(module: str) -> None:
    base = ROOT / module
    for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf"):
        assert (base / name).is_file(), f"{module}/{name} missing"
    variables = load(base / "variables.tf")["variable"]
    assert variables
    for block in variables:  # type: ignore[attr-defined]
        for var, spec in block.items():
            assert one(spec.get("type")), f"{module}: variable {var} has no type"
            description = str(one(spec.get("description")) or "")
            assert len(description) > 15, f"{module}: {var} undocumented"
    for block in load(base / "outputs.tf")["output"]:  # type: ignore[attr-defined]
        for out, spec in block.items():
            assert one(spec.get("description")), f"{module}: output {out} undocumented"
    terraform = load(base / "versions.tf")["terraform"][0]  # type: ignore[index]
    aws = one(one(terraform["required_providers"])["aws"])
    assert aws["source"] == "hashicorp/aws"


@pytest.mark.parametrize("module", MODULES)
def test_every_module_has_an_example_calling_it(module: str) -> None:
    examples = sorted((ROOT / module / "examples").glob("*/main.tf"))
    assert examples
    for example in examples:
        calls = load(example)["module"]
        sources = [one(spec["source"]) for block in calls for spec in block.values()]  # type: ignore[attr-defined]
        assert "../.." in sources


@pytest.mark.parametrize("module", MODULES)
def test_required_gpukit_tags_are_merged_over_the_tags_variable(module: str) -> None:
    text = (ROOT / module / "main.tf").read_text(encoding="utf-8")
    merge = re.search(r"tags\s*=\s*merge\(var\.tags,\s*\{(.*?)\}\)", text, re.S)
    assert merge, f"{module}: tags are not merge(var.tags, {{gpukit tags}})"
    for key in (T.OWNER, T.ENV, T.COST_CENTER, T.MANAGED_BY):
        assert f'"{key}"' in merge.group(1)


def test_dogfood_builtin_checks_pass_or_skip_with_a_reason(dogfood: Scan) -> None:
    failed = [(r.check_id, r.resource) for r in dogfood.failed]
    assert failed == []
    assert len(dogfood.of("passed")) > 50
    for result in dogfood.of("skipped"):
        assert len(str(result.suppress_comment or "")) > 20, result.check_id
    prefix = ROOT.relative_to(Path(__file__).parents[2]).as_posix() + "/"
    scanned = {r.file.removeprefix(prefix).split("/")[0] for r in dogfood.of("passed")}
    assert scanned == set(MODULES)


def test_every_skip_comment_names_a_check_and_a_reason() -> None:
    skips = [m for tf in ROOT.rglob("*.tf") for m in SKIP.finditer(tf.read_text(encoding="utf-8"))]
    assert skips
    for match in skips:
        assert match.group(2) and len(match.group(2).strip()) > 20, match.group(0)


def test_generated_guard_policy_matches_guard_iam() -> None:
    committed = guard_policy.POLICY_FILE.read_text(encoding="utf-8")
    assert committed == guard_policy.text(), "run: python -m gpukit.iac.guard_policy"
    document = json.loads(committed)["locals"]["guard_policy"]
    actions = {a for s in document["Statement"] for a in s["Action"]}
    assert actions == {p.action for p in PERMISSIONS}
    assert wildcard_problems(document) == []
    main = (ROOT / "guard-service" / "main.tf").read_text(encoding="utf-8")
    assert "policy = jsonencode(local.guard_policy)" in main


def test_guard_policy_binds_every_placeholder_to_a_module_resource() -> None:
    main = (ROOT / "guard-service" / "main.tf").read_text(encoding="utf-8")
    for reference in guard_policy.BINDINGS.values():
        parts = reference.removeprefix("${").removesuffix("}").split(".")
        block = "data" if parts[0] == "data" else "resource"
        kind, name = parts[1:3] if block == "data" else parts[:2]
        assert f'{block} "{kind}" "{name}"' in main


def test_the_audit_table_expires_run_claims_by_their_ttl_attribute() -> None:
    main = load(ROOT / "guard-service" / "main.tf")
    [table] = [
        r["aws_dynamodb_table"]["audit"] for r in main["resource"] if "aws_dynamodb_table" in r
    ]
    ttl = one(table["ttl"])
    assert isinstance(ttl, dict)
    assert {k: one(v) for k, v in ttl.items()} == {"attribute_name": TTL_ATTRIBUTE, "enabled": True}
