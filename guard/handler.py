"""The guard as a Lambda: a thin ``lambda_handler`` over :func:`gpukit.guard.runner.run_guard`.

Configured by environment variables (see :func:`config_from_env` and docs/guard.md).
Structured logs, CloudWatch metrics (EMF), X-Ray tracing and the event parser come from
Powertools for AWS Lambda. The full report is logged in parts small enough for CloudWatch
(see :func:`report_parts`).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from numbers import Number
from pathlib import Path
from typing import Any, cast

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, StrictBool, ValidationError

from gpukit.guard import fanout
from gpukit.guard.actions import ACTIONS
from gpukit.guard.actions.notify import topic_region
from gpukit.guard.audit import open_store
from gpukit.guard.clients import ClientFactory, warm_factory, workers_from_env
from gpukit.guard.org import ALL_REGIONS, enabled_regions
from gpukit.guard.runner import GuardConfig, run_guard
from gpukit.guard.webhook import check_url
from gpukit.policies.report import Report, Status
from gpukit.policies.tags import ENVIRONMENTS

SERVICE = "gpukit-guard"
LAMBDA_AUDIT_NAME = "gpukit-audit.jsonl"


def lambda_audit_path() -> Path:
    """The dry-run scratch store: in the temporary folder (Lambda's ``/tmp``, the only
    writable path there; ``TMPDIR`` elsewhere, so runs on one machine can keep apart)."""
    return Path(tempfile.gettempdir()) / LAMBDA_AUDIT_NAME


TRUE = {"1", "true", "yes", "on"}
FALSE = {"", "0", "false", "no", "off"}
JSON_TYPES = {"list": "an array", "str": "a string", "int": "a number", "float": "a number",
              "bool": "a boolean"}  # fmt: skip

#: CloudWatch Logs takes events up to 256 KiB (262,144 B, 26 B of which are overhead); a
#: report part is at most this many bytes of JSON, leaving room for the log envelope.
PART_BYTES = 200_000
CHUNKED = ("inventory", "findings", "actions")

logger = Logger(service=SERVICE)
metrics = Metrics(namespace="gpukit", service=SERVICE)
# No botocore auto-patching: a run makes thousands of calls (one subsegment each), and calls
# from worker threads carry no X-Ray context. The handler and the run are traced instead.
tracer = Tracer(service=SERVICE, auto_patch=False)


class ConfigError(ValueError):
    """An environment variable is missing or malformed; the message names it."""


class GuardEvent(BaseModel):
    """The invocation event. It can only make a run safer: ``{"apply": false}`` or
    ``{"dry_run": true}`` forces a dry run; only JSON booleans are accepted."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    apply: StrictBool = True
    dry_run: StrictBool = False


def parse_event(event: object) -> GuardEvent:
    """``event`` as a :class:`GuardEvent`; :class:`ConfigError` naming the field otherwise."""
    if event is None:
        return GuardEvent()
    if not isinstance(event, Mapping):
        kind = type(event).__name__
        raise ConfigError(f"event: expected a JSON object, got {JSON_TYPES.get(kind, kind)}")
    try:
        return parse(event=dict(event), model=GuardEvent)
    except ValidationError as exc:
        raise ConfigError(_invalid(exc)) from None


def _invalid(exc: ValidationError) -> str:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "(event)"
    reason = "unknown field" if first["type"] == "extra_forbidden" else first["msg"]
    if first["type"] == "bool_type":
        reason = f"{reason} (JSON true or false), got {first['input']!r}"
    return f"event.{field}: {reason}"


def parse_fanout_event(event: Mapping[str, Any]) -> fanout.FanoutEvent:
    """An event with ``op`` (from the state machine) as its model; :class:`ConfigError`
    naming the field otherwise."""
    op = event.get("op")
    model: Any = fanout.OPS.get(op) if isinstance(op, str) else None
    if model is None:
        raise ConfigError(f"event.op: {op!r} is not one of {', '.join(fanout.OPS)}")
    try:
        return cast(fanout.FanoutEvent, parse(event=dict(event), model=model))
    except ValidationError as exc:
        raise ConfigError(_invalid(exc)) from None


def _flag(env: Mapping[str, str], name: str) -> bool:
    value = env.get(name, "").strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ConfigError(f"{name}={value!r}: use true or false")


