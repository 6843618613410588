"""``gpukit tune``: run the Lambda power-tuning state machine and read its result."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import typer
from rich.console import Console

from gpukit.cli.common import (
    EXIT_FINDINGS,
    check_endpoint_url,
    check_regions,
    fail_input,
    read_file_option,
)
from gpukit.cli.options import FORMAT, Format, at_least
from gpukit.cli.tune.prices import tuning_prices
from gpukit.cli.tune.render import print_table, summary
from gpukit.extras import require
from gpukit.guard.awsutil import AwsError
from gpukit.modules.powertuning.inputs import TuningInputError, parse_input, region_of
from gpukit.modules.powertuning.report import ResultError, load_result
from gpukit.policies.errors import MAX_DEPTH, json_depth

STATE_MACHINE_ENV = "GPUKIT_POWERTUNER_ARN"
DONE = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")

app = typer.Typer(
    help=(
        "Right-size a Lambda function's memory by measurement: run the power-tuning state "
        "machine (deployed by the gpukit stacks) and chart cost and speed per memory size."
    ),
    no_args_is_help=True,
)


def _csv_ints(option: str, value: str | None) -> list[int] | None:
    if not value:
        return None
    try:
        return [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        fail_input(f"{option}: {value!r} is not a comma-separated list of MB, e.g. 128,256,512")


def _payload(value: str | None) -> Any:
    if value is None:
        return None
    source = "--payload"
    text = value
    if value.startswith("@"):
        path = Path(value[1:])
        source = f"--payload {path}"
        text = read_file_option("--payload", path)
    too_deep = f"{source}: nested deeper than {MAX_DEPTH} levels"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        fail_input(f"{source}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})")
    except RecursionError:
        fail_input(too_deep)
    if json_depth(data) > MAX_DEPTH:
        fail_input(too_deep)
    return data


def follow(
    client: Any,
    execution_arn: str,
    on_progress: Callable[[str, int, int], None],
    poll_seconds: float = 2.0,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Poll the execution until it ends; report (status, measured, failed) as it goes."""
    while True:
        described: dict[str, Any] = client.describe_execution(executionArn=execution_arn)
        measured = failed = 0
        pages = client.get_paginator("get_execution_history").paginate(executionArn=execution_arn)
        for page in pages:
            for event in page["events"]:
                measured += event["type"] == "MapIterationSucceeded"
                failed += event["type"] == "MapIterationFailed"
        on_progress(described["status"], measured, failed)
        if described["status"] in DONE:
            return described
        sleep(poll_seconds)


def _client(service: str, region: str, endpoint_url: str | None) -> Any:
    return boto3.client(service, region_name=region, endpoint_url=endpoint_url)  # type: ignore[call-overload]


def _progress_line(status: str, measured: int, failed: int, tasks: int) -> str:
    return f"{status.lower()}: {measured + failed}/{tasks} power values measured"


def _progress_printer(console: Console, tasks: int) -> Callable[[str, int, int], None]:
    """Print a progress line whenever it changes."""
    last: list[str] = [""]

    def show(status: str, measured: int, failed: int) -> None:
        line = _progress_line(status, measured, failed, tasks)
        if line != last[0]:
            last[0] = line
            console.print(line)

    return show


