"""``gpukit guard scan --org / --accounts / --regions all`` against the emulator holding
several accounts (moto keys state by account id; STS credentials act in the role's account;
the emulated PTUs are kept per account), through the installed script."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from gpukit.emulator import Emulator
from gpukit.guard.org import DEFAULT_MEMBER_ROLE
from gpukit.policies.report import Report
from tests.guard.accounts import REGIONS, organisation, seed_account
from tests.guard.guard_cli import gpukit


def scan(emu: Emulator, tmp_path: Path, *args: str) -> tuple[int, Report | None, str]:
    done = gpukit(
        "guard",
        "scan",
        "--endpoint-url",
        emu.endpoint_url,
        "--audit",
        str(tmp_path / "audit.jsonl"),
        "--format",
        "json",
        *args,
    )
    report = Report.model_validate_json(done.stdout) if done.stdout.strip() else None
    return done.returncode, report, done.stderr


def test_org_scan_finds_every_resource_once_in_its_account_and_reports_a_missing_role(
    aws: Emulator, tmp_path: Path
) -> None:
    accounts = organisation(aws, 3)
    *reachable, missing = accounts
    expected: set[str] = set()
    for account in reachable:
        aws.create_role(account, DEFAULT_MEMBER_ROLE)
        expected |= seed_account(aws, account)
    assert len(expected) == 3 * len(REGIONS) * 2

    code, report, err = scan(aws, tmp_path, "--org", "--regions", ",".join(REGIONS))

    assert report is not None, err
    seen = Counter(item.arn for item in report.inventory)
    assert set(seen) == expected
    assert set(seen.values()) == {1}
    for item in report.inventory:
        assert item.account == item.arn.split(":")[4]
        assert item.region == item.arn.split(":")[3]
    assert {i.account for i in report.inventory} == set(reachable)
    [unreached] = [a for a in report.actions if a.resource_arn == f"account/{missing}"]
    assert unreached.status == "error"
    assert f"arn:aws:iam::{missing}:role/{DEFAULT_MEMBER_ROLE}" in unreached.detail
    assert "AccessDenied" in unreached.detail
    assert code == 1  # an account was not scanned: incomplete
    assert f"account/{missing}" in err
    assert report.api_calls["organizations.ListAccounts"] == 1
    assert report.api_calls["sts.AssumeRole"] == len(accounts)
    merged = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    [org_run] = [r for r in merged if r["kind"] == "run" and r["run_id"] == report.run_id]
    assert sorted(org_run["data"]["accounts"]) == sorted(reachable)
    assert org_run["data"]["unreachable"] == [missing]
    assert org_run["data"]["resources"] == len(expected)


def test_accounts_and_regions_all_scan_each_accounts_enabled_regions(
    aws: Emulator, tmp_path: Path
) -> None:
    accounts = ["210987654321", "321098765432"]
    expected: set[str] = set()
    for account in accounts:
        aws.create_role(account, "custom-guard")
        expected |= seed_account(aws, account, "custom-guard")
    args = ("--accounts", ",".join(accounts), "--member-role", "custom-guard")
    code, report, err = scan(aws, tmp_path, *args, "--regions", "all")
    assert code != 2, err
    assert report is not None, err
    assert {i.arn for i in report.inventory} == expected
    assert report.resources == len(expected)
    assert report.api_calls["ec2.DescribeRegions"] == len(accounts)
    enabled = aws.client("ec2").describe_regions()["Regions"]
    listed = sum(1 for r in enabled if r.get("OptInStatus") != "not-opted-in")
    assert report.api_calls["sagemaker.ListEndpoints"] == listed * len(accounts)
    assert not [a for a in report.actions if a.action == "discover"], report.actions


def test_a_role_assumed_nowhere_is_exit_2_naming_each_account(
    aws: Emulator, tmp_path: Path
) -> None:
    code, report, err = scan(aws, tmp_path, "--accounts", "210987654321", "--region", "us-east-1")
    assert code == 2
    assert report is None
    assert f"--member-role {DEFAULT_MEMBER_ROLE}: assumed in none of the 1 accounts" in err
    assert "210987654321: sts.AssumeRole" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--accounts", "12345"], "--accounts: '12345' is not an AWS account id (12 digits)"),
        (["--accounts", "111111111111,abc"], "--accounts: 'abc' is not an AWS account id"),
        (["--org", "--accounts", "111111111111"], "--org and --accounts: give one, not both"),
        (["--org", "--member-role", "no/slash"], "--member-role: 'no/slash' is not an IAM role"),
        (["--regions", "all,us-east-1"], "--regions: 'all' stands alone"),
        (["--regions", "mars-1"], "--regions: 'mars-1' is not an AWS region name"),
        (["--regions", "all", "--region", "us-east-1"], "--regions and --region: give one"),
    ],
)
def test_bad_scope_is_exit_2(args: list[str], needle: str, tmp_path: Path) -> None:
    done = gpukit("guard", "scan", "--audit", str(tmp_path / "a.jsonl"), *args)
    assert done.returncode == 2, done.stderr
    assert needle in done.stderr
    assert "Traceback" not in done.stderr


def test_regions_all_in_the_own_account_finds_what_runs_outside_the_default_region(
    aws: Emulator, tmp_path: Path
) -> None:
    aws.create_role(aws.account_id, DEFAULT_MEMBER_ROLE)  # only to seed through one path
    expected = seed_account(aws, aws.account_id)
    code, report, err = scan(aws, tmp_path, "--regions", "all")
    assert code != 2, err
    assert report is not None, err
    assert {i.arn for i in report.inventory} == expected
    assert report.api_calls["ec2.DescribeRegions"] == 1
    assert "sts.AssumeRole" not in report.api_calls  # its own account: no role assumed