def _checked(env: Mapping[str, str], name: str, check: Callable[[str], object]) -> str | None:
    """``name``'s value (None when unset or empty) once ``check`` accepts it."""
    value = env.get(name) or None
    if value is not None:
        try:
            check(value)
        except ValueError as exc:
            raise ConfigError(f"{name}: {exc}") from None
    return value


def config_from_env(env: Mapping[str, str], event: object = None) -> GuardConfig:
    """Read ``GPUKIT_*`` variables and the event (see :class:`GuardEvent`). A run applies
    only when ``GPUKIT_APPLY`` is true and the event does not force a dry run."""
    request = parse_event(event)
    regions = [r.strip() for r in env.get("GPUKIT_REGIONS", "").split(",") if r.strip()]
    regions = regions or [env.get("AWS_REGION") or "us-east-1"]
    forced = env.get("GPUKIT_ENV") or None
    if forced is not None and forced not in ENVIRONMENTS:
        raise ConfigError(f"GPUKIT_ENV={forced!r}: use one of {', '.join(ENVIRONMENTS)}")
    cap_text = env.get("GPUKIT_MAX_TEARDOWNS", "").strip()
    if cap_text and not cap_text.isdigit():
        raise ConfigError(f"GPUKIT_MAX_TEARDOWNS={cap_text!r}: use a whole number >= 0")
    apply = _flag(env, "GPUKIT_APPLY") and request.apply and not request.dry_run
    prices = env.get("GPUKIT_PRICES", "live").strip().lower()
    if prices not in ("live", "bundled"):
        raise ConfigError(f"GPUKIT_PRICES={prices!r}: use live or bundled")
    try:
        workers = workers_from_env(env)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    topic = _checked(env, "GPUKIT_SNS_TOPIC_ARN", topic_region)
    webhook = _checked(env, "GPUKIT_WEBHOOK_URL", check_url)
    if webhook is not None and topic is None:
        raise ConfigError(
            "GPUKIT_WEBHOOK_URL needs GPUKIT_SNS_TOPIC_ARN: teardowns wait for the SNS notice"
        )
    return GuardConfig(
        webhook_url=webhook,
        live_prices=prices == "live",
        regions=regions,
        apply=apply,
        env=forced,
        max_teardowns=int(cap_text) if cap_text else None,
        sns_topic_arn=topic,
        workers=workers,
    )


def _emit_metrics(report: Report) -> None:
    metrics.add_metric("Resources", MetricUnit.Count, report.resources)
    metrics.add_metric("Findings", MetricUnit.Count, len(report.findings))
    metrics.add_metric("FailingFindings", MetricUnit.Count, len(report.failing))
    metrics.add_metric("MonthlyWasteUSD", MetricUnit.NoUnit, report.monthly_waste_usd)
    done = Counter(a.action for a in report.actions if a.status is Status.DONE)
    for action in ACTIONS:
        metrics.add_metric(action.metric, MetricUnit.Count, done[action.name])
    errors = sum(1 for a in report.actions if a.status is Status.ERROR)
    metrics.add_metric("ActionErrors", MetricUnit.Count, errors)
    metrics.add_metric("ApiCalls", MetricUnit.Count, sum(report.api_calls.values()))
    metrics.add_metric("Incomplete", MetricUnit.Count, int(report.incomplete))


def _size(value: object) -> int:
    return len(json.dumps(value).encode())  # ASCII-escaped: never smaller than the log's UTF-8


def report_parts(report: dict[str, Any], limit: int = PART_BYTES) -> list[dict[str, Any]]:
    """Split a report (``Report.model_dump(mode="json")``) into parts of at most ``limit``
    bytes of JSON. Part 0 holds the scalar fields; every part holds slices of
    :data:`CHUNKED` lists, in order, so :func:`join_report_parts` gives the report back.
    One item larger than ``limit`` on its own still gets a part of its own."""
    head = {k: v for k, v in report.items() if k not in CHUNKED}
    parts: list[dict[str, Any]] = [{**head, **{k: [] for k in CHUNKED}}]
    used = _size(parts[0])
    for key in CHUNKED:
        for item in report.get(key, []):
            size = _size(item) + 2  # the comma and a space of json.dumps
            if used + size > limit and any(parts[-1][k] for k in CHUNKED):
                parts.append({k: [] for k in CHUNKED})
                used = _size(parts[-1])
            parts[-1][key].append(item)
            used += size
    return parts