@app.command()
def run(
    function: str = typer.Option(
        ..., "--function", help="Unqualified ARN of the function to tune."
    ),
    state_machine: str = typer.Option(
        None, "--state-machine", help=f"ARN of the deployed tuner (default: ${STATE_MACHINE_ENV})."
    ),
    power: str = typer.Option(
        None, "--power", help="Memory sizes in MB, e.g. 128,256,512,1024 (default 128..3008)."
    ),
    num: int = typer.Option(
        10, "--num", metavar="N", callback=at_least(1), help="Invocations per memory size."
    ),
    payload: str = typer.Option(
        None,
        "--payload",
        help='Request body as JSON, or @file.json. A list of {"payload": ..., "weight": n}'
        " mixes payloads.",
    ),
    strategy: str = typer.Option("cost", "--strategy", help="cost, speed or balanced."),
    weight: float = typer.Option(
        0.5, "--weight", metavar="0..1", help="Balanced only: 1 = all cost, 0 = all speed."
    ),
    arch: str = typer.Option(
        None, "--arch", help="Compare architectures in one run, e.g. x86_64,arm64."
    ),
    auto_optimize: bool = typer.Option(
        False, "--auto-optimize", help="Set the recommended memory on the function when done."
    ),
    alias: str = typer.Option(
        None,
        "--alias",
        help="With --auto-optimize: point this alias at a version with the recommendation.",
    ),
    parallel: bool = typer.Option(
        False, "--parallel", help="Invoke the N runs of a memory size at once."
    ),
    only_cold_starts: bool = typer.Option(
        False, "--only-cold-starts", help="Measure cold starts only (a fresh version per run)."
    ),
    sleep_ms: int = typer.Option(
        0, "--sleep-ms", metavar="MS", callback=at_least(0), help="Pause between serial runs."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="One invocation per memory size; checks permissions."
    ),
    stop_on_failure: bool = typer.Option(
        False,
        "--stop-on-failure",
        help="Fail the run if a memory size fails (default: report and skip it).",
    ),
    endpoint_url: str = typer.Option(
        None, "--endpoint-url", help="Step Functions endpoint (a local emulator)."
    ),
    region: str = typer.Option(
        None, "--region", help="Region of the state machine (default: from its ARN)."
    ),
    out: Path = typer.Option(
        Path("powertuning-result.json"), "--out", help="Where to write the result JSON."
    ),
    wait: bool = typer.Option(
        True,
        "--wait/--no-wait",
        help="Follow the execution to its end (default) or return once started.",
    ),
    live_prices: bool = typer.Option(
        False,
        "--live-prices",
        help="Price the run from the AWS Price List API (needed for regions the bundled "
        "price file does not list).",
    ),
    payload_s3: str = typer.Option(
        None, "--payload-s3", help="Read the payload from s3://bucket/key (wins over --payload)."
    ),
    pre_processor: str = typer.Option(
        None,
        "--pre-processor",
        help="Function ARN invoked before every run; its output is the body.",
    ),
    post_processor: str = typer.Option(
        None, "--post-processor", help="Function ARN invoked after every run with its response."
    ),
    allowed_exception: list[str] = typer.Option(
        [],
        "--allowed-exception",
        help="An errorType that does not count as a failure; repeatable.",
    ),
    include_output_results: bool = typer.Option(
        False,
        "--include-output-results",
        help="Add per-size averages as 'stats' to the output.",
    ),
    disable_payload_logs: bool = typer.Option(
        False,
        "--disable-payload-logs",
        help="Keep payloads out of error messages and results.",
    ),
    fmt: Format = typer.Option(
        Format.table,
        "--format",
        "-f",
        case_sensitive=False,
        help="table, or json: the result summary (with --no-wait, the execution ARN) as one"
        " JSON document on stdout; progress stays on stderr.",
    ),
) -> None:
    """Start a tuning execution and follow it, e.g. gpukit tune run --function
    arn:aws:lambda:us-east-1:123456789012:function:resize --power 256,512,1024
    --arch x86_64,arm64"""
    machine = state_machine or os.environ.get(STATE_MACHINE_ENV)
    if not machine:
        fail_input(
            f"--state-machine: required (or set {STATE_MACHINE_ENV}); see docs/powertuning.md"
        )
    machine_parts = machine.split(":")
    if (
        len(machine_parts) != 7
        or machine_parts[2] != "states"
        or machine_parts[5] != "stateMachine"
    ):
        fail_input(f"--state-machine: {machine!r} is not a state machine ARN")
    check_endpoint_url(endpoint_url)
    check_regions([region] if region is not None else [])
    raw: dict[str, Any] = {
        "lambdaARN": function,
        "powerValues": _csv_ints("--power", power),
        "num": num,
        "payload": _payload(payload),
        "strategy": strategy,
        "balancedWeight": weight,
        "architectures": [a.strip() for a in arch.split(",")] if arch else None,
        "optimizeArchitecture": bool(arch and auto_optimize),
        "autoOptimize": auto_optimize,
        "autoOptimizeAlias": alias,
        "parallelInvocation": parallel,
        "onlyColdStarts": only_cold_starts,
        "sleepBetweenRunsMs": sleep_ms,
        "dryRun": dry_run,
        "skipFailures": not stop_on_failure,
        "payloadS3": payload_s3,
        "preProcessorARN": pre_processor,
        "postProcessorARN": post_processor,
        "allowedExceptions": allowed_exception or None,
        "includeOutputResults": include_output_results,
        "disablePayloadLogs": disable_payload_logs,
    }
    if alias and not auto_optimize:
        fail_input("--alias: only with --auto-optimize")
    function_region = region_of(function) if function.count(":") >= 6 else "us-east-1"
    raw["prices"], note = tuning_prices(function_region, live_prices)
    try:
        spec = parse_input(raw, env={})
    except TuningInputError as exc:
        fail_input(_as_option(str(exc)))
    console = Console(stderr=True)
    if note:
        console.print(note)
    console.print(raw["prices"]["source"])
    sfn = _client("stepfunctions", region or machine_parts[3], endpoint_url)
    name = f"gpukit-tune-{datetime.now(UTC):%Y%m%dT%H%M%S}-{os.getpid()}"
    try:
        started = sfn.start_execution(
            stateMachineArn=machine, name=name, input=json.dumps(spec.to_json())
        )
    except AwsError as exc:
        fail_input(f"--state-machine: cannot start an execution: {exc}")
    execution = started["executionArn"]
    console.print(f"started {execution}")
    if not wait:
        print(json.dumps({"executionArn": execution}) if fmt == Format.json else execution)
        return
    tasks = len(spec.power_values) * len(spec.architectures or ("current",))
    show = _progress_printer(console, tasks)
    try:
        if console.is_terminal:
            with console.status("tuning...") as status:
                final = follow(
                    sfn,
                    execution,
                    lambda s, m, f: status.update(_progress_line(s, m, f, tasks)),
                )
        else:
            final = follow(sfn, execution, show)
    except AwsError as exc:
        print(f"{execution}: lost track of the execution: {exc}", file=sys.stderr)
        raise typer.Exit(EXIT_FINDINGS) from exc
    if final["status"] != "SUCCEEDED":
        print(
            f"{execution}: {final['status']}: {final.get('error', '')}: {final.get('cause', '')}",
            file=sys.stderr,
        )
        raise typer.Exit(EXIT_FINDINGS)
    result = json.loads(final.get("output") or "{}")
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    console.print(f"result written to {out}")
    if fmt == Format.json:
        print(json.dumps({"executionArn": execution, **summary(result)}, indent=2))
    else:
        print_table(result, Console())
    if not result.get("recommendation"):
        raise typer.Exit(EXIT_FINDINGS)


