"""GuardService: the guard Lambda on an EventBridge Scheduler schedule, with its SNS topic,
DynamoDB audit table, dead-letter queue and log group. The Lambda's IAM policy is the one
``gpukit.guard.iam`` generates from what the guard's actions declare."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pulumi
import pulumi_aws as aws

from gpukit.guard.audit import TABLE_ENV
from gpukit.guard.claims import TTL_ATTRIBUTE
from gpukit.modules.pulumi import guard_fanout
from gpukit.modules.pulumi._common import Component, child, policy_json, service_role, statement
from gpukit.modules.pulumi.guard_fanout import FanoutArgs

RATE = re.compile(r"^(1 (minute|hour|day)|([2-9]|[1-9]\d+) (minutes|hours|days))$")
HANDLER = "gpukit.guard.handler.lambda_handler"


NO_DEPENDENCIES = "none"
PYTHON_VERSIONS = ("3.11", "3.12", "3.13")


@dataclass(frozen=True)
class GuardInterface:
    """What this component needs from the guard package."""

    policy_document: Callable[[Mapping[str, str]], dict[str, Any]]
    build_zip: Callable[[Path, Path | None], object]
    #: ``(python_version, architecture) -> deps directory``, installing on first use.
    dependencies: Callable[[str, str], Path]
    #: ``(partition, member_role) -> document``: what the fan-out's plan and shards need.
    org_policy_document: Callable[[str, str], dict[str, Any]]


def guard_interface() -> GuardInterface:
    """Adapter over the guard package: ``gpukit.guard.iam.policy_document(resources)``,
    ``gpukit.guard.package.build_zip(dest, deps_dir)`` and
    ``gpukit.guard.package.cached_dependencies(python_version, architecture)``. An
    ImportError here means the guard's interface moved; it is never swallowed."""
    from gpukit.guard.iam import org_policy_document, policy_document
    from gpukit.guard.package import build_zip, cached_dependencies

    return GuardInterface(policy_document, build_zip, cached_dependencies, org_policy_document)


def lambda_zip(guard: GuardInterface, args: GuardServiceArgs) -> Path:
    """Build the guard's deployment zip (deterministic, so unchanged code is no diff).

    Dependencies: by default the cached install for the function's Python version and
    architecture (pip runs only when they or the dependency list change); a given
    directory; or none, only when ``dependencies_dir`` is ``"none"`` (the function then
    fails to import; for plans and tests)."""
    if args.dependencies_dir == NO_DEPENDENCIES:
        deps = None
        pulumi.log.warn(f"guard {args.name}: dependencies_dir 'none': the Lambda cannot run")
    elif args.dependencies_dir:
        deps = Path(args.dependencies_dir)
        if not deps.is_dir():
            raise ValueError(f"guard {args.name}: dependencies_dir {deps} does not exist")
    else:
        deps = guard.dependencies(args.python_version, args.architecture)
    tag = f"{args.architecture}-py{args.python_version}"
    dest = Path(tempfile.gettempdir()) / f"gpukit-{args.name}-{tag}-lambda.zip"
    guard.build_zip(dest, deps)
    return dest


