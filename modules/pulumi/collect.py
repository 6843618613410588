"""Plan a Pulumi stack without the CLI or an AWS account: run its real ``__main__.py``
under ``pulumi.runtime.set_mocks`` with the config of ``Pulumi.<env>.yaml`` and return
every resource it registers.

Used by the stack tests and by ``gpukit check pulumi STACK_DIR --env ENV``. Mocked outputs
are placeholders (account ``123456789012``, ARNs built from the logical name); inputs are
exactly what the program passed, with the engine's camelCase property names.
"""

from __future__ import annotations

import contextvars
import json
import runpy
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import import_module
from inspect import signature
from pathlib import Path
from typing import Any

import yaml

from gpukit.policies.pulumi.translate import default_tags_of, tag_map

FAKE_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"


class CollectError(Exception):
    """The stack directory or its config file cannot be read. ``str()`` is one line."""


@dataclass(frozen=True)
class PlannedResource:
    """One resource registration, as the engine would receive it.

    Attributes
    ----------
    type:
        Type token, e.g. ``aws:bedrock/provisionedModelThroughput:ProvisionedModelThroughput``.
    name:
        Logical name given to the constructor.
    urn:
        Mock URN (unique within one plan).
    inputs:
        Resource inputs with camelCase keys (``modelUnits``, ``commitmentDuration``, ``tags``).
    parent:
        URN of the parent resource (the stack itself for top-level resources).
    provider:
        URN of the explicit provider, or ``None``.
    custom:
        ``False`` for ComponentResources, ``True`` for cloud resources and providers.
    default_tags:
        The provider's ``defaultTags.tags`` that AWS adds to this resource (empty if none).
    outputs:
        The mocked outputs (inputs plus placeholder ``arn``/``name``/``id``-like fields).
    protect:
        Whether the program protects the resource from deletion.
    """

    type: str
    name: str
    urn: str
    inputs: Mapping[str, Any]
    parent: str | None
    provider: str | None
    custom: bool
    default_tags: Mapping[str, str] = field(default_factory=dict)
    outputs: Mapping[str, Any] = field(default_factory=dict)
    protect: bool = False

    @property
    def is_provider(self) -> bool:
        return self.type.startswith("pulumi:providers:")

    @property
    def own_tags(self) -> dict[str, str]:
        """The resource's ``tags`` input as a dict (pulumi-aws maps and aws-native lists)."""
        return tag_map(self.inputs.get("tags"))

    @property
    def tags(self) -> dict[str, str]:
        """Tags AWS would put on the resource: provider default tags, then its own."""
        return {**self.default_tags, **self.own_tags}


def is_taggable(type_token: str) -> bool:
    """Whether the pulumi-aws (or aws-native) resource class for a token has a ``tags`` input."""
    package, _, rest = type_token.partition(":")
    module_path, _, class_name = rest.partition(":")
    python_package = {"aws": "pulumi_aws", "aws-native": "pulumi_aws_native"}.get(package)
    if python_package is None or not class_name:
        return False
    module = module_path.split("/")[0]
    try:
        cls = getattr(import_module(f"{python_package}.{module}"), class_name)
    except (ImportError, AttributeError):
        return False
    return "tags" in signature(cls._internal_init).parameters


