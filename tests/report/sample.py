"""A hand-made audit trail and advice document whose report figures are worked by hand.

As of NOW = 2026-11-30T12:00Z (730-hour month):

Runs (waste over time): r1 2026-11-20T12:00Z $1,500.00; r2 2026-11-25T12:00Z $800.00;
r3 2026-11-29T12:00Z $34,329.70 (the latest: its decisions are the fleet).

Teardowns:
- dev-chat (PTU, alice, cc-4100) torn down in r1 at 2026-11-20T12:00Z at $20.50/h, never
  restored: 240 h to NOW, 20.50 × 240 = $4,920.00.
- dev-playground (endpoint, carol, cc-4100) torn down in r2 at 2026-11-25T12:00Z at
  $0.7364/h, restored 2026-11-27T00:00Z: 36 h, 0.7364 × 36 = 26.5104 → $26.51.
- total saved $4,946.51. (A teardown "already gone" is not a saving; none is counted.)

The latest run's fleet (each resource's waste = its largest finding):
- prod-support: PTU, support@, cc-2200, prod, OneMonth ending 2026-12-15T12:00Z (15.0
  days: within 30), $42.00/h, blocked, waste $30,660.00 (42 × 730).
- staging-search: PTU, search@, cc-3300, staging, OneMonth ending 2027-01-20T12:00Z (51.0
  days: within 60), $20.50/h, warn, waste $100.00.
- dev-loadtest: endpoint, dave@, cc-4100, dev, $4.89/h, mark, findings $1,000.00 and
  $3,569.70: waste $3,569.70.
- prod-ranker: endpoint, ranking@, cc-2200, prod, $2.82/h, ok, no finding: waste $0.
- experiment-7: PTU, untagged, dev, price unknown, mark: waste unknown (not summed).

So waste $34,329.70 = 30,660 + 100 + 3,569.70; by owner support@ $30,660.00, dave@
$3,569.70, search@ $100.00; by cost centre cc-2200 $30,660.00, cc-4100 $3,569.70, cc-3300
$100.00, (untagged) $0.00; by environment prod $30,660.00, dev $3,569.70, staging $100.00.
Cost: (42 + 20.50 + 4.89 + 2.82) × 730 = 70.21 × 730 = $51,253.30. Commitments: 1 within
30 days, 2 within 60 and 90. Advice: prod-support on-demand saves $500.00 (best) and
fewer-model-units $300.00; dev-loadtest scale-to-zero $120.50: best per resource $620.50.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

NOW = "2026-11-30T12:00:00Z"
ACCOUNT = "123456789012"
PTU = "bedrock-provisioned-throughput"
ENDPOINT = "sagemaker-endpoint"


def arn(kind: str, name: str) -> str:
    if kind == PTU:
        return f"arn:aws:bedrock:us-east-1:{ACCOUNT}:provisioned-model/{name}"
    return f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint/{name}"


def item(
    kind: str,
    name: str,
    owner: str | None,
    cc: str | None,
    env: str,
    hourly: float | None,
    decision: str,
    commitment: str | None = None,
    ends: str | None = None,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "arn": arn(kind, name),
        "name": name,
        "account": ACCOUNT,
        "region": "us-east-1",
        "env": env,
        "owner": owner,
        "cost_center": cc,
        "model": "amazon.titan-text-express-v1" if kind == PTU else "ml.g4dn.xlarge",
        "units": 1,
        "commitment": commitment,
        "commitment_expires_at": ends,
        "hourly_cost_usd": hourly,
        "decision": decision,
    }


def finding(row: dict[str, Any], waste: float | None, decision: str, rule: str) -> dict[str, Any]:
    return {
        "rule_id": rule,
        "resource_arn": row["arn"],
        "resource_type": row["kind"],
        "severity": "error" if decision in ("mark", "teardown", "blocked") else "warning",
        "decision": decision,
        "reason": f"{rule} says {row['name']} is {decision}",
        "hourly_cost_usd": row["hourly_cost_usd"],
        "monthly_waste_usd": waste,
        "act_after": None,
    }


def rec(record_kind: str, run: str, at: str, about: str = "", **data: Any) -> dict[str, Any]:
    return {"kind": record_kind, "run_id": run, "at": at, "arn": about, "data": data}


def run(run_id: str, at: str, waste: float, resources: int, failing: int) -> dict[str, Any]:
    return rec(
        "run",
        run_id,
        at,
        mode="apply",
        resources=resources,
        failing=failing,
        monthly_waste_usd=waste,
        findings=failing,
        api_calls={},
        prices="bundled",
    )


def decision(
    run_id: str, at: str, row: dict[str, Any], findings: list[dict[str, Any]]
) -> dict[str, Any]:
    return rec(
        "decision",
        run_id,
        at,
        row["arn"],
        decision=row["decision"],
        policy=row["env"],
        findings=findings,
        item=row,
    )


def teardown(
    run_id: str, at: str, row: dict[str, Any], tags: dict[str, str]
) -> list[dict[str, Any]]:
    return [
        rec(
            "snapshot",
            run_id,
            at,
            row["arn"],
            kind=row["kind"],
            arn=row["arn"],
            name=row["name"],
            tags=tags,
            region="us-east-1",
            account=ACCOUNT,
            raw={},
            configuration={},
        ),
        rec(
            "action",
            run_id,
            at,
            row["arn"],
            resource_arn=row["arn"],
            action="teardown",
            status="done",
            detail="deleted",
        ),
    ]


def records() -> list[dict[str, Any]]:
    r1, r2, r3 = "guard-r1", "guard-r2", "guard-r3"
    t1, t2, t3 = "2026-11-20T12:00:00Z", "2026-11-25T12:00:00Z", "2026-11-29T12:00:00Z"
    chat = item(PTU, "dev-chat", "alice@example.com", "cc-4100", "dev", 20.5, "teardown")
    play = item(
        ENDPOINT, "dev-playground", "carol@example.com", "cc-4100", "dev", 0.7364, "teardown"
    )
    gone = item(ENDPOINT, "dev-gone", "erin@example.com", "cc-4100", "dev", 9.0, "teardown")
    support = item(
        PTU,
        "prod-support",
        "support@example.com",
        "cc-2200",
        "prod",
        42.0,
        "blocked",
        "OneMonth",
        "2026-12-15T12:00:00Z",
    )
    search = item(
        PTU,
        "staging-search",
        "search@example.com",
        "cc-3300",
        "staging",
        20.5,
        "warn",
        "OneMonth",
        "2027-01-20T12:00:00Z",
    )
    loadtest = item(ENDPOINT, "dev-loadtest", "dave@example.com", "cc-4100", "dev", 4.89, "mark")
    ranker = item(ENDPOINT, "prod-ranker", "ranking@example.com", "cc-2200", "prod", 2.82, "ok")
    untagged = item(PTU, "experiment-7", None, None, "dev", None, "mark")
    tags = {"gpukit:owner": "alice@example.com", "gpukit:cost-center": "cc-4100"}
    out = [
        run(r1, t1, 1500.0, 3, 2),
        decision(r1, t1, chat, [finding(chat, 14965.0, "teardown", "GPK001")]),
        *teardown(r1, t1, chat, tags),
        run(r2, t2, 800.0, 3, 1),
        decision(r2, t2, play, [finding(play, 537.57, "teardown", "GPK004")]),
        *teardown(r2, t2, play, tags | {"gpukit:owner": "carol@example.com"}),
        decision(r2, t2, gone, [finding(gone, 6570.0, "teardown", "GPK004")]),
        rec(
            "action",
            r2,
            t2,
            gone["arn"],
            resource_arn=gone["arn"],
            action="teardown",
            status="done",
            detail="already gone",
        ),
        rec(
            "action",
            "restore-1",
            "2026-11-27T00:00:00Z",
            play["arn"],
            action="restore",
            new_arn=play["arn"],
        ),
        run(r3, t3, 34329.70, 5, 3),
        decision(r3, t3, support, [finding(support, 30660.0, "blocked", "GPK002")]),
        decision(r3, t3, search, [finding(search, 100.0, "warn", "GPK009")]),
        decision(
            r3,
            t3,
            loadtest,
            [
                finding(loadtest, 1000.0, "warn", "GPK006"),
                finding(loadtest, 3569.70, "mark", "GPK004"),
            ],
        ),
        decision(r3, t3, ranker, []),
        decision(r3, t3, untagged, [finding(untagged, None, "mark", "GPK001")]),
    ]
    return out


def write_audit(path: Path) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records()), encoding="utf-8")
    return path


def advice_document() -> dict[str, Any]:
    """What ``gpukit advise --format json`` prints (``flag`` included), for two resources."""

    def option(kind: str, now: float, then: float) -> dict[str, Any]:
        return {
            "kind": kind,
            "summary": f"{kind} instead",
            "current_usd_per_month": now,
            "proposed_usd_per_month": then,
            "saving_usd_per_month": round(now - then, 2),
            "assumption": "the window's traffic goes on",
            "confidence": "medium",
            "confidence_detail": "14 days of data, no gaps",
        }

    def resource(
        name: str, kind: str, current: float, recs: list[dict[str, Any]]
    ) -> dict[str, Any]:
        return {
            "arn": arn(kind, name),
            "name": name,
            "kind": kind,
            "current_usd_per_month": current,
            "recommendations": recs,
            "considered": [],
            "verdict": f"{recs[0]['kind']}: saves" if recs else "keep it",
            "notes": [],
            "not_worked_out": [
                {
                    "kind": "fewer-model-units",
                    "reason": "no throughput",
                    "needs": "tokens_per_second_per_unit",
                    "flag": "--tokens-per-second",
                }
            ],
        }

    return {
        "generated_at": NOW,
        "window_days": 14,
        "prices": "bundled",
        "resources": [
            resource(
                "prod-support",
                PTU,
                30660.0,
                [
                    option("on-demand", 30660.0, 30160.0),
                    option("fewer-model-units", 30660.0, 30360.0),
                ],
            ),
            resource(
                "dev-loadtest", ENDPOINT, 3569.70, [option("scale-to-zero", 3569.70, 3449.20)]
            ),
            resource("prod-ranker", ENDPOINT, 2058.60, []),
        ],
        "errors": [],
    }


def write_advice(path: Path) -> Path:
    path.write_text(json.dumps(advice_document()), encoding="utf-8")
    return path
