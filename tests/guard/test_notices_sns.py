"""Notices over the emulator's SNS (an SQS subscription reads what was published, raw
delivery off so the SNS envelope shows which per-protocol message it got) and the webhook
(a local http.server): one digest per owner, the teardown still waits for its SNS notice,
and the webhook neither holds back nor causes a teardown."""

from __future__ import annotations

from pathlib import Path

from gpukit.guard.runner import run_guard
from gpukit.policies.report import Report, Status
from tests.conftest import SeededFleet
from tests.guard.conftest import config_for, drain, factory_for, notices_queue
from tests.guard.webhook_server import Hook


def _done(report: Report, action: str) -> set[str]:
    done = (a for a in report.actions if a.action == action and a.status is Status.DONE)
    return {a.resource_arn for a in done}


def test_one_plain_text_digest_per_owner_and_the_webhook_after_two_failures(
    seeded_fleet: SeededFleet, audit_path: Path
) -> None:
    emu = seeded_fleet.emu
    topic, queue = notices_queue(emu)
    hook = Hook([503, 502])
    try:
        config = config_for(seeded_fleet.now, audit_path, apply=True, sns_topic_arn=topic,
                            webhook_url=hook.url)  # fmt: skip
        report = run_guard(factory_for(emu), config)
    finally:
        hook.close()
    notified = _done(report, "notify")
    assert notified
    envelopes = drain(emu, queue)
    assert all(e["Type"] == "Notification" for e in envelopes)
    texts = [e["Message"] for e in envelopes]
    # MessageStructure=json: the SQS subscriber got the "default" text, not the JSON map
    assert not any(t.lstrip().startswith("{") for t in texts)
    # one digest per owner: every notified resource is in exactly one message
    for arn in notified:
        assert sum(arn in t for t in texts) == 1, arn
    hook_records = [a for a in report.actions if a.action == "webhook"]
    assert [(a.status, a.resource_arn) for a in hook_records] == [
        (Status.DONE, f"http://127.0.0.1:{hook.server.server_port}")
    ]
    assert "after 3 attempt(s)" in hook_records[0].detail
    assert len(hook.bodies) == 3
    sent = hook.bodies[-1]
    arns = {r["arn"] for d in sent["digests"] for r in d["resources"]}  # type: ignore[union-attr]
    assert arns == notified
    digest_owners = [d["owner"] for d in sent["digests"]]  # type: ignore[union-attr]
    assert len(digest_owners) == len(set(digest_owners)) == len(texts)
    # each teardown came after its owner's SNS digest
    calls = emu.calls
    first_publish = calls.index("sns.Publish")
    for delete in ("bedrock.DeleteProvisionedModelThroughput", "sagemaker.DeleteEndpoint"):
        if delete in calls:
            assert first_publish < calls.index(delete)


def test_a_failing_webhook_holds_back_no_teardown_and_a_dry_run_posts_nothing(
    seeded_fleet: SeededFleet, audit_path: Path
) -> None:
    emu = seeded_fleet.emu
    topic, _queue = notices_queue(emu)
    hook = Hook([500] * 20)
    try:
        dry = config_for(seeded_fleet.now, audit_path, sns_topic_arn=topic, webhook_url=hook.url)
        dry_report = run_guard(factory_for(emu), dry)
        assert hook.bodies == [] and not [a for a in dry_report.actions if a.action == "webhook"]
        config = config_for(seeded_fleet.now, audit_path, apply=True, sns_topic_arn=topic,
                            webhook_url=hook.url)  # fmt: skip
        report = run_guard(factory_for(emu), config)
    finally:
        hook.close()
    [failed] = [a for a in report.actions if a.action == "webhook"]
    assert failed.status is Status.ERROR and "gave up after 4 attempts (HTTP 500)" in failed.detail
    torn = _done(report, "teardown")
    assert torn  # the seeded fleet has resources due: the webhook's failure stopped none
    assert torn <= _done(report, "notify")