def read_stack_config(stack_dir: Path, env: str) -> tuple[str, dict[str, str]]:
    """Project name from ``Pulumi.yaml`` and the config of ``Pulumi.<env>.yaml``, as
    the engine hands it to a program (structured values JSON-encoded)."""
    project_file = stack_dir / "Pulumi.yaml"
    config_file = stack_dir / f"Pulumi.{env}.yaml"
    for path in (project_file, config_file):
        if not path.is_file():
            raise CollectError(f"{path}: not found (is {stack_dir} a Pulumi stack directory?)")
    try:
        project = yaml.safe_load(project_file.read_text(encoding="utf-8")) or {}
        settings = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise CollectError(f"{stack_dir}: invalid YAML: {exc}") from None
    name = project.get("name") if isinstance(project, dict) else None
    if not isinstance(name, str) or not name:
        raise CollectError(f"{project_file}: 'name' is missing")
    raw = settings.get("config", {}) if isinstance(settings, dict) else {}
    if not isinstance(raw, dict):
        raise CollectError(f"{config_file}: 'config' must be a mapping")
    config: dict[str, str] = {}
    for key, value in raw.items():
        full = key if ":" in key else f"{name}:{key}"
        if isinstance(value, dict) and "secure" in value:
            config[full] = "placeholder-secret"
        else:
            config[full] = value if isinstance(value, str) else json.dumps(value)
    return name, config


def collect(stack_dir: Path, env: str) -> list[PlannedResource]:
    """Run ``stack_dir/__main__.py`` for stack ``env`` under mocks; return what it registers.

    Parameters
    ----------
    stack_dir:
        Directory holding ``Pulumi.yaml``, ``Pulumi.<env>.yaml`` and ``__main__.py``.
    env:
        Stack name (``dev``, ``staging``, ``prod``): selects ``Pulumi.<env>.yaml``.

    Returns
    -------
    list[PlannedResource]
        Every registered resource, providers and components included, in registration
        order. The root ``pulumi:pulumi:Stack`` is not listed.

    Raises
    ------
    CollectError
        The directory, ``Pulumi.yaml`` or ``Pulumi.<env>.yaml`` is missing or unreadable.
    Exception
        Whatever the program raises (for gpukit stacks, ``pulumi.RunError`` with one line
        naming the bad config key), unchanged.
    """
    stack_dir = Path(stack_dir).resolve()
    program = stack_dir / "__main__.py"
    if not program.is_file():
        raise CollectError(f"{program}: not found")
    project, config = read_stack_config(stack_dir, env)
    region = config.get("aws:region", DEFAULT_REGION)
    # pulumi keeps its runtime state in context variables: a fresh context isolates runs.
    return contextvars.Context().run(_run, program, project, env, config, region)


def _run(
    program: Path, project: str, env: str, config: dict[str, str], region: str
) -> list[PlannedResource]:
    from gpukit.modules.pulumi._mocks import PlanMocks, RecordingMonitor, run_program

    mocks = PlanMocks(region, FAKE_ACCOUNT)
    monitor = RecordingMonitor(mocks)
    stack_dir = str(program.parent)
    before = set(sys.modules)
    sys.path.insert(0, stack_dir)
    try:
        run_program(
            lambda: runpy.run_path(str(program), run_name="__main__"),
            monitor,
            project,
            env,
            config,
        )
    finally:
        sys.path.remove(stack_dir)
        for name in set(sys.modules) - before:
            if str(getattr(sys.modules[name], "__file__", "") or "").startswith(stack_dir):
                del sys.modules[name]
    return _finish(monitor.registrations)


def _finish(registrations: list[dict[str, Any]]) -> list[PlannedResource]:
    by_urn = {r["urn"]: r for r in registrations}
    out = []
    for r in registrations:
        provider_urn = _provider_urn(r["provider"])
        provider = by_urn.get(provider_urn) if provider_urn else None
        default_tags = default_tags_of(provider["inputs"]) if provider else {}
        out.append(
            PlannedResource(
                type=r["type"],
                name=r["name"],
                urn=r["urn"],
                inputs=r["inputs"],
                parent=r["parent"] or None,
                provider=provider_urn,
                custom=r["custom"],
                default_tags=default_tags,
                outputs=r["outputs"],
                protect=r["protect"],
            )
        )
    return out


def _provider_urn(reference: str) -> str | None:
    """A provider reference is ``<urn>::<id>``; URNs themselves contain ``::``."""
    if not reference:
        return None
    return reference.rsplit("::", 1)[0]
