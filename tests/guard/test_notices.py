"""What owners are told: a digest per owner, in plain text and in AWS Chatbot's custom
notification format (checked against a schema written from AWS's page,
https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from gpukit.guard.actions.notify import batches
from gpukit.guard.discovery import Discovered
from gpukit.guard.notices import Digest, chatbot, digests, plain_text, sns_message
from gpukit.guard.step import Step
from gpukit.policies import tags as T
from gpukit.policies.engine import Evaluation
from gpukit.policies.environment import load_policies
from gpukit.policies.findings import Decision, Finding, Severity
from tests.factories import discovered_endpoint, discovered_ptu, tags

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
POLICIES = load_policies()

#: From the page: version (required, "1.0"), source (required, "custom"), id; content with
#: textType (only client-markdown), title, description, nextSteps and keywords (string
#: lists); metadata with threadId, summary, eventType, relatedResources (string list),
#: additionalContext (string values).
SCHEMA: dict[str, Any] = {
    "required": {"version": "1.0", "source": "custom"},
    "top": {"version": str, "source": str, "id": str, "content": dict, "metadata": dict},
    "content": {
        "textType": str,
        "title": str,
        "description": str,
        "nextSteps": list,
        "keywords": list,
    },
    "metadata": {
        "threadId": str,
        "summary": str,
        "eventType": str,
        "relatedResources": list,
        "additionalContext": dict,
    },
}


def schema_errors(card: dict[str, Any]) -> list[str]:
    errors = [f"{k} must be {v!r}" for k, v in SCHEMA["required"].items() if card.get(k) != v]
    for part, fields in (
        ("top", SCHEMA["top"]),
        ("content", SCHEMA["content"]),
        ("metadata", SCHEMA["metadata"]),
    ):
        obj = card if part == "top" else card.get(part, {})
        errors += [f"{part}.{k}: unknown field" for k in obj if k not in fields]
        errors += [
            f"{part}.{k}: not {t.__name__}"
            for k, t in fields.items()
            if k in obj and not isinstance(obj[k], t)
        ]
    content, meta = card.get("content", {}), card.get("metadata", {})
    if content.get("textType", "client-markdown") != "client-markdown":
        errors.append("content.textType: only client-markdown is supported")
    for key in ("nextSteps", "keywords"):
        errors += [
            f"content.{key}: not all strings"
            for v in content.get(key, [])
            if not isinstance(v, str)
        ][:1]
    errors += [
        f"metadata.relatedResources: {v!r}"
        for v in meta.get("relatedResources", [])
        if not isinstance(v, str)
    ]
    context = meta.get("additionalContext", {})
    errors += [
        f"metadata.additionalContext.{k}: not a string"
        for k, v in context.items()
        if not isinstance(v, str)
    ]
    return errors


def step(
    item: Discovered,
    decision: Decision,
    hourly: float | None = 2.5,
    act_after: str | None = None,
    kind: str = "notify",
) -> Step:
    finding = Finding(
        rule_id="GPK005",
        resource_arn=item.resource.arn,
        resource_type=item.resource.kind.value,
        severity=Severity.ERROR,
        decision=decision,
        reason="idle: no invocations in the last 12h",
        hourly_cost_usd=hourly,
        monthly_waste_usd=1825.0,
        act_after=act_after,
    )
    return Step(kind, item, Evaluation(item.resource, POLICIES["dev"], [finding]))


def test_a_pre_teardown_notice_names_the_resource_its_costs_when_it_goes_and_how_to_keep_it():
    # created 30 days before NOW (the factory): 720 h x $2.50 = $1,800 so far;
    # $2.50 x 730 h = $1,825 a month
    item = discovered_ptu("p1", now=NOW, tags=tags("dev"))
    marked = step(item, Decision.MARK, act_after="2026-11-23T16:00:00Z")
    text = plain_text(Digest("a@example.com", (marked,)), {}, NOW)
    assert f"bedrock-provisioned-throughput p1 in us-east-1 ({item.resource.arn})" in text
    assert "$2.50/hour, $1,825/month, about $1,800 so far (since 2026-10-24T10:00:00Z)" in text
    assert "torn down after 2026-11-23T16:00:00Z unless it is used or exempted" in text
    # dev allows exemptions of up to 14 days: NOW + 14 days = 2026-12-07T10:00:00Z
    assert (
        f"aws bedrock tag-resource --resource-arn {item.resource.arn} --tags"
        f" 'key={T.EXEMPT},value=<why>' key={T.EXEMPT_UNTIL},value=2026-12-07T10:00:00Z"
    ) in text
    due = step(item, Decision.TEARDOWN)
    assert "Due for teardown in this run, right after this notice" in plain_text(
        Digest("a", (due,)), {}, NOW
    )
    gone = plain_text(Digest("a", (due,)), {item.resource.arn: ["teardown done"]}, NOW)
    assert "Acted on in this run: teardown done" in gone


def test_an_endpoint_notice_gives_the_sagemaker_tag_command_and_an_unknown_price_says_so():
    item = discovered_endpoint("e1", now=NOW, tags=tags("dev"))
    marked = step(item, Decision.MARK, hourly=None, act_after="2026-11-24T00:00:00Z")
    text = plain_text(Digest("a", (marked,)), {}, NOW)
    assert f"aws sagemaker add-tags --resource-arn {item.resource.arn} --tags 'Key=" in text
    assert "Cost: price unknown" in text


def test_the_chatbot_notification_has_the_documented_fields_and_types():
    a, b = (
        discovered_ptu("p1", now=NOW, tags=tags("dev")),
        discovered_endpoint("e1", now=NOW, tags=tags("dev")),
    )
    digest = Digest("a@example.com", (step(a, Decision.TEARDOWN), step(b, Decision.BLOCKED)))
    card = chatbot(digest, {}, NOW, "guard-1")
    assert schema_errors(card) == []
    assert card["content"]["title"] == "gpukit guard: 2 resources of a@example.com"
    assert card["metadata"]["relatedResources"] == [a.resource.arn, b.resource.arn]
    assert len(card["content"]["nextSteps"]) == 1  # the blocked one is not going anywhere
    assert T.EXEMPT_UNTIL in card["content"]["nextSteps"][0]
    # the schema check itself catches what the page forbids
    assert schema_errors({**card, "version": "2.0"}) == ["version must be '1.0'"]
    broken = {**card, "content": {**card["content"], "textType": "plain", "keywords": [1]}}
    assert set(schema_errors(broken)) == {
        "content.textType: only client-markdown is supported",
        "content.keywords: not all strings",
    }


def test_the_sns_message_is_per_protocol_json_with_plain_text_by_default():
    item = discovered_ptu("p1", now=NOW, tags=tags("dev"))
    digest = Digest("a@example.com", (step(item, Decision.MARK, act_after="2026-11-24T00:00:00Z"),))
    subject, message = sns_message(digest, {}, NOW, "guard-1")
    parsed = json.loads(message)
    assert subject == "gpukit guard: mark p1"
    assert set(parsed) == {"default", "email", "https"}
    assert parsed["default"] == parsed["email"] == plain_text(digest, {}, NOW)
    assert schema_errors(json.loads(parsed["https"])) == []


def test_owners_get_one_digest_each_placed_before_their_first_teardown():
    alice = [
        discovered_ptu(f"a{i}", now=NOW, tags=tags("dev", **{T.OWNER: "alice@example.com"}))
        for i in range(3)
    ]
    bob = discovered_ptu("b1", now=NOW, tags=tags("dev", **{T.OWNER: "bob@example.com"}))
    untagged = discovered_ptu("u1", now=NOW, tags={})
    order = [
        step(alice[0], Decision.TEARDOWN, kind="notify"),
        step(alice[0], Decision.TEARDOWN, kind="teardown"),
        step(bob, Decision.MARK, kind="mark"),
        step(bob, Decision.MARK),
        step(alice[1], Decision.MARK),
        step(untagged, Decision.MARK),
        step(alice[2], Decision.WARN),
    ]
    grouped = [[(s.kind, s.item.resource.name) for s in batch] for batch in batches(order)]
    assert grouped == [
        [("notify", "a0"), ("notify", "a1"), ("notify", "a2")],
        [("teardown", "a0")],
        [("mark", "b1")],
        [("notify", "b1")],
        [("notify", "u1")],
    ]
    owners = [(d.owner, len(d.steps)) for d in digests([s for s in order if s.kind == "notify"])]
    assert owners == [("alice@example.com", 3), ("bob@example.com", 1), ("(no owner tag)", 1)]


def test_a_large_owner_gets_digests_of_at_most_twenty_each_before_its_teardowns():
    items = [discovered_ptu(f"a{i}", now=NOW, tags=tags("dev")) for i in range(45)]
    order = [step(i, Decision.MARK) for i in items[:44]]
    order += [
        step(items[44], Decision.TEARDOWN),
        step(items[44], Decision.TEARDOWN, kind="teardown"),
    ]
    got = batches(order)
    assert [len(b) for b in got] == [20, 20, 5, 1]
    assert got[-1][0].kind == "teardown" and got[2][-1].arn == items[44].resource.arn


def test_a_review_mark_says_nothing_about_keeping_it():
    item = discovered_ptu("p1", now=NOW, tags=tags("dev"))
    text = plain_text(Digest("a", (step(item, Decision.MARK),)), {}, NOW)
    assert "Marked for review" in text and "To keep it" not in text
