"""``gpukit policy``: validate and show environment policy documents."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer
import yaml
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gpukit.cli.common import EXIT_INPUT, check_env, fail_input
from gpukit.cli.options import FORMAT, Format
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
    fmt: Format = FORMAT,
) -> None:
    """Check policy documents; print file:line: field: problem per error (on stderr, with
    --format json also in the document), exit 2 if any."""
    targets = paths or sorted(ENVIRONMENTS_DIR.glob("*.yaml"))
    problems: list[str] = []
    files: list[dict[str, object]] = []
    for path in targets:
        try:
            policy = load_policy(path)
        except InputError as exc:
            problems.extend(exc.messages)
            files.append({"path": str(path), "ok": False, "problems": exc.messages})
            continue
        files.append({"path": str(path), "ok": True, "environment": policy.environment})
        if fmt == Format.table:
            print(f"{path}: ok ({policy.environment})")
    if fmt == Format.json:
        print(json.dumps({"ok": not problems, "files": files}, indent=2))
    if problems:
        fail_input(problems)


class ShowFormat(StrEnum):
    """``policy show --format``: the YAML document itself is one more choice."""

    table = "table"
    json = "json"
    yaml = "yaml"


@app.command()
def show(
    env: str = typer.Option(..., "--env", help="dev, staging or prod."),
    fmt: ShowFormat = typer.Option(
        ShowFormat.table,
        "--format",
        "-f",
        case_sensitive=False,
        help="table, json (the thresholds and the rules) or yaml (the policy document).",
    ),
) -> None:
    """Print the thresholds in force for one environment, and the rules that use them."""
    try:
        policy = load_policy(policy_path_for_env(check_env(env) or env))
    except InputError as exc:
        fail_input(exc.messages)
    document = policy.model_dump(mode="json")
    if fmt == ShowFormat.yaml:
        print(yaml.safe_dump(document, sort_keys=False), end="")
        return
    if fmt == ShowFormat.json:
        listed = [{"id": r.id, "name": r.name, "summary": r.summary} for r in all_rules()]
        print(json.dumps({"policy": document, "rules": listed}, indent=2))
        return
    console = Console()
    table = Table(title=f"policy: {env}")
    table.add_column("setting")
    table.add_column("value", overflow="fold")
    for key, value in document.items():
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