@dataclass(frozen=True)
class GuardServiceArgs:
    """Attributes
    ----------
    name: prefix of the function, table, topic, queue and schedule.
    environment: the environment whose policy the guard applies (``dev``/``staging``/``prod``).
    rate: schedule rate, e.g. ``"15 minutes"`` or ``"1 hour"`` (becomes ``rate(...)``).
    apply: ``False`` = report and notify only; ``True`` = mark and tear down as the policy
        allows (prod's policy is warn-only either way).
    regions: regions the guard scans.
    notify_emails: SNS email subscriptions for notices.
    max_teardowns: cap per run (never above the policy's ``max_teardowns_per_run``).
    force_environment: judge every resource under ``environment``'s policy; leave ``False``
        when environments share an account, so each resource's ``gpukit:env`` tag decides.
    python_version: the Lambda runtime's Python (``python3.11`` ...); the packaged wheels match.
    architecture: ``x86_64`` or ``arm64``; the packaged wheels (pydantic-core) match.
    dependencies_dir: unset (default): pip-install the Lambda's third-party packages for
        ``python_version``/``architecture`` into ``~/.cache/gpukit`` (once per change);
        a directory: use it as prepared; ``"none"``: package without them, an explicit
        choice for plans and tests (the function cannot import its handler).
    log_retention_days: CloudWatch Logs retention.
    fanout: deploy the Step Functions fan-out over (account, region) shards and schedule it
        instead of the function (see ``guard_fanout.py``); ``regions`` may then be ``["all"]``.
    tags: extra tags on top of the provider's default tags.
    """

    name: str
    environment: Literal["dev", "staging", "prod"]
    rate: str
    apply: bool
    regions: Sequence[str] = ("us-east-1",)
    notify_emails: Sequence[str] = ()
    max_teardowns: int | None = None
    force_environment: bool = False
    python_version: str = "3.11"
    architecture: Literal["x86_64", "arm64"] = "x86_64"
    dependencies_dir: str | None = None
    log_retention_days: int = 30
    memory_mb: int = 512
    timeout_seconds: int = 300
    tags: Mapping[str, str] = field(default_factory=dict)
    fanout: FanoutArgs | None = None

    def __post_init__(self) -> None:
        if not RATE.match(self.rate):
            raise ValueError(
                f"guard {self.name}: rate {self.rate!r} must look like '15 minutes' or '1 hour'"
            )
        if self.python_version not in PYTHON_VERSIONS:
            raise ValueError(
                f"guard {self.name}: python_version {self.python_version!r}:"
                f" use one of {', '.join(PYTHON_VERSIONS)}"
            )
        if self.architecture not in ("x86_64", "arm64"):
            raise ValueError(
                f"guard {self.name}: architecture {self.architecture!r}: use x86_64 or arm64"
            )

    def event(self) -> dict[str, Any]:
        """The input each scheduled invocation receives (``gpukit.guard.handler`` reads it)."""
        return {"dry_run": not self.apply}

    def variables(self) -> dict[str, str]:
        """Environment variables ``gpukit.guard.handler.config_from_env`` reads."""
        out = {
            "GPUKIT_APPLY": "true" if self.apply else "false",
            "GPUKIT_REGIONS": ",".join(self.regions),
            "POWERTOOLS_SERVICE_NAME": "gpukit-guard",
        }
        if self.force_environment:
            out["GPUKIT_ENV"] = self.environment
        if self.max_teardowns is not None:
            out["GPUKIT_MAX_TEARDOWNS"] = str(self.max_teardowns)
        if self.fanout is not None:
            out.update(self.fanout.variables())
        return out


