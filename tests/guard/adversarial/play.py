"""Play one adversarial world against the guard in apply mode and judge every delete.

1. Build the world (``world.build``) in a freshly reset emulator.
2. Marking run, as of ``T0 = N - mark_age`` (its clock says ``T0`` too): the guard marks
   what it judges idle; every ``gpukit:marked`` present afterwards is the guard's own.
3. The adversary rewrites marks (strip, forge, backdate, review) and injects faults.
4. Acting run at the real clock (two at once when ``concurrent``); at the moment the
   world names (after discovery, or before the first action) the adversary changes tags
   and breaks act-time reads.
5. Optionally a follow-up run.

Every resource that disappears in a run must be allowed by the oracle for that run, have
a snapshot in the audit store, and no resource is reported torn down twice.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from gpukit.emulator import Emulator
from gpukit.guard.audit import DynamoAuditStore, FileAuditStore
from gpukit.guard.clients import ClientFactory
from gpukit.guard.runner import GuardConfig, run_guard
from tests.guard.adversarial import tamper
from tests.guard.adversarial import world as W
from tests.guard.adversarial.judge import Judge, Outcome
from tests.guard.adversarial.oracle import load_documents
from tests.guard.adversarial.spec import ResourceSpec, WorldSpec

TABLE = "gpukit-audit"
MARKED = W.TAG_KEYS["marked"]
ALWAYS = 1000
STEP_WORDS = ("teardown", "mark", "unmark", "notify")


class Adversary:
    """Plays worlds on one emulator, resetting it between worlds."""

    def __init__(self, emu: Emulator, workdir: Path | None = None) -> None:
        tamper.install()
        self.emu = emu
        self.c = W.Clients(emu)
        self.docs = load_documents()
        shm = "/dev/shm" if Path("/dev/shm").is_dir() else None  # fsync costs nothing there
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="gpukit-adversary-", dir=shm))
        self.topic: str | None = None
        self.factories = [
            ClientFactory(emu.endpoint_url, max_attempts=3, retry_mode="standard") for _ in range(2)
        ]

    # ------------------------------------------------------------ the audit stores

    def _stores(self, spec: WorldSpec) -> list[Any]:
        if spec.dynamo_audit or spec.fault == "audit_always":
            self.c.dynamodb.create_table(
                TableName=TABLE,
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                           {"AttributeName": "sk", "KeyType": "RANGE"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                      {"AttributeName": "sk", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )  # fmt: skip
            return [DynamoAuditStore(f, TABLE, "us-east-1") for f in self.factories]
        path = self.workdir / f"audit-{spec.seed}.jsonl"
        path.unlink(missing_ok=True)
        for stale in path.parent.glob(f"{path.name}*"):
            stale.unlink()
        return [FileAuditStore(path) for _ in self.factories]

    def _topic(self, spec: WorldSpec) -> tuple[str | None, str | None]:
        if not (spec.topic or spec.fault == "notify_always"):
            return None, None
        topic = self.c.sns.create_topic(Name="gpukit-guard")["TopicArn"]
        queue = self.c.sqs.create_queue(QueueName="owners")["QueueUrl"]
        queue_arn = self.c.sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        self.c.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
        return topic, queue

    def _notices(self, queue: str) -> str:
        """Every notice that reached the owners' queue, as one text."""
        bodies = []
        while True:
            got = self.c.sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)
            if not got.get("Messages"):
                return "\n".join(bodies)
            for m in got["Messages"]:
                bodies.append(m["Body"])
                self.c.sqs.delete_message(QueueUrl=queue, ReceiptHandle=m["ReceiptHandle"])

    def _fresh_store(self, spec: WorldSpec, stores: list[Any]) -> Any:
        if isinstance(stores[0], DynamoAuditStore):
            return DynamoAuditStore(self.factories[0], TABLE, "us-east-1")
        return FileAuditStore(stores[0].path)

    # ------------------------------------------------------------ the world

    def play(self, spec: WorldSpec) -> Outcome:
        self.emu.reset()
        now = datetime.now(UTC)
        t0 = now - timedelta(hours=spec.mark_age)
        stores = self._stores(spec)
        self.topic, queue = self._topic(spec)
        built = W.build(self.emu, self.c, spec.resources, now, t0)
        by_arn = {built.arns[r.name]: r for r in spec.resources}
        out = Outcome()
        judge = Judge(self.docs, spec, built, by_arn, now, out)

        tags = W.all_tags(self.c)  # every resource carries tags: the tagging API lists all
        reports = [self._run(0, stores[0], t0, None)]
        after_mark = W.all_tags(self.c)
        judge.deleted("marking", set(tags) - set(after_mark), t0, {}, tags, {})
        guard_marks = {a: t[MARKED] for a, t in after_mark.items() if MARKED in t}

        for arn, r in by_arn.items():
            if arn in after_mark:
                self._rewrite_mark(arn, r, guard_marks.get(arn), now)
        tags = W.all_tags(self.c)
        self._inject_before(spec)
        hook = _Hook(self, spec, by_arn, now)
        acting_at = datetime.now(UTC)
        try:
            reports += self._act(spec, stores, hook)
        finally:
            self.emu.clear_faults()
            tamper.answer(None)
        after_act = W.all_tags(self.c)
        truth_tags = {a: hook.applied(a, t) for a, t in tags.items()}
        gone = set(tags) - set(after_act)
        judge.deleted("acting", gone, acting_at, guard_marks, truth_tags, hook.unverifiable)
        out.allowed = judge.allowed(set(tags), acting_at, guard_marks, truth_tags,
                                    hook.unverifiable)  # fmt: skip
        for arn, t in after_act.items():
            if t.get(MARKED) and t.get(MARKED) != truth_tags.get(arn, {}).get(MARKED):
                guard_marks[arn] = t[MARKED]  # written by the guard in the acting run

        if spec.follow_up:
            follow_at = datetime.now(UTC)
            reports.append(self._run(0, stores[0], None, None))
            gone = set(after_act) - set(W.all_tags(self.c))
            judge.deleted("follow-up", gone, follow_at, guard_marks, after_act, {})
        judge.snapshots(self._fresh_store(spec, stores))
        if queue is not None:
            judge.notified(self._notices(queue))
        judge.once(reports)
        return out

    def _run(
        self, i: int, store: Any, at: datetime | None, say: Callable[[str], None] | None
    ) -> Any:
        config = GuardConfig(apply=True, audit=store, sns_topic_arn=self.topic)
        if at is not None:
            config = GuardConfig(
                apply=True, audit=store, sns_topic_arn=self.topic, now=at, clock=lambda: at
            )
        return run_guard(self.factories[i], config, progress=say)

    def _act(self, spec: WorldSpec, stores: list[Any], hook: _Hook) -> list[Any]:
        if not spec.concurrent:
            return [self._run(0, stores[0], None, hook)]
        results: list[Any] = [None, None]

        def one(i: int) -> None:
            results[i] = self._run(i, stores[i], None, hook)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return [r for r in results if r is not None]

    def _rewrite_mark(self, arn: str, r: ResourceSpec, placed: str | None, now: datetime) -> None:
        if r.mark == "strip" and placed:
            W.set_tags(self.c, arn, {}, [MARKED])
        elif r.mark == "forge" or (r.mark == "backdate" and not placed):
            W.set_tags(self.c, arn, {MARKED: W.FORGED_MARK})
        elif r.mark == "backdate" and placed:
            at = datetime.fromisoformat(placed.partition("@")[2].replace("Z", "+00:00"))
            W.set_tags(self.c, arn, {MARKED: f"teardown@{W.z(at - timedelta(days=3))}"})
        elif r.mark == "review":
            W.set_tags(self.c, arn, {MARKED: f"review@{W.z(now - timedelta(days=3))}"})

    def _inject_before(self, spec: WorldSpec) -> None:
        f = self.emu.inject_fault
        if (
            spec.fault.startswith("metrics_")
            and spec.fault.removeprefix("metrics_") in tamper.MODES
        ):
            tamper.answer(spec.fault.removeprefix("metrics_"))
        elif spec.fault == "metrics_once":
            f("cloudwatch.GetMetricData", times=1)
        elif spec.fault == "metrics_always":
            f("cloudwatch.GetMetricData", times=ALWAYS)
        elif spec.fault == "delete_once":
            f("sagemaker.DeleteEndpoint", times=1)
            f("bedrock.DeleteProvisionedModelThroughput", times=1)
        elif spec.fault == "audit_always":
            f("dynamodb.BatchWriteItem", times=ALWAYS)
        elif spec.fault == "notify_always":
            f("sns.Publish", times=ALWAYS)


