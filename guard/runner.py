"""One guard run: discover, measure, judge, plan, act (or not), audit, report."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from gpukit.guard.actions import action_for
from gpukit.guard.actions.base import ActionContext, record
from gpukit.guard.actions.mark import judged_marks
from gpukit.guard.actions.notify import NotifyAction, notice_first, unsent_notice
from gpukit.guard.actions.teardown import TeardownAction
from gpukit.guard.audit import AuditRecord, AuditStore, FileAuditStore
from gpukit.guard.awsutil import error_message
from gpukit.guard.claims import CLAIM_TTL, ClaimKey, wall_clock
from gpukit.guard.clients import ClientFactory
from gpukit.guard.discovery import Discovered, discover
from gpukit.guard.metrics import UsageRequest, read_usage
from gpukit.guard.plan import Step, plan
from gpukit.guard.pricing import load_prices
from gpukit.policies import tags as T
from gpukit.policies.engine import Evaluation, evaluate_many, select_policy
from gpukit.policies.environment import EnvironmentPolicy, load_policies
from gpukit.policies.inventory import inventory
from gpukit.policies.pricing import PriceBook, load_bundled
from gpukit.policies.report import ActionRecord, Report, Status
from gpukit.policies.timeutil import iso
from gpukit.policies.usage import lookback

Progress = Callable[[str], None]


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
    #: Real time, for claims; ``now`` may be a replayed time.
    clock: Callable[[], datetime] = wall_clock


def _window(policy: EnvironmentPolicy, item: Discovered, now: datetime) -> timedelta:
    """The policy's idle window, or back to the resource's teardown mark if that is older."""
    return lookback(item.resource, policy.idle_for(item.resource.kind), now)


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
            status=Status.ERROR,
            detail=f"{e.call}: {e.detail}",
        )
        for e in found.errors
    ]
    items = {d.resource.arn: d for d in found.found}
    requests = [
        UsageRequest(
            d.rtype, d.resource, _window(select_policy(d.resource, policies, config.env), d, now)
        )
        for d in found.found
    ]
    say(f"reading usage of {len(requests)} resources")
    read = read_usage(factory, requests, now, progress=say, clock=config.clock)
    usage = read.usage
    actions += [
        ActionRecord(resource_arn=f"region/{region}", action="usage", status=Status.ERROR, detail=d)
        for region, d in read.errors
    ]
    resources = [d.resource.model_copy(update={"usage": usage[a]}) for a, d in items.items()]
    items = {r.arn: Discovered(items[r.arn].rtype, r, items[r.arn].raw) for r in resources}
    judged, unchecked = judged_marks(audit, resources)
    say("evaluating")
    evaluations = evaluate_many(judged, policies, now, prices, forced_env=config.env)
    notified: dict[str, str] = {}
    unread = None
    if config.sns_topic_arn and config.apply:
        notified, unread = _last_notified(audit, list(items))
    steps = plan(
        evaluations,
        items,
        now,
        config.max_teardowns,
        notify=bool(config.sns_topic_arn),
        last_notified=notified,
    )
    steps = [
        replace(
            s, hold=Status.SKIPPED, detail=f"{T.MARKED} not checked in {audit.describe()}: {why}"
        )
        if (why := unchecked.get(s.arn)) and s.kind != NotifyAction.name
        else s
        for s in steps
    ]
    if unread is not None:
        actions.append(
            ActionRecord(
                resource_arn=audit.describe(),
                action="audit",
                status=Status.ERROR,
                detail=f"last notifications not read, so none is sent this run: {unread}",
            )
        )
        held = "not sent: the last notification could not be read (see the audit error)"
        steps = [
            replace(s, hold=Status.SKIPPED, detail=held) if s.kind == NotifyAction.name else s
            for s in steps
        ]
    ctx = ActionContext(factory, now, run_id, audit, config.sns_topic_arn, clock=config.clock)
    actions += _execute(ctx, steps, config.apply, say)
    report = Report(
        run_id=run_id,
        mode="apply" if config.apply else "dry-run",
        resources=len(resources),
        inventory=inventory(evaluations, prices),
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
                status=Status.ERROR,
                detail=f"audit records not written: {type(exc).__name__}: {exc}",
            )
        )
    return report


def _last_notified(audit: AuditStore, arns: list[str]) -> tuple[dict[str, str], str | None]:
    """The fingerprint of the last notification per ARN, and the error if they could not
    all be read."""
    seen: dict[str, str] = {}
    for arn in arns:
        try:
            last = audit.latest("notify", arn)  # the audit kind of a sent notice
        except Exception as exc:  # any store failure
            return seen, error_message(exc)
        if last is not None:
            seen[arn] = str(last.data.get("fingerprint", ""))
    return seen, None


def _execute(
    ctx: ActionContext, steps: list[Step], apply: bool, say: Progress
) -> list[ActionRecord]:
    out: list[ActionRecord] = []
    elsewhere: dict[str, str] = {}  # ARN -> the other run acting on it
    for step in notice_first(steps):
        if step.hold is not None:
            result = record(step, step.hold, step.detail)
        elif not apply:
            result = record(
                step, Status.DRY_RUN, step.mark_value or step.detail or action_for(step).dry_run
            )
        elif step.arn in elsewhere:
            result = record(
                step, Status.SKIPPED, f"left to run {elsewhere[step.arn]}, acting on it"
            )
        elif step.kind == TeardownAction.name and (
            unsent := unsent_notice(ctx.done.get(step.arn, []))
        ):
            result = record(step, Status.SKIPPED, unsent)
        else:
            say(f"{step.kind} {step.item.resource.name}")
            result = _claim_and_act(ctx, step, elsewhere)
        ctx.done.setdefault(step.arn, []).append(result)
        out.append(result)
    return out


def _claim_and_act(ctx: ActionContext, step: Step, elsewhere: dict[str, str]) -> ActionRecord:
    """Act only under this run's claim; keep it unless AWS answered that nothing changed."""
    key = ClaimKey(step.arn, step.kind, step.planned_from)
    try:
        held = ctx.audit.claim(key, ctx.run_id, ctx.clock())
    except Exception as exc:  # no claim, no action
        return record(
            step,
            Status.ERROR,
            f"not done: no claim in {ctx.audit.describe()}: {error_message(exc)}",
        )
    if held is not None:
        elsewhere[step.arn] = held.run_id
        until = iso(held.expires_at)
        return record(
            step, Status.SKIPPED, f"claimed by run {held.run_id} (until {until}); not done twice"
        )
    try:
        result = action_for(step).run(ctx, step)
    except Exception as exc:  # a timeout or dropped connection: it may have happened
        minutes = int(CLAIM_TTL.total_seconds() // 60)
        return record(
            step,
            Status.ERROR,
            f"outcome unknown: {error_message(exc)}; other runs leave it for {minutes} minutes",
        )
    if result.status is Status.ERROR:
        try:
            ctx.audit.release(key, ctx.run_id)
        except Exception as exc:  # the claim then expires on its own
            return record(
                step, Status.ERROR, f"{result.detail}; claim not released: {error_message(exc)}"
            )
    return result


def _audit_run(
    audit: AuditStore, report: Report, evaluations: list[Evaluation], now: datetime
) -> None:
    at = iso(now)
    records = [
        AuditRecord(
            "run",
            report.run_id,
            at,
            data={k: v for k, v in report.summary().items() if k not in ("run_id", "actions")},
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
