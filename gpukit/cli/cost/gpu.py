"""``gpukit cost compare`` and ``gpukit cost coldstart``: GPU-seconds against a dedicated
instance, and how long a cold start takes."""

from __future__ import annotations

from pathlib import Path

import typer

from gpukit.cli.common import fail_input
from gpukit.cli.cost import render as cost_render
from gpukit.cli.cost.inputs import (
    FORMAT,
    LIVE,
    PLOT,
    PRICES,
    REGION,
    Inputs,
    build,
    opt,
    price_book,
    whole_opt,
)
from gpukit.cli.cost.plot import gpu_figure, require_matplotlib, write_plot
from gpukit.cli.options import Format
from gpukit.policies.cost.base import HOURS_PER_DAY
from gpukit.policies.cost.coldstart import (
    DEFAULT_BYTES_PER_PARAM,
    DEFAULT_CONTAINER_START_SECONDS,
    DEFAULT_EFFICIENCY,
    DEFAULT_RUNTIME_INIT_SECONDS,
    ColdStart,
    ColdStartInput,
    cold_start,
)
from gpukit.policies.cost.gpu import (
    DEFAULT_BILLING_INCREMENT_MS,
    DEFAULT_IDLE_TIMEOUT_SECONDS,
    Dedicated,
    GpuTraffic,
    Serverless,
    compare_gpu,
)
from gpukit.policies.pricing import PriceBook

#: Cost-model fields whose option is named otherwise (the rest share their name).
GPU_PARAMS = {
    "usd_per_gpu_second": "serverless_usd_per_gpu_second",
    "usd_per_request": "serverless_usd_per_request",
    "usd_per_hour": "dedicated_usd_per_hour",
    "instances": "dedicated_instances",
}


def compare(
    ctx: typer.Context,
    requests_per_day: float | None = opt("--requests-per-day", "N", "Requests per day (required)."),
    seconds_per_request: float | None = opt(
        "--seconds-per-request", "SECONDS", "GPU time one request takes (required)."
    ),
    active_hours_per_day: float | None = opt(
        "--active-hours-per-day",
        "HOURS",
        f"Hours a day the traffic arrives in (default {HOURS_PER_DAY}).",
    ),
    serverless_usd_per_gpu_second: float | None = opt(
        "--serverless-usd-per-gpu-second", "USD", "Serverless price of one GPU-second (required)."
    ),
    serverless_usd_per_request: float | None = opt(
        "--serverless-usd-per-request", "USD", "Serverless fee per request (default 0)."
    ),
    billing_increment_ms: float | None = opt(
        "--billing-increment-ms",
        "MS",
        "Serverless billing step: 1 = per ms, 1000 = per second (default"
        f" {DEFAULT_BILLING_INCREMENT_MS:g}).",
    ),
    cold_start_seconds: float | None = opt(
        "--cold-start-seconds",
        "SECONDS",
        "Billed length of one cold start (default: the expected cold start from --params and "
        "--bandwidth-gb-per-s when given, else 0).",
    ),
    cold_starts_per_day: float | None = opt(
        "--cold-starts-per-day",
        "N",
        "Default: derived from the traffic and --idle-timeout-seconds.",
    ),
    idle_timeout_seconds: float | None = opt(
        "--idle-timeout-seconds",
        "SECONDS",
        f"Idle time before serverless scales to zero (default {DEFAULT_IDLE_TIMEOUT_SECONDS:g}).",
    ),
    keep_warm_instances: int | None = whole_opt(
        "--keep-warm-instances", "N", "Serverless instances kept warm all day (default 0)."
    ),
    keep_warm_usd_per_hour: float | None = opt(
        "--keep-warm-usd-per-hour",
        "USD",
        "One warm instance per hour (default: GPU-second price x 3600).",
    ),
    instance_type: str = typer.Option(
        None,
        "--instance-type",
        help="SageMaker instance type priced from the book, e.g. ml.g5.xlarge.",
    ),
    dedicated_usd_per_hour: float | None = opt(
        "--dedicated-usd-per-hour",
        "USD",
        "Dedicated instance per hour (default: --instance-type's price).",
    ),
    dedicated_instances: int | None = whole_opt(
        "--dedicated-instances",
        "N",
        "Fix the dedicated count (default: as many as the traffic needs).",
    ),
    concurrency_per_instance: int | None = whole_opt(
        "--concurrency-per-instance", "N", "Requests one instance serves at once (default 1)."
    ),
    dedicated_scales_to_zero: bool = typer.Option(
        False,
        "--dedicated-scales-to-zero",
        help="Dedicated runs only the active hours (default: 24 h).",
    ),
    params: float | None = opt(
        "--params", "N", "Model parameters, to derive --cold-start-seconds."
    ),
    bytes_per_param: float | None = opt(
        "--bytes-per-param",
        "BYTES",
        f"2 = fp16/bf16, 1 = int8 (default {DEFAULT_BYTES_PER_PARAM:g}).",
    ),
    bandwidth_gb_per_s: float | None = opt(
        "--bandwidth-gb-per-s",
        "GB/S",
        "Link the weights load over, to derive --cold-start-seconds.",
    ),
    live_prices: bool = LIVE,
    prices_file: Path = PRICES,
    region: str = REGION,
    fmt: Format = FORMAT,
    plot: Path = PLOT,
) -> None:
    """Pay per GPU-second (serverless) against a dedicated instance per hour for a traffic
    profile, cold starts and keep-warm included, for example: gpukit cost compare
    --requests-per-day 20k --seconds-per-request 1.5 --serverless-usd-per-gpu-second 0.000306
    --instance-type ml.g5.xlarge"""
    if plot is not None:
        require_matplotlib("cost compare")
    book = price_book(live_prices, region, prices_file)
    inputs = Inputs(ctx)
    book_hourly = _instance_price(book, instance_type)
    read, flags = inputs.read, inputs.flags(GPU_PARAMS)
    traffic = build(
        lambda: GpuTraffic.of(
            requests_per_day=read("requests_per_day"),
            seconds_per_request=read("seconds_per_request"),
            active_hours_per_day=read("active_hours_per_day", default=HOURS_PER_DAY),
        ),
        flags,
    )
    derived = None
    if params is not None or bandwidth_gb_per_s is not None:
        derived = _cold_start(inputs)
    cold_label = "expected cold start" if derived else "default"
    serverless = build(
        lambda: Serverless.of(
            usd_per_gpu_second=read("serverless_usd_per_gpu_second"),
            usd_per_request=read("serverless_usd_per_request", default=0),
            billing_increment_ms=read("billing_increment_ms", default=DEFAULT_BILLING_INCREMENT_MS),
            cold_start_seconds=read(
                "cold_start_seconds",
                default=derived.expected_seconds if derived else 0,
                default_label=cold_label,
            ),
            cold_starts_per_day=inputs.read_maybe(
                "cold_starts_per_day", "derived from the traffic"
            ),
            idle_timeout_seconds=read("idle_timeout_seconds", default=DEFAULT_IDLE_TIMEOUT_SECONDS),
            keep_warm_instances=inputs.read_whole("keep_warm_instances", 0),
            keep_warm_usd_per_hour=inputs.read_maybe(
                "keep_warm_usd_per_hour", "GPU-second price x 3600"
            ),
        ),
        flags,
    )
    dedicated = build(
        lambda: Dedicated.of(
            usd_per_hour=read(
                "dedicated_usd_per_hour",
                book_hourly,
                needed="(or pass --instance-type to take it from the price book)",
            ),
            instances=inputs.read_whole("dedicated_instances", default_label="as many as needed"),
            concurrency_per_instance=inputs.read_whole("concurrency_per_instance", 1),
            scales_to_zero=dedicated_scales_to_zero,
        ),
        flags,
    )
    result = compare_gpu(traffic, serverless, dedicated)
    doc = cost_render.compare_doc(book, instance_type, inputs, result, derived)
    cost_render.emit(doc, fmt, cost_render.compare_lines)
    if plot is not None:
        write_plot(gpu_figure(traffic, serverless, dedicated, result), plot)