class GuardService(Component[GuardServiceArgs]):
    function_arn: pulumi.Output[str]
    topic_arn: pulumi.Output[str]

    def _build(self, name: str, args: GuardServiceArgs) -> Mapping[str, Any]:
        guard = guard_interface()
        tags = dict(args.tags)
        function_name = f"{args.name}-guard"
        topic = aws.sns.Topic(
            f"{name}-notices",
            name=f"{args.name}-notices",
            # No aws/sns managed key: CloudWatch alarms cannot publish to topics encrypted
            # with it, and the idle/dead-letter alarms notify through this topic.
            tags=tags,
            opts=child(self),
        )
        self._alarms_may_publish(name, topic)
        for n, email in enumerate(args.notify_emails):
            aws.sns.TopicSubscription(
                f"{name}-notices-{n}",
                topic=topic.arn,
                protocol="email",
                endpoint=email,
                opts=child(self),
            )
        table = aws.dynamodb.Table(
            f"{name}-audit",
            name=f"{args.name}-audit",
            billing_mode="PAY_PER_REQUEST",
            hash_key="pk",
            range_key="sk",
            attributes=[{"name": "pk", "type": "S"}, {"name": "sk", "type": "S"}],
            point_in_time_recovery={"enabled": True},
            server_side_encryption={"enabled": True},
            ttl={"attribute_name": TTL_ATTRIBUTE, "enabled": True},  # expired run claims
            tags=tags,
            opts=child(self),
        )
        dlq = aws.sqs.Queue(
            f"{name}-dlq",
            name=f"{args.name}-guard-dlq",
            message_retention_seconds=14 * 24 * 3600,
            sqs_managed_sse_enabled=True,
            tags=tags,
            opts=child(self),
        )
        logs = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=f"/aws/lambda/{function_name}",
            retention_in_days=args.log_retention_days,
            tags=tags,
            opts=child(self),
        )
        role = service_role(
            self,
            f"{name}-guard",
            "lambda.amazonaws.com",
            f"gpukit guard {args.name} ({args.environment})",
            tags,
        )
        invoke = pulumi.InvokeOutputOptions(parent=self)
        policy = pulumi.Output.all(
            audit_table_arn=table.arn,
            topic_arn=topic.arn,
            log_group_arn=logs.arn,
            partition=aws.get_partition_output(opts=invoke).partition,
            account_id=aws.get_caller_identity_output(opts=invoke).account_id,
        ).apply(lambda arns: json.dumps(guard.policy_document(arns)))
        aws.iam.RolePolicy(f"{name}-guard", role=role.id, policy=policy, opts=child(self))
        aws.iam.RolePolicy(
            f"{name}-guard-dlq",
            role=role.id,
            policy=policy_json([statement(["sqs:SendMessage"], [dlq.arn], sid="DeadLetters")]),
            opts=child(self),
        )
        xray = aws.iam.RolePolicyAttachment(  # the handler's Powertools Tracer
            f"{name}-guard-xray",
            role=role.name,
            policy_arn="arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
            opts=child(self),
        )
        function = aws.lambda_.Function(
            f"{name}-guard",
            name=function_name,
            role=role.arn,
            # the package's wheels are for this Python and architecture (lambda_zip)
            runtime=f"python{args.python_version}",
            handler=HANDLER,
            code=pulumi.FileArchive(str(lambda_zip(guard, args))),
            architectures=[args.architecture],
            memory_size=args.memory_mb,
            timeout=args.timeout_seconds,
            # one run at a time (runs never race); with the fan-out, every shard plus a step
            reserved_concurrent_executions=args.fanout.reserved_concurrency if args.fanout else 1,
            dead_letter_config={"target_arn": dlq.arn},
            tracing_config={"mode": "Active"},
            environment={
                "variables": {
                    **args.variables(),
                    TABLE_ENV: table.name,
                    "GPUKIT_SNS_TOPIC_ARN": topic.arn,
                }
            },
            tags=tags,
            opts=child(self, depends_on=[logs, xray]),
        )
        target: aws.lambda_.Function | aws.sfn.StateMachine = function
        if args.fanout is not None:
            target = guard_fanout.deploy(self, name, args.name, args.fanout, function, tags)
            member = args.fanout.member_role
            org = aws.get_partition_output(opts=invoke).partition.apply(
                lambda p: json.dumps(guard.org_policy_document(p, member))
            )
            aws.iam.RolePolicy(f"{name}-guard-org", role=role.id, policy=org, opts=child(self))
        self._schedule(name, args, target, dlq, topic)
        self.function_arn = function.arn
        self.topic_arn = topic.arn
        return {
            "function_arn": function.arn,
            "topic_arn": topic.arn,
            "audit_table": table.name,
            "dead_letter_queue_url": dlq.url,
        }

    def _alarms_may_publish(self, name: str, topic: aws.sns.Topic) -> None:
        """CloudWatch alarms of this account (idle, dead-letter) may publish notices."""
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        alarms = pulumi.Output.concat("arn:aws:cloudwatch:*:", identity.account_id, ":alarm:*")
        publish = {
            "Sid": "AlarmsPublish",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": topic.arn,
            "Condition": {"ArnLike": {"aws:SourceArn": alarms}},
        }
        aws.sns.TopicPolicy(
            f"{name}-notices", arn=topic.arn, policy=policy_json([publish]), opts=child(self)
        )

    def _schedule(
        self,
        name: str,
        args: GuardServiceArgs,
        target: aws.lambda_.Function | aws.sfn.StateMachine,
        dlq: aws.sqs.Queue,
        topic: aws.sns.Topic,
    ) -> None:
        role = service_role(
            self,
            f"{name}-scheduler",
            "scheduler.amazonaws.com",
            f"EventBridge Scheduler role of gpukit guard {args.name}",
            args.tags,
            [
                statement(
                    ["states:StartExecution"]
                    if isinstance(target, aws.sfn.StateMachine)
                    else ["lambda:InvokeFunction"],
                    [target.arn],
                    sid="RunGuard",
                ),
                statement(["sqs:SendMessage"], [dlq.arn], sid="DeadLetters"),
            ],
        )
        aws.scheduler.Schedule(
            f"{name}-schedule",
            name=f"{args.name}-guard",
            description=f"Run the gpukit guard for {args.environment} every {args.rate}",
            schedule_expression=f"rate({args.rate})",
            flexible_time_window={"mode": "OFF"},
            target={
                "arn": target.arn,
                "role_arn": role.arn,
                "input": json.dumps(args.event()),
                "dead_letter_config": {"arn": dlq.arn},
                "retry_policy": {
                    "maximum_retry_attempts": 2,
                    "maximum_event_age_in_seconds": 3600,
                },
            },
            opts=child(self),
        )
        aws.cloudwatch.MetricAlarm(
            f"{name}-dead-letters",
            alarm_description=f"gpukit guard {args.name}: runs failed into the dead-letter queue",
            namespace="AWS/SQS",
            metric_name="ApproximateNumberOfMessagesVisible",
            dimensions={"QueueName": dlq.name},
            statistic="Maximum",
            period=300,
            evaluation_periods=1,
            threshold=0,
            comparison_operator="GreaterThanThreshold",
            treat_missing_data="notBreaching",
            alarm_actions=[topic.arn],
            tags=dict(args.tags),
            opts=child(self),
        )
