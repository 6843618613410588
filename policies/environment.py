"""Per-environment policy documents (``policies/environments/<env>.yaml``)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from gpukit.policies import tags as T
from gpukit.policies.errors import InputError, parse_document, read_text, validate_document
from gpukit.policies.model import Commitment, ResourceKind

ENVIRONMENTS_DIR = Path(__file__).parent / "environments"
#: Percent, summed over an instance's GPUs as SageMaker publishes it: a loaded model with no
#: traffic sits near 0; any real inference shows well above this.
DEFAULT_MAX_GPU_UTILIZATION = 5.0
#: The longest span a policy may set (5 years), in hours and days: finite, and small
#: enough that a time plus or minus it stays a valid date (docs/policies.md).
MAX_SPAN_HOURS = 8760 * 5
MAX_SPAN_DAYS = 365 * 5


class IdlePolicy(BaseModel):
    """How long a resource may go unused, and how long a mark waits before teardown."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    window_hours: float = Field(
        gt=0,
        le=MAX_SPAN_HOURS,
        allow_inf_nan=False,
        description="No usage for this long means idle.",
    )
    grace_hours: float = Field(
        ge=0, le=MAX_SPAN_HOURS, allow_inf_nan=False, description="Time between mark and teardown."
    )
    max_gpu_utilization_percent: float = Field(
        default=DEFAULT_MAX_GPU_UTILIZATION,
        ge=0,
        allow_inf_nan=False,
        description="An endpoint whose GPUUtilization (per-period maximum) goes above this"
        " in the window is in use, whatever its invocations say.",
    )