def _instance_price(book: PriceBook, instance_type: str | None) -> float | None:
    if instance_type is None:
        return None
    price = book.instance_hourly(instance_type)
    if price is None:
        known = ", ".join(sorted(book.sagemaker_hourly))
        fail_input(
            f"--instance-type: no price for {instance_type!r} in {book.describe()} (known:"
            f" {known}); pass --dedicated-usd-per-hour, your own --prices FILE or --live-prices"
        )
    return price


def _cold_start(inputs: Inputs) -> ColdStart:
    """The cold start from ``--params``, ``--bytes-per-param``, ``--bandwidth-gb-per-s`` and,
    where the command has them, the efficiency and start-up times (defaults otherwise)."""
    names = {param.name for param in inputs.ctx.command.params}

    def read(name: str, default: float | None = None) -> float | None:
        if name in names:
            return inputs.read(name, default=default)
        # a setting this command has no flag for: its default, recorded under its name
        return inputs.maybe("--" + name.replace("_", "-"), None, default=default)

    spec = build(
        lambda: ColdStartInput.of(
            params=read("params"),
            bytes_per_param=read("bytes_per_param", DEFAULT_BYTES_PER_PARAM),
            bandwidth_gb_per_s=read("bandwidth_gb_per_s"),
            efficiency=read("efficiency", DEFAULT_EFFICIENCY),
            container_start_seconds=read(
                "container_start_seconds", DEFAULT_CONTAINER_START_SECONDS
            ),
            runtime_init_seconds=read("runtime_init_seconds", DEFAULT_RUNTIME_INIT_SECONDS),
        ),
        {},
    )
    return cold_start(spec)


def coldstart(
    ctx: typer.Context,
    params: float | None = opt("--params", "N", "Model parameters, e.g. 8B or 8e9 (required)."),
    bytes_per_param: float | None = opt(
        "--bytes-per-param",
        "BYTES",
        f"2 = fp16/bf16, 1 = int8/fp8, 0.5 = int4 (default {DEFAULT_BYTES_PER_PARAM:g}).",
    ),
    bandwidth_gb_per_s: float | None = opt(
        "--bandwidth-gb-per-s",
        "GB/S",
        "Link the weights load over, in GB/s (required; 10 Gbit/s = 1.25).",
    ),
    efficiency: float | None = opt(
        "--efficiency",
        "FRACTION",
        f"Share of the link rate a real load sustains (default {DEFAULT_EFFICIENCY}).",
    ),
    container_start_seconds: float | None = opt(
        "--container-start-seconds",
        "SECONDS",
        f"Container start (default {DEFAULT_CONTAINER_START_SECONDS:g}).",
    ),
    runtime_init_seconds: float | None = opt(
        "--runtime-init-seconds",
        "SECONDS",
        f"Runtime initialisation (default {DEFAULT_RUNTIME_INIT_SECONDS:g}).",
    ),
    fmt: Format = FORMAT,
) -> None:
    """A GPU cold start: the physical minimum (weights over the link) and the expected value
    (transfer at the real efficiency plus container start and runtime init), for example:
    gpukit cost coldstart --params 8B --bandwidth-gb-per-s 1.25"""
    inputs = Inputs(ctx)
    result = _cold_start(inputs)
    cost_render.emit(cost_render.coldstart_doc(inputs, result), fmt, cost_render.coldstart_lines)
