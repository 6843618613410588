"""One guard run: discover, measure, judge, plan, act (or not), audit, report."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from gpukit.guard.actions import action_for
from gpukit.guard.actions.base import ActionContext, record
from gpukit.guard.actions.mark import judged_marks
from gpukit.guard.actions.notify import (
    NotifyAction,
    batches,
    notice_first,
    post_digests,
    unsent_notice,
)
from gpukit.guard.actions.teardown import TeardownAction
from gpukit.guard.audit import NOTICE, AuditRecord, AuditStore, FileAuditStore
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
from gpukit.policies.report import ActionRecord, Report, Status
from gpukit.policies.timeutil import iso
from gpukit.policies.usage import lookback

Progress = Callable[[str], None]


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
    #: A generic webhook the run's digests are POSTed to (with the SNS notices; it gates
    #: nothing).
    webhook_url: str | None = None
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
            status=Status.ERROR,
            detail=f"{e.call}: {e.detail}",
        )
        for e in found.errors
    ]
    actions += [
        ActionRecord(
            resource_arn=u.arn,
            action="discover",
            status=Status.ERROR,
            detail=f"unknown, not judged and nothing done: {u.call}: {u.detail}",
        )
        for u in found.unknown
    ]
    items = {d.resource.arn: d for d in found.found}
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
    budget = _Budget(config.remaining_ms, config.safety_margin)
    done = _execute(ctx, steps, config.apply, say, budget)
    hook = post_digests(ctx, config.webhook_url, steps, done) if config.webhook_url else None
    actions += [*done, *([hook] if hook else [])]
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
                status=Status.ERROR,
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
            last = audit.latest(NOTICE, arn)
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
    for batch in batches(notice_first(steps)):  # one step, or one owner's notices
        checked = [(step, _precheck(ctx, step, apply, elsewhere, budget)) for step in batch]
        ready = [step for step, result in checked if result is None]
        acted = iter(_claim_and_act(ctx, ready, elsewhere, say) if ready else [])
        for step, result in checked:
            result = result or next(acted)
            ctx.done.setdefault(step.arn, []).append(result)
            out.append(result)
    return out


def _precheck(
    ctx: ActionContext, step: Step, apply: bool, elsewhere: dict[str, str], budget: _Budget
) -> ActionRecord | None:
    """The record of a step that is not to be done now, or ``None`` when it is."""
    if step.hold is not None:
        return record(step, step.hold, step.detail)
    if not apply:
        return record(
            step, Status.DRY_RUN, step.mark_value or step.detail or action_for(step).dry_run
        )
    if step.arn in elsewhere:
        return record(step, Status.SKIPPED, f"left to run {elsewhere[step.arn]}, acting on it")
    if step.kind == TeardownAction.name and (unsent := unsent_notice(ctx.done.get(step.arn, []))):
        return record(step, Status.SKIPPED, unsent)
    if late := budget.left():
        return record(step, Status.SKIPPED, late)
    return None


def _claim_and_act(
    ctx: ActionContext, steps: list[Step], elsewhere: dict[str, str], say: Progress
) -> list[ActionRecord]:
    """Act only under this run's claims (one per step; the steps share an action); keep
    each unless AWS answered that nothing changed. One record per step, in order."""
    out: dict[int, ActionRecord] = {}
    claimed: list[tuple[Step, ClaimKey]] = []
    for step in steps:
        key = ClaimKey(step.arn, step.kind, action_for(step).planned_from(step))
        try:
            held = ctx.audit.claim(key, ctx.run_id, ctx.clock())
        except Exception as exc:  # no claim, no action
            why = f"not done: no claim in {ctx.audit.describe()}: {error_message(exc)}"
            out[id(step)] = record(step, Status.ERROR, why)
            continue
        if held is not None:
            elsewhere[step.arn] = held.run_id
            until = iso(held.expires_at)
            why = f"claimed by run {held.run_id} (until {until}); not done twice"
            out[id(step)] = record(step, Status.SKIPPED, why)
            continue
        claimed.append((step, key))
    if claimed:
        action = action_for(claimed[0][0])
        for step, _ in claimed:
            say(f"{step.kind} {step.item.resource.name}")
        try:
            results = action.run_many(ctx, [step for step, _ in claimed])
        except Exception as exc:  # a timeout or dropped connection: it may have happened
            minutes = int(CLAIM_TTL.total_seconds() // 60)
            why = (
                f"outcome unknown: {error_message(exc)}; other runs leave it for {minutes} minutes"
            )
            for step, _ in claimed:  # the claims stay: nobody acts again until they expire
                out[id(step)] = record(step, Status.ERROR, why)
        else:
            for (step, key), result in zip(claimed, results, strict=True):
                out[id(step)] = _released(ctx, key, result)
    return [out[id(step)] for step in steps]


def _released(ctx: ActionContext, key: ClaimKey, result: ActionRecord) -> ActionRecord:
    """``result``; a failed action's claim is released so a later run may try again."""
    if result.status is not Status.ERROR:
        return result
    try:
        ctx.audit.release(key, ctx.run_id)
    except Exception as exc:  # the claim then expires on its own
        return result.model_copy(
            update={"detail": f"{result.detail}; claim not released: {error_message(exc)}"}
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
    items = {i.arn: i.model_dump(mode="json") for i in report.inventory}
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
                    # the inventory row, so `gpukit report --from-audit` has owner and costs
                    "item": items.get(ev.resource.arn),
                },
            )
        )
    for action in report.actions:
        records.append(
            AuditRecord("action", report.run_id, at, action.resource_arn, action.model_dump())
        )
    audit.write(records)