class _Hook:
    """The guard's progress callback: the adversary's moment between planning and acting."""

    def __init__(
        self, adv: Adversary, spec: WorldSpec, by_arn: dict[str, ResourceSpec], now: datetime
    ) -> None:
        self.adv, self.spec, self.by_arn, self.now = adv, spec, by_arn, now
        self.fired = False
        self.unverifiable: dict[str, str] = {}
        self._lock = threading.Lock()

    def __call__(self, message: str) -> None:
        first = message.split(" ", 1)[0]
        due = (
            message == "evaluating"
            if self.spec.mutate_at == "evaluating"
            else (first in STEP_WORDS)
        )
        if not due:
            return
        with self._lock:
            if self.fired:
                return
            self.fired = True
            for arn, r in self.by_arn.items():
                if r.mutation is not None:
                    add, remove = self.change(r)
                    try:
                        W.set_tags(self.adv.c, arn, add, remove)
                    except Exception:  # already deleted by a concurrent run: nothing to change
                        continue
            self._break_reads()

    def change(self, r: ResourceSpec) -> tuple[dict[str, str], list[str]]:
        k = W.TAG_KEYS
        return {
            "exempt": (
                {k["exempt"]: "adversary", k["until"]: W.z(self.now + timedelta(days=2))},
                [],
            ),
            "prod": ({k["env"]: "prod"}, []),
            "production": ({k["env"]: "production"}, []),
            "owner": ({}, [k["owner"]]),
            "unmark": ({}, [MARKED]),
            "forge": ({MARKED: W.FORGED_MARK}, []),
        }[str(r.mutation)]

    def applied(self, arn: str, tags: dict[str, str]) -> dict[str, str]:
        r = self.by_arn.get(arn)
        if not self.fired or r is None or r.mutation is None:
            return tags
        add, remove = self.change(r)
        return {k: v for k, v in {**tags, **add}.items() if k not in remove}

    def _break_reads(self) -> None:
        f = self.adv.emu.inject_fault
        if self.spec.fault == "tag_always":
            for op in (
                "sagemaker.ListTags",
                "bedrock.ListTagsForResource",
                "resourcegroupstaggingapi.GetResources",
            ):
                f(op, times=ALWAYS)
            self.unverifiable.update({a: "its tags could not be re-read" for a in self.by_arn})
        elif self.spec.fault == "describe_always":
            for arn, r in self.by_arn.items():
                if r.kind == "endpoint":
                    f("sagemaker.DescribeEndpoint", match=f'"{r.name}"', times=ALWAYS)
                    self.unverifiable[arn] = "it could not be re-described"
                    break

