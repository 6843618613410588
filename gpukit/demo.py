"""``make demo``: the guard against a local AWS emulator seeded with a realistic fleet.

Starts the emulator (moto plus the emulated Bedrock PTU API) on 127.0.0.1, seeds the
fleet from ``gpukit.emulator.seed``, runs ``gpukit guard scan`` (dry run) and then
``gpukit guard run --apply`` through the real CLI in a subprocess, and explains what
happened: what was torn down, what was blocked and until when, what was only marked,
and the dollars per month saved. The audit trail and snapshots go to ``.demo/``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gpukit.extras import require

require("moto", "make demo (python -m gpukit.demo)")

from gpukit.emulator import Emulator, offline_env, seed_fleet, start_emulator  # noqa: E402
from gpukit.emulator.seed import PlannedEndpoint, PlannedPtu, fleet_plan  # noqa: E402
from gpukit.guard.actions.mark import MarkAction, mark_record  # noqa: E402
from gpukit.guard.actions.teardown import TeardownAction  # noqa: E402
from gpukit.guard.audit import FileAuditStore  # noqa: E402
from gpukit.policies import tags as T  # noqa: E402
from gpukit.policies.findings import DECISION_RANK, PRICE_UNKNOWN, Decision  # noqa: E402
from gpukit.policies.report import Status  # noqa: E402
from gpukit.policies.timeutil import iso  # noqa: E402

REGION = "us-east-1"


class DemoError(Exception):
    """The guard could not be run or said something the demo cannot read."""


def guard_env() -> dict[str, str]:
    """The environment for the guard subprocess: dummy credentials, no real AWS config."""
    return offline_env(os.environ, REGION)


def run_guard(emu: Emulator, audit: Path, now: datetime, *args: str) -> dict[str, Any]:
    """Run ``gpukit guard <args>`` against the emulator and return its JSON document; a
    dry run judges as of ``now``, ``--apply`` at the real clock (it refuses another)."""
    when = [] if "--apply" in args else ["--now", iso(now)]
    command = [
        sys.executable, "-m", "gpukit", "guard", *args,
        "--endpoint-url", emu.endpoint_url, "--region", REGION, "--format", "json",
        "--audit", str(audit), *when,
    ]  # fmt: skip
    done = subprocess.run(command, env=guard_env(), capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):  # 1 means failing findings remain, which is the point
        raise DemoError(
            f"`gpukit guard {' '.join(args)}` exited {done.returncode}:\n{done.stderr.strip()}"
        )
    try:
        document: dict[str, Any] = json.loads(done.stdout)
    except json.JSONDecodeError as exc:
        raise DemoError(f"`gpukit guard {' '.join(args)}` did not print JSON: {exc}") from None
    return document


def by_resource(findings: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for finding in findings:
        out.setdefault(finding["resource_arn"], []).append(finding)
    return out


def strongest(findings: list[dict[str, Any]]) -> dict[str, Any]:
    return max(findings, key=lambda f: DECISION_RANK[Decision(f["decision"])])


def waste(findings: list[dict[str, Any]]) -> float | None:
    """Monthly waste of one resource: its largest finding (rules overlap, never add up);
    ``None`` when its price is unknown."""
    if any(f["monthly_waste_usd"] is None for f in findings):
        return None
    return max((f["monthly_waste_usd"] for f in findings), default=0.0)


def dollars(value: float | None, width: int) -> str:
    return f"{PRICE_UNKNOWN:>{width}}" if value is None else f"{value:>{width},.2f}"


def money(value: float | None) -> str:
    return PRICE_UNKNOWN if value is None else f"${value:,.2f}"


class Fleet:
    """Names and environments of the seeded resources, for people rather than ARNs."""

    def __init__(self, arns: dict[str, str], now: datetime) -> None:
        ptus, endpoints = fleet_plan(now)
        everything: list[PlannedPtu | PlannedEndpoint] = [*ptus, *endpoints]
        plans = {p.role: p for p in everything}
        self.arns = arns
        self.name = {arn: plans[role].name for role, arn in arns.items()}
        self.tags = {arn: plans[role].tags for role, arn in arns.items()}
        self.story = {arn: plans[role].story for role, arn in arns.items()}

    def label(self, arn: str) -> str:
        env = self.tags.get(arn, {}).get(T.ENV, "untagged")
        return f"{self.name.get(arn, arn)} ({env})"


def record_seeded_marks(fleet: Fleet, audit: Path) -> None:
    """The seeded ``gpukit:marked`` tags stand for marks an earlier guard run placed: write
    that run's records (the guard counts only marks its audit trail holds)."""
    records = [
        mark_record("guard-earlier-run", tags[T.MARKED].partition("@")[2], arn, tags[T.MARKED])
        for arn, tags in fleet.tags.items()
        if T.MARKED in tags
    ]
    FileAuditStore(audit).write(records)


def print_fleet(fleet: Fleet) -> None:
    print(f"Seeded fleet ({len(fleet.arns)} resources, all billing by the hour):")
    for arn in fleet.arns.values():
        kind = "PTU" if ":provisioned-model/" in arn else "endpoint"
        print(f"  {kind:<9}{fleet.label(arn):<36}{fleet.story[arn]}")
    print()


def print_findings_table(fleet: Fleet, report: dict[str, Any]) -> None:
    print(f"Dry run ({report['run_id']}): {report['resources']} resources judged; nothing changed.")
    print(f"  {'decision':<10}{'resource':<36}{'$/hour':>14}{'waste $/month':>16}")
    rows = by_resource(report["findings"])
    for arn in sorted(rows, key=lambda a: -DECISION_RANK[Decision(strongest(rows[a])["decision"])]):
        top = strongest(rows[arn])
        print(
            f"  {top['decision']:<10}{fleet.label(arn):<36}"
            f"{dollars(top['hourly_cost_usd'], 14)}{dollars(waste(rows[arn]), 16)}"
        )
        print(f"  {'':<10}{top['rule_id']}: {top['reason']}")
    print()


