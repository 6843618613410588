"""The guard as a Lambda: a thin ``lambda_handler`` over :func:`gpukit.guard.runner.run_guard`.

Configured by environment variables (see :func:`config_from_env` and docs/guard.md).
Structured logs and CloudWatch metrics (EMF) come from Powertools for AWS Lambda.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import BaseModel, ConfigDict, StrictBool, ValidationError

from gpukit.guard.actions.notify import topic_region
from gpukit.guard.audit import open_store
from gpukit.guard.clients import ClientFactory
from gpukit.guard.runner import GuardConfig, run_guard
from gpukit.policies.report import Report
from gpukit.policies.tags import ENVIRONMENTS

SERVICE = "gpukit-guard"
LAMBDA_AUDIT_PATH = Path("/tmp/gpukit-audit.jsonl")  # the only writable path in Lambda
TRUE = {"1", "true", "yes", "on"}
FALSE = {"", "0", "false", "no", "off"}
JSON_TYPES = {"list": "an array", "str": "a string", "int": "a number", "float": "a number",
              "bool": "a boolean"}  # fmt: skip

logger = Logger(service=SERVICE)
metrics = Metrics(namespace="gpukit", service=SERVICE)


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
        return GuardEvent.model_validate(dict(event))
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(event)"
        reason = "unknown field" if first["type"] == "extra_forbidden" else first["msg"]
        if first["type"] == "bool_type":
            reason = f"{reason} (JSON true or false), got {first['input']!r}"
        raise ConfigError(f"event.{field}: {reason}") from None


def _flag(env: Mapping[str, str], name: str) -> bool:
    value = env.get(name, "").strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ConfigError(f"{name}={value!r}: use true or false")


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
    topic = env.get("GPUKIT_SNS_TOPIC_ARN") or None
    if topic is not None:
        try:
            topic_region(topic)
        except ValueError as exc:
            raise ConfigError(f"GPUKIT_SNS_TOPIC_ARN: {exc}") from None
    return GuardConfig(
        live_prices=prices == "live",
        regions=regions,
        apply=apply,
        env=forced,
        max_teardowns=int(cap_text) if cap_text else None,
        sns_topic_arn=topic,
    )


def summary(report: Report) -> dict[str, Any]:
    statuses = Counter(f"{a.action}:{a.status}" for a in report.actions)
    return {
        "run_id": report.run_id,
        "mode": report.mode,
        "resources": report.resources,
        "findings": len(report.findings),
        "failing": len(report.failing),
        "monthly_waste_usd": report.monthly_waste_usd,
        "actions": dict(sorted(statuses.items())),
        "api_calls": report.api_calls,
        "prices": report.prices,
    }


def _emit_metrics(report: Report) -> None:
    metrics.add_metric("Resources", MetricUnit.Count, report.resources)
    metrics.add_metric("Findings", MetricUnit.Count, len(report.findings))
    metrics.add_metric("FailingFindings", MetricUnit.Count, len(report.failing))
    metrics.add_metric("MonthlyWasteUSD", MetricUnit.NoUnit, report.monthly_waste_usd)
    done = Counter(a.action for a in report.actions if a.status == "done")
    for action in ("teardown", "mark", "unmark", "notify"):
        metrics.add_metric(f"{action.capitalize()}Done", MetricUnit.Count, done[action])
    errors = sum(1 for a in report.actions if a.status == "error")
    metrics.add_metric("ActionErrors", MetricUnit.Count, errors)
    metrics.add_metric("ApiCalls", MetricUnit.Count, sum(report.api_calls.values()))


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    """Run the guard once; return a summary (the full report goes to the logs).

    A malformed event or variable does nothing: the :class:`ConfigError` naming it is
    logged, counted in the ``ConfigErrors`` metric and raised (the invocation fails)."""
    env = os.environ
    try:
        config = config_from_env(env, event)
    except ConfigError as exc:
        logger.error("configuration error; nothing was done", extra={"error": str(exc)})
        metrics.add_metric("ConfigErrors", MetricUnit.Count, 1)
        raise
    factory = ClientFactory(endpoint_url=env.get("GPUKIT_ENDPOINT_URL") or None)
    config.audit = open_store(
        factory, config.regions[0], env=env, scratch=LAMBDA_AUDIT_PATH, apply=config.apply
    )
    logger.info("guard run starting", extra={"regions": config.regions, "apply": config.apply})
    report = run_guard(factory, config, progress=logger.debug)
    for action in report.actions:
        if action.status == "error":
            logger.error("action failed", extra=action.model_dump())
    logger.info("guard report", extra={"report": report.model_dump(mode="json")})
    _emit_metrics(report)
    return summary(report)