_OPTIONS = {
    "lambdaARN": "--function",
    "powerValues": "--power",
    "num": "--num",
    "payload": "--payload",
    "strategy": "--strategy",
    "balancedWeight": "--weight",
    "architectures": "--arch",
    "autoOptimizeAlias": "--alias",
    "sleepBetweenRunsMs": "--sleep-ms",
    "payloadS3": "--payload-s3",
    "preProcessorARN": "--pre-processor",
    "postProcessorARN": "--post-processor",
    "allowedExceptions": "--allowed-exception",
}


def _as_option(message: str) -> str:
    """Name the CLI option rather than the input field the state machine knows."""
    field, _, reason = message.partition(": ")
    root = field.split("[")[0].split(".")[0]
    return f"{_OPTIONS[root]}: {reason}" if root in _OPTIONS else message


@app.command()
def report(
    result_path: Path = typer.Argument(
        ..., metavar="RESULT.json", help="A result JSON written by gpukit tune run."
    ),
    chart: Path = typer.Option(
        None, "--chart", help="Write a PNG chart of cost and duration against memory."
    ),
    fmt: Format = FORMAT,
) -> None:
    """Print a tuning result, e.g. gpukit tune report powertuning-result.json --chart
    tuning.png"""
    if chart is not None:
        require("matplotlib", "gpukit tune report --chart")
    try:
        result = load_result(result_path)
    except ResultError as exc:
        fail_input(str(exc))
    if fmt == Format.json:
        print(json.dumps(summary(result), indent=2))
    else:
        print_table(result, Console())
    if chart is not None:
        from gpukit.modules.powertuning.chart import write_chart

        write_chart(result, chart)
        print(f"chart written to {chart}", file=sys.stderr)
