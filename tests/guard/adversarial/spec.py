"""Adversarial fleets as plain data, drawn through a :class:`Picker`.

The same generator serves two drivers: hypothesis (``HypothesisPicker``: shrinking, a fixed
seed in ``make test``) and ``make fuzz`` (``RandomPicker``: one ``random.Random(seed)`` per
world, so any failing world is replayed from its seed alone).

Times are hours before the real clock ``N`` of the run that acts. The world's marking run
happens ``mark_age`` hours earlier, at ``T0 = N - mark_age``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

from hypothesis import strategies as st

T = TypeVar("T")

#: ``gpukit:env`` values: the three names, near-misses, an unknown one, empty, absent.
ENV_VALUES: tuple[str | None, ...] = (
    "dev", "staging", "prod", "production", "Prod", "prod ", " Dev", "STAGING", "qa", "", None,
)  # fmt: skip
#: ``none``; ``valid`` (2 days left); ``expired``; ``beyond_max`` (400 days, over every
#: policy's maximum); ``no_until`` (a reason, no end); ``bad_until`` (unparsable end).
EXEMPTIONS = ("none", "valid", "expired", "beyond_max", "no_until", "bad_until")
#: What the adversary does to ``gpukit:marked`` after the marking run: ``keep`` the guard's
#: own mark (if it placed one), ``strip`` it, ``forge`` a hand-written old teardown mark,
#: ``backdate`` the guard's mark by days, or write a ``review`` mark.
MARKS = ("keep", "strip", "forge", "backdate", "review")
#: Invocations (in the series the contract names, unless ``wrong_dims``), relative to N/T0.
INVOCATIONS = ("none", "recent", "after_mark", "before_mark", "ancient", "wrong_dims")
#: ``/aws/sagemaker/Endpoints`` per variant: ``steady`` low utilisation every hour, ``absent``,
#: ``stale`` (stopped 26 h ago), ``hot`` (GPU utilisation 95 %).
INSTANCE_METRICS = ("steady", "absent", "stale", "hot")
GPU_TYPES = ("ml.g4dn.xlarge", "ml.g4dn.2xlarge", "ml.p3.2xlarge", "ml.inf1.xlarge")
CPU_TYPES = ("ml.m5.xlarge", "ml.c5.large")
COMMITMENTS = (None, "OneMonth", "SixMonths")
TERMS = ("in", "past")
#: Between planning and acting: make the resource exempt, prod, ``production``-tagged,
#: owner-less, strip or forge its mark.
MUTATIONS = (None, "exempt", "prod", "production", "owner", "unmark", "forge")
#: Faults in the acting run: errors (once: retried away; always), GetMetricData answers
#: that are paged, partial, missing series or InternalError (``tamper.py``), act-time
#: reads that fail, deletes that fail once, an audit store that cannot be written.
FAULTS = (
    "none", "metrics_once", "metrics_always", "metrics_paged", "metrics_partial",
    "metrics_dropped", "metrics_internal", "describe_always", "delete_once", "tag_always",
    "audit_always", "notify_always",
)  # fmt: skip
#: After these, usage cannot be known in the acting run.
METRICS_BROKEN = ("metrics_always", "metrics_partial", "metrics_dropped", "metrics_internal")
MARK_AGES = (30.0, 20.0, 9.0, 4.0)


class Picker(Protocol):
    def choice(self, options: Sequence[T]) -> T: ...

    def integer(self, low: int, high: int) -> int: ...

    def chance(self, percent: int) -> bool: ...


class RandomPicker:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def choice(self, options: Sequence[T]) -> T:
        return options[self.rng.randrange(len(options))]

    def integer(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def chance(self, percent: int) -> bool:
        return self.rng.randrange(100) < percent


class HypothesisPicker:
    """Draws from hypothesis; everything shrinks towards the first option and ``False``."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw

    def choice(self, options: Sequence[T]) -> T:
        return self.draw(st.sampled_from(options))

    def integer(self, low: int, high: int) -> int:
        return self.draw(st.integers(low, high))

    def chance(self, percent: int) -> bool:
        return self.draw(st.integers(0, 99)) >= 100 - percent


@dataclass(frozen=True)
class VariantSpec:
    name: str
    instance_type: str
    invocations: str
    instance_metrics: str
    autoscaling: bool

    @property
    def gpu(self) -> bool:
        return self.instance_type.startswith(("ml.g", "ml.p", "ml.inf"))


@dataclass(frozen=True)
class ResourceSpec:
    name: str
    kind: str  # "ptu" | "endpoint"
    env: str | None
    owner: bool
    exemption: str
    mark: str
    created_hours_ago: float
    mutation: str | None
    failed: bool = False
    # PTU only
    commitment: str | None = None
    term: str = "past"
    approved: bool = True
    model_units: int = 1
    invocations: str = "none"
    expires_at_passed: bool | None = None
    # endpoint only
    variants: tuple[VariantSpec, ...] = ()


