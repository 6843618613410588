"""``gpukit policy``: validate and show environment policy documents."""

from __future__ import annotations

from pathlib import Path

import typer
import yaml
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gpukit.cli.common import EXIT_INPUT, fail_input
from gpukit.policies.environment import ENVIRONMENTS_DIR, load_policy, policy_path_for_env
from gpukit.policies.errors import InputError
from gpukit.policies.rules import all_rules

app = typer.Typer(
    help="Validate and show the per-environment policy documents.", no_args_is_help=True
)


@app.command()
def validate(
    paths: list[Path] = typer.Argument(
        None, help="Policy YAML files. Default: the bundled dev, staging and prod documents."
    ),
) -> None:
    """Check policy documents; print ``file:line: field: problem`` per error, exit 2 if any."""
    targets = paths or sorted(ENVIRONMENTS_DIR.glob("*.yaml"))
    problems: list[str] = []
    for path in targets:
        try:
            policy = load_policy(path)
            print(f"{path}: ok ({policy.environment})")
        except InputError as exc:
            problems.extend(exc.messages)
    if problems:
        fail_input(problems)


@app.command()
def show(
    env: str = typer.Option(..., "--env", help="dev, staging or prod."),
    fmt: str = typer.Option("table", "--format", help="table or yaml."),
) -> None:
    """Print the thresholds in force for one environment, and the rules that use them."""
    try:
        policy = load_policy(policy_path_for_env(env))
    except InputError as exc:
        fail_input(exc.messages)
    if fmt == "yaml":
        print(yaml.safe_dump(policy.model_dump(mode="json"), sort_keys=False), end="")
        return
    if fmt != "table":
        fail_input(f"--format: {fmt!r} is not one of table, yaml")
    console = Console()
    table = Table(title=f"policy: {env}")
    table.add_column("setting")
    table.add_column("value", overflow="fold")
    for key, value in policy.model_dump(mode="json").items():
        if key == "idle":
            for kind, idle in value.items():
                table.add_row(
                    escape(f"idle[{kind}]"),
                    f"window {idle['window_hours']}h, grace {idle['grace_hours']}h",
                )
        else:
            table.add_row(key, ", ".join(value) if isinstance(value, list) else str(value))
    console.print(table)
    rules = Table(title="rules")
    rules.add_column("id")
    rules.add_column("name")
    rules.add_column("checks that")
    for r in all_rules():
        rules.add_row(r.id, r.name, r.summary)
    console.print(rules)


__all__ = ["EXIT_INPUT", "app"]
