"""The execution input: defaults, validation, and the normalised form every function reads.

Stdlib only: this module runs inside the Lambda runtime.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ARCHITECTURES = ("x86_64", "arm64")
STRATEGIES = ("cost", "speed", "balanced")
MIN_MEMORY_MB = 128
MAX_MEMORY_MB = 10240
MAX_NUM = 1000
MAX_DISCARD = 0.4
DEFAULT_POWER_VALUES = (128, 256, 512, 1024, 1536, 3008)
PRICES_ENV = "GPUKIT_POWERTUNING_PRICES"

FUNCTION_ARN = re.compile(
    r"^arn:aws[a-z-]*:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):function:"
    r"(?P<name>[A-Za-z0-9_-]{1,64})$"
)
ALIAS_NAME = re.compile(r"^(?![0-9]+$)[A-Za-z0-9_-]{1,128}$")
#: A pre- or post-processor: a function ARN, optionally with a version or alias.
PROCESSOR_ARN = re.compile(
    r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$"
)
S3_URI = re.compile(r"^s3://(?P<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(?P<key>.+)$")

KNOWN_KEYS = frozenset(
    {
        "lambdaARN",
        "powerValues",
        "num",
        "payload",
        "parallelInvocation",
        "strategy",
        "balancedWeight",
        "autoOptimize",
        "autoOptimizeAlias",
        "dryRun",
        "onlyColdStarts",
        "sleepBetweenRunsMs",
        "discardTopBottom",
        "skipFailures",
        "architectures",
        "optimizeArchitecture",
        "maxConcurrency",
        "prices",
        "payloadS3",
        "preProcessorARN",
        "postProcessorARN",
        "includeOutputResults",
        "disablePayloadLogs",
        "allowedExceptions",
    }
)
# Keys the state machine adds to the execution state next to the user's input.
STATE_KEYS = frozenset({"init", "results", "result", "error", "cleanup", "cleanupError"})


def region_of(function_arn: str) -> str:
    """The region field of a function ARN."""
    return function_arn.split(":")[3]


class TuningInputError(ValueError):
    """Bad execution input; the message names the field and the reason."""


@dataclass(frozen=True)
class Prices:
    gb_second: Mapping[str, float]
    request: float
    state_transition: float
    source: str

    def to_json(self) -> dict[str, Any]:
        return {
            "gbSecond": dict(self.gb_second),
            "requestPerMillion": self.request * 1_000_000,
            "stateTransition": self.state_transition,
            "source": self.source,
        }


@dataclass(frozen=True)
class TuningInput:
    lambda_arn: str
    power_values: tuple[int, ...]
    num: int
    payload: Any
    weighted: bool
    parallel: bool
    strategy: str
    balanced_weight: float
    auto_optimize: bool
    auto_optimize_alias: str | None
    dry_run: bool
    only_cold_starts: bool
    sleep_ms: int
    discard_top_bottom: float
    skip_failures: bool
    architectures: tuple[str, ...] | None
    optimize_architecture: bool
    max_concurrency: int
    prices: Prices
    payload_s3: str | None = None
    pre_processor_arn: str | None = None
    post_processor_arn: str | None = None
    include_output_results: bool = False
    disable_payload_logs: bool = False
    allowed_exceptions: tuple[str, ...] = ()

    @property
    def region(self) -> str:
        return region_of(self.lambda_arn)

    @property
    def runs(self) -> int:
        """Invocations per power value (a dry run invokes once)."""
        return 1 if self.dry_run else self.num

    def to_json(self) -> dict[str, Any]:
        """The normalised input; parsing it again gives the same value."""
        return {
            "lambdaARN": self.lambda_arn,
            "powerValues": list(self.power_values),
            "num": self.num,
            "payload": self.payload,
            "parallelInvocation": self.parallel,
            "strategy": self.strategy,
            "balancedWeight": self.balanced_weight,
            "autoOptimize": self.auto_optimize,
            "autoOptimizeAlias": self.auto_optimize_alias,
            "dryRun": self.dry_run,
            "onlyColdStarts": self.only_cold_starts,
            "sleepBetweenRunsMs": self.sleep_ms,
            "discardTopBottom": self.discard_top_bottom,
            "skipFailures": self.skip_failures,
            "architectures": list(self.architectures) if self.architectures else None,
            "optimizeArchitecture": self.optimize_architecture,
            "maxConcurrency": self.max_concurrency,
            "prices": self.prices.to_json(),
            "payloadS3": self.payload_s3,
            "preProcessorARN": self.pre_processor_arn,
            "postProcessorARN": self.post_processor_arn,
            "includeOutputResults": self.include_output_results,
            "disablePayloadLogs": self.disable_payload_logs,
            "allowedExceptions": list(self.allowed_exceptions),
        }


def _fail(field: str, reason: str) -> TuningInputError:
    return TuningInputError(f"{field}: {reason}")


def _bool(raw: Mapping[str, Any], key: str, default: bool = False) -> bool:
    value = raw.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise _fail(key, f"must be true or false, got {json.dumps(value)}")
    return value


def _int(raw: Mapping[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = raw.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(key, f"must be a whole number, got {json.dumps(value)}")
    if not low <= value <= high:
        raise _fail(key, f"must be between {low} and {high}, got {value}")
    return value


def _is_number(value: Any) -> bool:
    """An int or float, but not a bool (JSON ``true`` is not 1 here)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _fraction(raw: Mapping[str, Any], key: str, default: float, high: float) -> float:
    value = raw.get(key, default)
    if value is None:
        return default
    if not _is_number(value):
        raise _fail(key, f"must be a number, got {json.dumps(value)}")
    if not 0 <= value <= high:
        raise _fail(key, f"must be between 0 and {high}, got {value}")
    return float(value)


