"""Read a stack's Pulumi config into a pydantic model; fail with one line naming the key.

Stacks call :func:`load_config`; a bad value stops ``pulumi preview``/``up`` with
``pulumi.RunError`` (printed without a traceback), e.g.::

    gpukit-inference:endpoints[0].variants[0].instance_type: unknown GPU instance type ...
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TypeVar

import pulumi
from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo

from gpukit.policies import tags as T
from gpukit.policies.environment import EnvironmentPolicy, load_policy_for_env

#: Where a problem is in the config (``("throughputs", 0, "commitment")``), and what it is.
Problem = tuple[tuple[int | str, ...], str]


class StackConfigError(pulumi.RunError):
    """A config value is missing or invalid. ``str()`` is one line starting with the key."""


class ConfigModel(BaseModel):
    """Base for stack config models: unknown keys are errors, keys are hyphenated."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=lambda name: name.replace("_", "-"),
        populate_by_name=True,
    )

    def policy_problems(self, env: str) -> Iterator[Problem]:
        """What the ``env`` policy refuses in the resources this config plans, found by the
        policy engine once the config's shape is valid (see :func:`load_config`); none here."""
        return iter(())


Model = TypeVar("Model", bound=ConfigModel)


def env_policy(info: ValidationInfo) -> EnvironmentPolicy:
    """In a field validator: the policy of the environment :func:`load_config` validates for
    (``dev``, the strictest, when validated without that context)."""
    return load_policy_for_env((info.context or {}).get("env", "dev"))


#: SageMaker GPU hosting instance types a stack may name (not all have a bundled price:
#: an unpriced one is costed from the Price List API or reported as price unknown).
GPU_INSTANCE_TYPES = (
    "ml.g4dn.xlarge", "ml.g4dn.2xlarge", "ml.g4dn.12xlarge",
    "ml.g5.xlarge", "ml.g5.2xlarge", "ml.g5.4xlarge", "ml.g5.12xlarge", "ml.g5.48xlarge",
    "ml.g6.xlarge", "ml.g6.2xlarge", "ml.g6.12xlarge", "ml.g6e.xlarge",
    "ml.p4d.24xlarge", "ml.p5.48xlarge",
)  # fmt: skip


def known_gpu_instance_types() -> list[str]:
    """GPU instance types a stack may name (with or without a bundled price)."""
    from gpukit.modules.pulumi.endpoint_args import gpu_family

    return sorted(t for t in GPU_INSTANCE_TYPES if gpu_family(t) is not None)


def _location(project: str, loc: tuple[int | str, ...]) -> str:
    out = ""
    for i, raw in enumerate(loc):
        # pydantic reports defaults validated by field name: spell every key as in YAML
        part = raw if isinstance(raw, int) else str(raw).replace("_", "-")
        if isinstance(part, int):
            out += f"[{part}]"
        elif i == 0:
            out += f"{project}:{part}"
        else:
            out += f".{part}"
    return out or f"{project}:(config)"


def first_of(project: str, problems: list[Problem]) -> str:
    """The first problem as ``<project>:<key path>: <message>`` (+ how many more)."""
    loc, message = problems[0]
    more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
    return f"{_location(project, loc)}: {message}{more}"


def one_line(project: str, exc: ValidationError) -> str:
    """The first validation error as ``<project>:<key path>: <message>`` (+ how many more)."""
    problems: list[Problem] = []
    for error in exc.errors():
        loc = tuple(p for p in error["loc"] if isinstance(p, int) or not str(p)[:1].isupper())
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key"
        elif error["type"] == "missing":
            message = "required but not set (pulumi config set ...)"
        problems.append((loc, message))
    return first_of(project, problems)


def read_raw(model: type[BaseModel], config: pulumi.Config) -> dict[str, object]:
    """The model's keys from Pulumi config; objects and lists arrive JSON-encoded."""
    raw: dict[str, object] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        value = config.get(key)
        if value is None:
            continue
        raw[key] = json.loads(value) if value[:1] in "[{" else value
    return raw


def load_config(model: type[Model], project: str | None = None) -> tuple[Model, str]:
    """Validate this stack's config against ``model``; also return the environment.

    The stack name is the environment (``dev``, ``staging``, ``prod``); the model is
    validated with ``context={"env": env}`` so validators can apply that environment's
    policy, then asked for :meth:`ConfigModel.policy_problems` (the policy engine's verdict
    on what it plans, each problem naming its key, rule id and reason).
    """
    env = pulumi.get_stack()
    name = project or pulumi.get_project()
    if env not in T.ENVIRONMENTS:
        raise StackConfigError(
            f"stack {env!r}: name the stack after its environment ({', '.join(T.ENVIRONMENTS)})"
        )
    try:
        raw = read_raw(model, pulumi.Config(name))
    except json.JSONDecodeError as exc:
        raise StackConfigError(
            f"{name}: a structured config value is not valid JSON: {exc}"
        ) from None
    try:
        config = model.model_validate(raw, context={"env": env})
    except ValidationError as exc:
        raise StackConfigError(one_line(name, exc)) from None
    problems = list(config.policy_problems(env))
    if problems:
        raise StackConfigError(first_of(name, problems))
    return config, env


def default_tags(owner: str, env: str, cost_center: str) -> dict[str, str]:
    """The tags every managed resource carries, set once on the providers."""
    return {
        T.OWNER: owner,
        T.ENV: env,
        T.COST_CENTER: cost_center,
        T.MANAGED_BY: T.MANAGED_BY_VALUE,
    }
