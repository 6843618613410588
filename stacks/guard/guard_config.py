"""Config schema of the ``gpukit-guard`` stack (``Pulumi.<env>.yaml``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from gpukit.guard.org import DEFAULT_MEMBER_ROLE
from gpukit.modules.pulumi.guard_fanout import FanoutArgs
from gpukit.modules.pulumi.guard_service import RATE, GuardServiceArgs
from gpukit.modules.pulumi.power_tuner import PowerTunerArgs
from gpukit.modules.pulumi.stack_config import ConfigModel, env_policy
from gpukit.policies.pricing import UnknownPrice, load_bundled

RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731)
LAMBDA_ARN = r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+$"


class PowerTunerConfig(ConfigModel):
    tunable_function_arns: list[str] = Field(min_length=1)
    architecture: Literal["arm64", "x86_64"] = "arm64"
    processor_function_arns: list[str] = Field(default_factory=list)
    payload_s3_bucket: str | None = None
    payload_s3_key: str = "*"

    def prices(self) -> dict[str, object] | None:
        """Bundled prices for the tunable functions' region, set on the tuner's functions so
        inputs without ``prices`` run; ``None`` when they span regions (the CLI then sends
        prices with each execution)."""
        regions = {arn.split(":")[3] for arn in self.tunable_function_arns}
        if len(regions) != 1:
            return None
        try:
            return load_bundled().tuning_prices(regions.pop())
        except UnknownPrice as exc:
            raise ValueError(f"power-tuner: {exc}; the CLI can pass live prices") from None

    @field_validator("tunable_function_arns", "processor_function_arns")
    @classmethod
    def _lambda_arns(cls, arns: list[str]) -> list[str]:
        import re

        bad = [a for a in arns if not re.match(LAMBDA_ARN, a)]
        if bad:
            raise ValueError(f"not unqualified Lambda function ARNs: {', '.join(bad)}")
        return arns


class FanoutConfig(ConfigModel):
    """The Step Functions fan-out over (account, region) shards (docs/guard.md)."""

    accounts: str = Field("", pattern=r"^(|org|[0-9]{12}(,[0-9]{12})*)$")
    member_role: str = Field(DEFAULT_MEMBER_ROLE, pattern=r"^[A-Za-z0-9+=,.@_-]{1,64}$")
    max_concurrency: int = Field(10, ge=1, le=1000)
    tolerated_failure_percentage: int = Field(100, ge=0, le=100)

    def args(self) -> FanoutArgs:
        return FanoutArgs(
            accounts=self.accounts,
            member_role=self.member_role,
            max_concurrency=self.max_concurrency,
            tolerated_failure_percentage=self.tolerated_failure_percentage,
        )


class GuardStackConfig(ConfigModel):
    owner: str = Field(min_length=1)
    cost_center: str = Field(min_length=1)
    rate: str
    apply: bool
    regions: list[str] = Field(default_factory=lambda: ["us-east-1"], min_length=1)
    notify_emails: list[str] = Field(default_factory=list)
    max_teardowns: int | None = Field(default=None, ge=0)
    force_environment: bool = False
    python_version: Literal["3.11", "3.12", "3.13"] = "3.11"
    architecture: Literal["x86_64", "arm64"] = "x86_64"
    dependencies_dir: str | None = None
    log_retention_days: int = 30
    power_tuner: PowerTunerConfig | None = None
    fanout: FanoutConfig | None = None

    @field_validator("rate")
    @classmethod
    def _rate(cls, rate: str) -> str:
        if not RATE.match(rate):
            raise ValueError(f"{rate!r} is not a schedule rate like '15 minutes' or '1 hour'")
        return rate

    @field_validator("log_retention_days")
    @classmethod
    def _retention(cls, days: int) -> int:
        if days not in RETENTION_DAYS:
            raise ValueError(
                f"{days} is not a CloudWatch Logs retention; use one of {RETENTION_DAYS}"
            )
        return days

    @field_validator("apply")
    @classmethod
    def _apply_allowed(cls, apply: bool, info: ValidationInfo) -> bool:
        policy = env_policy(info)
        if apply and not policy.teardown_allowed:
            raise ValueError(
                f"the {policy.environment} policy is warn-only (teardown_allowed: false);"
                " set apply: false"
            )
        return apply

    @field_validator("max_teardowns")
    @classmethod
    def _cap(cls, cap: int | None, info: ValidationInfo) -> int | None:
        policy = env_policy(info)
        if cap is not None and cap > policy.max_teardowns_per_run:
            raise ValueError(
                f"{cap} exceeds the {policy.environment} policy's max_teardowns_per_run"
                f" of {policy.max_teardowns_per_run}"
            )
        return cap

    def guard_args(self, env: Literal["dev", "staging", "prod"]) -> GuardServiceArgs:
        return GuardServiceArgs(
            name=f"gpukit-{env}",
            environment=env,
            rate=self.rate,
            apply=self.apply,
            regions=self.regions,
            notify_emails=self.notify_emails,
            max_teardowns=self.max_teardowns,
            force_environment=self.force_environment,
            python_version=self.python_version,
            architecture=self.architecture,
            dependencies_dir=self.dependencies_dir,
            log_retention_days=self.log_retention_days,
            fanout=self.fanout.args() if self.fanout else None,
        )

    def tuner_args(self, env: str) -> PowerTunerArgs | None:
        if self.power_tuner is None:
            return None
        return PowerTunerArgs(
            name=f"gpukit-{env}-power-tuner",
            tunable_function_arns=self.power_tuner.tunable_function_arns,
            architecture=self.power_tuner.architecture,
            log_retention_days=self.log_retention_days,
            processor_function_arns=self.power_tuner.processor_function_arns,
            payload_s3_bucket=self.power_tuner.payload_s3_bucket,
            payload_s3_key=self.power_tuner.payload_s3_key,
            prices=self.power_tuner.prices(),
        )
