"""One guard run: discover, measure, judge, plan, act (or not), audit, report."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from guard.actions import RUNNERS
from guard.actions.base import ActionContext, record
from guard.audit import AuditRecord, AuditStore, FileAuditStore
from guard.clients import ClientFactory
from guard.discovery import Discovered, discover
from guard.metrics import UsageRequest, fetch_usage
from guard.plan import Step, plan
from guard.pricing import load_prices
from policies.context import hours
from policies.engine import Evaluation, evaluate_many, select_policy
from policies.environment import EnvironmentPolicy, load_policies
from policies.pricing import PriceBook, load_bundled
from policies.report import ActionRecord, Report
from policies.timeutil import iso

Progress = Callable[[str], None]
#: What a step would do with ``--apply``, for the dry-run report.
DRY_RUN = {
    "teardown": "would snapshot to the audit store, then delete",
    "unmark": "would remove gpukit:marked",
    "notify": "would publish to the SNS topic",
    "mark": "would write gpukit:marked",
}


@dataclass
class GuardConfig:
    """What one run does. ``apply=False`` (the default) changes nothing in AWS."""

    regions: list[str] = field(default_factory=lambda: ["us-east-1"])
    apply: bool = False
    env: str | None = None
    policies: Mapping[str, EnvironmentPolicy] | None = None
    max_teardowns: int | None = None
    now: datetime | None = None
    sns_topic_arn: str | None = None
    audit: AuditStore | None = None
    prices: PriceBook | None = None
    live_prices: bool = False


def _window(policy: EnvironmentPolicy, item: Discovered) -> timedelta:
    return hours(policy.idle_for(item.resource.kind).window_hours)


def run_guard(
    factory: ClientFactory, config: GuardConfig, progress: Progress | None = None
) -> Report:
    """Run the guard once and return the report (also written to the audit store)."""
    now = config.now or datetime.now(UTC)
    run_id = f"guard-{now.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    policies = load_policies(config.policies)
    prices = config.prices or (
        load_prices(factory, config.regions[0]) if config.live_prices else load_bundled()
    )
    audit = config.audit or FileAuditStore()
    say = progress or (lambda _msg: None)

    found = discover(factory, config.regions, progress=say)
    actions = [
        ActionRecord(
            resource_arn=f"region/{e.region}",
            action="discover",
            status="error",
            detail=f"{e.call}: {e.detail}",
        )
        for e in found.errors
    ]
    items = {d.resource.arn: d for d in found.found}
    requests = [
        UsageRequest(
            d.rtype, d.resource, _window(select_policy(d.resource, policies, config.env), d)
        )
        for d in found.found
    ]
    say(f"reading usage of {len(requests)} resources")
    usage = fetch_usage(factory, requests, now, progress=say)
    resources = [d.resource.model_copy(update={"usage": usage[a]}) for a, d in items.items()]
    items = {r.arn: Discovered(items[r.arn].rtype, r, items[r.arn].raw) for r in resources}
    say("evaluating")
    evaluations = evaluate_many(resources, policies, now, prices, forced_env=config.env)
    notified = {}
    if config.sns_topic_arn and config.apply:
        for arn in items:
            last = audit.latest("notify", arn)
            if last is not None:
                notified[arn] = str(last.data.get("fingerprint", ""))
    steps = plan(
        evaluations,
        items,
        now,
        config.max_teardowns,
        notify=bool(config.sns_topic_arn),
        last_notified=notified,
    )
    ctx = ActionContext(factory, now, run_id, audit, config.sns_topic_arn)
    actions += _execute(ctx, steps, config.apply, say)
    report = Report(
        run_id=run_id,
        mode="apply" if config.apply else "dry-run",
        resources=len(resources),
        findings=[f for ev in evaluations for f in ev.findings],
        actions=actions,
        api_calls=factory.api_calls,
        prices=prices.describe(),
    )
    try:
        _audit_run(audit, report, evaluations, now)
    except Exception as exc:  # the run happened; say the trail is incomplete, don't hide it
        report.actions.append(
            ActionRecord(
                resource_arn=audit.describe(),
                action="audit",
                status="error",
                detail=f"audit records not written: {type(exc).__name__}: {exc}",
            )
        )
    return report


def _execute(
    ctx: ActionContext, steps: list[Step], apply: bool, say: Progress
) -> list[ActionRecord]:
    out: list[ActionRecord] = []
    for step in steps:
        if step.hold is not None:
            result = record(step, step.hold, step.detail)
        elif not apply:
            result = record(step, "dry-run", step.mark_value or step.detail or DRY_RUN[step.kind])
        else:
            say(f"{step.kind} {step.item.resource.name}")
            try:
                result = RUNNERS[step.kind](ctx, step)
            except Exception as exc:  # one resource's failure never stops the run
                result = record(step, "error", f"{type(exc).__name__}: {exc}")
        ctx.done.setdefault(step.arn, []).append(result)
        out.append(result)
    return out


def _audit_run(
    audit: AuditStore, report: Report, evaluations: list[Evaluation], now: datetime
) -> None:
    at = iso(now)
    records = [
        AuditRecord(
            "run",
            report.run_id,
            at,
            data={
                "mode": report.mode,
                "resources": report.resources,
                "findings": len(report.findings),
                "failing": len(report.failing),
                "monthly_waste_usd": report.monthly_waste_usd,
                "api_calls": report.api_calls,
                "prices": report.prices,
            },
        )
    ]
    for ev in evaluations:
        records.append(
            AuditRecord(
                "decision",
                report.run_id,
                at,
                ev.resource.arn,
                {
                    "decision": ev.decision.value,
                    "policy": ev.policy.environment,
                    "findings": [f.model_dump(mode="json") for f in ev.findings],
                },
            )
        )
    for action in report.actions:
        records.append(
            AuditRecord("action", report.run_id, at, action.resource_arn, action.model_dump())
        )
    audit.write(records)