def summarize_apply(emu: Emulator, fleet: Fleet, report: dict[str, Any], audit: Path) -> bool:
    """Print what the apply run did; ``False`` if the emulator disagrees with the report."""
    rows = by_resource(report["findings"])
    actions = report["actions"]
    torn = [
        a["resource_arn"]
        for a in actions
        if a["action"] == TeardownAction.name and a["status"] == Status.DONE
    ]
    failed = [a for a in actions if a["status"] not in (Status.DONE, Status.DRY_RUN)]
    print(f"Apply ({report['run_id']}):")
    print("Torn down:")
    for arn in torn:
        print(f"  TORN DOWN  {fleet.label(arn):<36}saves {money(waste(rows.get(arn, [])))}/month")
    if not torn:
        print("  (nothing)")
    print("Blocked (never deleted by the guard):")
    for arn, findings in rows.items():
        top = strongest(findings)
        if top["decision"] != Decision.BLOCKED:
            continue
        ptu = emu.ptus.get(arn)
        ends = ptu.commitment_expiration_time if ptu else None
        when = f"can be deleted from {iso(ends)}" if ends else "see the reason"
        print(f"  BLOCKED    {fleet.label(arn):<36}{when}")
        print(f"             {top['rule_id']}: {top['reason']}")
    print("Only marked (torn down on a later run if still idle after the grace period):")
    for action in actions:
        if action["action"] == MarkAction.name and action["status"] == Status.DONE:
            arn = action["resource_arn"]
            dues = [f["act_after"] for f in rows.get(arn, []) if f.get("act_after")]
            when = f"teardown due after {max(dues)}" if dues else "no teardown date"
            if not fleet.tags.get(arn, {}).get(T.OWNER):
                when = "no gpukit:owner tag, so never deleted automatically: claim or delete it"
            print(f"  MARKED     {fleet.label(arn):<36}{action['detail']}; {when}")
    print("Warned only (left running):")
    for arn, findings in rows.items():
        top = strongest(findings)
        if top["decision"] == Decision.WARN:
            print(f"  WARNED     {fleet.label(arn):<36}{top['rule_id']}: {top['reason']}")
    if failed:
        print("Not done this run (held or failed; see why):")
    for action in failed:
        label = fleet.label(action["resource_arn"])
        print(f"  FAILED     {label:<36}{action['action']}: {action.get('detail', '')}")
    savings = [waste(rows.get(arn, [])) for arn in torn]
    unknown = sum(1 for s in savings if s is None)
    saved = sum(s for s in savings if s is not None)
    print()
    extra = f" ({unknown} more with {PRICE_UNKNOWN})" if unknown else ""
    print(f"Saved: {money(saved)} per month from {len(torn)} teardown(s){extra}.")
    prices = str(report.get("prices", "not reported by the guard"))
    print(f"Price source: {prices.removeprefix('prices: ')}")
    calls = report.get("api_calls", {})
    print(f"AWS calls this run: {sum(calls.values())} across {len(calls)} operations")
    print_audit(audit)
    return print_check(emu, fleet, torn)


def print_audit(audit: Path) -> None:
    kinds: Counter[str] = Counter()
    if audit.exists():
        for line in audit.read_text(encoding="utf-8").splitlines():
            if line.strip():
                kinds[json.loads(line).get("kind", "?")] += 1
    detail = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "no records"
    print(f"Audit trail and pre-delete snapshots: {audit} ({detail})")
    print(f"  restore one with: gpukit guard restore <arn> --audit {audit} --endpoint-url <url>")


def print_check(emu: Emulator, fleet: Fleet, torn: list[str]) -> bool:
    """Ask the emulator what is left, so the summary is checked, not just repeated."""
    sagemaker = emu.client("sagemaker", REGION)
    endpoints = {e["EndpointArn"] for e in sagemaker.list_endpoints()["Endpoints"]}
    ptus = {p.arn for p in emu.ptus.all()}
    gone = [arn for arn in fleet.arns.values() if arn not in endpoints | ptus]
    configs = sagemaker.list_endpoint_configs()["EndpointConfigs"]
    models = sagemaker.list_models()["Models"]
    agrees = sorted(gone) == sorted(torn)
    print(
        f"Checked in the emulator: {len(fleet.arns) - len(gone)} of {len(fleet.arns)} resources"
        f" remain; deleted: {', '.join(fleet.label(a) for a in gone) or 'none'}"
        f" ({'as' if agrees else 'NOT as'} the guard reported); {len(configs)} endpoint configs"
        f" and {len(models)} models kept for restore."
    )
    return agrees


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gpukit.demo", description=__doc__)
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(".demo"),
        help="where the audit trail and snapshots go (default: .demo/)",
    )
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    audit = args.workdir / "audit.jsonl"
    audit.unlink(missing_ok=True)
    now = datetime.now(UTC).replace(microsecond=0)
    with start_emulator() as emu:
        print(f"Local AWS emulator on {emu.endpoint_url} (moto + emulated Bedrock PTU API)")
        fleet = Fleet(seed_fleet(emu, now, REGION), now)
        print_fleet(fleet)
        record_seeded_marks(fleet, audit)
        try:
            print_findings_table(fleet, run_guard(emu, audit, now, "scan"))
            applied = run_guard(emu, audit, now, "run", "--apply")
            agrees = summarize_apply(emu, fleet, applied, audit)
        except DemoError as exc:
            print(f"demo: {exc}", file=sys.stderr)
            return 2
    return 0 if agrees else 1


if __name__ == "__main__":
    sys.exit(main())