class EnvironmentPolicy(BaseModel):
    """Thresholds for one environment. Every field is documented in docs/policies.md."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    environment: str = Field(pattern=r"^(dev|staging|prod)$")
    aliases: list[str] = Field(default_factory=list)
    required_tags: list[str] = Field(min_length=1)
    require_expires_at: bool = False
    allowed_commitments: list[Commitment] = Field(default_factory=list)
    commitment_requires_approval: bool = False
    commitment_warning_days: int = Field(default=14, ge=0, le=MAX_SPAN_DAYS)
    max_model_units: int = Field(ge=1)
    idle: dict[ResourceKind, IdlePolicy]
    require_endpoint_autoscaling: bool = True
    teardown_allowed: bool = False
    teardown_untagged: bool = False
    max_teardowns_per_run: int = Field(default=0, ge=0)
    max_exemption_days: int = Field(default=30, ge=1, le=MAX_SPAN_DAYS)
    advice_window_days: float = Field(
        default=14,
        gt=0,
        le=MAX_SPAN_DAYS,
        allow_inf_nan=False,
        description="Days of CloudWatch history gpukit advise reads.",
    )

    @field_validator("aliases")
    @classmethod
    def _plain_aliases(cls, aliases: list[str]) -> list[str]:
        for alias in aliases:
            if alias != T.normalise_env(alias) or not alias:
                raise ValueError(f"alias {alias!r} must be lower case, without surrounding spaces")
            if alias in T.ENVIRONMENTS:
                raise ValueError(f"alias {alias!r} is an environment name, not an alias")
        return aliases

    def names(self, value: str) -> bool:
        """True when ``value`` (any case, spaces around it) names this environment."""
        return T.normalise_env(value) in (self.environment, *self.aliases)

    @model_validator(mode="after")
    def _consistent(self) -> EnvironmentPolicy:
        missing = [k.value for k in ResourceKind if k not in self.idle]
        if missing:
            raise ValueError(f"idle policy missing for: {', '.join(missing)}")
        unknown = [t for t in self.required_tags if not t.startswith("gpukit:")]
        if unknown:
            raise ValueError(f"required tags must be gpukit:* keys, got {unknown}")
        if self.teardown_allowed and self.max_teardowns_per_run == 0:
            raise ValueError("teardown_allowed is true but max_teardowns_per_run is 0")
        return self

    def idle_for(self, kind: ResourceKind) -> IdlePolicy:
        return self.idle[kind]


def load_policy(path: str | Path) -> EnvironmentPolicy:
    """Load and validate one policy document; raise :class:`InputError` on any problem."""
    return parse_policy(str(path), read_text(path))


def parse_policy(name: str, text: str) -> EnvironmentPolicy:
    """Validate the policy document ``text`` (``name`` is what messages call it)."""
    data, lines = parse_document(name, text)
    return validate_document(EnvironmentPolicy, name, data, lines, "a mapping of policy fields")


def named_env(value: str, policies: Mapping[str, EnvironmentPolicy]) -> str | None:
    """The environment ``value`` names (its name or an alias, any case, spaces around it
    ignored), or ``None`` when it names none."""
    return next((env for env, policy in policies.items() if policy.names(value)), None)


def strictest(policies: Mapping[str, EnvironmentPolicy]) -> str:
    """The environment whose policy does least on its own: warn-only before teardown, then
    the fewest teardowns per run, then the later of dev, staging, prod (prod by default)."""
    order = {env: n for n, env in enumerate(T.ENVIRONMENTS)}
    return min(
        policies,
        key=lambda e: (
            policies[e].teardown_allowed,
            policies[e].max_teardowns_per_run,
            -order.get(e, -1),
        ),
    )


def resolve_env(value: str | None, policies: Mapping[str, EnvironmentPolicy]) -> str | None:
    """The environment a ``gpukit:env`` value selects: the one it names, else (a present
    value that names none, such as ``qa``) the strictest; ``None`` only when absent."""
    if value is None:
        return None
    return named_env(value, policies) or strictest(policies)


def require_env(env: str, policies: Mapping[str, EnvironmentPolicy] | None = None) -> str:
    """The environment ``--env`` names (dev, staging, prod or an alias, any case); else
    :class:`InputError` naming ``--env``."""
    known = policies if policies is not None else load_policies()
    found = named_env(env, known)
    if found is None:
        names = sorted({n for e, p in known.items() for n in (e, *p.aliases)})
        raise InputError([f"--env: unknown environment {env!r}; use one of {', '.join(names)}"])
    return found


def check_aliases(policies: Mapping[str, EnvironmentPolicy]) -> None:
    """:class:`InputError` when two environments claim one alias."""
    claimed: dict[str, str] = {}
    problems = []
    for env in sorted(policies):
        for alias in policies[env].aliases:
            other = claimed.setdefault(alias, env)
            if other != env:
                problems.append(
                    f"aliases: {alias!r} is claimed by both the {other} and the {env} policy;"
                    " an alias names one environment"
                )
    if problems:
        raise InputError(problems)


def policy_path_for_env(env: str) -> Path:
    """The bundled document of the environment ``env`` names (``--env``)."""
    return ENVIRONMENTS_DIR / f"{require_env(env)}.yaml"


@cache
def load_policy_for_env(env: str) -> EnvironmentPolicy:
    """The bundled policy document for ``dev``, ``staging`` or ``prod``, read once per
    process (policies are frozen, so sharing them is safe)."""
    if env not in T.ENVIRONMENTS:
        raise InputError([f"--env: unknown environment {env!r}"])
    # Read as package data, so it also works from a zip (the Lambda package imported as is).
    document = resources.files(__package__ or "policies").joinpath("environments", f"{env}.yaml")
    return parse_policy(f"policies/environments/{env}.yaml", document.read_text("utf-8"))


def load_policies(
    overrides: Mapping[str, EnvironmentPolicy] | None = None,
) -> dict[str, EnvironmentPolicy]:
    """The bundled dev/staging/prod policies, with any replaced by ``overrides`` (by env);
    :class:`InputError` when two of them claim one alias."""
    out = {env: load_policy_for_env(env) for env in T.ENVIRONMENTS}
    out.update(overrides or {})
    check_aliases(out)
    return out