def _power_values(raw: Mapping[str, Any]) -> tuple[int, ...]:
    value = raw.get("powerValues")
    if value is None or value == []:
        return DEFAULT_POWER_VALUES
    if value == "ALL":
        return tuple(range(MIN_MEMORY_MB, 3008 + 1, 64))
    if not isinstance(value, list):
        raise _fail("powerValues", 'must be a list of memory sizes in MB or "ALL"')
    sizes: list[int] = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int):
            raise _fail("powerValues", f"{json.dumps(item)} is not a whole number of MB")
        if not MIN_MEMORY_MB <= item <= MAX_MEMORY_MB:
            raise _fail("powerValues", f"{item} MB is outside {MIN_MEMORY_MB}..{MAX_MEMORY_MB} MB")
        sizes.append(item)
    if len(set(sizes)) != len(sizes):
        raise _fail("powerValues", "contains duplicates")
    return tuple(sorted(sizes))


def is_weighted(payload: Any) -> bool:
    """A non-empty list whose items all carry ``payload`` and ``weight`` (other keys, such as a
    ``name``, are allowed, as aws-lambda-power-tuning allows them)."""
    return (
        isinstance(payload, list)
        and bool(payload)
        and all(isinstance(p, dict) and "payload" in p and "weight" in p for p in payload)
    )


def check_weights(payload: list[dict[str, Any]], runs: int) -> None:
    """Every weight positive, and enough runs to give each payload one."""
    for i, item in enumerate(payload):
        weight = item["weight"]
        if not _is_number(weight) or weight <= 0:
            raise _fail(f"payload[{i}].weight", f"must be a positive number, got {weight}")
    if runs < len(payload):
        raise _fail("num", f"{runs} runs cannot cover {len(payload)} weighted payloads")


def _architectures(raw: Mapping[str, Any]) -> tuple[str, ...] | None:
    value = raw.get("architectures")
    if value is None:
        return None
    if not isinstance(value, list) or not value:
        raise _fail("architectures", 'must be a non-empty list, e.g. ["x86_64", "arm64"]')
    for arch in value:
        if arch not in ARCHITECTURES:
            raise _fail("architectures", f"{json.dumps(arch)} is not one of x86_64, arm64")
    if len(set(value)) != len(value):
        raise _fail("architectures", "contains duplicates")
    return tuple(value)


def _optional_match(raw: Mapping[str, Any], key: str, pattern: re.Pattern[str], hint: str) -> Any:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not pattern.match(value):
        raise _fail(key, f"{json.dumps(value)} is not {hint}")
    return value


def _allowed_exceptions(raw: Mapping[str, Any]) -> tuple[str, ...]:
    value = raw.get("allowedExceptions")
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _fail("allowedExceptions", 'must be a list of error types, e.g. ["HandledError"]')
    return tuple(value)


def parse_prices(value: Any) -> Prices:
    if not isinstance(value, Mapping):
        raise _fail("prices", "must be an object with gbSecond, requestPerMillion, stateTransition")
    table = value.get("gbSecond")
    if not isinstance(table, Mapping) or not table:
        raise _fail("prices.gbSecond", "must map architecture to $ per GB-second")
    for arch, price in table.items():
        if arch not in ARCHITECTURES or not _is_number(price) or price <= 0:
            raise _fail("prices.gbSecond", f"{arch}: {json.dumps(price)} is not a price")
    amounts = {}
    for key in ("requestPerMillion", "stateTransition"):
        amount = value.get(key)
        if not _is_number(amount) or amount < 0:
            raise _fail(f"prices.{key}", f"must be a non-negative number, got {amount}")
        amounts[key] = float(amount)
    return Prices(
        gb_second={str(k): float(v) for k, v in table.items()},
        request=amounts["requestPerMillion"] / 1_000_000,
        state_transition=amounts["stateTransition"],
        source=str(value.get("source", "execution input")),
    )


