"""What a run creates: one alias (and version) per power value and architecture, or one per
invocation when only cold starts are measured. Names are derived, so the cleaner can always
find them again."""

from __future__ import annotations

from typing import Any, TypedDict

from gpukit.modules.powertuning.inputs import TuningInput

ALIAS_PREFIX = "gpukit-pt"
MARKER = "gpukit power tuning"


class Task(TypedDict):
    power: int
    architecture: str
    aliases: list[str]


def alias_name(power: int, architecture: str, cold_index: int | None = None) -> str:
    base = f"{ALIAS_PREFIX}-{architecture}-{power}"
    return base if cold_index is None else f"{base}-c{cold_index}"


def version_marker(run_id: str) -> str:
    """Description prefix of every version one run publishes."""
    return f"{MARKER} [{run_id}]"


def plan_tasks(spec: TuningInput, current_architecture: str) -> list[Task]:
    """One task per (architecture, power value); the function's own architecture first, so the
    initializer switches architecture at most twice."""
    archs = list(spec.architectures or (current_architecture,))
    archs.sort(key=lambda a: a != current_architecture)
    tasks: list[Task] = []
    for arch in archs:
        for power in spec.power_values:
            if spec.only_cold_starts:
                aliases = [alias_name(power, arch, i) for i in range(spec.runs)]
            else:
                aliases = [alias_name(power, arch)]
            tasks.append(Task(power=power, architecture=arch, aliases=aliases))
    return tasks


def planned_aliases(tasks: list[Any]) -> list[str]:
    return [alias for task in tasks for alias in task["aliases"]]
