"""PowerTuner: the Lambda power-tuning state machine and its five functions.

Each function gets its own role with only the Lambda actions it calls, on only the
functions it may tune; the state machine may invoke only its own five functions.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pulumi
import pulumi_aws as aws

from gpukit.modules.powertuning.iam import LOG_WRITE, TUNING_ACTIONS
from gpukit.modules.powertuning.inputs import PRICES_ENV
from gpukit.modules.pulumi._common import Component, child, policy_json, service_role, statement


@dataclass(frozen=True)
class PowerTuning:
    """The power-tuning package's interface, gathered in one place."""

    handlers: Mapping[str, str]
    source_dir: Callable[[], Path]
    build_definition: Callable[[Mapping[str, str]], dict[str, Any]]


def powertuning() -> PowerTuning:
    """Adapter over ``gpukit.modules.powertuning`` (``HANDLERS``, ``source_dir()``,
    ``state_machine.build_definition``); an import error here means that package changed."""
    from gpukit.modules.powertuning import HANDLERS, source_dir
    from gpukit.modules.powertuning.state_machine import build_definition

    return PowerTuning(HANDLERS, source_dir, build_definition)


@dataclass(frozen=True)
class PowerTunerArgs:
    """Attributes
    ----------
    name: prefix of every function, role and the state machine.
    tunable_function_arns: the Lambda functions this tuner may reconfigure and invoke
        (unqualified ARNs); nothing else.
    architecture: of the tuner's own functions.
    log_retention_days: CloudWatch Logs retention of the tuner's functions.
    timeout_seconds: of the initializer, cleaner, analyzer and optimizer.
    executor_timeout_seconds: of the executor, which runs ``num`` invocations of one memory
        size serially unless the run is parallel (900 s is Lambda's maximum).
    tags: extra tags on top of the provider's default tags.
    processor_function_arns: pre- and post-processors (``preProcessorARN``,
        ``postProcessorARN``) the executor may invoke; nothing else.
    payload_s3_bucket, payload_s3_key: where ``payloadS3`` objects may be read from (the
        executor gets ``s3:GetObject`` on that bucket and key pattern only).
    prices: the execution input's ``prices`` object, set on every tuner function as
        ``GPUKIT_POWERTUNING_PRICES`` so that inputs without prices (aws-lambda-power-tuning's
        own samples) run; ``None`` leaves it unset.
    """

    name: str
    tunable_function_arns: Sequence[str]
    architecture: Literal["arm64", "x86_64"] = "arm64"
    memory_mb: int = 256
    timeout_seconds: int = 300
    executor_timeout_seconds: int = 900
    log_retention_days: int = 14
    tags: Mapping[str, str] = field(default_factory=dict)
    processor_function_arns: Sequence[str] = ()
    payload_s3_bucket: str | None = None
    payload_s3_key: str = "*"
    prices: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        if not self.tunable_function_arns:
            raise ValueError(f"power tuner {self.name}: tunable_function_arns is empty")
        for arn in [*self.tunable_function_arns, *self.processor_function_arns]:
            parts = arn.split(":")
            if len(parts) != 7 or parts[2] != "lambda" or parts[5] != "function":
                raise ValueError(
                    f"power tuner {self.name}: {arn!r} is not an unqualified Lambda function ARN"
                )

    def executor_extras(self) -> list[tuple[list[str], list[str], str]]:
        """``(actions, resources, sid)`` the executor needs beyond the tuned functions."""
        extras = []
        if self.processor_function_arns:
            arns = [r for a in self.processor_function_arns for r in (a, f"{a}:*")]
            extras.append((["lambda:InvokeFunction"], arns, "InvokeProcessors"))
        if self.payload_s3_bucket:
            objects = [f"arn:aws:s3:::{self.payload_s3_bucket}/{self.payload_s3_key}"]
            extras.append((["s3:GetObject"], objects, "ReadPayloads"))
        return extras


class PowerTuner(Component[PowerTunerArgs]):
    state_machine_arn: pulumi.Output[str]

    def _build(self, name: str, args: PowerTunerArgs) -> Mapping[str, Any]:
        tuning = powertuning()
        unknown = sorted(set(tuning.handlers) - set(TUNING_ACTIONS))
        if unknown:
            raise ValueError(f"no IAM actions declared for tuner function(s) {unknown}")
        code = pulumi.FileArchive(str(tuning.source_dir()))
        tunable = [r for arn in args.tunable_function_arns for r in (arn, f"{arn}:*")]
        functions = {
            fn: self._function(name, args, fn, handler, code, tunable)
            for fn, handler in tuning.handlers.items()
        }
        arns = {fn: f.arn for fn, f in functions.items()}
        role = service_role(
            self,
            f"{name}-states",
            "states.amazonaws.com",
            f"Step Functions role of power tuner {args.name}",
            args.tags,
            [statement(["lambda:InvokeFunction"], list(arns.values()), sid="RunTuner")],
        )
        definition = pulumi.Output.all(**arns).apply(
            lambda resolved: json.dumps(tuning.build_definition(resolved))
        )
        machine = aws.sfn.StateMachine(
            f"{name}-machine",
            name=args.name,
            role_arn=role.arn,
            definition=definition,
            tags=dict(args.tags),
            opts=child(self),
        )
        self.state_machine_arn = machine.arn
        return {"state_machine_arn": machine.arn, "function_arns": arns}

    def _function(
        self,
        name: str,
        args: PowerTunerArgs,
        fn: str,
        handler: str,
        code: pulumi.Archive,
        tunable: list[str],
    ) -> aws.lambda_.Function:
        function_name = f"{args.name}-{fn}"
        logs = aws.cloudwatch.LogGroup(
            f"{name}-{fn}-logs",
            name=f"/aws/lambda/{function_name}",
            retention_in_days=args.log_retention_days,
            tags=dict(args.tags),
            opts=child(self),
        )
        role = service_role(
            self,
            f"{name}-{fn}",
            "lambda.amazonaws.com",
            f"power tuner {args.name}: {fn}",
            args.tags,
        )
        statements = [statement(LOG_WRITE, [pulumi.Output.concat(logs.arn, ":*")], sid="WriteLogs")]
        if TUNING_ACTIONS[fn]:
            statements.append(statement(TUNING_ACTIONS[fn], tunable, sid="TuneTargets"))
        if fn == "executor":
            statements += [statement(a, r, sid=sid) for a, r, sid in args.executor_extras()]
        environment = None
        if args.prices is not None:
            variables = {PRICES_ENV: json.dumps(dict(args.prices), sort_keys=True)}
            environment = aws.lambda_.FunctionEnvironmentArgs(variables=variables)
        aws.iam.RolePolicy(
            f"{name}-{fn}", role=role.id, policy=policy_json(statements), opts=child(self)
        )
        return aws.lambda_.Function(
            f"{name}-{fn}",
            name=function_name,
            role=role.arn,
            runtime="python3.12",
            handler=handler,
            code=code,
            architectures=[args.architecture],
            memory_size=args.memory_mb,
            timeout=args.executor_timeout_seconds if fn == "executor" else args.timeout_seconds,
            environment=environment,
            tags=dict(args.tags),
            opts=child(self, depends_on=[logs]),
        )
