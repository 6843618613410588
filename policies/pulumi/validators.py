"""CrossGuard validators: planned PTUs and GPU endpoints judged by the ``policies`` rules.

The functions take pulumi_policy's argument objects by shape (``resource_type``, ``props``,
``name``, ``urn``, ``provider``, ``get_config()``; ``resources`` for stack validation), so
tests can call them with real ``ResourceValidationArgs`` and a list-appending
``report_violation``. The environment is the policy config's ``environment`` if set, else
the policy the resource's ``gpukit:env`` tag names (see
``gpukit.policies.environment.resolve_env``), else ``dev`` when the tag is absent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from pulumi_policy.proxy import UnknownValueError

from gpukit.policies.engine import evaluate, select_policy
from gpukit.policies.environment import load_policies
from gpukit.policies.findings import Decision, Finding
from gpukit.policies.model import Resource
from gpukit.policies.pulumi.translate import (
    ENDPOINT_TYPE,
    PTU_TYPE,
    PlannedProps,
    default_tags_of,
    ptu_resource,
    resources_from_plan,
)

ReportViolation = Callable[..., None]

#: A PTU cannot be judged while these are unknown (pulumi then says the policy could not run).
PTU_REQUIRED = ("modelArn", "modelUnits", "commitmentDuration")

#: Usage is never known before deploy, so "usage unknown" (GPK005) is not worth a notice.
PRE_DEPLOY_NOISE = frozenset({"GPK005"})


class _Provider(Protocol):
    @property
    def props(self) -> Mapping[str, Any]: ...


class ResourceArgs(Protocol):
    """The shape of ``pulumi_policy.ResourceValidationArgs`` these validators read."""

    @property
    def resource_type(self) -> str: ...
    @property
    def props(self) -> Mapping[str, Any]: ...
    @property
    def name(self) -> str: ...
    @property
    def provider(self) -> _Provider | None: ...

    def get_config(self) -> Mapping[str, Any]: ...


class StackArgs(Protocol):
    """The shape of ``pulumi_policy.StackValidationArgs`` these validators read."""

    @property
    def resources(self) -> list[Any]: ...

    def get_config(self) -> Mapping[str, Any]: ...


def _forced_env(config: Mapping[str, Any]) -> str | None:
    env = config.get("environment")
    return str(env) if env else None


def judge(resource: Resource, forced_env: str | None, now: datetime) -> list[Finding]:
    """Findings for one planned resource under its environment's policy."""
    policy = select_policy(resource, load_policies(), forced_env)
    return evaluate(resource, policy, now)


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    """Findings that must stop a deployment (they would fail ``gpukit check``)."""
    return [f for f in findings if f.fails]


def advisory(findings: Iterable[Finding]) -> list[Finding]:
    """Findings worth a notice but not a block (warnings, minus pre-deploy noise)."""
    return [
        f
        for f in findings
        if not f.fails and f.decision is not Decision.OK and f.rule_id not in PRE_DEPLOY_NOISE
    ]


def message(finding: Finding, name: str) -> str:
    return f"{finding.rule_id} {finding.decision.value}: {name}: {finding.reason}"


def known_only(value: Any) -> Any:
    """CrossGuard's props as plain data, leaving out values unknown during preview (such as
    a new resource's computed ``tagsAll``), which raise when read."""
    if isinstance(value, Mapping):
        out = {}
        for key in value:
            try:
                out[key] = known_only(value[key])
            except UnknownValueError:
                continue
        return out
    if isinstance(value, Sequence) and not isinstance(value, str):
        items = []
        for index in range(len(value)):
            try:
                items.append(known_only(value[index]))
            except UnknownValueError:
                continue
        return items
    return value


def _provider_tags(provider: _Provider | None) -> dict[str, str]:
    return default_tags_of(known_only(provider.props)) if provider is not None else {}


def _validate_ptu(
    args: ResourceArgs,
    report_violation: ReportViolation,
    pick: Callable[[Iterable[Finding]], list[Finding]],
    now: datetime | None,
) -> None:
    if args.resource_type != PTU_TYPE:
        return
    for key in PTU_REQUIRED:
        args.props.get(key)  # an unknown value raises UnknownValueError: cannot judge yet
    resource = ptu_resource(args.name, known_only(args.props), _provider_tags(args.provider))
    findings = judge(resource, _forced_env(args.get_config()), now or datetime.now(UTC))
    for finding in pick(findings):
        report_violation(message(finding, args.name), None)


def validate_ptu_blocking(
    args: ResourceArgs, report_violation: ReportViolation, now: datetime | None = None
) -> None:
    """Mandatory: a PTU that breaks its environment's policy (commitment in dev, too many
    model units, missing tags or ``gpukit:expires-at``) is not deployed."""
    _validate_ptu(args, report_violation, blocking, now)


def validate_ptu_advisory(
    args: ResourceArgs, report_violation: ReportViolation, now: datetime | None = None
) -> None:
    """Advisory: warnings about a PTU (term ending soon, exemption problems)."""
    _validate_ptu(args, report_violation, advisory, now)


def _planned(resources: Iterable[Any]) -> list[PlannedProps]:
    return [
        PlannedProps(r.resource_type, r.name, known_only(r.props), _provider_tags(r.provider))
        for r in resources
    ]


def _validate_endpoints(
    args: StackArgs,
    report_violation: ReportViolation,
    pick: Callable[[Iterable[Finding]], list[Finding]],
    now: datetime | None,
) -> None:
    urns = {
        str(known_only(r.props).get("name") or r.name): r.urn
        for r in args.resources
        if r.resource_type == ENDPOINT_TYPE
    }
    forced = _forced_env(args.get_config())
    now = now or datetime.now(UTC)
    for resource in resources_from_plan(_planned(args.resources)):
        if resource.endpoint is None:
            continue
        for finding in pick(judge(resource, forced, now)):
            report_violation(message(finding, resource.name), urns.get(resource.name))


def validate_endpoints_blocking(
    args: StackArgs, report_violation: ReportViolation, now: datetime | None = None
) -> None:
    """Mandatory: GPU endpoints (joined with their config and scaling targets) that fail
    their environment's policy, e.g. missing required tags."""
    _validate_endpoints(args, report_violation, blocking, now)


def validate_endpoints_advisory(
    args: StackArgs, report_violation: ReportViolation, now: datetime | None = None
) -> None:
    """Advisory: GPU endpoints without autoscaling, or with min above max."""
    _validate_endpoints(args, report_violation, advisory, now)
