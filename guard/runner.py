"""One guard run: discover, measure, judge, plan, act (or not), audit, report."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from gpukit.guard.actions import RUNNERS
from gpukit.guard.actions.base import ActionContext, record
from gpukit.guard.actions.mark import judged_marks
from gpukit.guard.actions.notify import notice_first, unsent_notice
from gpukit.guard.audit import AuditRecord, AuditStore, FileAuditStore
from gpukit.guard.awsutil import error_message
from gpukit.guard.claims import CLAIM_TTL, ClaimKey, wall_clock
from gpukit.guard.clients import DEFAULT_WORKERS, ClientFactory
from gpukit.guard.describe_cache import DescriptionCache
from gpukit.guard.discovery import Discovered, DiscoveryResult, discover
from gpukit.guard.metrics import UsageRead, UsageRequest, read_usage
from gpukit.guard.plan import Step, plan
from gpukit.guard.pricing import load_prices
from gpukit.policies import tags as T
from gpukit.policies.engine import Evaluation, evaluate_many, select_policy
from gpukit.policies.environment import EnvironmentPolicy, load_policies
from gpukit.policies.inventory import inventory
from gpukit.policies.pricing import PriceBook, load_bundled
from gpukit.policies.report import ActionRecord, Report
from gpukit.policies.timeutil import iso
from gpukit.policies.usage import lookback

Progress = Callable[[str], None]
#: What a step would do with ``--apply``, for the dry-run report.
DRY_RUN = {
    "teardown": "would snapshot to the audit store, then delete",
    "unmark": "would remove gpukit:marked",
    "notify": "would publish to the SNS topic",
    "mark": "would write gpukit:marked",
}


#: Time a run keeps in hand: an action (a delete waits for its answer) never starts later.
DEFAULT_SAFETY_MARGIN = timedelta(seconds=90)
INCOMPLETE = "incomplete, resumes next run"


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
    #: Milliseconds left to this run (a Lambda's ``get_remaining_time_in_millis``); no
    #: action starts with less than ``safety_margin`` left. ``None``: no limit.
    remaining_ms: Callable[[], int] | None = None
    safety_margin: timedelta = DEFAULT_SAFETY_MARGIN
    #: Threads per region (the factory's clients are sized for it).
    workers: int = DEFAULT_WORKERS
    #: Read unchanging descriptions (endpoint configs) from the audit store's cache.
    cache_descriptions: bool = True


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

    found, read = _discover_and_measure(factory, config, audit, policies, now, say)
    actions = [
        ActionRecord(
            resource_arn=f"region/{e.region}",
            action="discover",
            status="error",
            detail=f"{e.call}: {e.detail}",
        )
        for e in found.errors
    ]
    actions += [
        ActionRecord(
            resource_arn=u.arn,
            action="discover",
            status="error",
            detail=f"unknown, not judged and nothing done: {u.call}: {u.detail}",
        )
        for u in found.unknown
    ]
    items = {d.resource.arn: d for d in found.found}
    usage = read.usage
    actions += [
        ActionRecord(resource_arn=f"region/{region}", action="usage", status="error", detail=d)
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
        replace(s, hold="skipped", detail=f"{T.MARKED} not checked in {audit.describe()}: {why}")
        if (why := unchecked.get(s.arn)) and s.kind != "notify"
        else s
        for s in steps
    ]
    if unread is not None:
        actions.append(
            ActionRecord(
                resource_arn=audit.describe(),
                action="audit",
                status="error",
                detail=f"last notifications not read, so none is sent this run: {unread}",
            )
        )
        held = "not sent: the last notification could not be read (see the audit error)"
        steps = [
            replace(s, hold="skipped", detail=held) if s.kind == "notify" else s for s in steps
        ]
    ctx = ActionContext(factory, now, run_id, audit, config.sns_topic_arn, clock=config.clock)
    budget = _Budget(config.remaining_ms, config.safety_margin)
    actions += _execute(ctx, steps, config.apply, say, budget)
    report = Report(
        run_id=run_id,
        mode="apply" if config.apply else "dry-run",
        resources=len(resources),
        inventory=inventory(evaluations, prices),
        findings=[f for ev in evaluations for f in ev.findings],
        actions=actions,
        api_calls=factory.api_calls,
        prices=prices.describe(),
        incomplete=budget.stopped,
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


def _discover_and_measure(
    factory: ClientFactory,
    config: GuardConfig,
    audit: AuditStore,
    policies: Mapping[str, EnvironmentPolicy],
    now: datetime,
    say: Progress,
) -> tuple[DiscoveryResult, UsageRead]:
    """Discover every region and read its usage as soon as it is discovered, while other
    regions are still being discovered. Errors come back in region order."""
    reads: dict[str, Future[UsageRead]] = {}
    cache = DescriptionCache(audit, config.clock) if config.cache_descriptions else None
    with ThreadPoolExecutor(max(1, len(config.regions)), thread_name_prefix="gpukit-usage") as pool:

        def measure(region: str, part: DiscoveryResult) -> None:
            requests = [
                UsageRequest(
                    d.rtype,
                    d.resource,
                    _window(select_policy(d.resource, policies, config.env), d, now),
                )
                for d in part.found
            ]
            say(f"reading usage of {len(requests)} resources in {region}")
            reads[region] = pool.submit(
                read_usage, factory, requests, now, progress=say, clock=config.clock
            )

        found = discover(factory, config.regions, progress=say, cache=cache, on_region=measure)
        merged = UsageRead({}, [])
        for region in dict.fromkeys(config.regions):
            if region in reads:
                part = reads[region].result()
                merged.usage.update(part.usage)
                merged.errors += part.errors
    for note in cache.notes if cache else []:
        say(note)
    return found, merged


@dataclass
class _Budget:
    """The run's remaining time: once under the margin, no action starts."""

    remaining_ms: Callable[[], int] | None
    margin: timedelta
    stopped: bool = False

    def left(self) -> str | None:
        """Why no action may start now, or ``None`` while there is time."""
        if self.remaining_ms is None:
            return None
        left = self.remaining_ms() / 1000
        if left >= self.margin.total_seconds():
            return None
        self.stopped = True
        return (
            f"{INCOMPLETE}: {left:.0f} s left, under the "
            f"{self.margin.total_seconds():.0f} s safety margin; not started"
        )