@dataclass(frozen=True)
class WorldSpec:
    """Several small fleets judged by the same guard runs (see ``fleets``)."""

    seed: int
    resources: tuple[ResourceSpec, ...]
    fleets: int
    mark_age: float
    fault: str
    mutate_at: str  # "evaluating" (after discovery) | "acting" (before the first action)
    dynamo_audit: bool
    concurrent: bool
    follow_up: bool
    #: Notices go to an SNS topic (always with ``notify_always``, whose Publish fails).
    topic: bool = False


#: What can be wrong with a resource; each fleet member is a deletable base with 0..3 of
#: these applied, so most resources miss the contract by exactly one or two conditions.
PERTURBATIONS = (
    "env", "owner", "exemption", "mark", "young", "failed", "commitment", "units",
    "expires", "invocations", "instance_metrics", "variants", "cpu_only", "mutation",
)  # fmt: skip


def _variant(pick: Picker, index: int, gpu: bool, odd: bool) -> VariantSpec:
    return VariantSpec(
        name=f"v{index}",
        instance_type=pick.choice(GPU_TYPES if gpu else CPU_TYPES),
        invocations=pick.choice(INVOCATIONS) if odd else pick.choice(("none", "ancient")),
        instance_metrics=pick.choice(INSTANCE_METRICS) if odd else "steady",
        autoscaling=pick.chance(30),
    )


def _odd_variant(pick: Picker, variants: list[VariantSpec], field: str) -> None:
    i = pick.integer(0, len(variants) - 1)
    options = INVOCATIONS if field == "invocations" else INSTANCE_METRICS
    variants[i] = replace(variants[i], **{field: pick.choice(options[1:])})


def resource(pick: Picker, name: str) -> ResourceSpec:
    """A resource the contract would let the guard delete, then 0..3 perturbations."""
    kind = pick.choice(("endpoint", "ptu"))
    odd = {pick.choice(PERTURBATIONS) for _ in range(pick.integer(0, 3))}
    variants: list[VariantSpec] = []
    if kind == "endpoint":
        variants = [_variant(pick, 0, gpu=True, odd=False)]
        if "variants" in odd:
            variants += [
                _variant(pick, i, gpu=pick.chance(50), odd=pick.chance(50))
                for i in range(1, pick.integer(1, 2) + 1)
            ]
        if "cpu_only" in odd:
            variants = [_variant(pick, 0, gpu=False, odd=False)]
        for field in ("invocations", "instance_metrics"):
            if field in odd:
                _odd_variant(pick, variants, field)
    commitment = pick.choice(COMMITMENTS[1:]) if "commitment" in odd and kind == "ptu" else None
    return ResourceSpec(
        name=name,
        kind=kind,
        env=pick.choice(ENV_VALUES) if "env" in odd else pick.choice(("dev", "staging")),
        owner="owner" not in odd,
        exemption=pick.choice(EXEMPTIONS[1:]) if "exemption" in odd else "none",
        mark=pick.choice(MARKS[1:]) if "mark" in odd else "keep",
        created_hours_ago=2.0 if "young" in odd else 24.0 * 60,
        mutation=pick.choice(MUTATIONS[1:]) if "mutation" in odd else None,
        failed="failed" in odd,
        commitment=commitment,
        term=pick.choice(TERMS),
        approved=not (commitment and pick.chance(40)),
        model_units=pick.integer(2, 3) if "units" in odd else 1,
        invocations=pick.choice(INVOCATIONS[1:]) if "invocations" in odd else "none",
        expires_at_passed=pick.choice((None, True)) if "expires" in odd else False,
        variants=tuple(variants),
    )


def world(pick: Picker, seed: int, fleets: int = 1, max_resources: int = 4) -> WorldSpec:
    """``fleets`` independent fleets of 1..``max_resources`` resources in one world."""
    resources = [
        resource(pick, f"s{seed}-f{f}-r{r}")
        for f in range(fleets)
        for r in range(pick.integer(1, max_resources))
    ]
    return WorldSpec(
        seed=seed,
        resources=tuple(resources),
        fleets=fleets,
        mark_age=pick.choice(MARK_AGES),
        fault=pick.choice(FAULTS[1:]) if pick.chance(30) else "none",
        mutate_at=pick.choice(("evaluating", "acting")),
        dynamo_audit=pick.chance(20),
        concurrent=pick.chance(15),
        follow_up=pick.chance(20),
        topic=pick.chance(30),
    )
