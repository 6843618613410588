"""The reviewed skips file (policies/checkov/skips.yaml): well-formed, precise, applied."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpukit.iac.scan import scan_terraform
from gpukit.policies.checkov.skips import Skip, find_skip, load_skips
from gpukit.policies.errors import InputError
from tests.terraform.tf import MODULES

SKIP = Skip(
    check="CKV_AWS_117",
    resource="aws_lambda_function.guard",
    file="guard-service/main.tf",
    reason="the guard only calls AWS APIs",
)


def test_every_entry_names_a_resource_of_its_module_file() -> None:
    for skip in load_skips():
        rtype, name = skip.resource.split(".")
        source = (MODULES / skip.file).read_text(encoding="utf-8")
        assert f'resource "{rtype}" "{name}"' in source, skip


@pytest.mark.parametrize(
    ("check", "address", "file", "covered"),
    [
        ("CKV_AWS_117", "module.guard.aws_lambda_function.guard", "/plan.json", True),
        ("CKV_AWS_117", "module.a.module.b.aws_lambda_function.guard", "", True),
        ("CKV_AWS_117", "aws_lambda_function.guard", "/modules/guard-service/main.tf", True),
        ("CKV_AWS_117", "module.guard.aws_lambda_function.guard", "/guard-service/main.tf", True),
        # the user's own resource of the same name is not covered
        ("CKV_AWS_117", "aws_lambda_function.guard", "/plan.json", False),
        ("CKV_AWS_117", "aws_lambda_function.guard", "/app/main.tf", False),
        ("CKV_AWS_117", "module.guard.aws_lambda_function.guard", "/app/main.tf", False),
        ("CKV_AWS_117", "module.guard.aws_lambda_function.guarded", "/plan.json", False),
        ("CKV_AWS_272", "module.guard.aws_lambda_function.guard", "/plan.json", False),
        ("CKV_AWS_117", 'module.g["a"].aws_lambda_function.guard["x"]', "/plan.json", True),
    ],
)
def test_an_entry_covers_its_check_on_its_resource_only(
    check: str, address: str, file: str, covered: bool
) -> None:
    assert (find_skip([SKIP], check, address, file) is not None) is covered


def test_a_malformed_file_is_one_line_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "skips.yaml"
    bad.write_text("skips:\n  - check: CKV_AWS_1\n    resource: aws_x.y\n    file: m.tf\n")
    with pytest.raises(InputError) as caught:
        load_skips(bad)
    (line,) = caught.value.messages
    assert line.startswith(f"{bad}: ") and "reason" in line


def test_covered_failures_become_skipped_with_the_reason() -> None:
    """gpu-endpoint keeps no inline skip: CKV_AWS_370 on its model is skipped by the file,
    with the file's reason, and fails no more."""
    scan = scan_terraform(MODULES / "gpu-endpoint")
    (entry,) = [s for s in load_skips() if s.check == "CKV_AWS_370"]
    skipped = {
        (r.check_id, ".".join(r.resource.rsplit(".", 2)[-2:])): r.suppress_comment
        for r in scan.of("skipped")
    }
    assert skipped[("CKV_AWS_370", entry.resource)] == entry.reason
    assert "CKV_AWS_370" not in {r.check_id for r in scan.failed}