def _last_notified(audit: AuditStore, arns: list[str]) -> tuple[dict[str, str], str | None]:
    """The fingerprint of the last notification per ARN, and the error if they could not
    all be read."""
    seen: dict[str, str] = {}
    for arn in arns:
        try:
            last = audit.latest("notify", arn)
        except Exception as exc:  # any store failure
            return seen, error_message(exc)
        if last is not None:
            seen[arn] = str(last.data.get("fingerprint", ""))
    return seen, None


def _execute(
    ctx: ActionContext, steps: list[Step], apply: bool, say: Progress, budget: _Budget
) -> list[ActionRecord]:
    out: list[ActionRecord] = []
    elsewhere: dict[str, str] = {}  # ARN -> the other run acting on it
    for step in notice_first(steps):
        if step.hold is not None:
            result = record(step, step.hold, step.detail)
        elif not apply:
            result = record(step, "dry-run", step.mark_value or step.detail or DRY_RUN[step.kind])
        elif step.arn in elsewhere:
            result = record(step, "skipped", f"left to run {elsewhere[step.arn]}, acting on it")
        elif step.kind == "teardown" and (unsent := unsent_notice(ctx.done.get(step.arn, []))):
            result = record(step, "skipped", unsent)
        elif late := budget.left():
            result = record(step, "skipped", late)
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
            step, "error", f"not done: no claim in {ctx.audit.describe()}: {error_message(exc)}"
        )
    if held is not None:
        elsewhere[step.arn] = held.run_id
        until = iso(held.expires_at)
        return record(
            step, "skipped", f"claimed by run {held.run_id} (until {until}); not done twice"
        )
    try:
        result = RUNNERS[step.kind](ctx, step)
    except Exception as exc:  # a timeout or dropped connection: it may have happened
        minutes = int(CLAIM_TTL.total_seconds() // 60)
        return record(
            step,
            "error",
            f"outcome unknown: {error_message(exc)}; other runs leave it for {minutes} minutes",
        )
    if result.status == "error":
        try:
            ctx.audit.release(key, ctx.run_id)
        except Exception as exc:  # the claim then expires on its own
            return record(
                step, "error", f"{result.detail}; claim not released: {error_message(exc)}"
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
