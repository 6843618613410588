"""The guard deletes only what the safety contract allows, against adversarial fleets.

Hypothesis builds worlds (``tests/guard/adversarial/spec.py``): odd ``gpukit:env`` values,
exemptions valid, expired and too long, the guard's own marks and forged ones, committed
PTUs in and past their term, endpoints with CPU and GPU variants, Failed endpoints, busy,
idle, stale, hot and wrongly-dimensioned metrics, faults in the acting run, and tags
changed between planning and acting. Each world is played over HTTP against the emulator
with the guard in apply mode (``play.py``); a separate oracle written from the policy
documents (``oracle.py``) says what may be deleted.

The run is bounded for ``make test``: a fixed seed (printed in every failure), no example
database, no shrinking (a failure prints the whole world instead), a few dozen worlds.
``make fuzz`` plays thousands of seeded worlds with the same code.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from gpukit.emulator import Emulator
from tests.guard.adversarial.judge import Violation
from tests.guard.adversarial.play import Adversary
from tests.guard.adversarial.spec import HypothesisPicker, WorldSpec, world

SEED = int(os.environ.get("GPUKIT_ADVERSARY_SEED", "20261202"))
EXAMPLES = int(os.environ.get("GPUKIT_ADVERSARY_EXAMPLES", "30"))

pytestmark = [pytest.mark.emulator, pytest.mark.slow]


@pytest.fixture(scope="module")
def adversary(emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Adversary]:
    yield Adversary(emulator, Path(tmp_path_factory.mktemp("adversary")))
    emulator.reset()


def _explain(violations: list[Violation], spec: WorldSpec) -> str:
    named = {v.resource for v in violations}
    world = {k: v for k, v in vars(spec).items() if k != "resources"}
    return "\n".join(
        [
            f"hypothesis seed {SEED} (GPUKIT_ADVERSARY_SEED); world {world}",
            *map(str, violations),
            *(repr(r) for r in spec.resources if r.name in named),
        ]
    )


@st.composite
def worlds(draw: st.DrawFn) -> WorldSpec:
    return world(HypothesisPicker(draw), 0, fleets=2, max_resources=3)


@seed(SEED)
@settings(
    max_examples=EXAMPLES,
    database=None,
    deadline=None,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=list(HealthCheck),
)
@given(spec=worlds())
def test_every_delete_is_allowed_snapshotted_and_done_once(
    adversary: Adversary, spec: WorldSpec
) -> None:
    outcome = adversary.play(spec)
    assert not outcome.violations, _explain(outcome.violations, spec)