def join_report_parts(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """The report the parts of :func:`report_parts` came from."""
    joined = {k: v for k, v in parts[0].items() if k not in CHUNKED}
    for key in CHUNKED:
        joined[key] = [item for part in parts for item in part.get(key, [])]
    return joined


def log_report(report: Report) -> int:
    """Log the full report as ``guard report`` events ``part`` 1..``parts``; return parts."""
    parts = report_parts(report.model_dump(mode="json"))
    for n, part in enumerate(parts, start=1):
        extra = {"run_id": report.run_id, "part": n, "parts": len(parts), "report": part}
        logger.info("guard report", extra=extra)
    return len(parts)


@tracer.capture_method(capture_response=False)
def _traced_run(factory: ClientFactory, config: GuardConfig) -> Report:
    """The run as one X-Ray subsegment, annotated with what it judged."""
    report = run_guard(factory, config, progress=logger.debug)
    # int is a numbers.Number at run time; mypy does not model the numeric tower
    tracer.put_annotation("resources", cast(Number, report.resources))
    tracer.put_annotation("findings", cast(Number, len(report.findings)))
    return report


@metrics.log_metrics
@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any] | None, context: LambdaContext) -> dict[str, Any]:
    """Run the guard once; return a summary (the full report goes to the logs).

    With less than ``GuardConfig.safety_margin`` of the invocation's time left, no further
    action starts; the report, the summary and the ``Incomplete`` metric say the run is
    incomplete, and the next run resumes.

    A malformed event or variable does nothing: the :class:`ConfigError` naming it is
    logged, counted in the ``ConfigErrors`` metric and raised (the invocation fails)."""
    env = os.environ
    if isinstance(event, Mapping) and "op" in event:
        return _fanout(event, env, context)
    try:
        config = config_from_env(env, event)
    except ConfigError as exc:
        _refused(exc)
        raise
    factory = _factory(config, env, context)
    table_region = config.regions[0]
    if config.regions == [ALL_REGIONS]:  # the account's enabled regions; the table is here
        table_region = env.get("AWS_REGION") or "us-east-1"
        config.regions = enabled_regions(factory, table_region)
    config.audit = open_store(
        factory, table_region, env=env, scratch=lambda_audit_path(), apply=config.apply
    )
    logger.info("guard run starting", extra={"regions": config.regions, "apply": config.apply})
    report = _traced_run(factory, config)
    _log_and_count(report)
    return report.summary()


def _refused(exc: Exception) -> None:
    logger.error("configuration error; nothing was done", extra={"error": str(exc)})
    metrics.add_metric("ConfigErrors", MetricUnit.Count, 1)


def _factory(config: GuardConfig, env: Mapping[str, str], context: object) -> ClientFactory:
    """The warm factory (its clients keep their connections while the Lambda stays warm);
    the invocation's remaining time becomes the run's time budget."""
    factory = warm_factory(env.get("GPUKIT_ENDPOINT_URL") or None, config.workers)
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if callable(remaining):
        config.remaining_ms = remaining
    return factory


def _log_and_count(report: Report) -> None:
    for action in report.actions:
        if action.status is Status.ERROR:
            logger.error("action failed", extra=action.model_dump())
    log_report(report)
    _emit_metrics(report)


def _fanout(event: Mapping[str, Any], env: Mapping[str, str], context: object) -> dict[str, Any]:
    """One step of the state machine: ``op`` plan, shard or merge (see :mod:`fanout`)."""
    try:
        request = parse_fanout_event(event)
        safety = {"apply": request.apply, "dry_run": request.dry_run}
        config = config_from_env(env, safety)
        home = env.get("AWS_REGION") or "us-east-1"
        fanout.member_role(env)
    except (ConfigError, ValueError) as exc:
        _refused(exc)
        raise
    factory = _factory(config, env, context)  # each shard has its own time budget
    if isinstance(request, fanout.PlanEvent):
        planned = fanout.plan(factory, env, home)
        metrics.add_metric("Shards", MetricUnit.Count, len(planned["shards"]))
        metrics.add_metric("UnreachableAccounts", MetricUnit.Count, len(planned["unreachable"]))
        return planned
    config.audit = open_store(
        factory, home, env=env, scratch=lambda_audit_path(), apply=config.apply
    )
    if isinstance(request, fanout.ShardEvent):
        logger.info("guard shard starting", extra=request.model_dump())
        report, output = fanout.run_shard(factory, request, config, env, report_parts)
    else:
        report = fanout.merge(config.audit, request, join_report_parts, datetime.now(UTC))
        output = report.summary()
    _log_and_count(report)
    return output