def _prices(raw: Mapping[str, Any], env: Mapping[str, str]) -> Prices:
    if raw.get("prices") is not None:
        return parse_prices(raw["prices"])
    if env.get(PRICES_ENV):
        try:
            return parse_prices(json.loads(env[PRICES_ENV]))
        except json.JSONDecodeError as exc:
            raise _fail(PRICES_ENV, f"is not JSON ({exc.msg})") from exc
    raise _fail("prices", f"missing (pass them in the input or set {PRICES_ENV})")


def parse_input(raw: Any, env: Mapping[str, str] | None = None) -> TuningInput:
    """Validate the user's execution input and fill in the defaults."""
    if not isinstance(raw, Mapping):
        raise TuningInputError("input: must be a JSON object")
    unknown = sorted(set(raw) - KNOWN_KEYS - STATE_KEYS)
    if unknown:
        raise _fail(unknown[0], "unknown field (check the spelling)")
    arn = raw.get("lambdaARN")
    if not isinstance(arn, str) or not FUNCTION_ARN.match(arn):
        raise _fail(
            "lambdaARN",
            "must be an unqualified function ARN, e.g. "
            "arn:aws:lambda:us-east-1:123456789012:function:my-fn",
        )
    strategy = raw.get("strategy") or "cost"
    if strategy not in STRATEGIES:
        raise _fail("strategy", f"{json.dumps(strategy)} is not one of {', '.join(STRATEGIES)}")
    only_cold = _bool(raw, "onlyColdStarts")
    dry_run = _bool(raw, "dryRun")
    parallel = _bool(raw, "parallelInvocation")
    num = _int(raw, "num", 10, 1, MAX_NUM)
    sleep_ms = _int(raw, "sleepBetweenRunsMs", 0, 0, 600_000)
    if sleep_ms and parallel:
        raise _fail("sleepBetweenRunsMs", "only applies to serial runs (parallelInvocation false)")
    payload = raw.get("payload")
    weighted = is_weighted(payload)
    if weighted:
        check_weights(list(payload or []), 1 if dry_run else num)
    alias = raw.get("autoOptimizeAlias")
    if alias is not None and (not isinstance(alias, str) or not ALIAS_NAME.match(alias)):
        raise _fail("autoOptimizeAlias", f"{json.dumps(alias)} is not a valid alias name")
    architectures = _architectures(raw)
    optimize_arch = _bool(raw, "optimizeArchitecture")
    if optimize_arch and not architectures:
        raise _fail("optimizeArchitecture", "needs architectures to compare")
    prices = _prices(raw, os.environ if env is None else env)
    for arch in architectures or ():
        if arch not in prices.gb_second:
            raise _fail("prices.gbSecond", f"no price for {arch}")
    return TuningInput(
        lambda_arn=arn,
        power_values=_power_values(raw),
        num=num,
        payload=payload,
        weighted=weighted,
        parallel=parallel,
        strategy=strategy,
        balanced_weight=_fraction(raw, "balancedWeight", 0.5, 1.0),
        auto_optimize=_bool(raw, "autoOptimize"),
        auto_optimize_alias=alias,
        dry_run=dry_run,
        only_cold_starts=only_cold,
        sleep_ms=sleep_ms,
        discard_top_bottom=_fraction(
            raw, "discardTopBottom", 0.0 if only_cold else 0.2, MAX_DISCARD
        ),
        skip_failures=_bool(raw, "skipFailures", default=True),
        architectures=architectures,
        optimize_architecture=optimize_arch,
        max_concurrency=_int(raw, "maxConcurrency", 0, 0, 1000),
        prices=prices,
        payload_s3=_optional_match(raw, "payloadS3", S3_URI, "an S3 URI like s3://bucket/key"),
        pre_processor_arn=_optional_match(
            raw, "preProcessorARN", PROCESSOR_ARN, "a Lambda function ARN"
        ),
        post_processor_arn=_optional_match(
            raw, "postProcessorARN", PROCESSOR_ARN, "a Lambda function ARN"
        ),
        include_output_results=_bool(raw, "includeOutputResults"),
        disable_payload_logs=_bool(raw, "disablePayloadLogs"),
        allowed_exceptions=_allowed_exceptions(raw),
    )
