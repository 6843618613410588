"""The cdktf app: one stack per environment, each composing the HCL modules.

cdktf is archived upstream (December 2025); this app stays thin on purpose: it only passes
variables to ``modules/terraform/*`` through ``TerraformHclModule`` and needs no generated
provider bindings, so the HCL modules remain the product and can be used without it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cdktf import App, LocalBackend, TerraformHclModule, TerraformOutput, TerraformStack
from constructs import Construct

from stacks.terraform.environments import ENVIRONMENTS, Environment

REPO = Path(__file__).resolve().parents[2]
MODULES = REPO / "modules" / "terraform"
DEFAULT_GUARD_PACKAGE = REPO / "build" / "guard.zip"
AWS_PROVIDER = {"source": "hashicorp/aws", "version": ">= 5.40, < 7.0"}


def stack_name(env: str) -> str:
    return f"gpukit-{env}"


class EnvironmentStack(TerraformStack):
    """Everything one environment runs: its throughputs, endpoints and the guard."""

    def __init__(
        self, scope: Construct, env: Environment, stack_dir: Path, guard_package: Path
    ) -> None:
        super().__init__(scope, stack_name(env.name))
        self.stack_dir = stack_dir
        LocalBackend(self, path=f"terraform.{stack_name(env.name)}.tfstate")
        self.add_override("terraform.required_providers", {"aws": AWS_PROVIDER})
        self.add_override("provider", {"aws": [{"region": env.region}]})
        common = {"owner": env.owner, "environment": env.name, "cost_center": env.cost_center}
        for ptu in env.throughputs:
            variables: dict[str, Any] = {
                "name": ptu.name,
                "model_arn": ptu.model_arn,
                "model_units": ptu.model_units,
                "tags": ptu.extra_tags,
                **common,
            }
            if ptu.commitment_duration:
                variables["commitment_duration"] = ptu.commitment_duration
            module = self.module(f"ptu-{ptu.name}", "bedrock-throughput", variables)
            TerraformOutput(self, f"ptu-{ptu.name}-arn", value=module.get_string("arn"))
        for ep in env.endpoints:
            module = self.module(
                f"endpoint-{ep.name}",
                "gpu-endpoint",
                {
                    "name": ep.name,
                    "image_uri": ep.image_uri,
                    "execution_role_arn": ep.execution_role_arn,
                    "container_environment": ep.container_environment,
                    "instance_type": ep.instance_type,
                    "min_capacity": ep.min_capacity,
                    "max_capacity": ep.max_capacity,
                    "tags": ep.extra_tags,
                    **common,
                },
            )
            TerraformOutput(
                self, f"endpoint-{ep.name}-name", value=module.get_string("endpoint_name")
            )
        self.module(
            "guard",
            "guard-service",
            {
                "name": f"gpukit-{env.name}",
                "package_file": self.relative(guard_package),
                "schedule_rate": env.guard_rate,
                "apply": env.guard_apply,
                "regions": [env.region],
                **common,
            },
        )

    def relative(self, path: Path) -> str:
        """``path`` as Terraform will resolve it from the synthesized stack directory."""
        return os.path.relpath(path, self.stack_dir)

    def module(self, name: str, source: str, variables: dict[str, Any]) -> TerraformHclModule:
        return TerraformHclModule(
            self,
            name,
            source=self.relative(MODULES / source),
            variables=variables,
            skip_asset_creation_from_local_modules=True,
        )


def build_app(outdir: str | Path, guard_package: Path = DEFAULT_GUARD_PACKAGE) -> App:
    """An app with one stack per environment, synthesizing into ``outdir/stacks/<stack>``.
    Module sources and the guard package are written relative to each stack directory."""
    out = Path(outdir).resolve()
    app = App(outdir=str(out))
    for env in ENVIRONMENTS.values():
        EnvironmentStack(app, env, out / "stacks" / stack_name(env.name), guard_package)
    return app
