"""Concurrent discovery over HTTP: the same answer whatever the threads' timing, a
resource throttled to the end is unknown (never judged, never acted on), and a run short
of time starts no more actions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from gpukit.guard.clients import ClientFactory
from gpukit.guard.discovery import discover
from gpukit.guard.runner import INCOMPLETE, run_guard
from tests.conftest import SeededFleet
from tests.guard.conftest import config_for
from tests.guard.inventory import inventory


def _factory(fleet: SeededFleet, workers: int, attempts: int = 3) -> ClientFactory:
    return ClientFactory(fleet.emu.endpoint_url, workers=workers, max_attempts=attempts)


def test_one_worker_and_sixteen_find_the_same_in_the_same_order(seeded_fleet: SeededFleet) -> None:
    regions = ["us-east-1", "us-west-2", "eu-west-1"]
    one = discover(_factory(seeded_fleet, 1), regions)
    many = discover(_factory(seeded_fleet, 16), regions)
    arns = [d.resource.arn for d in one.found]
    assert arns == sorted(arns) and len(arns) >= 5
    assert arns == [d.resource.arn for d in many.found]
    assert [d.raw for d in one.found] == [d.raw for d in many.found]
    assert [d.resource for d in one.found] == [d.resource for d in many.found]
    assert (one.skipped, one.errors, one.unknown) == (many.skipped, many.errors, many.unknown)


def test_list_calls_ask_for_full_pages(seeded_fleet: SeededFleet) -> None:
    factory = _factory(seeded_fleet, 4)
    seen: list[tuple[str, object]] = []

    def record(params: dict[str, object], model: object, **_: object) -> None:
        name = getattr(model, "name", "")
        size = next(
            (params[k] for k in ("MaxResults", "maxResults", "ResourcesPerPage") if k in params),
            None,
        )
        seen.append((name, size))

    for service in ("sagemaker", "bedrock", "resourcegroupstaggingapi"):
        factory.client(service, "us-east-1").meta.events.register(
            "before-parameter-build.*.*", record
        )
    discover(factory, ["us-east-1"])
    pages = dict(seen)
    assert pages["ListEndpoints"] == pages["GetResources"] == 100
    assert pages["ListProvisionedModelThroughputs"] == 100


def test_an_endpoint_throttled_to_the_end_is_unknown_and_left_alone(
    seeded_fleet: SeededFleet, audit_path: Path
) -> None:
    emu, arns = seeded_fleet.emu, seeded_fleet.arns
    idle = arns["idle_dev_endpoint"]
    emu.inject_fault(
        "sagemaker.DescribeEndpoint",
        status=400,
        code="ThrottlingException",
        match=idle.rsplit("/", 1)[-1],
        times=50,
    )
    before = inventory(emu)
    factory = _factory(seeded_fleet, 8, attempts=3)
    report = run_guard(factory, config_for(seeded_fleet.now, audit_path, apply=True))
    about = [a for a in report.actions if a.resource_arn == idle]
    assert [(a.action, a.status) for a in about] == [("discover", "error")]
    assert about[0].detail.startswith("unknown, not judged and nothing done: ")
    assert "sagemaker.DescribeEndpoint" in about[0].detail
    assert idle not in {f.resource_arn for f in report.findings}
    assert inventory(emu)[idle] == before[idle]  # not deleted, no tag changed
    assert factory.attempts["sagemaker.DescribeEndpoint"] >= 3
    # the rest of the fleet is still judged and acted on
    assert arns["idle_dev_ptu"] not in inventory(emu)


def test_a_run_short_of_time_starts_no_action_and_says_it_is_incomplete(
    seeded_fleet: SeededFleet, audit_path: Path
) -> None:
    before = inventory(seeded_fleet.emu)
    config = config_for(seeded_fleet.now, audit_path, apply=True, remaining_ms=lambda: 89_000)
    report = run_guard(_factory(seeded_fleet, 4), config)
    acted = [a for a in report.actions if a.action in ("teardown", "mark", "unmark", "notify")]
    assert acted and report.incomplete
    late = [a for a in acted if a.status == "skipped" and a.detail.startswith(INCOMPLETE)]
    assert late and all(a.status != "done" for a in acted)
    assert "89 s left, under the 90 s safety margin" in late[0].detail
    assert inventory(seeded_fleet.emu) == before


def test_the_budget_stops_between_actions_never_inside_one(
    seeded_fleet: SeededFleet, audit_path: Path
) -> None:
    left: Iterator[int] = iter([600_000, 120_000])

    def remaining() -> int:
        return next(left, 5_000)

    config = config_for(seeded_fleet.now, audit_path, apply=True, remaining_ms=remaining)
    report = run_guard(_factory(seeded_fleet, 4), config)
    started = [a for a in report.actions if a.status in ("done", "error")]
    late = [a for a in report.actions if a.detail.startswith(INCOMPLETE)]
    assert len(started) == 2 and late and report.incomplete
    assert all(a.status == "done" for a in started)
    first_late = report.actions.index(late[0])
    assert all(report.actions.index(a) < first_late for a in started)
