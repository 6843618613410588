"""``gpukit advise``: what each PTU and GPU endpoint should be instead, from measured use."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from gpukit.cli.common import (
    EXIT_FINDINGS,
    check_env,
    fail_input,
    parse_now,
    policy_overrides,
)
from gpukit.cli.guard.commands import (
    ENDPOINT,
    ENV,
    FORMAT,
    NOW,
    POLICY,
    PRICES,
    REGION,
    Prices,
    default_regions,
)
from gpukit.cli.options import Format, number_option
from gpukit.cli.render import WIDE
from gpukit.guard.advise import run_advice
from gpukit.guard.clients import ClientFactory
from gpukit.guard.pricing import load_prices
from gpukit.policies.advice import AdviceOptions
from gpukit.policies.advice.model import AdviceReport
from gpukit.policies.environment import load_policies
from gpukit.policies.pricing import load_bundled

FLAGS = {
    "latency_budget_seconds": "--latency-budget-seconds",
    "tokens_per_second_per_unit": "--tokens-per-second",
    "model_params": "--model-params",
    "bandwidth_gb_per_s": "--bandwidth-gb-per-s",
    "serverless_usd_per_gb_second": "--serverless-usd-per-gb-second",
}


def advise(
    region: list[str] = REGION,
    endpoint_url: str = ENDPOINT,
    env: str = ENV,
    policy: list[Path] = POLICY,
    fmt: Format = FORMAT,
    now: str = NOW,
    prices: Prices = PRICES,
    latency_budget_seconds: float | None = number_option(
        "--latency-budget-seconds",
        "SECONDS",
        "Longest a request may wait for a cold start; scale to zero over it is set aside.",
    ),
    tokens_per_second: float | None = number_option(
        "--tokens-per-second",
        "TOKENS",
        "Tokens/s one model unit serves (ask your account team; the bundled book has "
        "none, so without it fewer model units is not worked out).",
    ),
    model_params: float | None = number_option(
        "--model-params",
        "N",
        "Model parameters (e.g. 8B) for cold starts and fits. Default: the measured peak "
        "GPU memory in use.",
    ),
    bandwidth_gb_per_s: float | None = number_option(
        "--bandwidth-gb-per-s", "GB/S", "Rate weights load at on a cold start (default 1.25)."
    ),
    serverless_usd_per_gb_second: float | None = number_option(
        "--serverless-usd-per-gb-second",
        "USD",
        "SageMaker Serverless Inference price; without it that option's price is unknown.",
    ),
) -> None:
    """Right-size from measured use: for each PTU (fewer model units, pay per token, a
    commitment) and GPU endpoint (scale to zero, Serverless Inference, asynchronous
    inference, fewer or smaller instances), the $/month now and proposed, the saving, what
    it assumes and how sure it is. Reads the policy's advice window (default 14 days) of
    CloudWatch history. Changes nothing. See docs/advise.md. Exit codes: 0 advice printed,
    1 part of the fleet could not be read, 2 bad input.

    Example: gpukit advise --region us-east-1 --latency-budget-seconds 30 --format json
    """
    check_env(env)
    values = {
        "latency_budget_seconds": latency_budget_seconds,
        "tokens_per_second_per_unit": tokens_per_second,
        "model_params": model_params,
        "bandwidth_gb_per_s": bandwidth_gb_per_s,
        "serverless_usd_per_gb_second": serverless_usd_per_gb_second,
    }
    try:
        options = AdviceOptions.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        fail_input([f"{FLAGS[str(e['loc'][0])]}: {e['msg']}" for e in exc.errors()])
    moment: datetime = parse_now(now)
    regions = default_regions(region)
    factory = ClientFactory(endpoint_url)
    live = prices == "live" or (prices == "auto" and endpoint_url is None)
    book = load_prices(factory, regions[0]) if live else load_bundled()
    policies = load_policies(policy_overrides(policy or []))
    report = run_advice(factory, regions, policies, book, options, moment, env)
    if fmt == "json":
        print(json.dumps(advice_document(report), indent=2))
    else:
        print_advice(report, Console())
    for line in report.errors:
        print(f"scan incomplete: {line}", file=sys.stderr)
    if report.errors:
        raise typer.Exit(EXIT_FINDINGS)


def advice_document(report: AdviceReport) -> dict[str, Any]:
    """The JSON document: the report, each ``not_worked_out`` entry naming its flag."""
    document = report.model_dump(mode="json")
    for resource in document["resources"]:
        for missing in resource["not_worked_out"]:
            missing["flag"] = FLAGS[missing["needs"]]
    return document


def not_worked_out_lines(report: AdviceReport) -> list[str]:
    return [
        f"not worked out: {m.kind} for {a.name}: {m.reason}; give it with {FLAGS[m.needs]}"
        for a in report.resources
        for m in a.not_worked_out
    ]


def _usd(value: float | None) -> str:
    return "unknown" if value is None else f"{value:,.2f}"


def print_advice(report: AdviceReport, out: Console) -> None:
    wide = out if out.is_terminal else Console(file=out.file, width=max(out.width, WIDE))
    table = Table(title=f"gpukit advise: {len(report.resources)} resources", expand=False)
    for col in ("resource", "option", "$/mo now", "$/mo then", "saving", "confidence", "what"):
        table.add_column(col, overflow="fold")
    aside = Table(title="set aside", expand=False)
    for col in ("resource", "option", "$/mo then", "why not"):
        aside.add_column(col, overflow="fold")
    for a in report.resources:
        for r in a.recommendations:
            sure = f"{r.confidence}{' (estimate)' if r.estimate else ''}: {r.confidence_detail}"
            table.add_row(
                a.name,
                r.kind,
                _usd(r.current_usd_per_month),
                _usd(r.proposed_usd_per_month),
                _usd(r.saving_usd_per_month),
                sure,
                f"{r.summary}. Assumes {r.assumption}.",
            )
        if not a.recommendations:
            table.add_row(a.name, "keep", _usd(a.current_usd_per_month), "", "", "", a.verdict)
        for r in a.considered:
            aside.add_row(a.name, r.kind, _usd(r.proposed_usd_per_month), r.why_not or "")
    wide.print(table)
    if aside.row_count:
        wide.print(aside)
    for line in not_worked_out_lines(report):
        wide.print(line, markup=False, highlight=False)
    wide.print(
        f"best saving per resource, summed: [bold]${report.monthly_saving_usd:,.2f}/month[/];"
        f" {report.window_days:g} days of history; {report.prices}"
    )
